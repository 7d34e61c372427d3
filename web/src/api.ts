// The desk API as the browser uses it (src/desk/API.md): same-origin cookies,
// the CSRF header on every state-changing request, errors as thrown ApiErrors
// that carry the field paths the server named.
import type { User } from '../../src/desk/domain/types.ts';
import { renderMessage, type Message } from '../../src/desk/domain/messages/index.ts';
import type { Lang, MessageKey, Translate } from './i18n.ts';

/** `message` is the server's English; `text`, when sent, the same as a message to render in the page's language. */
export interface FieldIssue {
  field: string;
  message: string;
  text?: Message;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  readonly issues: FieldIssue[];
  readonly text: Message | undefined;
  constructor(status: number, code: string, message: string, field?: string, issues?: FieldIssue[], text?: Message) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
    this.text = text;
    this.issues = issues ?? (field ? [{ field, message, ...(text ? { text } : {}) }] : []);
  }
}

let csrfToken = '';
export function setCsrfToken(token: string) {
  csrfToken = token;
}

export async function api<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
  const headers: Record<string, string> = {};
  if (method !== 'GET' && method !== 'HEAD') headers['x-csrf-token'] = csrfToken;
  let payload: string | Blob | undefined;
  if (body !== undefined) {
    headers['content-type'] = contentType;
    payload = typeof body === 'string' || body instanceof Blob ? body : JSON.stringify(body);
  }
  const res = await fetch(path, { method, headers, body: payload ?? null, credentials: 'same-origin' });
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => null)) as {
    error?: { code: string; message: string; field?: string; issues?: FieldIssue[]; text?: Message };
  } | null;
  if (!res.ok) {
    const e = data?.error;
    throw new ApiError(res.status, e?.code ?? 'HTTP_' + res.status, e?.message ?? res.statusText, e?.field, e?.issues, e?.text);
  }
  return data as T;
}

export interface Me {
  user: User;
  csrfToken: string;
}

export async function login(username: string, password: string): Promise<Me> {
  const me = await api<Me>('POST', '/api/auth/login', { username, password });
  setCsrfToken(me.csrfToken);
  return me;
}

export async function whoAmI(): Promise<Me | null> {
  try {
    const me = await api<Me>('GET', '/api/auth/me');
    setCsrfToken(me.csrfToken);
    return me;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

/** Field path → message, from a validation error; `prefix` maps a sub-request's paths into the page's. */
export function fieldErrors(e: unknown, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  if (e instanceof ApiError) for (const i of e.issues) out[prefix + i.field] ??= i.message;
  return out;
}

/** Field path → the server's message (rendered later, in whatever language the page is in then) or its English text. */
export function fieldMessages(e: unknown, prefix = ''): Record<string, Message | string> {
  const out: Record<string, Message | string> = {};
  if (e instanceof ApiError) for (const i of e.issues) out[prefix + i.field] ??= i.text ?? i.message;
  return out;
}

export function newSubmissionId(): string {
  return crypto.randomUUID().replace(/-/g, '');
}

const KNOWN_CODES = new Set([
  'INVALID_CREDENTIALS',
  'LOGIN_RATE_LIMITED',
  'LOGIN_ADDRESS_RATE_LIMITED',
  'UNAUTHENTICATED',
  'FORBIDDEN_ROLE',
  'FORBIDDEN_FIRM',
  'CSRF_TOKEN_INVALID',
  'MAILER_NOT_CONFIGURED',
  'SESSION_NOT_FOUND',
  'SUBSCRIBER_NOT_FOUND',
  'ALREADY_EXISTS',
  'CSV_UNREADABLE',
  'INTERNAL_ERROR',
]);

/** An error for the page: the catalogue's text for the stable codes it knows, else the server's message (in `lang` when it sent one). */
export function errorText(e: unknown, t: Translate, lang?: Lang): string {
  if (e instanceof ApiError && KNOWN_CODES.has(e.code)) return t(`err.${e.code}` as MessageKey);
  if (e instanceof ApiError && e.text && lang) return renderMessage(e.text, lang);
  if (e instanceof TypeError) return t('err.NETWORK');
  return e instanceof Error ? e.message : String(e);
}

// The desk API as the browser uses it (src/desk/API.md): same-origin cookies,
// the CSRF header on every state-changing request, errors as thrown ApiErrors
// that carry the field paths the server named.
import type { User } from '../../src/desk/domain/types.ts';
import type { MessageKey, Translate } from './i18n.ts';

export interface FieldIssue { field: string; message: string }

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  readonly issues: FieldIssue[];
  constructor(status: number, code: string, message: string, field?: string, issues?: FieldIssue[]) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
    this.issues = issues ?? (field ? [{ field, message }] : []);
  }
}

let csrfToken = '';
export function setCsrfToken(token: string) { csrfToken = token; }

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
  const data = await res.json().catch(() => null) as { error?: { code: string; message: string; field?: string; issues?: FieldIssue[] } } | null;
  if (!res.ok) {
    const e = data?.error;
    throw new ApiError(res.status, e?.code ?? 'HTTP_' + res.status, e?.message ?? res.statusText, e?.field, e?.issues);
  }
  return data as T;
}

export interface Me { user: User; csrfToken: string }

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

export function newSubmissionId(): string {
  return crypto.randomUUID().replace(/-/g, '');
}

const KNOWN_CODES = new Set(['INVALID_CREDENTIALS', 'LOGIN_RATE_LIMITED', 'LOGIN_ADDRESS_RATE_LIMITED', 'UNAUTHENTICATED', 'FORBIDDEN_ROLE', 'FORBIDDEN_FIRM', 'CSRF_TOKEN_INVALID', 'MAILER_NOT_CONFIGURED', 'SESSION_NOT_FOUND', 'SUBSCRIBER_NOT_FOUND', 'ALREADY_EXISTS', 'CSV_UNREADABLE', 'INTERNAL_ERROR']);

/** An error for the page: the catalogue's text for the stable codes it knows, else the server's (English) message. */
export function errorText(e: unknown, t: Translate): string {
  if (e instanceof ApiError && KNOWN_CODES.has(e.code)) return t(`err.${e.code}` as MessageKey);
  if (e instanceof TypeError) return t('err.NETWORK');
  return e instanceof Error ? e.message : String(e);
}

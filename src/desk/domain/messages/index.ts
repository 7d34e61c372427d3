// Every text of the desk that a person reads and that the server produces
// (validation messages, contradictions, evidence descriptions, refusals) travels
// as a code with parameters; the browser and the PDF render it in the reader's
// language from these catalogues. A parameter may itself be a message (a field's
// label, a site's name), rendered in the same language.
import { EVIDENCE_MESSAGES } from './evidence.ts';
import { VALIDATION_MESSAGES } from './validation.ts';
import { DESK_MESSAGES } from './desk.ts';
import type { MessageCatalogue } from './catalogue.ts';

export type MessageParam = string | number | boolean | null | Message;
export interface Message {
  readonly code: string;
  readonly params?: Readonly<Record<string, MessageParam>>;
}

export const LANGUAGES = ['en', 'zh-Hant'] as const;
export type Language = (typeof LANGUAGES)[number];

export type { MessageCatalogue, MessageTemplates } from './catalogue.ts';

export const MESSAGES: MessageCatalogue = { ...VALIDATION_MESSAGES, ...EVIDENCE_MESSAGES, ...DESK_MESSAGES };

export function message(code: string, params?: Record<string, MessageParam>): Message {
  return params ? { code, params } : { code };
}

function isMessage(x: unknown): x is Message {
  return typeof x === 'object' && x !== null && typeof (x as Message).code === 'string';
}

/** The message in `lang`; an unknown code renders as the code itself with its parameters, never as nothing. */
export function renderMessage(m: Message, lang: Language = 'en', catalogue: MessageCatalogue = MESSAGES): string {
  const t = catalogue[m.code];
  const params = m.params ?? {};
  const value = (v: MessageParam): string => (isMessage(v) ? renderMessage(v, lang, catalogue) : v === null ? '—' : String(v));
  if (!t) {
    const ps = Object.entries(params).map(([k, v]) => `${k}=${value(v)}`);
    return ps.length ? `${m.code} (${ps.join(', ')})` : m.code;
  }
  return t[lang].replace(/\{([A-Za-z0-9_]+)\}/g, (whole, k: string) => (k in params ? value(params[k]!) : whole));
}

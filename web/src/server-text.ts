// Texts the server sends as Messages (code + params), rendered in the UI's
// language; the server's English message is the fallback for the rest.
import { renderMessage, type Message } from '../../src/desk/domain/messages/index.ts';
import { ApiError, errorText } from './api.ts';
import type { Lang, Translate } from './i18n.ts';

export function messageText(m: Message, lang: Lang): string {
  return renderMessage(m, lang);
}

/** An error for the page, in the UI's language where the server sent a Message. */
export function serverText(e: unknown, t: Translate, lang: Lang): string {
  if (e instanceof ApiError && e.text) return renderMessage(e.text, lang);
  return errorText(e, t);
}

/** Field path → text of a refused request, each in the UI's language where the server sent a Message. */
export function serverFieldErrors(e: unknown, lang: Lang, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  if (e instanceof ApiError) for (const i of e.issues) out[prefix + i.field] ??= i.text ? renderMessage(i.text, lang) : i.message;
  return out;
}

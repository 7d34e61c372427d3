// Texts the server sends as Messages (code + params), rendered in the UI's
// language; the server's English message is the fallback for the rest.
import { renderMessage } from '../../src/desk/domain/messages/index.ts';
import { ApiError, errorText } from './api.ts';
import type { Lang, Translate } from './i18n.ts';

/** An error for the page, in the UI's language where the server sent a Message. */
export function serverText(e: unknown, t: Translate, lang: Lang): string {
  if (e instanceof ApiError && e.text) return renderMessage(e.text, lang);
  return errorText(e, t);
}

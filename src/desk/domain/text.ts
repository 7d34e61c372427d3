// Text a person typed (names, titles, descriptions) must not carry control
// characters or the bidirectional overrides that make a name display as
// something else (Unicode TR36 "Trojan Source"); line breaks are allowed only
// where a field is multi-line.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const LINE_BREAK = /[\n\r]/;
const BIDI_CONTROL = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

export type UnsafeText = 'control-character' | 'line-break' | 'bidi-control';

/** Why `s` is not acceptable as typed text, or null when it is. */
export function unsafeText(s: string, opts: { multiline?: boolean } = {}): UnsafeText | null {
  if (CONTROL.test(s)) return 'control-character';
  if (!opts.multiline && LINE_BREAK.test(s)) return 'line-break';
  if (BIDI_CONTROL.test(s)) return 'bidi-control';
  return null;
}

// The control and bidirectional characters above in one class, for quoting typed text back.
const UNSAFE_CHARACTER = new RegExp(`[${CONTROL.source.slice(1, -1)}${BIDI_CONTROL.source.slice(1, -1)}]`, 'g');

/** `s` with every character unsafeText refuses (line breaks aside) as a visible `\uXXXX` escape. */
export function visibleText(s: string): string {
  return s.replace(UNSAFE_CHARACTER, (ch) => `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

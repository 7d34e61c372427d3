// Text the gateway or client writes into a frame (Reason, Logout Text, …): OCG-C fields are ASCII
// (§2.5) and the encoder refuses anything else, so texts made from internal messages or client
// input go through here first.

/** Printable ASCII (0x20–0x7E) only. */
const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/;
const NOT_PRINTABLE_ASCII_G = /[^\x20-\x7e]/g;
/** Spec references of internal messages ("(OCG-C §2.3)", "(§3.8)"): not for the wire. */
const SPEC_REFERENCE = /\s*\((?:OCG-C )?§[^)]*\)/g;

/** True when every character is printable ASCII. */
export function isPrintableAscii(s: string): boolean {
  return !NOT_PRINTABLE_ASCII.test(s);
}

/** `s` without spec references, each other non-printable-ASCII character as '?', at most `max` characters. */
export function wireText(s: string, max: number): string {
  let t = s;
  if (NOT_PRINTABLE_ASCII.test(t)) t = t.replace(SPEC_REFERENCE, '').replace(NOT_PRINTABLE_ASCII_G, '?');
  return t.length <= max ? t : t.slice(0, max);
}

/** Alphanumeric Fixed(n) received without its NUL: the gateway uses the first n−1 bytes (§2.5). */
export function fixedText(s: string, n: number): string {
  return s.length > n - 1 ? s.slice(0, n - 1) : s;
}

// FIX UTCTimestamp: YYYYMMDD-HH:MM:SS.sss (SendingTime, TransactTime).

export function sendingTime(ms: number): string {
  const d = new Date(Math.floor(ms));
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}`;
}

/** sendingTime() of the last millisecond asked for, kept: messages come in bursts within one. */
export class UtcTimestampCache {
  #at = Number.NaN;
  #text = '';

  text(ms: number): string {
    const at = Math.floor(ms);
    if (at !== this.#at) {
      this.#at = at;
      this.#text = sendingTime(at);
    }
    return this.#text;
  }
}

function digitsAt(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function numberAt(s: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) v = v * 10 + (s.charCodeAt(i) - 0x30);
  return v;
}

/** A UTCTimestamp with 0, 3, 6 or 9 fractional digits; null when it is not one. */
export function parseUtcTimestamp(s: string): number | null {
  const n = s.length;
  if (n !== 17 && n !== 21 && n !== 24 && n !== 27) return null;
  if (!digitsAt(s, 0, 8) || s[8] !== '-' || !digitsAt(s, 9, 11) || s[11] !== ':' || !digitsAt(s, 12, 14) || s[14] !== ':' || !digitsAt(s, 15, 17)) return null;
  if (n > 17 && (s[17] !== '.' || !digitsAt(s, 18, n))) return null;
  const day = numberAt(s, 6, 8);
  const t = Date.UTC(numberAt(s, 0, 4), numberAt(s, 4, 6) - 1, day, numberAt(s, 9, 11), numberAt(s, 12, 14), numberAt(s, 15, 17), n > 17 ? numberAt(s, 18, 21) : 0);
  return Number.isNaN(t) || new Date(t).getUTCDate() !== day ? null : t;
}

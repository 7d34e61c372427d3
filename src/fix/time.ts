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
  if (!isUtcTimestamp(s)) return null;
  return Date.UTC(
    numberAt(s, 0, 4),
    numberAt(s, 4, 6) - 1,
    numberAt(s, 6, 8),
    numberAt(s, 9, 11),
    numberAt(s, 12, 14),
    numberAt(s, 15, 17),
    s.length > 17 ? numberAt(s, 18, 21) : 0,
  );
}

/** parseUtcTimestamp(s) !== null, without computing the time (an order's TransactTime is only checked). */
export function isUtcTimestamp(s: string): boolean {
  const n = s.length;
  if (n !== 17 && n !== 21 && n !== 24 && n !== 27) return false;
  if (!digitsAt(s, 0, 8) || s[8] !== '-' || !digitsAt(s, 9, 11) || s[11] !== ':' || !digitsAt(s, 12, 14) || s[14] !== ':' || !digitsAt(s, 15, 17)) return false;
  if (n > 17 && (s[17] !== '.' || !digitsAt(s, 18, n))) return false;
  const year = numberAt(s, 0, 4),
    month = numberAt(s, 4, 6),
    day = numberAt(s, 6, 8);
  // A real calendar day, and a time of day that does not spill into the next one (a minute or a
  // second field above 59 that stays within the day is taken, as Date.UTC takes it).
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  const ms = ((numberAt(s, 9, 11) * 60 + numberAt(s, 12, 14)) * 60 + numberAt(s, 15, 17)) * 1000 + (n > 17 ? numberAt(s, 18, 21) : 0);
  return ms < 86_400_000;
}

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

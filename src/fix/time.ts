// FIX UTCTimestamp: YYYYMMDD-HH:MM:SS.sss (SendingTime, TransactTime).

export function sendingTime(ms: number): string {
  const d = new Date(Math.floor(ms));
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}`;
}

/** A UTCTimestamp with 0, 3, 6 or 9 fractional digits; null when it is not one. */
export function parseUtcTimestamp(s: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}|\d{6}|\d{9}))?$/.exec(s);
  if (m === null) return null;
  const t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, m[7] === undefined ? 0 : +m[7].slice(0, 3));
  return Number.isNaN(t) || new Date(t).getUTCDate() !== +m[3]! ? null : t;
}

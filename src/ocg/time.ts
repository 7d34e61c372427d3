// Transaction Time: Alnum Fixed(25), UTC `YYYYMMDD-HH:MM:SS.ssssss` (OCG-C §2.5). Older generations
// and implementations send milliseconds (`.sss`, §8 item 6): accept 3 or 6 digits, emit 6.
import { systemClock } from '../wire/index.ts';
import type { Clock } from '../wire/index.ts';

const pad2 = (n: number) => (n < 10 ? '0' : '') + n;

/** Format epoch microseconds (a JS number holds them exactly until the year 2255). */
export function formatTransactionTime(epochMicros: number): string {
  const ms = Math.floor(epochMicros / 1000);
  const d = new Date(ms);
  const micros = epochMicros - Math.floor(epochMicros / 1_000_000) * 1_000_000;
  return (
    `${d.getUTCFullYear()}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}-` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${String(micros).padStart(6, '0')}`
  );
}

/**
 * Format a Clock's epoch milliseconds. The fraction of a millisecond fills the microsecond digits:
 * Date.now() (systemClock) has none, so they are 000; preciseClock below carries them.
 */
export function transactionTimeFromMillis(epochMillis: number): string {
  return formatTransactionTime(Math.round(epochMillis * 1000));
}

/**
 * Wall-clock epoch milliseconds with a sub-millisecond fraction: performance.timeOrigin +
 * performance.now() (monotonic within the process, microsecond resolution or better where the
 * platform gives it). The gateway's Transaction Time shows its microseconds.
 */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

const TIME_RE = /^(\d{4})(\d{2})(\d{2})-(\d{2}):(\d{2}):(\d{2})\.(\d{3}|\d{6})$/;

/** Epoch microseconds, or null when the text is not a valid Transaction Time. */
export function parseTransactionTime(text: string): number | null {
  const m = TIME_RE.exec(text);
  if (m === null) return null;
  const [, y, mo, d, h, mi, s, frac] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(ms);
  if (check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  return ms * 1000 + (frac!.length === 3 ? Number(frac) * 1000 : Number(frac));
}

/** systemClock with preciseNow(): for a venue whose Transaction Times should carry microseconds. */
export const preciseClock: Clock = {
  now: preciseNow,
  setTimeout: (fn, ms) => systemClock.setTimeout(fn, ms),
  setInterval: (fn, ms) => systemClock.setInterval(fn, ms),
};

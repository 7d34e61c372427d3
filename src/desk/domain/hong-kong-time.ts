// Hong Kong time: UTC+8 all year, no daylight saving (practice-session.md,
// "Practice session"), so a fixed offset is exact and needs no tz database.
const OFFSET_MS = 8 * 3600_000;

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;
const ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses a deadline: either an instant with a zone, or a Hong Kong wall-clock
 * time without one ("2023-11-24T23:59"). Returns epoch ms or null.
 */
export function parseHongKongTime(s: string): number | null {
  if (ZONED.test(s)) {
    const t = Date.parse(s);
    return Number.isNaN(t) ? null : t;
  }
  const m = LOCAL.exec(s);
  if (!m) return null;
  const [y, mo, d, h, mi, se, ms] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0', (m[7] ?? '0').padEnd(3, '0')].map(Number) as number[];
  const t = Date.UTC(y!, mo! - 1, d!, h!, mi!, se!, ms!) - OFFSET_MS;
  const back = new Date(t + OFFSET_MS);
  if (back.getUTCMonth() !== mo! - 1 || back.getUTCDate() !== d! || h! > 23 || mi! > 59 || se! > 59) return null;
  return t;
}

/** "2023-11-24T23:59:00.000+08:00" */
export function toHongKongIso(ms: number): string {
  return new Date(ms + OFFSET_MS).toISOString().replace('Z', '+08:00');
}

/** "HH:mm" in Hong Kong time. */
export function hongKongClock(ms: number): string {
  return new Date(ms + OFFSET_MS).toISOString().slice(11, 16);
}

/** "YYYY-MM-DD" in Hong Kong time. */
export function hongKongDate(ms: number): string {
  return new Date(ms + OFFSET_MS).toISOString().slice(0, 10);
}

export function isCalendarDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const t = Date.parse(s + 'T00:00:00Z');
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === s;
}

export function isClockTime(s: string): boolean {
  return /^([01]\d|2[0-3]):[0-5]\d$/.test(s);
}

// Rundown times are Hong Kong time: UTC+8 all year, no daylight saving
// (practice-session.md, "Practice session"), so a fixed offset is exact.
export const HONG_KONG_OFFSET_MS = 8 * 3600_000;

/** A step time as written in a rundown, before it is placed on the calendar. */
export type StepTime = { kind: 'absolute'; ms: number } | { kind: 'clock'; minutes: number } | { kind: 'offset'; ms: number };

const ABSOLUTE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;
const CLOCK = /^(\d{2}):(\d{2})(?::(\d{2}))?$/;
const OFFSET = /^\+(\d{1,3}):(\d{2})(?::(\d{2}))?$/;

/** Epoch ms of a Hong Kong wall-clock date and time, or null when not a real date/time. */
export function hongKongToEpoch(y: number, mo: number, d: number, h: number, mi: number, s = 0): number | null {
  if (h > 23 || mi > 59 || s > 59) return null;
  const local = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(local);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return local - HONG_KONG_OFFSET_MS;
}

/** Midnight (Hong Kong) of a `YYYY-MM-DD` date, or null. */
export function parseHongKongDate(s: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return null;
  return hongKongToEpoch(Number(m[1]), Number(m[2]), Number(m[3]), 0, 0);
}

/**
 * `2023-11-25T10:00` (absolute, Hong Kong), `10:00` (on the session date) or
 * `+00:20` (hours:minutes after the previous step). Null when none of these.
 */
export function parseStepTime(s: string): StepTime | null {
  let m = ABSOLUTE.exec(s);
  if (m) {
    const ms = hongKongToEpoch(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
    return ms === null ? null : { kind: 'absolute', ms };
  }
  m = CLOCK.exec(s);
  if (m) {
    const h = Number(m[1]),
      mi = Number(m[2]),
      sec = Number(m[3] ?? 0);
    if (h > 23 || mi > 59 || sec > 59) return null;
    return { kind: 'clock', minutes: h * 60 + mi + sec / 60 };
  }
  m = OFFSET.exec(s);
  if (m) {
    const mi = Number(m[2]),
      sec = Number(m[3] ?? 0);
    if (mi > 59 || sec > 59) return null;
    return { kind: 'offset', ms: ((Number(m[1]) * 60 + mi) * 60 + sec) * 1000 };
  }
  return null;
}

/** "2023-11-25T10:00:00.000+08:00" */
export function toHongKongIso(ms: number): string {
  return new Date(ms + HONG_KONG_OFFSET_MS).toISOString().replace('Z', '+08:00');
}

/** "Sat 10:00" in Hong Kong time, for progress lines. */
export function hongKongLabel(ms: number): string {
  const d = new Date(ms + HONG_KONG_OFFSET_MS);
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()]!;
  return `${day} ${d.toISOString().slice(11, 16)}`;
}

/** "YYYY-MM-DD" in Hong Kong time. */
export function hongKongDate(ms: number): string {
  return new Date(ms + HONG_KONG_OFFSET_MS).toISOString().slice(0, 10);
}

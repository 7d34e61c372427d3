// Validation of evidence events arriving from files or the network: never
// throws, reports every problem with the field it concerns.
import { EVIDENCE_KINDS, SERVICES, SITES, SOURCES, type EvidenceEvent } from './event.ts';

export interface EvidenceFieldError {
  field: string;
  message: string;
}

export type EvidenceValidation = { ok: true; event: EvidenceEvent } | { ok: false; errors: EvidenceFieldError[] };

// ISO-8601 with exactly three fractional digits and an explicit zone.
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:\d{2})$/;
const MAX_TEXT = 200;
/** A detail larger than this (as JSON) is refused: evidence details are a few fields, never documents. */
export const MAX_DETAIL_BYTES = 16 * 1024;
const FIELDS = ['id', 'ts', 'session', 'site', 'service', 'subscriber', 'identity', 'kind', 'detail', 'source'] as const;

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function text(o: Record<string, unknown>, field: string, errors: EvidenceFieldError[]): void {
  const v = o[field];
  if (typeof v !== 'string') errors.push({ field, message: `${field} must be a string, got ${describe(v)}` });
  else if (v.length === 0) errors.push({ field, message: `${field} must not be empty` });
  else if (v.length > MAX_TEXT) errors.push({ field, message: `${field} is longer than ${MAX_TEXT} characters` });
}

function oneOf(o: Record<string, unknown>, field: string, allowed: readonly string[], errors: EvidenceFieldError[]): void {
  const v = o[field];
  if (typeof v !== 'string' || !allowed.includes(v)) {
    errors.push({ field, message: `${field} must be one of ${allowed.join(', ')}, got ${describe(v)}` });
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

export function validateEvidenceEvent(x: unknown): EvidenceValidation {
  if (!isRecord(x)) return { ok: false, errors: [{ field: '', message: `an evidence event must be a JSON object, got ${describe(x)}` }] };
  const errors: EvidenceFieldError[] = [];
  text(x, 'id', errors);
  text(x, 'session', errors);
  text(x, 'subscriber', errors);
  text(x, 'identity', errors);
  if (typeof x.ts !== 'string' || !ISO_MS.test(x.ts) || Number.isNaN(Date.parse(x.ts))) {
    errors.push({ field: 'ts', message: `ts must be ISO-8601 with milliseconds and a zone (2023-11-25T02:00:00.000Z), got ${describe(x.ts)}` });
  }
  oneOf(x, 'site', SITES, errors);
  oneOf(x, 'service', SERVICES, errors);
  oneOf(x, 'source', SOURCES, errors);
  oneOf(x, 'kind', EVIDENCE_KINDS, errors);
  if (!isRecord(x.detail)) errors.push({ field: 'detail', message: `detail must be an object, got ${describe(x.detail)}` });
  else if (JSON.stringify(x.detail).length > MAX_DETAIL_BYTES)
    errors.push({ field: 'detail', message: `detail is larger than ${MAX_DETAIL_BYTES} characters as JSON` });
  if (errors.length) return { ok: false, errors };
  // Keep only the contract's fields so stored events have one shape.
  const event = {} as Record<string, unknown>;
  for (const f of FIELDS) event[f] = x[f];
  return { ok: true, event: event as unknown as EvidenceEvent };
}

/** Milliseconds since the epoch of an already validated event. */
export function evidenceTime(e: Pick<EvidenceEvent, 'ts'>): number {
  return Date.parse(e.ts);
}

// A firm's readiness before the session, folded from the 'readiness' evidence the preflight sends
// (src/probe/preflight.ts, one event per identity and run). A firm is ready once a run of its check
// passed. The store keeps each firm's fold up to date at ingestion; src/desk/readiness.ts reads it.
import type { Provenance, Service, Source } from '../../evidence/index.ts';

/** One readiness event as the desk folds it. */
export interface ReadinessEventRow {
  subscriber: string;
  service: Service;
  identity: string;
  source: Source;
  ts: string;
  detail: Record<string, unknown>;
}

export const READINESS_STATES = ['passed', 'failed', 'none'] as const;
export type ReadinessState = (typeof READINESS_STATES)[number];

export interface FirmReadiness {
  /** passed: some run passed; failed: runs, none passed; none: no run. */
  state: ReadinessState;
  /** ISO time of the latest run's last event. */
  at: string | null;
  /** The latest run's failed rows: "SERVICE IDENTITY check target: reason". */
  failed: string[];
  /** Who vouches for it: the preflight is the firm's own report. */
  provenance: Provenance | 'none';
}

export const NO_READINESS: FirmReadiness = { state: 'none', at: null, failed: [], provenance: 'none' };

/** Folds a session's readiness events by firm (each firm's events oldest first). */
export function foldReadiness(events: readonly ReadinessEventRow[]): Map<string, FirmReadiness> {
  const out = new Map<string, FirmReadiness & { run: unknown }>();
  for (const e of events) {
    const passedRun = e.detail['firmPassed'] === true;
    let f = out.get(e.subscriber);
    if (!f)
      out.set(e.subscriber, (f = { state: 'failed', at: null, failed: [], provenance: e.source === 'venue' ? 'venue' : 'self-reported', run: undefined }));
    if (passedRun) f.state = 'passed';
    if (f.run !== e.detail['run']) {
      f.run = e.detail['run'];
      f.failed = [];
    }
    f.at = e.ts;
    const rows = Array.isArray(e.detail['rows']) ? (e.detail['rows'] as Array<Record<string, unknown>>) : [];
    for (const r of rows)
      if (r['verdict'] === 'fail') f.failed.push(`${e.service} ${e.identity} ${String(r['check'])} ${String(r['target'])}: ${String(r['reason'])}`);
  }
  return new Map([...out].map(([k, { run: _run, ...f }]) => [k, f]));
}

// Readiness per firm before the session: folded from the 'readiness' evidence the preflight sends
// (src/probe/preflight.ts, one event per identity and run). A firm is ready once a run of its
// check passed; a firm that said in Appendix A it will take part but never passed one is flagged
// "not ready", and reminders, the CSV and the dashboard can single it out.
import type { FormVersion, IntentionForm, PracticeSession, Subscriber } from './domain/index.ts';
import type { Provenance } from '../evidence/index.ts';
import type { DeskStore, LatestFormFacts, ReadinessEventRow } from './store/index.ts';

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
    if (!f) out.set(e.subscriber, (f = { state: 'failed', at: null, failed: [], provenance: e.source === 'venue' ? 'venue' : 'self-reported', run: undefined }));
    if (passedRun) f.state = 'passed';
    if (f.run !== e.detail['run']) { f.run = e.detail['run']; f.failed = []; }
    f.at = e.ts;
    const rows = Array.isArray(e.detail['rows']) ? (e.detail['rows'] as Array<Record<string, unknown>>) : [];
    for (const r of rows) if (r['verdict'] === 'fail') f.failed.push(`${e.service} ${e.identity} ${String(r['check'])} ${String(r['target'])}: ${String(r['reason'])}`);
  }
  return new Map([...out].map(([k, { run: _run, ...f }]) => [k, f]));
}

/** Whether the latest Appendix A (the form, or its stored answer) says the firm will take part. */
const willTakePart = (f: FormVersion | LatestFormFacts | undefined) => (f && 'content' in f ? (f.content as IntentionForm).participate : f?.participate) === true;

export interface ReadinessStandings {
  bySubscriber: Map<string, FirmReadiness>;
  /** Firms that said they will take part and never passed a readiness check. */
  notReady: Set<string>;
}

/**
 * The standings of `subscribers` (folded at ingestion, see SqlDeskStore), with the firms not ready.
 * `intentions`: the session's latest Appendix A forms or their facts, when the caller has them.
 */
export async function readinessStandings(store: DeskStore, session: PracticeSession, subscribers: readonly Pick<Subscriber, 'id'>[], intentions?: readonly (FormVersion | LatestFormFacts)[]): Promise<ReadinessStandings> {
  // One firm: its own row, not the session's.
  const bySubscriber = await store.listReadiness(session.id, subscribers.length === 1 ? subscribers[0]!.id : undefined);
  const facts = intentions ?? (await store.latestFormFacts({ sessions: [session.id], ...(subscribers.length === 1 ? { subscriber: subscribers[0]!.id } : {}) })).filter((f) => f.kind === 'intention');
  const latest = new Map(facts.map((f) => [f.subscriberId, f]));
  const notReady = new Set<string>();
  for (const s of subscribers) if (willTakePart(latest.get(s.id)) && bySubscriber.get(s.id)?.state !== 'passed') notReady.add(s.id);
  return { bySubscriber, notReady };
}


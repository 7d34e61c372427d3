// Readiness per firm before the session: folded from the 'readiness' evidence the preflight sends
// (src/probe/preflight.ts, one event per identity and run). A firm is ready once a run of its
// check passed; a firm that said in Appendix A it will take part but never passed one is flagged
// "not ready", and reminders, the CSV and the dashboard can single it out.
import type { FirmReadiness, FormVersion, IntentionForm, PracticeSession, Subscriber } from './domain/index.ts';
import type { DeskStore, LatestFormFacts } from './store/index.ts';

// The fold itself is the domain's (src/desk/domain/readiness.ts), for the store to keep it at ingestion.
export { NO_READINESS, READINESS_STATES, foldReadiness, type FirmReadiness, type ReadinessState } from './domain/index.ts';

/** Whether the latest Appendix A (the form, or its stored answer) says the firm will take part. */
const willTakePart = (f: FormVersion | LatestFormFacts | undefined) =>
  (f && 'content' in f ? (f.content as IntentionForm).participate : f?.participate) === true;

export interface ReadinessStandings {
  bySubscriber: Map<string, FirmReadiness>;
  /** Firms that said they will take part and never passed a readiness check. */
  notReady: Set<string>;
}

/**
 * The standings of `subscribers` (folded at ingestion, see SqlDeskStore), with the firms not ready.
 * `intentions`: the session's latest Appendix A forms or their facts, when the caller has them.
 */
export async function readinessStandings(
  store: DeskStore,
  session: PracticeSession,
  subscribers: readonly Pick<Subscriber, 'id'>[],
  intentions?: readonly (FormVersion | LatestFormFacts)[],
): Promise<ReadinessStandings> {
  // One firm: its own row, not the session's.
  const bySubscriber = await store.listReadiness(session.id, subscribers.length === 1 ? subscribers[0]!.id : undefined);
  const facts =
    intentions ??
    (await store.latestFormFacts({ sessions: [session.id], ...(subscribers.length === 1 ? { subscriber: subscribers[0]!.id } : {}) })).filter(
      (f) => f.kind === 'intention',
    );
  const latest = new Map(facts.map((f) => [f.subscriberId, f]));
  const notReady = new Set<string>();
  for (const s of subscribers) if (willTakePart(latest.get(s.id)) && bySubscriber.get(s.id)?.state !== 'passed') notReady.add(s.id);
  return { bySubscriber, notReady };
}

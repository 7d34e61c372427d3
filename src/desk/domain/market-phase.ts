// The phase of the market day the venue was in at each evidence event, read from the session's
// 'market-phase' venue evidence (detail.scope 'market', detail.phase): the latest such event at
// or before the event's time. The desk does not import the venue, so the phase names it knows
// are listed here (src/venue/market-phases.ts MARKET_PHASES); an unknown one is shown as sent.
import type { EvidenceEvent } from '../../evidence/index.ts';
import { message, type Message } from './messages/index.ts';

export const KNOWN_MARKET_PHASES = [
  'not-open',
  'pos-order-input',
  'pos-no-cancel',
  'pos-random-matching',
  'pos-matching',
  'pos-blocking',
  'continuous',
  'cas-reference-price',
  'cas-order-input',
  'cas-no-cancel',
  'cas-random-close',
  'cas-matching',
  'closed',
  'day-closed',
  'halted',
] as const;

/** One phase change of the market: from `ms` on, the venue was in `phase`. */
export interface MarketPhaseMark {
  ms: number;
  phase: string;
}

/** The phase changes in the events, in time order; only the venue's word counts (a probe's claim does not). */
export function marketPhaseTimeline(events: readonly (EvidenceEvent & { provenance?: string })[]): MarketPhaseMark[] {
  const marks: MarketPhaseMark[] = [];
  for (const e of events) {
    if (e.kind !== 'market-phase' || e.source !== 'venue' || (e.provenance !== undefined && e.provenance !== 'venue')) continue;
    if (e.detail.scope !== 'market' || typeof e.detail.phase !== 'string' || e.detail.phase === '') continue;
    const ms = Date.parse(e.ts);
    if (Number.isFinite(ms)) marks.push({ ms, phase: e.detail.phase });
  }
  // Stable: events of one instant keep their stored order, the last one wins.
  return marks.sort((a, b) => a.ms - b.ms);
}

/** The phase at `ts` (ISO time): the latest mark at or before it; null before the first mark or for a bad time. */
export function marketPhaseAt(timeline: readonly MarketPhaseMark[], ts: string): string | null {
  const ms = Date.parse(ts);
  if (!Number.isFinite(ms)) return null;
  // Binary search for the last mark with mark.ms <= ms.
  let lo = 0;
  let hi = timeline.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (timeline[mid]!.ms <= ms) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? null : timeline[lo - 1]!.phase;
}

/** Each event with the market phase at its time (null: no phase change recorded before it). */
export function withMarketPhases<E extends EvidenceEvent>(events: readonly E[], timeline: readonly MarketPhaseMark[]): (E & { marketPhase: string | null })[] {
  return events.map((e) => ({ ...e, marketPhase: marketPhaseAt(timeline, e.ts) }));
}

/** The phase as a message for the reader's language ("continuous trading", "持續交易時段"). */
export function marketPhaseMessage(phase: string | null): Message {
  if (phase === null) return message('evidence.marketPhase.unknown');
  return (KNOWN_MARKET_PHASES as readonly string[]).includes(phase)
    ? message(`evidence.marketPhase.${phase}`)
    : message('evidence.marketPhase.other', { phase });
}

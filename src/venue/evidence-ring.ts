// The venue evidence a site keeps for its readers (the conductor polls it, docs/architecture.md
// contract 1): the newest `capacity` events, each with a cursor that only grows, so a reader asks
// for what came after the last cursor it saw and learns when older events were dropped.
import type { EvidenceEvent } from '../evidence/index.ts';
import type { EvidenceResponse } from './control-api.ts';

export class EvidenceRing {
  /** Cursor of #events[i] is #base + i + 1. */
  #events: EvidenceEvent[] = [];
  #base = 0;
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** The cursor of the newest event (0 before the first). */
  get cursor(): number {
    return this.#base + this.#events.length;
  }

  push(e: EvidenceEvent): void {
    this.#events.push(e);
    if (this.#events.length > this.#capacity) {
      const drop = this.#events.length - this.#capacity;
      this.#events.splice(0, drop);
      this.#base += drop;
    }
  }

  /** Events with a cursor above `after`, oldest first, at most `limit`; `truncated` when some after `after` were dropped. */
  read(after = 0, limit = 10_000): EvidenceResponse {
    const first = this.#base + 1;
    const truncated = after + 1 < first && this.#base > 0;
    const from = Math.max(after + 1, first);
    const start = from - first;
    const slice = this.#events.slice(start, start + Math.max(1, limit));
    const events = slice.map((event, i) => ({ cursor: from + i, event }));
    return { events, next: events.length > 0 ? events[events.length - 1]!.cursor : Math.max(after, this.cursor), truncated };
  }
}

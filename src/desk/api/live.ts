// Live updates for the dashboard: an in-process feed the routes publish to and
// the server-sent-events endpoint subscribes to. In-process only: with several
// API replicas each replica's clients see that replica's arrivals (ours; a
// PostgreSQL LISTEN/NOTIFY relay would lift this, not built yet).
import type { FormKind } from '../domain/index.ts';
import type { Service } from '../../evidence/index.ts';
import type { LinkState } from '../domain/index.ts';

export type LiveEvent =
  | { type: 'evidence'; session: string; subscriber: string; service: Service; state: LinkState; count: number }
  | { type: 'form'; session: string; subscriber: string; kind: FormKind; version: number; late: boolean };

export class LiveFeed {
  #listeners = new Set<(e: LiveEvent) => void>();

  subscribe(fn: (e: LiveEvent) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  publish(e: LiveEvent): void {
    for (const fn of this.#listeners) {
      try { fn(e); } catch { /* one broken listener must not stop the others */ }
    }
  }

  get listeners(): number {
    return this.#listeners.size;
  }
}

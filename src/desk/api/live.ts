// Live updates for the dashboard: a feed the routes publish to and the
// server-sent-events endpoint subscribes to. With a relay (PostgreSQL
// LISTEN/NOTIFY), every API replica of one database sees every replica's
// updates; without one (SQLite: one process) delivery is in-process.
import type { FormKind } from '../domain/index.ts';
import type { Service } from '../../evidence/index.ts';
import type { LinkState } from '../domain/index.ts';
import type { LiveRelay } from '../store/index.ts';

export type LiveEvent =
  | { type: 'evidence'; session: string; subscriber: string; service: Service; state: LinkState; count: number }
  | { type: 'form'; session: string; subscriber: string; kind: FormKind; version: number; late: boolean };

export class LiveFeed {
  #listeners = new Set<(e: LiveEvent) => void>();
  #relay: LiveRelay | null;

  constructor(relay: LiveRelay | null = null) {
    this.#relay = relay;
    relay?.onMessage((payload) => {
      let e: LiveEvent;
      try {
        e = JSON.parse(payload) as LiveEvent;
      } catch {
        return;
      }
      this.#deliver(e);
    });
  }

  subscribe(fn: (e: LiveEvent) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  publish(e: LiveEvent): void {
    if (!this.#relay) return this.#deliver(e);
    // Our own notification comes back through the relay like everyone else's; if the
    // relay is down, deliver here so at least this replica's clients are told.
    this.#relay.send(JSON.stringify(e)).catch(() => this.#deliver(e));
  }

  async close(): Promise<void> {
    await this.#relay?.close();
  }

  #deliver(e: LiveEvent): void {
    for (const fn of this.#listeners) {
      try {
        fn(e);
      } catch {
        /* one broken listener must not stop the others */
      }
    }
  }

  get listeners(): number {
    return this.#listeners.size;
  }
}

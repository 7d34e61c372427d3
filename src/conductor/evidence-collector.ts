// Collects what the sites saw: polls each site's GET /evidence?after=N
// (src/venue control-api.ts) and hands every new event, once, to the sinks (the
// JSON-lines file under ./data/<session>/, the desk forwarder).
import type { Clock, TimerHandle } from '../wire/index.ts';
import type { EvidenceEvent } from '../evidence/index.ts';
import type { SiteControlClient, SiteRole } from '../venue/index.ts';

export type EvidenceSink = (e: EvidenceEvent) => void;

export interface EvidenceCollectorOptions {
  sites: Partial<Record<SiteRole, Pick<SiteControlClient, 'evidence'>>>;
  clock: Clock;
  pollMs?: number;
  /** Events per request. */
  limit?: number;
  onError?: (message: string) => void;
}

export class EvidenceCollector {
  #o: EvidenceCollectorOptions;
  #sinks: EvidenceSink[] = [];
  #cursor = new Map<SiteRole, number>();
  #seen = new Set<string>();
  #timer: TimerHandle | null = null;
  #polling: Promise<void> | null = null;
  #unreachable = new Set<SiteRole>();
  #truncated = 0;
  #count = 0;

  constructor(opts: EvidenceCollectorOptions) {
    this.#o = opts;
  }

  get count(): number {
    return this.#count;
  }
  /** Times a site's ring buffer had already dropped events we had not fetched. */
  get truncated(): number {
    return this.#truncated;
  }

  addSink(sink: EvidenceSink): void {
    this.#sinks.push(sink);
  }

  /** Events the conductor itself emits go through the same path (written once, forwarded once). */
  emit(e: EvidenceEvent): void {
    if (this.#seen.has(e.id)) return;
    this.#seen.add(e.id);
    this.#count++;
    for (const s of this.#sinks) s(e);
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = this.#o.clock.setInterval(() => {
      void this.poll();
    }, this.#o.pollMs ?? 250);
  }

  /** One round over every site; concurrent calls share the round in flight. */
  poll(): Promise<void> {
    if (!this.#polling)
      this.#polling = this.#round().finally(() => {
        this.#polling = null;
      });
    return this.#polling;
  }

  /** Stops polling after a last round that fetches everything the reachable sites still hold. */
  async stop(): Promise<void> {
    this.#timer?.cancel();
    this.#timer = null;
    await this.#polling;
    await this.poll();
  }

  async #round(): Promise<void> {
    // Sites in parallel: an unreachable one (cut off, black-holed) must not hold up the other's evidence.
    await Promise.all((Object.entries(this.#o.sites) as [SiteRole, Pick<SiteControlClient, 'evidence'>][]).map(([role, site]) => this.#drainSite(role, site)));
  }

  async #drainSite(role: SiteRole, site: Pick<SiteControlClient, 'evidence'>): Promise<void> {
    // Drain a site in pages; a dead or black-holed site is simply retried next round.
    for (let page = 0; page < 100; page++) {
      let res;
      try {
        res = await site.evidence(this.#cursor.get(role) ?? 0, this.#o.limit ?? 2000);
      } catch (e) {
        if (!this.#unreachable.has(role)) this.#o.onError?.(`evidence from the ${role} site: ${(e as Error).message}`);
        this.#unreachable.add(role);
        break;
      }
      this.#unreachable.delete(role);
      if (res.truncated) {
        this.#truncated++;
        this.#o.onError?.(`the ${role} site dropped evidence after cursor ${this.#cursor.get(role) ?? 0} before it was collected`);
      }
      for (const entry of res.events) this.emit(entry.event);
      const before = this.#cursor.get(role) ?? 0;
      this.#cursor.set(role, Math.max(before, res.next));
      if (res.events.length === 0 || res.next <= before) break;
    }
  }
}

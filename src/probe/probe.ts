// The subscriber probe: one subscriber's side of a practice session for each of its identities.
// A trading run (trading-run.ts) per OCG-C service, with its drop copy session, and a feed run
// (feed-run.ts) per OMD-C / OMD-CC feed. It follows the rundown: logs on at the primary, trades
// resting test orders and cancels them, notices the loss, reconnects to the backup through the
// lookup service, recovers sequences and books, trades again and checks the return to the
// primary. Everything it sees becomes an EvidenceEvent (source 'probe') and a step of a test case
// (cases.ts). It reacts to what it observes; the conductor may also tell it about venue actions.
// This file owns the runs' lifecycle, the evidence they record and the report.
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { systemClock, type Clock, type TimerHandle } from '../wire/index.ts';
import type { OcgClient } from '../ocg/index.ts';
import type { FeedHandler, OmdService } from '../omd/index.ts';
import type { EvidenceEvent, EvidenceKind, Service, Site } from '../evidence/index.ts';
import type { CaseStatus, TestCase } from './cases.ts';
import type { SubscriberProbeConfig } from './config.ts';
import { FeedRun } from './feed-run.ts';
import { TradingRun } from './trading-run.ts';
import type { FixProbeClient } from './fix-run.ts';
import type { IdentityTiming, ProbeContext, ProbeFaults, ProbeOptions, ProbeReport, ServiceProgress, ServiceReport } from './types.ts';

const sleepOn = (clock: Clock, ms: number) => new Promise<void>((r) => clock.setTimeout(r, ms));

/**
 * Events: 'evidence' (EvidenceEvent), 'progress' (ServiceProgress[]) whenever a step moves,
 * 'case' (TestCase) when a case's status changes.
 */
export class Probe extends EventEmitter {
  readonly config: SubscriberProbeConfig;
  readonly faults: ProbeFaults;
  readonly events: EvidenceEvent[] = [];
  readonly #o: ProbeOptions;
  readonly #clock: Clock;
  readonly #ctx: ProbeContext;
  readonly #trading: TradingRun[] = [];
  readonly #feeds: FeedRun[] = [];
  readonly #recoveryTimeoutMs: number;
  readonly #idPrefix = randomBytes(4).toString('hex');
  #eventSeq = 0;
  #startedAt = 0;
  #finishedAt = 0;
  #started = false;
  #closing = false;
  #ticker: TimerHandle | null = null;
  readonly #caseStatus = new Map<TestCase, CaseStatus>();
  readonly #background = new Set<Promise<unknown>>();
  /** Verifications under way (drop copy complete, books equal to the venue): finish() lets them conclude. */
  readonly #checks = new Set<Promise<unknown>>();

  constructor(options: ProbeOptions) {
    super();
    this.#o = options;
    this.config = options.config;
    this.faults = options.faults ?? {};
    this.#clock = options.clock ?? systemClock;
    this.#recoveryTimeoutMs = options.recoveryTimeoutMs ?? 120_000;
    const probe = this;
    this.#ctx = {
      clock: this.#clock,
      options,
      faults: this.faults,
      recoveryTimeoutMs: this.#recoveryTimeoutMs,
      verifyTimeoutMs: options.verifyTimeoutMs ?? 10_000,
      get closing() {
        return probe.#closing;
      },
      evidence: (service, site, identity, kind, detail) => this.#evidence(service, site, identity, kind, detail),
      progressed: () => this.#emitProgress(),
      track: (p) => this.#track(p),
      trackCheck: (p) => this.#trackCheck(p),
      waitUntil: (pred, timeoutMs) => this.#waitUntil(pred, timeoutMs),
      get marketFeed() {
        return probe.#feeds.some((f) => f.service === 'OMD-C');
      },
      marketSession: () => {
        // The securities market's phases are on OMD-C; any of its feeds tells them.
        for (const f of this.#feeds) {
          const s = f.service === 'OMD-C' ? f.marketSession() : null;
          if (s !== null) return s;
        }
        return null;
      },
    };
    const cfg = options.config;
    for (const t of cfg.trading.filter((x) => x.role === 'trading')) {
      const dc = cfg.trading.find((x) => x.role === 'drop-copy' && x.service === t.service && x.protocol === t.protocol);
      this.#trading.push(new TradingRun(this.#ctx, cfg, t, dc));
    }
    for (const f of cfg.feeds) this.#feeds.push(new FeedRun(this.#ctx, f));
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle

  /** Starts every session (lookup → logon at the primary) and joins every feed. Resolves once all are started. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.#startedAt = this.#clock.now();
    for (const r of this.#trading) r.start();
    for (const f of this.#feeds) {
      await f.start();
    }
    this.#ticker = this.#clock.setInterval(() => this.#tick(), 50);
  }

  /** The conductor tells the probe the primary site was lost (a venue action; the probe also notices by itself). */
  siteLost(): void {
    for (const r of this.#trading) r.siteLost();
    for (const f of this.#feeds) f.siteLost();
  }

  /** The conductor tells the probe the services are being returned to the primary site. */
  failBack(): void {
    for (const r of this.#trading) r.failBack();
    for (const f of this.#feeds) f.failBack();
  }

  /** Trades the test orders now on every trading identity, at the site each is logged on to. */
  async tradeTestOrders(): Promise<void> {
    await Promise.all(this.#trading.map((r) => r.tradeTestOrders()));
  }

  /** Resolves when every identity has recovered at the backup site (or the wait ends); true if all did. */
  async whenRecovered(timeoutMs = this.#recoveryTimeoutMs): Promise<boolean> {
    return this.#waitUntil(
      () => this.#trading.every((r) => r.timing.recoveredAt !== null) && this.#feeds.every((f) => f.timing.recoveredAt !== null),
      timeoutMs,
    );
  }

  /**
   * Resolves when the probe has nothing more to wait for — every identity got through the rundown
   * (rundownDone) and no case is pending — or the wait ends; true if settled. Cases whose situation
   * never came (no gap on both lines) stay open until finish() closes them as not tested.
   */
  async whenSettled(timeoutMs: number): Promise<boolean> {
    return this.#waitUntil(() => this.rundownDone && !this.cases().some((c) => c.status === 'pending'), timeoutMs);
  }

  /** Resolves when `pred` holds, polled on the probe's clock, or after `timeoutMs`. */
  async #waitUntil(pred: () => boolean, timeoutMs: number): Promise<boolean> {
    const until = this.#clock.now() + timeoutMs;
    while (!pred()) {
      if (this.#clock.now() >= until || this.#closing) return pred();
      await sleepOn(this.#clock, 20);
    }
    return true;
  }

  /**
   * Ends the run: lets verifications under way conclude, closes the open steps (not tested when the venue never did what they need,
   * failed otherwise), logs out, leaves the feeds. Returns the report.
   */
  async finish(): Promise<ProbeReport> {
    // A verification under way (a drop copy still receiving the last copies, say) concludes first,
    // each within verifyTimeoutMs: closed now, its step would read "not observed".
    while (this.#checks.size > 0 && !this.#closing) await Promise.allSettled([...this.#checks]);
    if (!this.#closing) {
      this.#closing = true;
      this.#ticker?.cancel();
      for (const r of this.#trading) r.closeCases();
      for (const f of this.#feeds) f.closeCases();
      this.#emitProgress();
      await Promise.all(this.#trading.map((r) => r.stop()));
      for (const f of this.#feeds) await f.stop();
      await Promise.allSettled([...this.#background]);
      this.#finishedAt = this.#clock.now();
    }
    return this.report();
  }

  // -------------------------------------------------------------------------------------------
  // Views

  cases(): TestCase[] {
    return [...this.#trading.map((r) => r.book.cases), ...this.#feeds.map((f) => f.book.cases)].flat();
  }

  /**
   * Every identity got through the rundown: each return-to-primary case passed, failed, or cannot
   * be tested any more (a case it depends on failed). The CLI stops there.
   */
  get rundownDone(): boolean {
    return this.cases()
      .filter((c) => c.id === 'return-to-primary')
      .every((c) => c.status === 'passed' || c.status === 'failed' || (c.status === 'not tested' && c.reason !== undefined));
  }

  /** True when no case failed. */
  get passed(): boolean {
    return !this.cases().some((c) => c.status === 'failed');
  }

  timings(): IdentityTiming[] {
    return [...this.#trading.map((r) => ({ ...r.timing })), ...this.#feeds.map((f) => ({ ...f.timing }))];
  }

  progress(): ServiceProgress[] {
    return [...this.#trading.map((r) => r.progress()), ...this.#feeds.map((f) => f.progress())];
  }

  /** The client of a trading identity (tests and the integration look at its state). */
  tradingClient(compId: string): OcgClient | FixProbeClient | undefined {
    for (const r of this.#trading) {
      const c = r.client(compId);
      if (c) return c;
    }
    return undefined;
  }

  feedHandler(service: OmdService): FeedHandler | undefined {
    return this.#feeds.find((f) => f.service === service)?.handler;
  }

  report(): ProbeReport {
    const services: ServiceReport[] = [...this.#trading.map((r) => r.report()), ...this.#feeds.map((f) => f.report())];
    const iso = (ms: number) => (ms > 0 ? new Date(ms).toISOString() : null);
    return {
      session: this.config.session,
      firm: this.config.firm,
      name: this.config.name,
      startedAt: iso(this.#startedAt),
      finishedAt: iso(this.#finishedAt),
      faults: { ...this.faults },
      identities: [
        ...this.config.trading.map((t) => ({ service: t.service as Service, identity: t.compId, role: t.role })),
        ...this.config.feeds.map((f) => ({ service: f.service as Service, identity: f.rtsUsername, role: 'market-data' as const })),
      ],
      result: services.some((s) => s.result === 'failed') ? 'failed' : services.some((s) => s.result === 'passed') ? 'passed' : 'not tested',
      services,
      timings: this.timings(),
      events: this.events.slice(),
    };
  }

  /** Periodic look at the feeds: data from the backup, lines joined, live channels. */
  #tick(): void {
    for (const f of this.#feeds) f.tick();
    this.#emitProgress();
  }

  // -------------------------------------------------------------------------------------------
  // Evidence and progress

  #evidence(service: Service, site: Site, identity: string, kind: EvidenceKind, detail: Record<string, unknown>): void {
    const clean: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(detail)) if (v !== undefined) clean[k] = v;
    const e: EvidenceEvent = {
      id: `probe-${this.config.firm}-${this.#idPrefix}-${++this.#eventSeq}`,
      ts: new Date(this.#clock.now()).toISOString(),
      session: this.config.session,
      site,
      service,
      subscriber: this.config.firm,
      identity,
      kind,
      detail: clean,
      source: 'probe',
    };
    this.events.push(e);
    this.#o.onEvidence?.(e);
    this.emit('evidence', e);
  }

  #emitProgress(): void {
    for (const c of this.cases()) {
      if (this.#caseStatus.get(c) !== c.status) {
        this.#caseStatus.set(c, c.status);
        this.emit('case', c);
      }
    }
    if (this.listenerCount('progress') > 0) this.emit('progress', this.progress());
  }

  #track(p: Promise<unknown>): void {
    const q = p.catch(() => {}).finally(() => this.#background.delete(q));
    this.#background.add(q);
  }

  #trackCheck(p: Promise<unknown>): void {
    const q = p.catch(() => {}).finally(() => this.#checks.delete(q));
    this.#checks.add(q);
    this.#track(q);
  }
}

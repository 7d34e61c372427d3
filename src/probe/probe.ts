// The subscriber probe (issue 4, ARCHITECTURE.md "probe"): one subscriber's side of a practice
// session for each of its identities — an OCG-C trading session and its drop copy session through
// the lookup service (OTP-C, OTP-CSC), and an OMD-C / OMD-CC feed handler with retransmission and
// refresh. It follows the rundown (practice-session.md): logs on at the primary, trades resting
// test orders and cancels them, notices the loss, reconnects to the backup through the lookup
// service, recovers sequences and books, trades again and checks the return to the primary.
// Everything it sees becomes an EvidenceEvent (source 'probe') and a step of a test case
// (cases.ts). It reacts to what it observes; the conductor may also tell it about venue actions.
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { systemClock, type Clock, type TimerHandle } from '../wire/index.ts';
import {
  ExecType, OcgClient, OcgClientClosedError, OcgRequestRejectedError, Side,
  type ExecutionReport, type OcgClientEvent, type OcgClientFaults, type OcgClientTiming, type OcgService,
} from '../ocg/index.ts';
import {
  FeedHandler, SPREAD_TABLE_PART_A, moveTicks, roundDownToTick,
  type DrEvent, type FeedConfig, type FeedHandlerOptions, type GapEvent, type OmdProduct, type OmdService,
  type RecoveredEvent, type RefreshCompleteEvent, type SpreadTable,
} from '../omd/index.ts';
import { MAINLAND_SPREAD_TABLE } from '../venue/index.ts';
import type { ProbeFeedIdentity, ProbeTradingIdentity, SecurityDefinition, SubscriberProbeConfig } from '../venue/index.ts';
import type { EvidenceEvent, EvidenceKind, Service, Site } from '../evidence/index.ts';
import { CaseBook, type CaseId, type CaseStatus, type TestCase } from './cases.ts';
import { FIX_SKIPPED_STEPS, FIX_SKIP_REASON, FixProbeClient } from './fix-run.ts';

/** Deliberately faulty subscriber behaviour (the demo's faulty subscribers need exactly these). */
export interface ProbeFaults {
  /** OCG-C: after the loss keep dialling the old gateway pair, never ask the lookup service again. */
  neverRelookup?: boolean;
  /** OMD: act on no DR signal, keep the old site's (stale) books. */
  ignoreDisasterRecovery?: boolean;
  /** OCG-C: log on with sequence 1 after a loss, as if the session were new. */
  resetSequenceOnReconnect?: boolean;
  /** OCG-C: at the backup, after the test orders, enter one more and leave it in the book (the clean-up check finds it). */
  leaveOrderResting?: boolean;
}

export interface ProbeOptions {
  config: SubscriberProbeConfig;
  clock?: Clock;
  /** OcgClient timeScale: multiplies every OCG-C protocol wait (0.01 = 100× faster rehearsal). Default 1. */
  timeScale?: number;
  /** Explicit OCG-C timer values in ms (after scaling). */
  ocgTiming?: Partial<OcgClientTiming>;
  /** Feed handler tuning (arbitration timeout, RTS timeouts). */
  feed?: Pick<FeedHandlerOptions, 'arbitrationTimeoutMs' | 'rts'>;
  faults?: ProbeFaults;
  /**
   * The active site's books digest of a channel (MarketImage.digest(product)), when the probe runs
   * inside the venue's process or can ask it; without it the digest question is not tested.
   */
  venueDigest?: (service: OmdService, channelId: number) => string | undefined;
  /** Trade the test orders by itself on logon at the primary and at the backup. Default true. */
  autoTrade?: boolean;
  /** After the loss is noticed, how long recovery may take before the open steps fail. Default 120 s. */
  recoveryTimeoutMs?: number;
  /** How long an order, a cancel, the drop copy or the books digest may take to check out. Default 10 s. */
  verifyTimeoutMs?: number;
  /** Submitting BCAN Field of the test orders (OCG-C §5.2). Default `<brokerId>.1` style. */
  bcan?: string;
  /** Evidence sink (also emitted as 'evidence'). */
  onEvidence?: (e: EvidenceEvent) => void;
}

/** One service line of the live progress display. */
export interface ServiceProgress {
  service: Service;
  identity: string;
  /** What the identity is doing now, in a few words. */
  phase: string;
  passed: number;
  failed: number;
  pending: number;
  notTested: number;
  total: number;
  recoveryMs: number | null;
}

/** Loss noticed → recovered, per identity (ms of the probe's clock). */
export interface IdentityTiming {
  service: Service;
  identity: string;
  lossNoticedAt: number | null;
  recoveredAt: number | null;
  recoveryMs: number | null;
  /** Trading: first acknowledgement after the failover, from the loss. */
  firstAckAfterFailoverMs: number | null;
  returnedToPrimaryAt: number | null;
}

type TradingPhase = 'connecting' | 'primary' | 'lost' | 'backup' | 'lost-backup' | 'returned';

interface Session {
  client: OcgClient | FixProbeClient;
  compId: string;
  role: 'trading' | 'drop-copy';
  phase: TradingPhase;
  /** The next sequence number to send when the loss was noticed (a continuing logon uses it or higher). */
  nextToSendAtLoss: number;
  lookupsAfterLoss: number;
  connectFailuresAfterLoss: number;
  openGaps: Map<string, { from: number; to: number }>;
  execIds: Set<string>;
}

interface TradingRun {
  service: OcgService;
  book: CaseBook;
  trading: Session;
  dropCopy: Session | null;
  security: SecurityDefinition | undefined;
  timing: IdentityTiming;
  tradedAt: Set<'primary' | 'backup'>;
  recoveryTimer: TimerHandle | null;
  /** Client Order IDs of the probe's own test orders and cancels. */
  testOrderIds: Set<string>;
  /** The first acknowledgement after the failover, when it answers a test order (merged into its evidence). */
  firstAck: { clientOrderId: string; detail: Record<string, unknown> } | null;
}

interface FeedRun {
  service: OmdService;
  identity: string;
  book: CaseBook;
  handler: CountingFeedHandler;
  cfg: FeedConfig;
  /** Which site the feed comes from as the DR signals tell. */
  site: Site;
  /** 0 before any DR signal 1; 1 during/after the failover; 2 during/after the fail back. */
  drCycle: number;
  /** Every channel of the current DR cycle rebuilt from refresh. */
  cycleRebuilt: boolean;
  lastDrStatus: number;
  dr1At: number;
  dr2At: number;
  messagesAtDr2: number;
  refreshedAfterDr: Set<number>;
  startupRefreshed: Set<number>;
  openGaps: Map<string, { channelId: number; from: number; to: number }>;
  gapsSeen: number;
  timing: IdentityTiming;
  digestCheck: boolean;
  recoveryTimer: TimerHandle | null;
}

/** A FeedHandler that counts datagrams per line, so the probe can prove it joined both A and B. */
class CountingFeedHandler extends FeedHandler {
  readonly lines = { A: 0, B: 0 };
  override onDatagram(channelId: number, line: 'A' | 'B', buf: Uint8Array): void {
    this.lines[line]++;
    super.onDatagram(channelId, line, buf);
  }
}

/** Submitting BCAN Field of the probe's orders (§5.1 format: 6-character CE number '.' BCAN) unless configured. */
const DEFAULT_PROBE_BCAN = 'ABC123.2568';
const sleepOn = (clock: Clock, ms: number) => new Promise<void>((r) => clock.setTimeout(r, ms));

function p3ToText(p3: number): string {
  return (p3 / 1000).toFixed(3);
}

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
  readonly #trading: TradingRun[] = [];
  readonly #feeds: FeedRun[] = [];
  readonly #recoveryTimeoutMs: number;
  readonly #verifyTimeoutMs: number;
  readonly #autoTrade: boolean;
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
    this.#verifyTimeoutMs = options.verifyTimeoutMs ?? 10_000;
    this.#autoTrade = options.autoTrade ?? true;
    const now = () => this.#clock.now();
    const cfg = options.config;
    for (const t of cfg.trading.filter((x) => x.role === 'trading')) {
      const dc = cfg.trading.find((x) => x.role === 'drop-copy' && x.service === t.service && x.protocol === t.protocol);
      const book = new CaseBook(t.service, t.compId, now);
      const run: TradingRun = {
        service: t.service, book, trading: this.#session(t), dropCopy: dc ? this.#session(dc) : null,
        security: t.securities[0], tradedAt: new Set(), recoveryTimer: null, testOrderIds: new Set(), firstAck: null,
        timing: { service: t.service, identity: t.compId, lossNoticedAt: null, recoveredAt: null, recoveryMs: null, firstAckAfterFailoverMs: null, returnedToPrimaryAt: null },
      };
      if (!dc) {
        const why = `no drop copy identity configured for ${t.service}`;
        for (const [c, s] of [['connect-primary', 'logon-drop-copy'], ['reconnect-backup-via-lookup', 'relookup-drop-copy'], ['sequence-continuity', 'logon-backup-drop-copy'], ['drop-copy-recovered', 'copies-complete'], ['return-to-primary', 'logon-primary-drop-copy']] as const) book.skip(c, s, why);
      }
      if (t.protocol === 'FIX') for (const [c, s] of FIX_SKIPPED_STEPS) book.skip(c, s, FIX_SKIP_REASON);
      this.#trading.push(run);
      this.#wireSession(run, run.trading);
      if (run.dropCopy) this.#wireSession(run, run.dropCopy);
    }
    for (const f of cfg.feeds) this.#feeds.push(this.#feedRun(f));
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle

  /** Starts every session (lookup → logon at the primary) and joins every feed. Resolves once all are started. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.#startedAt = this.#clock.now();
    for (const r of this.#trading) {
      for (const s of [r.trading, r.dropCopy]) {
        if (!s) continue;
        // start() resolves at the first logon; progress comes through the events.
        this.#track(s.client.start().catch(() => {}));
      }
    }
    for (const f of this.#feeds) {
      await f.handler.start();
    }
    this.#ticker = this.#clock.setInterval(() => this.#tick(), 50);
  }

  /** The conductor tells the probe the primary site was lost (a venue action; the probe also notices by itself). */
  siteLost(): void {
    for (const r of this.#trading) r.book.log('reconnect-backup-via-lookup', 'primary-lost', 'venue: primary site lost (conductor)');
    for (const f of this.#feeds) f.book.log('dr-followed', 'dr-1', 'venue: primary site lost (conductor)');
  }

  /** The conductor tells the probe the services are being returned to the primary site. */
  failBack(): void {
    for (const r of this.#trading) r.book.log('return-to-primary', 'fail-back', 'venue: fail back to the primary site (conductor)');
    for (const f of this.#feeds) f.book.log('return-to-primary', 'fail-back', 'venue: fail back to the primary site (conductor)');
  }

  /** Trades the test orders now on every trading identity, at the site each is logged on to. */
  async tradeTestOrders(): Promise<void> {
    await Promise.all(this.#trading.map((r) => this.#tradeAt(r, r.trading.phase === 'backup' ? 'backup' : 'primary')));
  }

  /** Resolves when every identity has recovered at the backup site (or the wait ends); true if all did. */
  async whenRecovered(timeoutMs = this.#recoveryTimeoutMs): Promise<boolean> {
    return this.#waitUntil(() => this.#trading.every((r) => r.timing.recoveredAt !== null) && this.#feeds.every((f) => f.timing.recoveredAt !== null), timeoutMs);
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
      for (const r of this.#trading) this.#closeTrading(r);
      for (const f of this.#feeds) this.#closeFeed(f);
      this.#emitProgress();
      // Log out (a venue that no longer answers must not hold the probe for the 60 s logout wait).
      const bounded = (p: Promise<unknown>) => Promise.race([p, new Promise((r) => setTimeout(r, 3_000).unref())]);
      await Promise.all(this.#trading.flatMap((r) => {
        r.recoveryTimer?.cancel();
        return [r.trading, r.dropCopy].filter((x) => x !== null).map((x) => bounded(x.client.close('probe finished')));
      }));
      for (const f of this.#feeds) {
        f.recoveryTimer?.cancel();
        await f.handler.stop();
      }
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
    return this.cases().filter((c) => c.id === 'return-to-primary').every((c) => c.status === 'passed' || c.status === 'failed' || (c.status === 'not tested' && c.reason !== undefined));
  }

  /** True when no case failed. */
  get passed(): boolean {
    return !this.cases().some((c) => c.status === 'failed');
  }

  timings(): IdentityTiming[] {
    return [...this.#trading.map((r) => ({ ...r.timing })), ...this.#feeds.map((f) => ({ ...f.timing }))];
  }

  progress(): ServiceProgress[] {
    const line = (service: Service, identity: string, book: CaseBook, phase: string, recoveryMs: number | null): ServiceProgress => {
      const count = (s: CaseStatus) => book.cases.filter((c) => c.status === s).length;
      return { service, identity, phase, passed: count('passed'), failed: count('failed'), pending: count('pending'), notTested: count('not tested'), total: book.cases.length, recoveryMs };
    };
    return [
      ...this.#trading.map((r) => line(r.service, r.trading.compId, r.book, this.#tradingPhaseText(r), r.timing.recoveryMs)),
      ...this.#feeds.map((f) => line(f.service, f.identity, f.book, this.#feedPhaseText(f), f.timing.recoveryMs)),
    ];
  }

  /** The client of a trading identity (tests and the integration look at its state). */
  tradingClient(compId: string): OcgClient | FixProbeClient | undefined {
    for (const r of this.#trading) for (const s of [r.trading, r.dropCopy]) if (s?.compId === compId) return s.client;
    return undefined;
  }

  feedHandler(service: OmdService): FeedHandler | undefined {
    return this.#feeds.find((f) => f.service === service)?.handler;
  }

  report(): ProbeReport {
    const services: ServiceReport[] = [
      ...this.#trading.map((r) => ({ service: r.service, identity: r.trading.compId, ...(r.dropCopy ? { dropCopy: r.dropCopy.compId } : {}), result: overall(r.book.cases), recoveryMs: r.timing.recoveryMs, cases: structuredClone(r.book.cases) })),
      ...this.#feeds.map((f) => ({ service: f.service, identity: f.identity, result: overall(f.book.cases), recoveryMs: f.timing.recoveryMs, cases: structuredClone(f.book.cases) })),
    ];
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

  // -------------------------------------------------------------------------------------------
  // Trading identities

  #session(t: ProbeTradingIdentity): Session {
    const o = this.#o;
    const faults: OcgClientFaults = {};
    if (this.faults.neverRelookup) faults.neverRelookup = true;
    if (this.faults.resetSequenceOnReconnect) faults.resetSequenceOnReconnect = true;
    if (t.protocol === 'FIX') {
      const client = new FixProbeClient({
        compId: t.compId, password: this.config.password, publicKeyPem: this.config.publicKeyPem, brokerId: this.config.brokerId,
        addresses: t.addresses ?? [], localAddress: this.config.localAddress, clock: this.#clock,
        ...(faults.resetSequenceOnReconnect === true ? { faults: { resetSequenceOnReconnect: true } } : {}),
        ...(o.timeScale !== undefined ? { timeScale: o.timeScale } : {}),
      });
      return { client, compId: t.compId, role: t.role, phase: 'connecting', nextToSendAtLoss: 0, lookupsAfterLoss: 0, connectFailuresAfterLoss: 0, openGaps: new Map(), execIds: new Set() };
    }
    const client = new OcgClient({
      compId: t.compId, password: this.config.password, publicKeyPem: this.config.publicKeyPem, lookup: t.lookup,
      brokerId: this.config.brokerId, bcan: o.bcan ?? DEFAULT_PROBE_BCAN, service: t.service,
      clock: this.#clock, faults, localAddress: this.config.localAddress,
      ...(o.timeScale !== undefined ? { timeScale: o.timeScale } : {}),
      ...(o.ocgTiming ? { timing: o.ocgTiming } : {}),
    });
    return { client, compId: t.compId, role: t.role, phase: 'connecting', nextToSendAtLoss: 0, lookupsAfterLoss: 0, connectFailuresAfterLoss: 0, openGaps: new Map(), execIds: new Set() };
  }

  #wireSession(run: TradingRun, s: Session): void {
    const dc = s.role === 'drop-copy';
    const b = run.book;
    const svc = run.service;
    s.client.on('event', (e: OcgClientEvent) => {
      const d = e.detail;
      const site = (d['site'] as Site | undefined) ?? s.client.site ?? 'primary';
      switch (e.kind) {
        case 'lookup-answered':
          if (s.phase === 'connecting' && site === 'primary' && !dc) b.pass('connect-primary', 'lookup-primary', `${String(d['endpointName'])} answered: gateways ${String(d['primary'])} / ${String(d['secondary'])}`);
          if (s.phase === 'lost' || s.phase === 'lost-backup') s.lookupsAfterLoss++;
          if (s.phase === 'lost') {
            const step = dc ? 'relookup-drop-copy' : 'relookup-trading';
            if (site === 'backup') {
              if (dc) b.log('reconnect-backup-via-lookup', step, `${String(d['endpointName'])} answered after the loss: ${String(d['primary'])}`);
              else b.pass('reconnect-backup-via-lookup', step, `${String(d['endpointName'])} (backup site) answered after the loss: gateways ${String(d['primary'])} / ${String(d['secondary'])}`);
            } else b.log('reconnect-backup-via-lookup', step, `${String(d['endpointName'])} (primary site) answered after the loss`);
          }
          this.#evidence(svc, site, s.compId, 'lookup', { endpoint: d['endpoint'], endpointName: d['endpointName'], gateways: [d['primary'], d['secondary']], attempts: d['attempts'] });
          break;
        case 'lookup-failed':
          if (s.phase === 'lost' || s.phase === 'lost-backup') s.lookupsAfterLoss++;
          if (s.phase === 'lost') b.log('reconnect-backup-via-lookup', dc ? 'relookup-drop-copy' : 'relookup-trading', `lookup ${String(d['endpointName'])} failed: ${String(d['reason'])}`);
          break;
        case 'connected':
          if (s.phase === 'lost' && site === 'backup') {
            if (dc) b.pass('reconnect-backup-via-lookup', 'relookup-drop-copy', `connected to the backup gateway ${String(d['gateway'])}`);
            else b.pass('reconnect-backup-via-lookup', 'connect-backup-trading', `connected to the backup gateway ${String(d['gateway'])} (${String(d['which'])})`);
          }
          break;
        case 'connect-failed':
          if (s.phase === 'lost') {
            s.connectFailuresAfterLoss++;
            b.log('reconnect-backup-via-lookup', dc ? 'relookup-drop-copy' : 'connect-backup-trading', `connection to ${String(d['gateway'])} (${String(d['site'])}) failed: ${String(d['reason'])}`);
          }
          break;
        case 'logon-accepted':
          this.#onLogon(run, s, site, d);
          break;
        case 'logon-rejected':
          this.#evidence(svc, site, s.compId, 'logon-rejected', { status: d['status'], text: d['text'], gateway: d['gateway'] });
          if (s.phase === 'lost' && site === 'backup') {
            const step = dc ? 'logon-backup-drop-copy' : 'logon-backup-trading';
            const seq = s.client.journal.nextToSend - 1;
            if (s.nextToSendAtLoss > 1 && seq < s.nextToSendAtLoss) {
              b.fail('sequence-continuity', step, `logon refused at the backup site (status ${String(d['status'])}${d['text'] ? `: ${String(d['text'])}` : ''}): the session logged on with sequence ${seq} (reset), ${s.nextToSendAtLoss} or above expected`);
              this.#evidence(svc, site, s.compId, 'failover-failed', { case: 'sequence-continuity', reason: 'sequence reset on reconnect', logonSeq: seq, expected: s.nextToSendAtLoss });
            } else b.log('sequence-continuity', step, `logon refused at the backup site: status ${String(d['status'])} ${String(d['text'] ?? '')}`);
          }
          break;
        case 'gap-detected': {
          const from = Number(d['expected']), to = Number(d['received']) - 1;
          s.openGaps.set(`${from}`, { from, to });
          this.#evidence(svc, site, s.compId, 'gap', { from, to, gateway: d['gateway'] });
          if (s.phase === 'backup' || s.phase === 'lost') b.log('sequence-continuity', 'gaps-recovered', `${dc ? 'drop copy' : 'trading'}: gap ${from}–${to} detected`);
          break;
        }
        case 'gap-recovered': {
          const from = Number(d['from']), to = Number(d['to']);
          for (const [k, g] of s.openGaps) if (g.from >= from && g.from <= to) s.openGaps.delete(k);
          this.#evidence(svc, site, s.compId, 'gap-recovered', { from, to, via: 'resend', gateway: d['gateway'] });
          if (s.phase === 'backup' || s.phase === 'lost') b.log('sequence-continuity', 'gaps-recovered', `${dc ? 'drop copy' : 'trading'}: gap ${from}–${to} recovered by resend`);
          break;
        }
        case 'disconnected':
          if (d['byClient'] === true) break;
          this.#onLoss(run, s, site, String(d['reason']));
          break;
        case 'failover-followed':
          this.#evidence(svc, site, s.compId, 'failover-followed', { from: d['from'], to: d['to'], fromSite: d['fromSite'], toSite: d['toSite'], ms: d['ms'] });
          break;
        case 'first-ack-after-failover':
          if (!dc && s.phase === 'backup' && run.timing.firstAckAfterFailoverMs === null) run.timing.firstAckAfterFailoverMs = Number(d['ms']);
          {
            const first = { firstAfterFailover: true, msSinceLoss: d['ms'], msSinceLogon: d['sinceLogonMs'] };
            // One evidence event per acknowledgement: a test order's ack carries the mark itself.
            if (run.testOrderIds.has(String(d['clientOrderId']))) run.firstAck = { clientOrderId: String(d['clientOrderId']), detail: first };
            else this.#evidence(svc, site, s.compId, 'ack', { ...first, clientOrderId: d['clientOrderId'], execType: d['execType'] });
          }
          break;
        default:
          break;
      }
      this.#emitProgress();
    });
    s.client.on('execution-report', (er: ExecutionReport) => {
      if (er.executionId) s.execIds.add(er.executionId);
    });
    s.client.on('stopped', (e: { reason: string }) => {
      if (this.#closing) return;
      const step = s.phase === 'connecting' ? (dc ? 'logon-drop-copy' : 'logon-trading') : null;
      if (step) b.fail('connect-primary', step, `the session gave up: ${e.reason}`);
    });
  }

  #onLogon(run: TradingRun, s: Session, site: Site, d: Record<string, unknown>): void {
    const b = run.book;
    const dc = s.role === 'drop-copy';
    const seq = Number(d['seqNum']);
    this.#evidence(run.service, site, s.compId, 'logon', { gateway: d['gateway'], seqNum: seq, nextExpected: d['nextExpected'], ourNextExpected: d['ourNextExpected'] });
    if (site === 'primary' && (s.phase === 'connecting' || s.phase === 'lost')) {
      if (s.phase === 'lost') b.log('reconnect-backup-via-lookup', 'primary-lost', `logged on at the primary site again (${String(d['gateway'])}): the primary came back`);
      const first = s.phase === 'connecting';
      s.phase = 'primary';
      if (first) b.pass('connect-primary', dc ? 'logon-drop-copy' : 'logon-trading', `logged on at ${String(d['gateway'])} with sequence ${seq}`);
      if (!dc && this.#autoTrade && first) this.#track(this.#tradeAt(run, 'primary'));
      return;
    }
    if (site === 'backup' && s.phase === 'lost') {
      s.phase = 'backup';
      const step = dc ? 'logon-backup-drop-copy' : 'logon-backup-trading';
      if (s.nextToSendAtLoss > 1 && seq < s.nextToSendAtLoss) {
        b.fail('sequence-continuity', step, `logon at the backup site with sequence ${seq}: the session reset its numbers, ${s.nextToSendAtLoss} or above expected`);
      } else {
        b.pass('sequence-continuity', step, `logon accepted at ${String(d['gateway'])} with sequence ${seq} (continuing from ${s.nextToSendAtLoss - 1}); gateway expects ${String(d['nextExpected'])}`);
      }
      const other = dc ? run.trading : run.dropCopy;
      if (other === null || other.phase === 'backup') this.#recovered(run);
      if (!dc && this.#autoTrade) this.#track(this.#tradeAt(run, 'backup'));
      return;
    }
    if (site === 'primary' && (s.phase === 'lost-backup' || s.phase === 'backup')) {
      s.phase = 'returned';
      b.pass('return-to-primary', dc ? 'logon-primary-drop-copy' : 'logon-primary-trading', `logged on at the primary site again (${String(d['gateway'])}) with sequence ${seq}`);
      if (!dc) run.timing.returnedToPrimaryAt = this.#clock.now();
      return;
    }
    if (site === 'backup' && s.phase === 'lost-backup') {
      s.phase = 'backup';
      b.log('return-to-primary', 'fail-back', `logged on at the backup site again (${String(d['gateway'])})`);
    }
  }

  #onLoss(run: TradingRun, s: Session, site: Site, reason: string): void {
    const b = run.book;
    this.#evidence(run.service, site, s.compId, 'disconnect', { reason, noticedBy: 'probe' });
    if (s.phase === 'primary') {
      s.phase = 'lost';
      s.nextToSendAtLoss = s.client.journal.nextToSend;
      s.lookupsAfterLoss = 0;
      s.connectFailuresAfterLoss = 0;
      b.pass('reconnect-backup-via-lookup', 'primary-lost', `${s.role === 'drop-copy' ? 'drop copy' : 'trading'} session lost the primary site: ${reason}`);
      if (run.timing.lossNoticedAt === null) {
        run.timing.lossNoticedAt = this.#clock.now();
        run.recoveryTimer = this.#clock.setTimeout(() => this.#recoveryTimedOut(run), this.#recoveryTimeoutMs);
      }
    } else if (s.phase === 'backup') {
      s.phase = 'lost-backup';
      b.pass('return-to-primary', 'fail-back', `${s.role === 'drop-copy' ? 'drop copy' : 'trading'} session at the backup site ended: ${reason}`);
    }
  }

  #recovered(run: TradingRun): void {
    if (run.timing.recoveredAt !== null || run.timing.lossNoticedAt === null) return;
    run.recoveryTimer?.cancel();
    run.recoveryTimer = null;
    run.timing.recoveredAt = this.#clock.now();
    run.timing.recoveryMs = run.timing.recoveredAt - run.timing.lossNoticedAt;
  }

  /** Recovery took too long: the open reconnect and sequence steps fail, with what the session did instead. */
  #recoveryTimedOut(run: TradingRun): void {
    run.recoveryTimer = null;
    const b = run.book;
    const secs = `${(this.#recoveryTimeoutMs / 1000).toFixed(1)} s`;
    for (const s of [run.trading, run.dropCopy]) {
      if (!s || s.phase !== 'lost') continue;
      const dc = s.role === 'drop-copy';
      const who = dc ? 'drop copy' : 'trading';
      const what = s.lookupsAfterLoss === 0
        ? `never asked the lookup service again after the loss: kept dialling the old gateways (${s.connectFailuresAfterLoss} failed connection attempts in ${secs})`
        : `asked the lookup service ${s.lookupsAfterLoss} time(s) after the loss but did not reach the backup site in ${secs}`;
      const relookup = dc ? 'relookup-drop-copy' : 'relookup-trading';
      if (!b.isDone('reconnect-backup-via-lookup', relookup)) b.fail('reconnect-backup-via-lookup', relookup, `${who} session ${what}`);
      else if (!dc && !b.isDone('reconnect-backup-via-lookup', 'connect-backup-trading')) b.fail('reconnect-backup-via-lookup', 'connect-backup-trading', `trading session did not connect to the backup gateway in ${secs}`);
      else {
        const step = dc ? 'logon-backup-drop-copy' : 'logon-backup-trading';
        b.fail('sequence-continuity', step, `${who} session not logged on at the backup site ${secs} after the loss`);
      }
      this.#evidence(run.service, 'backup', s.compId, 'failover-failed', { afterMs: this.#recoveryTimeoutMs, lookupsAfterLoss: s.lookupsAfterLoss, connectFailures: s.connectFailuresAfterLoss });
    }
    this.#emitProgress();
  }

  /** The leaveOrderResting fault: a buy far below the market, acknowledged and never cancelled. */
  async #leaveResting(run: TradingRun, site: 'primary' | 'backup'): Promise<void> {
    const sec = run.security;
    if (this.#closing || sec === undefined || !sec.referencePrice) return;
    const c = run.trading.client;
    const table: SpreadTable = sec.spreadTable ?? (run.service === 'OTP-CSC' ? MAINLAND_SPREAD_TABLE : SPREAD_TABLE_PART_A);
    const price = roundDownToTick(table, Math.floor(sec.referencePrice * 0.6));
    const clientOrderId = c.nextClientOrderId();
    run.testOrderIds.add(clientOrderId);
    const r = await this.#request(c.newOrder({ clientOrderId, securityId: sec.securityId, side: Side.Buy, quantity: sec.lotSize, price: p3ToText(price) }));
    if (typeof r === 'string' || r.execType !== ExecType.New) return;
    this.#evidence(run.service, c.site ?? site, run.trading.compId, 'ack', { clientOrderId: r.clientOrderId, orderId: r.orderId, execType: r.execType, side: Side.Buy, price: p3ToText(price), test: true, leftResting: true });
  }

  /** Resting buy far below and sell far above the market, then cancel both: no test trade, nothing left in the book. */
  async #tradeAt(run: TradingRun, site: 'primary' | 'backup'): Promise<void> {
    if (run.tradedAt.has(site) || this.#closing) return;
    run.tradedAt.add(site);
    const caseId: CaseId = site === 'primary' ? 'order-cancel-primary' : 'order-cancel-backup';
    const b = run.book;
    const c = run.trading.client;
    const sec = run.security;
    if (sec === undefined || !sec.referencePrice) {
      b.fail(caseId, 'buy-acked', `no security with a reference price configured for ${run.service}`);
      return;
    }
    const table: SpreadTable = sec.spreadTable ?? (run.service === 'OTP-CSC' ? MAINLAND_SPREAD_TABLE : SPREAD_TABLE_PART_A);
    // Within the price band (1/9 … 9× the reference) but far from any real market: they rest.
    const low = roundDownToTick(table, Math.floor(sec.referencePrice * 0.6));
    const high = moveTicks(table, roundDownToTick(table, Math.floor(sec.referencePrice * 1.4)), 1);
    const orders: { step: 'buy-acked' | 'sell-acked'; side: number; price: number; id?: string }[] = [
      { step: 'buy-acked', side: Side.Buy, price: low },
      { step: 'sell-acked', side: Side.Sell, price: high },
    ];
    for (const o of orders) {
      b.log(caseId, o.step, `${o.side === Side.Buy ? 'buy' : 'sell'} ${sec.lotSize} ${sec.securityId} @ ${p3ToText(o.price)} sent`);
      const clientOrderId = c.nextClientOrderId();
      run.testOrderIds.add(clientOrderId);
      const r = await this.#request(c.newOrder({ clientOrderId, securityId: sec.securityId, side: o.side, quantity: sec.lotSize, price: p3ToText(o.price) }));
      if (r === 'closed') return;
      if (typeof r === 'string') { b.fail(caseId, o.step, r); return; }
      if (r.execType !== ExecType.New) {
        b.fail(caseId, o.step, `answered with Execution Report ${r.execType ?? '?'} (reject code ${String(r.orderRejectCode ?? '-')}: ${r.reason ?? ''})`);
        return;
      }
      o.id = r.clientOrderId;
      b.pass(caseId, o.step, `acknowledged at the ${c.site ?? site} site: order ${r.orderId ?? '?'} (${r.clientOrderId})`);
      this.#evidence(run.service, c.site ?? site, run.trading.compId, 'ack', { clientOrderId: r.clientOrderId, orderId: r.orderId, execType: r.execType, side: o.side, price: p3ToText(o.price), test: true, ...this.#firstAckMark(run, r.clientOrderId) });
    }
    const cancelled: string[] = [];
    for (const o of orders) {
      const cancelId = c.nextClientOrderId();
      run.testOrderIds.add(cancelId);
      const r = await this.#request(c.cancel(o.id!, { clientOrderId: cancelId }));
      if (r === 'closed') return;
      if (typeof r === 'string') { b.fail(caseId, 'cancels-acked', `cancel of ${o.id}: ${r}`); return; }
      if (r.execType !== ExecType.Cancel) {
        b.fail(caseId, 'cancels-acked', `cancel of ${o.id} answered with Execution Report ${r.execType ?? '?'} (${r.reason ?? ''})`);
        return;
      }
      cancelled.push(o.id!);
      this.#evidence(run.service, c.site ?? site, run.trading.compId, 'cancel', { clientOrderId: r.clientOrderId, originalClientOrderId: o.id, execType: r.execType, test: true, ...this.#firstAckMark(run, r.clientOrderId) });
    }
    b.pass(caseId, 'cancels-acked', `cancelled ${cancelled.join(', ')} at the ${c.site ?? site} site`);
    if (site === 'backup') {
      this.#checkGaps(run);
      this.#trackCheck(this.#checkDropCopy(run));
      // Journaled at the backup, the order is at the primary again after the fail back.
      if (this.faults.leaveOrderResting) await this.#leaveResting(run, site);
    }
  }

  #firstAckMark(run: TradingRun, clientOrderId: string | undefined): Record<string, unknown> {
    const f = run.firstAck;
    if (f === null || f.clientOrderId !== clientOrderId) return {};
    run.firstAck = null;
    return f.detail;
  }

  /** A request's answer, or why there is none ('closed' when the probe is finishing). */
  async #request(p: Promise<ExecutionReport>): Promise<ExecutionReport | string | 'closed'> {
    let timer: TimerHandle | null = null;
    const timeout = new Promise<string>((r) => { timer = this.#clock.setTimeout(() => r(`no answer within ${this.#verifyTimeoutMs} ms`), this.#verifyTimeoutMs); });
    try {
      return await Promise.race([p, timeout]);
    } catch (e) {
      if (e instanceof OcgClientClosedError || this.#closing) return 'closed';
      if (e instanceof OcgRequestRejectedError) return e.message;
      return (e as Error).message;
    } finally {
      (timer as TimerHandle | null)?.cancel();
    }
  }

  #checkGaps(run: TradingRun): void {
    const open = [run.trading, run.dropCopy].flatMap((s) => (s ? [...s.openGaps.values()].map((g) => `${s.role} ${g.from}–${g.to}`) : []));
    if (open.length) run.book.fail('sequence-continuity', 'gaps-recovered', `gap(s) never recovered: ${open.join(', ')}`);
    else run.book.pass('sequence-continuity', 'gaps-recovered', 'no sequence gap left open');
  }

  /** Question: does the drop copy hold every Execution Report of the trading session? */
  async #checkDropCopy(run: TradingRun): Promise<void> {
    const dc = run.dropCopy;
    if (dc === null) return;
    const missing = () => [...run.trading.execIds].filter((id) => !dc.execIds.has(id));
    await this.#waitUntil(() => missing().length === 0, this.#verifyTimeoutMs);
    const m = missing();
    const answer = `${run.trading.execIds.size - m.length} of ${run.trading.execIds.size}`;
    if (m.length === 0) run.book.pass('drop-copy-recovered', 'copies-complete', `drop copy ${dc.compId} holds all ${run.trading.execIds.size} Execution Reports of ${run.trading.compId}`, answer);
    else run.book.fail('drop-copy-recovered', 'copies-complete', `drop copy ${dc.compId} misses ${m.length} Execution Report(s): ${m.slice(0, 5).join(', ')}`, answer);
    this.#emitProgress();
  }

  #closeTrading(run: TradingRun): void {
    run.book.close((c, s) => {
      const never = (why: string) => ({ skip: why });
      if (c.id === 'reconnect-backup-via-lookup' && !run.book.isDone(c.id, 'primary-lost')) return never('the primary site was not lost during the run');
      if (c.id === 'return-to-primary' && !run.book.isDone(c.id, 'fail-back')) return never('no fail back during the run');
      if (c.id === 'drop-copy-recovered' && s.id === 'copies-complete' && run.dropCopy !== null && run.book.isDone('order-cancel-backup', 'cancels-acked') === false) {
        // No trading at the backup (autoTrade off): still compare what the drop copy holds.
        const dc = run.dropCopy;
        const missing = [...run.trading.execIds].filter((id) => !dc.execIds.has(id));
        if (run.trading.phase === 'connecting' || run.trading.execIds.size === 0) return never('no Execution Report to compare');
        if (missing.length) return { fail: `drop copy ${dc.compId} misses ${missing.length} Execution Report(s)` };
        run.book.pass(c.id, s.id, `drop copy ${dc.compId} holds all ${run.trading.execIds.size} Execution Reports`, `${run.trading.execIds.size} of ${run.trading.execIds.size}`);
        return never('passed at the close'); // no-op: the step has just passed
      }
      if (c.id === 'sequence-continuity' && s.id === 'gaps-recovered') {
        const open = [run.trading, run.dropCopy].flatMap((x) => (x ? [...x.openGaps.values()] : []));
        return open.length ? { fail: `${open.length} gap(s) never recovered` } : never('no gap checked');
      }
      return { fail: `not observed before the end of the run (session ${this.#tradingPhaseText(run)})` };
    });
  }

  #tradingPhaseText(run: TradingRun): string {
    const p = run.trading.phase;
    const c = run.trading.client;
    switch (p) {
      case 'connecting': return `connecting (${c.state})`;
      case 'primary': return 'logged on at the primary site';
      case 'lost': return `primary lost, ${c.state}`;
      case 'backup': return 'logged on at the backup site';
      case 'lost-backup': return `backup session ended, ${c.state}`;
      case 'returned': return 'back at the primary site';
    }
  }

  // -------------------------------------------------------------------------------------------
  // Feeds

  #feedRun(f: ProbeFeedIdentity): FeedRun {
    const handler = new CountingFeedHandler(f.feed, {
      rtsUsername: f.rtsUsername, clock: this.#clock,
      ...(this.#o.feed?.arbitrationTimeoutMs !== undefined ? { arbitrationTimeoutMs: this.#o.feed.arbitrationTimeoutMs } : {}),
      ...(this.#o.feed?.rts ? { rts: this.#o.feed.rts } : {}),
      ...(this.faults.ignoreDisasterRecovery ? { ignoreDisasterRecovery: true } : {}),
    });
    const run: FeedRun = {
      service: f.service, identity: f.rtsUsername, book: new CaseBook(f.service, f.rtsUsername, () => this.#clock.now()), handler, cfg: f.feed,
      site: 'primary', drCycle: 0, cycleRebuilt: false, lastDrStatus: 0, dr1At: 0, dr2At: 0, messagesAtDr2: 0, refreshedAfterDr: new Set(), startupRefreshed: new Set(),
      openGaps: new Map(), gapsSeen: 0, digestCheck: false, recoveryTimer: null,
      timing: { service: f.service, identity: f.rtsUsername, lossNoticedAt: null, recoveredAt: null, recoveryMs: null, firstAckAfterFailoverMs: null, returnedToPrimaryAt: null },
    };
    const b = run.book;
    handler.on('gap', (e: GapEvent) => {
      run.gapsSeen++;
      run.openGaps.set(`${e.channelId}:${e.range.from}`, { channelId: e.channelId, from: e.range.from, to: e.range.to });
      b.pass('gap-recovered', 'gap-seen', `gap on both lines: channel ${e.channelId}, ${e.range.from}–${e.range.to}`);
      b.reopen('gap-recovered', 'gap-closed', `new gap: channel ${e.channelId}, ${e.range.from}–${e.range.to}`);
      b.log('gap-recovered', 'gap-closed', `waiting for channel ${e.channelId} ${e.range.from}–${e.range.to}`);
      this.#evidence(f.service, run.site, run.identity, 'gap', { channel: e.channelId, from: e.range.from, to: e.range.to });
      this.#emitProgress();
    });
    handler.on('recovered', (e: RecoveredEvent) => {
      this.#closeGaps(run, e.channelId, e.range.from, e.range.to, e.via);
      this.#evidence(f.service, run.site, run.identity, 'gap-recovered', { channel: e.channelId, from: e.range.from, to: e.range.to, via: e.via, ms: e.ms });
      this.#emitProgress();
    });
    handler.on('refresh-complete', (e: RefreshCompleteEvent) => this.#onRefresh(run, e));
    handler.on('dr', (e: DrEvent) => this.#onDr(run, e));
    handler.on('rts-logon', (e: { endpoint: { host: string; port: number; site: Site }; status: unknown }) => {
      this.#evidence(f.service, e.endpoint.site, run.identity, 'logon', { rts: `${e.endpoint.host}:${e.endpoint.port}`, status: e.status });
    });
    return run;
  }

  #closeGaps(run: FeedRun, channelId: number, from: number, to: number, via: string): void {
    for (const [k, g] of run.openGaps) {
      if (g.channelId === channelId && g.from >= from && g.to <= to) {
        run.openGaps.delete(k);
        run.book.log('gap-recovered', 'gap-closed', `channel ${channelId} ${g.from}–${g.to} recovered by ${via}`);
      }
    }
    this.#gapsAllClosed(run);
  }

  /** Passed while no gap is open; a new gap reopens the step (cases.ts reopen). */
  #gapsAllClosed(run: FeedRun): void {
    if (run.gapsSeen === 0 || run.openGaps.size > 0) return;
    const c = run.handler.counters;
    run.book.pass('gap-recovered', 'gap-closed', `all ${run.gapsSeen} gap(s) recovered so far (${c.recoveredByRts} by retransmission, ${c.recoveredByRefresh} by refresh)`);
  }

  #onRefresh(run: FeedRun, e: RefreshCompleteEvent): void {
    const b = run.book;
    this.#evidence(run.service, run.site, run.identity, 'refresh-used', { channel: e.channelId, reason: e.reason, lastSeqNum: e.lastSeqNum, messages: e.messages, ms: e.ms });
    // A refresh snapshot at LastSeqNum supersedes every gap at or below it on that channel (OMD-C 4.4).
    for (const [k, g] of run.openGaps) {
      if (g.channelId === e.channelId && g.to <= e.lastSeqNum) {
        run.openGaps.delete(k);
        b.log('gap-recovered', 'gap-closed', `channel ${e.channelId} ${g.from}–${g.to} superseded by the ${e.reason} refresh at ${e.lastSeqNum}`);
      }
    }
    this.#gapsAllClosed(run);
    const channels = run.cfg.channels.length;
    if (run.drCycle === 0) {
      run.startupRefreshed.add(e.channelId);
      b.log('feed-joined-primary', 'books-built', `channel ${e.channelId}: ${e.reason} refresh at ${e.lastSeqNum} (${e.messages} messages)`);
      if (run.startupRefreshed.size === channels) b.pass('feed-joined-primary', 'books-built', `books built from refresh on all ${channels} channel(s)`);
    } else if (!this.faults.ignoreDisasterRecovery && run.dr1At > 0) {
      run.refreshedAfterDr.add(e.channelId);
      const caseId: CaseId = run.drCycle === 1 ? 'book-rebuilt' : 'return-to-primary';
      const step = run.drCycle === 1 ? 'refreshed' : 'dr-completed';
      b.log(caseId, step, `channel ${e.channelId}: ${e.reason} refresh at ${e.lastSeqNum} (${e.messages} messages)`);
      if (run.refreshedAfterDr.size === channels && run.handler.drState === 'DR_COMPLETED') this.#rebuilt(run);
    }
    this.#emitProgress();
  }

  /** Every channel refreshed after DR signal 2: recovered; then ask the books digest question. */
  #rebuilt(run: FeedRun): void {
    const b = run.book;
    run.cycleRebuilt = true;
    if (run.drCycle === 1) {
      if (b.isDone('book-rebuilt', 'refreshed')) return;
      b.pass('book-rebuilt', 'refreshed', `books cleared on DR signal 1 and rebuilt from the backup site's refresh on all ${run.cfg.channels.length} channel(s)`);
      if (run.timing.lossNoticedAt !== null && run.timing.recoveredAt === null) {
        run.timing.recoveredAt = this.#clock.now();
        run.timing.recoveryMs = run.timing.recoveredAt - run.timing.lossNoticedAt;
        run.recoveryTimer?.cancel();
        run.recoveryTimer = null;
      }
      this.#evidence(run.service, 'backup', run.identity, 'failover-followed', { ms: run.timing.recoveryMs, channels: run.cfg.channels.map((c) => c.channelId) });
      this.#trackCheck(this.#checkDigest(run));
    } else if (run.drCycle >= 2 && !b.isDone('return-to-primary', 'dr-completed')) {
      b.pass('return-to-primary', 'dr-completed', `DR completed at the primary site and books rebuilt on all ${run.cfg.channels.length} channel(s)`);
      run.timing.returnedToPrimaryAt = this.#clock.now();
    }
  }

  /** Question: the books digest of every channel, equal to the active site's? */
  async #checkDigest(run: FeedRun): Promise<void> {
    const b = run.book;
    const hook = this.#o.venueDigest;
    if (!hook) {
      b.skip('book-rebuilt', 'digest', "the venue's books digest is not available to this probe");
      return;
    }
    const products = new Map<number, OmdProduct>(run.cfg.channels.map((c) => [c.channelId, c.product]));
    const equal = new Map<number, string>();
    const last = new Map<number, { ours: string; venue: string | undefined }>();
    await this.#waitUntil(() => {
      for (const [ch, product] of products) {
        if (equal.has(ch)) continue;
        const ours = run.handler.image(ch).digest(product);
        const venue = hook(run.service, ch);
        last.set(ch, { ours, venue });
        if (venue !== undefined && ours === venue && !run.handler.status(ch).stale) equal.set(ch, ours);
      }
      return equal.size === products.size;
    }, this.#verifyTimeoutMs);
    const answer = [...products.keys()].map((ch) => `${ch}:${(equal.get(ch) ?? last.get(ch)?.ours ?? '').slice(0, 12)}`).join(' ');
    if (equal.size === products.size) {
      b.pass('book-rebuilt', 'digest', `books digest equal to the venue's on every channel`, answer);
      this.#evidence(run.service, run.site, run.identity, 'book-verified', { equal: true, digests: Object.fromEntries(equal) });
    } else {
      const diff = [...products.keys()].filter((ch) => !equal.has(ch)).map((ch) => `channel ${ch}: ${last.get(ch)?.ours.slice(0, 12)}… ≠ venue ${last.get(ch)?.venue?.slice(0, 12) ?? 'unknown'}…`);
      b.fail('book-rebuilt', 'digest', `books differ from the venue's after ${this.#verifyTimeoutMs} ms: ${diff.join('; ')}`, answer);
      this.#evidence(run.service, run.site, run.identity, 'book-verified', { equal: false, differ: diff });
    }
    this.#emitProgress();
  }

  #onDr(run: FeedRun, e: DrEvent): void {
    const b = run.book;
    const now = this.#clock.now();
    const transition = e.status !== run.lastDrStatus;
    run.lastDrStatus = e.status;
    if (!transition) return; // DR signals repeat at the heartbeat cadence (OMD-C 3.4.3)
    // DR 1 comes as the active site is lost; DR 2 from the site taking over (the other one).
    const drSite: Site = e.status === 2 ? (run.drCycle <= 1 ? 'backup' : 'primary') : run.site;
    this.#evidence(run.service, drSite, run.identity, 'dr-signal', { status: e.status, state: e.state, ignored: e.ignored });
    if (e.status === 1) {
      run.dr1At = now;
      run.refreshedAfterDr.clear();
      // A DR signal 1 before the books of the current cycle were rebuilt belongs to the same
      // failover (the old site's repeats can cross the new site's DR 2); after the rebuild it
      // starts the next one (the fail back). A handler that ignores DR has no rebuild to wait for.
      if (run.drCycle > 0 && !run.cycleRebuilt && !e.ignored) {
        (run.drCycle === 1 ? b.log('dr-followed', 'dr-completed', 'DR signal 1 again before the books were rebuilt') : b.log('return-to-primary', 'dr-completed', 'DR signal 1 again before the books were rebuilt'));
        return;
      }
      run.drCycle++;
      run.cycleRebuilt = false;
      if (run.drCycle === 1) {
        run.timing.lossNoticedAt = now;
        run.recoveryTimer = this.#clock.setTimeout(() => this.#feedRecoveryTimedOut(run), this.#recoveryTimeoutMs);
        b.pass('dr-followed', 'dr-1', 'DR signal 1 received: disaster recovery in progress');
        if (e.ignored) {
          b.fail('dr-followed', 'cache-cleared', 'DR signal 1 ignored: cached market data kept');
          b.fail('book-rebuilt', 'refreshed', "books not cleared on DR signal 1: the primary site's books kept (stale book)");
          this.#evidence(run.service, run.site, run.identity, 'failover-failed', { case: 'dr-followed', reason: 'DR signal ignored, stale book kept' });
        } else {
          b.pass('dr-followed', 'cache-cleared', `cached market data cleared, ${run.cfg.channels.length} channel(s) stale until the backup's refresh`);
        }
      } else {
        b.pass('return-to-primary', 'fail-back', 'DR signal 1 received again: services returning to the primary site');
      }
      return;
    }
    if (e.status === 2) {
      run.dr2At = now;
      run.messagesAtDr2 = run.handler.counters.messages;
      if (run.drCycle <= 1) {
        run.site = 'backup';
        b.pass('dr-followed', 'dr-2', 'DR signal 2 received: the backup site is active');
        if (e.ignored) b.fail('dr-followed', 'dr-completed', 'DR signal 2 ignored');
        else b.pass('dr-followed', 'dr-completed', 'disaster recovery completed; refreshing from the backup site');
      } else {
        run.site = 'primary';
        if (e.ignored) b.fail('return-to-primary', 'dr-completed', 'DR signal 2 ignored at the return to the primary site');
      }
      if (!e.ignored && run.refreshedAfterDr.size === run.cfg.channels.length) this.#rebuilt(run);
    }
  }

  #feedRecoveryTimedOut(run: FeedRun): void {
    run.recoveryTimer = null;
    const b = run.book;
    const secs = `${(this.#recoveryTimeoutMs / 1000).toFixed(1)} s`;
    if (!b.isDone('dr-followed', 'dr-2')) b.fail('dr-followed', 'dr-2', `no DR signal 2 within ${secs} of DR signal 1`);
    if (!b.isDone('book-rebuilt', 'refreshed')) b.fail('book-rebuilt', 'refreshed', `books not rebuilt within ${secs}: ${run.refreshedAfterDr.size} of ${run.cfg.channels.length} channel(s) refreshed`);
    this.#emitProgress();
  }

  /** Periodic look at the feeds: data from the backup, lines joined, live channels. */
  #tick(): void {
    for (const run of this.#feeds) {
      const b = run.book;
      const h = run.handler;
      if (!b.isDone('feed-joined-primary', 'lines-joined') && h.lines.A > 0 && h.lines.B > 0 && run.drCycle === 0) {
        b.pass('feed-joined-primary', 'lines-joined', `line A: ${h.lines.A} packets, line B: ${h.lines.B} packets`);
        this.#evidence(run.service, 'primary', run.identity, 'feed-joined', { lines: ['A', 'B'], packetsA: h.lines.A, packetsB: h.lines.B, channels: run.cfg.channels.map((c) => c.channelId) });
      }
      if (run.dr2At > 0) {
        const n = h.counters.messages - run.messagesAtDr2;
        const caseId: CaseId = run.drCycle <= 1 ? 'data-from-backup' : 'return-to-primary';
        if (n > 0 && !b.isDone(caseId, 'realtime')) {
          b.pass(caseId, 'realtime', `${n} real-time message(s) applied from the ${run.site} site since DR signal 2`);
          const lines = (['A', 'B'] as const).filter((l) => h.lines[l] > 0);
          this.#evidence(run.service, run.site, run.identity, 'feed-joined', { lines, afterDr: true, messages: n });
        }
        if (caseId === 'data-from-backup' && b.isDone(caseId, 'realtime') && !b.isDone(caseId, 'live') && h.synchronised) {
          b.pass(caseId, 'live', `every channel live: ${run.cfg.channels.map((c) => `${c.channelId}@${h.status(c.channelId).expected}`).join(' ')}`);
        }
      }
    }
    this.#emitProgress();
  }

  #closeFeed(run: FeedRun): void {
    const b = run.book;
    b.close((c, s) => {
      if (c.id === 'gap-recovered') {
        if (run.gapsSeen === 0) return { skip: 'no gap on both lines occurred during the run' };
        if (s.id === 'gap-closed') {
          return { fail: `${run.openGaps.size} gap(s) never recovered: ${[...run.openGaps.values()].slice(0, 3).map((g) => `channel ${g.channelId} ${g.from}–${g.to}`).join(', ')}` };
        }
      }
      if (run.drCycle === 0 && ['dr-followed', 'book-rebuilt', 'data-from-backup'].includes(c.id)) return { skip: 'no DR signal: the venue did not fail over during the run' };
      if (c.id === 'return-to-primary' && !b.isDone(c.id, 'fail-back')) return { skip: 'no fail back during the run' };
      return { fail: `not observed before the end of the run (${this.#feedPhaseText(run)})` };
    });
  }

  #feedPhaseText(run: FeedRun): string {
    const h = run.handler;
    const state = h.synchronised ? 'in sync' : 'synchronising';
    return `${run.site} site, ${h.drState === 'NORMAL' ? '' : h.drState + ', '}${state}, ${h.counters.messages} msgs, ${h.counters.gapsSeen} gaps`;
  }

  // -------------------------------------------------------------------------------------------
  // Evidence and progress

  #evidence(service: Service, site: Site, identity: string, kind: EvidenceKind, detail: Record<string, unknown>): void {
    const clean: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(detail)) if (v !== undefined) clean[k] = v;
    const e: EvidenceEvent = {
      id: `probe-${this.config.firm}-${this.#idPrefix}-${++this.#eventSeq}`,
      ts: new Date(this.#clock.now()).toISOString(),
      session: this.config.session, site, service, subscriber: this.config.firm, identity, kind, detail: clean, source: 'probe',
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

export interface ServiceReport {
  service: Service;
  identity: string;
  dropCopy?: string;
  result: CaseStatus;
  recoveryMs: number | null;
  cases: TestCase[];
}

export interface ProbeReport {
  session: string;
  firm: string;
  name: string;
  startedAt: string | null;
  finishedAt: string | null;
  faults: ProbeFaults;
  identities: Array<{ service: Service; identity: string; role: 'trading' | 'drop-copy' | 'market-data' }>;
  /** failed if any case failed; passed if some passed and none failed. */
  result: CaseStatus;
  services: ServiceReport[];
  timings: IdentityTiming[];
  events: EvidenceEvent[];
}

function overall(cases: readonly TestCase[]): CaseStatus {
  if (cases.some((c) => c.status === 'failed')) return 'failed';
  if (cases.some((c) => c.status === 'pending')) return 'pending';
  return cases.some((c) => c.status === 'passed') ? 'passed' : 'not tested';
}

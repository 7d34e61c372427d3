// One data centre of the venue (docs/architecture.md, "Components"): the lookup service (primary and
// mirror endpoints per trading service), the OTP-C and OTP-CSC gateways with a matching engine
// each, and the OMD-C / OMD-CC publishers driven by a market generator. Role primary or backup.
//
// States (control-api.ts SiteState): the primary starts active, the backup standby. The active
// site journals every state change to its standby (journal.ts) and holds client replies until the
// standby acknowledged them. activate() on the standby takes over: the journal it applied becomes
// the engines, sessions and publisher state, its lookup endpoints open, its gateways accept logons
// with the sessions' numbers continuing, its publishers take over with the DR signal (OMD-C
// 2.2.4), and the old primary is told it is fenced. failback() on the fenced primary makes it the
// standby of the active site, waits until it caught up, and takes the service back.
import { systemClock } from '../wire/index.ts';
import type { Clock, TimerHandle } from '../wire/index.ts';
import { LookupService, OcgGateway, PasswordChecker, hashPassword, profileFor } from '../ocg/index.ts';
import type { OCG_SESSION_TIMERS } from '../ocg/index.ts';
import { preciseClock } from '../ocg/index.ts';
import type { CompIdConfig, EngineEvent, EngineRequest, GatewayEvent, LookupServedEvent, OcgLogger, OcgService } from '../ocg/index.ts';
import { MarketGenerator, OmdPublisher, decodePacketHeader } from '../omd/index.ts';
import type { FeedConfig, OmdMessage, OmdService } from '../omd/index.ts';
import { FeedShadow, imageBytes } from './feed-shadow.ts';
import { EvidenceRing } from './evidence-ring.ts';
import type { EvidenceKind, Service } from '../evidence/index.ts';
import { MatchingEngine } from './matching-engine.ts';
import { PHASE_RULES, SESSION_COMMANDS, planSession } from './market-phases.ts';
import type { MarketPhase, PlannedPhase, SessionCommand } from './market-phases.ts';
import { currentYield, feedTradeId, omdMessagesOf } from './phase-feed.ts';
import type { EngineCommand, MarketEvent, MatchingEngineOptions, TradeEvent, VenueRequest } from './engine-types.ts';
import { OCG_SERVICES, OMD_SERVICES, compIdsOf, feedConfigOf } from './config.ts';
import type { SiteRole, VenueConfig } from './config.ts';
import type {
  ActivateResponse,
  CleanUpIdentity,
  CleanUpResponse,
  EvidenceResponse,
  FailbackResponse,
  FaultKind,
  FaultRequest,
  FaultResponse,
  IsolateRequest,
  IsolateResponse,
  ServiceStatus,
  SiteState,
  SiteStatus,
} from './control-api.ts';
import { JournalReceiver, JournalSender } from './journal.ts';
import { JournalGate } from './journal-gate.ts';
import type { JournalEntry, SiteSnapshot } from './journal-records.ts';
import { FixGateway } from '../fix/index.ts';
import { ReplicatingSessionStore } from './replicating-store.ts';
import { FaultInjector, SiteSockets } from './faults.ts';
import { SiteCounters } from './site-counters.ts';
import { ConnectivityTestWindow, ReachabilityListener } from './connectivity-test.ts';

/** A request the site refuses in its current state (control API: 409 INVALID_STATE). */
export class SiteStateError extends Error {
  override name = 'SiteStateError';
}

/** A trade cancel naming a trade the venue never made. */
export class TradeNotFoundError extends RangeError {
  override name = 'TradeNotFoundError';
}

export interface SiteOptions {
  config: VenueConfig;
  role: SiteRole;
  clock?: Clock;
  log?: OcgLogger;
  /**
   * Password-check workers of the site, shared by its gateways (binary and FIX): the RSA decrypt
   * of a logon storm off the event loop. 0 = on the event loop; default 0 (the embedded venue's
   * two sites share a machine); the `site` command gives one per core.
   */
  passwordWorkers?: number;
  /** Market generator tick (ms). Default 50. */
  marketTickMs?: number;
  /** Evidence ring buffer size. Default 200,000 events. */
  evidenceCapacity?: number;
  /** What `kill` does. Default: destroy everything abruptly (embedded); the CLI passes SIGKILL. */
  kill?: () => void;
  /** Wait after DR Signal 1 before the isolated site's publishers stop (the datagram must leave). Default 50 ms. */
  drGoodbyeMs?: number;
  /** Simulated journal link latency to the standby (tests, benches; JournalSender linkDelayMs). */
  journalLinkDelayMs?: number;
  /**
   * How the site starts. Default: the primary active, the backup standby. 'standby' for a primary
   * restarted while the backup serves: it takes the journal and waits for fail back.
   */
  startAs?: 'active' | 'standby';
  /** Gateway-side OCG-C session timers (accelerated drills shrink them; default the spec's). */
  sessionTimers?: Partial<typeof OCG_SESSION_TIMERS>;
}

interface Feed {
  service: OmdService;
  cfg: FeedConfig;
  publisher: OmdPublisher;
  generator: MarketGenerator;
  /** Generator calls so far ([nowMs, count], count −1 = startOfDay) for a resync of the standby. */
  genLog: Array<[number, number]>;
  shadow: FeedShadow;
  /** Per channel, next SeqNum already journaled (active side). */
  journaled: Map<number, number>;
  drNextSeq: number;
  /** Last DR Signal status this site's publisher sent (0 none, 1 in progress, 2 completed). */
  drStatus: 0 | 1 | 2;
}

interface Trading {
  service: OcgService;
  engineOptions: MatchingEngineOptions;
  /** The engine the gateway routes to (replaced by a resync snapshot). */
  holder: { engine: MatchingEngine };
  unsubscribe: () => void;
  store: ReplicatingSessionStore;
  gateway: OcgGateway;
  /** OTP-C over FIX (src/fix): same engine, same session store (keys FIX:<CompID>), same gate. */
  fix: FixGateway | null;
  lookups: [LookupService, LookupService];
  firmOf: Map<string, string>;
}

export class Site {
  readonly role: SiteRole;
  readonly cfg: VenueConfig;
  readonly host: string;
  readonly #o: SiteOptions;
  readonly #clock: Clock;
  /** The engines' and gateways' clock: the site's, or with microseconds where that is the wall clock. */
  readonly #tradingClock: Clock;
  #state: SiteState = 'starting';
  #since: number;
  #activatedAt: number | null = null;
  #takeoverMs: number | null = null;
  readonly #trading = new Map<OcgService, Trading>();
  readonly #feeds = new Map<OmdService, Feed>();
  readonly #gate: JournalGate;
  /** The gateways' password checks (one pool for the site). */
  #checker: PasswordChecker | null = null;
  #sender: JournalSender | null = null;
  readonly #receiver: JournalReceiver;
  readonly sockets: SiteSockets;
  readonly faults: FaultInjector;
  /** Counts for the site's metrics (metrics.ts). */
  readonly counters = new SiteCounters();
  /** The connectivity-test window (readiness checks before the session day; connectivity-test.ts). */
  readonly connectivityTest = new ConnectivityTestWindow();
  readonly #reach = new Map<OcgService, ReachabilityListener>();
  #windowTimer: TimerHandle | null = null;
  #marketTimer: TimerHandle | null = null;
  /** Timed phase changes still to come (marketSession). */
  #phasePlan: PlannedPhase[] = [];
  #lastMarketAt = 0;
  #marketCarry = 0;
  readonly #evidence: EvidenceRing;
  #evidenceId = 0;
  readonly #bootId: string;
  #rtsUserFirm = new Map<string, string>();
  #handoverWaiter: ((seq: number) => void) | null = null;
  #handingOver = false;
  /**
   * Activation generation: the primary starts at 1, each takeover is the active site's + 1. A FENCE
   * from a site of an older generation is ignored (a black-holed old primary cannot fence the new one).
   */
  #generation = 0;
  #peerGeneration = 0;
  /** A transition running in the background (hand over): stop() waits for it. */
  #busy: Promise<void> = Promise.resolve();

  constructor(opts: SiteOptions) {
    this.#o = opts;
    this.role = opts.role;
    this.cfg = opts.config;
    this.host = opts.config.sites[opts.role].host;
    this.#clock = opts.clock ?? systemClock;
    // Transaction Times carry microseconds (OCG-C §2.5) where the site runs on the wall clock; an
    // injected clock (tests, accelerated runs) is used as it is.
    this.#tradingClock = this.#clock === systemClock ? preciseClock : this.#clock;
    this.#since = this.#clock.now();
    this.#bootId = this.#since.toString(36);
    this.#evidence = new EvidenceRing(opts.evidenceCapacity ?? 200_000);
    this.#gate = new JournalGate(() => this.#sender?.seq ?? 0);
    this.#gate.setOpen(true);
    this.sockets = new SiteSockets(this.host);
    this.faults = new FaultInjector({
      sockets: this.sockets,
      clock: this.#clock,
      kill: () =>
        (
          opts.kill ??
          (() => {
            void this.crash();
          })
        )(),
      // Only the kill is a site loss; the other faults are the conductor's marks.
      onChange: (kind, active) => this.#siteEvidence('site-lost', { fault: kind, active }, kind !== 'kill'),
      healQuietMs: this.cfg.timing.replicationTimeoutMs,
    });
    const site = this.cfg.sites[this.role];
    this.#receiver = new JournalReceiver({
      host: this.host,
      port: site.replication,
      clock: this.#clock,
      heartbeatMs: this.cfg.timing.replicationHeartbeatMs,
      timeoutMs: this.cfg.timing.replicationTimeoutMs,
      policy: () => (this.#state === 'standby' || this.#handingOver ? 'accept' : this.#state === 'active' ? 'fence' : 'refuse'),
      onSnapshot: (s, _seq, generation) => {
        this.#peerGeneration = generation;
        this.#applySnapshot(s);
      },
      generation: () => this.#generation,
      secret: this.cfg.controlToken,
      ...(this.cfg.tls ? { tls: this.cfg.tls } : {}),
      onEntry: (e) => this.#applyEntry(e),
      onHandover: (seq) => this.#handoverWaiter?.(seq),
      onSocket: (s) => this.sockets.add(s),
      onLink: (up) => this.#o.log?.log(up ? 'info' : 'warn', 'site.journal.link', { role: this.role, direction: 'receiving', up }),
    });
    for (const u of this.cfg.subscribers)
      for (const svc of OMD_SERVICES) {
        const id = u[svc];
        if (id) this.#rtsUserFirm.set(`${svc}:${id.rtsUsername}`, u.firm);
      }
  }

  get state(): SiteState {
    return this.#state;
  }

  /** Activation generation (0 before the first activation): of two sites that both think they are active, the higher one serves. */
  get generation(): number {
    return this.#generation;
  }

  // -------------------------------------------------------------------------------------------
  // Start

  async start(): Promise<void> {
    if (this.#state !== 'starting') throw new SiteStateError(`start() in state ${this.#state}`);
    const site = this.cfg.sites[this.role];
    const checker = new PasswordChecker(this.cfg.privateKeyPem, { workers: this.#o.passwordWorkers ?? 0 });
    this.#checker = checker;
    const cost = this.cfg.passwordHashCost;
    const tradingClock = this.#tradingClock;
    for (const service of OCG_SERVICES) {
      const engineOptions: MatchingEngineOptions = { profile: profileFor(service), securities: this.cfg.securities[service] };
      // The Northbound quota is configured in yuan; the engine counts P3 (price × quantity, thousandths).
      if (service === 'OTP-CSC' && this.cfg.chinaConnectDailyQuota !== undefined) engineOptions.dailyQuota = this.cfg.chinaConnectDailyQuota * 1000;
      if (service === 'OTP-C' && this.cfg.market.vcm !== undefined) engineOptions.vcm = this.cfg.market.vcm;
      if (service === 'OTP-CSC') engineOptions.vcm = false; // the mainland market has no VCM [ours]
      const engine = new MatchingEngine(engineOptions, tradingClock);
      const store = new ReplicatingSessionStore(service);
      const hashes = new Map<string, string>();
      const firmOf = new Map<string, string>();
      const compIds: CompIdConfig[] = compIdsOf(this.cfg, service).map((c) => {
        let h = hashes.get(c.sub.password);
        if (h === undefined) {
          h = hashPassword(c.sub.password, cost);
          hashes.set(c.sub.password, h);
        }
        firmOf.set(c.compId, c.firm);
        return {
          compId: c.compId,
          firm: c.firm,
          sourceIps: c.sub.sourceIps,
          passwordHash: h,
          dropCopy: c.dropCopy,
          brokerIds: [c.sub.brokerId],
          throttleMps: 0,
        };
      });
      // The router follows holder.engine: a resync snapshot replaces the engine under the gateway.
      const holder: { engine: MatchingEngine } = { engine };
      // With a FIX gateway, events of a binary request that concern FIX sessions (their reports,
      // drop copies of the firm's reports) go to it; the binary gateway gets the rest.
      let fix: FixGateway | null = null;
      const binaryRouter = {
        handle: (req: EngineRequest): EngineEvent[] => {
          const events = holder.engine.handle(req);
          if (fix === null) return events;
          fix.deliverEvents(events, true);
          return events.filter((e) => !fix!.owns(e.compId));
        },
      };
      const gateway = new OcgGateway({
        service,
        name: `${service} ${this.role}`,
        host: this.host,
        port: site.trading[service].gateway,
        privateKeyPem: this.cfg.privateKeyPem,
        compIds,
        router: binaryRouter,
        store,
        clock: tradingClock,
        passwordChecker: checker,
        outboundGate: this.#gate,
        securities: this.cfg.securities[service],
        ...(this.#o.log !== undefined ? { log: this.#o.log } : {}),
        ...(this.#o.sessionTimers !== undefined ? { sessionTimers: this.#o.sessionTimers } : {}),
        onEvent: (e) => this.#gatewayEvidence(e),
        logonsAllowed: (now) => this.connectivityTest.logonsAllowed(now),
      });
      const mk = (name: string, port: number) =>
        new LookupService({
          name,
          site: this.role,
          host: this.host,
          port,
          clock: this.#clock,
          clients: (compId) => gateway.lookupEntry(compId),
          gateways: () =>
            this.#state === 'active' && gateway.isOpen ? { primary: gateway.address, secondary: gateway.address } : this.#reachablePair(service),
          onLookup: (e) => this.#lookupEvidence(service, e),
          ...(this.#o.log !== undefined ? { log: this.#o.log } : {}),
        });
      const prefix = this.role === 'primary' ? 'PS' : 'BS';
      const lookups: [LookupService, LookupService] = [
        mk(`${prefix}-primary`, site.trading[service].lookupPrimary),
        mk(`${prefix}-mirror`, site.trading[service].lookupMirror),
      ];
      const fixPort = site.trading[service].fixGateway;
      if (service === 'OTP-C' && fixPort !== undefined) {
        const fixIds: CompIdConfig[] = [];
        for (const sub of this.cfg.subscribers) {
          if (sub.fix === undefined) continue;
          let h = hashes.get(sub.password);
          if (h === undefined) {
            h = hashPassword(sub.password, cost);
            hashes.set(sub.password, h);
          }
          const base = { firm: sub.firm, sourceIps: sub.sourceIps, passwordHash: h, brokerIds: [sub.brokerId], throttleMps: 0 };
          fixIds.push({ ...base, compId: sub.fix.trading, dropCopy: false });
          if (sub.fix.dropCopy !== undefined) fixIds.push({ ...base, compId: sub.fix.dropCopy, dropCopy: true });
        }
        fix = new FixGateway({
          name: `${service} FIX ${this.role}`,
          host: this.host,
          port: fixPort,
          privateKeyPem: this.cfg.privateKeyPem,
          compIds: fixIds,
          router: { handle: (req: EngineRequest): EngineEvent[] => holder.engine.handle(req) },
          store,
          clock: tradingClock,
          passwordChecker: checker,
          outboundGate: this.#gate,
          foreignEvents: (events) => gateway.deliverEvents(events),
          firmOf: (compId) => firmOf.get(compId),
          ...(this.#o.log !== undefined ? { log: this.#o.log } : {}),
          ...(this.#o.sessionTimers !== undefined ? { sessionTimers: this.#o.sessionTimers } : {}),
          onEvent: (e) => this.#gatewayEvidence(e),
        });
        for (const c of fixIds) firmOf.set(c.compId, c.firm);
      }
      const t: Trading = { service, engineOptions, holder, unsubscribe: () => {}, store, firmOf, gateway, fix, lookups };
      this.#watchEngine(t);
      this.#trading.set(service, t);
    }
    for (const service of OMD_SERVICES) {
      const cfg = feedConfigOf(this.cfg, service);
      this.#feeds.set(service, {
        service,
        cfg,
        publisher: null as unknown as OmdPublisher,
        generator: this.#newGenerator(service, cfg),
        genLog: [],
        shadow: new FeedShadow(cfg),
        journaled: new Map(),
        drNextSeq: 1,
        drStatus: 0,
      });
    }
    await this.#receiver.listen();
    if ((this.#o.startAs ?? (this.role === 'primary' ? 'active' : 'standby')) === 'active') {
      for (const f of this.#feeds.values()) {
        f.publisher = this.#newPublisher(f, 'serving');
        await f.publisher.start(); // active: Sequence Reset first (OMD-C 2.2)
        // Reference data and opening books; the standby replays the same call (generator lockstep).
        f.genLog.push([f.generator.nowMs, -1]);
        for (const b of f.generator.startOfDay()) f.publisher.publish(b.channelId, b.msgs);
      }
      this.#generation = 1;
      await this.#serve(false); // the snapshot sent when the standby connects carries the above
    } else {
      for (const f of this.#feeds.values()) {
        f.publisher = this.#newPublisher(f, 'standby');
        await f.publisher.start();
      }
      for (const t of this.#trading.values()) for (const l of t.lookups) await l.reservePort();
      this.#setState('standby');
    }
  }

  /** Both sites build the same generator (seed, start time from the journal), so the standby's copy stays in lockstep. */
  #newGenerator(service: OmdService, cfg: FeedConfig, startTimeMs = this.#clock.now()): MarketGenerator {
    return new MarketGenerator({
      seed: this.cfg.market.seed + (service === 'OMD-CC' ? 1 : 0),
      securities: this.cfg.market.securities,
      service,
      channels: cfg.channels.map((c) => ({ channelId: c.channelId, product: c.product })),
      startTimeMs,
    });
  }

  /** Replays one generator call of the active site (count −1 = startOfDay at nowMs). */
  #replayGenerator(f: Feed, nowMs: number, count: number): void {
    f.genLog.push([nowMs, count]);
    if (count < 0) {
      f.generator = this.#newGenerator(f.service, f.cfg, nowMs);
      f.generator.startOfDay();
    } else for (let i = 0; i < count; i++) f.generator.next(nowMs);
  }

  /**
   * A publisher for this site's RTS endpoints. OmdPublisher starts active when its site label is
   * 'primary' and standby when 'backup'; the label only picks the behaviour here (the endpoints are
   * this site's), so a returning primary can be a standby too.
   */
  #newPublisher(f: Feed, mode: 'serving' | 'standby'): OmdPublisher {
    const label = mode === 'serving' ? 'primary' : 'backup';
    const own = f.cfg.rts.filter((e) => e.site === this.role).map((e) => ({ ...e, site: label as 'primary' | 'backup' }));
    const traffic = this.counters.feedTraffic(f.service);
    const p = new OmdPublisher(
      { ...f.cfg, rts: own },
      {
        clock: this.#clock,
        site: label,
        heartbeatIntervalMs: this.cfg.timing.omdHeartbeatMs,
        refreshIntervalMs: this.cfg.timing.refreshIntervalMs,
        rts: { users: this.cfg.subscribers.map((s) => s[f.service]?.rtsUsername).filter((u): u is string => u !== undefined) },
        lossFilter: this.faults.lossFilter,
        onDatagram: (line, ch, _dest, pkt) => {
          SiteCounters.datagram(traffic, line, ch, pkt);
          if (line !== 'dr') return;
          const h = decodePacketHeader(pkt);
          if (h === null || h.msgCount === 0) return;
          const next = h.seqNum + h.msgCount;
          if (next > f.drNextSeq) {
            f.drNextSeq = next;
            this.#journalDr(f);
          }
        },
      },
    );
    p.on('refresh', (e: { channelId: number; messages: number }) => {
      this.counters.refreshCycle(f.service, e.channelId);
      this.#journal({ t: 'omd-refresh', service: f.service, channelId: e.channelId, messages: e.messages });
    });
    p.on('dr', (e: { status: 0 | 1 | 2 }) => {
      f.drStatus = e.status;
      this.#journalDr(f);
    });
    p.on('rts-logon', (e: { username: string; status: number; remoteAddress: string }) =>
      this.#rtsEvidence(f.service, e.username, e.status === 0 ? 'logon' : 'logon-rejected', { status: e.status, remoteAddress: e.remoteAddress }),
    );
    p.on('rts-request', (e: { username: string; channelId: number; beginSeqNum: number; endSeqNum: number; status: number; messages: number }) => {
      if (e.status !== 0) this.counters.retransmissionRefused(f.service);
      this.#rtsEvidence(f.service, e.username, 'retransmission-request', {
        channelId: e.channelId,
        beginSeqNum: e.beginSeqNum,
        endSeqNum: e.endSeqNum,
        status: e.status,
        messages: e.messages,
      });
    });
    p.on('rts-disconnect', (e: { username: string | null; reason: string }) => {
      if (e.username !== null) this.#rtsEvidence(f.service, e.username, 'disconnect', { reason: e.reason });
    });
    return p;
  }

  #journalDr(f: Feed): void {
    this.#journal({ t: 'omd-dr', service: f.service, drNextSeq: f.drNextSeq, drStatus: f.drStatus });
  }

  #watchEngine(t: Trading): void {
    t.unsubscribe();
    // Journaled before the command is applied and before any report is written (gate).
    const off = t.holder.engine.onCommand((command: EngineCommand) => this.#journal({ t: 'engine', service: t.service, command }));
    const offTrades = t.service === 'OTP-C' ? t.holder.engine.onTrade((tr) => this.#publishTrade(tr)) : () => {};
    const offMarket = t.service === 'OTP-C' ? t.holder.engine.onMarket((e) => this.#publishMarket(e)) : () => {};
    t.unsubscribe = () => {
      off();
      offTrades();
      offMarket();
    };
  }

  /**
   * Trades of the venue's own orders (OTP-C) go out on the OMD-C securities-standard channel as
   * Trade (50, OMD-C 3.10.1) next to the generated market. Trade IDs from 900,000,000 keep them
   * apart from the generator's [ours]. OTP-CSC trades are not published: the China Connect feed's
   * trade message set is not verified (spec/omd-c.md) [UNVERIFIED].
   */
  #publishTrade(tr: TradeEvent): void {
    if (this.#state !== 'active') return; // the standby replays commands: its trades are the active site's, already journaled
    const f = this.#feeds.get('OMD-C');
    const ch = f?.cfg.channels.find((c) => c.product === 'SS');
    const code = Number(tr.securityId);
    if (f === undefined || ch === undefined || f.publisher.mode !== 'active' || !Number.isSafeInteger(code)) return;
    const msgs: OmdMessage[] = [
      {
        msgType: 50,
        securityCode: code,
        tradeId: feedTradeId(tr.tradeId),
        price: tr.price,
        quantity: tr.quantity,
        // Transaction Time may carry a fraction of a millisecond: whole microseconds, in nanoseconds.
        // An auction's trades are TrdType 103 "U" (OMD-C 3.10.1).
        trdType: tr.auction === true ? 103 : 0,
        tradeTime: BigInt(Math.round(tr.transactTime * 1000)) * 1000n,
      },
    ];
    const coupon = this.cfg.securities['OTP-C'].find((d) => d.securityId === tr.securityId)?.couponRate;
    if (coupon !== undefined) msgs.push({ msgType: 44, securityCode: code, yield: currentYield(coupon, tr.price) }); // bonds: Yield on change
    f.publisher.publish(ch.channelId, msgs);
    this.#syncFeed(f);
  }

  /**
   * The phases of the day on the wire (phase-feed.ts) and as evidence: Trading Session Status on
   * every securities channel, the per-security messages on the channel of the venue's trades.
   */
  #publishMarket(e: MarketEvent): void {
    if (this.#state !== 'active') return; // the standby replays the same commands; the active site published
    if (e.kind === 'phase' || e.kind === 'securityStatus' || e.kind === 'vcm' || e.kind === 'tradeCancel') {
      const detail: Record<string, unknown> =
        e.kind === 'phase'
          ? {
              scope: 'market',
              phase: e.phase,
              previous: e.previous,
              label: PHASE_RULES[e.phase].label,
              tradingSessionSubId: PHASE_RULES[e.phase].subId,
              tradingSesStatus: PHASE_RULES[e.phase].status,
            }
          : e.kind === 'securityStatus'
            ? { scope: 'security', securityId: e.securityId, halted: e.halted, phase: this.#phaseOf() }
            : e.kind === 'vcm'
              ? {
                  scope: 'security',
                  securityId: e.securityId,
                  vcm: true,
                  coolingOffEnd: new Date(e.end).toISOString(),
                  reference: e.reference,
                  lower: e.lower,
                  upper: e.upper,
                  phase: this.#phaseOf(),
                }
              : { scope: 'security', securityId: e.securityId, tradeCancelled: e.tradeId, phase: this.#phaseOf() };
      for (const service of [...OCG_SERVICES, ...OMD_SERVICES]) this.#record(service, '*', `site-${this.role}`, 'market-phase', detail);
    }
    const f = this.#feeds.get('OMD-C');
    if (f === undefined || f.publisher.mode !== 'active') return;
    const msgs = omdMessagesOf(e, e.kind === 'phase' ? { phaseEndMs: this.#phasePlan[0]?.at ?? 0 } : {});
    if (msgs.length === 0) return;
    for (const ch of f.cfg.channels) {
      const securities = ch.product === 'SS' || ch.product === 'SP' || ch.product === 'SF';
      if (!securities || (e.kind !== 'phase' && ch !== f.cfg.channels.find((c) => c.product === 'SS'))) continue;
      f.publisher.publish(ch.channelId, msgs);
    }
    this.#syncFeed(f);
  }

  #phaseOf(): MarketPhase {
    return this.#trading.get('OTP-C')?.holder.engine.phase ?? 'continuous';
  }

  /**
   * Start a session of the day (the rundown's pre-open, continuous-trading, closing-auction, close):
   * its first phase now, the timed sub-periods from the market tick, durations divided by `accelerate`.
   * The phase changes are engine commands, journaled like orders, so the standby follows.
   */
  marketSession(cmd: SessionCommand, accelerate = 1): { phase: MarketPhase; plan: PlannedPhase[] } {
    if (this.#state !== 'active') throw new SiteStateError(`market session ${cmd} in state ${this.#state}`);
    if (!(SESSION_COMMANDS as readonly string[]).includes(cmd)) throw new RangeError(`unknown market session ${String(cmd)}`);
    const plan = planSession(cmd, this.#clock.now(), accelerate);
    const first = plan.shift()!;
    this.#phasePlan = plan;
    this.#setPhase(first.phase);
    this.#runPhasePlan();
    return { phase: this.#phaseOf(), plan: [first, ...plan] };
  }

  /** Halt (true) or resume (false) one OTP-C security (OMD-C 21). */
  securityStatus(securityId: string, halted: boolean): { securityId: string; halted: boolean } {
    if (this.#state !== 'active') throw new SiteStateError(`security status in state ${this.#state}`);
    const engine = this.#trading.get('OTP-C')!.holder.engine;
    if (engine.book(securityId) === undefined) throw new RangeError(`unknown OTP-C security ${securityId}`);
    engine.handle({ type: 'securityStatus', securityId, halted });
    return { securityId, halted: engine.isHalted(securityId) };
  }

  /** Cancel a trade of the day (OMD-C 51). */
  tradeCancel(securityId: string, tradeId: string): { securityId: string; tradeId: string } {
    if (this.#state !== 'active') throw new SiteStateError(`trade cancel in state ${this.#state}`);
    const engine = this.#trading.get('OTP-C')!.holder.engine;
    if (engine.book(securityId) === undefined) throw new RangeError(`unknown OTP-C security ${securityId}`);
    // The engine ignores an unknown trade (a replayed journal must not fail); the operator gets told.
    if (!engine.tradeIssued(tradeId)) throw new TradeNotFoundError(`no trade ${tradeId} today`);
    engine.handle({ type: 'tradeCancel', securityId, tradeId });
    return { securityId, tradeId };
  }

  /** OTP-C only: China Connect orders follow the mainland market's day, not the SEHK phases [ours]. */
  #setPhase(phase: MarketPhase): void {
    const t = this.#trading.get('OTP-C');
    if (t !== undefined) this.#deliver(t, t.holder.engine.handle({ type: 'phase', phase }));
  }

  /** Reports of a command the site itself gave (an auction's fills, expiries) to the sessions they belong to. */
  #deliver(t: Trading, events: EngineEvent[]): void {
    if (events.length === 0) return;
    if (t.fix === null) {
      t.gateway.deliverEvents(events);
      return;
    }
    t.fix.deliverEvents(events, true);
    t.gateway.deliverEvents(events.filter((e) => !t.fix!.owns(e.compId)));
  }

  /** Apply the planned sub-periods that are due. */
  #runPhasePlan(): void {
    const now = this.#clock.now();
    while (this.#phasePlan.length > 0 && this.#phasePlan[0]!.at <= now) this.#setPhase(this.#phasePlan.shift()!.phase);
  }

  /** Open the service to subscribers: gateways, lookup endpoints, market, the journal to the peer. */
  async #serve(startAlone: boolean): Promise<void> {
    for (const t of this.#trading.values()) t.store.sink = (e) => this.#journal(e);
    const peer = this.cfg.sites[this.role === 'primary' ? 'backup' : 'primary'];
    this.#sender = new JournalSender({
      peer: { host: peer.host, port: peer.replication },
      localAddress: this.host,
      clock: this.#clock,
      gate: this.#gate,
      heartbeatMs: this.cfg.timing.replicationHeartbeatMs,
      timeoutMs: this.cfg.timing.replicationTimeoutMs,
      standbyWaitMs: this.cfg.timing.standbyWaitMs,
      startAlone,
      ...(this.#o.journalLinkDelayMs !== undefined ? { linkDelayMs: this.#o.journalLinkDelayMs } : {}),
      snapshot: () => this.#snapshot(),
      generation: () => this.#generation,
      secret: this.cfg.controlToken,
      ...(this.cfg.tls ? { tls: this.cfg.tls } : {}),
      onFenced: (g) => {
        if (!this.#handingOver && g > this.#generation) void this.fence();
      },
      onHandoverRequest: () => {
        this.#busy = this.#handOver();
      },
      onSocket: (s) => this.sockets.add(s),
      onLink: (up) => this.#o.log?.log(up ? 'info' : 'warn', 'site.journal.link', { role: this.role, direction: 'sending', up }),
    });
    for (const f of this.#feeds.values()) {
      for (const ch of f.cfg.channels) f.journaled.set(ch.channelId, f.publisher.nextSeq(ch.channelId));
    }
    this.#sender.start();
    for (const t of this.#trading.values()) {
      await t.gateway.start();
      await t.fix?.start();
      for (const l of t.lookups) await l.open();
    }
    this.#setState('active');
    this.#startMarket();
  }

  #startMarket(): void {
    const tick = this.#o.marketTickMs ?? 50;
    this.#lastMarketAt = this.#clock.now();
    this.#marketTimer?.cancel();
    this.#marketTimer = this.#clock.setInterval(() => this.#marketTick(), tick);
  }

  #marketTick(): void {
    if (this.#state !== 'active') return;
    if (this.#phasePlan.length > 0) this.#runPhasePlan();
    const now = this.#clock.now();
    const due = ((now - this.#lastMarketAt) * this.cfg.market.eventsPerSecond) / 1000 + this.#marketCarry;
    this.#lastMarketAt = now;
    const count = Math.floor(due);
    this.#marketCarry = due - count;
    if (count <= 0) return;
    for (const f of this.#feeds.values()) {
      if (f.publisher.mode !== 'active') continue;
      this.#journal({ t: 'gen', service: f.service, nowMs: now, count });
      f.genLog.push([now, count]);
      for (let i = 0; i < count; i++) for (const b of f.generator.next(now)) f.publisher.publish(b.channelId, b.msgs);
      this.#syncFeed(f);
    }
  }

  /** Journal what the publisher numbered since the last call (exact bytes from its window). */
  #syncFeed(f: Feed): void {
    for (const ch of f.cfg.channels) {
      const id = ch.channelId;
      const next = f.publisher.nextSeq(id);
      let from = f.journaled.get(id) ?? 1;
      if (next === from) continue;
      const w = f.publisher.window(id);
      if (next < from || from < w.first) {
        from = w.first;
        this.#journal({ t: 'omd-reset', service: f.service, channelId: id, nextSeq: from });
      }
      const msgs: Uint8Array[] = [];
      for (let s = from; s < next; s++) msgs.push(w.get(s)!);
      this.#journal({ t: 'omd', service: f.service, channelId: id, firstSeq: from, msgs });
      f.journaled.set(id, next);
    }
  }

  #journal(e: JournalEntry): void {
    this.#sender?.append(e);
  }

  // -------------------------------------------------------------------------------------------
  // Standby: apply the journal

  #applyEntry(e: JournalEntry): void {
    switch (e.t) {
      case 'engine':
        this.#trading.get(e.service)?.holder.engine.apply(e.command);
        return;
      case 'next-to-send':
      case 'next-expected':
      case 'sent':
      case 'session-reset':
        this.#trading.get(e.service)?.store.apply(e);
        return;
      case 'gen': {
        const f = this.#feeds.get(e.service);
        if (f !== undefined) this.#replayGenerator(f, e.nowMs, e.count);
        return;
      }
      default:
        this.#feeds.get(e.service)?.shadow.apply(e);
    }
  }

  #applySnapshot(s: SiteSnapshot): void {
    for (const t of this.#trading.values()) {
      t.holder.engine = MatchingEngine.restore(s.engines[t.service], t.engineOptions, this.#tradingClock);
      this.#watchEngine(t);
      t.store.restore(s.sessions[t.service]);
    }
    for (const f of this.#feeds.values()) {
      const fs = s.feeds[f.service];
      f.shadow.restore(fs);
      f.generator = this.#newGenerator(f.service, f.cfg);
      f.genLog = [];
      for (const [nowMs, count] of fs.gen) this.#replayGenerator(f, nowMs, count);
    }
  }

  #snapshot(): SiteSnapshot {
    const engines = {} as SiteSnapshot['engines'];
    const sessions = {} as SiteSnapshot['sessions'];
    for (const t of this.#trading.values()) {
      engines[t.service] = t.holder.engine.exportState();
      sessions[t.service] = t.store.snapshot();
    }
    const feeds = {} as SiteSnapshot['feeds'];
    for (const f of this.#feeds.values()) {
      const st = f.publisher.exportState();
      feeds[f.service] = {
        channels: st.channels.map((c) => ({
          channelId: c.channelId,
          nextSeq: c.nextSeq,
          refreshNextSeq: c.refreshNextSeq,
          window: c.window,
          image: imageBytes(c.image, f.shadow.products.get(c.channelId) ?? 'SS'),
        })),
        drNextSeq: st.drChannelNextSeq,
        drStatus: st.drStatus,
        gen: f.genLog.slice(),
      };
    }
    return { engines, sessions, feeds };
  }

  // -------------------------------------------------------------------------------------------
  // Takeover, isolation, fencing, fail back

  /**
   * The standby takes over. Idempotent when already active. After a takeover
   * the old site is gone, so replies are not held for a standby until one connects (fail back).
   */
  async activate(reason = 'activated', expectStandby = false): Promise<ActivateResponse> {
    await this.#openSessionDay();
    if (this.#state === 'active') return { ok: true, changed: false, status: this.status(), takeoverMs: this.#takeoverMs ?? 0 };
    if (this.#state !== 'standby')
      throw new SiteStateError(`cannot activate a site in state ${this.#state}${this.#state === 'fenced' ? ' (fail back first)' : ''}`);
    const t0 = this.#clock.now();
    const t0Real = performance.now();
    this.#generation = Math.max(this.#generation, this.#peerGeneration) + 1;
    this.#receiver.fence(); // the old active site learns at once that it is fenced, if it can hear us
    for (const f of this.#feeds.values()) {
      // DR behaviour (OMD-C 2.2.4, §4.5): DR Signal 1 unless the failing site already sent it, then 2.
      if (f.publisher.mode !== 'standby') {
        await f.publisher.stop();
        f.publisher = this.#newPublisher(f, 'standby');
        await f.publisher.start();
      }
      f.drNextSeq = f.shadow.drNextSeq;
      f.drStatus = f.shadow.drStatus;
      f.publisher.takeOver(f.shadow.toPublisherState());
    }
    await this.#serve(!expectStandby);
    this.#activatedAt = t0;
    this.#takeoverMs = Math.round(performance.now() - t0Real);
    if (!expectStandby) this.counters.activations.push({ kind: 'takeover', seconds: (performance.now() - t0Real) / 1000 });
    this.#siteEvidence('site-activated', { reason, takeoverMs: this.#takeoverMs });
    return { ok: true, changed: true, status: this.status(), takeoverMs: this.#takeoverMs };
  }

  /** Stop serving subscribers (gateways, lookups, market). */
  async #stopServing(): Promise<void> {
    this.#marketTimer?.cancel();
    this.#marketTimer = null;
    for (const t of this.#trading.values()) {
      for (const l of t.lookups) await l.close();
      await t.gateway.stop();
      await t.fix?.stop();
      t.store.sink = null;
    }
  }

  /** The rundown cuts this site off ("primary site lost"). Graceful: DR Signal 1 first (OMD-C 2.2.4). */
  async isolate(req: IsolateRequest = {}): Promise<IsolateResponse> {
    if (this.#state === 'stopped') throw new SiteStateError('the site is stopped');
    if (this.#state === 'isolated' || this.#state === 'fenced') return { ok: true, status: this.status(), drSignalSent: false };
    let drSent = false;
    if (this.#state === 'active') {
      await this.#stopServing();
      if ((req.mode ?? 'graceful') === 'graceful') {
        for (const f of this.#feeds.values()) {
          if (f.publisher.mode === 'active') {
            f.publisher.beginDisasterRecovery();
            drSent = true;
          }
        }
        await new Promise((r) => setTimeout(r, this.#o.drGoodbyeMs ?? 50));
      }
      for (const f of this.#feeds.values()) await f.publisher.stop();
      // The journal link stays: the DR status reaches the standby, and its activation fences us.
    } else {
      this.#receiver.disconnect();
      for (const f of this.#feeds.values()) await f.publisher.stop();
    }
    this.#setState('isolated');
    this.#siteEvidence('site-lost', { reason: req.reason ?? 'isolated', mode: req.mode ?? 'graceful', drSignalSent: drSent });
    return { ok: true, status: this.status(), drSignalSent: drSent };
  }

  /** Another site is active: stop everything that serves, never become active unless failed back. */
  async fence(): Promise<void> {
    if (this.#state === 'fenced' || this.#state === 'stopped') return;
    const wasActive = this.#state === 'active';
    this.#setState('fenced');
    if (wasActive) await this.#stopServing();
    this.#sender?.stop();
    this.#sender = null;
    this.#gate.discard();
    this.#gate.setOpen(true);
    for (const f of this.#feeds.values()) await f.publisher.stop();
    this.#siteEvidence('site-lost', { reason: 'fenced' });
  }

  /**
   * Fail back to this site (after the session: "services returned to the primary site"): become
   * the standby of the active site, catch up, ask it to hand over, take over.
   */
  async failback(opts: { timeoutMs?: number } = {}): Promise<FailbackResponse> {
    if (this.#state === 'active') throw new SiteStateError('this site is already active');
    if (this.#state === 'stopped' || this.#state === 'starting') throw new SiteStateError(`cannot fail back to a site in state ${this.#state}`);
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const t0Real = performance.now();
    // The journal links of this site's old tenure are dead: a black-holed primary never heard it was
    // replaced and still holds its own sender (and the backup's connections) with queued bytes. Drop
    // them before the fault clears, or the flushed FENCE of the new active site fences us mid fail back
    // and our stale FENCE/snapshot reach it.
    if (this.#sender !== null) {
      this.#sender.stop();
      this.#sender = null;
      this.#gate.discard();
      this.#gate.setOpen(true);
    }
    this.#receiver.disconnect();
    for (const s of this.sockets.all()) if (this.faults.isHeld(s)) s.destroy();
    this.faults.clear();
    for (const f of this.#feeds.values()) {
      await f.publisher.stop();
      f.publisher = this.#newPublisher(f, 'standby');
      await f.publisher.start();
      f.shadow.clear();
    }
    this.#setState('standby');
    const deadline = Date.now() + timeoutMs;
    while (!this.#receiver.connected) {
      if (Date.now() > deadline) throw new SiteStateError('fail back: the active site did not connect its journal');
      await new Promise((r) => setTimeout(r, 10));
    }
    const handedOver = new Promise<number>((resolve) => {
      this.#handoverWaiter = resolve;
    });
    this.#receiver.requestHandover();
    const timeout = new Promise<null>((r) => setTimeout(() => r(null), Math.max(1, deadline - Date.now())).unref());
    const seq = await Promise.race([handedOver, timeout]);
    this.#handoverWaiter = null;
    if (seq === null) throw new SiteStateError('fail back: the active site did not hand over');
    // Entries in flight before the Handover record are applied in the same chunk or before it.
    const entries = this.#receiver.applied;
    const r = await this.activate('fail back', true);
    this.counters.activations.push({ kind: 'failback', seconds: (performance.now() - t0Real) / 1000 });
    return { ok: true, status: r.status, caughtUpEntries: entries, takeoverMs: r.takeoverMs };
  }

  /** Active side of a fail back: stop serving, DR Signal 1, hand over, become the standby. */
  async #handOver(): Promise<void> {
    if (this.#state !== 'active' || this.#sender === null || this.#handingOver) return;
    this.#handingOver = true;
    await this.#stopServing();
    for (const f of this.#feeds.values()) if (f.publisher.mode === 'active') f.publisher.beginDisasterRecovery();
    const sender = this.#sender;
    sender.handover(); // the returning site's journal is accepted from now on (#handingOver)
    await new Promise((r) => setTimeout(r, this.#o.drGoodbyeMs ?? 50));
    sender.stop();
    if (this.#sender === sender) this.#sender = null;
    this.#gate.setOpen(true);
    for (const f of this.#feeds.values()) {
      await f.publisher.stop();
      f.publisher = this.#newPublisher(f, 'standby');
      await f.publisher.start();
    }
    this.#setState('standby');
    this.#handingOver = false;
    this.#siteEvidence('site-lost', { reason: 'handed over (fail back)' });
  }

  /** The site dies without a goodbye (embedded `kill`): every socket destroyed, nothing flushed. */
  async crash(): Promise<void> {
    if (this.#state === 'stopped') return;
    await this.#busy;
    this.#setState('stopped');
    this.#marketTimer?.cancel();
    this.#gate.discard();
    this.#sender?.stop();
    this.#sender = null;
    for (const s of this.sockets.all()) s.destroy();
    await this.#closeAll();
  }

  async #closeAll(): Promise<void> {
    this.#windowTimer?.cancel();
    for (const l of this.#reach.values()) await l.close();
    this.faults.stop();
    await this.#receiver.close();
    for (const t of this.#trading.values()) {
      for (const l of t.lookups) await l.close();
      await t.gateway.close();
      await t.fix?.close();
    }
    await this.#checker?.close();
    this.#checker = null;
    for (const f of this.#feeds.values()) await f.publisher?.stop();
    this.sockets.close();
  }

  /**
   * Orderly stop (end of the process or test). An active site logs its trading sessions out first:
   * "OCG-C logs everyone out at service shutdown" (OCG-C §3.4); crash() and the faults do not.
   */
  async stop(opts: { logoutWaitMs?: number } = {}): Promise<void> {
    if (this.#state === 'stopped') return;
    await this.#busy;
    this.faults.clear(); // held sockets get their writes back, then close normally
    const wasActive = this.#state === 'active';
    this.#setState('stopped');
    this.#marketTimer?.cancel();
    this.#gate.setOpen(true); // the Logouts are not held for a standby
    if (wasActive)
      await Promise.all(
        [...this.#trading.values()].flatMap((t) => [
          t.gateway.logoutAll('service shutdown', opts.logoutWaitMs),
          t.fix?.logoutAll('service shutdown', opts.logoutWaitMs),
        ]),
      );
    this.#sender?.stop();
    this.#sender = null;
    await this.#closeAll();
  }

  injectFault(req: FaultRequest): FaultResponse {
    const active = this.faults.inject(req);
    return { ok: true, kind: req.kind, at: new Date(this.#clock.now()).toISOString(), active };
  }

  // -------------------------------------------------------------------------------------------
  // Connectivity-test window (connectivity-test.ts)

  /**
   * Open the window until `untilMs` (site clock). An active site takes logons until then; a standby
   * opens its lookup endpoints and a bare listener on each gateway address for the same time.
   */
  async openConnectivityTest(untilMs: number): Promise<void> {
    if (this.#state !== 'active' && this.#state !== 'standby') throw new SiteStateError(`connectivity test: the ${this.role} site is ${this.#state}`);
    const now = this.#clock.now();
    if (!(untilMs > now)) throw new SiteStateError(`connectivity test: until ${new Date(untilMs).toISOString()} is not in the future`);
    this.connectivityTest.open(untilMs);
    this.#windowTimer?.cancel();
    this.#windowTimer = this.#clock.setTimeout(() => {
      void this.closeConnectivityTest();
    }, untilMs - now);
    if (this.#state !== 'standby') return;
    for (const t of this.#trading.values()) {
      let l = this.#reach.get(t.service);
      if (!l) this.#reach.set(t.service, (l = new ReachabilityListener()));
      const a = await l.open(this.host, this.cfg.sites[this.role].trading[t.service].gateway);
      this.sockets.exclude(a.port);
      for (const lk of t.lookups) await lk.open();
    }
  }

  /** End the window now (or at its time): logons are refused until the session day opens. */
  async closeConnectivityTest(): Promise<void> {
    this.#windowTimer?.cancel();
    this.#windowTimer = null;
    this.connectivityTest.close(this.#clock.now());
    await this.#closeReachability();
  }

  #reachablePair(service: OcgService): { primary: { host: string; port: number }; secondary: { host: string; port: number } } | null {
    const a = this.#reach.get(service)?.address;
    return a ? { primary: a, secondary: a } : null;
  }

  async #closeReachability(): Promise<void> {
    const standby = this.#state !== 'active';
    for (const [service, l] of this.#reach) {
      if (l.address === null) continue;
      await l.close();
      if (standby) for (const lk of this.#trading.get(service)!.lookups) await lk.close();
    }
  }

  /**
   * The session day opens (open-primary, or any activation): the window ends, and where one was
   * held the sessions start the day at sequence 1, as on a new trading day (OCG-C §3.12) — the
   * window stands for a weekday before the session.
   */
  async #openSessionDay(): Promise<void> {
    this.#windowTimer?.cancel();
    this.#windowTimer = null;
    await this.#closeReachability();
    if (!this.connectivityTest.sessionOpened() || this.#state !== 'active') return;
    for (const t of this.#trading.values()) {
      for (const c of compIdsOf(this.cfg, t.service)) if (!t.gateway.isLoggedOn(c.compId)) t.gateway.resetSession(c.compId);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Inspection

  /** The matching engine of a trading service (tests and the 10,000-order check). */
  engine(service: OcgService): MatchingEngine {
    return this.#trading.get(service)!.holder.engine;
  }

  gateway(service: OcgService): OcgGateway {
    return this.#trading.get(service)!.gateway;
  }

  /** The OTP-C FIX gateway, when the site config gives it a port. */
  fixGateway(): FixGateway | null {
    return this.#trading.get('OTP-C')?.fix ?? null;
  }

  publisher(service: OmdService): OmdPublisher {
    return this.#feeds.get(service)!.publisher;
  }

  /** Session numbers as this site knows them (the standby: as journaled). */
  sessionNumbers(service: OcgService, compId: string): { nextToSend: number; nextExpected: number } {
    const j = this.#trading.get(service)!.store.journal(compId);
    return { nextToSend: j.nextToSend, nextExpected: j.nextExpected };
  }

  /** The standby's view of a feed's next SeqNum per channel. */
  shadowNextSeq(service: OmdService, channelId: number): number {
    return this.#feeds.get(service)!.shadow.channels.get(channelId)!.nextSeq;
  }

  /** Seconds the standby is behind on the journal (0 when it has every entry or this site does not send one). */
  replicationLagSeconds(): number {
    return (this.#sender?.lagMs() ?? 0) / 1000;
  }

  get heldReplies(): number {
    return this.#gate.held;
  }

  status(): SiteStatus {
    const iso = (ms: number | null) => (ms === null || ms === 0 ? null : new Date(ms).toISOString());
    const services = {} as SiteStatus['services'];
    const orders = {} as SiteStatus['orders'];
    for (const t of this.#trading.values()) {
      let connections = 0;
      for (const c of compIdsOf(this.cfg, t.service)) if (t.gateway.isLoggedOn(c.compId)) connections++;
      services[t.service] = { open: t.lookups.some((l) => l.isOpen), connections };
      orders[t.service] = t.holder.engine.exportState().orders.length;
    }
    for (const f of this.#feeds.values()) {
      const s: ServiceStatus = { open: f.publisher?.mode === 'active', connections: 0, mode: f.publisher?.mode ?? 'created' };
      const nextSeq: Record<string, number> = {};
      for (const ch of f.cfg.channels)
        nextSeq[String(ch.channelId)] =
          this.#state === 'standby' ? f.shadow.channels.get(ch.channelId)!.nextSeq : f.publisher?.mode === 'stopped' ? 0 : f.publisher.nextSeq(ch.channelId);
      s.nextSeq = nextSeq;
      s.drStatus = this.#state === 'standby' ? f.shadow.drStatus : f.drStatus;
      services[f.service] = s;
    }
    const sender = this.#sender;
    return {
      role: this.role,
      state: this.#state,
      session: this.cfg.session,
      host: this.host,
      since: new Date(this.#since).toISOString(),
      activatedAt: iso(this.#activatedAt),
      takeoverMs: this.#takeoverMs,
      replication:
        sender !== null
          ? {
              direction: 'sending',
              connected: sender.connected,
              lastSeq: sender.seq,
              ackedSeq: sender.ackedSeq,
              alone: sender.alone,
              lastTrafficAt: iso(sender.lastTrafficAt),
            }
          : this.#state === 'standby'
            ? {
                direction: 'receiving',
                connected: this.#receiver.connected,
                lastSeq: this.#receiver.seq,
                ackedSeq: this.#receiver.seq,
                alone: false,
                lastTrafficAt: iso(this.#receiver.lastTrafficAt),
              }
            : { direction: 'none', connected: false, lastSeq: 0, ackedSeq: 0, alone: false, lastTrafficAt: null },
      services,
      orders,
      faults: this.faults.active,
      evidenceCursor: this.#evidence.cursor,
      connectivityTest: this.connectivityTest.status(this.#clock.now()),
    };
  }

  #setState(s: SiteState): void {
    if (s !== this.#state)
      this.#o.log?.log(s === 'fenced' || s === 'isolated' || s === 'stopped' ? 'warn' : 'info', 'site.state', {
        role: this.role,
        from: this.#state,
        to: s,
        generation: this.#generation,
      });
    this.#state = s;
    this.#since = this.#clock.now();
  }

  // -------------------------------------------------------------------------------------------
  /**
   * The clean-up step's check, per trading identity of every subscriber: its orders still live in
   * the book (the notice asks that none be kept for the next trading day) and whether it is logged
   * on at the primary again. Recorded as venue evidence ('clean-up') and returned. Only the active
   * site holds the books and the sessions that count.
   */
  cleanUpReport(): CleanUpResponse {
    if (this.#state !== 'active') throw new SiteStateError(`clean-up report: the ${this.role} site is ${this.#state}, not active`);
    const identities: CleanUpIdentity[] = [];
    for (const t of this.#trading.values()) {
      const resting = new Map<string, string[]>();
      for (const o of t.holder.engine.exportState().orders) {
        let l = resting.get(o.compId);
        if (!l) resting.set(o.compId, (l = []));
        l.push(o.orderId);
      }
      // The FIX gateway's CompIDs trade in the same books (OTP-C only).
      const fixIds =
        t.fix === null
          ? []
          : this.cfg.subscribers.flatMap((sub) =>
              sub.fix === undefined
                ? []
                : [
                    { compId: sub.fix.trading, firm: sub.firm, dropCopy: false },
                    ...(sub.fix.dropCopy !== undefined ? [{ compId: sub.fix.dropCopy, firm: sub.firm, dropCopy: true }] : []),
                  ],
            );
      for (const c of [...compIdsOf(this.cfg, t.service), ...fixIds]) {
        const gateway = t.fix?.owns(c.compId) ? t.fix : t.gateway;
        const orders = resting.get(c.compId) ?? [];
        const x: CleanUpIdentity = {
          service: t.service,
          firm: c.firm,
          compId: c.compId,
          dropCopy: c.dropCopy,
          restingOrders: orders.length,
          orderIds: orders.slice(0, 20),
          loggedOn: gateway.isLoggedOn(c.compId),
        };
        identities.push(x);
        this.#record(t.service, c.firm, c.compId, 'clean-up', {
          restingOrders: x.restingOrders,
          orderIds: x.orderIds,
          loggedOnAtPrimary: this.role === 'primary' && x.loggedOn,
          site: this.role,
          dropCopy: c.dropCopy,
        });
      }
    }
    return { site: this.role, at: new Date(this.#clock.now()).toISOString(), identities };
  }

  // Evidence (docs/architecture.md, contract 1; source 'venue', site = this role)

  evidence(after = 0, limit = 10_000): EvidenceResponse {
    return this.#evidence.read(after, limit);
  }

  #record(service: Service, subscriber: string, identity: string, kind: EvidenceKind, detail: Record<string, unknown>, ts = this.#clock.now()): void {
    this.counters.event(service, kind);
    this.#evidence.push({
      id: `${this.cfg.session}-${this.role}-${this.#bootId}-${++this.#evidenceId}`,
      ts: new Date(ts).toISOString(),
      session: this.cfg.session,
      site: this.role,
      service,
      subscriber: subscriber || '*',
      identity: identity || '*',
      kind,
      detail,
      source: 'venue',
    });
  }

  // What the gateway sent (logon reply, acks, rejects) is evidence once it left the site, after
  // the standby acknowledged it; a site killed before that never sent it.
  #gatewayEvidence(e: GatewayEvent): void {
    this.#gate.afterRelease(() => this.#record(e.service, e.firm, e.compId, e.kind, e.detail));
    // Before the session day each readiness logon is a test of its own: its session starts at 1 again
    // once it ended, so a firm may run the check twice [ours].
    if ((e.kind === 'logout' || e.kind === 'disconnect') && this.connectivityTest.gated) {
      setImmediate(() => {
        const gw = this.#trading.get(e.service as OcgService)?.gateway;
        if (!this.connectivityTest.gated || gw === undefined || gw.isLoggedOn(e.compId)) return;
        try {
          gw.resetSession(e.compId);
        } catch {
          /* a FIX Comp ID: not the binary gateway's */
        }
      });
    }
  }

  #lookupEvidence(service: OcgService, e: LookupServedEvent): void {
    const firm = this.#trading.get(service)?.firmOf.get(e.compId) ?? 'unknown';
    const detail: Record<string, unknown> = { endpoint: e.endpoint, accepted: e.accepted, sourceIp: e.sourceIp };
    if (e.rejectCode !== undefined) detail['rejectCode'] = e.rejectCode;
    if (e.reason !== undefined) detail['reason'] = e.reason;
    if (e.primary !== undefined) detail['primary'] = e.primary;
    if (e.secondary !== undefined) detail['secondary'] = e.secondary;
    this.#record(service, firm, e.compId, 'lookup', detail);
  }

  #rtsEvidence(service: OmdService, username: string, kind: EvidenceKind, detail: Record<string, unknown>): void {
    this.#record(service, this.#rtsUserFirm.get(`${service}:${username}`) ?? 'unknown', username, kind, detail);
  }

  #siteEvidence(kind: 'site-lost' | 'site-activated', detail: Record<string, unknown>, skip = false): void {
    if (skip) return;
    for (const service of [...OCG_SERVICES, ...OMD_SERVICES]) this.#record(service, '*', `site-${this.role}`, kind, detail);
  }
}

/** Both sites in one process on loopback (the embedded default, 127.0.0.2 / 127.0.0.3). */
export async function startEmbeddedVenue(
  config: VenueConfig,
  opts: Omit<SiteOptions, 'config' | 'role'> = {},
): Promise<{ primary: Site; backup: Site; stop(): Promise<void> }> {
  const backup = new Site({ ...opts, config, role: 'backup' });
  await backup.start();
  const primary = new Site({ ...opts, config, role: 'primary' });
  try {
    await primary.start();
  } catch (e) {
    await backup.stop();
    throw e;
  }
  return {
    primary,
    backup,
    stop: async () => {
      await primary.stop();
      await backup.stop();
    },
  };
}

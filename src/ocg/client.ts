// The subscriber-side OCG-C client (spec note §1.2–1.4, §3.12–3.13, §4): lookup
// first, then the trading gateway pair it names (Primary, then Secondary), logon with the
// RSA-encrypted time-prefixed password and the next expected sequence number, trading, and the
// failover path of §1.3/§4: after a loss wait 10 s, same Primary, then Secondary, then back to the
// lookup service (which reaches the backup site once its lookup opens), log on there with the
// continuing sequence numbers and recover what was missed. The session layer (sequence numbers,
// gap recovery, heartbeats, test requests) is OcgSession with role 'client'; this file owns the
// socket, the failover loop, the orders and the de-duplication of replayed Execution Reports.
//
// Every step is reported as an OcgClientEvent ('event', and under its own kind) for the probe's
// evidence (docs/architecture.md, contract 1). All waits run on the injectable Clock, scaled by
// `timeScale`, so tests and accelerated rundowns never sleep for real.
import type net from 'node:net';
import { EventEmitter } from 'node:events';
import { WriteBatcher, connectWithin, systemClock, type Clock, type TimerHandle } from '../wire/index.ts';
import { OcgFrameReader } from './frame-reader.ts';
import type { OcgRuntimeHooks } from './hooks.ts';
import { DisclosureInstructions, ExecType, NO_ORDER_ID, OcgMsgType, OrdType, SecurityIdSource, SessionStatus, toPrice, toQty } from './messages.ts';
import type {
  AmendRequest,
  BusinessMessageReject,
  CancelRequest,
  ExecutionReport,
  MassCancelRequest,
  NewOrder,
  OcgHeader,
  OcgMessage,
  Reject,
} from './messages.ts';
import { profileFor, type OcgProfile, type OcgService } from './profile.ts';
import {
  LookupClient,
  LookupAbortedError,
  LOOKUP_DEFAULTS,
  type GatewayAddress,
  type LookupAnswer,
  type LookupEndpoint,
  type LookupFailureEvent,
  type SiteName,
} from './lookup-client.ts';
import { OcgSession, OCG_SESSION_TIMERS, type OcgSessionEvent } from './session.ts';
import { MemorySessionStore, type SessionJournal } from './session-store.ts';
import { encryptPassword } from './password.ts';
import { transactionTimeFromMillis } from './time.ts';
import { securityExchangeOf } from './order-rules.ts';
import { silentLogger, type OcgLogger } from './log.ts';

/** Client timers at timeScale 1 (ms). Session timers (heartbeat 20 s …) are OCG_SESSION_TIMERS. */
export const OCG_CLIENT_TIMING = {
  /** §1.3: wait after an abrupt disconnect or a gateway-initiated Logout [SPEC]. */
  reconnectDelayMs: 10_000,
  /** §1.2: wait after a failed lookup attempt, and before asking again when a looked-up pair failed [SPEC]. */
  lookupRetryMs: LOOKUP_DEFAULTS.retryDelayMs,
  /** Lookup connect + answer wait: not published [INF]. */
  lookupTimeoutMs: LOOKUP_DEFAULTS.responseTimeoutMs,
  /** Gateway TCP connect wait: not published [INF]; a refused connection fails at once anyway. */
  connectTimeoutMs: 5_000,
} as const;

export type OcgClientTiming = { -readonly [K in keyof (typeof OCG_CLIENT_TIMING & typeof OCG_SESSION_TIMERS)]: number };

export const OcgClientEventKind = {
  LookupAnswered: 'lookup-answered',
  Connected: 'connected',
  LogonAccepted: 'logon-accepted',
  LogonRejected: 'logon-rejected',
  GapDetected: 'gap-detected',
  GapRecovered: 'gap-recovered',
  Disconnected: 'disconnected',
  FailoverFollowed: 'failover-followed',
  FirstAckAfterFailover: 'first-ack-after-failover',
  /** Not in the brief's list, kept for the evidence of the order tried: a lookup endpoint or gateway that did not take us. */
  LookupFailed: 'lookup-failed',
  ConnectFailed: 'connect-failed',
} as const;
export type OcgClientEventKindName = (typeof OcgClientEventKind)[keyof typeof OcgClientEventKind];

/** One reported step: `at` is the client clock's epoch ms. */
export interface OcgClientEvent {
  kind: OcgClientEventKindName;
  at: number;
  detail: Record<string, unknown>;
}

/** Deliberately faulty subscriber behaviour, for the probe's negative rehearsals. */
export interface OcgClientFaults {
  /** After losing both gateways, keep retrying the old pair instead of asking the lookup service again. */
  neverRelookup?: boolean;
  /** Log on with sequence 1 (and next expected 1) after a loss, as if the session were new. */
  resetSequenceOnReconnect?: boolean;
}

export interface OcgClientOptions {
  compId: string;
  /** Clear-text password; encrypted per logon with the venue's public key (§1.4). */
  password: string;
  /** The venue's RSA public key, PEM (distributed out of band, §1.4). */
  publicKeyPem: string;
  /** Published lookup endpoints in the spec's order: PS-primary, PS-mirror, BS-primary, BS-mirror (§1.2). */
  lookup: LookupEndpoint[];
  /** Submitting Broker ID of the orders (§5.1). */
  brokerId: string;
  /** Submitting BCAN Field for board-lot orders (§5.1), `CE0001.100` style. */
  bcan?: string;
  service?: OcgService;
  clock?: Clock;
  /** Multiplies every wait and timer (0.001: the 10 s reconnect wait becomes 10 ms). Default 1. */
  timeScale?: number;
  /** Explicit timer values in ms (after scaling; each overrides its scaled default). */
  timing?: Partial<OcgClientTiming>;
  /** The client's persisted sequence numbers and sent messages (default: in memory). */
  journal?: SessionJournal;
  /** Source address (a registered IP of the Comp ID, §1.1). */
  localAddress?: string;
  /** First Client Order ID (digits, ≤ 99 999 999, §5.1). Default: 1 + ms since UTC midnight. */
  firstClientOrderId?: number;
  faults?: OcgClientFaults;
  log?: OcgLogger;
  /** Password encryption (default: password.ts encryptPassword with the clock's time). */
  encrypt?: (publicKeyPem: string, password: string, nowMs: number) => string;
  /**
   * A runtime profile's hooks (src/lowlatency): onStart at start(), onStop at close(), onIdle when a
   * received chunk has been handled and no request is waiting for its answer.
   */
  hooks?: OcgRuntimeHooks;
}

/** A new order as the application gives it: shares and prices as numbers or exact decimal strings. */
export interface ClientOrder {
  securityId: string;
  side: number;
  quantity: number | string | bigint;
  /** Limit price; absent ⇒ market order (§5.1). */
  price?: number | string | bigint;
  tif?: number;
  clientOrderId?: string;
  lotType?: number;
  text?: string;
  /** Security Exchange (§5.1); absent ⇒ the security's market (securityExchangeOf: XHKG, or XSSC/XSEC by code). */
  securityExchange?: string;
}

export interface ClientAmend {
  quantity: number | string | bigint;
  price?: number | string | bigint;
  clientOrderId?: string;
}

export type OcgClientState = 'idle' | 'lookup' | 'connecting' | 'logging-on' | 'active' | 'waiting' | 'closed';

/** A request answered by Business Message Reject (9) or Reject (3) instead of an Execution Report. */
export class OcgRequestRejectedError extends Error {
  override name = 'OcgRequestRejectedError';
  readonly reply: BusinessMessageReject | Reject;
  constructor(message: string, reply: BusinessMessageReject | Reject) {
    super(message);
    this.reply = reply;
  }
}

export class OcgClientClosedError extends Error {
  override name = 'OcgClientClosedError';
}

/** What the client knows of one order (any Client Order ID of its chain names it). */
export interface ClientOrderState {
  securityId: string;
  side: number;
  orderType: number;
  /** The Client Order ID that names the order now (an accepted amend moves it, §5.3). */
  current: string;
  orderId?: string;
  orderStatus?: number;
}

type RequestKind = 'new' | 'cancel' | 'amend' | 'massCancel';

interface PendingRequest {
  kind: RequestKind;
  resolve: (er: ExecutionReport) => void;
  reject: (e: Error) => void;
}

/** What one connection to one gateway came to. */
interface Visit {
  loggedOn: boolean;
  /** Session Status of a refused logon; undefined for a silent close. */
  refusedStatus?: number;
  reason: string;
}

const FATAL_LOGON_STATUS = new Set<number>([
  SessionStatus.InvalidUsernameOrPassword,
  SessionStatus.AccountLocked,
  SessionStatus.PasswordExpired,
  SessionStatus.PasswordChangeRequired,
]);

/**
 * OCG-C client. Events: 'event' (OcgClientEvent, every step) and each step under its kind;
 * 'execution-report' (ExecutionReport, header) once per Client Order ID + Execution ID;
 * 'duplicate-report' (ExecutionReport) for a replayed one that was suppressed; 'business-reject'
 * (BusinessMessageReject); 'reject' (Reject); 'message' (any other in-sequence message);
 * 'stopped' {reason} when the client gives up (fatal logon refusal) or is closed.
 */
export class OcgClient extends EventEmitter {
  readonly compId: string;
  readonly profile: OcgProfile;
  readonly journal: SessionJournal;
  readonly timing: OcgClientTiming;
  readonly #o: OcgClientOptions;
  readonly #clock: Clock;
  readonly #log: OcgLogger;
  readonly #lookup: LookupClient;
  readonly #faults: OcgClientFaults;
  #state: OcgClientState = 'idle';
  #closed = false;
  #running: Promise<void> | null = null;
  #abort = new AbortController();
  #socket: net.Socket | null = null;
  #session: OcgSession | null = null;
  /** Outbound frames of one turn leave in one write (src/wire/write-batcher.ts); starts small (a probe with many idle sessions). */
  readonly #batch = new WriteBatcher();
  #site: SiteName | null = null;
  #gateway: (GatewayAddress & { which: 'primary' | 'secondary' }) | null = null;
  /** The gateway of the last accepted logon, to tell a failover from a reconnect. */
  #lastLoggedOnGateway: string | null = null;
  #lastLoggedOnSite: SiteName | null = null;
  #lossAt = -1;
  #lostOnce = false;
  #awaitingFirstAck: { lossAt: number; logonAt: number; from: string; to: string } | null = null;
  readonly #readyWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  /** Application messages waiting for a logon (nothing may precede the Logon reply, §3.12). */
  #outbox: OcgMessage[] = [];
  /** Set from the Logon reply until the outbox has been sent (keeps the requests in order). */
  #outboxHeld = false;
  readonly #pending = new Map<string, PendingRequest>();
  readonly #orders = new Map<string, ClientOrderState>();
  /**
   * Every report delivered, for the §3.13 dedupe on Client Order ID + Execution ID: Execution ID →
   * its Client Order ID (an array in the rare case one Execution ID came with several). Keyed
   * by the decoded Execution ID string itself, so the hot path builds no composite key.
   */
  readonly #seenReports = new Map<string, string | string[]>();
  #started = false;
  #nextClOrdId: number;
  #sleeper: { timer: TimerHandle; resolve: () => void } | null = null;
  #txTimeAt = Number.NaN;
  #txTime = '';
  /** Counters for the probe and the benchmarks. */
  readonly stats = { reportsDelivered: 0, duplicateReports: 0, logons: 0, disconnects: 0, lookups: 0 };

  constructor(options: OcgClientOptions) {
    super();
    this.#o = options;
    this.compId = options.compId;
    this.profile = profileFor(options.service ?? 'OTP-C');
    this.#clock = options.clock ?? systemClock;
    this.#log = options.log ?? silentLogger;
    this.#faults = options.faults ?? {};
    const scale = options.timeScale ?? 1;
    const scaled = {} as Record<string, number>;
    for (const [k, v] of Object.entries({ ...OCG_CLIENT_TIMING, ...OCG_SESSION_TIMERS })) scaled[k] = v * scale;
    const timing = { ...scaled, ...options.timing } as OcgClientTiming;
    // The session looks at the clock every tickMs: fine enough for its shortest timer (1/20 of it,
    // 1 s with the spec's 20 s heartbeat), and no finer: a venue's thousands of sessions each
    // ticking every 10 ms under a time scale kept a core busy with timers that had nothing to do.
    if (options.timing?.tickMs === undefined) {
      const shortest = Math.min(
        timing.heartbeatIntervalMs,
        timing.testRequestAfterMs,
        timing.testRequestTimeoutMs,
        timing.logonTimeoutMs,
        timing.logoutTimeoutMs,
        timing.resendTimeoutMs,
      );
      timing.tickMs = Math.max(1, Math.min(OCG_SESSION_TIMERS.tickMs, shortest / 20));
    }
    this.timing = timing;
    this.journal = options.journal ?? new MemorySessionStore().journal(options.compId);
    this.#lookup = new LookupClient({
      endpoints: options.lookup,
      compId: options.compId,
      clock: this.#clock,
      retryDelayMs: this.timing.lookupRetryMs,
      responseTimeoutMs: this.timing.lookupTimeoutMs,
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    });
    this.#lookup.on('failed', (f: LookupFailureEvent) => {
      const d: Record<string, unknown> = {
        endpoint: `${f.endpoint.host}:${f.endpoint.port}`,
        endpointName: f.endpoint.name,
        site: f.endpoint.site,
        reason: f.reason,
        detail: f.detail,
        attempt: f.attempt,
      };
      if (f.rejectCode !== undefined) d['rejectCode'] = f.rejectCode;
      this.#report('lookup-failed', d);
    });
    this.#lookup.on('attempt', (a) => this.emit('lookup-attempt', a));
    this.#nextClOrdId = options.firstClientOrderId ?? 1 + (this.#clock.now() % 86_400_000);
  }

  get state(): OcgClientState {
    return this.#state;
  }

  /** Site of the gateway pair in use (from the lookup endpoint that named it). */
  get site(): SiteName | null {
    return this.#site;
  }

  get gateway(): (GatewayAddress & { which: 'primary' | 'secondary' }) | null {
    return this.#gateway;
  }

  get loggedOn(): boolean {
    return this.#state === 'active';
  }

  get lookupClient(): LookupClient {
    return this.#lookup;
  }

  /** Starts the lookup → connect → logon loop; resolves at the first accepted logon. */
  start(): Promise<void> {
    if (this.#closed) return Promise.reject(new OcgClientClosedError('client closed'));
    if (!this.#started) {
      this.#started = true;
      this.#o.hooks?.onStart?.();
    }
    if (this.#running === null) {
      this.#running = this.#run().catch((e: unknown) => {
        if (!(e instanceof LookupAbortedError) && !this.#closed) this.#log.log('error', 'ocg.client.loopFailed', { error: String(e) });
      });
    }
    return this.whenLoggedOn();
  }

  /** Resolves when the client is (next) logged on; rejects when it is closed or gives up. */
  whenLoggedOn(): Promise<void> {
    if (this.#state === 'active') return Promise.resolve();
    if (this.#closed) return Promise.reject(new OcgClientClosedError('client closed'));
    return new Promise((resolve, reject) => this.#readyWaiters.push({ resolve, reject }));
  }

  // -------------------------------------------------------------------------------------------
  // Trading. Each request resolves with the Execution Report that answers it (§5.7) and rejects
  // with OcgRequestRejectedError on a Business Message Reject / Reject naming its Client Order ID.
  // Requests made while not logged on wait for the next logon (§3.12: nothing before the reply).

  /** Next Client Order ID: digits, unique per day (§5.1). */
  nextClientOrderId(): string {
    const id = this.#nextClOrdId++;
    if (id > 99_999_999) throw new RangeError('Client Order IDs exhausted for the day (§5.1: at most 99 999 999)');
    return String(id);
  }

  /** New Order (11); resolves with its first Execution Report (ack '0', reject '8', …). */
  newOrder(o: ClientOrder): Promise<ExecutionReport> {
    const m = this.#newOrderMessage(o);
    return this.#request('new', m.clientOrderId!, m);
  }

  /**
   * New Order (11) with callbacks instead of a promise, for a sender that counts garbage (the
   * low-latency profile: a promise, its executor and its two resolving functions are ~350 bytes an
   * order): `onReport` gets its first Execution Report, `onError` what newOrder() would reject with
   * (always later, never inside this call). Returns the Client Order ID.
   */
  submitNewOrder(o: ClientOrder, onReport: (er: ExecutionReport) => void, onError: (e: Error) => void): string {
    const m = this.#newOrderMessage(o);
    const id = m.clientOrderId!;
    const refused = this.#refusal(m);
    if (refused !== null) queueMicrotask(() => onError(refused));
    else {
      this.#pending.set(id, { kind: 'new', resolve: onReport, reject: onError });
      this.#submit(m);
    }
    return id;
  }

  /**
   * Runs fn; what it sends leaves in one socket write when it returns, without a tick scheduled
   * for it (src/wire/write-batcher.ts hold/release). For a sender's own timer callback.
   */
  batch(fn: () => void): void {
    this.#batch.hold();
    try {
      fn();
    } finally {
      this.#batch.release();
    }
  }

  #newOrderMessage(o: ClientOrder): NewOrder {
    const clientOrderId = o.clientOrderId ?? this.nextClientOrderId();
    const orderType = o.price === undefined ? OrdType.Market : OrdType.Limit;
    // Every field in the literal (undefined = absent, as the encoder reads it): one object of one
    // shape, no property store grown afterwards.
    const m: NewOrder = {
      msgType: OcgMsgType.NewOrder,
      clientOrderId,
      submittingBrokerId: this.#o.brokerId,
      securityId: o.securityId,
      securityIdSource: SecurityIdSource.ExchangeSymbol,
      securityExchange: o.securityExchange ?? this.#marketOf(o.securityId),
      transactionTime: this.#transactionTime(),
      side: o.side,
      orderType,
      orderQuantity: typeof o.quantity === 'bigint' ? o.quantity * 100_000_000n : toQty(o.quantity),
      disclosureInstructions: DisclosureInstructions.None,
      price: o.price === undefined ? undefined : typeof o.price === 'bigint' ? o.price : toPrice(o.price),
      tif: o.tif,
      lotType: o.lotType,
      text: o.text,
      submittingBcanField: this.#o.bcan,
    };
    this.#orders.set(clientOrderId, { securityId: o.securityId, side: o.side, orderType, current: clientOrderId });
    return m;
  }

  /** The fields a Cancel (13) and an Amend (12) share: the new Client Order ID naming the order `rec` is now. */
  #replacing(rec: ClientOrderState, id: string) {
    return {
      clientOrderId: id,
      submittingBrokerId: this.#o.brokerId,
      securityId: rec.securityId,
      securityIdSource: SecurityIdSource.ExchangeSymbol,
      securityExchange: this.#marketOf(rec.securityId),
      transactionTime: this.#transactionTime(),
      side: rec.side,
      originalClientOrderId: rec.current,
    };
  }

  /** Cancel Request (13) for the order first sent as (or now named) `clientOrderId`; resolves with '4' or 'X'. */
  cancel(clientOrderId: string, opts: { clientOrderId?: string } = {}): Promise<ExecutionReport> {
    const rec = this.#orders.get(clientOrderId);
    if (rec === undefined) return Promise.reject(new RangeError(`unknown order ${clientOrderId}`));
    const id = opts.clientOrderId ?? this.nextClientOrderId();
    const m: CancelRequest = { msgType: OcgMsgType.CancelRequest, ...this.#replacing(rec, id) };
    if (rec.orderId !== undefined) m.orderId = rec.orderId;
    this.#orders.set(id, rec);
    return this.#request('cancel', id, m);
  }

  /** Amend Request (12); resolves with '5' (amended) or 'Y' (amend rejected). */
  amend(clientOrderId: string, a: ClientAmend): Promise<ExecutionReport> {
    const rec = this.#orders.get(clientOrderId);
    if (rec === undefined) return Promise.reject(new RangeError(`unknown order ${clientOrderId}`));
    const id = a.clientOrderId ?? this.nextClientOrderId();
    const m: AmendRequest = {
      msgType: OcgMsgType.AmendRequest,
      ...this.#replacing(rec, id),
      orderType: rec.orderType,
      orderQuantity: typeof a.quantity === 'bigint' ? a.quantity * 100_000_000n : toQty(a.quantity),
      disclosureInstructions: DisclosureInstructions.None,
    };
    if (a.price !== undefined) m.price = typeof a.price === 'bigint' ? a.price : toPrice(a.price);
    if (rec.orderId !== undefined) m.orderId = rec.orderId;
    this.#orders.set(id, rec);
    return this.#request('amend', id, m);
  }

  /** Mass Cancel Request (14) of every order of this broker (type 7, §5.5); fire and forget. */
  massCancelAll(): string {
    const id = this.nextClientOrderId();
    const m: MassCancelRequest = {
      msgType: OcgMsgType.MassCancelRequest,
      clientOrderId: id,
      submittingBrokerId: this.#o.brokerId,
      transactionTime: this.#transactionTime(),
      massCancelRequestType: 7,
    };
    this.#submit(m);
    return id;
  }

  /** The order a Client Order ID belongs to (any ID of its chain), as last reported. */
  order(clientOrderId: string): Readonly<ClientOrderState> | undefined {
    return this.#orders.get(clientOrderId);
  }

  /** The Security Exchange an order in this security carries (the gateway checks it per security, §5.1). */
  #marketOf(securityId: string): string {
    return securityExchangeOf(securityId, this.profile) ?? this.profile.securityExchanges[0]!;
  }

  /** Transaction Time of an outgoing request; formatted once per millisecond (hot path). */
  #transactionTime(): string {
    const now = this.#clock.now();
    if (now !== this.#txTimeAt) {
      this.#txTimeAt = now;
      this.#txTime = transactionTimeFromMillis(now);
    }
    return this.#txTime;
  }

  /** Why a request cannot be sent at all, or null. */
  #refusal(m: OcgMessage): Error | null {
    if (this.#closed) return new OcgClientClosedError('client closed');
    // e.g. no Amend Request on OTP-CSC (§5.14) [UNVERIFIED]: refused here, nothing sent.
    if (!this.profile.allowedMsgTypes.has(m.msgType)) return new RangeError(`message type ${m.msgType} is not offered on ${this.profile.service}`);
    return null;
  }

  #request(kind: RequestKind, clientOrderId: string, m: OcgMessage): Promise<ExecutionReport> {
    const refused = this.#refusal(m);
    if (refused !== null) return Promise.reject(refused);
    return new Promise<ExecutionReport>((resolve, reject) => {
      this.#pending.set(clientOrderId, { kind, resolve, reject });
      this.#submit(m);
    });
  }

  #submit(m: OcgMessage): void {
    const s = this.#session;
    if (this.#state === 'active' && s !== null && s.loggedOn && !this.#outboxHeld) s.sendMessage(m);
    else this.#outbox.push(m);
  }

  // -------------------------------------------------------------------------------------------
  // Inbound application messages (in sequence, from the session)

  #onAppMessage(message: OcgMessage, header: OcgHeader): void {
    switch (message.msgType) {
      case OcgMsgType.ExecutionReport:
        this.#onExecutionReport(message, header);
        return;
      case OcgMsgType.BusinessMessageReject:
        this.emit('business-reject', message, header);
        this.#failPending(
          message.businessRejectReferenceId,
          new OcgRequestRejectedError(`Business Message Reject ${message.businessRejectCode ?? '?'}: ${message.reason ?? ''}`, message),
        );
        return;
      case OcgMsgType.Reject:
        this.emit('reject', message, header);
        this.#failPending(message.clientOrderId, new OcgRequestRejectedError(`Reject ${message.messageRejectCode ?? '?'}: ${message.reason ?? ''}`, message));
        return;
      default:
        this.emit('message', message, header);
    }
  }

  #failPending(clientOrderId: string | undefined, e: Error): void {
    if (clientOrderId === undefined) return;
    const p = this.#pending.get(clientOrderId);
    if (p === undefined) return;
    this.#pending.delete(clientOrderId);
    p.reject(e);
  }

  #onExecutionReport(er: ExecutionReport, header: OcgHeader): void {
    const id = er.clientOrderId ?? '';
    // §3.13/§4: a replay (PossDup) or a re-send under a new seq (PossResend) must never reach the
    // application twice: Execution ID is unique per day; keyed with the Client Order ID as asked.
    const execId = er.executionId ?? '';
    const seen = this.#seenReports.get(execId);
    if (seen === undefined) {
      this.#seenReports.set(execId, id);
    } else if (seen === id || (typeof seen !== 'string' && seen.includes(id))) {
      this.stats.duplicateReports++;
      this.emit('duplicate-report', er, header);
      return;
    } else {
      this.#seenReports.set(execId, typeof seen === 'string' ? [seen, id] : [...seen, id]);
    }
    this.stats.reportsDelivered++;
    const rec = this.#orders.get(id) ?? (er.originalClientOrderId !== undefined ? this.#orders.get(er.originalClientOrderId) : undefined);
    if (rec !== undefined) {
      if (er.orderId && er.orderId !== NO_ORDER_ID) rec.orderId = er.orderId; // 'NONE': no order (rejected, unknown)
      if (er.orderStatus !== undefined) rec.orderStatus = er.orderStatus;
      if (er.execType === ExecType.Amend) rec.current = id; // the chain continues under the amend's ID (§5.3)
    }
    const first = this.#awaitingFirstAck;
    if (first !== null && !header.possDup && !header.possResend) {
      this.#awaitingFirstAck = null;
      const now = this.#clock.now();
      this.#report('first-ack-after-failover', {
        ms: now - first.lossAt,
        sinceLogonMs: now - first.logonAt,
        clientOrderId: id,
        execType: er.execType,
        from: first.from,
        to: first.to,
        site: this.#site,
      });
    }
    // (emit() gathers its arguments into a new array: skipped when nobody listens.)
    if (this.listenerCount('execution-report') !== 0) this.emit('execution-report', er, header);
    const p = this.#pending.get(id);
    if (p !== undefined && this.#answers(p.kind, er.execType)) {
      this.#pending.delete(id);
      p.resolve(er);
    }
  }

  #answers(kind: RequestKind, execType: string | undefined): boolean {
    switch (kind) {
      case 'new':
        return true;
      case 'cancel':
        return execType === ExecType.Cancel || execType === ExecType.CancelReject;
      // A cancel/replace reports '4' on the old order first (§5.3): wait for '5' or 'Y'.
      case 'amend':
        return execType === ExecType.Amend || execType === ExecType.AmendReject;
      default:
        return true;
    }
  }

  // -------------------------------------------------------------------------------------------
  // The failover loop (§1.3, §4)

  async #run(): Promise<void> {
    let pair: LookupAnswer | null = null;
    /** The pair came from a lookup answered in this round (not the pair of a lost session). */
    let freshPair = false;
    let afterLoss = false;
    while (!this.#closed) {
      if (pair === null) {
        this.#setState('lookup');
        this.stats.lookups++;
        pair = await this.#lookup.lookup({ signal: this.#abort.signal });
        freshPair = true;
        this.#site = pair.site;
        this.#report('lookup-answered', {
          endpoint: `${pair.endpoint.host}:${pair.endpoint.port}`,
          endpointName: pair.endpoint.name,
          site: pair.site,
          primary: `${pair.primary.host}:${pair.primary.port}`,
          secondary: `${pair.secondary.host}:${pair.secondary.port}`,
          attempts: pair.attempts,
        });
      }
      let loggedOn = false;
      let fatal = false;
      for (const which of ['primary', 'secondary'] as const) {
        if (this.#closed) return;
        const gw = pair[which];
        if (which === 'secondary' && gw.host === pair.primary.host && gw.port === pair.primary.port) break;
        const v = await this.#visit(gw, which, pair.site, afterLoss);
        if (v.loggedOn) {
          loggedOn = true;
          break;
        }
        if (v.refusedStatus !== undefined && FATAL_LOGON_STATUS.has(v.refusedStatus)) {
          fatal = true;
          break;
        }
      }
      if (this.#closed) return;
      if (fatal) {
        // Invalid password, locked, expired: retrying would only lock the account (§1.4 App. A).
        this.#stop('logon refused with a status that needs manual action');
        return;
      }
      if (loggedOn) {
        // The session ran and was lost: §1.3 — wait 10 s, then the same Primary, then Secondary.
        afterLoss = true;
        freshPair = false;
        this.#setState('waiting');
        await this.#sleep(this.timing.reconnectDelayMs);
        continue;
      }
      // Neither gateway of the pair took us.
      if (this.#faults.neverRelookup === true && afterLoss) {
        // Fault switch: the faulty subscriber keeps dialling the old pair, 10 s apart.
        this.#setState('waiting');
        await this.#sleep(this.timing.reconnectDelayMs);
        continue;
      }
      // Back to the lookup service (§1.3 step 4). A freshly looked-up pair that failed costs the
      // 5 s wait before asking again, so a stale answer cannot make the client spin [INF].
      if (freshPair) {
        this.#setState('waiting');
        await this.#sleep(this.timing.lookupRetryMs);
      }
      pair = null;
    }
  }

  /** Connect to one gateway, log on and run the session until it ends. */
  async #visit(gw: GatewayAddress, which: 'primary' | 'secondary', site: SiteName, afterLoss: boolean): Promise<Visit> {
    this.#setState('connecting');
    const label = `${gw.host}:${gw.port}`;
    const socket = await this.#connect(gw);
    if (typeof socket === 'string') {
      this.#log.log('info', 'ocg.client.connectFailed', { gateway: label, which, reason: socket });
      this.#report('connect-failed', { gateway: label, which, site, reason: socket });
      return { loggedOn: false, reason: socket };
    }
    if (this.#closed) {
      socket.destroy();
      return { loggedOn: false, reason: 'closed' };
    }
    this.#socket = socket;
    this.#gateway = { ...gw, which };
    this.#report('connected', { gateway: label, which, site });
    if (afterLoss && this.#faults.resetSequenceOnReconnect === true) {
      // Fault switch: behave as if the session were new (the gateway must refuse it, §3.12).
      this.journal.reset();
    }
    return await new Promise<Visit>((resolve) => {
      let loggedOn = false;
      let refusedStatus: number | undefined;
      let refused = false;
      let ended = false;
      const reader = new OcgFrameReader();
      const session = new OcgSession({
        role: 'client',
        compId: this.compId,
        journal: this.journal,
        clock: this.#clock,
        log: this.#log,
        profile: this.profile,
        // session.ts types its timer overrides as the literal spec values: a cast carries ours.
        timers: {
          heartbeatIntervalMs: this.timing.heartbeatIntervalMs,
          testRequestAfterMs: this.timing.testRequestAfterMs,
          testRequestTimeoutMs: this.timing.testRequestTimeoutMs,
          logonTimeoutMs: this.timing.logonTimeoutMs,
          logoutTimeoutMs: this.timing.logoutTimeoutMs,
          tickMs: this.timing.tickMs,
        } as unknown as Partial<typeof OCG_SESSION_TIMERS>,
        send: (frame) => this.#batch.write(socket, frame),
        disconnect: () => this.#hangUp(socket),
        onMessage: (m, h) => this.#onAppMessage(m, h),
        onEvent: (e) => {
          switch (e.type) {
            case 'logonAccepted':
              loggedOn = true;
              this.#onLogonAccepted(e, label, which, site);
              break;
            case 'logonRefused':
              refused = true;
              refusedStatus = e.sessionStatus;
              this.#report('logon-rejected', { status: e.sessionStatus ?? null, text: e.text ?? '', gateway: label, site });
              break;
            case 'gapDetected':
              this.#report('gap-detected', { expected: e.expected, received: e.received, gateway: label, site });
              break;
            case 'gapRecovered':
              this.#report('gap-recovered', { from: e.from, to: e.to, gateway: label, site });
              break;
            case 'disconnected':
              end(e.reason);
              break;
            default:
              break;
          }
          this.emit('session-event', e);
        },
      });
      this.#session = session;
      const end = (reason: string) => {
        if (ended) return;
        ended = true;
        session.onTransportClosed(reason);
        this.#hangUp(socket);
        if (this.#session === session) this.#session = null;
        if (this.#socket === socket) this.#socket = null;
        if (loggedOn) {
          this.stats.disconnects++;
          this.#lossAt = this.#clock.now();
          this.#lostOnce = true;
          this.#awaitingFirstAck = null;
          if (!this.#closed) this.#setState('waiting');
          // byClient: our own close (Logout exchange), not a loss to recover from.
          this.#report('disconnected', { reason, gateway: label, site, byClient: this.#closed });
        } else if (!refused) {
          // Silent close before the Logon reply: a refusal without Session Status (§3.12, §8 item 9).
          this.#report('logon-rejected', { status: null, text: reason, gateway: label, site });
        }
        resolve(refusedStatus !== undefined ? { loggedOn, refusedStatus, reason } : { loggedOn, reason });
      };
      const hooks = this.#o.hooks;
      socket.on('data', (chunk: Buffer) => {
        reader.push(chunk);
        for (;;) {
          const f = reader.nextFrameAt(); // in place: no view allocated per message
          if (f === null) break;
          if (f !== true) {
            session.onFramingError(f);
            break;
          }
          session.onFrameAt(reader.frame, reader.offset, reader.length);
          if (ended) break;
        }
        if (hooks?.onIdle !== undefined && this.#started && this.#pending.size === 0) hooks.onIdle();
      });
      socket.on('error', () => {});
      socket.on('close', () => end('connection closed'));
      this.#setState('logging-on');
      // The session drops TCP when no Logon reply comes within 60 s (§1.3); the client then moves
      // on to the next address rather than retrying the same one after another 60 s [INF].
      // A refused Logon keeps the seq it consumed: the note suggests reusing it [INF, §3.12], but
      // if the gateway did take it (reply lost) a reused seq is "too low" forever, whereas a
      // skipped seq is only a gap the handshake fills (§3.12 step 5) — so we never step back.
      const password = (this.#o.encrypt ?? encryptPassword)(this.#o.publicKeyPem, this.#o.password, this.#clock.now());
      session.startLogon({ password });
    });
  }

  #onLogonAccepted(e: Extract<OcgSessionEvent, { type: 'logonAccepted' }>, label: string, which: 'primary' | 'secondary', site: SiteName): void {
    this.stats.logons++;
    const now = this.#clock.now();
    this.#setState('active');
    this.#report('logon-accepted', {
      nextExpected: e.peerNextExpected,
      site,
      gateway: label,
      which,
      seqNum: this.journal.nextToSend - 1,
      ourNextExpected: this.journal.nextExpected,
      sessionStatus: e.sessionStatus ?? null,
    });
    const previous = this.#lastLoggedOnGateway;
    const previousSite = this.#lastLoggedOnSite;
    this.#lastLoggedOnGateway = label;
    this.#lastLoggedOnSite = site;
    if (this.#lostOnce && previous !== null && previous !== label) {
      // Logged on again, at another gateway than the one lost: the failover was followed.
      this.#report('failover-followed', { from: previous, to: label, fromSite: previousSite, toSite: site, ms: now - this.#lossAt });
      this.#awaitingFirstAck = { lossAt: this.#lossAt, logonAt: now, from: previous, to: label };
    }
    // Requests made while away go out under the continuing sequence numbers, but only after the
    // session has finished with the Logon reply: it may still replay our own older messages
    // (§3.12 step 5), and those must reach the gateway first.
    const session = this.#session!;
    this.#outboxHeld = true;
    queueMicrotask(() => {
      this.#outboxHeld = false;
      if (this.#session !== session || !session.loggedOn) return;
      const out = this.#outbox;
      this.#outbox = [];
      for (const m of out) session.sendMessage(m);
    });
    for (const w of this.#readyWaiters.splice(0)) w.resolve();
  }

  #connect(gw: GatewayAddress): Promise<net.Socket | string> {
    const localAddress = this.#o.localAddress;
    return connectWithin({
      host: gw.host,
      port: gw.port,
      ...(localAddress ? { localAddress } : {}),
      clock: this.#clock,
      timeoutMs: this.timing.connectTimeoutMs,
      signal: this.#abort.signal,
    });
  }

  /**
   * Close a gateway connection, but let what the session just wrote (a Logout) reach the wire
   * first: the batch is flushed, end() lets it drain, then the socket is destroyed.
   */
  #hangUp(socket: net.Socket): void {
    if (socket.destroyed) return;
    this.#batch.flush(socket);
    if (socket.writableLength === 0) {
      socket.destroy();
      return;
    }
    socket.once('finish', () => socket.destroy());
    socket.once('error', () => socket.destroy());
    socket.end();
  }

  #sleep(ms: number): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = this.#clock.setTimeout(() => {
        this.#sleeper = null;
        resolve();
      }, ms);
      this.#sleeper = { timer, resolve };
    });
  }

  #setState(s: OcgClientState): void {
    if (this.#state === 'closed' || this.#state === s) return;
    this.#state = s;
    this.emit('state', s);
  }

  #report(kind: OcgClientEventKindName, detail: Record<string, unknown>): void {
    const ev: OcgClientEvent = { kind, at: this.#clock.now(), detail };
    this.#log.log('info', `ocg.client.${kind}`, { compId: this.compId, ...detail });
    this.emit(kind, detail);
    this.emit('event', ev);
  }

  #stop(reason: string): void {
    if (this.#started) {
      this.#started = false;
      this.#o.hooks?.onStop?.();
    }
    if (this.#state === 'closed') return;
    this.#closed = true;
    this.#abort.abort();
    this.#lookup.close();
    this.#setState('closed');
    this.#state = 'closed';
    const s = this.#sleeper;
    this.#sleeper = null;
    s?.timer.cancel();
    s?.resolve();
    const err = new OcgClientClosedError(`client stopped: ${reason}`);
    for (const w of this.#readyWaiters.splice(0)) w.reject(err);
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
    this.#outbox = [];
    this.emit('stopped', { reason });
  }

  /**
   * Log out (§3.4: Logout, wait for the reply up to the logout timeout, then close) and stop.
   * Pending requests reject with OcgClientClosedError.
   */
  async close(reason = 'client closed'): Promise<void> {
    if (this.#state === 'closed' && this.#socket === null) return;
    const session = this.#session;
    const socket = this.#socket;
    this.#stop(reason);
    if (session !== null && socket !== null && !socket.destroyed) {
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        if (session.loggedOn) session.logout(reason);
        else socket.destroy();
      });
    } else {
      socket?.destroy();
    }
    await this.#running;
  }
}

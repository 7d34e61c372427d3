// The subscriber-side OCG-C FIX client (initiator): fixed gateway addresses of both sites, tried
// in order (no lookup service for FIX, docs/spec-decisions.md "## OCG-C FIX" 1), Logon with the
// RSA-encrypted time-prefixed password in EncryptedPassword(1402) and NextExpectedMsgSeqNum(789),
// heartbeats, test requests, resend in both directions, and after a loss: wait, the same address,
// then the next ones (the backup site's), logging on there with the sequence numbers continuing.
// The session rules are FixSession's (initiator side); this file owns the socket, the reconnect
// loop, the orders and the de-duplication of replayed Execution Reports. A drop copy CompID uses
// the same client and only listens.
//
// Every step is reported as a FixClientEvent ('event', and under its own kind), with the kinds of
// the binary client (src/ocg/client.ts) so that the probe reads both alike. Waits run on the
// injectable Clock, scaled by `timeScale`.
import type net from 'node:net';
import { EventEmitter } from 'node:events';
import { WriteBatcher, connectWithin, systemClock } from '../wire/index.ts';
import type { Clock, TimerHandle } from '../wire/index.ts';
import { MemorySessionStore, OCG_SESSION_TIMERS, encryptPassword, silentLogger } from '../ocg/index.ts';
import type { OcgLogger, SessionJournal } from '../ocg/index.ts';
import { FixStreamReader, fieldOf, msgTypeOf } from './codec.ts';
import type { FixField, FixMessage } from './codec.ts';
import { FixSession } from './session.ts';
import type { FixSessionEvent } from './session.ts';
import { FixMsgType, FixSessionStatus, Tag } from './tags.ts';
import { UtcTimestampCache } from './time.ts';
import { fixPriceOf } from './gateway.ts';

/** Client timers at timeScale 1 (ms); session timers are OCG_SESSION_TIMERS (inferred: the binary ones). */
export const FIX_CLIENT_TIMING = {
  /** Wait after a loss, and between rounds of addresses that all failed (binary §1.3's 10 s, inferred). */
  reconnectDelayMs: 10_000,
  connectTimeoutMs: 5_000,
  /** HeartBtInt(108) we ask for: the binary protocol's fixed 20 s (inferred). */
  heartbeatIntervalMs: OCG_SESSION_TIMERS.heartbeatIntervalMs,
} as const;

/** A gateway address; `site` names it in the events (the probe's evidence). */
export interface FixGatewayAddress {
  host: string;
  port: number;
  site?: 'primary' | 'backup';
}

export type FixClientEventKindName =
  | 'connected'
  | 'connect-failed'
  | 'logon-accepted'
  | 'logon-rejected'
  | 'gap-detected'
  | 'gap-recovered'
  | 'disconnected'
  | 'failover-followed'
  | 'first-ack-after-failover';

export interface FixClientEvent {
  kind: FixClientEventKindName;
  at: number;
  detail: Record<string, unknown>;
}

export interface FixClientFaults {
  /** Log on with MsgSeqNum 1 after a loss, as if the session were new (the gateway must refuse it). */
  resetSequenceOnReconnect?: boolean;
}

export interface FixClientOptions {
  /** SenderCompID(49). */
  compId: string;
  /** TargetCompID(56): the gateway's CompID. Default HKEX (inferred). */
  targetCompId?: string;
  password: string;
  /** A new password to set at the next logon (EncryptedNewPassword 1404). */
  newPassword?: string;
  publicKeyPem: string;
  /** Fixed addresses in the order to try: the primary site's first, then the backup site's. */
  addresses: FixGatewayAddress[];
  /** Submitting Broker ID: PartyID with PartyRole 1 (inferred, docs/spec-decisions.md 8). */
  brokerId: string;
  clock?: Clock;
  /** Multiplies every wait and timer (the heartbeat stays ≥ 1 s: HeartBtInt is whole seconds). */
  timeScale?: number;
  timing?: Partial<{
    reconnectDelayMs: number;
    connectTimeoutMs: number;
    heartbeatIntervalMs: number;
    logonTimeoutMs: number;
    logoutTimeoutMs: number;
    resendTimeoutMs: number;
  }>;
  /** Sequence numbers and sent messages (default: in memory); keep it across runs to continue. */
  journal?: SessionJournal;
  localAddress?: string;
  /** First ClOrdID (digits). Default: 1 + ms since UTC midnight. */
  firstClientOrderId?: number;
  faults?: FixClientFaults;
  log?: OcgLogger;
  encrypt?: (publicKeyPem: string, password: string, nowMs: number, options?: { withTimePrefix?: boolean }) => string;
}

export interface FixOrder {
  securityId: string;
  /** FIX Side(54): 1 buy, 2 sell, 5 sell short. */
  side: number;
  quantity: number;
  /** Limit price (decimal string or number); absent ⇒ market order. */
  price?: number | string;
  /** TimeInForce(59), the binary codes (0 day, 3 FaK, 4 FoK). */
  tif?: number;
  clientOrderId?: string;
  text?: string;
}

export type FixClientState = 'idle' | 'connecting' | 'logging-on' | 'active' | 'waiting' | 'closed';

/** A request answered by Reject (3) or BusinessMessageReject (j) instead of a report. */
export class FixRequestRejectedError extends Error {
  override name = 'FixRequestRejectedError';
  readonly reply: FixMessage;
  constructor(message: string, reply: FixMessage) {
    super(message);
    this.reply = reply;
  }
}

export class FixClientClosedError extends Error {
  override name = 'FixClientClosedError';
}

interface OrderRecord {
  securityId: string;
  side: number;
  orderType: number;
  current: string;
  orderId?: string;
}
type RequestKind = 'new' | 'cancel' | 'amend';
interface Pending {
  kind: RequestKind;
  seq: number;
  resolve: (m: FixMessage) => void;
  reject: (e: Error) => void;
}

/** Logon refusals that need a person (bad password, locked, expired, change required): no retry. */
const FATAL_STATUS = new Set<number>([
  FixSessionStatus.InvalidUsernameOrPassword,
  FixSessionStatus.AccountLocked,
  FixSessionStatus.PasswordExpired,
  FixSessionStatus.PasswordChangeRequired,
  FixSessionStatus.NewPasswordDoesNotComply,
]);
/** What the gateway may send us as application messages. */
const CLIENT_APP_TYPES: ReadonlySet<string> = new Set(['8', '9', 'j', 'r', 'AE', 'BF', 'CV']);

/**
 * OCG-C FIX client. Events: 'event' (FixClientEvent) and each under its kind; 'execution-report'
 * (FixMessage) once per ClOrdID + ExecID; 'order-cancel-reject', 'business-reject', 'reject',
 * 'message' (others); 'stopped' {reason}.
 */
export class FixClient extends EventEmitter {
  readonly compId: string;
  readonly targetCompId: string;
  readonly journal: SessionJournal;
  readonly #o: FixClientOptions;
  readonly #clock: Clock;
  readonly #log: OcgLogger;
  readonly #t: {
    reconnectDelayMs: number;
    connectTimeoutMs: number;
    heartbeatIntervalMs: number;
    logonTimeoutMs: number;
    logoutTimeoutMs: number;
    resendTimeoutMs: number;
    tickMs: number;
  };
  #state: FixClientState = 'idle';
  #closed = false;
  #running: Promise<void> | null = null;
  #socket: net.Socket | null = null;
  #session: FixSession | null = null;
  #address: FixGatewayAddress | null = null;
  #lastGateway: string | null = null;
  #lastSite: string | undefined;
  #lossAt = -1;
  #awaitingFirstAck: { lossAt: number; from: string; to: string } | null = null;
  #outbox: FixField[][] = [];
  #outboxHeld = false;
  readonly #pending = new Map<string, Pending>();
  readonly #orders = new Map<string, OrderRecord>();
  readonly #seenReports = new Set<string>();
  readonly #readyWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  #sleeper: { timer: TimerHandle; resolve: () => void } | null = null;
  /** Aborted when the client stops: a connection attempt under way gives up. */
  readonly #abort = new AbortController();
  #nextClOrdId: number;
  /** Outbound messages of one turn leave in one write (src/wire/write-batcher.ts); starts small. */
  readonly #batch = new WriteBatcher();
  readonly #time = new UtcTimestampCache();
  /** The Parties group every request carries: the Submitting Broker ID (fields are read-only once built). */
  readonly #partyFields: readonly FixField[];
  readonly stats = { reportsDelivered: 0, duplicateReports: 0, logons: 0, disconnects: 0 };

  constructor(options: FixClientOptions) {
    super();
    if (options.addresses.length === 0) throw new RangeError('FixClient: at least one gateway address is needed');
    if (!/^[A-Za-z0-9]{1,11}$/.test(options.compId))
      throw new RangeError(`FixClient: CompID ${JSON.stringify(options.compId)} must be 1..11 letters or digits`);
    this.#o = options;
    this.compId = options.compId;
    this.targetCompId = options.targetCompId ?? 'HKEX';
    this.#clock = options.clock ?? systemClock;
    this.#log = options.log ?? silentLogger;
    const scale = options.timeScale ?? 1;
    if (!(scale > 0)) throw new RangeError('FixClient: timeScale must be above 0');
    const t = {
      reconnectDelayMs: FIX_CLIENT_TIMING.reconnectDelayMs * scale,
      connectTimeoutMs: FIX_CLIENT_TIMING.connectTimeoutMs * scale,
      heartbeatIntervalMs: Math.max(1000, FIX_CLIENT_TIMING.heartbeatIntervalMs * scale),
      logonTimeoutMs: OCG_SESSION_TIMERS.logonTimeoutMs * scale,
      logoutTimeoutMs: OCG_SESSION_TIMERS.logoutTimeoutMs * scale,
      resendTimeoutMs: OCG_SESSION_TIMERS.resendTimeoutMs * scale,
      ...options.timing,
    };
    // The connect wait has a floor: a refused connection fails at once anyway, a slow one needs time.
    t.connectTimeoutMs = Math.max(t.connectTimeoutMs, 200);
    const shortest = Math.min(t.heartbeatIntervalMs, t.logonTimeoutMs, t.logoutTimeoutMs, t.resendTimeoutMs);
    this.#t = { ...t, tickMs: Math.max(1, Math.min(OCG_SESSION_TIMERS.tickMs, shortest / 20)) };
    this.journal = options.journal ?? new MemorySessionStore().journal(options.compId);
    this.#nextClOrdId = options.firstClientOrderId ?? 1 + (this.#clock.now() % 86_400_000);
    this.#partyFields = [
      [Tag.NoPartyIDs, '1'],
      [Tag.PartyID, options.brokerId],
      [Tag.PartyIDSource, 'D'],
      [Tag.PartyRole, '1'],
    ];
  }

  get state(): FixClientState {
    return this.#state;
  }
  get loggedOn(): boolean {
    return this.#state === 'active';
  }
  /** The address of the session in use (or last tried). */
  get address(): FixGatewayAddress | null {
    return this.#address;
  }

  /** Starts the connect → logon loop; resolves at the first accepted logon. */
  start(): Promise<void> {
    if (this.#closed) return Promise.reject(new FixClientClosedError('client closed'));
    if (this.#running === null) {
      this.#running = this.#run().catch((e: unknown) => {
        if (!this.#closed) this.#log.log('error', 'fix.client.loopFailed', { compId: this.compId, error: String(e) });
      });
    }
    return this.whenLoggedOn();
  }

  whenLoggedOn(): Promise<void> {
    if (this.#state === 'active') return Promise.resolve();
    if (this.#closed) return Promise.reject(new FixClientClosedError('client closed'));
    return new Promise((resolve, reject) => this.#readyWaiters.push({ resolve, reject }));
  }

  // -------------------------------------------------------------------------------------------
  // Trading: each request resolves with the message that answers it (ExecutionReport, or
  // OrderCancelReject for a cancel / replace) and rejects with FixRequestRejectedError on a Reject
  // or BusinessMessageReject. Requests made while not logged on wait for the next logon.

  nextClientOrderId(): string {
    return String(this.#nextClOrdId++);
  }

  /** NewOrderSingle (D); resolves with its first ExecutionReport (150=0 ack, 8 reject, …). */
  newOrder(o: FixOrder): Promise<FixMessage> {
    return this.#promise((onReport, onError) => this.submitNewOrder(o, onReport, onError));
  }

  /** NewOrderSingle with callbacks instead of a promise (a sender that keeps many outstanding). Returns the ClOrdID. */
  submitNewOrder(o: FixOrder, onReport: (m: FixMessage) => void, onError: (e: Error) => void): string {
    const id = o.clientOrderId ?? this.nextClientOrderId();
    const orderType = o.price === undefined ? 1 : 2;
    const p = this.#partyFields;
    const f: FixField[] = [
      [Tag.MsgType, FixMsgType.NewOrderSingle],
      [Tag.ClOrdID, id],
      p[0]!,
      p[1]!,
      p[2]!,
      p[3]!,
      [Tag.SecurityID, o.securityId],
      [Tag.SecurityIDSource, '8'],
      [Tag.SecurityExchange, 'XHKG'],
      [Tag.Side, String(o.side)],
      [Tag.TransactTime, this.#time.text(this.#clock.now())],
      [Tag.OrderQty, String(o.quantity)],
      [Tag.OrdType, String(orderType)],
    ];
    if (o.price !== undefined) f.push([Tag.Price, priceText(o.price)]);
    if (o.tif !== undefined) f.push([Tag.TimeInForce, String(o.tif)]);
    if (o.text !== undefined) f.push([Tag.Text, o.text]);
    this.#orders.set(id, { securityId: o.securityId, side: o.side, orderType, current: id });
    this.#request('new', id, f, onReport, onError);
    return id;
  }

  /** OrderCancelRequest (F) for the order first sent as (or now named) `clientOrderId`; resolves with 150=4 or the OrderCancelReject. */
  cancel(clientOrderId: string, opts: { clientOrderId?: string } = {}): Promise<FixMessage> {
    const rec = this.#orders.get(clientOrderId);
    if (rec === undefined) return Promise.reject(new RangeError(`unknown order ${clientOrderId}`));
    const id = opts.clientOrderId ?? this.nextClientOrderId();
    const f = this.#replacing(FixMsgType.OrderCancelRequest, rec, id);
    this.#orders.set(id, rec);
    return this.#promise((ok, fail) => this.#request('cancel', id, f, ok, fail));
  }

  /** OrderCancelReplaceRequest (G); resolves with 150=5 or the OrderCancelReject. */
  amend(clientOrderId: string, a: { quantity: number; price?: number | string; clientOrderId?: string }): Promise<FixMessage> {
    const rec = this.#orders.get(clientOrderId);
    if (rec === undefined) return Promise.reject(new RangeError(`unknown order ${clientOrderId}`));
    const id = a.clientOrderId ?? this.nextClientOrderId();
    const f = this.#replacing(FixMsgType.OrderCancelReplaceRequest, rec, id);
    f.push([Tag.OrderQty, String(a.quantity)], [Tag.OrdType, String(rec.orderType)]);
    if (a.price !== undefined) f.push([Tag.Price, priceText(a.price)]);
    this.#orders.set(id, rec);
    return this.#promise((ok, fail) => this.#request('amend', id, f, ok, fail));
  }

  /** OrderMassCancelRequest (q) of every order of this broker (530=7); fire and forget. Returns its ClOrdID. */
  massCancelAll(): string {
    const id = this.nextClientOrderId();
    this.#submit([
      [Tag.MsgType, FixMsgType.OrderMassCancelRequest],
      [Tag.ClOrdID, id],
      ...this.#parties(),
      [Tag.MassCancelRequestType, '7'],
      [Tag.TransactTime, this.#time.text(this.#clock.now())],
    ]);
    return id;
  }

  /** The order a ClOrdID belongs to (any ID of its chain). */
  order(clientOrderId: string): Readonly<OrderRecord> | undefined {
    return this.#orders.get(clientOrderId);
  }

  #parties(): FixField[] {
    return [...this.#partyFields];
  }

  #replacing(type: string, rec: OrderRecord, id: string): FixField[] {
    const f: FixField[] = [
      [Tag.MsgType, type],
      [Tag.ClOrdID, id],
      [Tag.OrigClOrdID, rec.current],
    ];
    if (rec.orderId !== undefined) f.push([Tag.OrderID, rec.orderId]);
    f.push(
      ...this.#parties(),
      [Tag.SecurityID, rec.securityId],
      [Tag.SecurityIDSource, '8'],
      [Tag.Side, String(rec.side)],
      [Tag.TransactTime, this.#time.text(this.#clock.now())],
    );
    return f;
  }

  #promise(start: (ok: (m: FixMessage) => void, fail: (e: Error) => void) => void): Promise<FixMessage> {
    return new Promise((resolve, reject) => start(resolve, reject));
  }

  #request(kind: RequestKind, id: string, f: FixField[], onReport: (m: FixMessage) => void, onError: (e: Error) => void): void {
    if (this.#closed) {
      queueMicrotask(() => onError(new FixClientClosedError('client closed')));
      return;
    }
    if (this.#pending.has(id)) {
      queueMicrotask(() => onError(new RangeError(`ClOrdID ${id} already has a request outstanding`)));
      return;
    }
    const p: Pending = { kind, seq: 0, resolve: onReport, reject: onError };
    this.#pending.set(id, p);
    const seq = this.#submit(f);
    if (seq > 0) p.seq = seq;
  }

  /** Sends now (returns the MsgSeqNum) or keeps for the next logon (returns 0). */
  #submit(f: FixField[]): number {
    const s = this.#session;
    if (this.#state === 'active' && s !== null && s.loggedOn && !this.#outboxHeld) return s.send(f);
    this.#outbox.push(f);
    return 0;
  }

  // -------------------------------------------------------------------------------------------
  // Inbound application messages (in sequence)

  #onApp(m: FixMessage, possDup: boolean): void {
    const type = msgTypeOf(m);
    switch (type) {
      case FixMsgType.ExecutionReport:
        this.#onReport(m, possDup);
        return;
      case FixMsgType.OrderCancelReject: {
        this.emit('order-cancel-reject', m);
        const p = this.#pending.get(fieldOf(m, Tag.ClOrdID) ?? '');
        if (p !== undefined && p.kind !== 'new') this.#settle(fieldOf(m, Tag.ClOrdID)!, p, m);
        return;
      }
      case FixMsgType.BusinessMessageReject: {
        this.emit('business-reject', m);
        this.#fail(
          fieldOf(m, Tag.BusinessRejectRefID),
          new FixRequestRejectedError(`BusinessMessageReject ${fieldOf(m, Tag.BusinessRejectReason) ?? '?'}: ${fieldOf(m, Tag.Text) ?? ''}`, m),
        );
        return;
      }
      case FixMsgType.Reject: {
        this.emit('reject', m);
        const ref = Number(fieldOf(m, Tag.RefSeqNum));
        for (const [id, p] of this.#pending) {
          if (p.seq === ref) {
            this.#fail(id, new FixRequestRejectedError(`Reject ${fieldOf(m, Tag.SessionRejectReason) ?? '?'}: ${fieldOf(m, Tag.Text) ?? ''}`, m));
            break;
          }
        }
        return;
      }
      default:
        this.emit('message', m);
    }
  }

  #onReport(m: FixMessage, possDup: boolean): void {
    const id = fieldOf(m, Tag.ClOrdID) ?? '';
    // A replayed report (PossDupFlag) or one sent again after a failover never reaches the
    // application twice: ExecID is unique per day (as the binary client, §3.13).
    const key = `${fieldOf(m, Tag.ExecID) ?? ''}\u0000${id}`;
    if (this.#seenReports.has(key)) {
      this.stats.duplicateReports++;
      this.emit('duplicate-report', m);
      return;
    }
    this.#seenReports.add(key);
    this.stats.reportsDelivered++;
    const rec = this.#orders.get(id);
    const execType = fieldOf(m, Tag.ExecType);
    if (rec !== undefined) {
      const orderId = fieldOf(m, Tag.OrderID);
      if (orderId !== undefined && orderId !== 'NONE') rec.orderId = orderId;
      if (execType === '5') rec.current = id;
    }
    const first = this.#awaitingFirstAck;
    if (first !== null && !possDup) {
      this.#awaitingFirstAck = null;
      this.#report('first-ack-after-failover', {
        ms: this.#clock.now() - first.lossAt,
        clientOrderId: id,
        execType,
        from: first.from,
        to: first.to,
        site: this.#address?.site,
      });
    }
    this.emit('execution-report', m);
    const p = this.#pending.get(id);
    if (p === undefined) return;
    const answers =
      p.kind === 'new' || (p.kind === 'cancel' && (execType === '4' || execType === 'X')) || (p.kind === 'amend' && (execType === '5' || execType === 'Y'));
    if (answers) this.#settle(id, p, m);
  }

  #settle(id: string, p: Pending, m: FixMessage): void {
    this.#pending.delete(id);
    p.resolve(m);
  }

  #fail(id: string | undefined, e: Error): void {
    if (id === undefined) return;
    const p = this.#pending.get(id);
    if (p === undefined) return;
    this.#pending.delete(id);
    p.reject(e);
  }

  // -------------------------------------------------------------------------------------------
  // The reconnect loop: after a loss wait, then the address lost, then the next ones in order.

  async #run(): Promise<void> {
    const addrs = this.#o.addresses;
    let index = 0;
    let afterLoss = false;
    while (!this.#closed) {
      let loggedOn = false;
      for (let k = 0; k < addrs.length && !this.#closed; k++) {
        const i = (index + k) % addrs.length;
        const v = await this.#visit(addrs[i]!, afterLoss);
        if (v.refusedStatus !== undefined && FATAL_STATUS.has(v.refusedStatus)) {
          this.#stop(`logon refused with SessionStatus ${v.refusedStatus}: ${v.reason}`);
          return;
        }
        if (v.loggedOn) {
          index = i;
          loggedOn = true;
          break;
        }
      }
      if (this.#closed) return;
      if (loggedOn) afterLoss = true;
      this.#setState('waiting');
      await this.#sleep(this.#t.reconnectDelayMs);
    }
  }

  async #visit(addr: FixGatewayAddress, afterLoss: boolean): Promise<{ loggedOn: boolean; refusedStatus?: number; reason: string }> {
    this.#setState('connecting');
    this.#address = addr;
    const label = `${addr.host}:${addr.port}`;
    const socket = await this.#connect(addr);
    if (typeof socket === 'string') {
      this.#report('connect-failed', { gateway: label, site: addr.site, reason: socket });
      return { loggedOn: false, reason: socket };
    }
    if (this.#closed) {
      socket.destroy();
      return { loggedOn: false, reason: 'closed' };
    }
    this.#socket = socket;
    this.#report('connected', { gateway: label, site: addr.site });
    // Fault switch: behave as if the session were new (the gateway must refuse it).
    if (afterLoss && this.#o.faults?.resetSequenceOnReconnect === true) this.journal.reset();
    return await new Promise((resolve) => {
      let loggedOn = false,
        ended = false;
      let refusedStatus: number | undefined;
      let refused = false;
      const reader = new FixStreamReader();
      const session: FixSession = new FixSession({
        // Initiator: our CompID is the sender, the gateway's the target.
        gatewayCompId: this.compId,
        clientCompId: this.targetCompId,
        journal: this.journal,
        clock: this.#clock,
        log: this.#log,
        appMsgTypes: CLIENT_APP_TYPES,
        timers: {
          logonTimeoutMs: this.#t.logonTimeoutMs,
          logoutTimeoutMs: this.#t.logoutTimeoutMs,
          resendTimeoutMs: this.#t.resendTimeoutMs,
          tickMs: this.#t.tickMs,
        } as unknown as Partial<typeof OCG_SESSION_TIMERS>,
        send: (b) => this.#batch.write(socket, b),
        disconnect: (reason) => end(reason),
        onMessage: (m, _seq, possDup) => this.#onApp(m, possDup),
        onEvent: (e: FixSessionEvent) => {
          switch (e.type) {
            case 'logonAccepted':
              loggedOn = true;
              this.#onLogonAccepted(session, e.peerNextExpected, e.sessionStatus, label, addr);
              break;
            case 'logonRefused':
              refused = true;
              refusedStatus = e.sessionStatus;
              this.#report('logon-rejected', { status: e.sessionStatus ?? null, text: e.text ?? '', gateway: label, site: addr.site });
              break;
            case 'gapDetected':
              this.#report('gap-detected', { expected: e.expected, received: e.received, gateway: label, site: addr.site });
              break;
            case 'gapRecovered':
              this.#report('gap-recovered', { from: e.from, to: e.to, gateway: label, site: addr.site });
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
        this.#batch.flush(socket);
        hangUp(socket);
        if (this.#session === session) this.#session = null;
        if (this.#socket === socket) this.#socket = null;
        if (loggedOn) {
          this.stats.disconnects++;
          this.#lossAt = this.#clock.now();
          this.#awaitingFirstAck = null;
          this.#report('disconnected', { reason, gateway: label, site: addr.site, byClient: this.#closed });
        } else if (!refused) {
          this.#report('logon-rejected', { status: null, text: reason, gateway: label, site: addr.site });
        }
        resolve(refusedStatus !== undefined ? { loggedOn, refusedStatus, reason } : { loggedOn, reason });
      };
      socket.on('data', (chunk: Buffer) => {
        // What this chunk makes us send (the next orders, a heartbeat reply) leaves in one write.
        this.#batch.hold();
        try {
          reader.push(chunk);
          for (let r = reader.next(); r !== null && !ended; r = reader.next()) {
            if (r.ok) session.onMessage(r.beginString, r.message);
            else session.onGarbled(r.detail);
          }
        } finally {
          this.#batch.release();
        }
      });
      socket.on('error', () => {});
      socket.on('close', () => end('connection closed'));
      this.#setState('logging-on');
      const encrypt = this.#o.encrypt ?? encryptPassword;
      const now = this.#clock.now();
      const password = encrypt(this.#o.publicKeyPem, this.#o.password, now);
      const hb = Math.max(1, Math.round(this.#t.heartbeatIntervalMs / 1000));
      // EncryptedPasswordMethod 101: a user-defined value; the gateway does not check it (inferred).
      const fields: FixField[] = [
        [Tag.EncryptMethod, '0'],
        [Tag.HeartBtInt, String(hb)],
        [Tag.DefaultApplVerID, '9'],
        [Tag.EncryptedPasswordMethod, '101'],
        [Tag.EncryptedPasswordLen, String(password.length)],
        [Tag.EncryptedPassword, password],
      ];
      if (this.#o.newPassword !== undefined) {
        const np = encrypt(this.#o.publicKeyPem, this.#o.newPassword, now, { withTimePrefix: false });
        fields.push([Tag.EncryptedNewPasswordLen, String(np.length)], [Tag.EncryptedNewPassword, np]);
      }
      session.startLogon(fields, this.#t.heartbeatIntervalMs);
    });
  }

  #onLogonAccepted(session: FixSession, peerNext: number | undefined, status: number | undefined, label: string, addr: FixGatewayAddress): void {
    this.stats.logons++;
    const now = this.#clock.now();
    this.#setState('active');
    this.#report('logon-accepted', {
      nextExpected: peerNext,
      site: addr.site,
      gateway: label,
      seqNum: this.journal.nextToSend - 1,
      ourNextExpected: this.journal.nextExpected,
      sessionStatus: status ?? null,
    });
    if (this.#lossAt >= 0 && this.#lastGateway !== null && this.#lastGateway !== label) {
      this.#report('failover-followed', { from: this.#lastGateway, to: label, fromSite: this.#lastSite, toSite: addr.site, ms: now - this.#lossAt });
      this.#awaitingFirstAck = { lossAt: this.#lossAt, from: this.#lastGateway, to: label };
    }
    this.#lastGateway = label;
    this.#lastSite = addr.site;
    // Requests made while away leave after the session has done with the reply (it may replay
    // our older messages first, by 789).
    this.#outboxHeld = true;
    queueMicrotask(() => {
      this.#outboxHeld = false;
      if (this.#session !== session || !session.loggedOn) return;
      const out = this.#outbox;
      this.#outbox = [];
      for (const f of out) {
        const seq = session.send(f);
        const id = fieldOf({ fields: f }, Tag.ClOrdID);
        const p = id === undefined ? undefined : this.#pending.get(id);
        if (p !== undefined && p.seq === 0) p.seq = seq;
      }
    });
    for (const w of this.#readyWaiters.splice(0)) w.resolve();
  }

  #connect(addr: FixGatewayAddress): Promise<net.Socket | string> {
    const localAddress = this.#o.localAddress;
    return connectWithin({
      host: addr.host,
      port: addr.port,
      ...(localAddress !== undefined ? { localAddress } : {}),
      clock: this.#clock,
      timeoutMs: this.#t.connectTimeoutMs,
      signal: this.#abort.signal,
    });
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

  #setState(s: FixClientState): void {
    if (this.#state === 'closed' || this.#state === s) return;
    this.#state = s;
    this.emit('state', s);
  }

  #report(kind: FixClientEventKindName, detail: Record<string, unknown>): void {
    const ev: FixClientEvent = { kind, at: this.#clock.now(), detail };
    this.#log.log('info', `fix.client.${kind}`, { compId: this.compId, ...detail });
    this.emit(kind, detail);
    this.emit('event', ev);
  }

  #stop(reason: string): void {
    if (this.#state === 'closed') return;
    this.#closed = true;
    this.#state = 'closed';
    this.emit('state', 'closed');
    this.#abort.abort();
    const s = this.#sleeper;
    this.#sleeper = null;
    s?.timer.cancel();
    s?.resolve();
    const err = new FixClientClosedError(`client stopped: ${reason}`);
    for (const w of this.#readyWaiters.splice(0)) w.reject(err);
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
    this.#outbox = [];
    this.emit('stopped', { reason });
  }

  /** Log out (Logout, wait for the reply up to the logout timeout) and stop. */
  async close(reason = 'client closed'): Promise<void> {
    const session = this.#session,
      socket = this.#socket;
    this.#stop(reason);
    if (session !== null && socket !== null && !socket.destroyed) {
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        if (session.loggedOn) session.logout(reason);
        else socket.destroy();
      });
    } else socket?.destroy();
    await this.#running;
  }
}

/** Let what the session just wrote (a Logout) reach the wire, then close. */
function hangUp(socket: net.Socket): void {
  if (socket.destroyed) return;
  if (socket.writableLength === 0) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end();
}

function priceText(p: number | string): string {
  if (typeof p === 'string') {
    if (!/^\d{1,9}(\.\d{1,3})?$/.test(p)) throw new RangeError(`price ${JSON.stringify(p)}: a decimal with at most 3 places`);
    return p;
  }
  if (!(p > 0) || !Number.isFinite(p)) throw new RangeError(`price ${p}: expected a positive number`);
  return fixPriceOf(Math.round(p * 1000));
}

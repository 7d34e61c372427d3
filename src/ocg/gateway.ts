// OCG-C gateway, exchange side (spec note §1, §3, §5): one per service (OTP-C, OTP-CSC). A TCP
// server whose connections become OcgSessions (session.ts) once the Logon passes the checks of
// §3.12 step 2: Comp ID, registered source IP, one live session per Comp ID, password (RSA +
// time prefix + hash, on worker threads), lock and expiry. Business messages go to an
// OrderRouter (the venue's MatchingEngine); its events come back as Execution Reports to the
// order's session (journalled for the next logon when it is away) and, copied, to the firm's drop
// copy sessions. Throttle per Comp ID (Business Message Reject code 8, §1.5) and Cancel on
// Disconnect (§1.6) live here too.
//
// Refusals (§3.12, §8 item 9): unknown Comp ID, unregistered source IP, a second connection for a
// live Comp ID (both closed) and a first logon of the day with seq > 1 close TCP silently; wrong
// password (5), locked (6), expired (8), password change required (100), non-compliant new
// password (3), sequence too low (101 Other [INF]) are answered with Logout + Session Status.
import net from 'node:net';
import { WriteBatcher, systemClock } from '../wire/index.ts';
import type { Clock, TimerHandle } from '../wire/index.ts';
import type { EngineEvent, EngineRequest, OrderRouter } from './order-routing.ts';
import { echoOf, executionReportOf, massCancelReportOf } from './order-reports.ts';
import { priceFromWire, qtyFromWire } from './units.ts';
import { decodeFrame } from './codec.ts';
import { OcgFrameReader } from './frame-reader.ts';
import type { OcgRuntimeHooks } from './hooks.ts';
import {
  BusinessRejectCode,
  OcgMsgType,
  RequestResult,
  SessionStatus,
  TestMessageIndicator,
  ThrottleAction,
  ThrottleTimeUnit,
  ThrottleType,
} from './messages.ts';
import type { BusinessMessageReject, Logon, OcgHeader, OcgMessage } from './messages.ts';
import { profileFor } from './profile.ts';
import type { OcgProfile, OcgService } from './profile.ts';
import { PasswordChecker } from './password.ts';
import { DEFAULT_THROTTLE_MPS, LogonAccount } from './account.ts';
import { MemorySessionStore } from './session-store.ts';
import type { SessionStore } from './session-store.ts';
import { OcgSession, journalMessage, OCG_SESSION_TIMERS } from './session.ts';
import type { OcgSessionEvent } from './session.ts';
import { checkOrderFields, securityExchangeOf } from './order-rules.ts';
import type { RuleContext, SecurityRef } from './order-rules.ts';
import { fixedText as fx, isPrintableAscii, wireText } from './wire-text.ts';
import { normalizeIp } from './lookup-service.ts';
import type { LookupClientEntry } from './lookup-service.ts';
import { silentLogger } from './log.ts';
import type { OcgLogger } from './log.ts';

/** One Comp ID as HKEX registers it (§1.1, §1.4–1.6). */
export interface CompIdConfig {
  compId: string;
  /** Firm (subscriber) the session belongs to: its drop copy sessions see its reports. */
  firm: string;
  /** Registered source IPs: 1 + up to 3 backups (§1.1). */
  sourceIps: string[];
  /** scrypt hash (password.ts hashPassword). */
  passwordHash: string;
  /** When the password was set (ms): 90-day expiry (App. A). Default: gateway start. */
  passwordSetAt?: number;
  /** Change required at this logon (first logon / after reset, App. A) ⇒ status 100 without New Password. */
  mustChangePassword?: boolean;
  /** Submitting Broker IDs this session may use; empty/absent ⇒ any. */
  brokerIds?: string[];
  /** A drop copy session: receives copies of the firm's Execution Reports, sends no orders. */
  dropCopy?: boolean;
  /** Business messages per second (§1.5). 0 ⇒ unlimited. Default 100 [INF: HKEX sells throttles per session]. */
  throttleMps?: number;
  /** Cancel on Disconnect (§1.6), fixed per Comp ID. */
  cancelOnDisconnect?: { enabled: boolean; delayMs: number };
  locked?: boolean;
}

export type GatewayEventKind = 'logon' | 'logon-rejected' | 'logout' | 'disconnect' | 'resend-request' | 'order' | 'ack' | 'cancel' | 'reject';

/** What the gateway saw, in the shape of the evidence contract (docs/architecture.md, contract 1); the site adds session/site. */
export interface GatewayEvent {
  ts: number;
  service: OcgService;
  kind: GatewayEventKind;
  compId: string;
  firm: string;
  detail: Record<string, unknown>;
}

export interface OcgGatewayOptions {
  service: OcgService;
  /** Label in logs, e.g. "OTP-C primary". */
  name?: string;
  host?: string;
  port?: number;
  privateKeyPem: string;
  compIds: CompIdConfig[];
  router: OrderRouter;
  /** Session journals; default in memory. The gateway does not close a store it was given. */
  store?: SessionStore;
  clock?: Clock;
  log?: OcgLogger;
  profile?: OcgProfile;
  /** Login-time tolerance of the password prefix (§1.4) [UNVERIFIED value]. Default 5 min. */
  passwordToleranceMs?: number;
  /** RSA decrypt workers; default one per core, 0 = on the event loop. */
  passwordWorkers?: number;
  /** A checker shared with other gateways (a site's): used instead of passwordWorkers, left open by close(). */
  passwordChecker?: PasswordChecker;
  /** New Password with the time prefix (§8 item 13). Default false. */
  newPasswordHasTimePrefix?: boolean;
  /** Logon reply Test Message Indicator (§3.3). Default 1: this is a test system. */
  testMessageIndicator?: number;
  /** Time a connection may stay without a Logon [INF]. Default 60 s. */
  logonWaitMs?: number;
  sessionTimers?: Partial<typeof OCG_SESSION_TIMERS>;
  /** Whether logons are allowed now (service hours); false ⇒ Logout status 7. Default: always. */
  logonsAllowed?: (nowMs: number) => boolean;
  onEvent?: (event: GatewayEvent) => void;
  /**
   * Holds what the gateway writes to clients until the site's journal reached its standby
   * (synchronous replication: an order is acknowledged only once replicated). Absent ⇒ written at once.
   */
  outboundGate?: OutboundGate;
  /**
   * The securities the gateway's router lists (src/venue SecurityDefinition fits): each one's market
   * (Security Exchange, §5.1; China Connect XSSC/XSEC by code when not given [INF]) and board lot.
   * Absent ⇒ only the profile's markets are checked.
   */
  securities?: readonly SecurityRef[];
  /**
   * A runtime profile's hooks (src/lowlatency): onStart when listening, onStop when stopped, onIdle
   * after each batch of replies went out (replies held by an outboundGate leave through the gate
   * and do not count).
   */
  hooks?: OcgRuntimeHooks;
}

/** A site's hold on outbound frames (src/venue journal.ts implements it); actions of one socket run in order. */
export interface OutboundGate {
  write(socket: net.Socket, frame: Uint8Array): void;
  /** Ends the socket after everything written before has gone out. */
  end(socket: net.Socket): void;
}

/** A slow reader with this much unsent is dropped rather than let the gateway's memory grow. */
const MAX_UNSENT_BYTES = 64 * 1024 * 1024;

/** Business messages counted by the throttle (§1.5: session messages are not) [INF]. */
const THROTTLED_TYPES: ReadonlySet<number> = new Set([
  OcgMsgType.NewOrder,
  OcgMsgType.AmendRequest,
  OcgMsgType.CancelRequest,
  OcgMsgType.MassCancelRequest,
  OcgMsgType.Quote,
  OcgMsgType.QuoteCancel,
  OcgMsgType.TradeCaptureReport,
  OcgMsgType.OboCancelRequest,
  OcgMsgType.OboMassCancelRequest,
]);

/** Client requests whose fields the gateway checks (order-rules.ts); a client's Reject / BMR is never answered. */
const CHECKED_TYPES: ReadonlySet<number> = new Set([...THROTTLED_TYPES, OcgMsgType.ThrottleEntitlementRequest, OcgMsgType.PartyEntitlementsRequest]);

/** The Session Status of a logon refused by the account (OCG-C §3.12, App. A). */
const REFUSAL_STATUS = {
  invalidPassword: SessionStatus.InvalidUsernameOrPassword,
  expired: SessionStatus.PasswordExpired,
  badNewPassword: SessionStatus.NewPasswordDoesNotComply,
  passwordChangeRequired: SessionStatus.PasswordChangeRequired,
} as const;

interface CompState {
  config: CompIdConfig;
  account: LogonAccount;
  /** The connection whose session is logged on (or logging on). */
  live: Connection | null;
  codTimer: TimerHandle | null;
}

interface Connection {
  id: number;
  socket: net.Socket;
  sourceIp: string;
  reader: OcgFrameReader;
  session: OcgSession | null;
  comp: CompState | null;
  authPending: boolean;
  closed: boolean;
  /** The session ended with a Logout exchange (no Cancel on Disconnect then, §1.6). */
  loggedOut: boolean;
  /** The logon was accepted on this connection. */
  loggedOn: boolean;
  logonTimer: TimerHandle | null;
}

export class OcgGateway {
  readonly service: OcgService;
  readonly name: string;
  readonly profile: OcgProfile;
  readonly #o: OcgGatewayOptions;
  readonly #clock: Clock;
  readonly #log: OcgLogger;
  readonly #store: SessionStore;
  readonly #ownsStore: boolean;
  readonly #comps = new Map<string, CompState>();
  /** firm → its drop copy Comp IDs. */
  readonly #dropCopies = new Map<string, CompState[]>();
  readonly #connections = new Set<Connection>();
  /**
   * Outbound frames of one turn leave in one write (src/wire/write-batcher.ts). One batcher for all
   * connections: a frame for another connection first sends what was pending for the previous one.
   */
  readonly #batch = new WriteBatcher();
  /** Security ID → the Security Exchange its orders carry (CSC: XSSC or XSEC [UNVERIFIED]), echoed in reports. */
  readonly #exchangeOf = new Map<string, string>();
  readonly #lotOf = new Map<string, number>();
  readonly #rules: RuleContext;
  /** Transaction Time of the last clock reading formatted (reports come in bursts within one reading). */
  readonly #time = { at: Number.NaN, text: '' };
  readonly #checker: PasswordChecker;
  /** The checker is this gateway's own (not one shared by a site's gateways): close() ends its workers. */
  readonly #ownsChecker: boolean;
  #server: net.Server | null = null;
  #host: string;
  #port: number;
  #nextConnId = 1;

  constructor(options: OcgGatewayOptions) {
    this.#o = options;
    this.service = options.service;
    this.name = options.name ?? options.service;
    this.profile = options.profile ?? profileFor(options.service);
    this.#clock = options.clock ?? systemClock;
    this.#log = options.log ?? silentLogger;
    this.#ownsStore = options.store === undefined;
    this.#store = options.store ?? new MemorySessionStore();
    this.#host = options.host ?? '127.0.0.1';
    this.#port = options.port ?? 0;
    const hooks = options.hooks;
    if (hooks?.onIdle !== undefined)
      this.#batch.afterTick = () => {
        if (this.#server !== null) hooks.onIdle?.();
      };
    const now = this.#clock.now();
    for (const c of options.compIds) {
      if (this.#comps.has(c.compId)) throw new RangeError(`Comp ID ${c.compId} configured twice`);
      if (c.compId.length === 0 || c.compId.length > 11) throw new RangeError(`Comp ID ${JSON.stringify(c.compId)}: 1..11 characters (§1.1)`);
      const st: CompState = { config: c, account: new LogonAccount(c, now), live: null, codTimer: null };
      this.#comps.set(c.compId, st);
      if (c.dropCopy === true) {
        const list = this.#dropCopies.get(c.firm) ?? [];
        list.push(st);
        this.#dropCopies.set(c.firm, list);
      }
    }
    for (const sec of options.securities ?? []) {
      const mic = securityExchangeOf(sec.securityId, this.profile, sec.securityExchange);
      if (mic !== undefined) this.#exchangeOf.set(sec.securityId, mic);
      if (sec.lotSize !== undefined) this.#lotOf.set(sec.securityId, sec.lotSize);
    }
    const profile = this.profile;
    this.#rules = {
      profile,
      marketOf: (id) => this.#exchangeOf.get(id) ?? securityExchangeOf(id, profile),
      lotSizeOf: (id) => this.#lotOf.get(id),
      lastTime: '',
      lastBcan: '',
    };
    this.#ownsChecker = options.passwordChecker === undefined;
    this.#checker =
      options.passwordChecker ?? new PasswordChecker(options.privateKeyPem, options.passwordWorkers === undefined ? {} : { workers: options.passwordWorkers });
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle

  get address(): { host: string; port: number } {
    return { host: this.#host, port: this.#port };
  }

  get isOpen(): boolean {
    return this.#server !== null;
  }

  async start(): Promise<{ host: string; port: number }> {
    if (this.#server !== null) return this.address;
    await this.#checker.ready();
    const server = net.createServer((s) => this.#onConnection(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: this.#port, host: this.#host, backlog: 4096 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (e) => this.#log.log('error', 'ocg.gateway.serverError', { gateway: this.name, error: e.message }));
    this.#port = (server.address() as net.AddressInfo).port;
    this.#server = server;
    this.#o.hooks?.onStart?.();
    this.#log.log('info', 'ocg.gateway.listening', { gateway: this.name, service: this.service, host: this.#host, port: this.#port });
    return this.address;
  }

  /** Stop listening and drop every connection (no Logout: an outage, CoD not fired, §1.6). */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (server !== null) this.#o.hooks?.onStop?.();
    for (const c of this.#connections) {
      c.loggedOut = true; // an exchange-side outage never triggers Cancel on Disconnect (§1.6)
      c.session?.close('gateway stopped');
      c.socket.destroy();
    }
    this.#connections.clear();
    for (const st of this.#comps.values()) {
      st.codTimer?.cancel();
      st.codTimer = null;
      st.live = null;
    }
    if (server !== null) await new Promise<void>((r) => server.close(() => r()));
    this.#store.flush();
  }

  /** stop(), end the password workers, close the store if the gateway made it. */
  async close(): Promise<void> {
    await this.stop();
    if (this.#ownsChecker) await this.#checker.close();
    if (this.#ownsStore) this.#store.close();
  }

  /** For the lookup service: registration of a Comp ID (§1.2). */
  lookupEntry(compId: string): LookupClientEntry | undefined {
    const st = this.#comps.get(compId);
    if (st === undefined) return undefined;
    return { sourceIps: st.config.sourceIps, blocked: st.account.locked };
  }

  isLoggedOn(compId: string): boolean {
    const live = this.#comps.get(compId)?.live;
    return live !== null && live !== undefined && !live.closed && live.session?.loggedOn === true;
  }

  /** Sequence numbers of a Comp ID as persisted. */
  sequenceNumbers(compId: string): { nextToSend: number; nextExpected: number } {
    const j = this.#store.journal(compId);
    return { nextToSend: j.nextToSend, nextExpected: j.nextExpected };
  }

  /** Operations desk: unlock after 3 bad attempts (App. A). */
  unlock(compId: string): void {
    const st = this.#comps.get(compId);
    st?.account.unlock();
  }

  /**
   * Operations desk, emergencies only: Sequence Reset (Reset mode) to the Comp ID's next number
   * `newSeq` (§3.8). Sent now when logged on; otherwise only the journal moves (the client learns
   * the new number by phone, §3.12 "manual reset").
   */
  sequenceReset(compId: string, newSeq: number): void {
    const st = this.#comps.get(compId);
    if (st === undefined) throw new RangeError(`unknown Comp ID ${compId}`);
    const s = st.live?.session;
    if (s !== null && s !== undefined && s.loggedOn) s.sendSequenceReset(newSeq);
    else this.#store.journal(compId).setNextToSend(newSeq);
    this.#log.log('warn', 'ocg.gateway.sequenceReset', { gateway: this.name, compId, newSeq });
  }

  /**
   * Start of a trading day, or a reset agreed by phone (§3.12): both numbers back to 1 and the
   * stored messages dropped. Refused while the Comp ID is logged on.
   */
  resetSession(compId: string): void {
    if (this.isLoggedOn(compId)) throw new Error(`${compId} is logged on`);
    this.#store.journal(compId).reset();
  }

  /**
   * Logout every live session (service shutdown: "OCG-C logs everyone out", §3.4) and resolve when
   * each connection has closed (the client's Logout reply ends it) or after `waitMs` (the note's 60 s
   * reply wait, bounded for a shutdown). Not part of stop(): an outage drops sessions without Logout.
   */
  async logoutAll(text = 'service shutdown', waitMs = 2_000): Promise<void> {
    const live = [...this.#comps.values()].map((st) => st.live).filter((c): c is Connection => c !== null && c.session?.loggedOn === true);
    const gone = live.map((c) => (c.socket.closed ? Promise.resolve() : new Promise<void>((r) => c.socket.once('close', () => r()))));
    this.#batch.hold();
    try {
      for (const c of live) c.session!.logout(text);
    } finally {
      this.#batch.release();
    }
    if (live.length === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((r) => {
      timer = setTimeout(r, waitMs);
    });
    await Promise.race([Promise.all(gone), late]);
    clearTimeout(timer);
    this.#log.log('info', 'ocg.gateway.loggedOutAll', { gateway: this.name, sessions: live.length, open: live.filter((c) => !c.socket.closed).length });
  }

  /** Fault injection: drop a Comp ID's TCP connection abruptly (RST, no Logout). */
  dropConnection(compId: string): boolean {
    const c = this.#comps.get(compId)?.live;
    if (c === null || c === undefined) return false;
    c.socket.resetAndDestroy();
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // Connections

  #onConnection(socket: net.Socket): void {
    socket.setNoDelay(true);
    const conn: Connection = {
      id: this.#nextConnId++,
      socket,
      sourceIp: normalizeIp(socket.remoteAddress),
      reader: new OcgFrameReader({ profile: this.profile }),
      session: null,
      comp: null,
      authPending: false,
      closed: false,
      loggedOut: false,
      loggedOn: false,
      logonTimer: null,
    };
    this.#connections.add(conn);
    conn.logonTimer = this.#clock.setTimeout(() => {
      if (conn.session === null && !conn.closed) {
        this.#log.log('warn', 'ocg.gateway.noLogon', { gateway: this.name, conn: conn.id, sourceIp: conn.sourceIp });
        this.#destroy(conn);
      }
    }, this.#o.logonWaitMs ?? 60_000);
    socket.on('data', (chunk: Buffer) => this.#onData(conn, chunk));
    socket.on('end', () => {
      const e = conn.reader.end();
      if (e !== null)
        this.#log.log('warn', 'ocg.gateway.truncated', {
          gateway: this.name,
          conn: conn.id,
          compId: conn.comp?.config.compId,
          sourceIp: conn.sourceIp,
          detail: e.detail,
        });
      this.#batch.flush(socket);
      socket.end();
    });
    socket.on('error', (e) => this.#log.log('debug', 'ocg.gateway.socketError', { gateway: this.name, conn: conn.id, error: e.message }));
    socket.on('close', () => this.#onClose(conn));
  }

  #onData(conn: Connection, chunk: Buffer): void {
    if (conn.closed) return;
    // The replies to this chunk leave in one write at the end, without a tick scheduled per chunk.
    this.#batch.hold();
    try {
      this.#onChunk(conn, chunk);
    } finally {
      this.#batch.release();
    }
  }

  #onChunk(conn: Connection, chunk: Buffer): void {
    const r = conn.reader;
    r.push(chunk);
    for (;;) {
      // In place: the frame's coordinates in the chunk, no view allocated per message.
      const f = r.nextFrameAt();
      if (f === null) break;
      if (f !== true) {
        // Framing error (§2.2): nothing to resynchronise on, drop without Logout.
        this.#log.log('warn', 'ocg.gateway.badFrame', {
          gateway: this.name,
          conn: conn.id,
          compId: conn.comp?.config.compId,
          sourceIp: conn.sourceIp,
          kind: f.kind,
          detail: f.detail,
        });
        if (conn.session !== null) conn.session.onFramingError(f);
        else this.#destroy(conn);
        break;
      }
      if (conn.session !== null) {
        try {
          conn.session.onFrameAt(r.frame, r.offset, r.length);
        } catch (e) {
          // Last resort: a bug on one session's path drops that session, never the gateway.
          this.#log.log('error', 'ocg.gateway.sessionError', { gateway: this.name, compId: conn.comp?.config.compId, error: (e as Error).stack ?? String(e) });
          conn.session.close('internal error');
          this.#destroy(conn);
        }
      } else if (conn.authPending) {
        // §3.12 step 1: nothing may be sent before the Logon reply.
        this.#log.log('warn', 'ocg.gateway.messageBeforeLogonReply', { gateway: this.name, conn: conn.id, compId: conn.comp?.config.compId });
        this.#destroy(conn);
      } else {
        this.#onFirstFrame(conn, r.frame.slice(r.offset, r.offset + r.length));
      }
      if (conn.closed) break;
    }
  }

  #write(conn: Connection, frame: Uint8Array): void {
    if (conn.closed) return;
    if (conn.socket.writableLength > MAX_UNSENT_BYTES) {
      this.#log.log('warn', 'ocg.gateway.slowConsumer', { gateway: this.name, compId: conn.comp?.config.compId, unsent: conn.socket.writableLength });
      this.#destroy(conn);
      return;
    }
    const gate = this.#o.outboundGate;
    if (gate !== undefined) {
      gate.write(conn.socket, frame);
      return;
    }
    this.#batch.write(conn.socket, frame);
  }

  /** Close after what was written has gone out (the session already said goodbye, or nothing). */
  #end(conn: Connection): void {
    if (conn.closed) return;
    conn.closed = true;
    if (this.#o.outboundGate !== undefined) this.#o.outboundGate.end(conn.socket);
    else {
      this.#batch.flush(conn.socket);
      conn.socket.end();
    }
    const t = setTimeout(() => conn.socket.destroy(), 2_000);
    t.unref();
  }

  #destroy(conn: Connection): void {
    conn.closed = true;
    conn.socket.destroy();
  }

  #onClose(conn: Connection): void {
    conn.closed = true;
    conn.logonTimer?.cancel();
    this.#connections.delete(conn);
    const session = conn.session;
    const st = conn.comp;
    if (session !== null) session.onTransportClosed('connection closed');
    if (st === null) return;
    // st.live may already be a newer connection (this one ended, its close event came late).
    const current = st.live === conn;
    if (current) st.live = null;
    if (session === null || !conn.loggedOn) return;
    const compId = st.config.compId;
    this.#emit('disconnect', st, { reason: session.disconnectReason, loggedOut: conn.loggedOut });
    this.#log.log('info', 'ocg.gateway.disconnected', {
      gateway: this.name,
      compId,
      reason: session.disconnectReason,
      nextToSend: session.nextToSend,
      nextExpected: session.nextExpected,
    });
    const cod = st.config.cancelOnDisconnect;
    if (current && cod?.enabled === true && !conn.loggedOut && !st.config.dropCopy) {
      // §1.6: TCP loss without a prior Logout, or heartbeat silence ⇒ cancel after the delay,
      // unless the client logs on again inside it.
      st.codTimer?.cancel();
      st.codTimer = this.#clock.setTimeout(() => {
        st.codTimer = null;
        if (st.live !== null) return;
        this.#log.log('info', 'ocg.gateway.cancelOnDisconnect', { gateway: this.name, compId });
        this.#route(st, { type: 'cancelOnDisconnect', compId });
      }, cod.delayMs);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Logon (§3.12 step 2)

  #onFirstFrame(conn: Connection, frame: Uint8Array): void {
    const d = decodeFrame(frame, 0, frame.length, { profile: this.profile });
    if (!d.ok) {
      this.#log.log('warn', 'ocg.gateway.badLogon', { gateway: this.name, conn: conn.id, sourceIp: conn.sourceIp, kind: d.kind, detail: d.detail });
      this.#destroy(conn);
      return;
    }
    const { header, message } = d;
    if (message.msgType !== OcgMsgType.Logon) {
      this.#log.log('warn', 'ocg.gateway.notLogon', {
        gateway: this.name,
        conn: conn.id,
        sourceIp: conn.sourceIp,
        compId: header.compId,
        msgType: header.msgType,
      });
      this.#destroy(conn);
      return;
    }
    const compId = header.compId;
    const st = this.#comps.get(compId);
    if (st === undefined) return this.#silentRefusal(conn, compId, null, 'unknownCompId', `unknown Comp ID ${compId}`);
    if (!st.config.sourceIps.includes(conn.sourceIp))
      return this.#silentRefusal(conn, compId, st, 'wrongSourceIp', `source IP ${conn.sourceIp} not registered for ${compId}`);
    if (st.live !== null && !st.live.closed) {
      // §3.12: a second connection for a Comp ID with a live session ⇒ close both, silently.
      const other = st.live;
      this.#silentRefusal(conn, compId, st, 'alreadyLoggedOn', `${compId} already has a live session (connection ${other.id}); both closed`);
      other.loggedOut = false;
      this.#destroy(other);
      return;
    }
    if (message.password === undefined || message.password === '') {
      // Password is mandatory from the client (§3.3): a Reject-worthy logon; treat as wrong password.
      return this.#refuse(conn, st, SessionStatus.InvalidUsernameOrPassword, 'missingPassword', 'Password missing');
    }
    conn.comp = st;
    st.live = conn;
    conn.authPending = true;
    void this.#authenticate(conn, st, header, message);
  }

  async #authenticate(conn: Connection, st: CompState, header: OcgHeader, logon: Logon): Promise<void> {
    const now = this.#clock.now();
    if (st.account.locked) return this.#refuse(conn, st, SessionStatus.AccountLocked, 'locked', 'account locked');
    if (this.#o.logonsAllowed !== undefined && !this.#o.logonsAllowed(now)) {
      return this.#refuse(conn, st, SessionStatus.LogonsNotAllowedAtThisTime, 'notAllowedNow', 'logons are not allowed at this time');
    }
    const req = {
      password: logon.password!,
      hash: st.account.passwordHash,
      nowMs: now,
      toleranceMs: this.#o.passwordToleranceMs ?? 5 * 60_000,
      newPasswordHasTimePrefix: this.#o.newPasswordHasTimePrefix === true,
      ...(logon.newPassword !== undefined ? { newPassword: logon.newPassword } : {}),
    };
    const res = await this.#checker.check(req);
    conn.authPending = false;
    if (conn.closed) {
      if (st.live === conn) st.live = null;
      return;
    }
    const verdict = st.account.settle(res, now);
    if (!verdict.ok) {
      if (verdict.kind === 'invalidPassword')
        this.#log.log('warn', 'ocg.gateway.passwordRejected', {
          gateway: this.name,
          compId: st.config.compId,
          reason: verdict.reason,
          detail: verdict.detail,
          badAttempts: st.account.badAttempts,
        });
      return this.#refuse(conn, st, REFUSAL_STATUS[verdict.kind], verdict.reason, verdict.detail);
    }
    const status: number = verdict.passwordChanged ? SessionStatus.SessionPasswordChanged : SessionStatus.SessionActive;
    const daysLeft = verdict.daysLeft;
    const session = this.#makeSession(conn, st);
    const outcome = session.acceptLogon(header, logon, {
      sessionStatus: status,
      text: String(daysLeft),
      testMessageIndicator: this.#o.testMessageIndicator ?? TestMessageIndicator.Test,
    });
    if (!outcome.ok) {
      this.#log.log('warn', 'ocg.gateway.logonRefused', { gateway: this.name, compId: st.config.compId, reason: outcome.reason, detail: outcome.detail });
      this.#emit('logon-rejected', st, { reason: outcome.reason, detail: outcome.detail, sourceIp: conn.sourceIp });
      return;
    }
    conn.loggedOn = true;
    conn.logonTimer?.cancel();
    st.codTimer?.cancel();
    st.codTimer = null;
    this.#log.log('info', 'ocg.gateway.logon', {
      gateway: this.name,
      compId: st.config.compId,
      sourceIp: conn.sourceIp,
      seqNum: header.seqNum,
      nextExpected: logon.nextExpectedMessageSequence,
      nextToSend: session.nextToSend,
      status,
    });
    this.#emit('logon', st, {
      sourceIp: conn.sourceIp,
      clientSeq: header.seqNum,
      clientNextExpected: logon.nextExpectedMessageSequence,
      sessionStatus: status,
    });
  }

  #silentRefusal(conn: Connection, compId: string, st: CompState | null, reason: string, detail: string): void {
    this.#log.log('warn', 'ocg.gateway.logonRefused', { gateway: this.name, conn: conn.id, compId, sourceIp: conn.sourceIp, reason, detail });
    this.#o.onEvent?.({
      ts: this.#clock.now(),
      service: this.service,
      kind: 'logon-rejected',
      compId,
      firm: st?.config.firm ?? '',
      detail: { reason, detail, sourceIp: conn.sourceIp },
    });
    this.#destroy(conn);
  }

  /** Logout with Session Status, then close (§3.12, §8 item 9). */
  #refuse(conn: Connection, st: CompState, sessionStatus: number, reason: string, detail: string): void {
    this.#log.log('warn', 'ocg.gateway.logonRefused', {
      gateway: this.name,
      conn: conn.id,
      compId: st.config.compId,
      sourceIp: conn.sourceIp,
      reason,
      sessionStatus,
      detail,
    });
    this.#emit('logon-rejected', st, { reason, sessionStatus, detail, sourceIp: conn.sourceIp });
    conn.authPending = false;
    if (st.live === conn) st.live = null;
    conn.comp = null;
    if (conn.closed) return;
    // A refused logon does not consume the client's seq (§3.12); the Logout takes one of ours.
    const s = new OcgSession({
      role: 'gateway',
      compId: st.config.compId,
      journal: this.#store.journal(st.config.compId),
      clock: this.#clock,
      send: (f) => this.#write(conn, f),
      disconnect: () => this.#end(conn),
      log: this.#log,
      profile: this.profile,
    });
    s.refuseLogon(sessionStatus, detail);
  }

  #makeSession(conn: Connection, st: CompState): OcgSession {
    const compId = st.config.compId;
    const session = new OcgSession({
      role: 'gateway',
      compId,
      journal: this.#store.journal(compId),
      clock: this.#clock,
      log: this.#log,
      profile: this.profile,
      send: (f) => this.#write(conn, f),
      disconnect: (reason) => {
        this.#log.log('info', 'ocg.gateway.sessionEnded', { gateway: this.name, compId, reason });
        this.#end(conn);
      },
      onMessage: (m, h) => this.#onBusiness(st, session, m, h),
      onEvent: (e) => this.#onSessionEvent(conn, st, e),
      ...(this.#o.sessionTimers !== undefined ? { timers: this.#o.sessionTimers } : {}),
    });
    conn.session = session;
    return session;
  }

  #onSessionEvent(conn: Connection, st: CompState, e: OcgSessionEvent): void {
    switch (e.type) {
      case 'resendRequestReceived':
        this.#emit('resend-request', st, { start: e.start, end: e.end, replayed: e.replayed, gapFilled: e.gapFilled });
        return;
      case 'logoutReceived':
        conn.loggedOut = true;
        this.#emit('logout', st, { text: e.text, initiator: 'client' });
        return;
      case 'state':
        if (e.to === 'logoutSent') conn.loggedOut = true;
        return;
      default:
    }
  }

  // -------------------------------------------------------------------------------------------
  // Business messages

  #onBusiness(st: CompState, session: OcgSession, m: OcgMessage, h: OcgHeader): void {
    const t = m.msgType;
    if (THROTTLED_TYPES.has(t)) {
      if (st.config.dropCopy === true) {
        this.#bmr(session, BusinessRejectCode.UnsupportedMessageType, 'drop copy session accepts no orders', h, m);
        return;
      }
      const remaining = this.#throttle(st);
      if (remaining > 0) {
        // §1.5: every message over the limit ⇒ BMR code 8, Reason = remaining ms of the interval.
        this.#bmr(session, BusinessRejectCode.ThrottleLimitExceeded, String(remaining), h, m);
        return;
      }
      const broker = (m as { submittingBrokerId?: string }).submittingBrokerId;
      const allowed = st.config.brokerIds;
      if (allowed !== undefined && allowed.length > 0 && broker !== undefined && !allowed.includes(broker)) {
        this.#bmr(session, BusinessRejectCode.Other, 'Submitting Broker ID not entitled', h, m, 'Submitting Broker ID');
        return;
      }
    }
    // Field rules of §5.1–5.6 and printable ASCII (order-rules.ts): Reject (3) or BMR (9) before
    // the engine sees the message (after the throttle: every message over the limit is a BMR 8).
    const bad = CHECKED_TYPES.has(t) ? checkOrderFields(m, this.#rules) : null;
    if (bad !== null) {
      this.#log.log('info', 'ocg.gateway.fieldRule', { gateway: this.name, compId: st.config.compId, seqNum: h.seqNum, rule: bad.rule, field: bad.field });
      if (bad.via === 'bmr') this.#bmr(session, bad.code, bad.reason, h, m, bad.field);
      else this.#reject(session, bad.code, bad.reason, h, m, bad.field);
      return;
    }
    const compId = st.config.compId;
    switch (m.msgType) {
      case OcgMsgType.NewOrder: {
        const req: EngineRequest = {
          type: 'new',
          compId,
          brokerId: fx(m.submittingBrokerId!, 12),
          clientOrderId: fx(m.clientOrderId!, 21),
          securityId: fx(m.securityId!, 21),
          side: m.side!,
          orderType: m.orderType!,
          quantity: qtyFromWire(m.orderQuantity!),
        };
        if (m.price !== undefined) req.price = priceFromWire(m.price);
        if (m.tif !== undefined) req.tif = m.tif;
        if (m.lotType !== undefined) req.lotType = m.lotType;
        if (m.executionInstructions !== undefined && m.executionInstructions.split(' ').includes('0')) req.ignorePriceValidity = true;
        const echo = echoOf(m);
        if (echo !== undefined) req.echo = echo;
        if (this.#o.onEvent !== undefined)
          this.#emit('order', st, { clientOrderId: m.clientOrderId, securityId: m.securityId, side: m.side, seqNum: h.seqNum, possDup: h.possDup });
        this.#route(st, req);
        return;
      }
      case OcgMsgType.AmendRequest: {
        const req: EngineRequest = {
          type: 'amend',
          compId,
          brokerId: fx(m.submittingBrokerId!, 12),
          clientOrderId: fx(m.clientOrderId!, 21),
          originalClientOrderId: fx(m.originalClientOrderId!, 21),
          securityId: fx(m.securityId!, 21),
          side: m.side!,
          quantity: m.orderQuantity === undefined ? Number.NaN : qtyFromWire(m.orderQuantity),
        };
        if (m.orderId !== undefined) req.orderId = fx(m.orderId, 21);
        if (m.price !== undefined) req.price = priceFromWire(m.price);
        if (m.orderType !== undefined) req.orderType = m.orderType;
        if (m.tif !== undefined) req.tif = m.tif;
        const echo = echoOf(m);
        if (echo !== undefined) req.echo = echo;
        this.#route(st, req);
        return;
      }
      case OcgMsgType.CancelRequest: {
        const req: EngineRequest = {
          type: 'cancel',
          compId,
          brokerId: fx(m.submittingBrokerId!, 12),
          clientOrderId: fx(m.clientOrderId!, 21),
          originalClientOrderId: fx(m.originalClientOrderId!, 21),
          securityId: fx(m.securityId!, 21),
          side: m.side!,
        };
        if (m.orderId !== undefined) req.orderId = fx(m.orderId, 21);
        if (m.text !== undefined) req.text = m.text;
        this.#route(st, req);
        return;
      }
      case OcgMsgType.OboCancelRequest: {
        const req: EngineRequest = {
          type: 'oboCancel',
          compId,
          brokerId: fx(m.submittingBrokerId!, 12),
          owningBrokerId: fx(m.owningBrokerId!, 12),
          clientOrderId: fx(m.clientOrderId!, 21),
          orderId: fx(m.orderId!, 21),
          securityId: fx(m.securityId!, 21),
          side: m.side!,
        };
        if (m.originalClientOrderId !== undefined) req.originalClientOrderId = fx(m.originalClientOrderId, 21);
        if (m.text !== undefined) req.text = m.text;
        this.#route(st, req);
        return;
      }
      case OcgMsgType.MassCancelRequest:
      case OcgMsgType.OboMassCancelRequest: {
        const base = {
          compId,
          brokerId: fx(m.submittingBrokerId!, 12),
          clientOrderId: fx(m.clientOrderId!, 21),
          massCancelRequestType: m.massCancelRequestType!,
        };
        const req: EngineRequest =
          m.msgType === OcgMsgType.MassCancelRequest
            ? { type: 'massCancel', ...base }
            : { type: 'oboMassCancel', ...base, owningBrokerId: fx(m.owningBrokerId!, 12) };
        if (m.securityId !== undefined) req.securityId = fx(m.securityId, 21);
        if (m.marketSegmentId !== undefined) req.marketSegmentId = fx(m.marketSegmentId, 20);
        if (m.side !== undefined) req.side = m.side;
        this.#route(st, req);
        return;
      }
      case OcgMsgType.ThrottleEntitlementRequest: {
        const mps = st.config.throttleMps ?? DEFAULT_THROTTLE_MPS;
        session.sendMessage({
          msgType: OcgMsgType.ThrottleEntitlementResponse,
          userRequestId: fx(m.userRequestId ?? '', 20),
          userName: fx(m.userName ?? compId, 50),
          throttles: [
            {
              throttleAction: ThrottleAction.Rejected,
              throttleType: ThrottleType.InboundRate,
              throttleNoMessages: mps === 0 ? 0xffffffff : mps,
              throttleTimeInterval: 1,
              throttleTimeUnit: ThrottleTimeUnit.Seconds,
            },
          ],
        });
        return;
      }
      case OcgMsgType.PartyEntitlementsRequest: {
        // §3.10: one report per Broker ID of the client; entitlement details are not modelled [INF].
        const brokers = st.config.brokerIds !== undefined && st.config.brokerIds.length > 0 ? st.config.brokerIds : [''];
        brokers.forEach((b, i) => {
          const rep: OcgMessage = {
            msgType: OcgMsgType.PartyEntitlementsReport,
            entitlementReportId: `${fx(m.entitlementRequestId ?? '', 18)}-${i + 1}`.slice(0, 20),
            requestResult: RequestResult.Valid,
            totalNoPartyList: brokers.length,
            lastFragment: i === brokers.length - 1 ? 1 : 0,
          };
          if (m.entitlementRequestId !== undefined) rep.entitlementRequestId = fx(m.entitlementRequestId, 21);
          if (b !== '') rep.brokerId = b;
          session.sendMessage(rep);
        });
        return;
      }
      case OcgMsgType.Quote:
      case OcgMsgType.QuoteCancel:
      case OcgMsgType.TradeCaptureReport:
        // Not modelled by the venue's matching engine (continuous board-lot/odd-lot orders only).
        this.#bmr(session, BusinessRejectCode.ApplicationNotAvailable, 'quotes and trade reporting are not simulated', h, m);
        return;
      case OcgMsgType.Reject:
      case OcgMsgType.BusinessMessageReject:
        this.#log.log('warn', 'ocg.gateway.clientReject', { gateway: this.name, compId, message: m as unknown as Record<string, unknown> });
        return;
      default:
        // Messages only the gateway sends (Execution Report, reports, responses).
        this.#bmr(session, BusinessRejectCode.UnsupportedMessageType, `message type ${m.msgType} is not accepted from a client`, h, m);
    }
  }

  /** ms left in the current 1 s window when over the limit, else 0 (and the message counts). */
  #throttle(st: CompState): number {
    return st.account.throttle(this.#clock.now(), st.config.throttleMps ?? DEFAULT_THROTTLE_MPS);
  }

  #bmr(session: OcgSession, code: number, reason: string, h: OcgHeader, m: OcgMessage, fieldName?: string): void {
    const bmr: BusinessMessageReject = {
      msgType: OcgMsgType.BusinessMessageReject,
      businessRejectCode: code,
      reason: wireText(reason, 74),
      referenceMessageType: h.msgType,
      referenceSequenceNumber: h.seqNum,
    };
    if (fieldName !== undefined) bmr.referenceFieldName = fieldName;
    const id = echoedId(m);
    if (id !== undefined) bmr.businessRejectReferenceId = id;
    session.sendMessage(bmr);
  }

  /** Session-level Reject (3) of a client message that breaks a field rule (§3.7); it consumed its seq. */
  #reject(session: OcgSession, code: number, reason: string, h: OcgHeader, m: OcgMessage, fieldName: string): void {
    const r: OcgMessage = {
      msgType: OcgMsgType.Reject,
      messageRejectCode: code,
      reason: wireText(reason, 74),
      referenceMessageType: h.msgType,
      referenceFieldName: fieldName,
      referenceSequenceNumber: h.seqNum,
    };
    const id = echoedId(m);
    if (id !== undefined) r.clientOrderId = id;
    session.sendMessage(r);
  }

  #route(st: CompState, req: EngineRequest): void {
    let events: EngineEvent[];
    try {
      events = this.#o.router.handle(req);
    } catch (e) {
      // An engine bug must not take the gateway down: log, and tell the client.
      this.#log.log('error', 'ocg.gateway.routerError', { gateway: this.name, compId: st.config.compId, request: req.type, error: (e as Error).message });
      const live = st.live?.session;
      if (live?.loggedOn === true)
        live.sendMessage({
          msgType: OcgMsgType.BusinessMessageReject,
          businessRejectCode: BusinessRejectCode.ApplicationNotAvailable,
          reason: 'internal error',
          referenceMessageType: OcgMsgType.NewOrder,
        });
      return;
    }
    for (const ev of events) this.#deliverEvent(ev);
  }

  /** Engine events of another gateway's request (the FIX gateway's, src/fix) for this gateway's sessions. */
  deliverEvents(events: readonly EngineEvent[]): void {
    for (const ev of events) this.#deliverEvent(ev);
  }

  /** Engine event → report to the order's session (+ drop copies for Execution Reports). */
  #deliverEvent(ev: EngineEvent): void {
    if (ev.kind === 'massCancelReport') {
      this.#deliver(ev.compId, massCancelReportOf(ev, this.profile));
      return;
    }
    const er = executionReportOf(ev, this.profile, this.#rules.marketOf(ev.securityId), this.#time);
    this.#deliver(ev.compId, er);
    const owner = this.#comps.get(ev.compId);
    if (owner !== undefined) {
      const kind: GatewayEventKind | null =
        ev.kind === 'accepted' || ev.kind === 'amended' || ev.kind === 'filled'
          ? 'ack'
          : ev.kind === 'cancelled'
            ? 'cancel'
            : ev.kind === 'rejected' || ev.kind === 'amendRejected' || ev.kind === 'cancelRejected'
              ? 'reject'
              : null;
      if (kind !== null && this.#o.onEvent !== undefined)
        this.#emit(kind, owner, { execType: ev.execType, clientOrderId: ev.clientOrderId, orderId: ev.orderId, execId: ev.execId });
      for (const dc of this.#dropCopies.get(owner.config.firm) ?? []) {
        if (dc !== owner) this.#deliver(dc.config.compId, er);
      }
    }
  }

  /** Send now when the Comp ID is logged on, else journal for replay at its next logon (§3.13). */
  #deliver(compId: string, body: OcgMessage): void {
    try {
      this.#deliverUnguarded(compId, body);
    } catch (e) {
      // A report that cannot be encoded (a value the codec refuses) must not take the gateway down.
      this.#log.log('error', 'ocg.gateway.reportNotEncodable', { gateway: this.name, compId, msgType: body.msgType, error: (e as Error).message });
    }
  }

  #deliverUnguarded(compId: string, body: OcgMessage): void {
    const st = this.#comps.get(compId);
    const session = st?.live?.session;
    if (session !== null && session !== undefined && (session.loggedOn || session.state === 'logoutSent')) {
      session.sendMessage(body);
      return;
    }
    if (st === undefined) {
      this.#log.log('warn', 'ocg.gateway.reportForUnknownCompId', { gateway: this.name, compId, msgType: body.msgType });
      return;
    }
    journalMessage(this.#store.journal(compId), compId, body, this.profile);
  }

  /** (On the order path, callers skip building `detail` when nobody listens: two objects an order.) */
  #emit(kind: GatewayEventKind, st: CompState, detail: Record<string, unknown>): void {
    this.#o.onEvent?.({ ts: this.#clock.now(), service: this.service, kind, compId: st.config.compId, firm: st.config.firm, detail });
  }
}

// ---------------------------------------------------------------------------------------------

/**
 * The client's Client Order ID to name in a Reject / BMR: only a value the wire may carry and the
 * client could have meant (printable ASCII, within Alnum Fixed 21), never raw bytes (§2.5).
 */
function echoedId(m: OcgMessage): string | undefined {
  const id = (m as { clientOrderId?: string }).clientOrderId;
  return id !== undefined && id.length <= 20 && isPrintableAscii(id) ? id : undefined;
}

// OCG-C FIX gateway, exchange side: a TCP server whose connections become FixSessions once the
// Logon passes the checks the binary gateway makes (src/ocg/gateway.ts): CompIDs, registered
// source IP, one live session per CompID, RSA-encrypted time-prefixed password (src/ocg/password.ts,
// in EncryptedPassword(1402) — inferred: the binary scheme in FIX's encrypted-password fields),
// lock after 3 bad attempts, expiry, new password rules. NewOrderSingle, OrderCancelRequest,
// OrderCancelReplaceRequest and OrderMassCancelRequest go into the same OrderRouter (the venue's
// matching engine) as the binary gateway's; its events come back as ExecutionReport,
// OrderCancelReject and OrderMassCancelReport, to the session and, copied, to the firm's FIX drop
// copy sessions (which also see the firm's binary sessions' reports, via deliverEvents).
import net from 'node:net';
import { WriteBatcher, systemClock } from '../wire/index.ts';
import type { Clock, TimerHandle } from '../wire/index.ts';
import { DEFAULT_THROTTLE_MPS, LogonAccount, MemorySessionStore, PasswordChecker, normalizeIp, silentLogger } from '../ocg/index.ts';
import type { CompIdConfig, GatewayEvent, GatewayEventKind, OcgLogger, OrderRouter, OutboundGate, SessionStore } from '../ocg/index.ts';
import type { EngineEvent, EngineRequest, MassCancelReportEvent, OrderEvent } from '../ocg/index.ts';
import { FixStreamReader, GroupError, duplicateTag, fieldOf, groupsOf, msgTypeOf } from './codec.ts';
import type { FixField, FixMessage } from './codec.ts';
import { FixSession, fixJournalKey, journalFixMessage } from './session.ts';
import type { FixSessionEvent } from './session.ts';
import { FixBusinessRejectReason, FixMsgType, FixSessionStatus, SessionRejectReason, Tag } from './tags.ts';
import { UtcTimestampCache, isUtcTimestamp, sendingTime } from './time.ts';

/** A FIX CompID as registered: the binary Comp ID's registration (dropCopy, throttle, CoD, …). */
export type FixCompIdConfig = CompIdConfig;

export interface FixGatewayOptions {
  name?: string;
  host?: string;
  port?: number;
  /** Our CompID (TargetCompID of the clients) (inferred: HKEX). */
  gatewayCompId?: string;
  privateKeyPem: string;
  compIds: FixCompIdConfig[];
  router: OrderRouter;
  /** Session journals, keyed fixJournalKey(compId): may be the binary gateway's store. */
  store?: SessionStore;
  clock?: Clock;
  log?: OcgLogger;
  passwordToleranceMs?: number;
  /** RSA decrypt workers; default one per core, 0 = on the event loop. */
  passwordWorkers?: number;
  /** A checker shared with other gateways (a site's): used instead of passwordWorkers, left open by close(). */
  passwordChecker?: PasswordChecker;
  outboundGate?: OutboundGate;
  onEvent?: (event: GatewayEvent) => void;
  /** Events of the router for sessions that are not this gateway's (the binary gateway's). */
  foreignEvents?: (events: EngineEvent[]) => void;
  /** Firm of a session that is not this gateway's, for drop copies of its reports. */
  firmOf?: (compId: string) => string | undefined;
  logonWaitMs?: number;
  /** Timer overrides (tests): the binary session's table. */
  sessionTimers?: ConstructorParameters<typeof FixSession>[0]['timers'];
}

/** MsgTypes answered here; order entry ones count for the throttle. */
const ORDER_TYPES: ReadonlySet<string> = new Set(['D', 'F', 'G', 'q']);
/** Valid FIX MsgTypes the venue does not serve: BusinessMessageReject 380=3 (unknown ones: Reject 373=11). */
const UNSERVED_TYPES: ReadonlySet<string> = new Set(['8', '9', 'j', 'r', 'H', 'AF', 'S', 'Z', 'AE', 'BE', 'CU', 'R', 'V', 'x', 'AD']);
const APP_TYPES: ReadonlySet<string> = new Set([...ORDER_TYPES, ...UNSERVED_TYPES]);
const PARTY_TAGS: ReadonlySet<number> = new Set([Tag.PartyID, Tag.PartyIDSource, Tag.PartyRole]);
const VALUE_CHECK_TAGS: ReadonlySet<number> = new Set([Tag.ValueCheckType, Tag.ValueCheckAction]);
const DISCLOSURE_TAGS: ReadonlySet<number> = new Set([Tag.DisclosureType, Tag.DisclosureInstruction]);
const GROUP_TAGS: ReadonlySet<number> = new Set([...PARTY_TAGS, ...VALUE_CHECK_TAGS, ...DISCLOSURE_TAGS]);
/** PartyRole of the Submitting Broker ID: 1 Executing Firm (inferred). */
const ROLE_BROKER = '1';
/** OCG-C Order Status (numeric) → FIX OrdStatus(39). */
const ORD_STATUS: Record<number, string> = { 0: '0', 1: '1', 2: '2', 4: '4', 6: '6', 8: '8', 10: 'A', 12: 'C', 14: 'E' };

/** The SessionStatus (1409) of a logon refused by the account (as the binary gateway's, inferred). */
const REFUSAL_STATUS = {
  invalidPassword: FixSessionStatus.InvalidUsernameOrPassword,
  expired: FixSessionStatus.PasswordExpired,
  badNewPassword: FixSessionStatus.NewPasswordDoesNotComply,
  passwordChangeRequired: FixSessionStatus.PasswordChangeRequired,
} as const;

interface CompState {
  config: FixCompIdConfig;
  account: LogonAccount;
  live: Connection | null;
  codTimer: TimerHandle | null;
}

interface Connection {
  socket: net.Socket;
  sourceIp: string;
  reader: FixStreamReader;
  session: FixSession | null;
  comp: CompState | null;
  authPending: boolean;
  closed: boolean;
  loggedOn: boolean;
  loggedOut: boolean;
  logonTimer: TimerHandle | null;
}

/** Bad content in an order message: answered with a session-level Reject naming the tag. */
class FieldError extends Error {
  readonly tag: number;
  readonly reason: number;
  constructor(tag: number, reason: number, message: string) {
    super(message);
    this.tag = tag;
    this.reason = reason;
  }
}

export class FixGateway {
  readonly name: string;
  readonly gatewayCompId: string;
  readonly #o: FixGatewayOptions;
  readonly #clock: Clock;
  readonly #log: OcgLogger;
  readonly #store: SessionStore;
  readonly #comps = new Map<string, CompState>();
  readonly #dropCopies = new Map<string, CompState[]>();
  readonly #connections = new Set<Connection>();
  readonly #checker: PasswordChecker;
  /** The checker is this gateway's own (not one shared by a site's gateways): close() ends its workers. */
  readonly #ownsChecker: boolean;
  /** Outbound messages of one turn leave in one write per connection (src/wire/write-batcher.ts). */
  readonly #batch = new WriteBatcher();
  /** TransactTime text of reports (they come in bursts within one clock reading). */
  readonly #time = new UtcTimestampCache();
  #server: net.Server | null = null;
  #host: string;
  #port: number;

  constructor(options: FixGatewayOptions) {
    this.#o = options;
    this.name = options.name ?? 'OTP-C FIX';
    this.gatewayCompId = options.gatewayCompId ?? 'HKEX';
    this.#clock = options.clock ?? systemClock;
    this.#log = options.log ?? silentLogger;
    this.#store = options.store ?? new MemorySessionStore();
    this.#host = options.host ?? '127.0.0.1';
    this.#port = options.port ?? 0;
    const now = this.#clock.now();
    for (const c of options.compIds) {
      if (this.#comps.has(c.compId)) throw new RangeError(`FIX CompID ${c.compId} configured twice`);
      if (!/^[A-Za-z0-9]{1,11}$/.test(c.compId))
        throw new RangeError(`FIX CompID ${JSON.stringify(c.compId)}: 1..11 letters or digits (inferred: as the binary Comp ID)`);
      const st: CompState = { config: c, account: new LogonAccount(c, now), live: null, codTimer: null };
      this.#comps.set(c.compId, st);
      if (c.dropCopy === true) this.#dropCopies.set(c.firm, [...(this.#dropCopies.get(c.firm) ?? []), st]);
    }
    this.#ownsChecker = options.passwordChecker === undefined;
    this.#checker =
      options.passwordChecker ?? new PasswordChecker(options.privateKeyPem, options.passwordWorkers === undefined ? {} : { workers: options.passwordWorkers });
  }

  get address(): { host: string; port: number } {
    return { host: this.#host, port: this.#port };
  }
  get isOpen(): boolean {
    return this.#server !== null;
  }

  /** A CompID of this gateway. */
  owns(compId: string): boolean {
    return this.#comps.has(compId);
  }

  isLoggedOn(compId: string): boolean {
    const c = this.#comps.get(compId)?.live;
    return c !== null && c !== undefined && !c.closed && c.session?.loggedOn === true;
  }

  sequenceNumbers(compId: string): { nextToSend: number; nextExpected: number } {
    const j = this.#store.journal(fixJournalKey(compId));
    return { nextToSend: j.nextToSend, nextExpected: j.nextExpected };
  }

  async start(): Promise<{ host: string; port: number }> {
    if (this.#server !== null) return this.address;
    await this.#checker.ready();
    const server = net.createServer((s) => this.#onConnection(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: this.#port, host: this.#host }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (e) => this.#log.log('error', 'fix.gateway.serverError', { gateway: this.name, error: e.message }));
    this.#port = (server.address() as net.AddressInfo).port;
    this.#server = server;
    this.#log.log('info', 'fix.gateway.listening', { gateway: this.name, host: this.#host, port: this.#port });
    return this.address;
  }

  /** Stop listening, drop every connection without Logout (an outage: no Cancel on Disconnect). */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    for (const c of this.#connections) {
      c.loggedOut = true;
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

  async close(): Promise<void> {
    await this.stop();
    if (this.#ownsChecker) await this.#checker.close();
  }

  /** Logout every live session (service shutdown) and wait up to `waitMs` for the replies. */
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
    await Promise.race([
      Promise.all(gone),
      new Promise<void>((r) => {
        timer = setTimeout(r, waitMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Fault injection: drop a CompID's connection abruptly. */
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
      socket,
      sourceIp: normalizeIp(socket.remoteAddress),
      reader: new FixStreamReader(),
      session: null,
      comp: null,
      authPending: false,
      closed: false,
      loggedOn: false,
      loggedOut: false,
      logonTimer: null,
    };
    this.#connections.add(conn);
    conn.logonTimer = this.#clock.setTimeout(() => {
      if (conn.session === null && !conn.closed) this.#destroy(conn);
    }, this.#o.logonWaitMs ?? 60_000);
    socket.on('data', (chunk: Buffer) => this.#onData(conn, chunk));
    socket.on('end', () => {
      this.#batch.flush(socket);
      socket.end();
    });
    socket.on('error', (e) => this.#log.log('debug', 'fix.gateway.socketError', { gateway: this.name, error: e.message }));
    socket.on('close', () => this.#onClose(conn));
  }

  #onData(conn: Connection, chunk: Buffer): void {
    if (conn.closed) return;
    // The replies to this chunk leave in one write at its end, without a tick scheduled per chunk.
    this.#batch.hold();
    try {
      this.#onChunk(conn, chunk);
    } finally {
      this.#batch.release();
    }
  }

  #onChunk(conn: Connection, chunk: Buffer): void {
    conn.reader.push(chunk);
    for (let r = conn.reader.next(); r !== null && !conn.closed; r = conn.reader.next()) {
      if (!r.ok) {
        if (conn.session !== null) conn.session.onGarbled(r.detail);
        else {
          // Before a Logon there is no session to ignore it in: close (inferred).
          this.#log.log('warn', 'fix.gateway.garbledLogon', { gateway: this.name, sourceIp: conn.sourceIp, detail: r.detail });
          this.#destroy(conn);
        }
        continue;
      }
      try {
        if (conn.session !== null) conn.session.onMessage(r.beginString, r.message);
        else if (conn.authPending)
          this.#destroy(conn); // nothing may come before the Logon reply
        else this.#onLogon(conn, r.beginString, r.message);
      } catch (e) {
        this.#log.log('error', 'fix.gateway.sessionError', { gateway: this.name, compId: conn.comp?.config.compId, error: (e as Error).stack ?? String(e) });
        conn.session?.close('internal error');
        this.#destroy(conn);
      }
    }
  }

  #write(conn: Connection, bytes: Uint8Array): void {
    if (conn.closed) return;
    if (this.#o.outboundGate !== undefined) this.#o.outboundGate.write(conn.socket, bytes);
    else this.#batch.write(conn.socket, bytes);
  }

  #end(conn: Connection): void {
    if (conn.closed) return;
    conn.closed = true;
    if (this.#o.outboundGate !== undefined) this.#o.outboundGate.end(conn.socket);
    else {
      this.#batch.flush(conn.socket);
      conn.socket.end();
    }
    setTimeout(() => conn.socket.destroy(), 2_000).unref();
  }

  #destroy(conn: Connection): void {
    conn.closed = true;
    conn.socket.destroy();
  }

  #onClose(conn: Connection): void {
    conn.closed = true;
    conn.logonTimer?.cancel();
    this.#connections.delete(conn);
    const st = conn.comp,
      session = conn.session;
    session?.onTransportClosed();
    if (st === null) return;
    const current = st.live === conn;
    if (current) st.live = null;
    if (session === null || !conn.loggedOn) return;
    this.#emit('disconnect', st, { reason: session.disconnectReason, loggedOut: conn.loggedOut });
    const cod = st.config.cancelOnDisconnect;
    if (current && cod?.enabled === true && !conn.loggedOut && st.config.dropCopy !== true) {
      st.codTimer?.cancel();
      st.codTimer = this.#clock.setTimeout(() => {
        st.codTimer = null;
        if (st.live === null) this.#route(st, { type: 'cancelOnDisconnect', compId: st.config.compId });
      }, cod.delayMs);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Logon

  #onLogon(conn: Connection, beginString: string, m: FixMessage): void {
    const compId = fieldOf(m, Tag.SenderCompID) ?? '';
    const st = this.#comps.get(compId);
    const silent = (reason: string, detail: string) => {
      this.#log.log('warn', 'fix.gateway.logonRefused', { gateway: this.name, compId, sourceIp: conn.sourceIp, reason, detail });
      this.#o.onEvent?.({
        ts: this.#clock.now(),
        service: 'OTP-C',
        kind: 'logon-rejected',
        compId,
        firm: st?.config.firm ?? '',
        detail: { protocol: 'FIX', reason, detail, sourceIp: conn.sourceIp },
      });
      this.#destroy(conn);
    };
    // As the binary gateway (spec note §3.12): what does not identify a registered session gets a silent close.
    if (msgTypeOf(m) !== FixMsgType.Logon) return silent('notLogon', `first message is MsgType ${msgTypeOf(m)}, not Logon`);
    if (beginString !== 'FIXT.1.1') return silent('beginString', `BeginString ${beginString}`);
    if (st === undefined) return silent('unknownCompId', `unknown SenderCompID ${compId}`);
    if (fieldOf(m, Tag.TargetCompID) !== this.gatewayCompId)
      return silent('wrongTargetCompId', `TargetCompID ${fieldOf(m, Tag.TargetCompID) ?? '(none)'} is not ${this.gatewayCompId}`);
    if (!st.config.sourceIps.includes(conn.sourceIp)) return silent('wrongSourceIp', `source IP ${conn.sourceIp} not registered for ${compId}`);
    if (st.live !== null && !st.live.closed) {
      const other = st.live;
      silent('alreadyLoggedOn', `${compId} already has a live session; both closed`);
      this.#destroy(other);
      return;
    }
    const seq = Number(fieldOf(m, Tag.MsgSeqNum));
    const hb = Number(fieldOf(m, Tag.HeartBtInt));
    if (!Number.isSafeInteger(seq) || seq < 1) return silent('badMsgSeqNum', 'MsgSeqNum missing');
    conn.comp = st;
    st.live = conn;
    const password = fieldOf(m, Tag.EncryptedPassword);
    if (password === undefined)
      return this.#refuse(conn, st, FixSessionStatus.InvalidUsernameOrPassword, 'missingPassword', 'EncryptedPassword (1402) missing');
    if (!Number.isInteger(hb) || hb < 1 || hb > 3600)
      return this.#refuse(conn, st, FixSessionStatus.Other, 'badHeartBtInt', 'HeartBtInt (108) missing or out of range');
    if (fieldOf(m, Tag.DefaultApplVerID) !== '9')
      return this.#refuse(conn, st, FixSessionStatus.Other, 'badApplVerID', 'DefaultApplVerID (1137) must be 9 (FIX 5.0 SP2)');
    const ne = fieldOf(m, Tag.NextExpectedMsgSeqNum);
    if (ne !== undefined && !/^[1-9]\d{0,9}$/.test(ne))
      return this.#refuse(conn, st, FixSessionStatus.Other, 'badNextExpected', 'NextExpectedMsgSeqNum (789) is not a number');
    conn.authPending = true;
    void this.#authenticate(conn, st, m, { seq, heartBtIntS: hb, ...(ne !== undefined ? { nextExpected: Number(ne) } : {}) }, password);
  }

  async #authenticate(
    conn: Connection,
    st: CompState,
    m: FixMessage,
    req: { seq: number; heartBtIntS: number; nextExpected?: number },
    password: string,
  ): Promise<void> {
    const now = this.#clock.now();
    if (st.account.locked) return this.#refuse(conn, st, FixSessionStatus.AccountLocked, 'locked', 'account locked');
    const newPassword = fieldOf(m, Tag.EncryptedNewPassword);
    const res = await this.#checker.check({
      password,
      hash: st.account.passwordHash,
      nowMs: now,
      toleranceMs: this.#o.passwordToleranceMs ?? 5 * 60_000,
      newPasswordHasTimePrefix: false,
      ...(newPassword !== undefined ? { newPassword } : {}),
    });
    conn.authPending = false;
    if (conn.closed) {
      if (st.live === conn) st.live = null;
      return;
    }
    const verdict = st.account.settle(res, now);
    if (!verdict.ok) return this.#refuse(conn, st, REFUSAL_STATUS[verdict.kind], verdict.reason, verdict.detail);
    const status: number = verdict.passwordChanged ? FixSessionStatus.SessionPasswordChanged : FixSessionStatus.SessionActive;
    const session = this.#makeSession(conn, st);
    const outcome = session.acceptLogon(req, status, [[Tag.Text, String(verdict.daysLeft)]]);
    if (!outcome.ok) {
      this.#emit('logon-rejected', st, { reason: outcome.reason, detail: outcome.detail, sourceIp: conn.sourceIp });
      return;
    }
    conn.loggedOn = true;
    conn.logonTimer?.cancel();
    st.codTimer?.cancel();
    st.codTimer = null;
    this.#log.log('info', 'fix.gateway.logon', {
      gateway: this.name,
      compId: st.config.compId,
      seq: req.seq,
      nextExpected: req.nextExpected,
      nextToSend: session.nextToSend,
    });
    this.#emit('logon', st, { sourceIp: conn.sourceIp, clientSeq: req.seq, clientNextExpected: req.nextExpected, sessionStatus: status });
  }

  #refuse(conn: Connection, st: CompState, status: number, reason: string, detail: string): void {
    this.#log.log('warn', 'fix.gateway.logonRefused', { gateway: this.name, compId: st.config.compId, reason, sessionStatus: status, detail });
    this.#emit('logon-rejected', st, { reason, sessionStatus: status, detail, sourceIp: conn.sourceIp });
    conn.authPending = false;
    if (st.live === conn) st.live = null;
    conn.comp = null;
    if (conn.closed) return;
    // A refused logon does not consume the client's number; the Logout takes one of ours.
    this.#newSession(conn, st).refuseLogon(status, detail);
  }

  #newSession(conn: Connection, st: CompState): FixSession {
    const compId = st.config.compId;
    const session: FixSession = new FixSession({
      gatewayCompId: this.gatewayCompId,
      clientCompId: compId,
      journal: this.#store.journal(fixJournalKey(compId)),
      clock: this.#clock,
      log: this.#log,
      appMsgTypes: APP_TYPES,
      send: (b) => this.#write(conn, b),
      disconnect: () => this.#end(conn),
      onMessage: (m, seq) => this.#onApp(st, session, m, seq),
      onEvent: (e) => this.#onSessionEvent(conn, st, e),
      ...(this.#o.sessionTimers !== undefined ? { timers: this.#o.sessionTimers } : {}),
    });
    return session;
  }

  #makeSession(conn: Connection, st: CompState): FixSession {
    const s = this.#newSession(conn, st);
    conn.session = s;
    return s;
  }

  #onSessionEvent(conn: Connection, st: CompState, e: FixSessionEvent): void {
    if (e.type === 'resendRequestReceived') this.#emit('resend-request', st, { start: e.start, end: e.end, replayed: e.replayed, gapFilled: e.gapFilled });
    else if (e.type === 'logoutReceived') {
      conn.loggedOut = true;
      this.#emit('logout', st, { text: e.text, initiator: 'client' });
    } else if (e.type === 'state' && e.to === 'logoutSent') conn.loggedOut = true;
  }

  // -------------------------------------------------------------------------------------------
  // Application messages

  #onApp(st: CompState, session: FixSession, m: FixMessage, seq: number): void {
    const type = msgTypeOf(m);
    if (type === FixMsgType.Reject || !ORDER_TYPES.has(type)) {
      if (type === FixMsgType.Reject || type === FixMsgType.BusinessMessageReject) {
        this.#log.log('warn', 'fix.gateway.clientReject', { gateway: this.name, compId: st.config.compId, seq });
        return;
      }
      this.#bmr(session, seq, type, FixBusinessRejectReason.UnsupportedMessageType, `MsgType ${type} is not served by this venue`, m);
      return;
    }
    if (st.config.dropCopy === true) {
      this.#bmr(session, seq, type, FixBusinessRejectReason.UnsupportedMessageType, 'drop copy session accepts no orders', m);
      return;
    }
    const remaining = this.#throttle(st);
    if (remaining > 0) {
      // As the binary protocol (spec note §1.5): BusinessMessageReject 380=8, Text = remaining ms.
      this.#bmr(session, seq, type, FixBusinessRejectReason.ThrottleLimitExceeded, String(remaining), m);
      return;
    }
    let req: EngineRequest;
    try {
      const dup = duplicateTag(m, GROUP_TAGS);
      if (dup !== undefined) throw new FieldError(dup, SessionRejectReason.TagAppearsMoreThanOnce, `tag ${dup} appears more than once`);
      req = this.#request(st, m, type);
    } catch (e) {
      if (e instanceof FieldError) {
        session.reject(seq, type, e.reason, e.message, e.tag);
        return;
      }
      if (e instanceof GroupError) {
        session.reject(seq, type, SessionRejectReason.IncorrectNumInGroup, e.message, e.tag);
        return;
      }
      throw e;
    }
    const allowed = st.config.brokerIds;
    if (allowed !== undefined && allowed.length > 0 && 'brokerId' in req && !allowed.includes(req.brokerId)) {
      this.#bmr(session, seq, type, FixBusinessRejectReason.NotAuthorized, 'broker ID not entitled', m);
      return;
    }
    if (type === FixMsgType.NewOrderSingle && this.#o.onEvent !== undefined)
      this.#emit('order', st, { clientOrderId: fieldOf(m, Tag.ClOrdID), securityId: fieldOf(m, Tag.SecurityID), seqNum: seq });
    this.#route(st, req);
  }

  #request(st: CompState, m: FixMessage, type: string): EngineRequest {
    const compId = st.config.compId;
    const parties = groupsOf(m, Tag.NoPartyIDs, Tag.PartyID, PARTY_TAGS);
    let broker: string | undefined;
    for (const party of parties) if (broker === undefined && party.get(Tag.PartyRole) === ROLE_BROKER) broker = party.get(Tag.PartyID);
    if (broker === undefined)
      throw new FieldError(Tag.PartyID, SessionRejectReason.RequiredTagMissing, 'Parties: no PartyID with PartyRole 1 (the Submitting Broker ID)');
    const clOrdId = need(m, Tag.ClOrdID);
    const transact = need(m, Tag.TransactTime);
    if (!isUtcTimestamp(transact)) throw new FieldError(Tag.TransactTime, SessionRejectReason.IncorrectDataFormat, 'TransactTime is not a UTCTimestamp');
    const source = fieldOf(m, Tag.SecurityIDSource);
    if (source !== undefined && source !== '8')
      throw new FieldError(Tag.SecurityIDSource, SessionRejectReason.ValueIncorrect, 'SecurityIDSource must be 8 (Exchange Symbol)');
    switch (type) {
      case FixMsgType.NewOrderSingle: {
        const ordType = intOf(Tag.OrdType, need(m, Tag.OrdType));
        const req: EngineRequest = {
          type: 'new',
          compId,
          brokerId: broker,
          clientOrderId: clOrdId,
          securityId: need(m, Tag.SecurityID),
          side: intOf(Tag.Side, need(m, Tag.Side)),
          orderType: ordType,
          quantity: qtyOf(m),
        };
        const p = priceOf(m);
        if (ordType === 2 && p === undefined) throw new FieldError(Tag.Price, SessionRejectReason.RequiredTagMissing, 'Price is required for a limit order');
        if (p !== undefined) req.price = p;
        const tif = fieldOf(m, Tag.TimeInForce);
        if (tif !== undefined) req.tif = intOf(Tag.TimeInForce, tif);
        const lot = fieldOf(m, Tag.LotType);
        if (lot !== undefined) req.lotType = intOf(Tag.LotType, lot);
        // ValueCheckType 1 (price) with ValueCheckAction 0 (do not check) ⇒ the binary Execution Instruction "0" (inferred).
        const checks = groupsOf(m, Tag.NoValueChecks, Tag.ValueCheckType, VALUE_CHECK_TAGS);
        if (checks.some((c) => c.get(Tag.ValueCheckType) === '1' && c.get(Tag.ValueCheckAction) === '0')) req.ignorePriceValidity = true;
        groupsOf(m, Tag.NoDisclosureInstructions, Tag.DisclosureType, DISCLOSURE_TAGS); // checked, not modelled
        const text = fieldOf(m, Tag.Text);
        if (text !== undefined) req.echo = { text: text.slice(0, 10) };
        return req;
      }
      case FixMsgType.OrderCancelRequest: {
        const req: EngineRequest = {
          type: 'cancel',
          compId,
          brokerId: broker,
          clientOrderId: clOrdId,
          originalClientOrderId: need(m, Tag.OrigClOrdID),
          securityId: need(m, Tag.SecurityID),
          side: intOf(Tag.Side, need(m, Tag.Side)),
        };
        const orderId = fieldOf(m, Tag.OrderID);
        if (orderId !== undefined) req.orderId = orderId;
        return req;
      }
      case FixMsgType.OrderCancelReplaceRequest: {
        const req: EngineRequest = {
          type: 'amend',
          compId,
          brokerId: broker,
          clientOrderId: clOrdId,
          originalClientOrderId: need(m, Tag.OrigClOrdID),
          securityId: need(m, Tag.SecurityID),
          side: intOf(Tag.Side, need(m, Tag.Side)),
          quantity: qtyOf(m),
        };
        const orderId = fieldOf(m, Tag.OrderID);
        if (orderId !== undefined) req.orderId = orderId;
        const p = priceOf(m);
        if (p !== undefined) req.price = p;
        req.orderType = intOf(Tag.OrdType, need(m, Tag.OrdType));
        const tif = fieldOf(m, Tag.TimeInForce);
        if (tif !== undefined) req.tif = intOf(Tag.TimeInForce, tif);
        return req;
      }
      default: {
        // OrderMassCancelRequest
        const t = intOf(Tag.MassCancelRequestType, need(m, Tag.MassCancelRequestType));
        const req: EngineRequest = { type: 'massCancel', compId, brokerId: broker, clientOrderId: clOrdId, massCancelRequestType: t };
        const sec = fieldOf(m, Tag.SecurityID),
          seg = fieldOf(m, Tag.MarketSegmentID),
          s = fieldOf(m, Tag.Side);
        if (t === 1 && sec === undefined)
          throw new FieldError(Tag.SecurityID, SessionRejectReason.RequiredTagMissing, 'SecurityID required for MassCancelRequestType 1');
        if (t === 9 && seg === undefined)
          throw new FieldError(Tag.MarketSegmentID, SessionRejectReason.RequiredTagMissing, 'MarketSegmentID required for MassCancelRequestType 9');
        if (sec !== undefined) req.securityId = sec;
        if (seg !== undefined) req.marketSegmentId = seg;
        if (s !== undefined) req.side = intOf(Tag.Side, s);
        return req;
      }
    }
  }

  #throttle(st: CompState): number {
    return st.account.throttle(this.#clock.now(), st.config.throttleMps ?? DEFAULT_THROTTLE_MPS);
  }

  #bmr(session: FixSession, refSeq: number, refType: string, reason: number, text: string, m: FixMessage): void {
    const f: FixField[] = [
      [Tag.MsgType, FixMsgType.BusinessMessageReject],
      [Tag.RefSeqNum, String(refSeq)],
      [Tag.RefMsgType, refType],
    ];
    const id = fieldOf(m, Tag.ClOrdID);
    if (id !== undefined) f.push([Tag.BusinessRejectRefID, id]);
    f.push([Tag.BusinessRejectReason, String(reason)], [Tag.Text, text]);
    session.send(f);
  }

  #route(st: CompState, req: EngineRequest): void {
    let events: EngineEvent[];
    try {
      events = this.#o.router.handle(req);
    } catch (e) {
      this.#log.log('error', 'fix.gateway.routerError', { gateway: this.name, compId: st.config.compId, error: (e as Error).message });
      return;
    }
    this.deliverEvents(events);
  }

  /**
   * Engine events from any gateway's request: this gateway's sessions get their reports, the
   * firm's FIX drop copies a copy of every Execution Report, the rest goes to `foreignEvents`.
   */
  deliverEvents(events: EngineEvent[], fromForeign = false): void {
    const foreign: EngineEvent[] = [];
    for (const ev of events) {
      const owner = this.#comps.get(ev.compId);
      if (owner === undefined) foreign.push(ev);
      else this.#deliver(owner, ev.kind === 'massCancelReport' ? massCancelReportOf(ev, this.#time) : reportOf(ev, this.#time));
      if (ev.kind === 'massCancelReport') continue;
      const firm = owner?.config.firm ?? this.#o.firmOf?.(ev.compId);
      if (firm === undefined) continue;
      for (const dc of this.#dropCopies.get(firm) ?? []) if (dc !== owner) this.#deliver(dc, executionReportOf(ev, this.#time));
      if (owner !== undefined && this.#o.onEvent !== undefined) {
        const kind: GatewayEventKind | null =
          ev.kind === 'accepted' || ev.kind === 'amended' || ev.kind === 'filled'
            ? 'ack'
            : ev.kind === 'cancelled'
              ? 'cancel'
              : ev.kind === 'rejected' || ev.kind === 'amendRejected' || ev.kind === 'cancelRejected'
                ? 'reject'
                : null;
        if (kind !== null) this.#emit(kind, owner, { execType: ev.execType, clientOrderId: ev.clientOrderId, orderId: ev.orderId, execId: ev.execId });
      }
    }
    if (!fromForeign && foreign.length > 0) this.#o.foreignEvents?.(foreign);
  }

  /** Send now when logged on, else journal for replay at the next logon. */
  #deliver(st: CompState, body: FixField[]): void {
    const s = st.live?.session;
    if (s !== null && s !== undefined && (s.loggedOn || s.state === 'logoutSent')) s.send(body);
    else journalFixMessage(this.#store.journal(fixJournalKey(st.config.compId)), this.gatewayCompId, st.config.compId, body, this.#clock.now());
  }

  #emit(kind: GatewayEventKind, st: CompState, detail: Record<string, unknown>): void {
    this.#o.onEvent?.({
      ts: this.#clock.now(),
      service: 'OTP-C',
      kind,
      compId: st.config.compId,
      firm: st.config.firm,
      detail: { protocol: 'FIX', ...detail },
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Field readers of order messages (digit loops: no regex per message)

function need(m: FixMessage, tag: number): string {
  const v = fieldOf(m, tag);
  if (v === undefined) throw new FieldError(tag, SessionRejectReason.RequiredTagMissing, `required tag ${tag} missing`);
  return v;
}

/** Digits only in v[from, to). */
function allDigits(v: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** An int field: 1 to 9 digits. */
function intOf(tag: number, v: string): number {
  if (v.length === 0 || v.length > 9 || !allDigits(v, 0, v.length))
    throw new FieldError(tag, SessionRejectReason.IncorrectDataFormat, `tag ${tag} is not an integer`);
  return Number(v);
}

/** OrderQty: a whole number of shares (1 to 12 digits, a fraction of zeros allowed). */
function qtyOf(m: FixMessage): number {
  const v = need(m, Tag.OrderQty);
  const dot = v.indexOf('.');
  const whole = dot < 0 ? v.length : dot;
  let ok = whole >= 1 && whole <= 12 && allDigits(v, 0, whole);
  for (let i = whole + 1; ok && i < v.length; i++) ok = v.charCodeAt(i) === 0x30;
  if (!ok) throw new FieldError(Tag.OrderQty, SessionRejectReason.IncorrectDataFormat, 'OrderQty is not a whole number of shares');
  return Number(v.slice(0, whole));
}

function priceOf(m: FixMessage): number | undefined {
  const v = fieldOf(m, Tag.Price);
  if (v === undefined) return undefined;
  const p = p3FromFix(v);
  if (p === null) throw new FieldError(Tag.Price, SessionRejectReason.IncorrectDataFormat, 'Price is not a decimal');
  return p;
}

// ---------------------------------------------------------------------------------------------
// Engine events → FIX messages

/** A FIX decimal price → P3 (thousandths); NaN off the 0.001 grid (the engine rejects it); null if not a decimal. */
export function p3FromFix(v: string): number | null {
  const dot = v.indexOf('.');
  const whole = dot < 0 ? v.length : dot;
  const fracLength = dot < 0 ? 0 : v.length - dot - 1;
  if (whole < 1 || whole > 9 || !allDigits(v, 0, whole)) return null;
  if (dot >= 0 && (fracLength < 1 || fracLength > 12 || !allDigits(v, dot + 1, v.length))) return null;
  let p3 = 0;
  for (let i = 0; i < whole; i++) p3 = p3 * 10 + (v.charCodeAt(i) - 0x30);
  p3 *= 1000;
  for (let k = 0; k < fracLength; k++) {
    const d = v.charCodeAt(dot + 1 + k) - 0x30;
    if (k < 3) p3 += d * (k === 0 ? 100 : k === 1 ? 10 : 1);
    else if (d !== 0) return Number.NaN;
  }
  return p3;
}

export function fixPriceOf(p3: number): string {
  const whole = Math.trunc(p3 / 1000),
    frac = p3 % 1000;
  if (frac === 0) return String(whole);
  // Thousandths without trailing zeros: 385.2, 385.25, 385.255, 0.005.
  if (frac % 100 === 0) return `${whole}.${frac / 100}`;
  if (frac % 10 === 0) return `${whole}.${frac < 100 ? '0' : ''}${frac / 10}`;
  return `${whole}.${frac < 10 ? '00' : frac < 100 ? '0' : ''}${frac}`;
}

function partiesOf(broker: string, contra?: string): FixField[] {
  const f: FixField[] = [
    [Tag.NoPartyIDs, '1'],
    [Tag.PartyID, broker],
    [Tag.PartyIDSource, 'D'],
    [Tag.PartyRole, ROLE_BROKER],
  ];
  // The contra broker in ContraGrp (382/375), not as a second Parties instance: an engine reading
  // without a dictionary then sees no repeated tag (inferred field choice).
  if (contra !== undefined) f.push([Tag.NoContraBrokers, '1'], [Tag.ContraBroker, contra]);
  return f;
}

/** The report a session gets for an event: ExecutionReport, or OrderCancelReject for 'X' / 'Y'. */
function reportOf(ev: OrderEvent, time?: UtcTimestampCache): FixField[] {
  if (ev.kind !== 'cancelRejected' && ev.kind !== 'amendRejected') return executionReportOf(ev, time);
  const f: FixField[] = [
    [Tag.MsgType, FixMsgType.OrderCancelReject],
    [Tag.OrderID, ev.orderId === '' ? 'NONE' : ev.orderId],
    [Tag.ClOrdID, ev.clientOrderId],
    [Tag.OrigClOrdID, ev.originalClientOrderId ?? 'NONE'],
    [Tag.OrdStatus, ORD_STATUS[ev.ordStatus] ?? '8'],
    [Tag.CxlRejResponseTo, ev.kind === 'cancelRejected' ? '1' : '2'],
    // CxlRejReason: the binary Cancel/Amend Reject Code (inferred: OCG-C FIX uses the same numbers).
    [Tag.CxlRejReason, String(ev.kind === 'cancelRejected' ? ev.cancelRejectCode : ev.amendRejectCode)],
    [Tag.Text, ev.reason.slice(0, 74) || 'rejected'],
  ];
  return f;
}

/** ExecutionReport (8) of an order event; 'X' / 'Y' (for drop copies) keep the binary Exec Types. `time`: the gateway's TransactTime text cache. */
export function executionReportOf(ev: OrderEvent, time?: UtcTimestampCache): FixField[] {
  const f: FixField[] = [
    [Tag.MsgType, FixMsgType.ExecutionReport],
    [Tag.OrderID, ev.orderId === '' ? 'NONE' : ev.orderId],
    [Tag.ClOrdID, ev.clientOrderId],
  ];
  const orig = (ev as { originalClientOrderId?: string }).originalClientOrderId;
  if (orig !== undefined) f.push([Tag.OrigClOrdID, orig]);
  f.push(
    [Tag.ExecID, ev.execId],
    [Tag.ExecType, ev.execType],
    [Tag.OrdStatus, ORD_STATUS[ev.ordStatus] ?? '8'],
    [Tag.SecurityID, ev.securityId],
    [Tag.SecurityIDSource, '8'],
    [Tag.SecurityExchange, 'XHKG'],
    [Tag.Side, String(ev.side)],
    [Tag.OrdType, String(ev.orderType)],
  );
  if (ev.orderType === 2 && Number.isFinite(ev.price)) f.push([Tag.Price, fixPriceOf(ev.price)]);
  f.push([Tag.OrderQty, String(ev.orderQty)], [Tag.TimeInForce, String(ev.tif)], [Tag.CumQty, String(ev.cumQty)], [Tag.LeavesQty, String(ev.leavesQty)]);
  if (ev.kind === 'filled') {
    f.push(
      [Tag.LastPx, fixPriceOf(ev.lastPx)],
      [Tag.LastQty, String(ev.lastQty)],
      [Tag.TrdMatchID, ev.tradeId],
      [Tag.AggressorIndicator, ev.aggressor ? 'Y' : 'N'],
    );
  }
  if (ev.kind === 'rejected') f.push([Tag.OrdRejReason, String(ev.ordRejReason)]);
  if (ev.kind === 'cancelled' && ev.execRestatementReason !== undefined) f.push([Tag.ExecRestatementReason, String(ev.execRestatementReason)]);
  f.push(
    [Tag.TransactTime, time === undefined ? sendingTime(ev.transactTime) : time.text(ev.transactTime)],
    ...partiesOf(ev.brokerId, ev.kind === 'filled' ? ev.counterpartyBrokerId : undefined),
  );
  if (ev.kind === 'accepted' || ev.kind === 'filled') f.push([Tag.LotType, String(ev.lotType === 1 ? 1 : 2)]);
  const reason = (ev as { reason?: string }).reason;
  if (reason !== undefined && reason !== '') f.push([Tag.Text, reason.slice(0, 74)]);
  else if (ev.echo?.text !== undefined && ev.echo.text !== '') f.push([Tag.Text, ev.echo.text]);
  return f;
}

function massCancelReportOf(ev: MassCancelReportEvent, time?: UtcTimestampCache): FixField[] {
  const f: FixField[] = [
    [Tag.MsgType, FixMsgType.OrderMassCancelReport],
    [Tag.ClOrdID, ev.clientOrderId],
    [Tag.MassActionReportID, ev.massActionReportId],
    [Tag.MassCancelRequestType, String(ev.massCancelRequestType)],
    [Tag.MassCancelResponse, String(ev.massCancelResponse)],
  ];
  if (ev.massCancelRejectCode !== undefined) f.push([Tag.MassCancelRejectReason, String(ev.massCancelRejectCode)]);
  f.push([Tag.TotalAffectedOrders, String(ev.cancelledCount)]);
  if (ev.securityId !== undefined) f.push([Tag.SecurityID, ev.securityId], [Tag.SecurityIDSource, '8']);
  f.push([Tag.TransactTime, time === undefined ? sendingTime(ev.transactTime) : time.text(ev.transactTime)]);
  if (ev.reason !== undefined && ev.reason !== '') f.push([Tag.Text, ev.reason.slice(0, 74)]);
  return f;
}

// The OCG-C session state machine (spec note §1.3, §3.3–3.8, §3.12, §3.13), apart from the socket
// and shared by both roles: 'gateway' (OCG-C side) and 'client' (broker side). In the shape of
// Artio / QuickFIX (docs/architecture.md, "Code"): explicit states, sequence numbers in a persisted SessionJournal,
// timers on an injected Clock, bytes in through onFrame(), frames out through the `send`
// callback, the decision to close the TCP connection out through `disconnect`.
//
//   connecting ──(client: startLogon)──▶ logonSent ──(Logon reply)──▶ active ⇄ awaitingResend
//   connecting ──(gateway: acceptLogon)────────────────────────────▶ active
//   active/awaitingResend ──(logout)──▶ logoutSent ──(Logout reply | 60 s)──▶ disconnected
//   any ──(bad frame, timeout, transport closed)──▶ disconnected
//
// Authentication (Comp ID, source IP, password) is the gateway's job and happens before
// acceptLogon(); the session owns the sequence-number checks of the handshake (§3.12).
import type { Clock, TimerHandle } from '../wire/index.ts';
import { decodeFrame, encodeMessage, restampFrame } from './codec.ts';
import { GapFill, MessageRejectCode, OCG_GAP_FILLED_MSG_TYPES, OcgMsgType, SessionStatus } from './messages.ts';
import type { Logon, OcgDecodeError, OcgHeader, OcgMessage } from './messages.ts';
import type { OcgProfile } from './profile.ts';
import type { SessionJournal } from './session-store.ts';
import { silentLogger } from './log.ts';
import { wireText } from './wire-text.ts';
import type { OcgLogger } from './log.ts';

export const OcgSessionState = {
  Connecting: 'connecting',
  LogonSent: 'logonSent',
  Active: 'active',
  AwaitingResend: 'awaitingResend',
  LogoutSent: 'logoutSent',
  Disconnected: 'disconnected',
} as const;
export type OcgSessionStateName = (typeof OcgSessionState)[keyof typeof OcgSessionState];

export type OcgSessionRole = 'gateway' | 'client';

/** Timer values of §1.3, all [SPEC]; heartbeat interval is fixed at 20 s (no negotiation, §5.12). */
export const OCG_SESSION_TIMERS = {
  heartbeatIntervalMs: 20_000,
  /** Nothing received for more than 3 intervals ⇒ Test Request. */
  testRequestAfterMs: 60_000,
  /** No answer to the Test Request within ~3 intervals ⇒ Logout and drop. */
  testRequestTimeoutMs: 60_000,
  logonTimeoutMs: 60_000,
  logoutTimeoutMs: 60_000,
  /** awaitingResend with no progress this long ⇒ Logout and drop [INF: the spec names no value]. */
  resendTimeoutMs: 60_000,
  /** Messages held beyond a gap before the session gives up (memory bound) [INF]. */
  maxQueuedMessages: 100_000,
  /** Resolution of the session's own timer (how often it looks at the clock). */
  tickMs: 1_000,
} as const;

export type OcgSessionEvent =
  | { type: 'state'; from: OcgSessionStateName; to: OcgSessionStateName }
  | { type: 'logonSent'; seqNum: number; nextExpected: number }
  /** Client: the gateway's Logon reply; gateway: the logon it accepted. */
  | { type: 'logonAccepted'; sessionStatus?: number; text?: string; peerNextExpected: number; testMessageIndicator?: number }
  /** Client: the gateway answered the logon with Logout (Session Status, §3.11). */
  | { type: 'logonRefused'; sessionStatus?: number; text?: string }
  | { type: 'gapDetected'; expected: number; received: number }
  | { type: 'resendRequestSent'; start: number; end: number }
  | { type: 'gapRecovered'; from: number; to: number }
  | { type: 'resendRequestReceived'; start: number; end: number; replayed: number; gapFilled: number }
  | { type: 'logoutReceived'; text?: string; sessionStatus?: number }
  | { type: 'testRequestSent'; id: number }
  | { type: 'disconnected'; reason: string };

export interface OcgSessionOptions {
  role: OcgSessionRole;
  /** The client's Comp ID, carried in the header both ways (§1.1, §8 item 8). */
  compId: string;
  journal: SessionJournal;
  clock: Clock;
  /** Write one frame to the transport. */
  send: (frame: Uint8Array) => void;
  /** Close the transport (the session has already said what it had to say). */
  disconnect: (reason: string) => void;
  /** In-sequence application messages (business messages, Reject, Business Message Reject). */
  onMessage?: (message: OcgMessage, header: OcgHeader) => void;
  onEvent?: (event: OcgSessionEvent) => void;
  log?: OcgLogger;
  profile?: OcgProfile;
  /** Override §1.3 timers (tests; accelerated rundowns pass a scaled clock instead). */
  timers?: Partial<typeof OCG_SESSION_TIMERS>;
}

/** Gateway-side answer to an accepted logon (§3.3). */
export interface OcgLogonReply {
  sessionStatus: number;
  text?: string;
  testMessageIndicator?: number;
}

export type OcgLogonOutcome = { ok: true } | { ok: false; reason: 'firstLogonSeqNotOne' | 'sequenceTooLow' | 'nextExpectedTooHigh'; detail: string };

interface Pending {
  header: OcgHeader;
  message: OcgMessage;
}

export class OcgSession {
  readonly role: OcgSessionRole;
  readonly compId: string;
  readonly journal: SessionJournal;
  #state: OcgSessionStateName = OcgSessionState.Connecting;
  readonly #o: OcgSessionOptions;
  /** decodeFrame options: the profile, made once (not an object per frame). */
  readonly #codecOptions: { profile: OcgProfile } | undefined;
  readonly #log: OcgLogger;
  readonly #t: typeof OCG_SESSION_TIMERS;
  readonly #clock: Clock;
  #tick: TimerHandle | null = null;
  #lastSentAt = 0;
  #lastReceivedAt = 0;
  #stateSince = 0;
  #testRequestId = 0;
  #testRequestSentAt = -1;
  /** Messages received beyond a gap, by seq, until the gap is filled (§3.12). */
  readonly #queue = new Map<number, Pending>();
  /** awaitingResend lasts until nextExpected passes this seq. */
  #resendUntil = 0;
  #resendFrom = 0;
  /**
   * What the awaitingResend wait is for: > 0 the Start Sequence of the open-ended Resend Request we
   * sent; -1 the peer's own replay after logon (§3.12 step 5-6); 0 nothing covers the gap any more.
   */
  #resendAsked = 0;
  /** When nextExpected last moved while awaitingResend. */
  #resendProgressAt = 0;
  #resendProgressSeq = 0;
  #disconnectReason = '';

  constructor(options: OcgSessionOptions) {
    this.#o = options;
    this.#codecOptions = options.profile === undefined ? undefined : { profile: options.profile };
    this.role = options.role;
    this.compId = options.compId;
    this.journal = options.journal;
    this.#clock = options.clock;
    this.#log = options.log ?? silentLogger;
    this.#t = { ...OCG_SESSION_TIMERS, ...options.timers };
    this.#lastSentAt = this.#lastReceivedAt = this.#stateSince = this.#clock.now();
  }

  get state(): OcgSessionStateName {
    return this.#state;
  }

  get nextToSend(): number {
    return this.journal.nextToSend;
  }

  get nextExpected(): number {
    return this.journal.nextExpected;
  }

  /** True once logged on and until the session ends (messages may be sent). */
  get loggedOn(): boolean {
    return this.#state === OcgSessionState.Active || this.#state === OcgSessionState.AwaitingResend;
  }

  get disconnectReason(): string {
    return this.#disconnectReason;
  }

  // -------------------------------------------------------------------------------------------
  // Handshake

  /**
   * Client: send Logon (§3.3, §3.12 step 1) with the RSA-encrypted, time-prefixed password
   * (password.ts) and wait for the reply; the logon timer runs (60 s, §1.3).
   */
  startLogon(fields: { password: string; newPassword?: string }): void {
    if (this.role !== 'client') throw new Error('startLogon is for the client role');
    if (this.#state !== OcgSessionState.Connecting) throw new Error(`startLogon in state ${this.#state}`);
    const seq = this.journal.nextToSend;
    const logon: Logon = { msgType: OcgMsgType.Logon, password: fields.password, nextExpectedMessageSequence: this.journal.nextExpected };
    if (fields.newPassword !== undefined) logon.newPassword = fields.newPassword;
    this.#sendSession(logon);
    this.#setState(OcgSessionState.LogonSent);
    this.#emit({ type: 'logonSent', seqNum: seq, nextExpected: this.journal.nextExpected });
    this.#startTimer();
  }

  /**
   * Gateway: the client's Logon passed authentication; apply the sequence rules of §3.12 step 2–4,
   * reply, and replay what the client missed. On a sequence refusal the session sends what the
   * note says (Logout or nothing), disconnects, and returns why.
   */
  acceptLogon(header: OcgHeader, logon: Logon, reply: OcgLogonReply): OcgLogonOutcome {
    if (this.role !== 'gateway') throw new Error('acceptLogon is for the gateway role');
    if (this.#state !== OcgSessionState.Connecting) throw new Error(`acceptLogon in state ${this.#state}`);
    const j = this.journal;
    const c = header.seqNum;
    const n = logon.nextExpectedMessageSequence ?? 0;
    this.#lastReceivedAt = this.#clock.now();
    if (j.fresh && c > 1) {
      // §3.12: first logon of the day with header seq > 1 ⇒ close immediately, no messages.
      const detail = `first logon of the day with sequence ${c} (expected 1)`;
      this.#close(detail);
      return { ok: false, reason: 'firstLogonSeqNotOne', detail };
    }
    if (c < j.nextExpected) {
      // §3.12 "received seq less than expected, PossDup ≠ 1 ⇒ Logout and terminate": the inbound
      // counter stays, the Logout consumes an outbound seq. Session Status: the note gives no
      // dedicated code, so 101 Other with the numbers in the text [INF].
      const detail = `sequence number too low: expected ${j.nextExpected}, received ${c}`;
      this.#sendSession({ msgType: OcgMsgType.Logout, logoutText: truncate(detail, 74), sessionStatus: SessionStatus.Other });
      this.#close(detail);
      return { ok: false, reason: 'sequenceTooLow', detail };
    }
    if (n > j.nextToSend) {
      // §3.12 step 2: N > S ⇒ Logout and terminate (manual intervention).
      const detail = `next expected ${n} is beyond the gateway's next sequence ${j.nextToSend}`;
      this.#sendSession({ msgType: OcgMsgType.Logout, logoutText: truncate(detail, 74), sessionStatus: SessionStatus.Other });
      this.#close(detail);
      return { ok: false, reason: 'nextExpectedTooHigh', detail };
    }
    // c > expected: the client replays the gap itself after our reply (§3.12 step 5-6): no Resend
    // Request; its Logon seq is skipped by its gap fill.
    this.#setState(OcgSessionState.Active);
    if (c === j.nextExpected) j.setNextExpected(c + 1);
    else this.#enterAwaitingResend(j.nextExpected, c);
    const logonSeq = j.nextToSend;
    const out: Logon = { msgType: OcgMsgType.Logon, nextExpectedMessageSequence: j.nextExpected, sessionStatus: reply.sessionStatus };
    if (reply.text !== undefined) out.text = reply.text;
    if (reply.testMessageIndicator !== undefined) out.testMessageIndicator = reply.testMessageIndicator;
    this.#sendSession(out);
    const accepted: OcgSessionEvent = { type: 'logonAccepted', sessionStatus: reply.sessionStatus, peerNextExpected: n };
    if (reply.text !== undefined) accepted.text = reply.text;
    this.#emit(accepted);
    // §3.12 step 4: N < S ⇒ replay N … S−1, then the gap fill over the Logon reply's own seq.
    if (n < logonSeq) this.#replay(Math.max(1, n), logonSeq + 1);
    this.#startTimer();
    return { ok: true };
  }

  /** Gateway: refuse an authenticated-looking logon with Logout + Session Status (§3.12, §8 item 9). */
  refuseLogon(sessionStatus: number, text: string): void {
    if (this.#state !== OcgSessionState.Connecting) return;
    this.#sendSession({ msgType: OcgMsgType.Logout, logoutText: truncate(text, 74), sessionStatus });
    this.#close(`logon refused: ${text}`);
  }

  // -------------------------------------------------------------------------------------------
  // Inbound

  /** One complete frame from the transport (an OcgFrameReader's nextFrame()). Never throws. */
  onFrame(frame: Uint8Array): void {
    this.onFrameAt(frame, 0, frame.length);
  }

  /** One complete frame at bytes[off, off + len) (an OcgFrameReader's nextFrameAt()). Never throws. */
  onFrameAt(bytes: Uint8Array, off: number, len: number): void {
    if (this.#state === OcgSessionState.Disconnected) return;
    const r = decodeFrame(bytes, off, len, this.#codecOptions);
    if (!r.ok) {
      this.#onDecodeError(r);
      return;
    }
    this.#lastReceivedAt = this.#clock.now();
    this.#onMessage(r.header, r.message);
  }

  /** A framing error from the frame reader (bad start byte, bad length, truncated). */
  onFramingError(error: OcgDecodeError): void {
    this.#onDecodeError(error);
  }

  /** The transport closed (by either side). */
  onTransportClosed(reason = 'connection closed'): void {
    if (this.#state === OcgSessionState.Disconnected) return;
    this.#stop(reason);
  }

  #onDecodeError(e: OcgDecodeError): void {
    const fields: Record<string, unknown> = { compId: this.compId, role: this.role, kind: e.kind, detail: e.detail };
    if (e.header !== undefined) ((fields['seqNum'] = e.header.seqNum), (fields['msgType'] = e.header.msgType));
    if (e.fatal) {
      // §2.2, §4.8: bad STX/length, bad CRC, body/length disagreement ⇒ drop without Logout.
      this.#log.log('warn', 'ocg.frame.fatal', fields);
      this.#close(`bad frame: ${e.detail}`);
      return;
    }
    this.#log.log('warn', 'ocg.frame.rejected', fields);
    if (!this.loggedOn && this.#state !== OcgSessionState.LogoutSent) {
      this.#close(`undecodable message before logon: ${e.detail}`);
      return;
    }
    if (this.role === 'client') {
      // Client: a message it cannot decode is a protocol error (§2.3) [INF]: Logout and drop.
      this.#sendSession({ msgType: OcgMsgType.Logout, logoutText: truncate(`protocol error: ${e.detail}`, 74) });
      this.#close(`protocol error: ${e.detail}`);
      return;
    }
    // Gateway: session-level Reject (3) naming the field (§3.7); the message consumes its seq.
    const h = e.header!;
    const reject: OcgMessage = {
      msgType: OcgMsgType.Reject,
      messageRejectCode: e.rejectCode ?? MessageRejectCode.Other,
      reason: truncate(e.detail, 74),
      referenceMessageType: h.msgType,
      referenceSequenceNumber: h.seqNum,
    };
    if (e.fieldName !== undefined) reject.referenceFieldName = e.fieldName.slice(0, 49);
    this.#lastReceivedAt = this.#clock.now();
    if (h.seqNum === this.journal.nextExpected) {
      this.journal.setNextExpected(h.seqNum + 1);
      this.sendMessage(reject);
      this.#drainQueue();
    } else if (h.seqNum > this.journal.nextExpected) {
      this.sendMessage(reject);
      this.#onGap(h.seqNum, null);
    } else {
      this.sendMessage(reject);
    }
  }

  #onMessage(header: OcgHeader, message: OcgMessage): void {
    const st = this.#state;
    if (st === OcgSessionState.Connecting) {
      // Gateway: acceptLogon() handles the Logon; anything else before it drops the connection (§3.12 step 1).
      this.#log.log('warn', 'ocg.session.beforeLogon', { compId: this.compId, msgType: header.msgType, seqNum: header.seqNum });
      this.#close(`message type ${header.msgType} before logon`);
      return;
    }
    if (st === OcgSessionState.LogonSent) {
      this.#onLogonAnswer(header, message);
      return;
    }
    // Lookup messages never reach a trading session.
    if (message.msgType === OcgMsgType.LookupRequest || message.msgType === OcgMsgType.LookupResponse) {
      this.#log.log('warn', 'ocg.session.lookupOnTradingSession', { compId: this.compId, msgType: header.msgType });
      return;
    }
    // A Resend Request is answered at once, even beyond a gap (queued again only for its seq).
    if (message.msgType === OcgMsgType.ResendRequest && header.seqNum >= this.journal.nextExpected && header.compId === this.compId) {
      this.#answerResend(message.startSequence ?? 0, message.endSequence ?? 0);
    }
    // Sequence Reset in Reset mode (§3.8): OCG-C only; its header seq is not meaningful [INF]. A
    // client's Reset is an ordinary message to the gateway: sequenced, then rejected (§3.12 "every
    // message consumes a seq").
    if (message.msgType === OcgMsgType.SequenceReset && message.gapFill !== GapFill.GapFill && this.role === 'client') {
      this.#onSequenceResetReset(header, message.newSequenceNumber ?? 0);
      return;
    }
    const expected = this.journal.nextExpected;
    if (!header.possDup && header.seqNum >= expected && this.#queue.size > 0) this.#dropInconsistentQueued(header.seqNum);
    if (header.seqNum < expected) {
      if (header.possDup) {
        this.#log.log('debug', 'ocg.session.duplicateIgnored', { compId: this.compId, seqNum: header.seqNum, expected });
        return;
      }
      // §3.12: lower than expected without PossDup ⇒ Logout and terminate.
      const detail = `sequence number too low: expected ${expected}, received ${header.seqNum}`;
      this.#log.log('warn', 'ocg.session.seqTooLow', { compId: this.compId, seqNum: header.seqNum, expected });
      this.#sendSession({ msgType: OcgMsgType.Logout, logoutText: truncate(detail, 74) });
      this.#close(detail);
      return;
    }
    if (header.seqNum > expected) {
      this.#onGap(header.seqNum, { header, message });
      return;
    }
    this.#process(header, message);
    this.#drainQueue();
  }

  #onLogonAnswer(header: OcgHeader, message: OcgMessage): void {
    const j = this.journal;
    if (message.msgType === OcgMsgType.Logout) {
      if (header.seqNum === j.nextExpected) j.setNextExpected(header.seqNum + 1);
      const ev: OcgSessionEvent = { type: 'logonRefused' };
      if (message.sessionStatus !== undefined) ev.sessionStatus = message.sessionStatus;
      if (message.logoutText !== undefined) ev.text = message.logoutText;
      this.#emit(ev);
      this.#close(`logon refused (status ${message.sessionStatus ?? '-'}): ${message.logoutText ?? ''}`);
      return;
    }
    if (message.msgType !== OcgMsgType.Logon) {
      this.#log.log('warn', 'ocg.session.unexpectedBeforeLogonReply', { compId: this.compId, msgType: header.msgType, seqNum: header.seqNum });
      this.#close(`message type ${header.msgType} before the Logon reply`);
      return;
    }
    const r = message.nextExpectedMessageSequence ?? 0;
    const myLogonSeq = j.nextToSend - 1;
    if (r > j.nextToSend) {
      const detail = `gateway expects ${r}, beyond our next sequence ${j.nextToSend}`;
      this.#sendSession({ msgType: OcgMsgType.Logout, logoutText: truncate(detail, 74) });
      this.#close(detail);
      return;
    }
    if (header.seqNum < j.nextExpected) {
      const detail = `Logon reply sequence ${header.seqNum} lower than expected ${j.nextExpected}`;
      this.#sendSession({ msgType: OcgMsgType.Logout, logoutText: truncate(detail, 74) });
      this.#close(detail);
      return;
    }
    // §3.12 step 6: no Resend Request because the Logon's seq looks too high; the gateway replays
    // N … S−1 and gap-fills its Logon's seq.
    if (header.seqNum === j.nextExpected) {
      j.setNextExpected(header.seqNum + 1);
      this.#setState(OcgSessionState.Active);
    } else {
      this.#setState(OcgSessionState.Active);
      this.#enterAwaitingResend(j.nextExpected, header.seqNum);
    }
    const ev: OcgSessionEvent = { type: 'logonAccepted', peerNextExpected: r };
    if (message.sessionStatus !== undefined) ev.sessionStatus = message.sessionStatus;
    if (message.text !== undefined) ev.text = message.text;
    if (message.testMessageIndicator !== undefined) ev.testMessageIndicator = message.testMessageIndicator;
    this.#emit(ev);
    // §3.12 step 5: the same rule for our own outbound messages, our Logon gap-filled.
    if (r <= myLogonSeq) this.#replay(r, myLogonSeq + 1);
  }

  /** An in-sequence message (seq === nextExpected). */
  #process(header: OcgHeader, message: OcgMessage): void {
    const j = this.journal;
    if (this.role === 'gateway' && header.compId !== this.compId) {
      // §2.1: the header carries the session's Comp ID. Another one is not answered: Reject code 9,
      // and the message consumes its seq like every other [INF: the note names the code only].
      j.setNextExpected(header.seqNum + 1);
      this.#log.log('warn', 'ocg.session.compIdMismatch', { compId: this.compId, seqNum: header.seqNum, msgType: header.msgType });
      this.sendMessage({
        msgType: OcgMsgType.Reject,
        messageRejectCode: MessageRejectCode.CompIdProblem,
        reason: 'Comp ID in the header is not the session Comp ID',
        referenceMessageType: header.msgType,
        referenceFieldName: 'Comp ID',
        referenceSequenceNumber: header.seqNum,
      });
      return;
    }
    if (message.msgType === OcgMsgType.SequenceReset && message.gapFill !== GapFill.GapFill) {
      // Gateway: a client-sent Reset is rejected (§3.8); it consumed its seq.
      j.setNextExpected(header.seqNum + 1);
      this.#onSequenceResetReset(header, message.newSequenceNumber ?? 0);
      return;
    }
    if (message.msgType === OcgMsgType.SequenceReset) {
      // Gap fill (§3.8): the sender's next seq. It must move forward.
      const ns = message.newSequenceNumber ?? 0;
      if (ns > header.seqNum) j.setNextExpected(ns);
      else {
        this.#log.log('warn', 'ocg.session.gapFillBackwards', { compId: this.compId, seqNum: header.seqNum, newSequenceNumber: ns });
        j.setNextExpected(header.seqNum + 1);
        if (this.role === 'gateway') {
          this.sendMessage({
            msgType: OcgMsgType.Reject,
            messageRejectCode: MessageRejectCode.IncorrectValue,
            reason: 'New Sequence Number not beyond the gap fill',
            referenceMessageType: header.msgType,
            referenceFieldName: 'New Sequence Number',
            referenceSequenceNumber: header.seqNum,
          });
        }
      }
      return;
    }
    j.setNextExpected(header.seqNum + 1);
    switch (message.msgType) {
      case OcgMsgType.Heartbeat:
        if (message.referenceTestRequestId !== undefined && message.referenceTestRequestId === this.#testRequestId) this.#testRequestSentAt = -1;
        return;
      case OcgMsgType.TestRequest:
        this.#sendSession({ msgType: OcgMsgType.Heartbeat, referenceTestRequestId: message.testRequestId ?? 0 });
        return;
      case OcgMsgType.ResendRequest:
        return; // answered on arrival
      case OcgMsgType.Logon:
        this.#log.log('warn', 'ocg.session.logonWhileLoggedOn', { compId: this.compId, seqNum: header.seqNum });
        if (this.role === 'gateway') {
          this.sendMessage({
            msgType: OcgMsgType.Reject,
            messageRejectCode: MessageRejectCode.Other,
            reason: 'Logon on a session already logged on',
            referenceMessageType: header.msgType,
            referenceSequenceNumber: header.seqNum,
          });
        }
        return;
      case OcgMsgType.Logout:
        this.#onLogout(message.logoutText, message.sessionStatus);
        return;
      default:
        this.#o.onMessage?.(message, header);
    }
  }

  #onLogout(text: string | undefined, sessionStatus: number | undefined): void {
    const ev: OcgSessionEvent = { type: 'logoutReceived' };
    if (text !== undefined) ev.text = text;
    if (sessionStatus !== undefined) ev.sessionStatus = sessionStatus;
    this.#emit(ev);
    if (this.#state === OcgSessionState.LogoutSent) {
      // The reply to our Logout: the initiator closes TCP (§3.4).
      this.#close('logout complete');
      return;
    }
    // The other side initiated: reply; it closes TCP. We close too once the reply is written.
    const reply: OcgMessage = { msgType: OcgMsgType.Logout };
    if (this.role === 'gateway') reply.sessionStatus = SessionStatus.SessionLogoutComplete;
    this.#sendSession(reply);
    this.#close(`logout by peer${text ? `: ${text}` : ''}`);
  }

  #onSequenceResetReset(header: OcgHeader, newSeq: number): void {
    if (this.role === 'gateway') {
      // §3.8: a client-sent Reset is rejected.
      this.#log.log('warn', 'ocg.session.clientReset', { compId: this.compId, seqNum: header.seqNum });
      this.sendMessage({
        msgType: OcgMsgType.Reject,
        messageRejectCode: MessageRejectCode.IncorrectValue,
        reason: 'Sequence Reset (Reset mode) is not accepted from a client',
        referenceMessageType: header.msgType,
        referenceFieldName: 'Gap Fill',
        referenceSequenceNumber: header.seqNum,
      });
      return;
    }
    this.#log.log('info', 'ocg.session.sequenceReset', { compId: this.compId, from: this.journal.nextExpected, to: newSeq });
    if (newSeq > 0) this.journal.setNextExpected(newSeq);
    this.#queue.clear();
    this.#leaveAwaitingResend();
  }

  #onGap(received: number, pending: Pending | null): void {
    const expected = this.journal.nextExpected;
    if (pending !== null && !this.#queue.has(received)) {
      if (this.#queue.size >= this.#t.maxQueuedMessages) {
        this.#log.log('warn', 'ocg.session.gapQueueFull', { compId: this.compId, expected, received, queued: this.#queue.size });
        this.#sendSession({ msgType: OcgMsgType.Logout, logoutText: truncate(`gap from ${expected} not filled`, 74) });
        this.#close(`gap from ${expected} not filled (${this.#queue.size} messages held)`);
        return;
      }
      this.#queue.set(received, pending);
    }
    if (this.#state === OcgSessionState.AwaitingResend && this.#resendAsked !== 0) {
      // One Resend Request at a time (§3.12 rule 7): the open-ended request still outstanding (or
      // the peer's own replay after logon) covers this too.
      if (received > this.#resendUntil) this.#resendUntil = received;
      return;
    }
    // A gap with no request covering it: ask for it (§3.12), also while an earlier wait is open.
    this.#emit({ type: 'gapDetected', expected, received });
    this.#log.log('info', 'ocg.session.gap', { compId: this.compId, expected, received });
    this.#enterAwaitingResend(expected, received);
    this.#resendAsked = expected;
    this.#sendSession({ msgType: OcgMsgType.ResendRequest, startSequence: expected, endSequence: 0 });
    this.#emit({ type: 'resendRequestSent', start: expected, end: 0 });
  }

  /**
   * An original (PossDup 0) message with seq `s` arrived while messages with higher seqs wait beyond
   * a gap. A peer sends originals in ascending order, so those were not its messages (a corrupt
   * seq under a valid CRC): drop them, and stop waiting for the range they made us request. A real
   * gap they hid is then requested anew (§3.12) instead of waiting for the bogus range.
   */
  #dropInconsistentQueued(s: number): void {
    let dropped = 0;
    let highest = 0;
    for (const [seq, p] of this.#queue) {
      if (seq > s && !p.header.possDup) {
        this.#queue.delete(seq);
        dropped++;
        highest = Math.max(highest, seq);
      }
    }
    if (dropped === 0) return;
    this.#log.log('warn', 'ocg.session.inconsistentSeqDropped', { compId: this.compId, received: s, dropped, highest, expected: this.journal.nextExpected });
    let until = 0;
    for (const seq of this.#queue.keys()) until = Math.max(until, seq);
    this.#resendUntil = until;
    this.#resendAsked = 0;
  }

  #enterAwaitingResend(from: number, until: number): void {
    if (this.#state !== OcgSessionState.AwaitingResend) this.#resendAsked = -1; // the caller names its own request
    this.#resendFrom = from;
    this.#resendUntil = Math.max(this.#resendUntil, until);
    this.#resendProgressAt = this.#clock.now();
    this.#resendProgressSeq = this.journal.nextExpected;
    if (this.#state === OcgSessionState.Active) this.#setState(OcgSessionState.AwaitingResend);
  }

  #leaveAwaitingResend(): void {
    if (this.#state !== OcgSessionState.AwaitingResend) return;
    this.#setState(OcgSessionState.Active);
    this.#emit({ type: 'gapRecovered', from: this.#resendFrom, to: this.journal.nextExpected - 1 });
    this.#resendUntil = 0;
    this.#resendAsked = 0;
  }

  #drainQueue(): void {
    while (this.#queue.size > 0 && this.#state !== OcgSessionState.Disconnected) {
      const expected = this.journal.nextExpected;
      for (const seq of this.#queue.keys()) if (seq < expected) this.#queue.delete(seq); // covered by a gap fill
      const next = this.#queue.get(expected);
      if (next === undefined) break;
      this.#queue.delete(expected);
      if (next.message.msgType === OcgMsgType.ResendRequest) {
        this.journal.setNextExpected(expected + 1); // already answered on arrival
        continue;
      }
      this.#process(next.header, next.message);
    }
    if (this.#state === OcgSessionState.AwaitingResend && this.#queue.size === 0 && this.journal.nextExpected > this.#resendUntil) {
      this.#leaveAwaitingResend();
    }
  }

  // -------------------------------------------------------------------------------------------
  // Resend (§3.13)

  #answerResend(start: number, end: number): void {
    const last = this.journal.nextToSend - 1;
    const to = end === 0 || end > last ? last : end;
    if (start < 1 || start > to) {
      this.#log.log('warn', 'ocg.session.resendOutOfRange', { compId: this.compId, start, end, last });
      this.#emit({ type: 'resendRequestReceived', start, end, replayed: 0, gapFilled: 0 });
      return;
    }
    const { replayed, gapFilled } = this.#replay(start, to + 1);
    this.#emit({ type: 'resendRequestReceived', start, end, replayed, gapFilled });
  }

  /**
   * Replay seqs [from, to) from the journal: stored messages again with PossDup = 1, every run of
   * session messages as one Sequence Reset gap fill (seq = first skipped, PossDup = 1, §3.8, §3.13).
   */
  #replay(from: number, to: number): { replayed: number; gapFilled: number } {
    let replayed = 0,
      gapFilled = 0;
    let gapStart = -1;
    const fillTo = (next: number) => {
      if (gapStart < 0) return;
      const f = encodeMessage(
        { seqNum: gapStart, compId: this.compId, possDup: true },
        { msgType: OcgMsgType.SequenceReset, gapFill: GapFill.GapFill, newSequenceNumber: next },
      );
      this.#write(f);
      gapFilled += next - gapStart;
      gapStart = -1;
    };
    for (let seq = from; seq < to; seq++) {
      const frame = this.journal.sent(seq);
      if (frame === undefined) {
        if (gapStart < 0) gapStart = seq;
        continue;
      }
      fillTo(seq);
      this.#write(restampFrame(frame, { possDup: true }));
      replayed++;
    }
    fillTo(to);
    this.#log.log('info', 'ocg.session.replay', { compId: this.compId, from, to: to - 1, replayed, gapFilled });
    return { replayed, gapFilled };
  }

  // -------------------------------------------------------------------------------------------
  // Outbound

  /**
   * Send an application message (or Reject / Business Message Reject) under the next seq and keep
   * it for replay. Only while logged on; otherwise use `journalMessage` (delivered at next logon).
   */
  sendMessage(body: OcgMessage, options?: { possResend?: boolean }): number {
    const seq = this.journal.nextToSend;
    const frame = encodeMessage(
      { seqNum: seq, compId: this.compId, possResend: options?.possResend === true },
      body,
      this.#o.profile === undefined ? undefined : { profile: this.#o.profile },
    );
    this.journal.setNextToSend(seq + 1);
    if (!OCG_GAP_FILLED_MSG_TYPES.has(body.msgType)) this.journal.saveSent(seq, frame);
    if (this.#state !== OcgSessionState.Disconnected) this.#write(frame);
    return seq;
  }

  /**
   * Gateway, emergencies only (§3.8, §4 "catastrophic case"): Sequence Reset in Reset mode (Gap Fill
   * 'N'); our next message goes out as `newSeq`. The header seq of a Reset is not meaningful [INF].
   */
  sendSequenceReset(newSeq: number): void {
    if (this.role !== 'gateway') throw new Error('a client-sent Reset is rejected (§3.8)');
    if (newSeq < this.journal.nextToSend) throw new RangeError(`New Sequence Number ${newSeq} below the next sequence ${this.journal.nextToSend}`);
    const frame = encodeMessage(
      { seqNum: this.journal.nextToSend, compId: this.compId },
      { msgType: OcgMsgType.SequenceReset, gapFill: GapFill.Reset, newSequenceNumber: newSeq },
    );
    this.journal.setNextToSend(newSeq);
    if (this.#state !== OcgSessionState.Disconnected) this.#write(frame);
  }

  /** Send Logout and wait for the reply (60 s, then drop, §3.4). */
  logout(text?: string, sessionStatus?: number): void {
    if (!this.loggedOn) {
      this.#close(text ?? 'logout');
      return;
    }
    const m: OcgMessage = { msgType: OcgMsgType.Logout };
    if (text !== undefined) m.logoutText = truncate(text, 74);
    if (sessionStatus !== undefined) m.sessionStatus = sessionStatus;
    this.#sendSession(m);
    this.#setState(OcgSessionState.LogoutSent);
  }

  /** Stop timers and mark the session disconnected without telling the peer (the owner closes TCP). */
  close(reason = 'closed'): void {
    this.#close(reason);
  }

  #sendSession(body: OcgMessage): void {
    const seq = this.journal.nextToSend;
    const frame = encodeMessage({ seqNum: seq, compId: this.compId }, body);
    this.journal.setNextToSend(seq + 1);
    this.#write(frame);
  }

  #write(frame: Uint8Array): void {
    this.#lastSentAt = this.#clock.now();
    this.#o.send(frame);
  }

  // -------------------------------------------------------------------------------------------
  // Timers (§1.3)

  #startTimer(): void {
    if (this.#tick !== null) return;
    this.#tick = this.#clock.setInterval(() => this.#onTick(), this.#t.tickMs);
  }

  #onTick(): void {
    const now = this.#clock.now();
    const st = this.#state;
    if (st === OcgSessionState.LogonSent) {
      if (now - this.#stateSince >= this.#t.logonTimeoutMs) this.#close('no Logon reply within the logon timeout');
      return;
    }
    if (st === OcgSessionState.LogoutSent) {
      if (now - this.#stateSince >= this.#t.logoutTimeoutMs) {
        this.#close('no Logout reply within the logout timeout');
        return;
      }
    }
    if (!this.loggedOn && st !== OcgSessionState.LogoutSent) return;
    if (st === OcgSessionState.AwaitingResend) {
      if (this.journal.nextExpected !== this.#resendProgressSeq) {
        this.#resendProgressSeq = this.journal.nextExpected;
        this.#resendProgressAt = now;
      } else if (now - this.#resendProgressAt >= this.#t.resendTimeoutMs) {
        // Name what was asked: the open-ended request's Start Sequence (none: the peer's own replay after logon).
        const asked = this.#resendAsked;
        const missing = this.journal.nextExpected;
        const detail =
          asked > 0
            ? `resend from ${asked} not answered: ${missing} still missing`
            : asked === -1
              ? `replay after logon stalled: ${missing} still missing`
              : `gap from ${missing} not filled`;
        this.#log.log('warn', 'ocg.session.resendTimeout', { compId: this.compId, expected: this.journal.nextExpected, until: this.#resendUntil });
        this.#sendSession({ msgType: OcgMsgType.Logout, logoutText: truncate(detail, 74) });
        this.#close(detail);
        return;
      }
    }
    if (this.#testRequestSentAt >= 0 && this.#lastReceivedAt > this.#testRequestSentAt) this.#testRequestSentAt = -1; // any traffic counts as alive
    if (this.#testRequestSentAt >= 0 && now - this.#testRequestSentAt >= this.#t.testRequestTimeoutMs) {
      this.#log.log('warn', 'ocg.session.testRequestTimeout', { compId: this.compId, silentMs: now - this.#lastReceivedAt });
      this.#sendSession({ msgType: OcgMsgType.Logout, logoutText: 'test request not answered' });
      this.#close('heartbeat timeout: test request not answered');
      return;
    }
    if (this.#testRequestSentAt < 0 && now - this.#lastReceivedAt >= this.#t.testRequestAfterMs) {
      this.#testRequestId = (this.#testRequestId % 0xffff) + 1;
      this.#testRequestSentAt = now;
      this.#sendSession({ msgType: OcgMsgType.TestRequest, testRequestId: this.#testRequestId });
      this.#emit({ type: 'testRequestSent', id: this.#testRequestId });
      return;
    }
    if (now - this.#lastSentAt >= this.#t.heartbeatIntervalMs) this.#sendSession({ msgType: OcgMsgType.Heartbeat });
  }

  // -------------------------------------------------------------------------------------------

  #setState(to: OcgSessionStateName): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    this.#stateSince = this.#clock.now();
    this.#emit({ type: 'state', from, to });
  }

  #emit(e: OcgSessionEvent): void {
    this.#o.onEvent?.(e);
  }

  /** End the session and ask the owner to close the transport. */
  #close(reason: string): void {
    if (this.#state === OcgSessionState.Disconnected) return;
    this.#stop(reason);
    this.#o.disconnect(reason);
  }

  #stop(reason: string): void {
    this.#tick?.cancel();
    this.#tick = null;
    this.#queue.clear();
    this.#disconnectReason = reason;
    this.#setState(OcgSessionState.Disconnected);
    this.#emit({ type: 'disconnected', reason });
  }
}

/**
 * Gateway: a message for a Comp ID whose client is not connected gets its seq and is journalled,
 * to be replayed after the next logon (§3.13 "delivered after the next logon").
 */
export function journalMessage(journal: SessionJournal, compId: string, body: OcgMessage, profile?: OcgProfile): number {
  const seq = journal.nextToSend;
  const frame = encodeMessage({ seqNum: seq, compId }, body, profile === undefined ? undefined : { profile });
  journal.setNextToSend(seq + 1);
  if (!OCG_GAP_FILLED_MSG_TYPES.has(body.msgType)) journal.saveSent(seq, frame);
  return seq;
}

/** Reason / Logout Text for the wire: printable ASCII, at most `max` characters (wire-text.ts). */
const truncate = wireText;

// FIXT.1.1 session, acceptor side (the OCG-C FIX gateway) and initiator side (src/fix/client.ts),
// apart from the socket: messages in
// through onMessage(), bytes out through `send`, the decision to close through `disconnect`,
// timers on an injected Clock. Sequence numbers and sent messages live in the same SessionJournal
// as the binary session's (src/ocg/session-store.ts), so the site journal carries them to the
// backup and a FIX session continues there like a binary one. The states are OcgSessionState's.
//
// Rules, FIXT.1.1 unless marked: MsgSeqNum too low without PossDupFlag ⇒ Logout and close;
// too high ⇒ ResendRequest(expected, 0) and hold what follows; PossDupFlag duplicates ignored;
// garbled messages ignored without consuming a number; ResendRequest answered with the stored
// application messages (PossDupFlag=Y, OrigSendingTime) and SequenceReset-GapFill over session
// messages; wrong SenderCompID/TargetCompID ⇒ Reject(373=9) then Logout; a client's
// SequenceReset-Reset is rejected (inferred: as the binary protocol, spec note §3.8).
import type { Clock, TimerHandle } from '../wire/index.ts';
import { OCG_SESSION_TIMERS, OcgSessionState, silentLogger } from '../ocg/index.ts';
import type { OcgLogger, OcgSessionStateName, SessionJournal } from '../ocg/index.ts';
import { FIXT_1_1, decodeMessage, encodeFields, encodeMessage, fieldOf, msgTypeOf } from './codec.ts';
import type { FixField, FixHeader, FixMessage } from './codec.ts';
import { FixMsgType, FixSessionStatus, SESSION_MSG_TYPES, SessionRejectReason, Tag } from './tags.ts';
import { UtcTimestampCache, sendingTime } from './time.ts';

export interface FixSessionOptions {
  /** Our SenderCompID(49): the gateway's CompID (an initiator gives its own CompID here). */
  gatewayCompId: string;
  /** The peer's CompID, our TargetCompID(56) (an initiator gives the gateway's here). */
  clientCompId: string;
  journal: SessionJournal;
  clock: Clock;
  send: (bytes: Uint8Array) => void;
  disconnect: (reason: string) => void;
  /** In-sequence application messages (and the client's Reject / BusinessMessageReject). */
  onMessage?: (message: FixMessage, seq: number, possDup: boolean) => void;
  onEvent?: (event: FixSessionEvent) => void;
  log?: OcgLogger;
  /** Application MsgTypes the gateway knows (answered by it); any other MsgType ⇒ Reject 373=11. */
  appMsgTypes: ReadonlySet<string>;
  /** Test overrides of the binary session's timer table (the logout wait, the resend wait, …). */
  timers?: Partial<typeof OCG_SESSION_TIMERS>;
}

export type FixSessionEvent =
  | { type: 'state'; from: OcgSessionStateName; to: OcgSessionStateName }
  | { type: 'logonAccepted'; peerNextExpected: number | undefined; sessionStatus?: number; text?: string }
  /** Initiator: the Logon was answered by Logout (SessionStatus, Text). */
  | { type: 'logonRefused'; sessionStatus?: number; text?: string }
  /** The gap announced by 'gapDetected' is filled. */
  | { type: 'gapRecovered'; from: number; to: number }
  | { type: 'gapDetected'; expected: number; received: number }
  | { type: 'resendRequestReceived'; start: number; end: number; replayed: number; gapFilled: number }
  | { type: 'logoutReceived'; text?: string }
  | { type: 'rejectSent'; refSeqNum: number; reason: number; text: string }
  | { type: 'garbled'; detail: string }
  | { type: 'disconnected'; reason: string };

export type FixLogonOutcome = { ok: true } | { ok: false; reason: 'firstLogonSeqNotOne' | 'sequenceTooLow' | 'nextExpectedTooHigh'; detail: string };

/** What a Logon carried that the session rules need. */
export interface FixLogonRequest {
  seq: number;
  /** NextExpectedMsgSeqNum(789); absent ⇒ classic recovery by ResendRequest (inferred, see docs). */
  nextExpected?: number;
  /** HeartBtInt(108) in seconds. */
  heartBtIntS: number;
}

/**
 * Stored messages carry a 3-byte prefix (0x02, u16 LE total length) so that the binary session
 * store, which reads a frame's length from those bytes, keeps FIX messages unchanged.
 */
export function toStored(bytes: Uint8Array): Uint8Array | null {
  const out = new Uint8Array(bytes.length + STORED_PREFIX);
  out.set(bytes, STORED_PREFIX);
  return stampStored(out) ? out : null;
}

const STORED_PREFIX = 3;

/** Writes the prefix into the first 3 bytes of `stored` (the message follows them); false when too long to store. */
function stampStored(stored: Uint8Array): boolean {
  const n = stored.length;
  if (n > 0xffff) return false;
  stored[0] = 0x02;
  stored[1] = n & 0xff;
  stored[2] = n >> 8;
  return true;
}

export function fromStored(stored: Uint8Array): Uint8Array {
  return stored.subarray(3);
}

/** Journal key of a FIX CompID inside a store shared with binary Comp IDs. */
export function fixJournalKey(compId: string): string {
  return `FIX:${compId}`;
}

interface Held {
  message: FixMessage;
  seq: number;
  possDup: boolean;
}

export class FixSession {
  readonly journal: SessionJournal;
  readonly #o: FixSessionOptions;
  readonly #clock: Clock;
  readonly #log: OcgLogger;
  readonly #t: typeof OCG_SESSION_TIMERS;
  #state: OcgSessionStateName = OcgSessionState.Connecting;
  #stateSince: number;
  #tick: TimerHandle | null = null;
  #heartbeatMs: number = OCG_SESSION_TIMERS.heartbeatIntervalMs;
  #lastSentAt: number;
  #lastReceivedAt: number;
  #testRequestSentAt = -1;
  #testRequestId = 0;
  /** Messages beyond a gap, by seq, until it is filled. */
  readonly #held = new Map<number, Held>();
  /** A ResendRequest of ours is open up to this seq (0: none). */
  #resendUntil = 0;
  #resendProgressAt = 0;
  #resendProgressSeq = 0;
  #disconnectReason = '';
  /** Initiator: MsgSeqNum of our Logon (its reply's 789 below it ⇒ we replay). */
  #logonSeq = 0;
  #gapFrom = 0;
  readonly #time = new UtcTimestampCache();

  constructor(options: FixSessionOptions) {
    this.#o = options;
    this.journal = options.journal;
    this.#clock = options.clock;
    this.#log = options.log ?? silentLogger;
    this.#t = { ...OCG_SESSION_TIMERS, ...options.timers };
    this.#stateSince = this.#lastSentAt = this.#lastReceivedAt = this.#clock.now();
  }

  get state(): OcgSessionStateName {
    return this.#state;
  }
  get loggedOn(): boolean {
    return this.#state === OcgSessionState.Active || this.#state === OcgSessionState.AwaitingResend;
  }
  get disconnectReason(): string {
    return this.#disconnectReason;
  }
  get nextToSend(): number {
    return this.journal.nextToSend;
  }
  get nextExpected(): number {
    return this.journal.nextExpected;
  }

  // -------------------------------------------------------------------------------------------
  // Logon

  /**
   * The Logon passed the gateway's checks (CompIDs, password): apply the sequence rules, reply
   * with Logon (789 = our next expected, 1409 = `sessionStatus`), replay what 789 says the client
   * missed. On a sequence refusal: Logout with SessionStatus 9 / 10, or a silent close.
   */
  acceptLogon(req: FixLogonRequest, sessionStatus: number, replyExtra: FixField[] = []): FixLogonOutcome {
    if (this.#state !== OcgSessionState.Connecting) throw new Error(`acceptLogon in state ${this.#state}`);
    const j = this.journal;
    this.#lastReceivedAt = this.#clock.now();
    if (j.fresh && req.seq > 1) {
      // As the binary protocol (spec note §3.12): first logon of the day above 1 ⇒ close, no messages.
      const detail = `first logon of the day with MsgSeqNum ${req.seq} (expected 1)`;
      this.#close(detail);
      return { ok: false, reason: 'firstLogonSeqNotOne', detail };
    }
    if (req.seq < j.nextExpected) {
      const detail = `MsgSeqNum too low, expecting ${j.nextExpected} but received ${req.seq}`;
      this.#sendSession([
        [Tag.MsgType, FixMsgType.Logout],
        [Tag.SessionStatus, String(FixSessionStatus.MsgSeqNumTooLow)],
        [Tag.Text, detail],
      ]);
      this.#close(detail);
      return { ok: false, reason: 'sequenceTooLow', detail };
    }
    if (req.nextExpected !== undefined && req.nextExpected > j.nextToSend) {
      const detail = `NextExpectedMsgSeqNum ${req.nextExpected} is beyond our next MsgSeqNum ${j.nextToSend}`;
      this.#sendSession([
        [Tag.MsgType, FixMsgType.Logout],
        [Tag.SessionStatus, String(FixSessionStatus.NextExpectedTooHigh)],
        [Tag.Text, detail],
      ]);
      this.#close(detail);
      return { ok: false, reason: 'nextExpectedTooHigh', detail };
    }
    this.#heartbeatMs = Math.max(1, req.heartBtIntS) * 1000;
    this.#setState(OcgSessionState.Active);
    const gapFrom = j.nextExpected;
    if (req.seq === j.nextExpected) j.setNextExpected(req.seq + 1);
    const logonSeq = j.nextToSend;
    this.#sendSession([
      [Tag.MsgType, FixMsgType.Logon],
      [Tag.EncryptMethod, '0'],
      [Tag.HeartBtInt, String(req.heartBtIntS)],
      [Tag.NextExpectedMsgSeqNum, String(req.seq === gapFrom ? req.seq + 1 : gapFrom)],
      [Tag.SessionStatus, String(sessionStatus)],
      ...replyExtra,
      [Tag.DefaultApplVerID, '9'],
    ]);
    this.#o.onEvent?.({ type: 'logonAccepted', peerNextExpected: req.nextExpected });
    if (req.seq > gapFrom) {
      // The Logon's own number counts once the gap below it is filled: the client's replay (789) and
      // its answer to our ResendRequest stop below it or gap-fill it, and a second fill of the same
      // range is a PossDup duplicate (inferred, as the initiator's side).
      this.#held.set(req.seq, { message: { fields: [[Tag.MsgType, FixMsgType.Heartbeat]] }, seq: req.seq, possDup: false });
      this.#requestResend(gapFrom, req.seq);
    }
    // 789 processing: the client told us what it missed; the Logon reply's own number counts as
    // received (FIXT.1.1 NextExpectedMsgSeqNum processing) (inferred for OCG-C FIX).
    if (req.nextExpected !== undefined && req.nextExpected < logonSeq) this.#replay(Math.max(1, req.nextExpected), logonSeq);
    this.#startTimer();
    return { ok: true };
  }

  /**
   * Initiator: send our Logon (`fields` after MsgType: EncryptMethod, HeartBtInt, password, …;
   * 789 = our next expected is added) and wait for the reply. `heartbeatMs` is the interval we
   * keep locally (HeartBtInt on the wire is whole seconds; a scaled rehearsal keeps a shorter one).
   */
  startLogon(fields: FixField[], heartbeatMs: number): void {
    if (this.#state !== OcgSessionState.Connecting) throw new Error(`startLogon in state ${this.#state}`);
    this.#heartbeatMs = Math.max(1, heartbeatMs);
    this.#logonSeq = this.journal.nextToSend;
    this.#sendSession([[Tag.MsgType, FixMsgType.Logon], ...fields, [Tag.NextExpectedMsgSeqNum, String(this.journal.nextExpected)]]);
    this.#setState(OcgSessionState.LogonSent);
    this.#startTimer();
  }

  /** Initiator: the first message after our Logon (the reply, or a Logout refusing it). */
  #onLogonReply(m: FixMessage): void {
    const type = msgTypeOf(m);
    const status = fieldOf(m, Tag.SessionStatus),
      text = fieldOf(m, Tag.Text);
    const detail = { ...(status !== undefined ? { sessionStatus: Number(status) } : {}), ...(text !== undefined ? { text } : {}) };
    if (type === FixMsgType.Logout) {
      this.#o.onEvent?.({ type: 'logonRefused', ...detail });
      this.#close(`logon refused${status !== undefined ? ` (SessionStatus ${status})` : ''}${text !== undefined ? `: ${text}` : ''}`);
      return;
    }
    if (type !== FixMsgType.Logon) {
      this.#logoutAndClose(`MsgType ${type} before the Logon reply`);
      return;
    }
    const seq = Number(fieldOf(m, Tag.MsgSeqNum));
    const j = this.journal;
    if (fieldOf(m, Tag.SenderCompID) !== this.#o.clientCompId || fieldOf(m, Tag.TargetCompID) !== this.#o.gatewayCompId) {
      this.#logoutAndClose('CompID problem in the Logon reply');
      return;
    }
    if (!Number.isSafeInteger(seq) || seq < j.nextExpected) {
      const d = `MsgSeqNum too low, expecting ${j.nextExpected} but received ${fieldOf(m, Tag.MsgSeqNum) ?? '(none)'}`;
      this.#sendSession([
        [Tag.MsgType, FixMsgType.Logout],
        [Tag.Text, d],
      ]);
      this.#close(d);
      return;
    }
    const ne = seqNumOf(fieldOf(m, Tag.NextExpectedMsgSeqNum));
    const peerNext = Number.isNaN(ne) ? undefined : ne;
    if (peerNext !== undefined && peerNext > j.nextToSend) {
      this.#logoutAndClose(`NextExpectedMsgSeqNum ${peerNext} is beyond our next MsgSeqNum ${j.nextToSend}`);
      return;
    }
    this.#setState(OcgSessionState.Active);
    this.#o.onEvent?.({ type: 'logonAccepted', peerNextExpected: peerNext, ...detail });
    if (this.#state === OcgSessionState.Disconnected) return;
    // 789 processing: replay what the gateway has not had, up to (not including) our Logon.
    if (peerNext !== undefined && peerNext < this.#logonSeq) this.#replay(peerNext, this.#logonSeq);
    if (seq === j.nextExpected) {
      j.setNextExpected(seq + 1);
      return;
    }
    // A gap: our Logon's 789 already asked for it (FIXT.1.1: the gateway replays on its own, no
    // ResendRequest); the reply's own number counts once the replay reaches it (inferred).
    this.#held.set(seq, { message: { fields: [[Tag.MsgType, FixMsgType.Heartbeat]] }, seq, possDup: false });
    this.#gapFrom = j.nextExpected;
    this.#resendUntil = seq;
    this.#resendProgressAt = this.#clock.now();
    this.#resendProgressSeq = j.nextExpected;
    this.#setState(OcgSessionState.AwaitingResend);
    this.#o.onEvent?.({ type: 'gapDetected', expected: j.nextExpected, received: seq });
  }

  /** Refuse a logon that failed authentication: Logout with SessionStatus and text, then close. */
  refuseLogon(sessionStatus: number, text: string): void {
    if (this.#state !== OcgSessionState.Connecting) return;
    this.#sendSession([
      [Tag.MsgType, FixMsgType.Logout],
      [Tag.SessionStatus, String(sessionStatus)],
      [Tag.Text, text],
    ]);
    this.#close(`logon refused: ${text}`);
  }

  // -------------------------------------------------------------------------------------------
  // Inbound

  /** A garbled message (bad BodyLength/CheckSum, malformed): ignored, its number not counted. */
  onGarbled(detail: string): void {
    this.#log.log('warn', 'fix.session.garbled', { compId: this.#o.clientCompId, detail });
    this.#o.onEvent?.({ type: 'garbled', detail });
  }

  onTransportClosed(reason = 'connection closed'): void {
    if (this.#state === OcgSessionState.Disconnected) return;
    this.#stop(reason);
  }

  /** One well-framed message after the Logon. Never throws for bad content. */
  onMessage(beginString: string, m: FixMessage): void {
    if (this.#state === OcgSessionState.Disconnected) return;
    this.#lastReceivedAt = this.#clock.now();
    if (beginString !== FIXT_1_1) {
      this.#logoutAndClose(`BeginString ${beginString} is not ${FIXT_1_1}`);
      return;
    }
    const seq = seqNumOf(fieldOf(m, Tag.MsgSeqNum));
    if (!Number.isSafeInteger(seq)) {
      // FIXT.1.1: a message without a usable MsgSeqNum ⇒ Logout.
      this.#logoutAndClose('MsgSeqNum missing or not a number');
      return;
    }
    if (this.#state === OcgSessionState.LogonSent) {
      this.#onLogonReply(m);
      return;
    }
    const possDup = fieldOf(m, Tag.PossDupFlag) === 'Y';
    const type = msgTypeOf(m);
    const sender = fieldOf(m, Tag.SenderCompID),
      target = fieldOf(m, Tag.TargetCompID);
    if (sender !== this.#o.clientCompId || target !== this.#o.gatewayCompId) {
      this.#reject(
        seq,
        type,
        SessionRejectReason.CompIdProblem,
        `CompID problem: SenderCompID ${sender ?? '(none)'} TargetCompID ${target ?? '(none)'}`,
        sender === this.#o.clientCompId ? Tag.TargetCompID : Tag.SenderCompID,
      );
      this.#logoutAndClose('CompID problem');
      return;
    }
    const expected = this.journal.nextExpected;
    // A SequenceReset-Reset ignores the number it came under (FIXT.1.1); we refuse it.
    if (type === FixMsgType.SequenceReset && fieldOf(m, Tag.GapFillFlag) !== 'Y') {
      if (seq === expected) this.journal.setNextExpected(seq + 1);
      this.#reject(seq, type, SessionRejectReason.ValueIncorrect, 'SequenceReset-Reset is not accepted from a client', Tag.GapFillFlag);
      return;
    }
    if (seq < expected) {
      if (possDup) return; // a duplicate: ignored
      const detail = `MsgSeqNum too low, expecting ${expected} but received ${seq}`;
      this.#sendSession([
        [Tag.MsgType, FixMsgType.Logout],
        [Tag.SessionStatus, String(FixSessionStatus.MsgSeqNumTooLow)],
        [Tag.Text, detail],
      ]);
      this.#close(detail);
      return;
    }
    if (type === FixMsgType.ResendRequest) this.#onResendRequest(m, seq); // answered at once, also beyond a gap
    if (seq > expected) {
      if (!this.#held.has(seq)) this.#held.set(seq, { message: m, seq, possDup });
      if (this.#held.size > this.#t.maxQueuedMessages) {
        this.#logoutAndClose(`gap from ${expected} not filled`);
        return;
      }
      if (this.#resendUntil === 0) {
        this.#o.onEvent?.({ type: 'gapDetected', expected, received: seq });
        this.#requestResend(expected, seq);
      } else if (seq > this.#resendUntil) this.#resendUntil = seq;
      return;
    }
    this.#process(m, seq, possDup);
    this.#drain();
  }

  #process(m: FixMessage, seq: number, possDup: boolean): void {
    const type = msgTypeOf(m);
    if (type === FixMsgType.SequenceReset) {
      // GapFill: the next message from the client has NewSeqNo.
      const n = Number(fieldOf(m, Tag.NewSeqNo));
      if (!Number.isSafeInteger(n) || n <= seq) {
        this.journal.setNextExpected(seq + 1);
        this.#reject(seq, type, SessionRejectReason.ValueIncorrect, `NewSeqNo ${fieldOf(m, Tag.NewSeqNo) ?? '(none)'} must be above ${seq}`, Tag.NewSeqNo);
        return;
      }
      this.journal.setNextExpected(n);
      return;
    }
    this.journal.setNextExpected(seq + 1);
    switch (type) {
      case FixMsgType.Heartbeat:
        return;
      case FixMsgType.TestRequest: {
        const id = fieldOf(m, Tag.TestReqID);
        if (id === undefined) {
          this.#reject(seq, type, SessionRejectReason.RequiredTagMissing, 'TestReqID missing', Tag.TestReqID);
          return;
        }
        this.#sendSession([
          [Tag.MsgType, FixMsgType.Heartbeat],
          [Tag.TestReqID, id],
        ]);
        return;
      }
      case FixMsgType.ResendRequest:
        return; // answered on arrival
      case FixMsgType.Logon:
        this.#reject(seq, type, SessionRejectReason.Other, 'Logon on a session already logged on');
        return;
      case FixMsgType.Logout: {
        const text = fieldOf(m, Tag.Text);
        this.#o.onEvent?.(text === undefined ? { type: 'logoutReceived' } : { type: 'logoutReceived', text });
        if (this.#state === OcgSessionState.LogoutSent) {
          this.#close('logout complete');
          return;
        }
        this.#sendSession([
          [Tag.MsgType, FixMsgType.Logout],
          [Tag.SessionStatus, String(FixSessionStatus.SessionLogoutComplete)],
        ]);
        this.#close(`logout by peer${text !== undefined ? `: ${text}` : ''}`);
        return;
      }
      default:
        if (!this.#o.appMsgTypes.has(type) && type !== FixMsgType.Reject) {
          this.#reject(seq, type, SessionRejectReason.InvalidMsgType, `MsgType ${type} is not valid`, Tag.MsgType);
          return;
        }
        this.#o.onMessage?.(m, seq, possDup);
    }
  }

  #drain(): void {
    while (this.#held.size > 0 && this.#state !== OcgSessionState.Disconnected) {
      const expected = this.journal.nextExpected;
      for (const s of this.#held.keys()) if (s < expected) this.#held.delete(s);
      const next = this.#held.get(expected);
      if (next === undefined) break;
      this.#held.delete(expected);
      this.#process(next.message, next.seq, next.possDup);
    }
    if (this.#state === OcgSessionState.AwaitingResend && this.#held.size === 0 && this.journal.nextExpected > this.#resendUntil) {
      const to = this.#resendUntil;
      this.#resendUntil = 0;
      this.#setState(OcgSessionState.Active);
      this.#o.onEvent?.({ type: 'gapRecovered', from: this.#gapFrom, to });
    }
  }

  #requestResend(from: number, until: number): void {
    this.#gapFrom = from;
    this.#resendUntil = until;
    this.#resendProgressAt = this.#clock.now();
    this.#resendProgressSeq = this.journal.nextExpected;
    if (this.#state === OcgSessionState.Active) this.#setState(OcgSessionState.AwaitingResend);
    this.#log.log('info', 'fix.session.gap', { compId: this.#o.clientCompId, from, until });
    this.#sendSession([
      [Tag.MsgType, FixMsgType.ResendRequest],
      [Tag.BeginSeqNo, String(from)],
      [Tag.EndSeqNo, '0'],
    ]);
  }

  #onResendRequest(m: FixMessage, seq: number): void {
    const b = Number(fieldOf(m, Tag.BeginSeqNo)),
      e = Number(fieldOf(m, Tag.EndSeqNo));
    if (!Number.isSafeInteger(b) || !Number.isSafeInteger(e) || b < 1 || e < 0) {
      this.#reject(
        seq,
        FixMsgType.ResendRequest,
        SessionRejectReason.ValueIncorrect,
        'BeginSeqNo/EndSeqNo missing or out of range',
        Number.isSafeInteger(b) ? Tag.EndSeqNo : Tag.BeginSeqNo,
      );
      return;
    }
    const last = this.journal.nextToSend - 1;
    const to = e === 0 || e > last ? last : e;
    let replayed = 0,
      gapFilled = 0;
    if (b <= to) ({ replayed, gapFilled } = this.#replay(b, to + 1));
    this.#o.onEvent?.({ type: 'resendRequestReceived', start: b, end: e, replayed, gapFilled });
  }

  /** Replay [from, to): stored messages with PossDupFlag=Y, runs of the rest as one GapFill each. */
  #replay(from: number, to: number): { replayed: number; gapFilled: number } {
    let replayed = 0,
      gapFilled = 0,
      gapStart = -1;
    const now = sendingTime(this.#clock.now());
    const fill = (next: number) => {
      if (gapStart < 0) return;
      this.#write(
        encodeMessage({
          fields: [
            [Tag.MsgType, FixMsgType.SequenceReset],
            [Tag.SenderCompID, this.#o.gatewayCompId],
            [Tag.TargetCompID, this.#o.clientCompId],
            [Tag.MsgSeqNum, String(gapStart)],
            [Tag.PossDupFlag, 'Y'],
            [Tag.SendingTime, now],
            [Tag.OrigSendingTime, now],
            [Tag.GapFillFlag, 'Y'],
            [Tag.NewSeqNo, String(next)],
          ],
        }),
      );
      gapFilled += next - gapStart;
      gapStart = -1;
    };
    for (let s = from; s < to; s++) {
      const stored = this.journal.sent(s);
      const again = stored === undefined ? null : resent(fromStored(stored), now);
      if (again === null) {
        if (gapStart < 0) gapStart = s;
        continue;
      }
      fill(s);
      this.#write(again);
      replayed++;
    }
    fill(to);
    this.#log.log('info', 'fix.session.replay', { compId: this.#o.clientCompId, from, to: to - 1, replayed, gapFilled });
    return { replayed, gapFilled };
  }

  // -------------------------------------------------------------------------------------------
  // Outbound

  /**
   * Send an application message (or Reject / BusinessMessageReject): `body` starts with MsgType.
   * Kept for resend. Returns its MsgSeqNum.
   */
  send(body: FixField[]): number {
    const seq = this.journal.nextToSend;
    // Encoded once, behind room for the store's prefix: the store and the socket take the same bytes.
    const stored = encodeFields(body, this.#header(seq), FIXT_1_1, STORED_PREFIX);
    this.journal.setNextToSend(seq + 1);
    if (stampStored(stored)) this.journal.saveSent(seq, stored);
    else this.#log.log('warn', 'fix.session.tooLargeToStore', { compId: this.#o.clientCompId, seq, bytes: stored.length - STORED_PREFIX });
    if (this.#state !== OcgSessionState.Disconnected) this.#write(stored.subarray(STORED_PREFIX));
    return seq;
  }

  #header(seq: number): FixHeader {
    return { senderCompId: this.#o.gatewayCompId, targetCompId: this.#o.clientCompId, msgSeqNum: seq, sendingTime: this.#time.text(this.#clock.now()) };
  }

  /** Send Logout and wait for the reply (logout timeout, then close). */
  logout(text?: string): void {
    if (!this.loggedOn) {
      this.#close(text ?? 'logout');
      return;
    }
    const f: FixField[] = [[Tag.MsgType, FixMsgType.Logout]];
    if (text !== undefined) f.push([Tag.Text, text]);
    this.#sendSession(f);
    this.#setState(OcgSessionState.LogoutSent);
  }

  close(reason = 'closed'): void {
    this.#close(reason);
  }

  #reject(refSeq: number, refType: string, reason: number, text: string, refTag?: number): void {
    const f: FixField[] = [
      [Tag.MsgType, FixMsgType.Reject],
      [Tag.RefSeqNum, String(refSeq)],
    ];
    if (refTag !== undefined) f.push([Tag.RefTagID, String(refTag)]);
    f.push([Tag.RefMsgType, refType], [Tag.SessionRejectReason, String(reason)], [Tag.Text, text]);
    this.#log.log('info', 'fix.session.reject', { compId: this.#o.clientCompId, refSeq, reason, text });
    this.#o.onEvent?.({ type: 'rejectSent', refSeqNum: refSeq, reason, text });
    this.send(f); // a Reject is replayed on resend (not gap-filled)
  }

  /** For the gateway: a session-level Reject of an application message it could not take. */
  reject(refSeq: number, refType: string, reason: number, text: string, refTag?: number): void {
    this.#reject(refSeq, refType, reason, text, refTag);
  }

  #logoutAndClose(text: string): void {
    this.#sendSession([
      [Tag.MsgType, FixMsgType.Logout],
      [Tag.Text, text],
    ]);
    this.#close(text);
  }

  #sendSession(body: FixField[]): void {
    const seq = this.journal.nextToSend;
    const bytes = encodeFields(body, this.#header(seq));
    this.journal.setNextToSend(seq + 1);
    this.#write(bytes);
  }

  #write(bytes: Uint8Array): void {
    this.#lastSentAt = this.#clock.now();
    this.#o.send(bytes);
  }

  // -------------------------------------------------------------------------------------------
  // Timers: heartbeat at HeartBtInt; a TestRequest after three silent intervals, Logout after
  // three more (the binary protocol's ratios, spec note §1.3) (inferred for OCG-C FIX).

  #startTimer(): void {
    if (this.#tick !== null) return;
    this.#tick = this.#clock.setInterval(() => this.#onTick(), Math.min(this.#t.tickMs, this.#heartbeatMs));
  }

  #onTick(): void {
    const now = this.#clock.now();
    if (this.#state === OcgSessionState.LogoutSent) {
      if (now - this.#stateSince >= this.#t.logoutTimeoutMs) this.#close('no Logout reply within the logout timeout');
      return;
    }
    if (this.#state === OcgSessionState.LogonSent) {
      if (now - this.#stateSince >= this.#t.logonTimeoutMs) this.#close('no Logon reply within the logon timeout');
      return;
    }
    if (!this.loggedOn) return;
    if (this.#state === OcgSessionState.AwaitingResend) {
      if (this.journal.nextExpected !== this.#resendProgressSeq) {
        this.#resendProgressSeq = this.journal.nextExpected;
        this.#resendProgressAt = now;
      } else if (now - this.#resendProgressAt >= this.#t.resendTimeoutMs) {
        this.#logoutAndClose(`resend from ${this.journal.nextExpected} not answered`);
        return;
      }
    }
    if (this.#testRequestSentAt >= 0 && this.#lastReceivedAt > this.#testRequestSentAt) this.#testRequestSentAt = -1;
    if (this.#testRequestSentAt >= 0 && now - this.#testRequestSentAt >= 3 * this.#heartbeatMs) {
      this.#logoutAndClose('test request not answered');
      return;
    }
    if (this.#testRequestSentAt < 0 && now - this.#lastReceivedAt >= 3 * this.#heartbeatMs) {
      this.#testRequestSentAt = now;
      this.#sendSession([
        [Tag.MsgType, FixMsgType.TestRequest],
        [Tag.TestReqID, `TEST${++this.#testRequestId}`],
      ]);
      return;
    }
    if (now - this.#lastSentAt >= this.#heartbeatMs) this.#sendSession([[Tag.MsgType, FixMsgType.Heartbeat]]);
  }

  #setState(to: OcgSessionStateName): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    this.#stateSince = this.#clock.now();
    this.#o.onEvent?.({ type: 'state', from, to });
  }

  #close(reason: string): void {
    if (this.#state === OcgSessionState.Disconnected) return;
    this.#stop(reason);
    this.#o.disconnect(reason);
  }

  #stop(reason: string): void {
    this.#tick?.cancel();
    this.#tick = null;
    this.#held.clear();
    this.#disconnectReason = reason;
    this.#setState(OcgSessionState.Disconnected);
    this.#o.onEvent?.({ type: 'disconnected', reason });
  }
}

/** A sequence number field: 1 to 10 digits, no leading zero; NaN otherwise (a check without a regex per message). */
export function seqNumOf(v: string | undefined): number {
  if (v === undefined || v.length === 0 || v.length > 10 || v.charCodeAt(0) === 0x30) return Number.NaN;
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return Number.NaN;
    n = n * 10 + c;
  }
  return n;
}

/** A stored message sent again: PossDupFlag=Y, OrigSendingTime = its SendingTime, SendingTime now. */
function resent(bytes: Uint8Array, now: string): Uint8Array | null {
  const r = decodeMessage(bytes);
  if (!r.ok) return null;
  const out: FixField[] = [];
  let orig = now;
  for (const f of r.message.fields) {
    if (f[0] === Tag.SendingTime) orig = f[1];
    if (f[0] === Tag.PossDupFlag || f[0] === Tag.OrigSendingTime) continue;
    out.push(f[0] === Tag.SendingTime ? [Tag.SendingTime, now] : f);
    if (f[0] === Tag.MsgSeqNum) out.push([Tag.PossDupFlag, 'Y']);
  }
  const i = out.findIndex((f) => f[0] === Tag.SendingTime);
  out.splice(i + 1, 0, [Tag.OrigSendingTime, orig]);
  return encodeMessage({ fields: out }, r.beginString);
}

/**
 * Gateway: an application message for a client that is not logged on gets its number and is kept,
 * to be replayed when the client asks (the binary side's journalMessage, for FIX).
 */
export function journalFixMessage(journal: SessionJournal, gatewayCompId: string, clientCompId: string, body: FixField[], nowMs: number): number {
  const seq = journal.nextToSend;
  const stored = encodeFields(
    body,
    { senderCompId: gatewayCompId, targetCompId: clientCompId, msgSeqNum: seq, sendingTime: sendingTime(nowMs) },
    FIXT_1_1,
    STORED_PREFIX,
  );
  journal.setNextToSend(seq + 1);
  if (stampStored(stored)) journal.saveSent(seq, stored);
  return seq;
}

export { SESSION_MSG_TYPES };

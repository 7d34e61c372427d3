// Line arbitration and gap detection for one channel (OMD-C 4.1, 4.2; spec/omd-c.md §3.3).
// Pure sequencing logic: no sockets, time only through the injected Clock, so a
// test can feed hand-made packets from lines A and B and drive the timeout.
import type { Clock, TimerHandle } from '../wire/index.ts';
import type { OmdMessage } from './messages.ts';

/** Where a packet came from: multicast line A or B, or the retransmission server. */
export type FeedLine = 'A' | 'B' | 'R';

/** An inclusive range of sequence numbers. */
export interface SeqRange {
  from: number;
  to: number;
}

/** What the arbitrator tells its owner (the FeedHandler's channel). Called synchronously. */
export interface ArbitrationSink {
  /** Every message exactly once, in sequence order (only while live, never while caching). */
  deliver(sn: number, msg: OmdMessage): void;
  /** A Sequence Reset was accepted (OMD-C 3.4.2); `expected` is already moved. */
  sequenceReset(sn: number, newSeqNo: number, line: FeedLine): void;
  /** Both lines missed these ranges and the arbitration timeout passed (OMD-C 4.2). */
  gap(holes: SeqRange[], highestSeen: number): void;
  /** Both lines went backwards: numbering restarted without a Sequence Reset (§12 U1). */
  renumbered(line: FeedLine, seq: number): void;
  /** A packet or heartbeat beyond the ahead window was held back, not trusted (count 0 = heartbeat). */
  suspect?(line: FeedLine, seq: number, count: number): void;
}

export interface LineArbitratorOptions {
  clock: Clock;
  /** How long to wait for the other line to fill a hole before declaring a gap. */
  arbitrationTimeoutMs?: number;
  /** Cap of messages held while a hole or a refresh is pending (memory guard). */
  maxBuffered?: number;
  /** DR channel: no refresh exists, so the first packet anchors the sequence. */
  anchorOnFirstPacket?: boolean;
  /**
   * §12 U1 (ours): a line whose packets end this far below `expected` counts as
   * renumbered even if it never delivered higher numbers itself (e.g. right after
   * a refresh). Far above any normal skew between lines A and B. Default 5,000.
   */
  renumberDistance?: number;
  /**
   * Longest wait for a line that is still delivering but has not yet got past a
   * hole (the lines' queues are read at different speeds when one lost packets).
   * A line silent for this long is not waited for. Default max(10 × timeout, 250 ms).
   */
  maxArbitrationWaitMs?: number;
  /**
   * How far beyond `expected` a line's packet may start and still be buffered or
   * hinted (ours; OMD-C 4.2 sets no bound). Further out it is suspect: counted, not
   * buffered, not a gap hint, until the other line or the same line's next packet
   * (with no in-window traffic between) confirms the new position, or a refresh
   * moves `expected` there. One forged header can then never hold a channel stale.
   * Default 50,000: the RTS keeps no more (OMD-C 4.3), so a hole that wide is a
   * refresh anyway, and it is far above any skew between lines A and B.
   */
  aheadWindow?: number;
}

/** A packet held back as suspect, and the in-window arrival count when it came. */
interface Suspect {
  seq: number;
  last: number;
  epoch: number;
  held: boolean;
}

type Mode = 'live' | 'caching';

const SEQUENCE_RESET = 100;
/** Holes are listed one by one up to this span; wider spans become one range (refresh anyway). */
const MAX_HOLE_SCAN = 1_000_000;

/**
 * Per-channel arbitration (OMD-C 4.1): first copy of a sequence number wins,
 * whatever line and whatever packet grouping it came in; later packets are
 * buffered while a hole is open; a hole still open after the timeout is a gap.
 *
 * Two modes: `live` delivers in order; `caching` (refresh in progress, §3.5
 * step 1) stores every message by SN until `anchor(next)`. `trust` says whether
 * the current `expected` still means something while caching (a gap fallback)
 * or not (start-up, DR, renumbering: cache whatever comes).
 */
export class LineArbitrator {
  /** Next wanted sequence number (meaningless while caching without trust). */
  expected = 0;
  /** Highest sequence number seen in any data packet of the current numbering. */
  highestSeen = 0;
  /** Messages dropped because their SN was already delivered or buffered. */
  duplicates = 0;
  /** Messages dropped because the buffer was full. */
  overflowed = 0;
  /** Packets and heartbeats held back because they started beyond the ahead window. */
  suspect = 0;
  /** Cached messages dropped at anchor() because they lay beyond the ahead window of the new position. */
  droppedAhead = 0;

  readonly #sink: ArbitrationSink;
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #maxBuffered: number;
  readonly #anchorOnFirst: boolean;
  readonly #renumberDistance: number;
  readonly #maxWaitMs: number;
  readonly #aheadWindow: number;
  // Ahead-window state: the last suspect per line, a count of in-window arrivals (a suspect
  // is only confirmed if nothing in-window came since), and a position confirmed by the lines.
  // (Two records reused in place: a flood of forged packets allocates nothing.)
  readonly #suspects: { A: Suspect; B: Suspect } = {
    A: { seq: 0, last: 0, epoch: 0, held: false },
    B: { seq: 0, last: 0, epoch: 0, held: false },
  };
  #liveEpoch = 0;
  #confirmedAt = 0;

  #mode: Mode = 'caching';
  #trust = false;
  readonly #buffer = new Map<number, OmdMessage>();
  /** Highest SN known to exist (data or heartbeat hint), for hole scanning. */
  #knownUpTo = 0;
  /** Every SN up to here is delivered, buffered or declared as a gap (never declared twice). */
  #declaredUpTo = 0;
  #timer: TimerHandle | null = null;
  #timerHorizon = 0;
  #timerStart = 0;

  // Sequence Reset bookkeeping (§4.1, U2): the reset's own header SeqNum and the lines whose copy was seen.
  #lastResetSeq = -1;
  readonly #resetSeenOn = new Set<FeedLine>();
  // Per line: highest last-SN delivered, whether it went backwards (§12 U1), whether it still
  // runs the numbering from before a Sequence Reset that the other line already delivered.
  readonly #lineMax = { A: 0, B: 0 };
  readonly #regressed = { A: false, B: false };
  readonly #preReset = { A: false, B: false };
  // Per line: when it last delivered anything, and the SN its heartbeats say it has passed (§12 U3).
  readonly #lastArrival = { A: -Infinity, B: -Infinity };
  readonly #hbPassed = { A: 0, B: 0 };

  constructor(sink: ArbitrationSink, opts: LineArbitratorOptions) {
    this.#sink = sink;
    this.#clock = opts.clock;
    this.#timeoutMs = opts.arbitrationTimeoutMs ?? 50;
    this.#maxBuffered = opts.maxBuffered ?? 4_000_000;
    this.#anchorOnFirst = opts.anchorOnFirstPacket ?? false;
    this.#renumberDistance = opts.renumberDistance ?? 5_000;
    this.#maxWaitMs = opts.maxArbitrationWaitMs ?? Math.max(10 * this.#timeoutMs, 250);
    this.#aheadWindow = opts.aheadWindow ?? 50_000;
  }

  /** Highest first-SN a line's packet may carry and still be trusted. */
  get aheadLimit(): number {
    return Math.max(this.expected, this.#confirmedAt) + this.#aheadWindow;
  }

  /**
   * Live only, lines A/B only: true when the packet must be held back. A suspect
   * is confirmed (and then taken) by the other line's suspect near it, or by the
   * same line's next packet continuing it, provided nothing in-window arrived since.
   */
  #holdBack(line: 'A' | 'B', seq: number, last: number, count: number, precheck = false): boolean {
    if (this.#mode !== 'live') return false;
    if (seq <= this.aheadLimit) {
      if (!precheck) this.#liveEpoch++;
      return false;
    }
    const w = this.#aheadWindow;
    const other = this.#suspects[line === 'A' ? 'B' : 'A'];
    const own = this.#suspects[line];
    const byOther = other.held && other.epoch === this.#liveEpoch && Math.abs(seq - other.seq) <= w;
    const byOwn = own.held && own.epoch === this.#liveEpoch && seq > own.seq && seq <= own.last + 1 + w;
    if ((byOther || byOwn) && count > 0) {
      if (precheck) return false; // only a packet that decodes may confirm a position
      this.#confirmedAt = Math.max(seq, byOther ? other.seq : 0, byOwn ? own.seq : 0);
      other.held = own.held = false;
      return false;
    }
    this.suspect++;
    if (count > 0) {
      own.seq = seq;
      own.last = last;
      own.epoch = this.#liveEpoch;
      own.held = true;
    }
    this.#sink.suspect?.(line, seq, count);
    return true;
  }

  /**
   * The ahead-window check on the raw header (line A/B, MsgCount, SeqNum) before decoding, so a
   * flood of forged far-ahead packets costs no decoding. True = held back (counted); onPacket
   * makes the same check for callers that skip this one.
   */
  holdBackHeader(line: 'A' | 'B', seq: number, count: number): boolean {
    return this.#holdBack(line, seq, seq + count - 1, count, true);
  }

  #forgetAhead(): void {
    this.#suspects.A.held = this.#suspects.B.held = false;
    this.#confirmedAt = 0;
  }

  get mode(): Mode {
    return this.#mode;
  }

  /** Messages currently held (reorder buffer or refresh cache). */
  get buffered(): number {
    return this.#buffer.size;
  }

  /**
   * Cheap pre-check on the raw header before decoding: true when the packet
   * only repeats delivered messages (the slower line's copy); it is then
   * counted and needs no decoding. Anything unusual returns false.
   */
  dropIfSeen(line: FeedLine, seq: number, count: number, firstMsgType: number): boolean {
    if (count === 0 || this.#mode !== 'live' || firstMsgType === SEQUENCE_RESET) return false;
    const last = seq + count - 1;
    if (last >= this.expected) return false;
    if (line !== 'R') {
      if (this.#preReset[line] || last < this.#lineMax[line] || last + this.#renumberDistance < this.expected) return false; // let onPacket judge
      this.#lineMax[line] = last;
      this.#lastArrival[line] = this.#clock.now();
      this.#liveEpoch++; // the slower line's copy is in-window traffic too
    }
    this.duplicates += count;
    return true;
  }

  /** A decoded packet (MsgCount = messages.length; 0 = heartbeat). */
  onPacket(line: FeedLine, seq: number, messages: readonly OmdMessage[]): void {
    const count = messages.length;
    if (count === 0) {
      this.onHeartbeat(line, seq);
      return;
    }
    const last = seq + count - 1;
    let start = 0;
    const isReset = messages[0]!.msgType === SEQUENCE_RESET;

    if (line !== 'R' && !isReset && this.#holdBack(line, seq, last, count)) return;
    if (line !== 'R') {
      this.#lastArrival[line] = this.#clock.now();
      if (isReset) {
        // The line is on the post-reset numbering from here on.
        this.#preReset[line] = false;
        this.#regressed[line] = false;
        this.#lineMax[line] = last;
      } else if (this.#preReset[line]) {
        if (last < this.#lineMax[line]) {
          // It lost its copy of the reset but has clearly restarted numbering.
          this.#preReset[line] = false;
          this.#lineMax[line] = last;
        } else {
          // Still the old numbering (this line lags the reset): nothing of it is valid any more.
          this.#lineMax[line] = last;
          this.duplicates += count;
          return;
        }
      } else if (last < this.#lineMax[line] || (this.#mode === 'live' && last + this.#renumberDistance < this.expected)) {
        this.#lineMax[line] = last;
        this.#noteRegress(line, seq);
      } else {
        this.#lineMax[line] = last;
      }
    }

    if (this.#anchorOnFirst && this.#mode === 'caching' && !this.#trust) this.anchor(seq);

    if (isReset) {
      const reset = messages[0] as { msgType: 100; newSeqNo: number };
      const otherLinesCopy = seq === this.#lastResetSeq && !this.#resetSeenOn.has(line);
      const retransmittedOld = line === 'R' && (this.#mode !== 'live' || seq < this.expected);
      if (otherLinesCopy || retransmittedOld) {
        this.#resetSeenOn.add(line);
        this.duplicates++;
      } else {
        this.#applyReset(line, seq, reset.newSeqNo);
      }
      start = 1;
    }

    if (this.#mode === 'live' && last < this.expected) {
      this.duplicates += count - start;
      return;
    }
    for (let i = start; i < count; i++) {
      const msg = messages[i]!;
      const sn = seq + i;
      if (msg.msgType === SEQUENCE_RESET) {
        // A reset inside a packet (not its first message): same rules, its SN is disregarded.
        if (line === 'R' && (this.#mode !== 'live' || sn < this.expected)) {
          this.duplicates++;
          continue;
        }
        this.#applyReset(line, sn, (msg as { msgType: 100; newSeqNo: number }).newSeqNo);
        continue;
      }
      this.#accept(sn, msg);
    }
    if (last > this.highestSeen) this.highestSeen = last;
    if (last > this.#knownUpTo) this.#knownUpTo = last;
    if (this.#mode === 'live' && this.#buffer.size !== 0) {
      this.#drain();
      if (this.#buffer.size !== 0 || this.#knownUpTo >= this.expected) this.#armTimer();
    }
  }

  /**
   * Heartbeat (MsgCount 0): a gap hint only (§12 U3). Whether its SeqNum is the
   * last message sent or the next to send is unverified, so only SNs strictly
   * below it are taken as sent: a hint never asks for a message that may not exist.
   */
  onHeartbeat(line: FeedLine, seq: number): void {
    if (line !== 'R' && this.#holdBack(line, seq, seq, 0)) return;
    if (line !== 'R') {
      this.#lastArrival[line] = this.#clock.now();
      this.#hbPassed[line] = seq - 1;
    }
    if (this.#mode !== 'live') return;
    if (seq > this.expected && seq - 1 > this.#knownUpTo) {
      this.#knownUpTo = seq - 1;
      this.#armTimer();
    }
  }

  /**
   * Refresh done (OMD-C 4.4 step 5): drop what the snapshot covers, go live at
   * `next`, deliver what was cached after it, and look for holes again.
   */
  anchor(next: number): void {
    this.#cancelTimer();
    this.#forgetAhead();
    let maxKept = next - 1;
    // Cached messages far beyond the new position are not trusted (aheadWindow): a forged
    // header cached during the refresh would otherwise open a gap right after it, for ever.
    const limit = next + this.#aheadWindow;
    for (const sn of this.#buffer.keys()) {
      if (sn < next) this.#buffer.delete(sn);
      else if (sn > limit) {
        this.#buffer.delete(sn);
        this.droppedAhead++;
      } else if (sn > maxKept) maxKept = sn;
    }
    this.#mode = 'live';
    this.#trust = true;
    this.expected = next;
    this.highestSeen = maxKept;
    this.#knownUpTo = maxKept;
    this.#declaredUpTo = next - 1;
    this.#regressed.A = this.#regressed.B = false;
    this.#hbPassed.A = this.#hbPassed.B = 0;
    this.#drain();
    if (this.#buffer.size !== 0) this.#armTimer();
  }

  /**
   * Enter caching (refresh in progress). `trust` keeps `expected` (a gap
   * fallback: older SNs are duplicates); without it every SN is cached. `clear`
   * drops what is held (state from before a reset, DR or renumbering).
   */
  beginCaching(trust: boolean, clear: boolean): void {
    this.#cancelTimer();
    this.#mode = 'caching';
    this.#trust = trust;
    if (clear) this.#buffer.clear();
    if (!trust) {
      this.highestSeen = 0;
      this.#knownUpTo = 0;
    }
  }

  /** Open holes between `expected` and the highest known SN, ignoring those already declared. */
  holes(upTo = this.#knownUpTo): SeqRange[] {
    const out: SeqRange[] = [];
    let sn = Math.max(this.expected, this.#declaredUpTo + 1);
    if (upTo - sn > MAX_HOLE_SCAN) return [{ from: sn, to: upTo }];
    let open = -1;
    for (; sn <= upTo; sn++) {
      const have = this.#buffer.has(sn);
      if (!have && open < 0) open = sn;
      else if (have && open >= 0) {
        out.push({ from: open, to: sn - 1 });
        open = -1;
      }
    }
    if (open >= 0) out.push({ from: open, to: upTo });
    return out;
  }

  /** Stops the timer (handler shutdown). */
  close(): void {
    this.#cancelTimer();
    this.#buffer.clear();
  }

  #accept(sn: number, msg: OmdMessage): void {
    if (this.#mode === 'live') {
      if (sn === this.expected) {
        if (this.#buffer.size !== 0 && this.#buffer.delete(sn)) this.duplicates++;
        this.expected = sn + 1;
        this.#sink.deliver(sn, msg);
        return;
      }
      if (sn < this.expected) {
        this.duplicates++;
        return;
      }
    } else if (this.#trust && sn < this.expected) {
      this.duplicates++;
      return;
    }
    if (this.#buffer.has(sn)) {
      this.duplicates++;
      return;
    }
    if (this.#buffer.size >= this.#maxBuffered) {
      this.overflowed++;
      return;
    }
    this.#buffer.set(sn, msg);
  }

  #drain(): void {
    const buf = this.#buffer;
    for (;;) {
      const msg = buf.get(this.expected);
      if (msg === undefined) break;
      buf.delete(this.expected);
      const sn = this.expected++;
      this.#sink.deliver(sn, msg);
      if (this.#mode !== 'live') return; // the sink switched to caching (e.g. reset inside)
    }
  }

  #applyReset(line: FeedLine, sn: number, newSeqNo: number): void {
    this.#lastResetSeq = sn;
    this.#resetSeenOn.clear();
    this.#resetSeenOn.add(line);
    // The other line may still be sending the old numbering; ignore it until it catches up.
    if (line === 'A' && this.#lineMax.B > sn) this.#preReset.B = true;
    if (line === 'B' && this.#lineMax.A > sn) this.#preReset.A = true;
    this.#cancelTimer();
    this.#buffer.clear();
    this.#forgetAhead();
    // §12 U2: our convention is that the reset is message NewSeqNo itself, so the next one is NewSeqNo + 1.
    this.expected = sn === newSeqNo ? newSeqNo + 1 : newSeqNo;
    this.highestSeen = this.expected - 1;
    this.#knownUpTo = this.expected - 1;
    this.#declaredUpTo = this.expected - 1;
    this.#hbPassed.A = this.#hbPassed.B = 0;
    this.#mode = 'live';
    this.#trust = true;
    this.#sink.sequenceReset(sn, newSeqNo, line);
  }

  #noteRegress(line: 'A' | 'B', seq: number): void {
    this.#regressed[line] = true;
    if (this.#mode === 'caching' && !this.#trust) return; // already resynchronising
    if (this.#regressed.A && this.#regressed.B) {
      this.#regressed.A = this.#regressed.B = false;
      this.#sink.renumbered(line, seq);
    }
  }

  #armTimer(): void {
    if (this.#timer) {
      // Holes seen in the same instant the timer started share its deadline.
      if (this.#clock.now() === this.#timerStart) this.#timerHorizon = this.#knownUpTo;
      return;
    }
    this.#timerStart = this.#clock.now();
    this.#timerHorizon = this.#knownUpTo;
    this.#timer = this.#clock.setTimeout(() => this.#onTimeout(), this.#timeoutMs);
  }

  #cancelTimer(): void {
    this.#timer?.cancel();
    this.#timer = null;
  }

  #onTimeout(): void {
    this.#timer = null;
    if (this.#mode !== 'live') return;
    const now = this.#clock.now();
    let horizon = this.#timerHorizon;
    if (now - this.#timerStart < this.#maxWaitMs) {
      // A line still delivering but not yet past a hole may fill it: wait for it (bounded).
      for (const l of ['A', 'B'] as const) {
        if (now - this.#lastArrival[l] > this.#maxWaitMs) continue; // silent line: not waited for
        const passed = Math.max(this.#lineMax[l], this.#hbPassed[l]);
        if (passed < horizon) horizon = passed;
      }
    }
    const holes = this.holes(horizon);
    // Everything up to the horizon is now buffered or declared: later scans start after it
    // (a long buffer behind a pending recovery is not rescanned at every timeout).
    if (horizon > this.#declaredUpTo) this.#declaredUpTo = horizon;
    if (holes.length) {
      this.#sink.gap(holes, this.highestSeen);
      if (this.#mode !== 'live') return;
    }
    if (horizon < this.#timerHorizon && this.holes(this.#timerHorizon).length > 0) {
      // Undecided holes remain: look again after another timeout, same start and horizon.
      this.#timer = this.#clock.setTimeout(() => this.#onTimeout(), this.#timeoutMs);
      return;
    }
    // Holes that opened after the timer started get their own full timeout.
    if (this.#knownUpTo > Math.max(this.#timerHorizon, this.#declaredUpTo) && this.#knownUpTo >= this.expected) this.#armTimer();
  }

  /** Forget that holes were declared (recovery failed and a new attempt should be made). */
  redeclare(): void {
    this.#declaredUpTo = this.expected - 1;
    if (this.#mode === 'live' && this.#knownUpTo >= this.expected) this.#armTimer();
  }
}

// Refresh Service client procedure for one channel (OMD-C 4.4; spec/omd-c.md §3.5):
// join the refresh channel, discard until a Refresh Complete, apply everything up
// to the next Refresh Complete into a fresh image, hand it over with LastSeqNum, leave.
import { createMulticastReceiver, systemClock, type Clock, type JoinMulticast, type MulticastEndpoint, type MulticastReceiver } from '../wire/index.ts';
import { MarketImage } from './image.ts';
import { decodeSequencedPacket } from './sequenced-packet.ts';

export interface RefreshSnapshot {
  /** The state the snapshot describes (built from nothing). */
  image: MarketImage;
  /** Real-time SN the snapshot reflects (Refresh Complete LastSeqNum). */
  lastSeqNum: number;
  /** Messages applied from the snapshot. */
  messages: number;
  /** From join to completion. */
  ms: number;
}

export interface RefreshRecoveryOptions {
  endpoint: MulticastEndpoint;
  iface?: string;
  clock?: Clock;
  /** How to join the refresh group (FeedHandlerOptions.join). */
  join?: JoinMulticast;
  onSnapshot: (s: RefreshSnapshot) => void;
  onDecodeError?: () => void;
}

type State = 'idle' | 'joining' | 'waiting' | 'collecting' | 'done';

/**
 * One refresh attempt at a time per channel. Loss inside a snapshot (a hole in
 * the refresh channel's own SeqNum) abandons it and waits for the next one:
 * there is no retransmission of refresh channels (OMD-C 4.4).
 */
export class RefreshRecovery {
  readonly #opts: RefreshRecoveryOptions;
  readonly #clock: Clock;
  #state: State = 'idle';
  #receiver: MulticastReceiver | null = null;
  #staging: MarketImage | null = null;
  #staged = 0;
  #nextSeq = -1;
  #afterComplete = false;
  #startedAt = 0;
  /** Snapshots abandoned because a refresh packet was lost (or the join came mid-snapshot). */
  abandoned = 0;

  constructor(opts: RefreshRecoveryOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
  }

  get active(): boolean {
    return this.#state !== 'idle' && this.#state !== 'done';
  }

  /** Member of the refresh group (joined, not yet left). */
  get joined(): boolean {
    return this.#receiver !== null;
  }

  /** Joins the refresh channel (if not joined) and waits for the next complete snapshot. */
  async start(): Promise<void> {
    this.#startedAt = this.#clock.now();
    this.#restartCycle();
    if (this.#receiver || this.#state === 'joining') {
      this.#state = 'waiting';
      return;
    }
    this.#state = 'joining';
    let r: MulticastReceiver;
    try {
      r = await (this.#opts.join ?? createMulticastReceiver)(this.#opts.endpoint, (buf) => this.onDatagram(buf), this.#opts.iface);
    } catch (e) {
      this.#state = 'idle'; // not stuck in 'joining': the next start() joins again
      throw e;
    }
    if ((this.#state as State) === 'idle') {
      await r.close(); // stopped while joining
      return;
    }
    this.#receiver = r;
    if ((this.#state as State) === 'joining') this.#state = 'waiting';
  }

  /** Leaves the refresh channel (OMD-C 4.4 step 4). */
  async stop(): Promise<void> {
    this.#state = 'idle';
    this.#staging = null;
    const r = this.#receiver;
    this.#receiver = null;
    if (r) await r.close();
  }

  /** Exposed for tests: one refresh-channel datagram. */
  onDatagram(buf: Uint8Array): void {
    if (this.#state !== 'waiting' && this.#state !== 'collecting') return;
    const p = decodeSequencedPacket(buf);
    if ('ok' in p) {
      this.#opts.onDecodeError?.();
      if (this.#state === 'collecting') this.#abandon();
      return;
    }
    const n = p.messages.length;
    if (n === 0) return; // heartbeat
    if (this.#state === 'collecting' && !this.#contiguous(p.seq)) this.#abandon();
    this.#nextSeq = p.seq + n;
    this.#afterComplete = false;
    for (let i = 0; i < n; i++) {
      const m = p.messages[i]!;
      if (m.msgType === 203) {
        if (this.#state === 'collecting') {
          this.#state = 'done';
          const image = this.#staging!;
          this.#staging = null;
          this.#opts.onSnapshot({ image, lastSeqNum: m.lastSeqNum, messages: this.#staged, ms: this.#clock.now() - this.#startedAt });
          return;
        }
        // First Refresh Complete seen: the next message starts a whole snapshot.
        this.#state = 'collecting';
        this.#staging = new MarketImage();
        this.#staged = 0;
        this.#afterComplete = i === n - 1;
        continue;
      }
      if (this.#state === 'collecting') {
        this.#staging!.apply(m);
        this.#staged++;
      }
    }
  }

  /**
   * §12 U6: whether refresh packets number the day or restart every cycle is not
   * specified. Within a snapshot we require SeqNum continuity; right after a
   * Refresh Complete we also accept a restart at 1.
   */
  #contiguous(seq: number): boolean {
    return seq === this.#nextSeq || (this.#afterComplete && seq === 1);
  }

  #abandon(): void {
    this.abandoned++;
    this.#restartCycle();
  }

  #restartCycle(): void {
    if (this.#state === 'collecting' || this.#state === 'done') this.#state = 'waiting';
    this.#staging = null;
    this.#staged = 0;
    this.#nextSeq = -1;
  }
}

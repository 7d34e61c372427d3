// The subscriber's OMD-C / OMD-CC feed handler (spec/omd-c.md §3.3–3.6, §4, §12):
// joins lines A and B of every channel, arbitrates, recovers gaps from the
// retransmission server or the refresh service, follows Sequence Resets and the
// DR signal, and keeps one MarketImage per channel.
import { EventEmitter } from 'node:events';
import { createMulticastReceiver, systemClock, type Clock, type JoinMulticast, type MulticastReceiver } from '../wire/index.ts';
import type { ChannelConfig, FeedConfig } from './channels.ts';
import { MarketImage } from './image.ts';
import type { OmdMessage } from './messages.ts';
import { LineArbitrator, type ArbitrationSink, type FeedLine, type SeqRange } from './line-arbitrator.ts';
import { RefreshRecovery, type RefreshSnapshot } from './refresh-recovery.ts';
import { RetransmissionClient, RTS_CLIENT_DEFAULTS, type RtsClientRequestEvent } from './rts-client.ts';
import { decodeSequencedPacket, UNKNOWN_MESSAGE } from './sequenced-packet.ts';
import { isHeartbeatPacket } from './packet.ts';

/** DR state machine (spec §4.5, ours). */
export type DrState = 'NORMAL' | 'DR_IN_PROGRESS' | 'DR_COMPLETED';

/** Why a channel is being rebuilt from the refresh service (spec §3.6). */
export type RefreshReason = 'start-up' | 'sequence-reset' | 'gap' | 'dr' | 'resync';

export interface FeedHandlerOptions {
  /** Logon Username for the retransmission server (OMD-C 3.5.1). */
  rtsUsername: string;
  clock?: Clock;
  /** How long a hole may stay open waiting for the other line (OMD-C 4.2; value not in the spec). Default 50 ms. */
  arbitrationTimeoutMs?: number;
  /**
   * How far beyond the expected SeqNum a packet may start and still be trusted (ours, see
   * LineArbitratorOptions.aheadWindow). Default 50,000, the RTS window (OMD-C 4.3).
   */
  aheadWindow?: number;
  rts?: {
    /** Messages the server keeps per channel (OMD-C 4.3: 50,000). Older gaps go to refresh. */
    windowSize?: number;
    /** Max inclusive range per request (OMD-C 4.3: 10,000). */
    maxRange?: number;
    maxRequestsPerDay?: number;
    /** Connect / logon / response / data-stall timeout before moving to another endpoint. */
    responseTimeoutMs?: number;
    /** false = never use the RTS, every gap goes to refresh. */
    enabled?: boolean;
  };
  /**
   * Fault for demonstrations: count DR signals but act on none of them, so the
   * books of the old site stay (stale) through a failover.
   */
  ignoreDisasterRecovery?: boolean;
  /** Fault: accept a Sequence Reset's numbering but neither clear nor refresh. */
  ignoreSequenceReset?: boolean;
  /**
   * How the handler joins its groups. Default: sockets of its own. Handlers of one process can
   * share one socket per group through `new SharedMulticastReceivers().join`.
   */
  join?: JoinMulticast;
}

export interface FeedHandlerCounters {
  /** Data packets and heartbeats received on lines A/B of every channel. */
  packets: number;
  heartbeats: number;
  /** Messages applied in sequence (real-time, including retransmitted ones). */
  messages: number;
  /** Messages dropped as copies (the other line, RTS overlap). */
  duplicates: number;
  /** Holes both lines missed past the arbitration timeout. */
  gapsSeen: number;
  /** Gaps closed by the retransmission server. */
  recoveredByRts: number;
  /** Gaps closed by a refresh (beyond the RTS window, limits or RTS failure). */
  recoveredByRefresh: number;
  /** Refresh snapshots applied, whatever the reason. */
  refreshes: number;
  sequenceResets: number;
  drSignals: number;
  /** Packets dropped because they could not be decoded (lines, refresh, RTS). */
  decodeErrors: number;
  /** Messages of unknown MsgType skipped (they still consume a sequence number). */
  unknownMessages: number;
  rtsRequests: number;
  rtsMessages: number;
  /** Defensive resynchronisations after both lines went backwards (§12 U1). */
  resyncs: number;
  /** Messages dropped because the reorder/refresh cache was full. */
  overflowed: number;
  /**
   * Packets and heartbeats beyond the ahead window, held back until confirmed, plus cached
   * messages dropped for the same reason when a refresh set the position.
   */
  suspect: number;
}

export interface GapEvent {
  channelId: number;
  range: SeqRange;
}
export interface RecoveredEvent {
  channelId: number;
  via: 'rts' | 'refresh';
  range: SeqRange;
  ms: number;
}
export interface RefreshCompleteEvent {
  channelId: number;
  reason: RefreshReason;
  lastSeqNum: number;
  messages: number;
  ms: number;
}
export interface StaleEvent {
  channelId: number;
  reason: RefreshReason | 'dr-in-progress';
}
export interface DrEvent {
  status: number;
  state: DrState;
  previous: DrState;
  ignored: boolean;
}
export interface MessageEvent {
  channelId: number;
  seq: number;
  msg: OmdMessage;
}
/** A packet (count > 0) or heartbeat (count 0) beyond the ahead window: held back, not trusted. */
export interface SuspectEvent {
  channelId: number;
  line: FeedLine;
  seq: number;
  count: number;
  expected: number;
}

export interface ChannelStatus {
  channelId: number;
  expected: number;
  mode: 'live' | 'caching';
  stale: boolean;
  refreshing: RefreshReason | null;
  /** Joined to the channel's refresh group (a refresh runs, or DR is in progress: spec §4.5). */
  refreshJoined: boolean;
  buffered: number;
  pendingGaps: number;
}

interface Channel {
  cfg: ChannelConfig;
  image: MarketImage;
  arb: LineArbitrator;
  refresh: RefreshRecovery;
  refreshing: { reason: RefreshReason; gap: SeqRange | null; at: number } | null;
  stale: boolean;
  pending: Set<{ range: SeqRange; at: number }>;
}

/**
 * FeedHandler. Events: 'gap' (GapEvent), 'recovered' (RecoveredEvent),
 * 'refresh-complete' (RefreshCompleteEvent), 'stale' (StaleEvent), 'dr'
 * (DrEvent), 'sequence-reset' {channelId, seq}, 'message' (MessageEvent; only
 * emitted when someone listens), 'decode-error' {channelId, code}, 'suspect' (SuspectEvent),
 * 'rts-request' (RtsClientRequestEvent), 'rts-logon' {endpoint, status}, 'rts-heartbeat' {endpoint} (echoed).
 */
export class FeedHandler extends EventEmitter {
  readonly cfg: FeedConfig;
  readonly #opts: FeedHandlerOptions;
  readonly #clock: Clock;
  readonly #channels = new Map<number, Channel>();
  readonly #receivers: MulticastReceiver[] = [];
  readonly #rts: RetransmissionClient | null;
  readonly #rtsWindow: number;
  readonly #dr: LineArbitrator;
  #drState: DrState = 'NORMAL';
  /** Channels the RTS answered 'unknown or unauthorised ChannelID' for: refresh only. */
  readonly #rtsRefused = new Set<number>();
  #emitMessages = false;
  #started = false;
  readonly #c: Omit<FeedHandlerCounters, 'duplicates' | 'overflowed' | 'suspect'> = {
    packets: 0,
    heartbeats: 0,
    messages: 0,
    gapsSeen: 0,
    recoveredByRts: 0,
    recoveredByRefresh: 0,
    refreshes: 0,
    sequenceResets: 0,
    drSignals: 0,
    decodeErrors: 0,
    unknownMessages: 0,
    rtsRequests: 0,
    rtsMessages: 0,
    resyncs: 0,
  };

  constructor(cfg: FeedConfig, opts: FeedHandlerOptions) {
    super();
    this.cfg = cfg;
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
    const timeout = opts.arbitrationTimeoutMs ?? 50;
    const aheadWindow = opts.aheadWindow ?? 50_000;
    this.#rtsWindow = opts.rts?.windowSize ?? RTS_CLIENT_DEFAULTS.windowSize;
    for (const c of cfg.channels) this.#channels.set(c.channelId, this.#makeChannel(c, timeout, aheadWindow));
    const useRts = opts.rts?.enabled !== false && cfg.rts.length > 0;
    this.#rts = useRts
      ? new RetransmissionClient({
          endpoints: cfg.rts,
          username: opts.rtsUsername,
          clock: this.#clock,
          maxRange: opts.rts?.maxRange ?? RTS_CLIENT_DEFAULTS.maxRange,
          maxRequestsPerDay: opts.rts?.maxRequestsPerDay ?? RTS_CLIENT_DEFAULTS.maxRequestsPerDay,
          responseTimeoutMs: opts.rts?.responseTimeoutMs ?? 2_000,
          onPacket: (channelId, seq, messages) => this.#onRetransmitted(channelId, seq, messages),
        })
      : null;
    if (this.#rts) {
      this.#rts.on('request', (e: RtsClientRequestEvent) => this.emit('rts-request', e));
      this.#rts.on('logon', (e) => this.emit('rts-logon', e));
      this.#rts.on('heartbeat', (e) => this.emit('rts-heartbeat', e));
      this.#rts.on('endpoint-failed', (e) => this.emit('rts-endpoint-failed', e));
      this.#rts.on('decode-error', () => {
        this.#c.decodeErrors++;
      });
    }
    // The DR channel has no refresh and no RTS: the first packet anchors it, holes are skipped
    // (the DR signal is repeated anyway), and renumbering simply re-anchors (§4.5, §12 U1).
    const dr: LineArbitrator = new LineArbitrator(
      {
        deliver: (_sn, msg) => {
          if (msg.msgType === 105) this.#onDrSignal(msg.drStatus);
        },
        sequenceReset: () => {},
        gap: (holes) => dr.anchor(holes[holes.length - 1]!.to + 1),
        renumbered: (_line, seq) => dr.anchor(seq),
      },
      { clock: this.#clock, arbitrationTimeoutMs: timeout, anchorOnFirstPacket: true, maxBuffered: 10_000, aheadWindow },
    );
    this.#dr = dr;
    this.on('newListener', (ev) => {
      if (ev === 'message') this.#emitMessages = true;
    });
    this.on('removeListener', (ev) => {
      if (ev === 'message') this.#emitMessages = this.listenerCount('message') > 0;
    });
  }

  /** Joins lines A and B of every channel and the DR channel, then takes the start-up refresh (OMD-C 4.4). */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    const iface = this.cfg.interface;
    const join = this.#opts.join ?? createMulticastReceiver;
    for (const ch of this.#channels.values()) {
      this.#receivers.push(await join(ch.cfg.lineA, (b) => this.onDatagram(ch.cfg.channelId, 'A', b), iface));
      this.#receivers.push(await join(ch.cfg.lineB, (b) => this.onDatagram(ch.cfg.channelId, 'B', b), iface));
    }
    const d = this.cfg.drChannel;
    this.#receivers.push(await join(d.lineA, (b) => this.#onDrDatagram('A', b), iface));
    this.#receivers.push(await join(d.lineB, (b) => this.#onDrDatagram('B', b), iface));
    // A client that starts late must use the refresh service (OMD-C 2.2); joining before the
    // start-of-day Sequence Reset ends up refreshing too (§4.1), so every channel starts here.
    for (const ch of this.#channels.values()) this.#startRefresh(ch, 'start-up', null);
  }

  /** Leaves every group, ends the RTS session, cancels every timer. */
  async stop(): Promise<void> {
    this.#started = false;
    await Promise.all(this.#receivers.splice(0).map((r) => r.close()));
    for (const ch of this.#channels.values()) {
      ch.arb.close();
      await ch.refresh.stop();
    }
    this.#dr.close();
    await this.#rts?.close();
  }

  /** The market image of a channel (replaced by a fresh one when a refresh completes). */
  image(channelId: number): MarketImage {
    const ch = this.#channels.get(channelId);
    if (!ch) throw new Error(`unknown channel ${channelId}`);
    return ch.image;
  }

  channelIds(): number[] {
    return [...this.#channels.keys()];
  }

  get drState(): DrState {
    return this.#drState;
  }

  get counters(): FeedHandlerCounters {
    let duplicates = 0;
    let overflowed = 0;
    let suspect = this.#dr.suspect;
    for (const ch of this.#channels.values()) {
      duplicates += ch.arb.duplicates;
      overflowed += ch.arb.overflowed;
      suspect += ch.arb.suspect + ch.arb.droppedAhead;
    }
    return { ...this.#c, duplicates, overflowed, suspect, rtsRequests: this.#rts?.requestsSent ?? 0 };
  }

  status(channelId: number): ChannelStatus {
    const ch = this.#channels.get(channelId);
    if (!ch) throw new Error(`unknown channel ${channelId}`);
    return {
      channelId,
      expected: ch.arb.expected,
      mode: ch.arb.mode,
      stale: ch.stale,
      refreshing: ch.refreshing?.reason ?? null,
      refreshJoined: ch.refresh.joined,
      buffered: ch.arb.buffered,
      pendingGaps: ch.pending.size,
    };
  }

  /** True when every channel is live and not stale. */
  get synchronised(): boolean {
    for (const ch of this.#channels.values()) if (ch.stale || ch.arb.mode !== 'live') return false;
    return true;
  }

  /** One datagram from line A or B of a channel (the multicast receivers call this). */
  onDatagram(channelId: number, line: 'A' | 'B', buf: Uint8Array): void {
    const ch = this.#channels.get(channelId);
    if (!ch) return;
    this.#c.packets++;
    if (buf.length < 16) {
      this.#decodeError(channelId, 'TRUNCATED');
      return;
    }
    const count = buf[2]!;
    const seq = (buf[4]! | (buf[5]! << 8) | (buf[6]! << 16)) + buf[7]! * 0x1000000;
    if (count === 0) {
      // A heartbeat is exactly the bare 16-byte header (OMD-C 3.4.1); anything longer is no heartbeat.
      if (!isHeartbeatPacket(buf)) {
        this.#decodeError(channelId, 'BAD_HEARTBEAT');
        return;
      }
      this.#c.heartbeats++;
      ch.arb.onHeartbeat(line, seq);
      return;
    }
    const firstType = buf.length >= 20 ? buf[18]! | (buf[19]! << 8) : -1;
    if (ch.arb.dropIfSeen(line, seq, count, firstType)) return;
    if (firstType !== 100 && ch.arb.holdBackHeader(line, seq, count)) return;
    const p = decodeSequencedPacket(buf);
    if ('ok' in p) {
      this.#decodeError(channelId, p.code);
      return;
    }
    ch.arb.onPacket(line, p.seq, p.messages);
  }

  #decodeError(channelId: number, code: string): void {
    this.#c.decodeErrors++;
    if (this.listenerCount('decode-error')) this.emit('decode-error', { channelId, code });
  }

  #makeChannel(cfg: ChannelConfig, timeout: number, aheadWindow: number): Channel {
    const ch = {} as Channel;
    const sink: ArbitrationSink = {
      deliver: (sn, msg) => {
        ch.image.apply(msg);
        this.#c.messages++;
        if (msg === UNKNOWN_MESSAGE) this.#c.unknownMessages++;
        if (this.#emitMessages) this.emit('message', { channelId: cfg.channelId, seq: sn, msg } satisfies MessageEvent);
      },
      sequenceReset: (sn) => this.#onSequenceReset(ch, sn),
      gap: (holes, highest) => this.#onGap(ch, holes, highest),
      renumbered: () => {
        this.#c.resyncs++;
        this.#startRefresh(ch, 'resync', null);
      },
      suspect: (line, seq, count) => {
        if (this.listenerCount('suspect'))
          this.emit('suspect', { channelId: cfg.channelId, line, seq, count, expected: ch.arb.expected } satisfies SuspectEvent);
      },
    };
    ch.cfg = cfg;
    ch.image = new MarketImage();
    ch.arb = new LineArbitrator(sink, { clock: this.#clock, arbitrationTimeoutMs: timeout, aheadWindow });
    ch.refresh = new RefreshRecovery({
      endpoint: cfg.refresh,
      iface: this.cfg.interface,
      clock: this.#clock,
      ...(this.#opts.join ? { join: this.#opts.join } : {}),
      onSnapshot: (s) => this.#onSnapshot(ch, s),
      onDecodeError: () => {
        this.#c.decodeErrors++;
      },
    });
    ch.refreshing = null;
    ch.stale = true;
    ch.pending = new Set();
    return ch;
  }

  /** OMD-C 3.4.2 / spec §4.1: clear the channel's instruments, then refresh. */
  #onSequenceReset(ch: Channel, sn: number): void {
    this.#c.sequenceResets++;
    this.emit('sequence-reset', { channelId: ch.cfg.channelId, seq: sn });
    if (this.#opts.ignoreSequenceReset) return;
    ch.image.clear();
    ch.pending.clear();
    this.#startRefresh(ch, 'sequence-reset', null);
  }

  /** Both lines lost `holes`: RTS within its window and limits, refresh otherwise (spec §3.6). */
  #onGap(ch: Channel, holes: SeqRange[], highest: number): void {
    const channelId = ch.cfg.channelId;
    this.#c.gapsSeen += holes.length;
    for (const range of holes) this.emit('gap', { channelId, range } satisfies GapEvent);
    const whole = { from: holes[0]!.from, to: holes[holes.length - 1]!.to };
    const rts = this.#rts;
    // The server keeps only the latest `windowSize` messages per channel (OMD-C 4.3).
    const oldestKept = highest - this.#rtsWindow + 1;
    if (!rts || rts.quotaExhausted || this.#rtsRefused.has(channelId) || whole.from < oldestKept) {
      this.#startRefresh(ch, 'gap', whole);
      return;
    }
    const now = this.#clock.now();
    for (const range of holes) {
      const gap = { range, at: now };
      ch.pending.add(gap);
      void rts.recover(channelId, range.from, range.to).then((r) => {
        if (!ch.pending.has(gap)) return; // a refresh or reset took over meanwhile
        ch.pending.delete(gap);
        if (r.outcome === 'closed') return; // the handler is stopping
        if (r.outcome === 'recovered' && ch.arb.expected > range.to) {
          this.#c.recoveredByRts++;
          this.emit('recovered', { channelId, via: 'rts', range, ms: this.#clock.now() - gap.at } satisfies RecoveredEvent);
          return;
        }
        if (r.outcome === 'unknown-channel') this.#rtsRefused.add(channelId);
        // Rejected, not available, quota, no endpoint (HKEX guideline Figure 6): use refresh.
        if (ch.arb.mode === 'live') this.#startRefresh(ch, 'gap', { from: Math.min(range.from, ch.arb.expected), to: range.to });
      });
    }
  }

  #onRetransmitted(channelId: number, seq: number, messages: OmdMessage[]): void {
    const ch = this.#channels.get(channelId);
    if (!ch) return;
    this.#c.rtsMessages += messages.length;
    ch.arb.onPacket('R', seq, messages);
  }

  #startRefresh(ch: Channel, reason: RefreshReason, gap: SeqRange | null): void {
    const prev = ch.refreshing;
    // A gap fallback keeps the numbering (older SNs are copies) and the cache; resets, DR and
    // renumbering start from what the snapshot says (spec §3.5, §4.1, §4.5).
    switch (reason) {
      case 'gap':
        ch.arb.beginCaching(true, false);
        break;
      case 'sequence-reset':
        ch.arb.beginCaching(true, true);
        break;
      case 'start-up':
        ch.arb.beginCaching(false, false);
        break;
      case 'dr':
        ch.arb.beginCaching(false, false);
        break;
      case 'resync':
        ch.arb.beginCaching(false, true);
        break;
    }
    if (reason !== 'gap') ch.pending.clear();
    // A second gap while a gap refresh runs widens the range that refresh recovers.
    const merged = prev?.gap && gap ? { from: Math.min(prev.gap.from, gap.from), to: Math.max(prev.gap.to, gap.to) } : gap;
    ch.refreshing = { reason, gap: merged, at: prev?.at ?? this.#clock.now() };
    if (!ch.stale) {
      ch.stale = true;
      this.emit('stale', { channelId: ch.cfg.channelId, reason } satisfies StaleEvent);
    }
    if (!this.#started) return;
    // Another gap while a gap refresh runs changes nothing the snapshot depends on: keep collecting.
    if (prev?.reason === 'gap' && reason === 'gap' && ch.refresh.active) return;
    ch.refresh.start().catch(() => {
      /* join failed: the channel stays stale; the next refresh reason retries */
    });
  }

  /** OMD-C 4.4 step 5: take the snapshot, drop cached SN ≤ LastSeqNum, go live after it. */
  #onSnapshot(ch: Channel, s: RefreshSnapshot): void {
    const r = ch.refreshing;
    if (!r) return;
    if (r.reason === 'gap' && s.lastSeqNum + 1 < ch.arb.expected) {
      // Older than what we already hold: it cannot fill the hole; wait for the next one.
      void ch.refresh.start();
      return;
    }
    ch.refreshing = null;
    ch.pending.clear();
    ch.image = s.image;
    ch.stale = false;
    void ch.refresh.stop(); // leave the refresh channel (step 4)
    this.#c.refreshes++;
    const ms = this.#clock.now() - r.at;
    ch.arb.anchor(s.lastSeqNum + 1);
    this.emit('refresh-complete', {
      channelId: ch.cfg.channelId,
      reason: r.reason,
      lastSeqNum: s.lastSeqNum,
      messages: s.messages,
      ms,
    } satisfies RefreshCompleteEvent);
    if (r.gap) {
      this.#c.recoveredByRefresh++;
      this.emit('recovered', { channelId: ch.cfg.channelId, via: 'refresh', range: r.gap, ms } satisfies RecoveredEvent);
    }
  }

  #onDrDatagram(line: 'A' | 'B', buf: Uint8Array): void {
    this.#c.packets++;
    if (buf.length < 16) {
      this.#decodeError(this.cfg.drChannel.channelId, 'TRUNCATED');
      return;
    }
    if (buf[2] === 0) {
      if (!isHeartbeatPacket(buf)) {
        this.#decodeError(this.cfg.drChannel.channelId, 'BAD_HEARTBEAT');
        return;
      }
      this.#c.heartbeats++;
      return;
    }
    const p = decodeSequencedPacket(buf);
    if ('ok' in p) {
      this.#decodeError(this.cfg.drChannel.channelId, p.code);
      return;
    }
    this.#dr.onPacket(line, p.seq, p.messages);
  }

  /** DR state machine (OMD-C 2.2.4, 3.4.3; spec §4.5, ours). */
  #onDrSignal(status: number): void {
    this.#c.drSignals++;
    const previous = this.#drState;
    if (this.#opts.ignoreDisasterRecovery) {
      this.emit('dr', { status, state: previous, previous, ignored: true } satisfies DrEvent);
      return;
    }
    if (status === 1) {
      if (previous === 'DR_IN_PROGRESS') return; // repeated at the heartbeat cadence: no-op
      this.#drState = 'DR_IN_PROGRESS';
      this.emit('dr', { status, state: this.#drState, previous, ignored: false } satisfies DrEvent);
      // Clear all cached market data and get ready; hold whatever the new site sends until DR 2.
      // "Get ready" (OMD-C 2.2.4) includes joining the refresh groups now, so DR 2 does not wait for
      // the joins (on a real network an IGMP/PIM join is not instant). No snapshot is taken before
      // DR 2 (refreshing is null, a snapshot then is dropped; it may come from the failing site), and
      // DR 2 restarts the procedure: discard up to a Refresh Complete seen after it (spec §3.5, §4.5).
      for (const ch of this.#channels.values()) {
        ch.image.clear();
        ch.pending.clear();
        ch.refreshing = null;
        if (this.#started)
          ch.refresh.start().catch(() => {
            /* join failed: DR 2 joins again */
          });
        ch.arb.beginCaching(false, true);
        if (!ch.stale) {
          ch.stale = true;
          this.emit('stale', { channelId: ch.cfg.channelId, reason: 'dr-in-progress' } satisfies StaleEvent);
        }
      }
      // §12 U16: after a site failover prefer the other site's RTS endpoints.
      if (this.#rts) this.#rts.preferSite(this.#rts.preferredSite === 'primary' ? 'backup' : 'primary');
      return;
    }
    if (status === 2) {
      if (previous === 'DR_COMPLETED') return; // repeated until end of day: no-op
      this.#drState = 'DR_COMPLETED';
      this.emit('dr', { status, state: this.#drState, previous, ignored: false } satisfies DrEvent);
      // A late joiner that only ever sees DR 2 is already doing its start-up refresh.
      if (previous === 'DR_IN_PROGRESS') for (const ch of this.#channels.values()) this.#startRefresh(ch, 'dr', null);
    }
  }
}

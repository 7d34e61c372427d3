// OMD-C / OMD-CC publisher, exchange side: real-time channels on lines A and B,
// refresh cycles, the DR channel, heartbeats, the Retransmission Service, and
// site failover (spec/omd-c.md §2-§4). Time comes from the injected Clock.
import { EventEmitter } from 'node:events';
import { createMulticastSender, systemClock, type Clock, type MulticastEndpoint, type MulticastSender, type TimerHandle } from '../wire/index.ts';
import type { ChannelConfig, FeedConfig, RtsEndpoint } from './channels.ts';
import { MarketImage } from './image.ts';
import type { OmdMessage } from './messages.ts';
import { messageSize } from './codec.ts';
import { DEFAULT_MAX_PACKET_SIZE, encodeHeartbeat, nowSendTimeNs, PacketBuilder, PACKET_HEADER_SIZE, splitNews } from './packet.ts';
import { RetransmissionWindow, messagesOf } from './retransmission-window.ts';
import { RetransmissionServer } from './rts-server.ts';
import { buildRefreshCycle, packMessages } from './refresh-service.ts';
import { PcapWriter } from './pcap.ts';

export type PublisherLine = 'A' | 'B' | 'refresh';

export interface PublisherOptions {
  clock?: Clock;
  site?: 'primary' | 'backup';
  /** Idle-channel heartbeat and DR-signal repeat cadence (OMD-C 3.4.1: about 2 s). */
  heartbeatIntervalMs?: number;
  /** Refresh cycle period per channel (Connectivity Guide, §12 U7); 0 = only on refreshNow(). */
  refreshIntervalMs?: number;
  maxPacketSize?: number;
  /**
   * Refresh packets sent per 1 ms clock step (a cycle is captured at one instant and
   * then paced, so a receiver's socket buffer is not flooded); default: all at once.
   */
  refreshPacketsPerMs?: number;
  /**
   * After a takeover (§4.5 "restart refresh cycles"), refresh cycles come this often for
   * takeoverRefreshWindowMs before the normal period resumes, so a handler that joins the refresh
   * channel on DR Signal 2 meets a Refresh Complete and then a whole snapshot within about two of
   * these intervals, not up to two refresh periods (OMD-C 4.4, spec §3.5). The refresh interval is
   * not in the protocol (§12 U7). Default min(50, refreshIntervalMs); only when refreshIntervalMs > 0.
   */
  takeoverRefreshIntervalMs?: number;
  /** How long the fast refresh cadence lasts after a takeover. Default: one refreshIntervalMs, at least 2 heartbeats. */
  takeoverRefreshWindowMs?: number;
  rts?: {
    windowSize?: number;
    maxRange?: number;
    maxRequestsPerDay?: number;
    users: string[];
    logonTimeoutMs?: number;
    heartbeatIntervalMs?: number;
    heartbeatResponseTimeoutMs?: number;
  };
  /** Write every datagram sent to this classic pcap file. */
  pcapFile?: string;
  /** Test hook for loss: true = do not send this datagram on that line. DR channel datagrams report its ChannelID. */
  lossFilter?: (line: PublisherLine, channelId: number, firstSeq: number, msgCount: number) => boolean;
  /** Observer of every datagram actually sent (after lossFilter): tests and evidence. `line` is 'dr' for the DR channel. */
  onDatagram?: (line: PublisherLine | 'dr', channelId: number, dest: MulticastEndpoint, pkt: Uint8Array) => void;
  /** Real-time numbering after a takeover (§12 U1, §4.5). Default 'continue'. */
  drNumbering?: 'continue' | 'resetTo1WithSequenceReset';
}

/** What a takeover site needs from the failing one (journal content). */
export interface PublisherChannelState {
  channelId: number;
  /** SeqNum the next real-time message would carry. */
  nextSeq: number;
  /** Refresh-channel SeqNum of the next refresh message (§12 U6). */
  refreshNextSeq: number;
  image: MarketImage;
  /** Retransmission window: [SeqNum, exact message bytes]. */
  window: Array<[number, Uint8Array]>;
}

export interface PublisherState {
  service: FeedConfig['service'];
  channels: PublisherChannelState[];
  drChannelNextSeq: number;
  /** Last DR Signal status sent on the DR channel: 0 none, 1 in progress, 2 completed. */
  drStatus: 0 | 1 | 2;
}

export type PublisherMode = 'created' | 'standby' | 'active' | 'dr-in-progress' | 'stopped';

export interface LineCounters {
  packets: number;
  heartbeats: number;
  bytes: number;
  /** Datagrams the lossFilter suppressed. */
  suppressed: number;
}

export interface PublisherCounters {
  /** Real-time messages given sequence numbers (Sequence Reset included). */
  messages: number;
  lineA: LineCounters;
  lineB: LineCounters;
  refresh: LineCounters;
  dr: LineCounters;
  refreshCycles: number;
  drSignals: number;
  /** Messages passed to publish() while not active (standby, DR in progress). */
  notPublished: number;
}

interface ChannelRuntime {
  cfg: ChannelConfig;
  nextSeq: number;
  refreshNextSeq: number;
  image: MarketImage;
  window: RetransmissionWindow;
  /** Clock time of the last datagram on lines A/B, and on the refresh channel: a heartbeat is due heartbeatIntervalMs after it. */
  lastSentAt: number;
  refreshLastSentAt: number;
  /** Refresh packets of the current cycle not yet sent (paced mode): [packet, first refresh SeqNum]. */
  refreshQueue: Array<[Uint8Array, number]>;
}

const lineCounters = (): LineCounters => ({ packets: 0, heartbeats: 0, bytes: 0, suppressed: 0 });

/**
 * Events: 'rts-logon', 'rts-request', 'rts-disconnect' (from the RetransmissionServer),
 * 'refresh' ({ channelId, lastSeqNum, messages, packets }), 'dr' ({ status }),
 * 'sequence-reset' ({ channelId }).
 */
export class OmdPublisher extends EventEmitter {
  readonly cfg: FeedConfig;
  readonly site: 'primary' | 'backup';
  readonly counters: PublisherCounters = {
    messages: 0,
    lineA: lineCounters(),
    lineB: lineCounters(),
    refresh: lineCounters(),
    dr: lineCounters(),
    refreshCycles: 0,
    drSignals: 0,
    notPublished: 0,
  };
  readonly #clock: Clock;
  readonly #heartbeatMs: number;
  readonly #refreshMs: number;
  readonly #maxPacket: number;
  readonly #opts: PublisherOptions;
  readonly #channels = new Map<number, ChannelRuntime>();
  readonly #builder: PacketBuilder;
  #drNextSeq = 1;
  #drLastSentAt = -Infinity;
  /** The one timer that sends heartbeats: armed for the earliest channel falling idle. */
  #beat: TimerHandle | null = null;
  #drStatus: 0 | 1 | 2 = 0;
  #mode: PublisherMode = 'created';
  #sender: MulticastSender | null = null;
  #srcPort = 0;
  #rts: RetransmissionServer | null = null;
  #rtsBound: RtsEndpoint[] = [];
  #pcap: PcapWriter | null = null;
  #timers: TimerHandle[] = [];
  #refreshDrain: TimerHandle | null = null;
  /** The fast refresh cadence right after a takeover (takeoverRefreshIntervalMs). */
  #takeoverRefresh: TimerHandle | null = null;

  constructor(cfg: FeedConfig, opts: PublisherOptions = {}) {
    super();
    this.cfg = cfg;
    this.#opts = opts;
    this.site = opts.site ?? 'primary';
    this.#clock = opts.clock ?? systemClock;
    this.#heartbeatMs = opts.heartbeatIntervalMs ?? 2_000;
    this.#refreshMs = opts.refreshIntervalMs ?? 10_000;
    this.#maxPacket = opts.maxPacketSize ?? DEFAULT_MAX_PACKET_SIZE;
    this.#builder = new PacketBuilder(this.#maxPacket);
    for (const ch of cfg.channels) {
      if (this.#channels.has(ch.channelId) || ch.channelId === cfg.drChannel.channelId) throw new Error(`duplicate ChannelID ${ch.channelId}`);
      this.#channels.set(ch.channelId, {
        cfg: ch,
        nextSeq: 1,
        refreshNextSeq: 1,
        image: new MarketImage(),
        window: new RetransmissionWindow(opts.rts?.windowSize ?? 50_000),
        lastSentAt: -Infinity,
        refreshLastSentAt: -Infinity,
        refreshQueue: [],
      });
    }
  }

  get mode(): PublisherMode {
    return this.#mode;
  }

  /** The RTS endpoints this site listens on, with the ports actually bound. */
  get rtsEndpoints(): RtsEndpoint[] {
    return this.#rtsBound.slice();
  }

  /** Open connections to this publisher's retransmission servers. */
  get rtsConnections(): number {
    return this.#rts?.connections ?? 0;
  }

  /** The channel's market image: the state after every message published so far. */
  image(channelId: number): MarketImage {
    return this.#channel(channelId).image;
  }

  /** SeqNum the next real-time message of the channel will carry. */
  nextSeq(channelId: number): number {
    return this.#channel(channelId).nextSeq;
  }

  /** The retransmission window of a channel (read it, do not push to it). */
  window(channelId: number): RetransmissionWindow {
    return this.#channel(channelId).window;
  }

  #channel(channelId: number): ChannelRuntime {
    const ch = this.#channels.get(channelId);
    if (!ch) throw new Error(`unknown ChannelID ${channelId}`);
    return ch;
  }

  /**
   * Binds the sender, opens the RTS on this site's endpoints and starts the timers.
   * A primary then sends Sequence Reset as message 1 of every channel (OMD-C 2.2,
   * 3.4.2; the next message is 2, §12 U2); a backup stays silent until takeOver().
   */
  async start(): Promise<void> {
    if (this.#mode !== 'created') throw new Error(`start() in mode ${this.#mode}`);
    try {
      await this.#open();
    } catch (e) {
      await this.stop(); // e.g. EADDRINUSE on an RTS port: release what was opened, then report
      throw e;
    }
    this.#armBeat(this.#clock.now() + this.#heartbeatMs);
    if (this.#refreshMs > 0)
      this.#timers.push(
        this.#clock.setInterval(() => {
          if (this.#mode === 'active') this.refreshNow();
        }, this.#refreshMs),
      );
    if (this.site === 'backup') {
      this.#mode = 'standby';
      return;
    }
    this.#mode = 'active';
    for (const ch of this.#channels.values()) this.#sequenceReset(ch);
    this.#sendDr({ msgType: 100, newSeqNo: 1 }); // the DR channel is a channel too: it starts with a reset (OMD-C 2.2)
  }

  async #open(): Promise<void> {
    this.#sender = await createMulticastSender(this.cfg.interface);
    this.#srcPort = (this.#sender.socket.address() as { port: number }).port;
    if (this.#opts.pcapFile) this.#pcap = new PcapWriter(this.#opts.pcapFile);
    const mine = this.cfg.rts.filter((e) => e.site === this.site);
    if (mine.length > 0) {
      const r = this.#opts.rts;
      this.#rts = new RetransmissionServer({
        users: r?.users ?? [],
        windowFor: (id) => this.#channels.get(id)?.window,
        clock: this.#clock,
        ...(r?.maxRange !== undefined ? { maxRange: r.maxRange } : {}),
        ...(r?.maxRequestsPerDay !== undefined ? { maxRequestsPerDay: r.maxRequestsPerDay } : {}),
        ...(r?.logonTimeoutMs !== undefined ? { logonTimeoutMs: r.logonTimeoutMs } : {}),
        ...(r?.heartbeatIntervalMs !== undefined ? { heartbeatIntervalMs: r.heartbeatIntervalMs } : {}),
        ...(r?.heartbeatResponseTimeoutMs !== undefined ? { heartbeatResponseTimeoutMs: r.heartbeatResponseTimeoutMs } : {}),
        maxPacketSize: this.#maxPacket,
      });
      for (const ev of ['rts-logon', 'rts-request', 'rts-disconnect']) this.#rts.on(ev, (e) => this.emit(ev, { ...e, site: this.site }));
      for (const e of mine) this.#rtsBound.push({ ...e, port: await this.#rts.listen(e.host, e.port) });
    }
  }

  #sequenceReset(ch: ChannelRuntime): void {
    ch.nextSeq = 1;
    ch.window.reset(1);
    this.#publishOn(ch, [{ msgType: 100, newSeqNo: 1 }]);
    this.emit('sequence-reset', { channelId: ch.cfg.channelId });
  }

  /**
   * Assigns sequence numbers, packs (≤ maxPacketSize, ≤ 255 messages), sends every
   * packet on lines A and B, keeps the messages for retransmission and applies them
   * to the channel's image. Ignored (counted) unless the publisher is active.
   */
  publish(channelId: number, msgs: readonly OmdMessage[]): void {
    const ch = this.#channel(channelId);
    if (this.#mode !== 'active') {
      this.counters.notPublished += msgs.length;
      return;
    }
    this.#publishOn(ch, msgs);
  }

  #publishOn(ch: ChannelRuntime, msgs: readonly OmdMessage[]): void {
    if (msgs.length === 0) return;
    const b = this.#builder;
    const sendTime = nowSendTimeNs(this.#clock.now());
    b.start(ch.nextSeq, sendTime);
    const add = (m: OmdMessage) => {
      if (!b.add(m)) {
        this.#flushRealtime(ch);
        b.start(ch.nextSeq, sendTime);
        b.add(m);
      }
      ch.image.apply(m);
    };
    for (const m of msgs) {
      // OMD-C 3.12 / §2.3: a News item too large for one packet goes out as fragments.
      if (m.msgType === 22 && messageSize(m) > this.#maxPacket - PACKET_HEADER_SIZE) for (const f of splitNews(m, this.#maxPacket)) add(f);
      else add(m);
    }
    if (b.count > 0) this.#flushRealtime(ch);
  }

  #flushRealtime(ch: ChannelRuntime): void {
    const b = this.#builder;
    const first = b.firstSeqNum;
    const count = b.count;
    const pkt = b.finish();
    let seq = first;
    for (const m of messagesOf(pkt)) ch.window.push(seq++, m);
    ch.nextSeq = first + count;
    this.counters.messages += count;
    ch.lastSentAt = this.#clock.now();
    this.#send('A', ch.cfg.channelId, ch.cfg.lineA, pkt, first, count, this.counters.lineA);
    this.#send('B', ch.cfg.channelId, ch.cfg.lineB, pkt, first, count, this.counters.lineB);
  }

  #send(line: PublisherLine, channelId: number, dest: MulticastEndpoint, pkt: Uint8Array, firstSeq: number, count: number, c: LineCounters): void {
    if (this.#opts.lossFilter?.(line, channelId, firstSeq, count)) {
      c.suppressed++;
      return;
    }
    if (count === 0) c.heartbeats++;
    else c.packets++;
    c.bytes += pkt.length;
    this.#sender?.send(pkt, dest);
    this.#opts.onDatagram?.(c === this.counters.dr ? 'dr' : line, channelId, dest, pkt);
    this.#pcap?.write({
      timeMs: this.#clock.now(),
      srcAddress: this.#sender?.interfaceAddress ?? '127.0.0.1',
      srcPort: this.#srcPort,
      dstAddress: dest.group,
      dstPort: dest.port,
      payload: pkt,
    });
  }

  /** Sends one message on the DR channel (both lines), consuming a DR-channel SeqNum. */
  #sendDr(msg: OmdMessage): void {
    const dr = this.cfg.drChannel;
    const [pkt] = packMessages([msg], this.#drNextSeq, nowSendTimeNs(this.#clock.now()), this.#maxPacket);
    const seq = this.#drNextSeq++;
    this.#drLastSentAt = this.#clock.now();
    if (msg.msgType === 105) this.counters.drSignals++;
    this.#send('A', dr.channelId, dr.lineA, pkt!, seq, 1, this.counters.dr);
    this.#send('B', dr.channelId, dr.lineB, pkt!, seq, 1, this.counters.dr);
  }

  // OMD-C 3.4.1 / §2.4: a heartbeat (SeqNum = last sent) on every channel that has sent nothing
  // for heartbeatIntervalMs, measured from its last datagram, so data never delays the next beat
  // by more than that; DR signals repeat at the same cadence instead of DR heartbeats (§4.5).
  #armBeat(at: number): void {
    this.#beat?.cancel();
    this.#beat = this.#clock.setTimeout(() => this.#onBeat(), Math.max(0, at - this.#clock.now()));
  }

  #onBeat(): void {
    this.#beat = null;
    if (this.#mode === 'stopped') return;
    const nowMs = this.#clock.now();
    const hbMs = this.#heartbeatMs;
    const now = nowSendTimeNs(nowMs);
    if (this.#mode === 'active') {
      for (const ch of this.#channels.values()) {
        if (nowMs - ch.lastSentAt >= hbMs) {
          ch.lastSentAt = nowMs;
          const hb = encodeHeartbeat(ch.nextSeq - 1, now);
          this.#send('A', ch.cfg.channelId, ch.cfg.lineA, hb, ch.nextSeq - 1, 0, this.counters.lineA);
          this.#send('B', ch.cfg.channelId, ch.cfg.lineB, hb, ch.nextSeq - 1, 0, this.counters.lineB);
        }
        if (nowMs - ch.refreshLastSentAt >= hbMs) {
          ch.refreshLastSentAt = nowMs;
          this.#send('refresh', ch.cfg.channelId, ch.cfg.refresh, encodeHeartbeat(ch.refreshNextSeq - 1, now), ch.refreshNextSeq - 1, 0, this.counters.refresh);
        }
      }
    }
    if ((this.#mode === 'active' || this.#mode === 'dr-in-progress') && nowMs - this.#drLastSentAt >= hbMs) {
      if (this.#drStatus !== 0)
        this.#sendDr({ msgType: 105, drStatus: this.#drStatus }); // repeated (OMD-C 3.4.3, §4.5)
      else {
        this.#drLastSentAt = nowMs;
        const dr = this.cfg.drChannel;
        const hb = encodeHeartbeat(this.#drNextSeq - 1, now);
        this.#send('A', dr.channelId, dr.lineA, hb, this.#drNextSeq - 1, 0, this.counters.dr);
        this.#send('B', dr.channelId, dr.lineB, hb, this.#drNextSeq - 1, 0, this.counters.dr);
      }
    }
    // Next: the earliest stream falling idle (a silent mode checks again one interval later).
    let next = nowMs + hbMs;
    if (this.#mode === 'active') {
      for (const ch of this.#channels.values()) next = Math.min(next, ch.lastSentAt + hbMs, ch.refreshLastSentAt + hbMs);
    }
    if (this.#mode === 'active' || this.#mode === 'dr-in-progress') next = Math.min(next, this.#drLastSentAt + hbMs);
    this.#armBeat(Math.max(next, nowMs + 1));
  }

  /**
   * Sends one refresh cycle now on every channel (or one): the image snapshot and
   * Refresh Complete with the last real-time SeqNum it reflects (OMD-C 4.4).
   */
  refreshNow(channelId?: number): void {
    if (this.#mode !== 'active') return;
    const list = channelId === undefined ? [...this.#channels.values()] : [this.#channel(channelId)];
    const perMs = this.#opts.refreshPacketsPerMs ?? Infinity;
    for (const ch of list) {
      if (ch.refreshQueue.length > 0) continue; // the previous cycle is still going out
      const cycle = buildRefreshCycle(ch.image, ch.cfg.product, ch.nextSeq - 1, ch.refreshNextSeq, nowSendTimeNs(this.#clock.now()), this.#maxPacket);
      ch.refreshNextSeq = cycle.nextSeq;
      let seq = cycle.firstSeq;
      for (const pkt of cycle.packets) {
        ch.refreshQueue.push([pkt, seq]);
        seq += pkt[2]!;
      }
      this.counters.refreshCycles++;
      this.emit('refresh', { channelId: ch.cfg.channelId, lastSeqNum: cycle.lastSeqNum, messages: cycle.messages, packets: cycle.packets.length });
    }
    if (!this.#refreshDrain) this.#drainRefresh(perMs); // else the scheduled step picks the new cycle up
  }

  #drainRefresh(perMs: number): void {
    this.#refreshDrain = null;
    if (this.#mode !== 'active') {
      for (const ch of this.#channels.values()) ch.refreshQueue = [];
      return;
    }
    let pending = false;
    for (const ch of this.#channels.values()) {
      const n = Math.min(ch.refreshQueue.length, perMs);
      for (const [pkt, seq] of ch.refreshQueue.splice(0, n)) this.#send('refresh', ch.cfg.channelId, ch.cfg.refresh, pkt, seq, pkt[2]!, this.counters.refresh);
      if (n > 0) ch.refreshLastSentAt = this.#clock.now();
      if (ch.refreshQueue.length > 0) pending = true;
    }
    if (pending && !this.#refreshDrain) this.#refreshDrain = this.#clock.setTimeout(() => this.#drainRefresh(perMs), 1);
  }

  /**
   * The site is failing (OMD-C 2.2.4, §4.5): DR Signal 1 on the DR channel, repeated
   * at the heartbeat cadence; real-time and refresh channels fall silent (heartbeats included).
   */
  beginDisasterRecovery(): void {
    if (this.#mode !== 'active') throw new Error(`beginDisasterRecovery() in mode ${this.#mode}`);
    this.#mode = 'dr-in-progress';
    this.#cancelTakeoverRefresh();
    this.#drStatus = 1;
    this.#sendDr({ msgType: 105, drStatus: 1 });
    this.emit('dr', { status: 1 });
  }

  /** Everything a takeover site needs: per channel next SeqNum, image copy and retransmission window; DR channel numbering. */
  exportState(): PublisherState {
    return {
      service: this.cfg.service,
      channels: [...this.#channels.values()].map((ch) => ({
        channelId: ch.cfg.channelId,
        nextSeq: ch.nextSeq,
        refreshNextSeq: ch.refreshNextSeq,
        image: ch.image.clone(),
        window: ch.window.entries(),
      })),
      drChannelNextSeq: this.#drNextSeq,
      drStatus: this.#drStatus,
    };
  }

  /**
   * This site takes over dissemination (§4.5). Without `state` it starts from
   * empty images. Sends DR Signal 1 unless the failing site already did, then per
   * drNumbering continues the real-time numbering (window kept, RTS can serve the
   * old range) or restarts every channel at 1 with a Sequence Reset; sends a
   * refresh cycle on every channel, then DR Signal 2, repeated until stop(), then refresh
   * cycles at the takeover cadence for a while (takeoverRefreshIntervalMs).
   */
  takeOver(state?: PublisherState): void {
    if (this.#mode !== 'standby' && this.#mode !== 'active') throw new Error(`takeOver() in mode ${this.#mode}`);
    const numbering = state ? (this.#opts.drNumbering ?? 'continue') : 'resetTo1WithSequenceReset';
    if (state) {
      if (state.service !== this.cfg.service) throw new Error(`state of ${state.service} given to a ${this.cfg.service} publisher`);
      this.#drNextSeq = Math.max(this.#drNextSeq, state.drChannelNextSeq);
      this.#drStatus = state.drStatus;
      for (const s of state.channels) {
        const ch = this.#channels.get(s.channelId);
        if (!ch) continue;
        ch.image = s.image.clone();
        ch.refreshNextSeq = s.refreshNextSeq;
        if (numbering === 'continue') {
          ch.window.reset(s.window[0]?.[0] ?? s.nextSeq);
          for (const [seq, bytes] of s.window) ch.window.push(seq, bytes);
          ch.nextSeq = s.nextSeq;
        }
      }
    }
    this.#mode = 'active';
    if (this.#drStatus !== 1) {
      this.#drStatus = 1;
      this.#sendDr({ msgType: 105, drStatus: 1 });
      this.emit('dr', { status: 1 });
    }
    if (numbering === 'resetTo1WithSequenceReset') for (const ch of this.#channels.values()) this.#sequenceReset(ch);
    this.refreshNow();
    this.#drStatus = 2;
    this.#sendDr({ msgType: 105, drStatus: 2 });
    this.emit('dr', { status: 2 });
    this.#startTakeoverRefresh();
  }

  /**
   * The cycle above goes out before DR Signal 2, so a handler that joins the refresh channel on
   * DR 2 (OMD-C 2.2.4) misses it, and per OMD-C 4.4 it must see a Refresh Complete and then a
   * whole snapshot: with only the normal period that is up to two periods after DR 2. Cycles
   * follow each other quickly for a while instead (§4.5 "restart refresh cycles"; §12 U7: the
   * interval is ours); a cycle still going out is not restarted (refreshNow skips it).
   */
  #startTakeoverRefresh(): void {
    this.#cancelTakeoverRefresh();
    if (this.#refreshMs <= 0) return; // refresh only on refreshNow(): leave the cadence to the caller
    const every = Math.max(1, this.#opts.takeoverRefreshIntervalMs ?? Math.min(50, this.#refreshMs));
    const windowMs = this.#opts.takeoverRefreshWindowMs ?? Math.max(this.#refreshMs, 2 * this.#heartbeatMs);
    let left = Math.floor(windowMs / every);
    if (left <= 0) return;
    this.#takeoverRefresh = this.#clock.setInterval(() => {
      if (this.#mode === 'active') this.refreshNow();
      if (--left <= 0) this.#cancelTakeoverRefresh();
    }, every);
  }

  #cancelTakeoverRefresh(): void {
    this.#takeoverRefresh?.cancel();
    this.#takeoverRefresh = null;
  }

  /** Stops timers, the RTS and the sockets; flushes the pcap file. */
  async stop(): Promise<void> {
    if (this.#mode === 'stopped') return;
    this.#mode = 'stopped';
    for (const t of this.#timers) t.cancel();
    this.#timers = [];
    this.#beat?.cancel();
    this.#beat = null;
    this.#refreshDrain?.cancel();
    this.#refreshDrain = null;
    this.#cancelTakeoverRefresh();
    await this.#rts?.close();
    this.#rts = null;
    await this.#sender?.close();
    this.#sender = null;
    this.#pcap?.close();
    this.#pcap = null;
  }
}

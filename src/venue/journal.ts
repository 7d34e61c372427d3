// The hot-standby journal between the two sites (docs/architecture.md, "The two-site venue"): the active site
// writes every state change (matching-engine commands, OCG-C session sequence numbers and sent
// frames, OMD-C messages with their sequence numbers, refresh and DR numbering, market generator
// ticks) to a TCP connection to the standby site, which applies each entry as it arrives and
// acknowledges per batch. What the active site sends to its clients waits in a JournalGate until
// the standby acknowledged every entry written before it (synchronous replication): an
// acknowledged order is never lost by a failover.
//
// Wire format (ours): every record is [u32 LE length of the rest][u8 type][u32 LE json length]
// [json utf8][blobs, each u32 LE length + bytes]. Binary values in the JSON (Uint8Array) are
// written as {"$b": index} into the blob list, so frames and OMD messages travel unchanged.
// Journal entries carry no explicit number: both ends count them from the snapshot's `seq`.
//
// Link life: the active site connects to the standby's replication port (JournalSender), sends a
// full snapshot and then the entries; on a disconnect it reconnects and snapshots again (resync).
// A standby that has become active answers any sender with FENCE: the old primary learns it is
// fenced the moment it can talk again. After `standbyWaitMs` without a standby the active site
// stops holding replies and carries on alone (status says so) [ours: the drill must go on].
import net from 'node:net';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import tls from 'node:tls';
import { systemClock } from '../wire/index.ts';
import type { Clock, TimerHandle } from '../wire/index.ts';
import type { OcgService, OutboundGate } from '../ocg/index.ts';
import type { OmdService } from '../omd/index.ts';
import type { EngineCommand, MatchingEngineState } from './engine-types.ts';

export const JournalRecordType = {
  /** sender → receiver: full state; the entries that follow continue from its seq. */
  Snapshot: 1,
  /** sender → receiver: one journal entry. */
  Entry: 2,
  Heartbeat: 3,
  /** receiver → sender: every entry up to seq is applied. */
  Ack: 4,
  /** receiver → sender: I am active; you are fenced. */
  Fence: 5,
  /** receiver → sender (fail back): I have caught up; hand the service over. */
  HandoverRequest: 6,
  /** sender → receiver: I stopped serving at seq; take over. */
  Handover: 7,
  /** sender → receiver, first on a link: a fresh nonce the receiver must prove the secret over. */
  Hello: 8,
  /** receiver → sender: its proof over the sender's nonce, and its own fresh nonce for the snapshot's proof. */
  Challenge: 9,
} as const;
export type JournalRecordTypeCode = (typeof JournalRecordType)[keyof typeof JournalRecordType];

export type JournalEntry =
  | { t: 'engine'; service: OcgService; command: EngineCommand }
  | { t: 'next-to-send'; service: OcgService; compId: string; seq: number }
  | { t: 'next-expected'; service: OcgService; compId: string; seq: number }
  | { t: 'sent'; service: OcgService; compId: string; seq: number; frame: Uint8Array }
  | { t: 'session-reset'; service: OcgService; compId: string }
  /** Real-time messages firstSeq… of a channel, as exact wire bytes (retransmission window content). */
  | { t: 'omd'; service: OmdService; channelId: number; firstSeq: number; msgs: Uint8Array[] }
  /** The channel's numbering restarted (Sequence Reset, OMD-C 3.4.2). */
  | { t: 'omd-reset'; service: OmdService; channelId: number; nextSeq: number }
  | { t: 'omd-refresh'; service: OmdService; channelId: number; messages: number }
  | { t: 'omd-dr'; service: OmdService; drNextSeq: number; drStatus: 0 | 1 | 2 }
  /** Market generator lockstep: `count` events at nowMs; count −1 = startOfDay(). */
  | { t: 'gen'; service: OmdService; nowMs: number; count: number };

export interface SessionSnapshot {
  compId: string;
  nextToSend: number;
  nextExpected: number;
  sent: Array<[number, Uint8Array]>;
}

export interface FeedChannelSnapshot {
  channelId: number;
  nextSeq: number;
  refreshNextSeq: number;
  window: Array<[number, Uint8Array]>;
  /** The market image as the messages of a refresh (MarketImage.snapshot), wire bytes. */
  image: Uint8Array[];
}

export interface FeedSnapshot {
  channels: FeedChannelSnapshot[];
  drNextSeq: number;
  drStatus: 0 | 1 | 2;
  /** Generator calls so far: [nowMs, count] (count −1 = startOfDay), replayed to rebuild it. */
  gen: Array<[number, number]>;
}

export interface SiteSnapshot {
  engines: Record<OcgService, MatchingEngineState>;
  sessions: Record<OcgService, SessionSnapshot[]>;
  feeds: Record<OmdService, FeedSnapshot>;
}

// ---------------------------------------------------------------------------------------------
// Record codec

/**
 * Each side of a journal link proves it knows the venue's shared secret over a nonce the other
 * side chose for this connection, so a recorded snapshot or challenge cannot be replayed: the
 * sender's Hello carries its nonce, the receiver answers with its proof and its own nonce, and
 * the snapshot carries the sender's proof over that one.
 */
export function journalProof(secret: string, role: 'sender' | 'receiver', nonce: string): string {
  return createHmac('sha256', secret).update(`failover-drill journal ${role}\n${nonce}`).digest('hex');
}

export function journalNonce(): string {
  return randomBytes(32).toString('hex');
}

function proofMatches(proof: unknown, secret: string, role: 'sender' | 'receiver', nonce: string): boolean {
  if (typeof proof !== 'string' || proof.length !== 64) return false;
  return timingSafeEqual(Buffer.from(proof), Buffer.from(journalProof(secret, role, nonce)));
}

/** PEM material of the journal link's mutual TLS (both sites' certificates signed by `ca`). */
export interface JournalTls {
  cert: string;
  key: string;
  ca: string;
}

export function encodeRecord(type: JournalRecordTypeCode, body: unknown): Buffer {
  const blobs: Uint8Array[] = [];
  const json = body === undefined ? '' : JSON.stringify(body, function (this: Record<string, unknown>, key, value) {
    const orig = this[key];
    if (orig instanceof Uint8Array) {
      blobs.push(orig);
      return { $b: blobs.length - 1 };
    }
    return value;
  });
  const jsonLen = Buffer.byteLength(json);
  let total = 1 + 4 + jsonLen;
  for (const b of blobs) total += 4 + b.length;
  const out = Buffer.allocUnsafe(4 + total);
  out.writeUInt32LE(total, 0);
  out[4] = type;
  out.writeUInt32LE(jsonLen, 5);
  out.write(json, 9, 'utf8');
  let o = 9 + jsonLen;
  for (const b of blobs) {
    out.writeUInt32LE(b.length, o);
    out.set(b, o + 4);
    o += 4 + b.length;
  }
  return out;
}

export interface DecodedRecord {
  type: number;
  body: unknown;
}

/** Reassembles records from TCP chunks. Bad input yields an error record; the owner drops the link. */
export class JournalRecordReader {
  /**
   * Chunks not yet consumed, joined only once a whole record is there: a snapshot of thousands of
   * sessions arrives in thousands of socket chunks, and joining at every chunk copied it each time.
   */
  #chunks: Buffer[] = [];
  #size = 0;
  /** Largest record accepted (a snapshot of a big day still fits). */
  static readonly MAX_RECORD = 512 * 1024 * 1024;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#size += chunk.length;
  }

  /** The first `n` (≤ size) bytes contiguous in the first chunk. */
  #head(n: number): Buffer {
    if (this.#chunks[0]!.length < n) this.#chunks = [Buffer.concat(this.#chunks, this.#size)];
    return this.#chunks[0]!;
  }

  /** Next complete record, null when more bytes are needed, or an Error when the stream is corrupt. */
  next(): DecodedRecord | null | Error {
    if (this.#size < 4) return null;
    const total = this.#head(4).readUInt32LE(0);
    if (total < 5 || total > JournalRecordReader.MAX_RECORD) return new Error(`bad record length ${total}`);
    if (this.#size < 4 + total) return null;
    const b = this.#head(4 + total);
    const rec = b.subarray(4, 4 + total);
    if (b.length === 4 + total) this.#chunks.shift();
    else this.#chunks[0] = b.subarray(4 + total);
    this.#size -= 4 + total;
    const type = rec[0]!;
    const jsonLen = rec.readUInt32LE(1);
    if (5 + jsonLen > rec.length) return new Error('json overruns record');
    const blobs: Buffer[] = [];
    let o = 5 + jsonLen;
    while (o < rec.length) {
      if (o + 4 > rec.length) return new Error('truncated blob header');
      const n = rec.readUInt32LE(o);
      if (o + 4 + n > rec.length) return new Error('blob overruns record');
      blobs.push(Buffer.from(rec.subarray(o + 4, o + 4 + n))); // copied: the chunk is not pinned
      o += 4 + n;
    }
    if (jsonLen === 0) return { type, body: undefined };
    try {
      const body = JSON.parse(rec.toString('utf8', 5, 5 + jsonLen), (_k, v: unknown) => {
        if (v !== null && typeof v === 'object' && '$b' in (v as object)) {
          const i = (v as { $b: number }).$b;
          if (!Number.isInteger(i) || blobs[i] === undefined) throw new Error(`blob ${i} missing`);
          return new Uint8Array(blobs[i]!.buffer, blobs[i]!.byteOffset, blobs[i]!.length);
        }
        return v;
      }) as unknown;
      return { type, body };
    } catch (e) {
      return new Error(`bad record body: ${(e as Error).message}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The gate: client-bound frames wait for the standby's acknowledgement

interface Held {
  tag: number;
  frame: Uint8Array | null; // null = end()
}

/**
 * Holds frames per client socket until the journal entries written before them are acknowledged
 * (or the site runs alone). Order per socket is kept; a socket whose frames wait is corked once
 * per release, so a batch of acks goes out in one write.
 */
export class JournalGate implements OutboundGate {
  readonly #queues = new Map<net.Socket, Held[]>();
  readonly #watched = new WeakSet<net.Socket>();
  /** Callbacks due once the position they were registered at is released (evidence of replies sent). */
  #after: Array<{ tag: number; fn: () => void }> = [];
  #released = 0;
  #open = false;
  /** The journal position a frame written now must wait for. */
  #position: () => number;

  constructor(position: () => number) {
    this.#position = position;
  }

  /** Frames held now (tests, status). */
  get held(): number {
    let n = 0;
    for (const q of this.#queues.values()) n += q.length;
    return n;
  }

  write(socket: net.Socket, frame: Uint8Array): void {
    this.#hold(socket, { tag: this.#position(), frame });
  }

  end(socket: net.Socket): void {
    this.#hold(socket, { tag: this.#position(), frame: null });
  }

  #hold(socket: net.Socket, h: Held): void {
    const q = this.#queues.get(socket);
    if (q === undefined && (this.#open || h.tag <= this.#released)) {
      this.#emit(socket, h);
      return;
    }
    if (q === undefined) {
      this.#queues.set(socket, [h]);
      if (!this.#watched.has(socket)) {
        this.#watched.add(socket);
        socket.once('close', () => this.#queues.delete(socket));
      }
    } else q.push(h);
  }

  #emit(socket: net.Socket, h: Held): void {
    if (socket.destroyed) return;
    if (h.frame === null) socket.end();
    else socket.write(h.frame);
  }

  /** Runs `fn` when what is written now goes out (at once when nothing is held). */
  afterRelease(fn: () => void): void {
    const tag = this.#position();
    if ((this.#open || tag <= this.#released) && this.#after.length === 0) fn();
    else this.#after.push({ tag, fn });
  }

  /** Everything up to `seq` reached the standby. */
  release(seq: number): void {
    if (seq > this.#released) this.#released = seq;
    this.#drain();
  }

  /** Run alone (no standby, or this site is not replicating): everything goes out at once. */
  setOpen(open: boolean): void {
    this.#open = open;
    if (open) this.#drain();
  }

  get isOpen(): boolean {
    return this.#open;
  }

  #drain(): void {
    let n = 0;
    while (n < this.#after.length && (this.#open || this.#after[n]!.tag <= this.#released)) n++;
    if (n > 0) for (const a of this.#after.splice(0, n)) a.fn();
    for (const [socket, q] of this.#queues) {
      let i = 0;
      while (i < q.length && (this.#open || q[i]!.tag <= this.#released)) i++;
      if (i === 0) continue;
      if (!socket.destroyed) socket.cork();
      for (let k = 0; k < i; k++) this.#emit(socket, q[k]!);
      if (!socket.destroyed) socket.uncork();
      if (i === q.length) this.#queues.delete(socket);
      else q.splice(0, i);
    }
  }

  /** A new journal (a new activation) numbers from 0 again. */
  restart(): void {
    this.#after = [];
    this.#released = 0;
    this.#open = false;
  }

  /** Drop everything held (the site is going down without a goodbye). */
  discard(): void {
    this.#queues.clear();
    this.#after = [];
  }
}

// ---------------------------------------------------------------------------------------------
// Sender (active site)

export interface JournalSenderOptions {
  peer: { host: string; port: number };
  /** Own address to connect from (the site's host). */
  localAddress?: string;
  clock?: Clock;
  heartbeatMs: number;
  timeoutMs: number;
  /** After this long without a standby the gate opens (runs alone). */
  standbyWaitMs: number;
  /** Start alone (gate open) until a standby acknowledges a snapshot: after a takeover the old site is gone. */
  startAlone?: boolean;
  /**
   * Simulated distance to the standby (tests, benches): each batch leaves this much later, and a
   * site that dies meanwhile loses it, as a real inter-site link would.
   */
  linkDelayMs?: number;
  /** The site's gate (its position must be this sender's seq); the sender releases and opens it. */
  gate: JournalGate;
  snapshot: () => SiteSnapshot;
  /** Shared by both sites (the control token): each side proves it over the other's nonce. */
  secret: string;
  /** Mutual TLS on the link (venue.yaml `tls`); absent: plain TCP. */
  tls?: JournalTls;
  /** This site's activation generation (sent with the snapshot; a FENCE from a lower one is ignored). */
  generation: () => number;
  /** The peer says it is active with `generation`: this site is fenced if that is newer than its own. */
  onFenced: (generation: number) => void;
  /** The peer (returning primary) caught up and asks for the service back. */
  onHandoverRequest?: () => void;
  onLink?: (up: boolean) => void;
  /** Register sockets the site owns (fault injection). */
  onSocket?: (socket: net.Socket) => void;
}

export class JournalSender {
  readonly gate: JournalGate;
  readonly #o: JournalSenderOptions;
  readonly #clock: Clock;
  #seq = 0;
  #acked = 0;
  #socket: net.Socket | null = null;
  /** Snapshot sent on this link and acknowledged. */
  #synced = false;
  #pending: Buffer[] = [];
  #flushScheduled = false;
  #reader = new JournalRecordReader();
  #lastHeard = 0;
  #lastTraffic = 0;
  /** Since when the standby lacks entries: the first append after it had them all, or its last acknowledgement. */
  #behindSince: number;
  /** Since when no standby has acknowledged (null: one has, on the current link). */
  #unackedSince: number | null;
  #alone = false;
  #stopped = false;
  #timers: TimerHandle[] = [];
  #connecting = false;
  readonly #delayed = new Set<ReturnType<typeof setTimeout>>();
  /**
   * Links in a row that ended without an acknowledgement (peer refusing, isolated or silent), and
   * when the next attempt may start. Every attempt builds a full snapshot of every session and
   * feed: retried at every heartbeat, a venue with thousands of sessions spent most of its event
   * loop on snapshots for an old site that would never take them. The wait doubles per failed link
   * up to the link timeout.
   */
  #failedLinks = 0;
  #nextConnectAt = 0;
  #ackedOnLink = false;
  /** This link's nonce (sent in Hello); null once the receiver proved itself. */
  #helloNonce: string | null = null;
  /** The receiver proved the secret on the current link: only then do Ack, Fence and HandoverRequest count. */
  #peerProven = false;

  constructor(opts: JournalSenderOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? systemClock;
    this.gate = opts.gate;
    this.gate.restart();
    this.#unackedSince = this.#clock.now();
    this.#behindSince = this.#unackedSince;
    if (opts.startAlone === true) {
      this.#alone = true;
      this.gate.setOpen(true);
    }
  }

  get seq(): number { return this.#seq; }
  get ackedSeq(): number { return this.#acked; }
  get connected(): boolean { return this.#synced; }
  get alone(): boolean { return this.#alone; }
  get lastTrafficAt(): number { return this.#lastTraffic; }
  /** How long the standby has been behind (ms), 0 when it acknowledged every entry. */
  lagMs(): number {
    return this.#acked >= this.#seq ? 0 : Math.max(0, this.#clock.now() - this.#behindSince);
  }

  start(): void {
    this.#timers.push(this.#clock.setInterval(() => this.#tick(), this.#o.heartbeatMs));
    this.#connect();
  }

  /** Appends one entry; written at the end of this event-loop turn with the others. */
  append(entry: JournalEntry): void {
    if (this.#stopped) return;
    if (this.#seq <= this.#acked) this.#behindSince = this.#clock.now();
    this.#seq++;
    if (!this.#synced) return; // the next snapshot carries it
    this.#pending.push(encodeRecord(JournalRecordType.Entry, entry));
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      process.nextTick(() => this.#flush());
    }
  }

  #flush(): void {
    this.#flushScheduled = false;
    const s = this.#socket;
    if (s === null || this.#pending.length === 0) { this.#pending = []; return; }
    const buf = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending);
    this.#pending = [];
    this.#lastTraffic = this.#clock.now();
    const delay = this.#o.linkDelayMs ?? 0;
    if (delay <= 0) {
      s.write(buf);
      return;
    }
    const t = setTimeout(() => { this.#delayed.delete(t); if (!s.destroyed) s.write(buf); }, delay);
    this.#delayed.add(t);
  }

  /** Fail back: tell the standby this site stopped serving; everything before is in the journal. */
  handover(): void {
    this.#flush();
    this.#socket?.write(encodeRecord(JournalRecordType.Handover, { seq: this.#seq }));
  }

  #connect(): void {
    if (this.#stopped || this.#socket !== null || this.#connecting) return;
    this.#connecting = true;
    const where = { host: this.#o.peer.host, port: this.#o.peer.port, ...(this.#o.localAddress !== undefined ? { localAddress: this.#o.localAddress } : {}) };
    const t = this.#o.tls;
    const s: net.Socket = t ? tls.connect({ ...where, cert: t.cert, key: t.key, ca: t.ca }) : net.connect(where);
    s.setNoDelay(true);
    this.#o.onSocket?.(s);
    this.#ackedOnLink = false;
    s.on(t ? 'secureConnect' : 'connect', () => {
      this.#connecting = false;
      if (this.#stopped) { s.destroy(); return; }
      this.#socket = s;
      this.#reader = new JournalRecordReader();
      this.#lastHeard = this.#clock.now();
      this.#flushScheduled = false;
      this.#pending = [];
      this.#peerProven = false;
      // The snapshot follows the receiver's Challenge (#onChallenge); entries meanwhile are in it.
      this.#helloNonce = journalNonce();
      s.write(encodeRecord(JournalRecordType.Hello, { nonce: this.#helloNonce }));
      this.#lastTraffic = this.#clock.now();
    });
    s.on('data', (chunk: Buffer) => this.#onData(s, chunk));
    s.on('error', () => { /* close follows */ });
    s.on('close', () => {
      this.#connecting = false;
      if (this.#ackedOnLink) this.#failedLinks = 0;
      else {
        this.#failedLinks++;
        const wait = Math.min(Math.max(this.#o.timeoutMs, this.#o.heartbeatMs), this.#o.heartbeatMs * 2 ** (this.#failedLinks - 1));
        this.#nextConnectAt = this.#clock.now() + wait;
      }
      if (this.#socket !== s) return;
      this.#socket = null;
      this.#synced = false;
      this.#unackedSince ??= this.#clock.now();
      this.#o.onLink?.(false);
    });
  }

  #onData(s: net.Socket, chunk: Buffer): void {
    if (this.#socket !== s) return;
    this.#lastHeard = this.#clock.now();
    this.#reader.push(chunk);
    for (;;) {
      const r = this.#reader.next();
      if (r === null) break;
      if (r instanceof Error) { s.destroy(); return; }
      if (!this.#peerProven) {
        // Nothing from an unproven receiver counts (a forged Fence or Ack would fence this site or
        // release replies the standby never had): the first record must be its Challenge.
        if (r.type !== JournalRecordType.Challenge || !this.#onChallenge(s, r.body)) { s.destroy(); return; }
        continue;
      }
      switch (r.type) {
        case JournalRecordType.Ack: {
          const seq = (r.body as { seq: number }).seq;
          this.#ackedOnLink = true;
          if (typeof seq === 'number' && seq > this.#acked) {
            const first = this.#acked === 0 || this.#alone;
            this.#acked = seq;
            this.#behindSince = this.#clock.now();
            this.#unackedSince = null;
            if (this.#alone) { this.#alone = false; this.gate.setOpen(false); }
            this.gate.release(seq);
            if (first) this.#o.onLink?.(true);
          }
          break;
        }
        case JournalRecordType.Fence: {
          const g = (r.body as { generation?: unknown } | undefined)?.generation;
          this.#o.onFenced(typeof g === 'number' ? g : 0);
          break;
        }
        case JournalRecordType.HandoverRequest:
          this.#o.onHandoverRequest?.();
          break;
        default:
      }
    }
  }

  /** The receiver's proof over our nonce: resync with a full snapshot, proved over its nonce. */
  #onChallenge(s: net.Socket, body: unknown): boolean {
    const b = body as { proof?: unknown; nonce?: unknown } | undefined;
    const mine = this.#helloNonce;
    if (mine === null || typeof b?.nonce !== 'string' || b.nonce.length < 32 || !proofMatches(b.proof, this.#o.secret, 'receiver', mine)) return false;
    this.#helloNonce = null;
    this.#peerProven = true;
    s.write(encodeRecord(JournalRecordType.Snapshot, { seq: this.#seq, generation: this.#o.generation(), proof: journalProof(this.#o.secret, 'sender', b.nonce), state: this.#o.snapshot() }));
    this.#synced = true;
    this.#lastTraffic = this.#clock.now();
    return true;
  }

  #tick(): void {
    const now = this.#clock.now();
    const s = this.#socket;
    if (s !== null) {
      if (now - this.#lastHeard > this.#o.timeoutMs) s.destroy(); // silent standby (black hole): resync after reconnecting
      else s.write(encodeRecord(JournalRecordType.Heartbeat, undefined));
    } else if (now >= this.#nextConnectAt) this.#connect();
    // A standby that connects but never acknowledges (black hole) counts as absent too.
    if (!this.#alone && this.#unackedSince !== null && now - this.#unackedSince >= this.#o.standbyWaitMs) {
      this.#alone = true;
      this.gate.setOpen(true);
    }
  }

  stop(): void {
    this.#stopped = true;
    for (const t of this.#delayed) clearTimeout(t);
    this.#delayed.clear();
    for (const t of this.#timers) t.cancel();
    this.#timers = [];
    this.#socket?.destroy();
    this.#socket = null;
    this.#synced = false;
  }
}

// ---------------------------------------------------------------------------------------------
// Receiver (standby site)

export interface JournalReceiverOptions {
  host: string;
  port: number;
  clock?: Clock;
  heartbeatMs: number;
  timeoutMs: number;
  onSnapshot: (state: SiteSnapshot, seq: number, generation: number) => void;
  onEntry: (entry: JournalEntry) => void;
  /** The sender handed the service over (fail back). */
  onHandover?: (seq: number) => void;
  onLink?: (up: boolean) => void;
  onSocket?: (socket: net.Socket) => void;
  /** What to do with a sender now: apply its journal (standby), fence it (this site is active), or refuse. */
  policy: () => 'accept' | 'fence' | 'refuse';
  /** This site's activation generation, sent with FENCE. */
  generation: () => number;
  /** Shared by both sites (the control token): each side proves it over the other's nonce. */
  secret: string;
  /** Mutual TLS on the link (venue.yaml `tls`); absent: plain TCP. */
  tls?: JournalTls;
}

export class JournalReceiver {
  readonly #o: JournalReceiverOptions;
  readonly #clock: Clock;
  #server: net.Server | null = null;
  #socket: net.Socket | null = null;
  #seq = 0;
  #synced = false;
  #lastHeard = 0;
  #lastTraffic = 0;
  #timer: TimerHandle | null = null;
  #port: number;
  /** Entries applied since the last snapshot (fail back reports it). */
  applied = 0;
  /** Every accepted connection, also the refused and fenced ones still closing. */
  readonly #all = new Set<net.Socket>();

  constructor(opts: JournalReceiverOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? systemClock;
    this.#port = opts.port;
  }

  get seq(): number { return this.#seq; }
  get connected(): boolean { return this.#socket !== null && this.#synced; }
  get lastTrafficAt(): number { return this.#lastTraffic; }
  get port(): number { return this.#port; }

  async listen(): Promise<number> {
    if (this.#server !== null) return this.#port;
    const t = this.#o.tls;
    const server: net.Server = t
      ? tls.createServer({ cert: t.cert, key: t.key, ca: t.ca, requestCert: true, rejectUnauthorized: true }, (s) => this.#onConnection(s))
      : net.createServer((s) => this.#onConnection(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, this.#o.host, () => { server.off('error', reject); resolve(); });
    });
    server.on('error', () => { /* accept errors: keep listening */ });
    this.#port = (server.address() as net.AddressInfo).port;
    this.#server = server;
    this.#timer = this.#clock.setInterval(() => this.#tick(), this.#o.heartbeatMs);
    return this.#port;
  }

  /** This site became active: tell the connected sender it is fenced (later ones: policy). */
  fence(): void {
    const s = this.#socket;
    if (s !== null) {
      s.end(encodeRecord(JournalRecordType.Fence, { generation: this.#o.generation() }));
      this.#socket = null;
      this.#synced = false;
    }
  }

  /** Drop the current sender without a word (this site stops being a standby). */
  disconnect(): void {
    this.#socket?.destroy();
    this.#socket = null;
    this.#synced = false;
  }

  requestHandover(): boolean {
    if (this.#socket === null || !this.#synced) return false;
    this.#socket.write(encodeRecord(JournalRecordType.HandoverRequest, undefined));
    return true;
  }

  #onConnection(s: net.Socket): void {
    s.setNoDelay(true);
    this.#all.add(s);
    s.once('close', () => this.#all.delete(s));
    this.#o.onSocket?.(s);
    s.on('error', () => { /* close follows */ });
    if (this.#o.policy() === 'refuse') {
      s.destroy();
      return;
    }
    // A connection becomes the link only with an authenticated snapshot; until then it does not
    // disturb the current one (a stray connection cannot cut replication), and it has the
    // heartbeat timeout to produce one.
    const reader = new JournalRecordReader();
    /** The nonce this receiver sent in its Challenge; the snapshot must carry the proof over it. */
    let challenge: string | null = null;
    const noSnapshot = setTimeout(() => { if (this.#socket !== s) s.destroy(); }, this.#o.timeoutMs);
    noSnapshot.unref();
    s.once('close', () => clearTimeout(noSnapshot));
    s.on('data', (chunk: Buffer) => {
      reader.push(chunk);
      const before = this.#seq;
      let handover: number | null = null;
      try {
        for (;;) {
          const r = reader.next();
          if (r === null) break;
          if (r instanceof Error) { s.destroy(); return; }
          if (r.type === JournalRecordType.Hello) {
            const n = (r.body as { nonce?: unknown } | undefined)?.nonce;
            if (challenge !== null || typeof n !== 'string' || n.length < 32 || n.length > 128) { s.destroy(); return; }
            challenge = journalNonce();
            s.write(encodeRecord(JournalRecordType.Challenge, { proof: journalProof(this.#o.secret, 'receiver', n), nonce: challenge }));
            // An active site proves itself before it fences: a sender ignores an unproven FENCE.
            if (this.#o.policy() === 'fence') { s.end(encodeRecord(JournalRecordType.Fence, { generation: this.#o.generation() })); return; }
            continue;
          }
          if (r.type === JournalRecordType.Snapshot) {
            const b = r.body as { seq?: unknown; generation?: unknown; proof?: unknown; state?: SiteSnapshot };
            const proven = challenge !== null && proofMatches(b.proof, this.#o.secret, 'sender', challenge);
            challenge = null; // one snapshot per challenge: a replayed one on this link fails too
            if (!proven || typeof b.seq !== 'number' || b.state === undefined || this.#o.policy() !== 'accept') { s.destroy(); return; }
            if (this.#socket !== s) {
              this.#socket?.destroy(); // a newer sender replaces the old link
              this.#socket = s;
            }
            this.#o.onSnapshot(b.state, b.seq, typeof b.generation === 'number' ? b.generation : 0);
            this.#seq = b.seq;
            this.applied = 0;
            this.#synced = true;
            this.#lastHeard = this.#clock.now();
            s.write(encodeRecord(JournalRecordType.Ack, { seq: this.#seq }));
            this.#o.onLink?.(true);
            continue;
          }
          if (this.#socket !== s || !this.#synced) continue; // nothing counts before the snapshot
          this.#lastHeard = this.#clock.now();
          this.#lastTraffic = this.#lastHeard;
          if (r.type === JournalRecordType.Entry) {
            this.#seq++;
            this.applied++;
            this.#o.onEntry(r.body as JournalEntry);
          } else if (r.type === JournalRecordType.Handover) {
            handover = (r.body as { seq: number }).seq;
          }
        }
      } catch {
        // An entry the site could not apply: drop the link; the sender resyncs with a snapshot.
        s.destroy();
        return;
      }
      // One acknowledgement per chunk: the sender's batch of this turn (fewer round trips).
      if (this.#socket === s && this.#synced && this.#seq !== before) s.write(encodeRecord(JournalRecordType.Ack, { seq: this.#seq }));
      if (handover !== null && this.#socket === s) this.#o.onHandover?.(handover);
    });
    s.on('close', () => {
      if (this.#socket !== s) return;
      this.#socket = null;
      this.#synced = false;
      this.#o.onLink?.(false);
    });
  }

  #tick(): void {
    const s = this.#socket;
    if (s === null) return;
    if (this.#clock.now() - this.#lastHeard > this.#o.timeoutMs) {
      s.destroy();
      return;
    }
    s.write(encodeRecord(JournalRecordType.Heartbeat, undefined));
  }

  async close(): Promise<void> {
    this.#timer?.cancel();
    this.#timer = null;
    for (const s of this.#all) s.destroy();
    this.#all.clear();
    this.#socket = null;
    const server = this.#server;
    this.#server = null;
    if (server !== null) await new Promise<void>((r) => server.close(() => r()));
  }
}

// The hot-standby journal between the two sites: the active site writes every state change
// (matching-engine commands, OCG-C session sequence numbers and sent frames, OMD-C messages with their sequence numbers, refresh and DR numbering, market generator
// ticks) to a TCP connection to the standby site, which applies each entry as it arrives and
// acknowledges per batch. What the active site sends to its clients waits in a JournalGate
// (journal-gate.ts) until the standby acknowledged every entry written before it (synchronous
// replication): an acknowledged order is never lost by a failover. Records: journal-records.ts.
//
// Link life: the active site connects to the standby's replication port (JournalSender), sends a
// full snapshot and then the entries; on a disconnect it reconnects and snapshots again (resync).
// A standby that has become active answers any sender with FENCE: the old primary learns it is
// fenced the moment it can talk again. After `standbyWaitMs` without a standby the active site
// stops holding replies and carries on alone (status says so) [ours: the drill must go on].
import net from 'node:net';
import tls from 'node:tls';
import { systemClock } from '../wire/index.ts';
import type { Clock, TimerHandle } from '../wire/index.ts';
import { JournalGate } from './journal-gate.ts';
import {
  JournalRecordReader,
  JournalRecordType,
  encodeRecord,
  journalNonce,
  journalProof,
  proofMatches,
  type JournalEntry,
  type JournalTls,
  type SiteSnapshot,
} from './journal-records.ts';

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

  get seq(): number {
    return this.#seq;
  }
  get ackedSeq(): number {
    return this.#acked;
  }
  get connected(): boolean {
    return this.#synced;
  }
  get alone(): boolean {
    return this.#alone;
  }
  get lastTrafficAt(): number {
    return this.#lastTraffic;
  }
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
    if (s === null || this.#pending.length === 0) {
      this.#pending = [];
      return;
    }
    const buf = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending);
    this.#pending = [];
    this.#lastTraffic = this.#clock.now();
    const delay = this.#o.linkDelayMs ?? 0;
    if (delay <= 0) {
      s.write(buf);
      return;
    }
    const t = setTimeout(() => {
      this.#delayed.delete(t);
      if (!s.destroyed) s.write(buf);
    }, delay);
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
      if (this.#stopped) {
        s.destroy();
        return;
      }
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
    s.on('error', () => {
      /* close follows */
    });
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
      if (r instanceof Error) {
        s.destroy();
        return;
      }
      if (!this.#peerProven) {
        // Nothing from an unproven receiver counts (a forged Fence or Ack would fence this site or
        // release replies the standby never had): the first record must be its Challenge.
        if (r.type !== JournalRecordType.Challenge || !this.#onChallenge(s, r.body)) {
          s.destroy();
          return;
        }
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
            if (this.#alone) {
              this.#alone = false;
              this.gate.setOpen(false);
            }
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
    s.write(
      encodeRecord(JournalRecordType.Snapshot, {
        seq: this.#seq,
        generation: this.#o.generation(),
        proof: journalProof(this.#o.secret, 'sender', b.nonce),
        state: this.#o.snapshot(),
      }),
    );
    this.#synced = true;
    this.#lastTraffic = this.#clock.now();
    return true;
  }

  #tick(): void {
    const now = this.#clock.now();
    const s = this.#socket;
    if (s !== null) {
      if (now - this.#lastHeard > this.#o.timeoutMs)
        s.destroy(); // silent standby (black hole): resync after reconnecting
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

  get seq(): number {
    return this.#seq;
  }
  get connected(): boolean {
    return this.#socket !== null && this.#synced;
  }
  get lastTrafficAt(): number {
    return this.#lastTraffic;
  }
  get port(): number {
    return this.#port;
  }

  async listen(): Promise<number> {
    if (this.#server !== null) return this.#port;
    const t = this.#o.tls;
    const server: net.Server = t
      ? tls.createServer({ cert: t.cert, key: t.key, ca: t.ca, requestCert: true, rejectUnauthorized: true }, (s) => this.#onConnection(s))
      : net.createServer((s) => this.#onConnection(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, this.#o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', () => {
      /* accept errors: keep listening */
    });
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
    s.on('error', () => {
      /* close follows */
    });
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
    const noSnapshot = setTimeout(() => {
      if (this.#socket !== s) s.destroy();
    }, this.#o.timeoutMs);
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
          if (r instanceof Error) {
            s.destroy();
            return;
          }
          if (r.type === JournalRecordType.Hello) {
            const n = (r.body as { nonce?: unknown } | undefined)?.nonce;
            if (challenge !== null || typeof n !== 'string' || n.length < 32 || n.length > 128) {
              s.destroy();
              return;
            }
            challenge = journalNonce();
            s.write(encodeRecord(JournalRecordType.Challenge, { proof: journalProof(this.#o.secret, 'receiver', n), nonce: challenge }));
            // An active site proves itself before it fences: a sender ignores an unproven FENCE.
            if (this.#o.policy() === 'fence') {
              s.end(encodeRecord(JournalRecordType.Fence, { generation: this.#o.generation() }));
              return;
            }
            continue;
          }
          if (r.type === JournalRecordType.Snapshot) {
            const b = r.body as { seq?: unknown; generation?: unknown; proof?: unknown; state?: SiteSnapshot };
            const proven = challenge !== null && proofMatches(b.proof, this.#o.secret, 'sender', challenge);
            challenge = null; // one snapshot per challenge: a replayed one on this link fails too
            if (!proven || typeof b.seq !== 'number' || b.state === undefined || this.#o.policy() !== 'accept') {
              s.destroy();
              return;
            }
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

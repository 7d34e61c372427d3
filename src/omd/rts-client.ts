// Retransmission Service client (OMD-C 3.5, 4.3; spec/omd-c.md §3.4, §4.4).
// One TCP session at a time, requests served one after the other; endpoints are
// tried in turn when one does not answer or drops (never fanned out).
import net from 'node:net';
import { EventEmitter } from 'node:events';
import { systemClock, type Clock, type TimerHandle } from '../wire/index.ts';
import type { RtsEndpoint } from './channels.ts';
import type { OmdMessage } from './messages.ts';
import { encodePacket, isHeartbeatPacket, PacketStreamReader } from './packet.ts';
import { decodeError, type OmdDecodeError } from './errors.ts';
import { decodeSequencedPacket } from './sequenced-packet.ts';

/** OMD-C 4.3 system limits (defaults; the readiness-test environment ran 1,000 / 1,000). */
export const RTS_CLIENT_DEFAULTS = { windowSize: 50_000, maxRange: 10_000, maxRequestsPerDay: 1_000 } as const;

/** How a recovery ended. Anything but 'recovered' means: use the refresh service instead (Figure 6). */
export type RtsOutcome =
  | 'recovered'
  | 'unknown-channel' // RetransStatus 1
  | 'not-available' // RetransStatus 2, or nothing left to narrow after 100
  | 'quota-exceeded' // RetransStatus 101, or our own count reached the daily limit
  | 'no-endpoint' // every endpoint refused the logon, did not answer or dropped
  | 'closed'; // the client was closed

export interface RtsRecoveryResult {
  outcome: RtsOutcome;
  /** Requests sent for this recovery (each counts against the daily quota). */
  requests: number;
  /** Messages received for the range. */
  messages: number;
}

export interface RetransmissionClientOptions {
  endpoints: RtsEndpoint[];
  /** Logon Username, ≤ 12 ASCII characters (OMD-C 3.5.1). */
  username: string;
  clock?: Clock;
  /** Maximum sequence range per request (inclusive count, §12 U8). */
  maxRange?: number;
  maxRequestsPerDay?: number;
  /** Wait for connect, Logon Response, Retransmission Response, and between data packets. */
  responseTimeoutMs?: number;
  /** Site whose endpoints are tried first. */
  preferredSite?: 'primary' | 'backup';
  /** Retransmitted data packets, in stream order, for the channel of the request being served. */
  onPacket: (channelId: number, seq: number, messages: OmdMessage[]) => void;
}

export interface RtsClientRequestEvent {
  endpoint: RtsEndpoint;
  channelId: number;
  begin: number;
  end: number;
  status: number;
}

interface Job {
  channelId: number;
  from: number;
  to: number;
  resolve: (r: RtsRecoveryResult) => void;
}

/** The answer to one request on one session. */
type Answer = { kind: 'status'; status: number; messages: number } | { kind: 'failed'; reason: string };

interface Pending {
  channelId: number;
  begin: number;
  end: number;
  accepted: boolean;
  received: number;
  highest: number;
  settle: (a: Answer) => void;
}

interface Session {
  socket: net.Socket;
  endpoint: RtsEndpoint;
  reader: PacketStreamReader;
  /** Set while logging on. */
  logon: ((status: number | string) => void) | null;
  pending: Pending | null;
  closed: boolean;
  timer: TimerHandle | null;
}

/**
 * Retransmission client. Events: 'logon' {endpoint, status}, 'request'
 * (RtsClientRequestEvent), 'endpoint-failed' {endpoint, reason}, 'heartbeat'
 * {endpoint}, 'decode-error' (OmdDecodeError).
 */
export class RetransmissionClient extends EventEmitter {
  readonly #opts: RetransmissionClientOptions;
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #maxRequests: number;
  #maxRange: number;
  #preferred: 'primary' | 'backup';
  #order: RtsEndpoint[];
  #next = 0;
  #session: Session | null = null;
  #jobs: Job[] = [];
  #running = false;
  #closed = false;
  #quotaExhausted = false;
  /** Requests sent today, all channels together (OMD-C 4.3). */
  requestsSent = 0;

  constructor(opts: RetransmissionClientOptions) {
    super();
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
    this.#timeoutMs = opts.responseTimeoutMs ?? 2_000;
    this.#maxRequests = opts.maxRequestsPerDay ?? RTS_CLIENT_DEFAULTS.maxRequestsPerDay;
    this.#maxRange = opts.maxRange ?? RTS_CLIENT_DEFAULTS.maxRange;
    this.#preferred = opts.preferredSite ?? 'primary';
    this.#order = this.#ordered();
  }

  /** Current per-request range limit (narrowed after status 100). */
  get maxRange(): number {
    return this.#maxRange;
  }

  /** True once the daily quota is used up (status 101 or our own count). */
  get quotaExhausted(): boolean {
    return this.#quotaExhausted || this.requestsSent >= this.#maxRequests;
  }

  get connectedEndpoint(): RtsEndpoint | null {
    return this.#session && !this.#session.closed ? this.#session.endpoint : null;
  }

  get preferredSite(): 'primary' | 'backup' {
    return this.#preferred;
  }

  /**
   * Prefer the endpoints of `site` from the next request on (after a DR signal
   * the DR site's RTS is the safe choice, §12 U16). An idle session to the other
   * site is closed now; a busy one after its request.
   */
  preferSite(site: 'primary' | 'backup'): void {
    if (site === this.#preferred) return;
    this.#preferred = site;
    this.#order = this.#ordered();
    this.#next = 0;
    const s = this.#session;
    if (s && !s.pending && !s.logon && s.endpoint.site !== site && this.#order.some((e) => e.site === site)) this.#drop(s, 'site switch');
  }

  /** Queues the recovery of [from, to] on channelId; resolves when it is over, whatever the outcome. */
  recover(channelId: number, from: number, to: number): Promise<RtsRecoveryResult> {
    return new Promise((resolve) => {
      if (this.#closed) return resolve({ outcome: 'closed', requests: 0, messages: 0 });
      this.#jobs.push({ channelId, from, to, resolve });
      if (!this.#running) void this.#run();
    });
  }

  /** Gracefully ends the session (OMD-C 3.5 step 7) and fails queued jobs with 'closed'. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const j of this.#jobs.splice(0)) j.resolve({ outcome: 'closed', requests: 0, messages: 0 });
    const s = this.#session;
    if (s) {
      s.pending?.settle({ kind: 'failed', reason: 'closed' });
      await new Promise<void>((resolve) => {
        if (s.socket.destroyed) return resolve();
        s.socket.once('close', () => resolve());
        s.socket.end();
        const t = this.#clock.setTimeout(() => s.socket.destroy(), 500);
        s.socket.once('close', () => t.cancel());
      });
      this.#drop(s, 'closed');
    }
  }

  #ordered(): RtsEndpoint[] {
    const eps = this.#opts.endpoints;
    return [...eps.filter((e) => e.site === this.#preferred), ...eps.filter((e) => e.site !== this.#preferred)];
  }

  async #run(): Promise<void> {
    this.#running = true;
    while (this.#jobs.length && !this.#closed) {
      const job = this.#jobs.shift()!;
      job.resolve(await this.#serve(job));
    }
    this.#running = false;
  }

  async #serve(job: Job): Promise<RtsRecoveryResult> {
    let begin = job.from;
    let requests = 0;
    let messages = 0;
    const done = (outcome: RtsOutcome): RtsRecoveryResult => ({ outcome, requests, messages });
    while (begin <= job.to) {
      if (this.#closed) return done('closed');
      if (this.quotaExhausted) return done('quota-exceeded');
      // Never ask for more than the server allows in one request (OMD-C 4.3).
      const end = Math.min(job.to, begin + this.#maxRange - 1);
      const a = await this.#requestWithFailover(job.channelId, begin, end);
      requests += a.requests;
      if (a.answer.kind === 'failed') return done(this.#closed ? 'closed' : 'no-endpoint');
      messages += a.answer.messages;
      switch (a.answer.status) {
        case 0:
          begin = end + 1;
          break;
        case 100: {
          // Range exceeds maximum: narrow and retry (HKEX client guideline, Figure 6).
          const span = end - begin + 1;
          if (span <= 1) return done('not-available');
          this.#maxRange = Math.max(1, Math.floor(span / 2));
          break;
        }
        case 1:
          return done('unknown-channel');
        case 101:
          this.#quotaExhausted = true;
          return done('quota-exceeded');
        default:
          return done('not-available'); // 2, or anything undefined
      }
    }
    return done('recovered');
  }

  /** One request; if the endpoint does not answer or drops, the same request on the next one. */
  async #requestWithFailover(channelId: number, begin: number, end: number): Promise<{ answer: Answer; requests: number }> {
    let requests = 0;
    for (let attempt = 0; attempt < Math.max(1, this.#order.length); attempt++) {
      const s = await this.#ensureSession();
      if (!s) return { answer: { kind: 'failed', reason: 'no endpoint' }, requests };
      if (this.quotaExhausted) return { answer: { kind: 'status', status: 101, messages: 0 }, requests };
      requests++;
      const answer = await this.#request(s, channelId, begin, end);
      if (answer.kind === 'status') return { answer, requests };
      if (this.#closed) return { answer, requests };
      // It did not answer or dropped: move to another endpoint (OMD-C 4.3 high availability).
      this.emit('endpoint-failed', { endpoint: s.endpoint, reason: answer.reason });
      this.#next++;
      this.#drop(s, answer.reason);
    }
    return { answer: { kind: 'failed', reason: 'every endpoint failed' }, requests };
  }

  /** A logged-on session on the preferred side, trying each endpoint at most once. */
  async #ensureSession(): Promise<Session | null> {
    const cur = this.#session;
    if (cur && !cur.closed) {
      const better = cur.endpoint.site !== this.#preferred && this.#order.some((e) => e.site === this.#preferred);
      if (!better) return cur;
      this.#drop(cur, 'site switch');
    }
    for (let tries = 0; tries < this.#order.length && !this.#closed; tries++) {
      const ep = this.#order[this.#next % this.#order.length]!;
      const s = await this.#connect(ep);
      if (s) return s;
      this.#next++;
    }
    return null;
  }

  async #connect(endpoint: RtsEndpoint): Promise<Session | null> {
    const socket = net.createConnection({ host: endpoint.host, port: endpoint.port });
    socket.setNoDelay(true);
    const s: Session = { socket, endpoint, reader: new PacketStreamReader(), logon: null, pending: null, closed: false, timer: null };
    this.#session = s;
    const status = await new Promise<number | string>((resolve) => {
      let settled = false;
      s.logon = (v) => {
        if (!settled) {
          settled = true;
          s.logon = null;
          resolve(v);
        }
      };
      this.#arm(s, () => s.logon?.('timeout'));
      socket.once('connect', () => {
        // OMD-C 3.5.1: Logon within 5 s of connecting; Username NUL-padded by the codec.
        socket.write(encodePacket(0, 0n, [{ msgType: 101, username: this.#opts.username }]));
        this.#arm(s, () => s.logon?.('timeout'));
      });
      socket.on('data', (chunk) => this.#onData(s, chunk));
      socket.on('error', () => {
        /* 'close' follows */
      });
      socket.on('close', () => this.#onClose(s));
    });
    this.#disarm(s);
    this.emit('logon', { endpoint, status });
    if (status === 0) return s;
    // 5 invalid user / 100 already connected / no answer: the server closes (or we do); next endpoint.
    this.emit('endpoint-failed', { endpoint, reason: typeof status === 'number' ? `logon status ${status}` : String(status) });
    this.#drop(s, 'logon failed');
    return null;
  }

  #request(s: Session, channelId: number, begin: number, end: number): Promise<Answer> {
    return new Promise((resolve) => {
      if (s.closed) return resolve({ kind: 'failed', reason: 'connection closed' });
      const p: Pending = {
        channelId,
        begin,
        end,
        accepted: false,
        received: 0,
        highest: begin - 1,
        settle: (a) => {
          if (s.pending === p) {
            s.pending = null;
            this.#disarm(s);
            resolve(a);
          }
        },
      };
      s.pending = p;
      this.requestsSent++;
      s.socket.write(encodePacket(0, 0n, [{ msgType: 201, channelId, beginSeqNum: begin, endSeqNum: end }]));
      this.#arm(s, () => p.settle({ kind: 'failed', reason: 'no response' }));
    });
  }

  #onData(s: Session, chunk: Buffer): void {
    for (const pkt of s.reader.push(chunk)) this.#onFrame(s, pkt);
    if (s.reader.error) {
      this.emit('decode-error', s.reader.error);
      this.#drop(s, 'unframeable stream'); // a pending request fails over on 'close'
    }
  }

  #onFrame(s: Session, pkt: Uint8Array): void {
    if (pkt[2] === 0) {
      if (!isHeartbeatPacket(pkt)) {
        // MsgCount 0 is a heartbeat only as the bare 16-byte header (OMD-C 3.4.1): not echoed, counted.
        this.emit('decode-error', decodeError('BAD_HEARTBEAT', `MsgCount 0 but PktSize ${pkt.length}`));
        return;
      }
      // OMD-C 3.5 keep-alive: answer with an exact byte copy (§12 U4: assumed a bare header).
      s.socket.write(pkt);
      this.emit('heartbeat', { endpoint: s.endpoint });
      return;
    }
    const d = decodeSequencedPacket(pkt);
    if ('ok' in d) {
      this.emit('decode-error', d as OmdDecodeError);
      return;
    }
    const first = d.messages[0]!;
    if (first.msgType === 102) {
      s.logon?.(first.sessionStatus);
      return;
    }
    const p = s.pending;
    if (first.msgType === 202) {
      if (!p) return;
      this.emit('request', {
        endpoint: s.endpoint,
        channelId: first.channelId,
        begin: first.beginSeqNum,
        end: first.endSeqNum,
        status: first.retransStatus,
      } satisfies RtsClientRequestEvent);
      if (first.retransStatus !== 0) {
        p.settle({ kind: 'status', status: first.retransStatus, messages: 0 });
        if (first.retransStatus === 101) this.#quotaExhausted = true;
        return;
      }
      p.accepted = true;
      if (p.end < p.begin) p.settle({ kind: 'status', status: 0, messages: 0 });
      else this.#arm(s, () => p.settle({ kind: 'failed', reason: 'data stalled' }));
      return;
    }
    // Retransmitted data: SeqNum is the original number of its first message.
    if (!p || !p.accepted) return;
    const n = d.messages.length;
    this.#opts.onPacket(p.channelId, d.seq, d.messages);
    p.received += n;
    const last = d.seq + n - 1;
    if (last > p.highest) p.highest = last;
    if (p.highest >= p.end) p.settle({ kind: 'status', status: 0, messages: p.received });
    else this.#arm(s, () => p.settle({ kind: 'failed', reason: 'data stalled' }));
  }

  #onClose(s: Session): void {
    s.closed = true;
    this.#disarm(s);
    s.logon?.('closed');
    s.pending?.settle({ kind: 'failed', reason: 'connection dropped' });
    if (this.#session === s) this.#session = null;
  }

  #drop(s: Session, _reason: string): void {
    this.#disarm(s);
    s.closed = true;
    if (!s.socket.destroyed) s.socket.destroy();
    if (this.#session === s) this.#session = null;
  }

  #arm(s: Session, fn: () => void): void {
    this.#disarm(s);
    s.timer = this.#clock.setTimeout(fn, this.#timeoutMs);
  }

  #disarm(s: Session): void {
    s.timer?.cancel();
    s.timer = null;
  }
}

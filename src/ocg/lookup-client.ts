// Lookup Service client, subscriber side (spec note §1.2, §3.2).
// Tries the published endpoints in the fixed order PS-primary → PS-mirror → BS-primary →
// BS-mirror → PS-primary …, one TCP connection per attempt, one Lookup Request each; an
// unreachable endpoint or a Rejected answer costs the spec's 5 s wait before the next attempt.
// All waits go through the injectable Clock, scaled by `timeScale`, so tests and accelerated
// rundowns shrink them without changing the order.
import net from 'node:net';
import { EventEmitter } from 'node:events';
import { systemClock, type Clock, type TimerHandle } from '../wire/index.ts';
import { encodeMessage } from './codec.ts';
import { OcgFrameReader } from './frame-reader.ts';
import { LookupStatus, OcgMsgType, ProtocolType, TypeOfService } from './messages.ts';

/** The spec's lookup delay and our own (unpublished) socket timeouts, in ms at timeScale 1. */
export const LOOKUP_DEFAULTS = {
  /** Wait after an unreachable endpoint or a Rejected answer (§1.2) [SPEC]. */
  retryDelayMs: 5_000,
  /** TCP connect + Lookup Response wait: not published [INF]; an answer-less endpoint counts as unreachable. */
  responseTimeoutMs: 5_000,
} as const;

export type SiteName = 'primary' | 'backup';

export interface LookupEndpoint {
  host: string;
  port: number;
  /** Which site it belongs to; default by position: the first two primary, the next two backup (§1.2). */
  site?: SiteName;
  /** Label for events, default by position: PS-primary, PS-mirror, BS-primary, BS-mirror. */
  name?: string;
}

export interface GatewayAddress {
  host: string;
  port: number;
}

export interface LookupAnswer {
  /** The endpoint that answered (with its resolved name and site). */
  endpoint: Required<LookupEndpoint>;
  /** Site of the answering lookup endpoint; the gateways it names belong to it [INF, §1.2]. */
  site: SiteName;
  primary: GatewayAddress;
  secondary: GatewayAddress;
  /** Attempts made in this lookup, the answering one included. */
  attempts: number;
}

export type LookupFailureReason = 'unreachable' | 'rejected' | 'timeout' | 'protocol';

export interface LookupAttemptEvent {
  endpoint: Required<LookupEndpoint>;
  attempt: number;
}

export interface LookupFailureEvent {
  endpoint: Required<LookupEndpoint>;
  attempt: number;
  reason: LookupFailureReason;
  /** Lookup Reject Code when Rejected (§3.2). */
  rejectCode?: number;
  detail: string;
}

export interface LookupClientOptions {
  /** The four published endpoints (or fewer), in the spec's order (§1.2). */
  endpoints: LookupEndpoint[];
  /** Comp ID for the header: the lookup checks the source IP against it (§1.2). */
  compId: string;
  clock?: Clock;
  /** Multiplies every delay and timeout (0.001: 5 s → 5 ms). Default 1. */
  timeScale?: number;
  /** Explicit wait after a failed attempt, ms (overrides the scaled 5 s). */
  retryDelayMs?: number;
  /** Explicit connect + answer timeout, ms (overrides the scaled default). */
  responseTimeoutMs?: number;
  /** Source address to connect from (registered IP of the Comp ID, §1.1). */
  localAddress?: string;
}

export interface LookupOptions {
  /** Give up after this many attempts (default: never — the spec cycles forever). */
  maxAttempts?: number;
  signal?: AbortSignal;
}

const DEFAULT_NAMES = ['PS-primary', 'PS-mirror', 'BS-primary', 'BS-mirror'] as const;

/** Name and site for the endpoint at position i of the published list (§1.2). */
export function resolveLookupEndpoint(e: LookupEndpoint, i: number): Required<LookupEndpoint> {
  const site: SiteName = e.site ?? (i % 4 < 2 ? 'primary' : 'backup');
  const name = e.name ?? (i < 4 ? DEFAULT_NAMES[i]! : `lookup-${i + 1}`);
  return { host: e.host, port: e.port, site, name };
}

/** Parses `host:port` (CLI and config). Throws RangeError on a bad value. */
export function parseHostPort(text: string): GatewayAddress {
  const m = /^(.+):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) throw new RangeError(`expected host:port, got ${JSON.stringify(text)}`);
  return { host: m[1]!.replace(/^\[(.*)\]$/, '$1'), port };
}

export class LookupAbortedError extends Error {
  override name = 'LookupAbortedError';
}

export class LookupExhaustedError extends Error {
  override name = 'LookupExhaustedError';
}

type Outcome =
  { ok: true; primary: GatewayAddress; secondary: GatewayAddress } | { ok: false; reason: LookupFailureReason; rejectCode?: number; detail: string };

/**
 * Lookup client. Events: 'attempt' (LookupAttemptEvent), 'failed' (LookupFailureEvent),
 * 'waiting' {ms, next: endpoint} before each retry delay, 'answered' (LookupAnswer).
 */
export class LookupClient extends EventEmitter {
  readonly endpoints: readonly Required<LookupEndpoint>[];
  readonly #compId: string;
  readonly #clock: Clock;
  readonly #retryDelayMs: number;
  readonly #timeoutMs: number;
  readonly #localAddress: string | undefined;
  readonly #live = new Set<{ abort: () => void }>();
  #closed = false;

  constructor(opts: LookupClientOptions) {
    super();
    if (opts.endpoints.length === 0) throw new RangeError('at least one lookup endpoint is needed');
    this.endpoints = opts.endpoints.map(resolveLookupEndpoint);
    this.#compId = opts.compId;
    this.#clock = opts.clock ?? systemClock;
    const scale = opts.timeScale ?? 1;
    this.#retryDelayMs = opts.retryDelayMs ?? LOOKUP_DEFAULTS.retryDelayMs * scale;
    this.#timeoutMs = opts.responseTimeoutMs ?? LOOKUP_DEFAULTS.responseTimeoutMs * scale;
    this.#localAddress = opts.localAddress;
  }

  /** The wait after a failed attempt, ms (after scaling). */
  get retryDelayMs(): number {
    return this.#retryDelayMs;
  }

  /**
   * Asks the endpoints in order, starting with the first (PS-primary), cycling, until one
   * accepts. Rejects with LookupAbortedError (signal / close) or LookupExhaustedError (maxAttempts).
   */
  async lookup(opts: LookupOptions = {}): Promise<LookupAnswer> {
    const max = opts.maxAttempts ?? Infinity;
    for (let attempt = 1; ; attempt++) {
      this.#checkAborted(opts.signal);
      const endpoint = this.endpoints[(attempt - 1) % this.endpoints.length]!;
      this.emit('attempt', { endpoint, attempt } satisfies LookupAttemptEvent);
      const r = await this.#ask(endpoint, opts.signal);
      this.#checkAborted(opts.signal);
      if (r.ok) {
        const answer: LookupAnswer = { endpoint, site: endpoint.site, primary: r.primary, secondary: r.secondary, attempts: attempt };
        this.emit('answered', answer);
        return answer;
      }
      const failure: LookupFailureEvent = { endpoint, attempt, reason: r.reason, detail: r.detail };
      if (r.rejectCode !== undefined) failure.rejectCode = r.rejectCode;
      this.emit('failed', failure);
      if (attempt >= max) throw new LookupExhaustedError(`no lookup endpoint answered in ${attempt} attempts (last: ${endpoint.name} ${r.reason})`);
      // §1.2: unreachable or Rejected ⇒ wait 5 s before the next attempt. A timeout counts as unreachable.
      const next = this.endpoints[attempt % this.endpoints.length]!;
      this.emit('waiting', { ms: this.#retryDelayMs, next });
      await this.#sleep(this.#retryDelayMs, opts.signal);
    }
  }

  /** Aborts lookups in progress (they reject with LookupAbortedError) and refuses new ones. */
  close(): void {
    this.#closed = true;
    for (const l of [...this.#live]) l.abort();
  }

  #checkAborted(signal: AbortSignal | undefined): void {
    if (this.#closed || signal?.aborted === true) throw new LookupAbortedError('lookup aborted');
  }

  #sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: TimerHandle | null = null;
      const entry = {
        abort: () => {
          timer?.cancel();
          done();
          reject(new LookupAbortedError('lookup aborted'));
        },
      };
      const onAbort = () => entry.abort();
      const done = () => {
        this.#live.delete(entry);
        signal?.removeEventListener('abort', onAbort);
      };
      this.#live.add(entry);
      signal?.addEventListener('abort', onAbort, { once: true });
      timer = this.#clock.setTimeout(() => {
        done();
        resolve();
      }, ms);
    });
  }

  /** One attempt: connect, send Lookup Request (seq 1), read one Lookup Response, close (§1.2). */
  #ask(endpoint: Required<LookupEndpoint>, signal: AbortSignal | undefined): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      let settled = false;
      const reader = new OcgFrameReader();
      const socket = net.connect({ host: endpoint.host, port: endpoint.port, ...(this.#localAddress ? { localAddress: this.#localAddress } : {}) });
      const entry = { abort: () => finish({ ok: false, reason: 'unreachable', detail: 'aborted' }) };
      const onAbort = () => entry.abort();
      const timer = this.#clock.setTimeout(() => finish({ ok: false, reason: 'timeout', detail: `no answer within ${this.#timeoutMs} ms` }), this.#timeoutMs);
      const finish = (o: Outcome) => {
        if (settled) return;
        settled = true;
        timer.cancel();
        this.#live.delete(entry);
        signal?.removeEventListener('abort', onAbort);
        // Who closes is not specified (§8 item 15): the client closes after one response.
        socket.removeAllListeners('data');
        socket.on('error', () => {});
        socket.destroy();
        resolve(o);
      };
      this.#live.add(entry);
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.setNoDelay(true);
      socket.on('connect', () => {
        socket.write(
          encodeMessage(
            { seqNum: 1, compId: this.#compId },
            {
              msgType: OcgMsgType.LookupRequest,
              typeOfService: TypeOfService.OrderInput,
              protocolType: ProtocolType.Binary,
            },
          ),
        );
      });
      socket.on('error', (e: NodeJS.ErrnoException) => finish({ ok: false, reason: 'unreachable', detail: e.code ?? e.message }));
      socket.on('close', () => finish({ ok: false, reason: 'unreachable', detail: 'connection closed without a Lookup Response' }));
      socket.on('data', (chunk: Buffer) => {
        reader.push(chunk);
        for (;;) {
          const r = reader.next();
          if (r === null) return;
          if (!r.ok) return finish({ ok: false, reason: 'protocol', detail: r.detail });
          if (r.message.msgType !== OcgMsgType.LookupResponse) {
            return finish({ ok: false, reason: 'protocol', detail: `message type ${r.message.msgType} instead of a Lookup Response` });
          }
          const m = r.message;
          if (m.status === LookupStatus.Accepted) {
            if (!m.primaryIp || m.primaryPort === undefined) {
              return finish({ ok: false, reason: 'protocol', detail: 'accepted Lookup Response without a Primary IP/port' });
            }
            const primary = { host: m.primaryIp, port: m.primaryPort };
            // Secondary is conditional (§3.2); without it, the primary is all we have.
            const secondary = m.secondaryIp && m.secondaryPort !== undefined ? { host: m.secondaryIp, port: m.secondaryPort } : primary;
            return finish({ ok: true, primary, secondary });
          }
          const o: Outcome = { ok: false, reason: 'rejected', detail: `Rejected${m.reason ? `: ${m.reason}` : ''}` };
          if (m.lookupRejectCode !== undefined) o.rejectCode = m.lookupRejectCode;
          return finish(o);
        }
      });
    });
  }
}

// The site control contract (docs/architecture.md, contract 3): a small authenticated HTTP/JSON API on
// each site, used by the conductor. Both sides import this file: the site's server
// (control-server.ts) and `SiteControlClient` below.
//
//   GET  /status                → SiteStatus
//   POST /activate   {reason?}  → ActivateResponse      (the backup takes over; idempotent when already active)
//   POST /isolate    {…}        → IsolateResponse       (the site is cut off: "primary site lost")
//   POST /failback   {}         → FailbackResponse      (sent to the site that should become active again)
//   POST /fault      FaultRequest → FaultResponse
//   POST /connectivity-test {until?: ISO, close?: true} → ConnectivityTestResponse (the readiness window)
//   GET  /evidence?after=N&limit=M → EvidenceResponse  (events with cursor > N, oldest first)
//   GET  /metrics               → Prometheus text (metrics.ts); also takes the read-only metricsToken
//   POST /market-phase {session, accelerate?} → MarketPhaseResponse (a session of the day starts)
//   POST /security-status {securityId, halted} → halt or resume one OTP-C security
//   POST /trade-cancel {securityId, tradeId}  → a trade of the day cancelled (OMD-C 51)
//
// Every request carries `Authorization: Bearer <controlToken>` (constant-time compared);
// errors are `{ error: { code, message } }` with the stable codes of CONTROL_ERROR_CODES.
import http from 'node:http';
import https from 'node:https';
import type { EvidenceEvent } from '../evidence/index.ts';
import type { OcgService } from '../ocg/index.ts';
import type { SiteRole } from './config.ts';
import type { ConnectivityTestStatus } from './connectivity-test.ts';
import type { MarketPhase, SessionCommand } from './market-phases.ts';

export const SITE_STATES = ['starting', 'standby', 'active', 'isolated', 'fenced', 'stopped'] as const;
/**
 * standby: applies the journal, lookup endpoints closed, gateways and publishers silent.
 * active: serves subscribers and journals to its standby.
 * isolated: cut off by the rundown (`/isolate`), not yet known to be replaced.
 * fenced: another site took over; never active again except through fail back.
 */
export type SiteState = (typeof SITE_STATES)[number];

export const FAULT_KINDS = ['tcp-reset', 'blackhole', 'flap', 'multicast-stop', 'loss-line-a', 'kill', 'clear'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * A fault of a backbone change, injected at one site.
 * - tcp-reset: every TCP connection of the site (gateways, lookup, RTS, journal) is reset (RST).
 * - blackhole: every socket stops reading and writing, no FIN/RST, multicast stops; new
 *   connections are accepted and then ignored. Only heartbeat timeouts reveal it. Lasts until
 *   `durationMs` (0/absent = until `clear` or activate elsewhere).
 * - flap: down `downMs`, up `upMs`, down again (and stays down); "down" is a black hole. The
 *   conductor then activates the backup.
 * - multicast-stop: the publishers stop sending multicast after `afterPackets` more datagrams
 *   (0 = at once), mid-stream; TCP services keep running.
 * - loss-line-a: line A datagrams are dropped (`ratio` of them, default 1) for `durationMs`
 *   (absent = until clear); line B is untouched.
 * - kill: the site dies without a goodbye (own process: SIGKILL; embedded: every socket destroyed).
 * - clear: ends black hole, flap, multicast stop and line A loss.
 */
export type FaultRequest =
  | { kind: 'tcp-reset' }
  | { kind: 'blackhole'; durationMs?: number }
  | { kind: 'flap'; downMs?: number; upMs?: number }
  | { kind: 'multicast-stop'; afterPackets?: number }
  | { kind: 'loss-line-a'; ratio?: number; durationMs?: number }
  | { kind: 'kill' }
  | { kind: 'clear' };

export interface FaultResponse {
  ok: true;
  kind: FaultKind;
  /** ISO time the fault took effect. */
  at: string;
  /** Faults in force after this request. */
  active: FaultKind[];
}

export interface ServiceStatus {
  /** OCG services: lookup endpoints listening; OMD: publisher mode. */
  open: boolean;
  /** OTP-C / OTP-CSC: Comp IDs logged on now. OMD-C / OMD-CC: RTS connections. */
  connections: number;
  /** OMD: per channel, SeqNum of the next real-time message. */
  nextSeq?: Record<string, number>;
  /** OMD: publisher mode (created, standby, active, dr-in-progress, stopped). */
  mode?: string;
  /** OMD: last DR Signal status sent (0 none, 1 in progress, 2 completed). */
  drStatus?: number;
}

export interface ReplicationStatus {
  /** sending: this site is active and journals to its peer; receiving: it applies the peer's journal. */
  direction: 'sending' | 'receiving' | 'none';
  /** Whether the journal link to the peer is up now. */
  connected: boolean;
  /** Last journal entry sequence number written (sending) or applied (receiving). */
  lastSeq: number;
  /** Last entry the standby acknowledged (sending side). */
  ackedSeq: number;
  /** True when the active site acknowledges orders without a standby (it waited `standbyWaitMs`). */
  alone: boolean;
  /** ISO time of the last journal traffic. */
  lastTrafficAt: string | null;
}

export interface SiteStatus {
  role: SiteRole;
  state: SiteState;
  session: string;
  host: string;
  /** ISO time of the last state change. */
  since: string;
  /** ISO time this site last became active, if ever. */
  activatedAt: string | null;
  /** Milliseconds the last activation took (journal applied → endpoints open). */
  takeoverMs: number | null;
  replication: ReplicationStatus;
  services: Record<'OTP-C' | 'OTP-CSC' | 'OMD-C' | 'OMD-CC', ServiceStatus>;
  /** Orders the matching engines hold (live), per trading service. */
  orders: Record<'OTP-C' | 'OTP-CSC', number>;
  faults: FaultKind[];
  /** Cursor of the newest evidence event (GET /evidence?after=<this> returns nothing new). */
  evidenceCursor: number;
  /** The connectivity-test window (connectivity-test.ts). */
  connectivityTest?: ConnectivityTestStatus;
}

/** POST /connectivity-test: open the window until a time (site clock, ISO), or close it now. */
export type ConnectivityTestRequest = { until: string } | { close: true };

export interface ConnectivityTestResponse {
  ok: true;
  role: SiteRole;
  state: SiteState;
  connectivityTest: ConnectivityTestStatus;
}

export interface ActivateRequest {
  reason?: string;
}

export interface ActivateResponse {
  ok: true;
  /** False when the site was already active (idempotent). */
  changed: boolean;
  status: SiteStatus;
  takeoverMs: number;
}

export interface IsolateRequest {
  /**
   * graceful (default): the site still can say goodbye — publishers send DR Signal 1 (OMD-C
   * 2.2.4), then everything closes. abrupt: closes without DR Signal (the backup sends it).
   */
  mode?: 'graceful' | 'abrupt';
  reason?: string;
}

export interface IsolateResponse {
  ok: true;
  status: SiteStatus;
  /** Whether DR Signal 1 was sent by this site. */
  drSignalSent: boolean;
}

export interface FailbackRequest {
  reason?: string;
}

export interface FailbackResponse {
  ok: true;
  status: SiteStatus;
  /** Journal entries the returning site applied while catching up. */
  caughtUpEntries: number;
  takeoverMs: number;
}

/** One evidence event with its ring-buffer cursor. */
export interface EvidenceEntry {
  cursor: number;
  event: EvidenceEvent;
}

/** One trading identity at the clean-up step (Site.cleanUpReport). */
export interface CleanUpIdentity {
  service: OcgService;
  firm: string;
  compId: string;
  dropCopy: boolean;
  /** Its orders still live in the book, and the first 20 of their Order IDs. */
  restingOrders: number;
  orderIds: string[];
  /** Logged on at this (the active) site. */
  loggedOn: boolean;
}

export interface CleanUpResponse {
  site: SiteRole;
  at: string;
  identities: CleanUpIdentity[];
}

export interface EvidenceResponse {
  events: EvidenceEntry[];
  /** Pass as `after` next time. */
  next: number;
  /** True when events after the requested cursor were already dropped from the ring buffer. */
  truncated: boolean;
}

export interface MarketPhaseRequest {
  session: SessionCommand;
  /** Sub-period durations are divided by this (an accelerated rundown). Default 1. */
  accelerate?: number;
}

export interface MarketPhaseResponse {
  ok: true;
  /** The phase the market is in now. */
  phase: MarketPhase;
  /** The session's phases and when each starts (ms since the epoch). */
  plan: { at: number; phase: MarketPhase }[];
}

export const CONTROL_ERROR_CODES = {
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  VALIDATION_FAILED: 400,
  /** The request does not fit the site's state (activate a fenced site, fail back to an active one…). */
  INVALID_STATE: 409,
  PAYLOAD_TOO_LARGE: 413,
  INTERNAL_ERROR: 500,
} as const;
export type ControlErrorCode = keyof typeof CONTROL_ERROR_CODES;

export interface ControlErrorBody {
  error: { code: ControlErrorCode; message: string; field?: string };
}

/** Validates a POST /fault body (shared by the server and tests). */
export function parseFaultRequest(body: unknown): { ok: true; value: FaultRequest } | { ok: false; field: string; message: string } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { ok: false, field: '', message: 'expected a JSON object' };
  const b = body as Record<string, unknown>;
  if (!FAULT_KINDS.includes(b['kind'] as FaultKind)) return { ok: false, field: 'kind', message: `expected one of ${FAULT_KINDS.join(', ')}` };
  const num = (k: string, min: number, max: number): string | null => {
    const v = b[k];
    if (v === undefined) return null;
    return typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? null : `${k}: expected a number in ${min}..${max}`;
  };
  const checks: Record<FaultKind, Array<[string, number, number]>> = {
    'tcp-reset': [],
    kill: [],
    clear: [],
    blackhole: [['durationMs', 0, 86_400_000]],
    flap: [
      ['downMs', 1, 600_000],
      ['upMs', 1, 600_000],
    ],
    'multicast-stop': [['afterPackets', 0, 1_000_000_000]],
    'loss-line-a': [
      ['ratio', 0, 1],
      ['durationMs', 0, 86_400_000],
    ],
  };
  for (const [k, min, max] of checks[b['kind'] as FaultKind]) {
    const err = num(k, min, max);
    if (err !== null) return { ok: false, field: k, message: err };
  }
  return { ok: true, value: b as unknown as FaultRequest };
}

export class SiteControlError extends Error {
  override name = 'SiteControlError';
  readonly status: number;
  readonly code: ControlErrorCode | 'NETWORK';
  constructor(status: number, code: ControlErrorCode | 'NETWORK', message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export interface SiteControlClientOptions {
  /** http://host:port of the site's control API (config.ts controlUrlOf). */
  baseUrl: string;
  token: string;
  /** Per-request timeout. Default 10 s; activation and fail back may take a while. */
  timeoutMs?: number;
  /** CA certificate (PEM) that signed the site's certificate, for an https baseUrl (venue.yaml `tls.ca`). */
  ca?: string;
}

/** The conductor's handle on one site. Every method throws SiteControlError on a non-2xx answer. */
export class SiteControlClient {
  readonly baseUrl: string;
  readonly #token: string;
  readonly #timeoutMs: number;
  readonly #ca: string | undefined;

  constructor(opts: SiteControlClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.#ca = opts.ca;
    this.#token = opts.token;
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
  }

  status(): Promise<SiteStatus> {
    return this.#call('GET', '/status');
  }

  activate(req: ActivateRequest = {}): Promise<ActivateResponse> {
    return this.#call('POST', '/activate', req);
  }

  isolate(req: IsolateRequest = {}): Promise<IsolateResponse> {
    return this.#call('POST', '/isolate', req);
  }

  failback(req: FailbackRequest = {}): Promise<FailbackResponse> {
    return this.#call('POST', '/failback', req);
  }

  fault(req: FaultRequest): Promise<FaultResponse> {
    return this.#call('POST', '/fault', req);
  }

  /** POST /market-phase: start a session of the day on the active site (market-phases.ts). */
  marketPhase(req: MarketPhaseRequest): Promise<MarketPhaseResponse> {
    return this.#call('POST', '/market-phase', req);
  }

  /** POST /security-status: halt (true) or resume (false) one OTP-C security. */
  securityStatus(req: { securityId: string; halted: boolean }): Promise<{ ok: true; securityId: string; halted: boolean }> {
    return this.#call('POST', '/security-status', req);
  }

  /** POST /trade-cancel: cancel a trade of the day. */
  tradeCancel(req: { securityId: string; tradeId: string }): Promise<{ ok: true; securityId: string; tradeId: string }> {
    return this.#call('POST', '/trade-cancel', req);
  }

  /** POST /clean-up: the active site's clean-up check, recorded as venue evidence. */
  cleanUp(): Promise<CleanUpResponse> {
    return this.#call('POST', '/clean-up', {});
  }

  /** POST /connectivity-test: open the readiness window until `until`, or close it. */
  connectivityTest(req: ConnectivityTestRequest): Promise<ConnectivityTestResponse> {
    return this.#call('POST', '/connectivity-test', req);
  }

  evidence(after = 0, limit?: number): Promise<EvidenceResponse> {
    return this.#call('GET', `/evidence?after=${after}${limit !== undefined ? `&limit=${limit}` : ''}`);
  }

  async #call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let res: { status: number; text: string };
    try {
      res = await this.#request(method, path, body === undefined ? undefined : JSON.stringify(body));
    } catch (e) {
      throw new SiteControlError(0, 'NETWORK', `${method} ${this.baseUrl}${path}: ${(e as Error).message}`);
    }
    let json: unknown;
    try {
      json = res.text.length > 0 ? JSON.parse(res.text) : {};
    } catch {
      throw new SiteControlError(res.status, 'INTERNAL_ERROR', `${method} ${path}: answer is not JSON (${res.status})`);
    }
    if (res.status < 200 || res.status > 299) {
      const err = (json as Partial<ControlErrorBody>).error;
      throw new SiteControlError(res.status, err?.code ?? 'INTERNAL_ERROR', `${method} ${path}: ${err?.message ?? `HTTP ${res.status}`}`);
    }
    return json as T;
  }

  /** node:http(s) rather than fetch: fetch cannot be given the venue's own CA. */
  #request(method: string, path: string, body: string | undefined): Promise<{ status: number; text: string }> {
    const url = new URL(this.baseUrl + path);
    const headers: Record<string, string> = { authorization: `Bearer ${this.#token}` };
    if (body !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
    return new Promise((resolve, reject) => {
      const opts = { method, headers, timeout: this.#timeoutMs, ...(this.#ca !== undefined ? { ca: this.#ca } : {}) };
      const req = (url.protocol === 'https:' ? https : http).request(url, opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.#timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}

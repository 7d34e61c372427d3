// Streams evidence to the desk's ingestion endpoint (src/desk/API.md,
// "Evidence": POST /api/evidence). The conductor posts with the desk's evidence
// bearer token (what it posts is the venue's word); a subscriber's probe signs in
// as a user of its firm, so what it posts is the firm's own, self-reported. Batches,
// retries a failed batch with backoff until it is taken, and relies on the
// desk's idempotence on event id, so a batch sent twice (a reply lost after
// the desk stored it) is counted as duplicates, never stored twice.
import type { Clock, TimerHandle } from '../wire/index.ts';
import type { EvidenceEvent } from '../evidence/index.ts';

export interface DeskForwarderOptions {
  /** The desk's base URL, e.g. http://127.0.0.1:8080 (the route /api/evidence is appended). */
  url: string;
  /** The desk's evidence bearer token (the conductor, the embedded drill). */
  token?: string;
  /** Or a user of the firm (a subscriber's probe): signs in, and again when its sign-in expires. */
  login?: { username: string; password: string };
  clock: Clock;
  /** At most this many events per request (the desk takes ≤ 10,000). */
  batchSize?: number;
  /** A batch leaves at most this long after its first event arrived. */
  lingerMs?: number;
  /** Backoff after a failure: doubles from the first to the last value. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Per-request timeout. */
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
  onError?: (message: string) => void;
}

export interface DeskForwarderStats {
  queued: number;
  accepted: number;
  duplicates: number;
  /** Events the desk refused one by one (invalid): not retried, they stay in the evidence file. */
  rejected: number;
  failedRequests: number;
  /** Set when the desk refuses the token: forwarding stops, the file keeps everything. */
  fatal: string | null;
}

interface IngestReply {
  accepted?: number;
  duplicates?: number;
  rejected?: unknown[];
}

const MAX_DESK_BATCH = 10_000;

export class DeskEvidenceForwarder {
  #o: Required<Omit<DeskForwarderOptions, 'onError' | 'token' | 'login'>> & {
    onError: (m: string) => void;
    base: string;
    auth: { token: string } | { login: { username: string; password: string } };
  };
  /** The firm user's cookie and CSRF token once signed in. */
  #signedIn: { cookie: string; csrf: string } | null = null;
  #queue: EvidenceEvent[] = [];
  #timer: TimerHandle | null = null;
  #sending: Promise<void> | null = null;
  #backoff = 0;
  #stats: DeskForwarderStats = { queued: 0, accepted: 0, duplicates: 0, rejected: 0, failedRequests: 0, fatal: null };

  constructor(opts: DeskForwarderOptions) {
    if ((opts.token === undefined) === (opts.login === undefined)) throw new Error('DeskEvidenceForwarder: give either token or login');
    this.#o = {
      batchSize: Math.min(MAX_DESK_BATCH, opts.batchSize ?? 1000),
      lingerMs: opts.lingerMs ?? 200,
      retryMinMs: opts.retryMinMs ?? 250,
      retryMaxMs: opts.retryMaxMs ?? 10_000,
      requestTimeoutMs: opts.requestTimeoutMs ?? 10_000,
      fetch: opts.fetch ?? fetch,
      onError: opts.onError ?? (() => {}),
      base: opts.url.replace(/\/+$/, ''),
      url: opts.url.replace(/\/+$/, '') + '/api/evidence',
      auth: opts.token !== undefined ? { token: opts.token } : { login: opts.login! },
      clock: opts.clock,
    };
  }

  get stats(): DeskForwarderStats {
    return { ...this.#stats, queued: this.#queue.length };
  }

  push(e: EvidenceEvent): void {
    if (this.#stats.fatal) return;
    this.#queue.push(e);
    if (this.#queue.length >= this.#o.batchSize) this.#kick(0);
    else this.#kick(this.#o.lingerMs);
  }

  /** Sends what is queued; resolves when the queue is empty, or after `deadlineMs` of the clock with what is left still queued. */
  async drain(deadlineMs = 30_000): Promise<boolean> {
    const until = this.#o.clock.now() + deadlineMs;
    while (this.#queue.length && !this.#stats.fatal) {
      if (this.#o.clock.now() >= until) return false;
      this.#timer?.cancel();
      this.#timer = null;
      if (!this.#sending)
        this.#sending = this.#sendOne().finally(() => {
          this.#sending = null;
        });
      await this.#sending;
      if (this.#backoff && this.#queue.length) {
        const wait = Math.min(this.#backoff, until - this.#o.clock.now());
        if (wait > 0) await new Promise<void>((r) => this.#o.clock.setTimeout(r, wait));
      }
    }
    return this.#queue.length === 0;
  }

  close(): void {
    this.#timer?.cancel();
    this.#timer = null;
  }

  #kick(ms: number): void {
    if (this.#sending || this.#stats.fatal) return;
    if (this.#timer && ms > 0) return;
    this.#timer?.cancel();
    this.#timer = this.#o.clock.setTimeout(() => {
      this.#timer = null;
      this.#sending = this.#sendOne().finally(() => {
        this.#sending = null;
        if (this.#queue.length) this.#kick(this.#backoff || (this.#queue.length >= this.#o.batchSize ? 0 : this.#o.lingerMs));
      });
    }, ms);
  }

  async #sendOne(): Promise<void> {
    if (!this.#queue.length || this.#stats.fatal) return;
    const batch = this.#queue.slice(0, this.#o.batchSize);
    let failure: string | null = null;
    try {
      const ac = new AbortController();
      const t = setTimeout(() => ac.abort(), this.#o.requestTimeoutMs);
      t.unref?.();
      let res: Response;
      let body: string;
      try {
        const post = async () =>
          this.#o.fetch(this.#o.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(await this.#credentials(ac.signal)) },
            body: JSON.stringify({ events: batch }),
            signal: ac.signal,
          });
        res = await post();
        // A firm user's sign-in expired: sign in again once.
        if (res.status === 401 && 'login' in this.#o.auth && this.#signedIn) {
          await res.text();
          this.#signedIn = null;
          res = await post();
        }
        body = await res.text();
      } finally {
        clearTimeout(t);
      }
      if (res.status === 401 || res.status === 403) {
        this.#stats.fatal = `desk refused the evidence ${'token' in this.#o.auth ? 'token' : 'upload'} (${res.status}): ${body.slice(0, 200)}`;
        this.#o.onError(this.#stats.fatal);
        return;
      }
      if (!res.ok) failure = `desk answered ${res.status}: ${body.slice(0, 200)}`;
      else {
        const reply = JSON.parse(body) as IngestReply;
        this.#stats.accepted += reply.accepted ?? 0;
        this.#stats.duplicates += reply.duplicates ?? 0;
        this.#stats.rejected += reply.rejected?.length ?? 0;
        if (reply.rejected?.length) this.#o.onError(`desk rejected ${reply.rejected.length} event(s): ${JSON.stringify(reply.rejected[0]).slice(0, 200)}`);
      }
    } catch (e) {
      if (e instanceof SignInRefused) {
        this.#stats.fatal = e.message;
        this.#o.onError(this.#stats.fatal);
        return;
      }
      failure = `desk unreachable: ${(e as Error).message}`;
    }
    if (failure) {
      this.#stats.failedRequests++;
      this.#backoff = this.#backoff ? Math.min(this.#o.retryMaxMs, this.#backoff * 2) : this.#o.retryMinMs;
      this.#o.onError(`${failure}; ${this.#queue.length} event(s) kept, retry in ${this.#backoff} ms`);
      return;
    }
    this.#backoff = 0;
    // Only now do the events leave the queue: a failure above keeps them for the retry.
    this.#queue.splice(0, batch.length);
  }

  /** The request headers that say who posts: the bearer token, or the firm user's cookie and CSRF token. */
  async #credentials(signal: AbortSignal): Promise<Record<string, string>> {
    if ('token' in this.#o.auth) return { authorization: `Bearer ${this.#o.auth.token}` };
    if (!this.#signedIn) {
      const res = await this.#o.fetch(`${this.#o.base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(this.#o.auth.login),
        signal,
      });
      const text = await res.text();
      if (res.status === 401 || res.status === 403)
        throw new SignInRefused(`desk refused the sign-in of ${this.#o.auth.login.username} (${res.status}): ${text.slice(0, 200)}`);
      if (!res.ok) throw new Error(`sign-in answered ${res.status}: ${text.slice(0, 200)}`);
      const cookie = res.headers
        .getSetCookie()
        .map((c) => c.split(';')[0]!)
        .join('; ');
      this.#signedIn = { cookie, csrf: String((JSON.parse(text) as { csrfToken?: string }).csrfToken ?? '') };
    }
    return { cookie: this.#signedIn.cookie, 'x-csrf-token': this.#signedIn.csrf };
  }
}

/** The desk refused the firm user's credentials: retrying cannot help. */
class SignInRefused extends Error {}

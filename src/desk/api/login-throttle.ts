// Login rate limiting per username + client address: after `max` failures in
// `windowMs` further attempts are refused until the window has passed, whether
// or not the password is right (so guessing cannot continue). Failures are kept
// in the store, so every API replica and a restarted desk count the same ones.
import type { Clock } from '../../wire/index.ts';
import type { DeskStore } from '../store/index.ts';

export class LoginThrottle {
  readonly max: number;
  readonly windowMs: number;
  #store: DeskStore;
  #clock: Clock;

  constructor(store: DeskStore, clock: Clock, opts: { max?: number; windowMs?: number } = {}) {
    this.#store = store;
    this.#clock = clock;
    this.max = opts.max ?? 5;
    this.windowMs = opts.windowMs ?? 15 * 60_000;
  }

  /** Milliseconds until another attempt is allowed; 0 when allowed now. */
  async retryAfter(key: string): Promise<number> {
    const now = this.#clock.now();
    const { count, oldest } = await this.#store.loginFailures(key, now - this.windowMs);
    if (count < this.max || oldest === null) return 0;
    return Math.max(1, oldest + this.windowMs - now);
  }

  async fail(key: string): Promise<void> {
    const now = this.#clock.now();
    await this.#store.recordLoginFailure(key, now, now - this.windowMs);
  }

  async succeed(key: string): Promise<void> {
    await this.#store.clearLoginFailures(key);
  }
}

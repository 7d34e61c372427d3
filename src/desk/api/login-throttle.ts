// Login rate limiting per username + client address: after `max` failures in
// `windowMs` further attempts are refused until the window has passed, whether
// or not the password is right (so guessing cannot continue).
import type { Clock } from '../../wire/index.ts';

export class LoginThrottle {
  readonly max: number;
  readonly windowMs: number;
  #clock: Clock;
  #failures = new Map<string, number[]>();

  constructor(clock: Clock, opts: { max?: number; windowMs?: number } = {}) {
    this.#clock = clock;
    this.max = opts.max ?? 5;
    this.windowMs = opts.windowMs ?? 15 * 60_000;
  }

  #recent(key: string): number[] {
    const now = this.#clock.now();
    const list = (this.#failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (list.length) this.#failures.set(key, list);
    else this.#failures.delete(key);
    return list;
  }

  /** Milliseconds until another attempt is allowed; 0 when allowed now. */
  retryAfter(key: string): number {
    const list = this.#recent(key);
    if (list.length < this.max) return 0;
    return Math.max(1, list[0]! + this.windowMs - this.#clock.now());
  }

  fail(key: string): void {
    const list = this.#recent(key);
    list.push(this.#clock.now());
    this.#failures.set(key, list);
    // Bound memory under a flood of distinct keys.
    if (this.#failures.size > 100_000) this.#failures.delete(this.#failures.keys().next().value!);
  }

  succeed(key: string): void {
    this.#failures.delete(key);
  }
}

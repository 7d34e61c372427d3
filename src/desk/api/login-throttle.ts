// Login rate limiting, two ways. Per username + client address: after `max`
// failures in `windowMs`, that pair is refused until the window has passed,
// whether or not the password is right (so guessing cannot continue). Per
// client address alone: after `maxPerAddress` failures, whatever the usernames,
// the address is refused too, which slows password spraying (one password tried
// against many accounts). Failures are kept in the store, so every API replica
// and a restarted desk count the same ones.
import { isIPv6 } from 'node:net';
import type { Clock } from '../../wire/index.ts';
import type { DeskStore } from '../store/index.ts';

export interface LoginRefusal {
  code: 'LOGIN_RATE_LIMITED' | 'LOGIN_ADDRESS_RATE_LIMITED';
  /** Milliseconds until another attempt is allowed. */
  waitMs: number;
}

/** The first 64 bits of an IPv6 address: one host usually holds a whole /64, so it counts as one address. */
export function addressOf(ip: string): string {
  if (!isIPv6(ip) || /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(ip)) return ip.replace(/^::ffff:/i, '');
  const [head = '', tail = ''] = ip.split('%')[0]!.split('::');
  const h = head ? head.split(':') : [];
  const t = ip.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = [...h, ...Array(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export class LoginThrottle {
  readonly max: number;
  readonly maxPerAddress: number;
  readonly windowMs: number;
  #store: DeskStore;
  #clock: Clock;

  constructor(store: DeskStore, clock: Clock, opts: { max?: number; maxPerAddress?: number; windowMs?: number } = {}) {
    this.#store = store;
    this.#clock = clock;
    this.max = opts.max ?? 5;
    this.maxPerAddress = opts.maxPerAddress ?? 20;
    this.windowMs = opts.windowMs ?? 15 * 60_000;
  }

  // A username key always holds a '|', an address key never: no username can pose as an address.
  #keys(username: string, ip: string) {
    return { user: `${username.toLowerCase()}|${ip}`, address: `address ${addressOf(ip)}` };
  }

  /** Why a sign-in from `ip` as `username` is refused now, or null when it may go ahead. */
  async check(username: string, ip: string): Promise<LoginRefusal | null> {
    const now = this.#clock.now();
    const since = now - this.windowMs;
    const keys = this.#keys(username, ip);
    const [address, user] = await Promise.all([this.#store.loginFailures(keys.address, since), this.#store.loginFailures(keys.user, since)]);
    const wait = (f: { count: number; oldest: number | null }, max: number) =>
      f.count < max || f.oldest === null ? 0 : Math.max(1, f.oldest + this.windowMs - now);
    const a = wait(address, this.maxPerAddress);
    if (a > 0) return { code: 'LOGIN_ADDRESS_RATE_LIMITED', waitMs: a };
    const u = wait(user, this.max);
    return u > 0 ? { code: 'LOGIN_RATE_LIMITED', waitMs: u } : null;
  }

  async fail(username: string, ip: string): Promise<void> {
    const now = this.#clock.now();
    const keys = this.#keys(username, ip);
    await this.#store.recordLoginFailure([keys.user, keys.address], now, now - this.windowMs);
  }

  /** Clears the username's count only: a sprayer who knows one password must not reset the address's. */
  async succeed(username: string, ip: string): Promise<void> {
    await this.#store.clearLoginFailures(this.#keys(username, ip).user);
  }
}

// One Comp ID's logon account at a gateway, the same for the binary and the FIX gateway: the
// password, its history and age, bad attempts and the lock (OCG-C App. A), and the per-second
// message throttle. What a refusal is called on the wire (Session Status) is each gateway's own.
import { hashPassword, passwordCompliesWithPolicy, verifyPasswordHash, type PasswordCheckResult } from './password.ts';

const DAY_MS = 86_400_000;
/** App. A: a password lives 90 days. */
export const PASSWORD_LIFETIME_MS = 90 * DAY_MS;
/** App. A: the account locks after 3 bad attempts in a row. */
export const MAX_BAD_ATTEMPTS = 3;
/** App. A: a new password may not be one of the last 5. */
const HISTORY_CHECKED = 5;
/** Messages a second a Comp ID may send when its configuration gives no throttle (ours). */
export const DEFAULT_THROTTLE_MPS = 100;

export interface AccountConfig {
  /** scrypt hash of the current password (password.ts hashPassword). */
  passwordHash: string;
  /** When the current password was set, ms since the epoch; default: the gateway's start. */
  passwordSetAt?: number;
  mustChangePassword?: boolean;
  locked?: boolean;
}

/** Why a logon with a correctly checked password is refused, in the gateway's words for its reply. */
export type AccountRefusal = { ok: false; kind: 'invalidPassword' | 'expired' | 'badNewPassword' | 'passwordChangeRequired'; reason: string; detail: string };

export type AccountVerdict = { ok: true; passwordChanged: boolean; daysLeft: number } | AccountRefusal;

export class LogonAccount {
  passwordHash: string;
  passwordSetAt: number;
  readonly passwordHistory: string[];
  lastPasswordChangeAt = Number.NEGATIVE_INFINITY;
  mustChangePassword: boolean;
  badAttempts = 0;
  locked: boolean;
  #throttleWindowStart = 0;
  #throttleCount = 0;

  constructor(c: AccountConfig, now: number) {
    this.passwordHash = c.passwordHash;
    this.passwordSetAt = c.passwordSetAt ?? now;
    this.passwordHistory = [c.passwordHash];
    this.mustChangePassword = c.mustChangePassword === true;
    this.locked = c.locked === true;
  }

  /**
   * The password check's result applied to the account: a bad password counts towards the lock;
   * an expired password, a new password against the policy (8 letters and digits, not one of the
   * last 5, one change a day) or a change still owed refuses the logon; otherwise a new password
   * takes effect and the bad attempts are forgotten.
   */
  settle(res: PasswordCheckResult, now: number): AccountVerdict {
    if (!res.ok) {
      this.badAttempts++;
      if (this.badAttempts >= MAX_BAD_ATTEMPTS) this.locked = true;
      return { ok: false, kind: 'invalidPassword', reason: res.reason, detail: res.detail };
    }
    if (now - this.passwordSetAt > PASSWORD_LIFETIME_MS) return { ok: false, kind: 'expired', reason: 'expired', detail: 'password expired' };
    let passwordChanged = false;
    if (res.newPassword !== undefined) {
      const np = res.newPassword;
      const problem = !passwordCompliesWithPolicy(np)
        ? 'new password does not comply with the policy'
        : this.passwordHistory.slice(-HISTORY_CHECKED).some((h) => verifyPasswordHash(h, np))
          ? `new password was one of the last ${HISTORY_CHECKED}`
          : now - this.lastPasswordChangeAt < DAY_MS
            ? 'password already changed today'
            : null;
      if (problem !== null) return { ok: false, kind: 'badNewPassword', reason: 'badNewPassword', detail: problem };
      this.passwordHash = hashPassword(np);
      this.passwordHistory.push(this.passwordHash);
      this.passwordSetAt = now;
      this.lastPasswordChangeAt = now;
      this.mustChangePassword = false;
      passwordChanged = true;
    } else if (this.mustChangePassword) {
      return { ok: false, kind: 'passwordChangeRequired', reason: 'passwordChangeRequired', detail: 'password change required' };
    }
    this.badAttempts = 0;
    return { ok: true, passwordChanged, daysLeft: Math.max(0, Math.floor((this.passwordSetAt + PASSWORD_LIFETIME_MS - now) / DAY_MS)) };
  }

  /** Operations desk: unlock after the bad attempts (App. A). */
  unlock(): void {
    this.locked = false;
    this.badAttempts = 0;
  }

  /** ms left in the current 1 s window when over `mps`, else 0 (and the message counts); `mps` 0 is unlimited. */
  throttle(now: number, mps: number): number {
    if (mps === 0) return 0;
    if (now - this.#throttleWindowStart >= 1000) {
      this.#throttleWindowStart = now;
      this.#throttleCount = 0;
    }
    if (this.#throttleCount >= mps) return Math.max(1, this.#throttleWindowStart + 1000 - now);
    this.#throttleCount++;
    return 0;
  }
}

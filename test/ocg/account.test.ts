import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LogonAccount, MAX_BAD_ATTEMPTS, PASSWORD_LIFETIME_MS, hashPassword, type PasswordCheckResult } from '../../src/ocg/index.ts';

const CHEAP = { N: 16, r: 1, p: 1 };
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 11, 5, 1, 0, 0);
const good: PasswordCheckResult = { ok: true, loginTimeMs: T0 };
const bad: PasswordCheckResult = { ok: false, reason: 'wrongPassword', detail: 'password does not match' };

describe('LogonAccount (OCG-C App. A, both gateways)', () => {
  it('locks after three bad passwords in a row; a good one in between starts the count again; unlock clears it', () => {
    const a = new LogonAccount({ passwordHash: hashPassword('abcd1234', CHEAP) }, T0);
    assert.equal(MAX_BAD_ATTEMPTS, 3);
    assert.deepEqual(a.settle(bad, T0), { ok: false, kind: 'invalidPassword', reason: 'wrongPassword', detail: 'password does not match' });
    a.settle(bad, T0);
    assert.equal(a.settle(good, T0).ok, true);
    assert.equal(a.badAttempts, 0);
    a.settle(bad, T0);
    a.settle(bad, T0);
    assert.equal(a.locked, false);
    a.settle(bad, T0);
    assert.equal(a.locked, true);
    a.unlock();
    assert.equal(a.locked, false);
    assert.equal(a.badAttempts, 0);
  });

  it('a password older than 90 days is refused; the days left count down', () => {
    const a = new LogonAccount({ passwordHash: hashPassword('abcd1234', CHEAP), passwordSetAt: T0 }, T0);
    assert.deepEqual(a.settle(good, T0 + 30 * DAY), { ok: true, passwordChanged: false, daysLeft: 60 });
    assert.deepEqual(a.settle(good, T0 + PASSWORD_LIFETIME_MS + 1), { ok: false, kind: 'expired', reason: 'expired', detail: 'password expired' });
  });

  it('a new password must comply, differ from the last five and wait a day after the last change; one owed is required', () => {
    const a = new LogonAccount({ passwordHash: hashPassword('abcd1234', CHEAP), mustChangePassword: true }, T0);
    assert.equal((a.settle(good, T0) as { kind: string }).kind, 'passwordChangeRequired');
    const change = (np: string, at: number) => a.settle({ ...good, newPassword: np }, at);
    assert.deepEqual(change('short1', T0), {
      ok: false,
      kind: 'badNewPassword',
      reason: 'badNewPassword',
      detail: 'new password does not comply with the policy',
    });
    assert.equal((change('abcd1234', T0) as { detail: string }).detail, 'new password was one of the last 5');
    assert.deepEqual(change('wxyz5678', T0), { ok: true, passwordChanged: true, daysLeft: 90 });
    assert.equal(a.mustChangePassword, false);
    assert.equal(a.passwordHistory.length, 2);
    assert.equal((change('qrst9012', T0 + DAY - 1) as { detail: string }).detail, 'password already changed today');
    assert.equal(change('qrst9012', T0 + DAY).ok, true);
  });

  it('throttles to the configured messages a second, telling how long is left in the window; 0 is unlimited', () => {
    const a = new LogonAccount({ passwordHash: 'x' }, T0);
    assert.deepEqual([a.throttle(T0, 2), a.throttle(T0 + 100, 2), a.throttle(T0 + 400, 2)], [0, 0, 600]);
    assert.equal(a.throttle(T0 + 1000, 2), 0, 'a new window');
    for (let i = 0; i < 1000; i++) assert.equal(a.throttle(T0 + 2000, 0), 0);
  });
});

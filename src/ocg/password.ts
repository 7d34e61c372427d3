// OCG-C password handling (spec note §1.4, App. A): RSA-2048 keypair per venue with the public
// key exported for clients; the client encrypts `YYYYMMDDHHMMSS` (UTC login time) + password with
// the public key and sends it base64 in Logon's Password field; the gateway decrypts, checks the
// time prefix against a tolerance and the password against a stored scrypt hash.
//
// Padding: the spec accepts PKCS#1 v1.5 or OAEP. OAEP hash/MGF are not stated [UNVERIFIED]; we
// use SHA-1/MGF1-SHA-1 (the LME sibling spec's choice). The gateway tries OAEP first, then v1.5.
// Time tolerance not published [UNVERIFIED]: configurable, default ±5 min [INF].
// New Password carries no time prefix by default (LME sibling, §8 item 13) — switchable.
import crypto from 'node:crypto';
import { Worker } from 'node:worker_threads';
import os from 'node:os';

export type RsaPadding = 'oaep' | 'pkcs1';

export interface VenueKeyPair {
  publicKeyPem: string;
  privateKeyPem: string;
}

/** A fresh RSA-2048 keypair (PEM: SPKI public, PKCS#8 private). ~0.2 s. */
export function generateVenueKeyPair(): VenueKeyPair {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKeyPem: publicKey, privateKeyPem: privateKey };
}

/** The public key of a private key, as PEM (for `--export-public-key`). */
export function publicKeyOf(privateKeyPem: string): string {
  return crypto.createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();
}

/** UTC `YYYYMMDDHHMMSS` (§1.4). */
export function loginTimePrefix(nowMs: number): string {
  return new Date(nowMs).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

function parseLoginTime(prefix: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(prefix);
  if (m === null) return null;
  const t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return Number.isNaN(t) ? null : t;
}

const PADDING = { oaep: crypto.constants.RSA_PKCS1_OAEP_PADDING, pkcs1: crypto.constants.RSA_PKCS1_PADDING } as const;

/**
 * Client side: the Password field value, base64 of RSA(publicKey, loginTime + password) (§1.4).
 * `withTimePrefix: false` for New Password (§8 item 13).
 */
export function encryptPassword(
  publicKeyPem: string,
  password: string,
  nowMs: number,
  options: { padding?: RsaPadding; withTimePrefix?: boolean } = {},
): string {
  const plain = (options.withTimePrefix === false ? '' : loginTimePrefix(nowMs)) + password;
  const padding = options.padding ?? 'oaep';
  const ct = crypto.publicEncrypt(
    { key: publicKeyPem, padding: PADDING[padding], ...(padding === 'oaep' ? { oaepHash: 'sha1' } : {}) },
    Buffer.from(plain, 'latin1'),
  );
  return ct.toString('base64');
}

/** Gateway side: RSA-decrypt a base64 Password field; null when it is not a ciphertext of this key. */
export function decryptPasswordField(privateKey: crypto.KeyObject | string, base64: string): string | null {
  const ct = Buffer.from(base64, 'base64');
  if (ct.length !== 256) return null;
  try {
    return crypto.privateDecrypt({ key: privateKey, padding: PADDING.oaep, oaepHash: 'sha1' }, ct).toString('latin1');
  } catch {
    // not OAEP: try PKCS#1 v1.5 (Node answers garbage rather than throwing under implicit rejection)
  }
  try {
    return crypto.privateDecrypt({ key: privateKey, padding: PADDING.pkcs1 }, ct).toString('latin1');
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Stored passwords: scrypt, self-describing `scrypt$N$r$p$saltB64$hashB64`.

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}
/** Default cost for stored hashes (≈ 10 ms on this kind of machine). */
export const DEFAULT_SCRYPT_COST: ScryptCost = { N: 4096, r: 8, p: 1 };

export function hashPassword(password: string, cost: ScryptCost = DEFAULT_SCRYPT_COST): string {
  const salt = crypto.randomBytes(16);
  const h = crypto.scryptSync(password, salt, 32, { N: cost.N, r: cost.r, p: cost.p, maxmem: 256 * cost.N * cost.r + 1024 * 1024 });
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64')}$${h.toString('base64')}`;
}

export function verifyPasswordHash(stored: string, password: string): boolean {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const N = Number(parts[1]),
    r = Number(parts[2]),
    p = Number(parts[3]);
  if (!Number.isInteger(N) || !Number.isInteger(r) || !Number.isInteger(p)) return false;
  const salt = Buffer.from(parts[4]!, 'base64'),
    want = Buffer.from(parts[5]!, 'base64');
  const got = crypto.scryptSync(password, salt, want.length, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 });
  return got.length === want.length && crypto.timingSafeEqual(got, want);
}

/** App. A: 8 characters, letters and digits mixed. */
export function passwordCompliesWithPolicy(password: string): boolean {
  return /^[A-Za-z0-9]{8}$/.test(password) && /[A-Za-z]/.test(password) && /[0-9]/.test(password);
}

// ---------------------------------------------------------------------------------------------
// The gateway's check: decrypt, time window, hash. CPU-bound (RSA private op ≈ 1 ms, scrypt per
// its cost), so a logon storm is spread over a pool of worker threads, one per core.

export interface PasswordCheckRequest {
  password: string;
  newPassword?: string;
  /** Stored hash of the current password. */
  hash: string;
  nowMs: number;
  toleranceMs: number;
  newPasswordHasTimePrefix: boolean;
}

export type PasswordCheckResult =
  | { ok: true; loginTimeMs: number; newPassword?: string }
  | { ok: false; reason: 'undecryptable' | 'badTimePrefix' | 'timeOutOfTolerance' | 'wrongPassword' | 'badNewPassword'; detail: string };

export function checkPassword(privateKey: crypto.KeyObject | string, req: PasswordCheckRequest): PasswordCheckResult {
  const plain = decryptPasswordField(privateKey, req.password);
  if (plain === null) return { ok: false, reason: 'undecryptable', detail: 'Password is not an RSA ciphertext of the venue key' };
  const t = parseLoginTime(plain.slice(0, 14));
  if (t === null) return { ok: false, reason: 'badTimePrefix', detail: 'Password plaintext does not start with YYYYMMDDHHMMSS' };
  if (Math.abs(t - req.nowMs) > req.toleranceMs) {
    return {
      ok: false,
      reason: 'timeOutOfTolerance',
      detail: `login time ${plain.slice(0, 14)} is ${Math.round((t - req.nowMs) / 1000)} s off the gateway clock (tolerance ${req.toleranceMs / 1000} s)`,
    };
  }
  if (!verifyPasswordHash(req.hash, plain.slice(14))) return { ok: false, reason: 'wrongPassword', detail: 'password does not match' };
  if (req.newPassword === undefined) return { ok: true, loginTimeMs: t };
  const np = decryptPasswordField(privateKey, req.newPassword);
  if (np === null) return { ok: false, reason: 'badNewPassword', detail: 'New Password is not an RSA ciphertext of the venue key' };
  return { ok: true, loginTimeMs: t, newPassword: req.newPasswordHasTimePrefix ? np.slice(14) : np };
}

/** Runs checkPassword on worker threads (falls back to the calling thread with `workers: 0`). */
export class PasswordChecker {
  readonly #key: crypto.KeyObject;
  readonly #pem: string;
  readonly #workers: Worker[] = [];
  readonly #inflight: number[] = [];
  readonly #pending = new Map<number, (r: PasswordCheckResult) => void>();
  readonly #ready: Promise<void>[] = [];
  #nextId = 1;

  constructor(privateKeyPem: string, options: { workers?: number } = {}) {
    this.#pem = privateKeyPem;
    this.#key = crypto.createPrivateKey(privateKeyPem);
    const n = options.workers ?? Math.max(1, os.availableParallelism());
    for (let i = 0; i < n; i++) this.#spawn(i);
  }

  #spawn(i: number): void {
    const w = new Worker(new URL('./password-worker.ts', import.meta.url), { workerData: { privateKeyPem: this.#pem } });
    w.unref();
    let markReady: () => void = () => {};
    this.#ready.push(
      new Promise<void>((r) => {
        markReady = r;
      }),
    );
    w.on('message', (m: { id: number; result: PasswordCheckResult; ready?: true }) => {
      if (m.ready === true) {
        markReady();
        return;
      }
      this.#inflight[i]!--;
      const done = this.#pending.get(m.id);
      this.#pending.delete(m.id);
      done?.(m.result);
    });
    w.on('error', () => {
      /* a crashed worker: its pending checks fail below */
    });
    w.on('exit', () => {
      markReady();
      // pending checks of a dead worker would hang: fail them all (rare; the logons are refused)
      for (const [id, done] of this.#pending) {
        this.#pending.delete(id);
        done({ ok: false, reason: 'undecryptable', detail: 'password worker exited' });
      }
    });
    this.#workers[i] = w;
    this.#inflight[i] = 0;
  }

  /** Worker threads running (0: checks on the calling thread, also after close()). */
  get workers(): number {
    return this.#workers.length;
  }

  /** Resolves when every worker has loaded the key (a logon storm right after start is not slowed by start-up). */
  ready(): Promise<void> {
    return Promise.all(this.#ready).then(() => {});
  }

  check(req: PasswordCheckRequest): Promise<PasswordCheckResult> {
    if (this.#workers.length === 0) return Promise.resolve(checkPassword(this.#key, req));
    let best = 0;
    for (let i = 1; i < this.#workers.length; i++) if (this.#inflight[i]! < this.#inflight[best]!) best = i;
    const id = this.#nextId++;
    this.#inflight[best]!++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.#workers[best]!.postMessage({ id, req });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
    this.#workers.length = 0;
    for (const done of this.#pending.values()) done({ ok: false, reason: 'undecryptable', detail: 'password checker closed' });
    this.#pending.clear();
  }
}

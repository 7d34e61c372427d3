// Worker thread of PasswordChecker (password.ts): RSA private decrypt + scrypt off the main thread,
// so a logon storm uses every core while the gateway's event loop keeps serving sockets.
import crypto from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { checkPassword } from './password.ts';
import type { PasswordCheckRequest, PasswordCheckResult } from './password.ts';

const key = crypto.createPrivateKey((workerData as { privateKeyPem: string }).privateKeyPem);
parentPort!.on('message', (m: { id: number; req: PasswordCheckRequest }) => {
  let result: PasswordCheckResult;
  try {
    result = checkPassword(key, m.req);
  } catch (e) {
    result = { ok: false, reason: 'undecryptable', detail: `password check failed: ${(e as Error).message}` };
  }
  parentPort!.postMessage({ id: m.id, result });
});
parentPort!.postMessage({ ready: true });

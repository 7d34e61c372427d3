// ocg.logon.storm: milliseconds for 2,000 OCG-C sessions to log on at once, each with its own
// RSA-2048-encrypted, time-prefixed password (spec note §1.4). Gateway in a child process (its
// password checks on a worker-thread pool, one per core); the 2,000 clients in this process
// connect at the same instant, each sends its Logon, and the clock stops at the last accepted
// Logon reply. Client-side encryption is done before the start (in reality 2,000 machines do it).
import { fork } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { bench } from './report.ts';
import { OcgFrameReader, OcgMsgType, SessionStatus, encodeMessage, encryptPassword, generateVenueKeyPair } from '../src/ocg/index.ts';

const SESSIONS = Number(process.env.OCG_STORM_SESSIONS ?? 2000);
const PASSWORD = 'Storm123';
const COST = { N: 1024, r: 1, p: 1 }; // scrypt cost of the stored hashes
const PADDING = (process.env.OCG_STORM_PADDING ?? 'oaep') as 'oaep' | 'pkcs1';
const WORKERS = process.env.OCG_STORM_WORKERS === undefined ? undefined : Number(process.env.OCG_STORM_WORKERS);

const keys = generateVenueKeyPair();
const child = fork(fileURLToPath(new URL('./ocg.logon.gateway.ts', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const ready = new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
child.send({ privateKeyPem: keys.privateKeyPem, sessions: SESSIONS, password: PASSWORD, cost: COST, ...(WORKERS !== undefined ? { workers: WORKERS } : {}) });
const port = await ready;

const now = Date.now();
const frames = Array.from({ length: SESSIONS }, (_, i) =>
  encodeMessage(
    { seqNum: 1, compId: `ST${String(i).padStart(6, '0')}` },
    { msgType: OcgMsgType.Logon, password: encryptPassword(keys.publicKeyPem, PASSWORD, now, { padding: PADDING }), nextExpectedMessageSequence: 1 },
  ),
);

let accepted = 0,
  refused = 0,
  failed = 0;
const sockets: net.Socket[] = [];
const t0 = performance.now();
const done = new Promise<number>((resolve) => {
  const finish = () => {
    if (accepted + refused + failed === SESSIONS) resolve(performance.now() - t0);
  };
  for (let i = 0; i < SESSIONS; i++) {
    const s = net.connect({ port, host: '127.0.0.1' });
    sockets.push(s);
    const reader = new OcgFrameReader();
    let settled = false;
    const settle = (what: 'ok' | 'refused' | 'failed') => {
      if (settled) return;
      settled = true;
      if (what === 'ok') accepted++;
      else if (what === 'refused') refused++;
      else failed++;
      finish();
    };
    s.on('connect', () => {
      s.setNoDelay(true);
      s.write(frames[i]!);
    });
    s.on('data', (c: Buffer) => {
      reader.push(c);
      const r = reader.next();
      if (r === null) return;
      settle(r.ok && r.message.msgType === OcgMsgType.Logon && r.message.sessionStatus === SessionStatus.SessionActive ? 'ok' : 'refused');
    });
    s.on('error', () => settle('failed'));
    s.on('close', () => settle('failed'));
  }
});
const timeout = new Promise<number>((resolve) => setTimeout(() => resolve(Number.NaN), 60_000).unref());
const ms = await Promise.race([done, timeout]);

for (const s of sockets) s.destroy();
child.send({ cmd: 'exit' });
bench('ocg.logon.storm', Math.round(ms), 'ms', {
  sessions: SESSIONS,
  accepted,
  refused,
  failed,
  goal: '<2000',
  padding: PADDING,
  rsa: 2048,
  scrypt: `N${COST.N}r${COST.r}`,
  workers: WORKERS ?? 'per-core',
});
await new Promise((r) => child.once('exit', r));

// omd.e2e: messages/s from an OmdPublisher (child process) through loopback multicast
// lines A and B into a FeedHandler (this process) that maintains the books. 10 s window.
// `lost=` must be 0: every channel's expected SN and snapshot digest equal the publisher's.
import { fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bench } from './report.ts';
import { FeedHandler, loopbackFeed, type FeedConfig } from '../src/omd/index.ts';

const RATE = Number(process.env.OMD_BENCH_RATE ?? 500_000);
const DURATION_MS = Number(process.env.OMD_BENCH_MS ?? 10_000);
const SECURITIES = 2000;
/** Fraction of data datagrams dropped on both lines (0 = none; recovery then runs at speed). */
const LOSS = Number(process.env.OMD_BENCH_LOSS ?? 0);
const RMEM = '/proc/sys/net/core/rmem_max';
const WANT_RMEM = 16 * 1024 * 1024;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// The receiver asks for 8 MB buffers; the kernel caps them at rmem_max. Raise it for the run
// only when we are root, and put the old value back whatever happens.
let oldRmem: string | null = null;
try {
  const cur = readFileSync(RMEM, 'utf8').trim();
  if (process.getuid?.() === 0 && Number(cur) < WANT_RMEM) {
    writeFileSync(RMEM, String(WANT_RMEM));
    oldRmem = cur;
  }
} catch {
  /* not Linux or not allowed: run with what the kernel gives */
}
const restoreRmem = () => {
  if (oldRmem !== null) {
    try {
      writeFileSync(RMEM, oldRmem);
    } catch {
      /* ignore */
    }
    oldRmem = null;
  }
};
process.on('exit', restoreRmem);
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.on(sig, () => {
    restoreRmem();
    process.exit(130);
  });

// RTS on ephemeral ports (the publisher reports them); multicast groups/ports fixed.
const cfg = loopbackFeed({ products: ['SS', 'SP', 'SF', 'Index'], groupBase: 249, basePort: 55800, rtsPorts: [0, 0] });

const child = fork(fileURLToPath(new URL('./omd.e2e.publisher.ts', import.meta.url)), [], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  ...(process.env.OMD_BENCH_PROF ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${process.env.OMD_BENCH_PROF}`] } : {}),
});
const inbox: Record<string, unknown>[] = [];
child.on('message', (m) => inbox.push(m as Record<string, unknown>));
async function expect(ev: string, ms = 60_000): Promise<Record<string, unknown>> {
  const end = Date.now() + ms;
  for (;;) {
    const k = inbox.findIndex((m) => m.ev === ev);
    if (k >= 0) return inbox.splice(k, 1)[0]!;
    if (Date.now() > end) throw new Error(`publisher did not report ${ev}`);
    await sleep(5);
  }
}

child.send({ cmd: 'start', cfg, securities: SECURITIES, rate: RATE, durationMs: DURATION_MS, poolMessages: 300_000, rtsUser: 'BENCH01', lossBoth: LOSS });
const started = (await expect('started')) as { pool: number; rts: FeedConfig['rts'] };
const handler = new FeedHandler({ ...cfg, rts: started.rts }, { rtsUsername: 'BENCH01', arbitrationTimeoutMs: 20 });
await handler.start();
for (let i = 0; i < 2000 && !handler.synchronised; i++) await sleep(5); // first refresh cycle
if (!handler.synchronised) throw new Error('handler did not synchronise');

const c0 = handler.counters;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
child.send({ cmd: 'go' });
const done = (await expect('done', DURATION_MS + 30_000)) as { sent: number; elapsedMs: number; nextSeq: Record<string, number> };
// Wait until the handler has applied everything the publisher sent (or give up after 10 s).
const caughtUp = () =>
  cfg.channels.every((c) => {
    const s = handler.status(c.channelId);
    return s.mode === 'live' && s.expected >= done.nextSeq[c.channelId]!;
  });
for (let i = 0; i < 2000 && !caughtUp(); i++) await sleep(5);
const t1 = performance.now();
const cpu = process.cpuUsage(cpu0);
const c1 = handler.counters;

const msgs = c1.messages - c0.messages;
const secs = (t1 - t0) / 1000;
child.send({ cmd: 'digest' });
const dig = (await expect('digest')) as { digests: Record<string, string>; anomalies: number };
let lost = 0;
let mismatched = 0;
for (const c of cfg.channels) {
  const s = handler.status(c.channelId);
  lost += Math.max(0, done.nextSeq[c.channelId]! - s.expected);
  if (handler.image(c.channelId).digest(c.product) !== dig.digests[c.channelId]) mismatched++;
}
child.send({ cmd: 'exit' });
await handler.stop();
restoreRmem();

bench('omd.e2e', Math.round(msgs / secs), 'msg/s', {
  lost: lost + mismatched,
  sent: done.sent,
  target: RATE,
  pubRate: Math.round(done.sent / (done.elapsedMs / 1000)),
  // The handler's own CPU: what it used for this rate, and the rate one full core would sustain.
  handlerCpuPct: Math.round(((cpu.user + cpu.system) / 1000 / (t1 - t0)) * 100),
  capacity: Math.round(msgs / ((cpu.user + cpu.system) / 1e6)),
  gaps: c1.gapsSeen - c0.gapsSeen,
  rts: c1.recoveredByRts - c0.recoveredByRts,
  refresh: c1.recoveredByRefresh - c0.recoveredByRefresh,
  dup: c1.duplicates - c0.duplicates,
  ...(LOSS > 0 ? { loss: LOSS } : {}),
  channels: cfg.channels.length,
  securities: SECURITIES,
  pool: Number(started.pool),
  digestsEqual: mismatched === 0 ? 'yes' : 'no',
});
process.exit(0);

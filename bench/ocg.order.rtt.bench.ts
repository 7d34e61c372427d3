// ocg.order.rtt_p99: microseconds from New Order (built and written by the client) to its
// Execution Report ack back in the client, at a steady 5,000 orders/s through one OCG-C session,
// client here and gateway + matching engine in a child process, loopback. Goal p99 < 200 µs
// (QuickFIX C++ here: ~111; a plain TCP echo of the same sizes: ~76). p50 and p99.9 in extras.
// Orders are paced by a worker thread that sleeps to each slot (bench/ocg.pacer.ts; timers cannot
// do 200 µs, and a spinning pacer took a core from the gateway); each order is sent when its slot's
// message arrives and timed from that send, so a slow answer does not delay the next order.
// Bounded: a 2 s warm-up, then 8 s measured (40,000 orders). On a loaded 2-core machine the tail
// still measures the neighbours too (see loadavg in the line). Tail sources measured with the
// order index: stalls at exactly 8192/16384/32768 orders, most likely Map doublings (client
// #orders/#seenReports, engine #orders/#clOrdIds: 3–11 ms), Mark-Compact finalisation as old
// space grows (4–16 ms), a stall near 10–12k messages that a plain TCP echo child shows too, and
// run-queue waits (0.5–1.8 s per run in /proc/<pid>/schedstat). Plain echo, this pacer: p99 0.3–0.5 ms.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { bench } from './report.ts';
import { BUY_PX, SELL_PX, startBenchSession } from './ocg-session.ts';
import { Side } from '../src/ocg/index.ts';

const RATE = 5000;
const WARMUP_MS = 2000;
const MEASURE_MS = Number(process.env.OCG_BENCH_MS ?? 8000);

// Young generation capped at 1 MB in both processes: each keeps what it sends (resting orders, the
// session's stored frames for resend), so every scavenge copies those survivors; with V8's default
// 16 MB semi-space that was a 2–12 ms pause every ~0.6 s in each process (--trace-gc), about 2% of
// the orders waiting behind one. At 1 MB: a ~0.35 ms pause every ~40 ms (total GC time per
// process 65–70 ms -> 115–130 ms over the run; the pauses, not the total, make the tail).
// V8 reads the flag only at start-up, so this process re-runs itself with it.
const SEMI_SPACE = '--max-semi-space-size=1';
if (!process.execArgv.includes(SEMI_SPACE)) {
  const r = spawnSync(process.execPath, [...process.execArgv, SEMI_SPACE, fileURLToPath(import.meta.url)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
// The venue child inherits this process's flags (the semi-space size above).
const { child, client } = await startBenchSession();

/** Paced run; resolves with the round trips (µs) of the orders sent after `measureFrom` ms. */
function paced(totalMs: number, measureFromMs: number): Promise<{ rtt: Float64Array; n: number; lost: number }> {
  return new Promise((resolve) => {
    const intervalMs = 1000 / RATE;
    const total = Math.floor(totalMs / intervalMs);
    const first = Math.floor(measureFromMs / intervalMs);
    const rtt = new Float64Array(total - first);
    let answered = 0, lost = 0;
    const pacer = new Worker(new URL('./ocg.pacer.ts', import.meta.url), { workerData: { intervalMs, total } });
    const finish = () => { void pacer.terminate(); resolve({ rtt: rtt.subarray(0, rtt.length), n: answered, lost }); };
    pacer.on('message', (i: number) => {
      const buy = (i & 1) === 0;
      const start = performance.now();
      client.newOrder({ securityId: '700', side: buy ? Side.Buy : Side.Sell, quantity: 100n, price: (buy ? BUY_PX : SELL_PX)[(i >> 1) % 20]! }).then(
        () => { if (i >= first) rtt[i - first] = (performance.now() - start) * 1000; if (++answered + lost === total) finish(); },
        () => { if (++lost + answered === total) finish(); },
      );
    });
  });
}

const load = loadavg()[0]!;
const r = await paced(WARMUP_MS + MEASURE_MS, WARMUP_MS);
const sorted = Float64Array.from(r.rtt).sort();
const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
bench('ocg.order.rtt_p99', Math.round(q(0.99)), 'us', {
  p50: Math.round(q(0.5)), p99_9: Math.round(q(0.999)), max: Math.round(sorted[sorted.length - 1]!), orders: sorted.length, rate: RATE, lost: r.lost, loadavg: load.toFixed(1), goal: '<200',
});
await client.close('bench over');
child.send({ cmd: 'exit' });

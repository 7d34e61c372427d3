// Worker thread of bench/ocg.order.rtt.bench.ts: the order clock. Sleeps (Atomics.wait, a futex
// with sub-millisecond timeout) until each slot is due and posts its index; the main thread sends
// that order when the message wakes it. Neither thread spins, so on this 2-core machine the
// client no longer burns a whole core that the gateway process and the neighbours then lack
// (a setImmediate spin measured ocg.order.rtt_p99 8–15 ms against 3.5–6 ms with this pacer).
import { parentPort, workerData } from 'node:worker_threads';

const { intervalMs, total } = workerData as { intervalMs: number; total: number };
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const t0 = performance.now();
for (let i = 0; i < total; i++) {
  const rest = t0 + i * intervalMs - performance.now();
  if (rest > 0) Atomics.wait(sleeper, 0, 0, rest);
  parentPort!.postMessage(i);
}

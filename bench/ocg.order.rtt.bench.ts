// ocg.order.rtt_p99: microseconds from New Order to its Execution Report ack back in the client, at a
// steady 5,000 orders/s through one OCG-C session, client here and gateway + matching engine in a
// child process (bench/ocg.venue.ts), loopback. Run once per profile (bench/ocg-session.ts):
// `ocg.order.rtt_p99` with the low-latency profile in both processes (src/lowlatency; goal
// p99 < 200 µs; QuickFIX C++ here: ~111, a plain TCP echo of the same sizes: ~76), and
// `ocg.order.rtt_p99.default` with the default one (no goal). p50 and p99.9 in extras.
// Each order is timed from the moment its slot was due, not from when it was sent: a stall in
// this process delays the orders due during it, and they count (no coordinated omission). The
// order clock is the busy poll's sub-millisecond timer with the low-latency profile, setTimeout
// (millisecond resolution) with the default one; send_delay_p99 says how late the clock sent.
// Bounded: 8 s warm-up (40,000 orders: JIT tier-ups must be over before measuring), then 8 s
// measured. The client sends with OcgClient.submitNewOrder (callbacks, no promise per order)
// inside OcgClient.batch (one write per order-clock turn).
import { loadavg } from 'node:os';
import { bench } from './report.ts';
import { BUY_PX, SELL_PX, benchProfile, startBenchSession } from './ocg-session.ts';
import { Side, type ClientOrder, type ExecutionReport } from '../src/ocg/index.ts';
import { LowLatencyProfile, busyPollKind } from '../src/lowlatency/index.ts';

const profileName = benchProfile(import.meta.url);
const RATE = 5000;
const WARMUP_MS = Number(process.env['OCG_BENCH_WARMUP_MS'] ?? 8000);
const MEASURE_MS = Number(process.env['OCG_BENCH_MS'] ?? 8000);

const lowLatency = profileName === 'low-latency' ? new LowLatencyProfile() : null;
const { child, client } = await startBenchSession(undefined, lowLatency ?? undefined);
/** The order clock: fn after delayMs. */
const schedule =
  lowLatency !== null
    ? (delayMs: number, fn: () => void) => lowLatency.schedule(delayMs, fn)
    : (delayMs: number, fn: () => void) => {
        setTimeout(fn, Math.max(0, delayMs));
      };

/** Paced run; resolves with the round trips (µs) of the orders due after `measureFromMs`. */
function paced(totalMs: number, measureFromMs: number): Promise<{ rtt: Float64Array; sendDelay: Float64Array; lost: number }> {
  return new Promise((resolve) => {
    const intervalMs = 1000 / RATE;
    const total = Math.floor(totalMs / intervalMs);
    const first = Math.floor(measureFromMs / intervalMs);
    const rtt = new Float64Array(total); // every order's, warm-up included: no new code path when measuring starts
    const sendDelay = new Float64Array(total); // µs from its due slot to submitNewOrder() having sent it
    let answered = 0,
      lost = 0,
      next = 0;
    const t0 = performance.now();
    // One order object, reused (submitNewOrder reads it at once), and two shared handlers: the
    // harness adds as little garbage as it can to the process it measures. The order's index is
    // its Client Order ID − 1.
    const dueAt = new Float64Array(total);
    const order: ClientOrder = { securityId: '700', side: Side.Buy, quantity: 100n, price: BUY_PX[0]!, clientOrderId: '' };
    const done = (): void => {
      if (answered + lost === total) resolve({ rtt: rtt.subarray(first), sendDelay: sendDelay.subarray(first), lost });
    };
    const onAck = (er: ExecutionReport): void => {
      const i = Number(er.clientOrderId) - 1;
      rtt[i] = (performance.now() - dueAt[i]!) * 1000;
      answered++;
      done();
    };
    const onLost = (): void => {
      lost++;
      done();
    };
    const send = (i: number, due: number): void => {
      const buy = (i & 1) === 0;
      dueAt[i] = due;
      order.side = buy ? Side.Buy : Side.Sell;
      order.price = (buy ? BUY_PX : SELL_PX)[(i >> 1) % 20]!;
      order.clientOrderId = String(i + 1);
      client.submitNewOrder(order, onAck, onLost);
      sendDelay[i] = (performance.now() - due) * 1000;
    };
    const sendDue = (): void => {
      const now = performance.now();
      for (let due = t0 + next * intervalMs; next < total && due <= now; due = t0 + next * intervalMs) send(next++, due);
    };
    const turn = (): void => {
      client.batch(sendDue); // what it sends leaves in one write as it returns (no tick scheduled)
      if (next < total) schedule(t0 + next * intervalMs - performance.now(), turn);
    };
    schedule(0, turn);
  });
}

const load = loadavg()[0]!;
const r = await paced(WARMUP_MS + MEASURE_MS, WARMUP_MS);
const sorted = Float64Array.from(r.rtt).sort();
const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const sendSorted = Float64Array.from(r.sendDelay).sort();
bench(lowLatency !== null ? 'ocg.order.rtt_p99' : 'ocg.order.rtt_p99.default', Math.round(q(0.99)), 'us', {
  p50: Math.round(q(0.5)),
  p90: Math.round(q(0.9)),
  p99_9: Math.round(q(0.999)),
  max: Math.round(sorted[sorted.length - 1]!),
  orders: sorted.length,
  rate: RATE,
  send_delay_p99: Math.round(sendSorted[Math.floor(0.99 * sendSorted.length)]!), // how late the client's clock sent (included above)
  lost: r.lost,
  loadavg: load.toFixed(1),
  profile: profileName,
  ...(lowLatency !== null ? { goal: '<200', poll: busyPollKind, quiet_gc_client: lowLatency.quietCollections } : {}),
});
await client.close('bench over');
child.send({ cmd: 'exit' });

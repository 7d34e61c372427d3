// ocg.order.rate: New Orders per second through one OCG-C session to their Execution Reports
// (acks) back, client (this process) and gateway + matching engine (child process) on loopback,
// at most 1,000 orders outstanding. Run once per profile (bench/ocg-session.ts): `ocg.order.rate`
// with the default one (goal ≥ 115,000; QuickFIX C++ 1.15: ~113,000 on this machine class) and
// `ocg.order.rate.low_latency` with src/lowlatency in both processes (no goal). Orders rest
// without crossing (buys 381.2–385.0, sells 385.4–389.2), so each order is answered by exactly one
// report ('0'). Bounded: COUNT orders or 20 s.
import { loadavg } from 'node:os';
import { bench } from './report.ts';
import { BUY_PX, SELL_PX, benchProfile, startBenchSession } from './ocg-session.ts';
import { Side, type ExecutionReport } from '../src/ocg/index.ts';
import { LowLatencyProfile } from '../src/lowlatency/index.ts';

const profileName = benchProfile(import.meta.url);

const COUNT = Number(process.env.OCG_BENCH_ORDERS ?? 300_000);
const WARMUP = 20_000;
const WINDOW = 1000;
const LIMIT_MS = 20_000;
const PROMISES = process.env.OCG_BENCH_PROMISES === '1';

const { child, client } = await startBenchSession(
  process.env.OCG_BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.OCG_BENCH_PROF}`] : [],
  profileName === 'low-latency' ? new LowLatencyProfile() : undefined,
);

/** Send `n` orders keeping at most WINDOW outstanding; resolves with acks received and ms taken. */
function run(n: number, deadline: number): Promise<{ acks: number; others: number; ms: number }> {
  return new Promise((resolve) => {
    let sent = 0,
      done = 0,
      acks = 0,
      others = 0;
    const t0 = performance.now();
    const onReport = (er: ExecutionReport) => {
      if (er.execType === '0') acks++;
      else others++;
      done++;
      if (done === n || (done === sent && performance.now() > deadline)) {
        resolve({ acks, others, ms: performance.now() - t0 });
        return;
      }
      if (sent < n && performance.now() <= deadline) send();
    };
    const onError = () => onReport({ msgType: 10 } as ExecutionReport);
    const send = () => {
      const i = sent++;
      const buy = (i & 1) === 0;
      // The callback form (no promise, executor and resolving functions per order), as a sender
      // that counts its cost would use it; OCG_BENCH_PROMISES=1 measures newOrder()'s promise instead.
      const order = { securityId: '700', side: buy ? Side.Buy : Side.Sell, quantity: 100n, price: (buy ? BUY_PX : SELL_PX)[(i >> 1) % 20]! };
      if (PROMISES) client.newOrder(order).then(onReport, onError);
      else client.submitNewOrder(order, onReport, onError);
    };
    for (let k = 0; k < Math.min(WINDOW, n); k++) send();
  });
}

const venueCpu = () =>
  new Promise<number>((resolve) => {
    child.once('message', (m) => resolve((m as { cpu: number }).cpu));
    child.send({ cmd: 'cpu' });
  });
const ownCpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

await run(WARMUP, performance.now() + LIMIT_MS);
const load = loadavg()[0]!;
const [c0, v0] = [ownCpu(), await venueCpu()];
const r = await run(COUNT, performance.now() + LIMIT_MS);
const [c1, v1] = [ownCpu(), await venueCpu()];
const n = r.acks + r.others;
const rate = Math.round(n / (r.ms / 1000));
// The machine is shared: CPU µs per order on each side say what the pipeline costs without the
// neighbours; the slower side bounds the rate when each process has a core of its own.
const clientUs = (c1 - c0) / n,
  gatewayUs = (v1 - v0) / n;
bench(profileName === 'default' ? 'ocg.order.rate' : 'ocg.order.rate.low_latency', rate, 'orders/s', {
  orders: n,
  acks: r.acks,
  other_reports: r.others,
  window: WINDOW,
  seconds: (r.ms / 1000).toFixed(2),
  client_cpu_us_per_order: clientUs.toFixed(1),
  gateway_cpu_us_per_order: gatewayUs.toFixed(1),
  cpu_bound_rate: Math.round(1e6 / Math.max(clientUs, gatewayUs)),
  loadavg: load.toFixed(1),
  api: PROMISES ? 'newOrder-promise' : 'submitNewOrder-callbacks',
  profile: profileName,
  ...(profileName === 'default' ? { goal: 115000 } : {}),
});
await client.close('bench over');
child.send({ cmd: 'exit' });

// fix.order.rate: NewOrderSingles per second through one OCG-C FIX session to their
// ExecutionReports (acks) back, client (this process) and FIX gateway + matching engine (child
// process) on loopback, at most 1,000 orders outstanding; then fix.anchor.quickfix.rate, the same
// load between a QuickFIX C++ initiator and acceptor (bench/quickfix-anchor.cpp), and the ratio
// (goal ≥ 1.0). Orders rest without crossing: one report ('0') each. Bounded: COUNT orders or 20 s.
import { loadavg } from 'node:os';
import { bench } from './report.ts';
import { BUY_PX, SELL_PX, runQuickfixAnchor, startFixBenchSession } from './fix-session.ts';
import { fieldOf } from '../src/fix/index.ts';
import type { FixMessage } from '../src/fix/index.ts';

const COUNT = Number(process.env.FIX_BENCH_ORDERS ?? 100_000);
const WARMUP = 10_000;
const WINDOW = 1000;
const LIMIT_MS = 20_000;

const { child, client } = await startFixBenchSession();

function run(n: number, deadline: number): Promise<{ acks: number; others: number; ms: number }> {
  return new Promise((resolve) => {
    let sent = 0,
      done = 0,
      acks = 0,
      others = 0;
    const t0 = performance.now();
    const onReport = (m: FixMessage | null) => {
      if (m !== null && fieldOf(m, 150) === '0') acks++;
      else others++;
      done++;
      if (done === n || (done === sent && performance.now() > deadline)) {
        resolve({ acks, others, ms: performance.now() - t0 });
        return;
      }
      if (sent < n && performance.now() <= deadline) send();
    };
    const onError = () => onReport(null);
    const send = () => {
      const i = sent++;
      const buy = (i & 1) === 0;
      client.submitNewOrder({ securityId: '700', side: buy ? 1 : 2, quantity: 100, price: (buy ? BUY_PX : SELL_PX)[(i >> 1) % 20]! }, onReport, onError);
    };
    for (let k = 0; k < Math.min(WINDOW, n); k++) send();
  });
}

await run(WARMUP, performance.now() + LIMIT_MS);
const load = loadavg()[0]!;
const r = await run(COUNT, performance.now() + LIMIT_MS);
const n = r.acks + r.others;
const rate = Math.round(n / (r.ms / 1000));
await client.close('bench over');
child.send({ cmd: 'exit' });
bench('fix.order.rate', rate, 'orders/s', {
  orders: n,
  acks: r.acks,
  other_reports: r.others,
  window: WINDOW,
  seconds: (r.ms / 1000).toFixed(2),
  loadavg: load.toFixed(1),
});

const anchor = await runQuickfixAnchor('rate', n, WINDOW);
if (anchor.ok) {
  bench('fix.anchor.quickfix.rate', Math.round(anchor.value), 'orders/s', {
    ratio: (rate / anchor.value).toFixed(2),
    goal_ratio: '>=1.0',
    engine: 'quickfix-cpp',
    acceptor: 'ack-only',
    loadavg: loadavg()[0]!.toFixed(1),
  });
} else {
  bench('fix.anchor.quickfix.rate', 0, 'orders/s', { unavailable: anchor.why.replaceAll(' ', '_') });
}

// fix.order.rtt_p99: round trip from NewOrderSingle sent to its ExecutionReport (ack) back through
// one OCG-C FIX session, paced at 5,000 orders/s, client here and FIX gateway + matching engine in
// a child process on loopback; then fix.anchor.quickfix.rtt_p99, the same pacing between a QuickFIX
// C++ initiator and acceptor (bench/quickfix-anchor.cpp), and the ratio (goal ≤ 1.0).
import { loadavg } from 'node:os';
import { bench } from './report.ts';
import { BUY_PX, SELL_PX, runQuickfixAnchor, startFixBenchSession } from './fix-session.ts';

const COUNT = Number(process.env.FIX_BENCH_ORDERS ?? 50_000);
const RATE = 5_000;
const WARMUP = 5_000;

const { child, client } = await startFixBenchSession();

/** Send `n` orders paced at RATE/s (a 1 ms timer sends whatever is due); resolves with the round trips in µs. */
function paced(n: number): Promise<Float64Array> {
  return new Promise((resolve) => {
    const rtt = new Float64Array(n);
    let sent = 0,
      done = 0;
    const t0 = performance.now();
    const timer = setInterval(() => {
      const due = Math.min(n, Math.floor(((performance.now() - t0) * RATE) / 1000) + 1);
      while (sent < due) {
        const i = sent++;
        const buy = (i & 1) === 0;
        const at = performance.now();
        const finish = () => {
          rtt[i] = (performance.now() - at) * 1000;
          if (++done === n) resolve(rtt);
        };
        client.submitNewOrder({ securityId: '700', side: buy ? 1 : 2, quantity: 100, price: (buy ? BUY_PX : SELL_PX)[(i >> 1) % 20]! }, finish, finish);
      }
      if (sent === n) clearInterval(timer);
    }, 1);
  });
}

await paced(WARMUP);
const load = loadavg()[0]!;
const rtt = (await paced(COUNT)).sort();
const p = (q: number) => rtt[Math.min(rtt.length - 1, Math.floor(rtt.length * q))]!;
const p99 = p(0.99);
await client.close('bench over');
child.send({ cmd: 'exit' });
bench('fix.order.rtt_p99', Math.round(p99), 'us', {
  orders: COUNT,
  rate: RATE,
  p50_us: Math.round(p(0.5)),
  p999_us: Math.round(p(0.999)),
  loadavg: load.toFixed(1),
});

const anchor = await runQuickfixAnchor('rtt', COUNT, RATE);
if (anchor.ok) {
  bench('fix.anchor.quickfix.rtt_p99', Math.round(anchor.value), 'us', {
    ratio: (p99 / anchor.value).toFixed(2),
    goal_ratio: '<=1.0',
    engine: 'quickfix-cpp',
    acceptor: 'ack-only',
    ...Object.fromEntries(anchor.detail.split(' ').map((kv) => kv.split('=') as [string, string])),
    loadavg: loadavg()[0]!.toFixed(1),
  });
} else {
  bench('fix.anchor.quickfix.rtt_p99', 0, 'us', { unavailable: anchor.why.replaceAll(' ', '_') });
}

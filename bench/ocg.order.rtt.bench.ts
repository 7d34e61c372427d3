// ocg.order.rtt_p99: microseconds from New Order to its Execution Report ack back in the client, at a
// steady 5,000 orders/s through one OCG-C session, client here and gateway + matching engine in a
// child process (bench/ocg.venue.ts), loopback. Goal p99 < 200 µs (QuickFIX C++ here: ~111; a plain
// TCP echo of the same sizes: ~76). p50 and p99.9 in extras.
//
// Both processes run the low-latency profile (README "Low-latency profile"):
// - busy polling (src/wire/busy-poll.ts): the gateway with OcgGatewayOptions.busyPoll, and this
//   client's loop too; its order clock is the busy poll's sub-millisecond schedule() (setTimeout
//   has millisecond resolution). Sleeping in epoll cost 40–100 µs a wake-up on this 2-vCPU VM
//   (p50 104–139 µs, ~30 µs polling). The poll spins on the loop's epoll descriptor, so the loop
//   turns once per event: turning a million times a second made ~90 MB/s of garbage inside Node;
// - reads into one reused buffer (src/wire/socket-reads.ts): a Buffer per read left thousands of
//   backing stores to free after each young-generation collection, 0.5–0.8 ms at a time;
// - V8 flags: --single-threaded (no GC or compiler threads: with both cores polling, any other
//   thread preempted a poller for a whole time slice, 1–10 ms stalls), --max-semi-space-size=1 and
//   --minor-gc-task-trigger=5 (a young-generation collection once 5% of the 1 MB is used: every
//   few ms, ~0.1 ms each, instead of 0.4–0.6 ms every ~50 ms: a pause over ~170 µs pushes the
//   order in flight over 200 µs), --initial-old-space-size=512 (no full GC while the day's orders
//   accumulate: incremental marking slowed ~300 orders at a time, twice a run).
//   OCG_BENCH_GC_TRIGGER and OCG_BENCH_SEMI_MB change the two young-generation settings;
//   --no-node-snapshot (a Node option): each young-generation collection walks the start-up
//   snapshot's object cache as roots; without Node's snapshot that fell from ~0.065 to ~0.022 ms
//   of a ~0.13 ms pause (--trace-gc-nvp), and in 3 paired runs the orders over 200 µs from
//   482/752/1088 to 380/441/581;
// - quiet collections (src/wire/quiet-gc.ts): both processes collect their young generation when
//   they are idle (see QUIET_GC below), so V8 seldom collects in the middle of an order.
// Sched tracing (perf sched_switch) of a run: what preempts the two pollers for over 80 µs is the
// kernel's kdamond.0 (1.1–3.9 ms every 512 ms, always CPU 0), the sandbox's process_api
// (tokio-rt-worker, ~1.7 ms every ~2 s) and kworkers; a tool backend also runs ~36 µs every 50 ms.
// Each order is timed from the moment its slot was due, not from when it was sent: a stall in
// this process delays the orders due during it, and they count (no coordinated omission).
// Bounded: 8 s warm-up (40,000 orders: with --single-threaded, JIT tier-ups compile on the main
// thread, and with 4 s some still landed in the measured window), then 8 s measured (40,000 orders).
// The client sends with OcgClient.submitNewOrder (callbacks, no promise per order) inside
// OcgClient.batch (one write per order-clock turn, no tick object).
// What is left of the tail on this machine, with OCG_BENCH_STALLS=60 (which late orders overlap
// which process's stalls, from the pollers' stall records): ~290 orders a run overlap a host
// preemption of over 1 ms (kdamond.0 every 512 ms, process_api every ~2 s, kworkers: see above),
// ~210–250 a loop turn of 100–500 µs in one of the two processes, mostly the gateway's
// young-generation collections; the p99 needs fewer than 400 orders over 200 µs. Progress:
// 3,600–5,700 µs p99 without the profile; 280–720 with the session-2 profile; 182–380 in
// session 3; 180–370 now (p50 29–45 µs, as the host goes).
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { bench } from './report.ts';
import { BUY_PX, SELL_PX, startBenchSession } from './ocg-session.ts';
import { Side, type ClientOrder, type ExecutionReport } from '../src/ocg/index.ts';
import { QuietGc, busyPollKind, startBusyPoll } from '../src/wire/index.ts';

const RATE = 5000;
/**
 * Quiet collections (src/wire/quiet-gc.ts), both processes: the venue's gateway after every Nth
 * batch of replies (OcgGatewayOptions.quietGcEvery), this client at every Nth answer that leaves
 * nothing in flight with the next order at least QUIET_SLACK_MS away. 0 turns them off.
 */
const QUIET_GC = Number(process.env['OCG_BENCH_QUIET_GC'] ?? 12);
const QUIET_SLACK_MS = 0.12;
process.env['OCG_BENCH_QUIET_GC'] = String(QUIET_GC);
const quiet = QUIET_GC > 0 ? new QuietGc(QUIET_GC) : null;
const WARMUP_MS = Number(process.env['OCG_BENCH_WARMUP_MS'] ?? 8000);
const MEASURE_MS = Number(process.env['OCG_BENCH_MS'] ?? 8000);

/** The low-latency profile's V8 flags; V8 reads them only at start-up, so this process re-runs itself with them. */
const FLAGS = ['--single-threaded', `--max-semi-space-size=${process.env['OCG_BENCH_SEMI_MB'] ?? 1}`, `--minor-gc-task-trigger=${process.env['OCG_BENCH_GC_TRIGGER'] ?? 5}`, '--initial-old-space-size=512', '--no-node-snapshot',
  // OCG_BENCH_V8_FLAGS: more V8 flags for both processes, for diagnosis (e.g. --trace-gc-nvp).
  ...(process.env['OCG_BENCH_V8_FLAGS'] ?? '').split(' ').filter((f) => f !== '')];
if (!FLAGS.every((f) => process.execArgv.includes(f))) {
  // Replace this process (no idle parent left: its V8 would run a memory-reducer GC mid-run on one
  // of the two cores); spawnSync where process.execve is missing.
  const argv = [...process.execArgv, ...FLAGS, fileURLToPath(import.meta.url)];
  if (typeof process.execve === 'function') process.execve(process.execPath, [process.execPath, ...argv], process.env);
  const r = spawnSync(process.execPath, argv, { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
// The venue child inherits these flags, and busy-polls its gateway.
process.env['OCG_BENCH_BUSY_POLL'] = '1';
const { child, client } = await startBenchSession();

/** Paced run; resolves with the round trips (µs) of the orders due after `measureFromMs`. */
function paced(totalMs: number, measureFromMs: number): Promise<{ rtt: Float64Array; sendDelay: Float64Array; lost: number }> {
  return new Promise((resolve) => {
    const intervalMs = 1000 / RATE;
    const total = Math.floor(totalMs / intervalMs);
    const first = Math.floor(measureFromMs / intervalMs);
    const rtt = new Float64Array(total); // every order's, warm-up included: no new code path when measuring starts
    const sendDelay = new Float64Array(total); // µs from its due slot to newOrder() having sent it
    let answered = 0, lost = 0, next = 0;
    const t0 = performance.now();
    hrAtMeasure = Number(process.hrtime.bigint()) + measureFromMs * 1e6;
    // One order object, reused (newOrder reads it at once), and two shared handlers: the harness
    // adds as little garbage as it can to the client process it measures. The order's index is
    // its Client Order ID − 1.
    const dueAt = new Float64Array(total);
    const order: ClientOrder = { securityId: '700', side: Side.Buy, quantity: 100n, price: BUY_PX[0]!, clientOrderId: '' };
    const done = (): void => { if (answered + lost === total) resolve({ rtt: rtt.subarray(first), sendDelay: sendDelay.subarray(first), lost }); };
    const onAck = (er: ExecutionReport): void => {
      const i = Number(er.clientOrderId) - 1;
      const now = performance.now();
      rtt[i] = (now - dueAt[i]!) * 1000;
      // Idle: the last order sent is answered and the next is not due for a while.
      if (quiet !== null && i === next - 1 && t0 + next * intervalMs - now > QUIET_SLACK_MS) quiet.idle();
      answered++;
      done();
    };
    const onLost = (): void => { lost++; done(); };
    const send = (i: number, due: number): void => {
      const buy = (i & 1) === 0;
      dueAt[i] = due;
      order.side = buy ? Side.Buy : Side.Sell;
      order.price = (buy ? BUY_PX : SELL_PX)[(i >> 1) % 20]!;
      order.clientOrderId = String(i + 1);
      client.submitNewOrder(order, onAck, onLost); // callbacks: no promise machinery per order
      sendDelay[i] = (performance.now() - due) * 1000;
    };
    // The order clock: the busy poll's sub-millisecond timer wakes this loop when the next order
    // is due (setTimeout has millisecond resolution); the loop polls without sleeping meanwhile.
    const sendDue = (): void => {
      const now = performance.now();
      for (let due = t0 + next * intervalMs; next < total && due <= now; due = t0 + next * intervalMs) send(next++, due);
    };
    const turn = (): void => {
      client.batch(sendDue); // what it sends leaves in one write as it returns (no tick scheduled)
      if (next < total) poll.schedule(t0 + next * intervalMs - performance.now(), turn);
    };
    poll.schedule(0, turn);
  });
}

let hrAtMeasure = 0;
const load = loadavg()[0]!;
const poll = startBusyPoll();
// OCG_BENCH_STALLS=µs: both processes' pollers record gaps over that (src/wire/busy-poll.ts
// recordStalls), and a summary of which late orders had one goes to stderr (and to
// OCG_BENCH_RTT_DUMP + '.stalls' when dumping).
const STALLS_US = Number(process.env['OCG_BENCH_STALLS'] ?? 0);
if (STALLS_US > 0) poll.recordStalls(STALLS_US);
const r = await paced(WARMUP_MS + MEASURE_MS, WARMUP_MS);
if (STALLS_US > 0) {
  const venue = await new Promise<{ at: number; ns: number; kind: number }[]>((res) => {
    child.once('message', (m) => res((m as { stalls: { at: number; ns: number; kind: number }[] }).stalls));
    child.send({ cmd: 'stalls' });
  });
  const all = [...poll.stalls().map((x) => ({ ...x, who: 'client' })), ...venue.map((x) => ({ ...x, who: 'venue' }))]
    .map((x) => ({ ...x, at: (x.at - hrAtMeasure) / 1000, us: x.ns / 1000 })).filter((x) => x.at + x.us > 0);
  // An order i is in flight over [i·200 µs, i·200 µs + its round trip]: which stalls overlap it.
  const step = 1e6 / RATE;
  const tally: Record<string, number> = {};
  let late = 0, host = 0;
  r.rtt.forEach((v, i) => {
    if (v <= 200) return;
    late++;
    const a = i * step, b = a + v;
    const hit = all.filter((x) => x.at < b && x.at + x.us > a);
    // A poller kept off its core for over 1 ms: the host's doing (nothing but poll(2) runs there).
    if (hit.some((x) => x.kind === 1 && x.us > 1000)) host++;
    const key = hit.length === 0 ? 'none' : [...new Set(hit.map((x) => `${x.who}-${x.kind === 1 ? 'preempted' : 'long-turn'}`))].sort().join('+');
    tally[key] = (tally[key] ?? 0) + 1;
  });
  console.error(`ocg.order.rtt stalls over ${STALLS_US} µs: client ${all.filter((x) => x.who === 'client').length}, venue ${all.filter((x) => x.who === 'venue').length}; orders over 200 µs: ${late}, of which ${host} overlap a preemption of over 1 ms; overlapping: ${JSON.stringify(tally)}`);
  if (process.env['OCG_BENCH_RTT_DUMP']) (await import('node:fs')).writeFileSync(`${process.env['OCG_BENCH_RTT_DUMP']}.stalls`, all.map((x) => `${x.at.toFixed(0)} ${x.us.toFixed(0)} ${x.who} ${x.kind}`).join('\n'));
}
poll.stop();
// OCG_BENCH_RTT_DUMP=file: every measured order's round trip and, after a space, how late it left
// (µs from its due slot), one line per order in order, for looking at stalls.
// (and in OCG_BENCH_RTT_DUMP + '.t0' the CLOCK_MONOTONIC ns at which the first measured order was due, to line
// the orders up with `perf record -k CLOCK_MONOTONIC` traces)
if (process.env['OCG_BENCH_RTT_DUMP']) (await import('node:fs')).writeFileSync(`${process.env['OCG_BENCH_RTT_DUMP']}.t0`, String(hrAtMeasure));
if (process.env['OCG_BENCH_RTT_DUMP']) (await import('node:fs')).writeFileSync(process.env['OCG_BENCH_RTT_DUMP'], Array.from(r.rtt, (v, k) => `${v.toFixed(0)} ${r.sendDelay[k]!.toFixed(0)}`).join('\n'));
const sorted = Float64Array.from(r.rtt).sort();
const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const sendSorted = Float64Array.from(r.sendDelay).sort();
bench('ocg.order.rtt_p99', Math.round(q(0.99)), 'us', {
  p50: Math.round(q(0.5)), p90: Math.round(q(0.9)), p99_9: Math.round(q(0.999)), max: Math.round(sorted[sorted.length - 1]!), orders: sorted.length, rate: RATE,
  send_delay_p99: Math.round(sendSorted[Math.floor(0.99 * sendSorted.length)]!), // how late the client's clock sent (included above)
  lost: r.lost, loadavg: load.toFixed(1), goal: '<200', profile: 'busy-poll+single-threaded', poll: busyPollKind, quiet_gc: QUIET_GC,
});
await client.close('bench over');
child.send({ cmd: 'exit' });

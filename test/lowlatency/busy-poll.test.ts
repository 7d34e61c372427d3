import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cCompiler } from '../../scripts/c-compiler.ts';

/** The addon is expected wherever npm ci could build it: a compiler, x86-64, and not switched off. */
const nativeExpected = process.arch === 'x64' && cCompiler() !== undefined && process.env['FAILOVER_DRILL_NATIVE'] !== '0';

/**
 * Run the check in a child: CPU used, and how often the main thread gave up its CPU by itself
 * (voluntary context switches: blocking in epoll_wait is one), sleeping vs polling; the process
 * must end after stop(). The switches are the main thread's own (/proc/self/status is the thread
 * group leader's), so V8's helper threads do not count, and unlike CPU time they do not depend on
 * what else the machine runs.
 */
function pollingChild(env: NodeJS.ProcessEnv): {
  status: number | null;
  stderr: string;
  kind: string;
  sleepingMs: number;
  pollingMs: number;
  sleepingSwitches: number;
  pollingSwitches: number;
} {
  const code = `import { readFileSync } from 'node:fs';
    import { busyPollKind, startBusyPoll } from './src/lowlatency/index.ts';
    const idle = (ms) => new Promise((r) => setTimeout(r, ms));
    const switches = () => Number(/voluntary_ctxt_switches:\\s*(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
    let c = process.cpuUsage(), v = switches(); await idle(300); const sleeping = process.cpuUsage(c), sleepingSwitches = switches() - v;
    const p = startBusyPoll();
    await idle(20); // the first turn of the polling loop
    c = process.cpuUsage(); v = switches(); await idle(300); const polling = process.cpuUsage(c), pollingSwitches = switches() - v;
    p.stop(); p.stop();
    console.log(busyPollKind, Math.round((sleeping.user + sleeping.system) / 1000), Math.round((polling.user + polling.system) / 1000), sleepingSwitches, pollingSwitches);`;
  // --single-threaded: the main thread must not wait for V8's helper threads either (a futex
  // wait is a voluntary switch too).
  const r = spawnSync(process.execPath, ['--single-threaded', '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 10_000, env });
  const [kind, sleepingMs, pollingMs, sleepingSwitches, pollingSwitches] = r.stdout.trim().split(' ');
  return {
    status: r.status,
    stderr: r.stderr,
    kind: kind ?? '',
    sleepingMs: Number(sleepingMs),
    pollingMs: Number(pollingMs),
    sleepingSwitches: Number(sleepingSwitches),
    pollingSwitches: Number(pollingSwitches),
  };
}

/** schedule(): 40 chained callbacks 0.25 ms apart; one replaced before it ran; one dropped by stop(). */
function scheduleChild(env: NodeJS.ProcessEnv): {
  status: number | null;
  stderr: string;
  out: { early: number; fired: number; replacedRan: boolean; afterStop: boolean; order: boolean; threw: string };
} {
  const code = `import { startBusyPoll } from './src/lowlatency/index.ts';
    const p = startBusyPoll();
    let early = 0, fired = 0, order = true, replacedRan = false, afterStop = false, last = -1;
    await new Promise((resolve) => {
      const t0 = performance.now();
      const next = (i) => {
        const due = t0 + i * 0.25;
        p.schedule(due - performance.now(), () => {
          if (performance.now() < due) early++;
          if (i <= last) order = false;
          last = i; fired++;
          if (i < 39) next(i + 1); else resolve();
        });
      };
      p.schedule(0.1, () => { replacedRan = true; });
      next(0); // replaces the pending callback above
    });
    p.schedule(5, () => { afterStop = true; });
    p.stop();
    let threw = '';
    try { p.schedule(1, () => {}); } catch (e) { threw = e.message; }
    await new Promise((r) => setTimeout(r, 30));
    console.log(JSON.stringify({ early, fired, replacedRan, afterStop, order, threw }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 10_000, env });
  return { status: r.status, stderr: r.stderr, out: JSON.parse(r.stdout.trim() || '{}') };
}

describe('busy polling (src/lowlatency/busy-poll.ts)', () => {
  for (const [name, env, kind] of [
    ['native spin (prepare handle)', process.env, nativeExpected ? 'native-spin' : undefined],
    ['setImmediate fallback (FAILOVER_DRILL_NATIVE=0)', { ...process.env, FAILOVER_DRILL_NATIVE: '0' }, 'immediate'],
  ] as const) {
    it(`${name}: the loop never sleeps while polling, timers still fire, and stop() lets the process end`, () => {
      const r = pollingChild(env);
      assert.equal(r.status, 0, `exited by itself after stop(): ${r.stderr}`);
      if (kind !== undefined) assert.equal(r.kind, kind);
      assert.ok(r.sleepingMs < 45, `idle without polling: ${r.sleepingMs} ms CPU in 300 ms`);
      assert.ok(r.sleepingSwitches >= 1, `idle without polling, the loop sleeps in epoll_wait: ${r.sleepingSwitches} voluntary switches in 300 ms`);
      assert.ok(r.pollingSwitches <= 1, `polling, the loop never blocks: ${r.pollingSwitches} voluntary switches in 300 ms`);
      assert.ok(r.pollingMs > 30 && r.pollingMs > 2 * r.sleepingMs, `polling: ${r.pollingMs} ms CPU in 300 ms (sleeping ${r.sleepingMs})`);
    });

    it(`${name}: schedule() runs each callback once, never early, in order; scheduling again replaces; stop() drops the pending one`, () => {
      const r = scheduleChild(env);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.out, { early: 0, fired: 40, replacedRan: false, afterStop: false, order: true, threw: 'busy poll: schedule() after stop()' });
    });
  }
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '../../src/wire/index.ts';
import { loadRundown, RundownScheduler, toHongKongIso, type RundownStep } from '../../src/conductor/index.ts';

const ps2 = fileURLToPath(new URL('../../rundowns/ps2.yaml', import.meta.url));
const flush = () => new Promise<void>((r) => setImmediate(r));

describe('RundownScheduler', () => {
  it('plays PS2 accelerated 150x on a ManualClock: 08:10–11:10 in 72 s, Friday preparation at once', async () => {
    const rundown = await loadRundown(ps2);
    const clock = new ManualClock(Date.UTC(2026, 0, 9, 1, 30));
    const t0 = clock.now();
    const sched = new RundownScheduler(rundown, { clock, accelerate: 150 });
    const seen: { action: string; at: number; hk: string }[] = [];
    const done = sched.run(async (step: RundownStep, run) => {
      seen.push({ action: step.action, at: clock.now() - t0, hk: toHongKongIso(run.rundownAt).slice(11, 16) });
    });
    await flush();
    // Friday's announcement and the 08:10 connectivity-test window are due at once (the session day's first step).
    assert.deepEqual(
      seen.map((s) => s.action),
      ['announce', 'open-connectivity-test'],
    );
    clock.advance(8_000);
    await flush();
    assert.equal(seen.at(-1)!.action, 'open-primary', '08:30 is 20 min / 150 = 8 s after 08:10');
    clock.advance(11_999);
    await flush();
    assert.equal(seen.length, 3, '09:00 is 30 min / 150 = 12 s after 08:30');
    clock.advance(1);
    await flush();
    assert.equal(seen.at(-1)!.action, 'pre-open');
    for (let i = 0; i < 60; i++) {
      clock.advance(1000);
      await flush();
    }
    await done;
    assert.deepEqual(
      seen.map((s) => [s.action, s.at, s.hk]),
      [
        ['announce', 0, '17:00'],
        ['open-connectivity-test', 0, '08:10'],
        ['open-primary', 8_000, '08:30'],
        ['pre-open', 20_000, '09:00'],
        ['continuous-trading', 32_000, '09:30'],
        ['inject-fault', 38_000, '09:45'],
        ['inject-fault', 40_000, '09:50'],
        ['inject-fault', 40_400, '09:51'],
        ['isolate-primary', 44_000, '10:00'],
        ['activate-backup', 46_000, '10:05'],
        ['continuous-trading', 52_000, '10:20'],
        ['halt', 56_000, '10:30'],
        ['resume', 58_000, '10:35'],
        ['closing-auction', 64_000, '10:50'],
        ['close', 68_000, '11:00'],
        ['fail-back', 68_000, '11:00'],
        ['clean-up', 72_000, '11:10'],
      ],
    );
    assert.equal(clock.pending, 0);
  });

  it('on the wall clock, waits for the Hong Kong time; a step never overtakes a slow previous one; failures are recorded', async () => {
    const rundown = await loadRundown(ps2);
    // 2023-11-25 10:04 Hong Kong: everything up to isolate-primary is already due.
    const clock = new ManualClock(Date.UTC(2023, 10, 25, 2, 4));
    const sched = new RundownScheduler(rundown, { clock });
    const order: string[] = [];
    let releaseIsolation!: () => void;
    const done = sched.run((step) => {
      order.push(step.action);
      if (step.action === 'isolate-primary')
        return new Promise<void>((r) => {
          releaseIsolation = r;
        });
      if (step.action === 'close') return Promise.reject(new Error('site did not answer'));
      return Promise.resolve();
    });
    await flush();
    assert.deepEqual(order, [
      'announce',
      'open-connectivity-test',
      'open-primary',
      'pre-open',
      'continuous-trading',
      'inject-fault',
      'inject-fault',
      'inject-fault',
      'isolate-primary',
    ]);
    clock.advance(5 * 60_000); // 10:09: activation is due but isolation is still running
    await flush();
    assert.equal(order.length, 9);
    releaseIsolation();
    await flush();
    await flush();
    assert.equal(order.at(-1), 'activate-backup');
    const late = sched.runs.find((r) => r.step.action === 'activate-backup')!;
    assert.equal(late.startedAt - late.dueAt, 4 * 60_000);
    clock.advance(2 * 3600_000);
    for (let i = 0; i < 5; i++) await flush();
    const runs = await done;
    assert.equal(runs.length, 17);
    assert.equal(runs.find((r) => r.step.action === 'close')!.error?.message, 'site did not answer');
    assert.equal(runs.at(-1)!.step.action, 'clean-up', 'the rundown goes on after a failed step');
  });

  it('stop() ends the run and cancels the pending timer', async () => {
    const rundown = await loadRundown(ps2);
    const clock = new ManualClock();
    const sched = new RundownScheduler(rundown, { clock, accelerate: 10 });
    const done = sched.run(async () => {});
    await flush();
    sched.stop();
    const runs = await done;
    assert.equal(runs.length, 2);
    assert.equal(clock.pending, 0);
  });
});

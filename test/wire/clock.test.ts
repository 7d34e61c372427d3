import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/wire/index.ts';

describe('ManualClock', () => {
  it('fires timers in time order only when advanced, and repeats intervals', () => {
    const c = new ManualClock(1000);
    const log: string[] = [];
    c.setTimeout(() => log.push(`t500@${c.now()}`), 500);
    const iv = c.setInterval(() => log.push(`i200@${c.now()}`), 200);
    const cancelled = c.setTimeout(() => log.push('never'), 100);
    cancelled.cancel();
    c.advance(199);
    assert.deepEqual(log, []);
    c.advance(401);
    assert.deepEqual(log, ['i200@1200', 'i200@1400', 't500@1500', 'i200@1600']);
    iv.cancel();
    c.advance(1000);
    assert.equal(log.length, 4);
    assert.equal(c.now(), 2600);
    assert.equal(c.pending, 0);
  });
});

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FaultInjector, SiteSockets } from '../../src/venue/index.ts';
import { ManualClock } from '../../src/wire/index.ts';

const sockets = new SiteSockets('127.0.0.77');
after(() => sockets.close());

describe('FaultInjector multicast after a black hole', () => {
  it('keeps the healed site quiet for healQuietMs (its FENCE would come in that time), then lets multicast through', () => {
    const clock = new ManualClock();
    const f = new FaultInjector({ sockets, clock, kill: () => {}, healQuietMs: 600 });
    assert.equal(f.lossFilter('A', 1, 1, 1), false, 'no fault: sent');
    f.inject({ kind: 'blackhole' });
    assert.equal(f.lossFilter('A', 1, 2, 1), true, 'black hole: dropped');
    clock.advance(1_000);
    f.inject({ kind: 'clear' });
    assert.equal(f.lossFilter('A', 1, 3, 1), true, 'healed a moment ago: still quiet');
    assert.equal(f.lossFilter('B', 1, 3, 1), true);
    clock.advance(599);
    assert.equal(f.lossFilter('A', 1, 4, 1), true);
    clock.advance(1);
    assert.equal(f.lossFilter('A', 1, 5, 1), false, 'quiet time over');
    f.inject({ kind: 'clear' });
    assert.equal(f.lossFilter('A', 1, 6, 1), false, 'a clear without a black hole before it does not mute');
  });

  it('without healQuietMs the healed site sends at once (the default)', () => {
    const f = new FaultInjector({ sockets, clock: new ManualClock(), kill: () => {} });
    f.inject({ kind: 'blackhole' });
    f.inject({ kind: 'clear' });
    assert.equal(f.lossFilter('A', 1, 1, 1), false);
  });
});

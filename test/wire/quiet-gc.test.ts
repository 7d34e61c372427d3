import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import type net from 'node:net';
import { QuietGc, WriteBatcher, minorGc, quietGcAvailable } from '../../src/wire/index.ts';

/** Young-generation collections V8 reports while `fn` runs (and the observer's delivery after it). */
async function minorCollectionsDuring(fn: () => void): Promise<number> {
  let n = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (((e as { detail?: unknown }).detail as { kind?: number } | undefined)?.kind === constants.NODE_PERFORMANCE_GC_MINOR) n++;
  });
  obs.observe({ entryTypes: ['gc'] });
  fn();
  await new Promise((r) => setTimeout(r, 20));
  obs.disconnect();
  return n;
}

describe('QuietGc (young-generation collections at idle points)', () => {
  it('is available without --expose-gc (the flag is set at run time) and minorGc() runs a minor collection', async () => {
    assert.equal(quietGcAvailable(), true);
    const n = await minorCollectionsDuring(() => { minorGc(); minorGc(); });
    assert.ok(n >= 2, `expected 2 minor collections, saw ${n}`);
  });

  it('collects at every Nth idle point only', async () => {
    const q = new QuietGc(3);
    const n = await minorCollectionsDuring(() => { for (let i = 0; i < 7; i++) q.idle(); });
    assert.equal(q.collections, 2, 'idle points 3 and 6');
    assert.ok(n >= 2, `expected ≥ 2 minor collections, saw ${n}`);
  });

  it('rejects a period that is not a positive integer', () => {
    assert.throws(() => new QuietGc(0), /integer ≥ 1/);
    assert.throws(() => new QuietGc(2.5), /integer ≥ 1/);
  });

  it('WriteBatcher.afterTick runs once per tick, after that tick\'s write went out', async () => {
    const log: string[] = [];
    const socket = { destroyed: false, write(b: Buffer) { log.push(`write:${b.toString()}`); return true; } } as unknown as net.Socket;
    const w = new WriteBatcher(8, 64);
    w.afterTick = () => log.push('afterTick');
    w.write(socket, Buffer.from('a'));
    w.write(socket, Buffer.from('b'));
    await new Promise<void>((r) => process.nextTick(r));
    assert.deepEqual(log, ['write:ab', 'afterTick']);
  });
});

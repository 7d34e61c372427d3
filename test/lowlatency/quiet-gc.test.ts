import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { QuietGc } from '../../src/lowlatency/index.ts';

/** Runs `code` (an ES module, cwd = the repo) in a child with `flags`; returns its stdout parsed as JSON. */
function child(code: string, flags: string[]): unknown {
  const r = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim());
}

/** Seven idle points with a QuietGc(3); the young-generation collections V8 reports meanwhile. */
const SEVEN_IDLE_POINTS = `import { PerformanceObserver, constants } from 'node:perf_hooks';
  import { QuietGc, quietGcAvailable } from './src/lowlatency/index.ts';
  let minor = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) minor++;
  });
  obs.observe({ entryTypes: ['gc'] });
  const q = new QuietGc(3);
  for (let i = 0; i < 7; i++) q.idle();
  await new Promise((r) => setTimeout(r, 20)); // the observer's delivery
  obs.disconnect();
  console.log(JSON.stringify({ available: quietGcAvailable(), collections: q.collections, minor }));`;

describe('QuietGc (young-generation collections at idle points)', () => {
  it('with --expose-gc, collects at every Nth idle point only, and V8 reports those collections', () => {
    const out = child(SEVEN_IDLE_POINTS, ['--expose-gc']) as { available: boolean; collections: number; minor: number };
    assert.equal(out.available, true);
    assert.equal(out.collections, 2, 'idle points 3 and 6');
    assert.ok(out.minor >= 2, `expected ≥ 2 minor collections, saw ${out.minor}`);
  });

  it('without --expose-gc, nothing is collected and no V8 flag is set at run time', () => {
    const out = child(SEVEN_IDLE_POINTS, []) as { available: boolean; collections: number; minor: number };
    assert.deepEqual({ available: out.available, collections: out.collections }, { available: false, collections: 0 });
  });

  it('rejects a period that is not a positive integer', () => {
    assert.throws(() => new QuietGc(0), /integer ≥ 1/);
    assert.throws(() => new QuietGc(2.5), /integer ≥ 1/);
  });
});

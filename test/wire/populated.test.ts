import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { POPULATED_MIN_BYTES, populatedBytes, populatedKind } from '../../src/wire/index.ts';

/** Runs `code` (an ES module, cwd = the repo) in a child with extra flags and env; returns its stdout parsed as JSON. */
function child(code: string, env: NodeJS.ProcessEnv = {}, flags: string[] = []): unknown {
  const r = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...env } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim());
}

describe('populatedBytes (slabs with their pages mapped up front)', () => {
  it('gives zeroed, writable bytes of the size asked; below POPULATED_MIN_BYTES a plain Uint8Array', () => {
    for (const n of [POPULATED_MIN_BYTES, 65_536, 65_537, 1 << 20]) {
      const b = populatedBytes(n);
      assert.equal(b.length, n);
      assert.equal(b.buffer.byteLength, n, 'the ArrayBuffer is exactly the size asked (the mapping is rounded up to pages)');
      assert.equal(b.every((x) => x === 0), true);
      b[0] = 1; b[n - 1] = 255;
      assert.deepEqual([b[0], b[n - 1]], [1, 255]);
    }
    const small = populatedBytes(100);
    assert.equal(small.length, 100);
    assert.equal(small.buffer.byteLength, 100);
  });

  it('with the addon, touching a populated slab takes no page faults; a fresh unpopulated one takes one a page', () => {
    const out = child(`import { populatedBytes, populatedKind } from './src/wire/index.ts';
      const faults = () => process.resourceUsage().minorPageFault;
      const touch = (b, pages) => { for (let i = 0; i < pages * 4096; i += 4096) b[i] = 1; };
      touch(new Uint8Array(8192), 2); faults();
      // The fewest faults of three tries: a collection in between may fault pages of its own.
      let populated = Infinity, plain = Infinity;
      for (let k = 0; k < 3; k++) {
        const p = populatedBytes(1 << 20);
        let f = faults(); touch(p, 256); populated = Math.min(populated, faults() - f);
        // The control: 64 MiB is mapped fresh by malloc (zero pages on demand): its pages fault when touched.
        const u = new Uint8Array(64 << 20);
        f = faults(); touch(u, 256); plain = Math.min(plain, faults() - f);
      }
      console.log(JSON.stringify({ kind: populatedKind, populated, plain }));`) as { kind: string; populated: number; plain: number };
    if (out.kind !== 'mmap-populate') {
      assert.equal(populatedKind, 'heap', 'the child and this process load the same addon');
      return; // no addon here (FAILOVER_DRILL_NATIVE=0 or no compiler): nothing to compare
    }
    assert.ok(out.populated <= 16, `touching 256 populated pages faulted ${out.populated} times`);
    assert.ok(out.plain >= 128, `the control: 256 fresh pages faulted only ${out.plain} times (the measurement would prove nothing)`);
  });

  it('FAILOVER_DRILL_POPULATE=0 (or FAILOVER_DRILL_NATIVE=0) falls back to plain zeroed memory', () => {
    for (const env of [{ FAILOVER_DRILL_POPULATE: '0' }, { FAILOVER_DRILL_NATIVE: '0' }]) {
      const out = child(`import { populatedBytes, populatedKind } from './src/wire/index.ts';
        const b = populatedBytes(1 << 16); b[5] = 7;
        console.log(JSON.stringify({ kind: populatedKind, len: b.length, v: b[5], zero: b[6] }));`, env);
      assert.deepEqual(out, { kind: 'heap', len: 65_536, v: 7, zero: 0 });
    }
  });

  it('a collected slab is unmapped: 2,000 MiB of slabs dropped one after another keep the resident size bounded', () => {
    const out = child(`import { populatedBytes, populatedKind } from './src/wire/index.ts';
      const rss0 = process.memoryUsage().rss;
      let keep = null, peak = 0;
      for (let i = 0; i < 2000; i++) {
        keep = populatedBytes(1 << 20); keep[i] = 1;
        if (i % 50 === 49) { globalThis.gc(); await new Promise((r) => setImmediate(r)); peak = Math.max(peak, process.memoryUsage().rss); }
      }
      console.log(JSON.stringify({ kind: populatedKind, grewMb: Math.round((peak - rss0) / 1048576) }));`, {}, ['--expose-gc']) as { kind: string; grewMb: number };
    assert.ok(out.grewMb < 400, `resident size grew by ${out.grewMb} MiB for 2,000 MiB allocated and dropped (${out.kind})`);
  });
});

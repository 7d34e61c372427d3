import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ShardedMap, shardOf } from '../../src/wire/index.ts';

describe('ShardedMap (per-order maps without one big rehash)', () => {
  it('behaves like a Map for get/set/has/delete/size/clear over 50,000 keys', () => {
    const m = new ShardedMap<number>();
    const ref = new Map<string, number>();
    for (let i = 0; i < 50_000; i++) {
      const k = i % 3 === 0 ? `C${i}` : String(i);
      m.set(k, i); ref.set(k, i);
      if (i % 7 === 0) { m.delete(String(i - 5)); ref.delete(String(i - 5)); }
    }
    m.set('1', -1); ref.set('1', -1); // overwrite keeps one entry
    assert.equal(m.size, ref.size);
    for (const [k, v] of ref) assert.equal(m.get(k), v, k);
    assert.equal(m.has('nope'), false);
    assert.equal(m.get(''), undefined);
    m.set('', 5);
    assert.equal(m.get(''), 5);
    assert.equal(m.delete('missing'), false);
    assert.deepEqual(new Map(m), new Map([...ref, ['', 5]]), 'iteration yields every entry once');
    assert.equal([...m.keys()].length, m.size);
    assert.equal([...m.values()].length, m.size);
    m.clear();
    assert.equal(m.size, 0);
    assert.equal(m.get('7'), undefined);
  });

  it('spreads counter-like keys evenly over the 64 shards (decimal and alphanumeric)', () => {
    for (const make of [(i: number) => String(1_000_000 + i), (i: number) => `C${(1_000_000 + i).toString(36).toUpperCase()}`]) {
      const counts = new Array<number>(64).fill(0);
      for (let i = 0; i < 64_000; i++) counts[shardOf(make(i))]!++;
      assert.ok(Math.max(...counts) <= 1.5 * 1000 && Math.min(...counts) >= 0.5 * 1000, JSON.stringify(counts));
    }
    const keys = Array.from({ length: 16_000 }, (_, i) => String(1_000_000 + i));
    const m = new ShardedMap(keys.map((k, i) => [k, i] as const));
    assert.equal(m.size, 16_000);
    assert.equal(m.get('1015999'), 15_999);
  });

  it('non-string keys (garbage input) do not throw', () => {
    const m = new ShardedMap<number>();
    const bad = undefined as unknown as string;
    assert.equal(m.has(bad), false);
    m.set(bad, 1);
    assert.equal(m.get(bad), 1);
  });
});

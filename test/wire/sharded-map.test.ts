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

  it('gives counter-like keys geometric shares, 2^(s/128), the largest shard about twice the smallest (decimal and alphanumeric)', () => {
    for (const make of [(i: number) => String(1_000_000 + i), (i: number) => `C${(1_000_000 + i).toString(36).toUpperCase()}`]) {
      const counts = new Array<number>(128).fill(0);
      for (let i = 0; i < 128_000; i++) counts[shardOf(make(i))]!++;
      for (let s = 0; s < 128; s++) {
        const expected = 128_000 * (2 ** ((s + 1) / 128) - 2 ** (s / 128)); // P(shard = s) for u uniform
        assert.ok(Math.abs(counts[s]! - expected) < 0.25 * expected, `shard ${s}: ${counts[s]} keys, expected ~${expected.toFixed(0)}`);
      }
    }
    const keys = Array.from({ length: 16_000 }, (_, i) => String(1_000_000 + i));
    const m = new ShardedMap(keys.map((k, i) => [k, i] as const));
    assert.equal(m.size, 16_000);
    assert.equal(m.get('1015999'), 15_999);
  });

  it('staggers the shards\' doublings: four maps filled by the same counter never have many shards reach a size together', () => {
    // A shard rehashes when it reaches a power of two; with equal shares all 4 × 128 shards would
    // reach 512 within ~100 consecutive keys (the old stall: 64 shards × 4 maps at 64,000 orders).
    // Count, for four maps with the phases four instances get, how many shards reach 512 entries
    // in any 200 consecutive keys (random draws give ~2 on average, a few more at the peak).
    const phases = [0, 1, 2, 3].map((k) => (k * 0.6180339887498949) % 1);
    const reachedAt: number[] = [];
    for (const phase of phases) {
      const counts = new Array<number>(128).fill(0);
      for (let i = 0; i < 200_000; i++) if (++counts[shardOf(String(1_000_000 + i), phase)]! === 512) reachedAt.push(i);
    }
    assert.equal(reachedAt.length, 4 * 128, 'every shard of every map reached 512');
    reachedAt.sort((a, b) => a - b);
    let worst = 0;
    for (let a = 0, b = 0; b < reachedAt.length; b++) {
      while (reachedAt[b]! - reachedAt[a]! >= 200) a++;
      worst = Math.max(worst, b - a + 1);
    }
    assert.ok(worst <= 16, `${worst} shards reached 512 within 200 keys (spread: ${reachedAt[0]}..${reachedAt.at(-1)})`);
    assert.ok(reachedAt.at(-1)! - reachedAt[0]! > 40_000, 'spread over most of a doubling');
  });

  it('non-string keys (garbage input) do not throw', () => {
    const m = new ShardedMap<number>();
    const bad = undefined as unknown as string;
    assert.equal(m.has(bad), false);
    m.set(bad, 1);
    assert.equal(m.get(bad), 1);
  });
});

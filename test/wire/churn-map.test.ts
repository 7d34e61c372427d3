import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ChurnMap } from '../../src/wire/index.ts';

describe('ChurnMap (requests in flight without a rehash per delete)', () => {
  it('agrees with a Map over 200,000 random sets, gets and deletes, through growth and long probe runs', () => {
    const m = new ChurnMap<number>();
    const ref = new Map<string, number>();
    let x = 12345;
    const rnd = (n: number) => { x = (Math.imul(x, 1103515245) + 12345) >>> 0; return x % n; };
    for (let step = 0; step < 200_000; step++) {
      // Few keys live at a time most of the run (the client's case), thousands for a while.
      const space = step < 100_000 ? 64 : 5_000;
      const k = `C${rnd(space)}`;
      const op = rnd(3);
      if (op === 0) { m.set(k, step); ref.set(k, step); }
      else if (op === 1) assert.equal(m.delete(k), ref.delete(k), `delete ${k} at ${step}`);
      else assert.equal(m.get(k), ref.get(k), `get ${k} at ${step}`);
      if (step % 997 === 0) {
        assert.equal(m.size, ref.size);
        for (const [rk, rv] of ref) assert.equal(m.get(rk), rv);
      }
    }
    assert.deepEqual([...m.values()].sort((a, b) => a - b), [...ref.values()].sort((a, b) => a - b));
    assert.equal(m.has('nope'), false);
    m.clear();
    assert.equal(m.size, 0);
    assert.equal(m.get('C1'), undefined);
  });

  it('empty string and colliding keys', () => {
    const m = new ChurnMap<string>();
    m.set('', 'empty');
    for (let i = 0; i < 100; i++) m.set(String(i), `v${i}`);
    for (let i = 0; i < 100; i += 2) m.delete(String(i));
    assert.equal(m.get(''), 'empty');
    for (let i = 0; i < 100; i++) assert.equal(m.get(String(i)), i % 2 === 0 ? undefined : `v${i}`);
    assert.equal(m.size, 51);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type net from 'node:net';
import { WriteBatcher } from '../../src/wire/index.ts';

/**
 * A socket whose writes Node keeps (holding = true: writableLength counts them, as when the kernel
 * did not take them) or that hands every write to the kernel at once (holding = false: 0).
 */
function fakeSocket(name: string, log: string[], holding = true): net.Socket & { chunks: Buffer[]; text: string[]; holding: boolean } {
  const chunks: Buffer[] = [];
  const text: string[] = [];
  const s = {
    destroyed: false,
    chunks,
    text,
    holding,
    get writableLength(): number {
      return s.holding ? chunks.reduce((n, c) => n + c.length, 0) : 0;
    },
    write(b: Buffer) {
      chunks.push(b);
      text.push(b.toString());
      log.push(`${name}:${b.toString()}`);
      return true;
    },
  };
  return s as unknown as net.Socket & { chunks: Buffer[]; text: string[]; holding: boolean };
}
const tick = () => new Promise<void>((r) => process.nextTick(r));

describe('WriteBatcher (one socket write per turn)', () => {
  it('frames of one turn to one socket leave in one write on the next tick; another socket first flushes the previous one', async () => {
    const log: string[] = [];
    const a = fakeSocket('a', log),
      b = fakeSocket('b', log);
    const w = new WriteBatcher(8, 64);
    w.write(a, Buffer.from('1'));
    w.write(a, Buffer.from('22'));
    assert.deepEqual(log, [], 'nothing written within the turn');
    w.write(b, Buffer.from('x'));
    assert.deepEqual(log, ['a:122'], 'switching socket sends what a had');
    w.write(a, Buffer.from('3'));
    assert.deepEqual(log, ['a:122', 'b:x']);
    await tick();
    assert.deepEqual(log, ['a:122', 'b:x', 'a:3']);
  });

  it("flush(socket) sends only that socket's pending bytes; a destroyed socket's are dropped", async () => {
    const log: string[] = [];
    const a = fakeSocket('a', log),
      b = fakeSocket('b', log);
    const w = new WriteBatcher(8, 64);
    w.write(a, Buffer.from('pending'));
    w.flush(b);
    assert.deepEqual(log, []);
    w.flush(a);
    assert.deepEqual(log, ['a:pending']);
    w.write(b, Buffer.from('lost'));
    (b as { destroyed: boolean }).destroyed = true;
    await tick();
    assert.deepEqual(log, ['a:pending']);
  });

  it('a full slab is replaced: parts already handed to the socket are never overwritten', async () => {
    const log: string[] = [];
    const a = fakeSocket('a', log);
    const w = new WriteBatcher(4, 8);
    w.write(a, Buffer.from('abc'));
    w.write(a, Buffer.from('defg')); // does not fit in 4: flush, new slab of 8
    w.write(a, Buffer.from('hijklmnopq')); // bigger than the max: a slab its size
    await tick();
    w.write(a, Buffer.from('zz'));
    await tick();
    assert.deepEqual(
      a.chunks.map((c) => c.toString()),
      ['abc', 'defg', 'hijklmnopq', 'zz'],
    );
  });
  it('while the kernel takes every write whole, the slab is reused from its start (same memory); once Node holds a write, that part is never overwritten', async () => {
    const log: string[] = [];
    const a = fakeSocket('a', log, false);
    const w = new WriteBatcher(8, 64);
    w.write(a, Buffer.from('abc'));
    await tick();
    w.write(a, Buffer.from('defgh'));
    await tick();
    assert.deepEqual(a.text, ['abc', 'defgh']);
    assert.equal(a.chunks[1]!.buffer, a.chunks[0]!.buffer, 'same slab');
    assert.equal(a.chunks[1]!.byteOffset, a.chunks[0]!.byteOffset, 'rewound to its start');
    assert.equal(a.chunks[0]!.toString(), 'def', "the first write's bytes were reused (the kernel had them)");
    // Node now keeps what it is given: that part of the slab stays as it was.
    a.holding = true;
    w.write(a, Buffer.from('ijk'));
    await tick();
    w.write(a, Buffer.from('lmnop'));
    await tick();
    w.write(a, Buffer.from('qrstuv')); // does not fit after the held bytes: a new slab
    await tick();
    assert.deepEqual(
      a.chunks.slice(2).map((c) => c.toString()),
      ['ijk', 'lmnop', 'qrstuv'],
      'held writes intact',
    );
    assert.notEqual(a.chunks[4]!.buffer, a.chunks[2]!.buffer, 'a pinned slab is replaced, not rewound');
    assert.notEqual(a.chunks[3]!.byteOffset, a.chunks[2]!.byteOffset, 'no rewind while pinned');
  });

  it('a burst that does not fit grows the slab (one write per turn) even while nothing is held', async () => {
    const log: string[] = [];
    const a = fakeSocket('a', log, false);
    const w = new WriteBatcher(4, 64);
    w.write(a, Buffer.from('abc'));
    w.write(a, Buffer.from('def')); // the turn's 6 bytes do not fit in 4: flush 'abc', slab of 8
    w.write(a, Buffer.from('gh'));
    await tick();
    assert.deepEqual(a.text, ['abc', 'defgh']);
    assert.equal(a.chunks[1]!.buffer.byteLength >= 8, true);
  });

  it('hold()/release(): writes while held schedule no tick; the last release sends them (afterTick too); holds nest', async () => {
    const log: string[] = [];
    const a = fakeSocket('a', log);
    const w = new WriteBatcher(8, 64);
    w.afterTick = () => log.push('afterTick');
    w.hold();
    w.hold();
    w.write(a, Buffer.from('1'));
    w.write(a, Buffer.from('2'));
    await tick();
    assert.deepEqual(log, [], 'no tick while held');
    w.release();
    assert.deepEqual(log, [], 'inner release sends nothing');
    w.release();
    assert.deepEqual(log, ['a:12', 'afterTick']);
    await tick();
    assert.deepEqual(log, ['a:12', 'afterTick'], 'nothing left for a tick');
    w.hold();
    w.release();
    assert.deepEqual(log, ['a:12', 'afterTick'], 'an empty hold sends nothing');
    assert.throws(() => w.release(), /without hold/);
  });

  it("afterTick runs once per tick, after that tick's write went out", async () => {
    const log: string[] = [];
    const a = fakeSocket('a', log, false);
    const w = new WriteBatcher(8, 64);
    w.afterTick = () => log.push('afterTick');
    w.write(a, Buffer.from('a'));
    w.write(a, Buffer.from('b'));
    await tick();
    assert.deepEqual(log, ['a:ab', 'afterTick']);
  });
});

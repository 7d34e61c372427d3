import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type net from 'node:net';
import { WriteBatcher } from '../../src/wire/index.ts';

function fakeSocket(name: string, log: string[]): net.Socket & { chunks: Buffer[] } {
  const chunks: Buffer[] = [];
  return {
    destroyed: false, chunks,
    write(b: Buffer) { chunks.push(b); log.push(`${name}:${b.toString()}`); return true; },
  } as unknown as net.Socket & { chunks: Buffer[] };
}
const tick = () => new Promise<void>((r) => process.nextTick(r));

describe('WriteBatcher (one socket write per turn)', () => {
  it('frames of one turn to one socket leave in one write on the next tick; another socket first flushes the previous one', async () => {
    const log: string[] = [];
    const a = fakeSocket('a', log), b = fakeSocket('b', log);
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

  it('flush(socket) sends only that socket\'s pending bytes; a destroyed socket\'s are dropped', async () => {
    const log: string[] = [];
    const a = fakeSocket('a', log), b = fakeSocket('b', log);
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
    assert.deepEqual(a.chunks.map((c) => c.toString()), ['abc', 'defg', 'hijklmnopq', 'zz']);
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
});

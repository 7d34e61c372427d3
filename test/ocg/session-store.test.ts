// SessionJournal stores (spec note §3.12–3.13: sequence numbers and sent messages survive a restart).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeMessage, OcgMsgType, FileSessionStore, MemorySessionStore } from '../../src/ocg/index.ts';
import type { SessionStore } from '../../src/ocg/index.ts';

function frame(seq: number, text = 'x'): Uint8Array {
  return encodeMessage(
    { seqNum: seq, compId: 'CO1' },
    { msgType: OcgMsgType.BusinessMessageReject, businessRejectCode: 0, referenceMessageType: 11, reason: text },
  );
}

function withDir(fn: (dir: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocg-store-'));
  try {
    fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const stores: [string, (dir: string) => SessionStore][] = [
  ['memory', () => new MemorySessionStore()],
  ['file', (dir) => new FileSessionStore(dir)],
];

for (const [name, make] of stores) {
  describe(`${name} store`, () => {
    it('starts fresh at 1/1, keeps counters and frames by seq, gaps stay undefined', () =>
      withDir((dir) => {
        const s = make(dir);
        const j = s.journal('CO1');
        assert.equal(j.fresh, true);
        assert.deepEqual([j.nextToSend, j.nextExpected], [1, 1]);
        j.saveSent(2, frame(2));
        j.saveSent(4, frame(4, 'y'));
        j.setNextToSend(5);
        j.setNextExpected(9);
        assert.equal(j.fresh, false);
        assert.deepEqual(j.sent(2), frame(2));
        assert.equal(j.sent(3), undefined);
        assert.deepEqual(j.sent(4), frame(4, 'y'));
        assert.equal(s.journal('CO1'), j);
        s.close();
      }));

    it('packs thousands of frames across slab boundaries, and a seq far ahead (operator reset)', () =>
      withDir((dir) => {
        const s = make(dir);
        const j = s.journal('CO2');
        const long = 'z'.repeat(70);
        for (let q = 1; q <= 12_000; q++) j.saveSent(q, frame(q, long));
        j.saveSent(3_000_000_000, frame(7, 'far'));
        // every one: 64 KB slabs (a frame never straddles two) and 8,192-seq index pages (8,192 / 8,193)
        for (let q = 1; q <= 12_000; q++) assert.deepEqual(j.sent(q), frame(q, long), `seq ${q}`);
        assert.equal(j.sent(12_001), undefined);
        assert.deepEqual(j.sent(3_000_000_000), frame(7, 'far'));
        j.reset();
        assert.equal(j.sent(1), undefined);
        assert.equal(j.fresh, true);
        s.close();
      }));

    it('a session that starts small (a few frames) and grows: frames of every size, seqs out of order, across the first page', () =>
      withDir((dir) => {
        const s = make(dir);
        const j = s.journal('CO3');
        // Frames of a given total length (the store reads a frame's length from its Length field, §2.1).
        const sized = (len: number, fill: number) => {
          const f = new Uint8Array(len).fill(fill);
          f[0] = 2;
          f[1] = len & 0xff;
          f[2] = len >> 8;
          return f;
        };
        const sizes = [40, 600, 2_000, 8, 40_000, 300, 65_000, 9];
        const seqs = [3, 1, 70, 2, 8_300, 130, 64, 65];
        assert.equal(seqs.length, sizes.length);
        seqs.forEach((q, i) => j.saveSent(q, sized(sizes[i]!, i + 10)));
        seqs.forEach((q, i) => assert.deepEqual(j.sent(q), sized(sizes[i]!, i + 10), `seq ${q}`));
        for (const q of [4, 63, 66, 129, 8_191, 8_299, 8_301]) assert.equal(j.sent(q), undefined, `seq ${q}`);
        s.close();
      }));
  });
}

describe('file store: restart', () => {
  it('a new store on the same directory reads back counters and frames; a torn last record is ignored', () =>
    withDir((dir) => {
      const a = new FileSessionStore(dir);
      const j = a.journal('CO/3');
      j.saveSent(1, frame(1));
      j.saveSent(2, frame(2));
      j.setNextToSend(3);
      j.setNextExpected(7);
      a.close();
      // A crash in the middle of the next record.
      fs.appendFileSync(path.join(dir, FileSessionStore.fileName('CO/3')), Uint8Array.of(0x4d, 3, 0, 0));
      const b = new FileSessionStore(dir);
      assert.deepEqual(b.compIds(), ['CO/3']);
      const k = b.journal('CO/3');
      assert.deepEqual([k.nextToSend, k.nextExpected], [3, 7]);
      assert.deepEqual(k.sent(2), frame(2));
      // The torn bytes were cut: what is written now is read back after the next restart.
      k.saveSent(3, frame(3));
      k.setNextToSend(4);
      b.close();
      const c = new FileSessionStore(dir);
      assert.deepEqual(c.journal('CO/3').sent(3), frame(3));
      assert.equal(c.journal('CO/3').nextToSend, 4);
      c.close();
    }));

  it('a reset survives a restart', () =>
    withDir((dir) => {
      const a = new FileSessionStore(dir);
      const j = a.journal('CO4');
      j.saveSent(1, frame(1));
      j.setNextToSend(2);
      j.setNextExpected(2);
      j.reset();
      a.close();
      const b = new FileSessionStore(dir);
      const k = b.journal('CO4');
      assert.deepEqual([k.nextToSend, k.nextExpected, k.sent(1)], [1, 1, undefined]);
      b.close();
    }));
});

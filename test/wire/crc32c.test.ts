import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { crc32c, crc32cStage, crc32cStageAlias, crc32cStaged, crc32cUpdate, CRC32C_STAGE_CAPACITY } from '../../src/wire/index.ts';
import { crc32cReference } from '../vectors/ocg/bytes.ts';

describe('CRC-32C (OCG-C §2.4)', () => {
  it('matches the standard check values of the note', () => {
    assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
    assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
    assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
    assert.equal(crc32c(new Uint8Array(0)), 0);
  });

  it('agrees with a bit-by-bit reference on every length 0..300 and odd offsets', () => {
    const buf = new Uint8Array(400);
    let x = 12345;
    for (let i = 0; i < buf.length; i++) { x = (x * 1103515245 + 12345) >>> 0; buf[i] = x >>> 24; }
    for (let len = 0; len <= 300; len++) {
      for (const start of [0, 1, 3, 7]) assert.equal(crc32c(buf, start, start + len), crc32cReference(buf, start, start + len), `len ${len} start ${start}`);
    }
  });

  it('works on a subarray view (byteOffset ≠ 0) and continues incrementally', () => {
    const all = new TextEncoder().encode('xx123456789');
    const view = all.subarray(2);
    assert.equal(crc32c(view), 0xe3069283);
    assert.equal(crc32cUpdate(crc32cUpdate(0, view, 0, 4), view, 4, view.length), 0xe3069283);
  });
});

describe('staged CRC-32C (WebAssembly kernel)', () => {
  const buf = new Uint8Array(5000);
  for (let i = 0; i < buf.length; i++) buf[i] = (i * 131) ^ (i >> 3);

  it('agrees with the JS loop on every range of a staged array', () => {
    crc32cStage(buf, 10);
    for (let len = 0; len <= 100; len++) {
      for (const start of [10, 11, 1000, 4999 - len]) assert.equal(crc32cStaged(buf, start, start + len), crc32c(buf, start, start + len));
    }
    assert.equal(crc32cStaged(buf, 0, 40), crc32c(buf, 0, 40), 'range before the staged part falls back');
  });

  it('falls back when another array was staged since (interleaved readers stay correct)', () => {
    const other = buf.slice().reverse();
    crc32cStage(buf);
    crc32cStage(other);
    assert.equal(crc32cStaged(buf, 0, 300), crc32c(buf, 0, 300));
    assert.equal(crc32cStaged(other, 0, 300), crc32c(other, 0, 300));
    assert.equal(crc32cStaged(new TextEncoder().encode('123456789'), 0, 9), 0xe3069283);
  });

  it('an alias view of the staged array uses the stage; an alias of a replaced stage does not', () => {
    crc32cStage(buf, 0);
    const view = buf.subarray(100, 400);
    crc32cStageAlias(view, buf, 100);
    assert.equal(crc32cStaged(view, 0, 300), crc32c(view, 0, 300));
    assert.equal(crc32cStaged(view, 7, 250), crc32c(view, 7, 250));
    const other = buf.slice();
    other[150] ^= 0xff; // differs inside the view's range
    crc32cStage(other); // another reader staged: the alias is dropped
    crc32cStageAlias(view, buf, 100); // and cannot be re-registered against the wrong parent
    assert.equal(crc32cStaged(view, 0, 300), crc32c(view, 0, 300));
  });

  it('ignores arrays larger than the stage', () => {
    const huge = new Uint8Array(CRC32C_STAGE_CAPACITY + 1).fill(7);
    crc32cStage(huge);
    assert.equal(crc32cStaged(huge, 5, 1000), crc32c(huge, 5, 1000));
  });
});

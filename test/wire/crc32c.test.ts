import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { crc32c, crc32cUpdate } from '../../src/wire/index.ts';
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
    for (let i = 0; i < buf.length; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      buf[i] = x >>> 24;
    }
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

  it('continued at every split point gives the CRC of the whole (16-byte blocks cut anywhere)', () => {
    const buf = Uint8Array.from({ length: 100 }, (_, i) => (i * 151 + 7) & 0xff);
    const whole = crc32cReference(buf, 0, buf.length);
    for (let k = 0; k <= buf.length; k++) assert.equal(crc32cUpdate(crc32cUpdate(0, buf, 0, k), buf, k, buf.length), whole, `split at ${k}`);
  });
});

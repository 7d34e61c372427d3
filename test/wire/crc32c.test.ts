import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { crc32c, crc32cKernel, crc32cStage, crc32cStageAlias, crc32cStaged, crc32cUpdate, CRC32C_STAGE_CAPACITY } from '../../src/wire/index.ts';
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

describe('staged CRC-32C of frames (native kernel, once per chunk)', () => {
  const FRAMING = { lengthOffset: 1, trailer: 4 };
  /** A chunk of frames: [0x02, len lo, len hi, payload…, 4 trailer bytes]; returns the frame starts too. */
  function chunkOf(lengths: number[], seed: number): { bytes: Uint8Array; starts: number[] } {
    const total = lengths.reduce((a, b) => a + b, 0);
    const bytes = new Uint8Array(total);
    let x = seed;
    for (let i = 0; i < total; i++) { x = (x * 1103515245 + 12345) >>> 0; bytes[i] = x >>> 24; }
    const starts: number[] = [];
    let o = 0;
    for (const n of lengths) {
      starts.push(o);
      bytes[o] = 0x02; bytes[o + 1] = n & 0xff; bytes[o + 2] = n >> 8;
      o += n;
    }
    return { bytes, starts };
  }

  it('the native SSE4.2 kernel is the one in use on x86-64 when a C compiler was there at npm ci', () => {
    let cc = false;
    for (const c of ['cc', 'gcc', 'clang']) {
      try { execFileSync(c, ['--version'], { stdio: 'ignore' }); cc = true; break; } catch { /* next */ }
    }
    if (process.arch === 'x64' && cc && process.env['FAILOVER_DRILL_NATIVE'] !== '0') assert.equal(crc32cKernel, 'native-sse4.2');
    else assert.match(crc32cKernel, /^(native-sse4\.2|native-table|wasm|js)$/);
  });

  it('every frame of a chunk, in order, gets the CRC of exactly its covered bytes (1,500 frames: the table refills)', () => {
    const lengths = Array.from({ length: 1500 }, (_, i) => 58 + ((i * 37) % 240));
    const { bytes, starts } = chunkOf(lengths, 7);
    crc32cStage(bytes, 0, FRAMING);
    starts.forEach((s, i) => assert.equal(crc32cStaged(bytes, s, s + lengths[i]! - 4), crc32c(bytes, s, s + lengths[i]! - 4), `frame ${i}`));
  });

  it('ranges that are not whole frames, frames asked out of order, and frames after a bad length are still right', () => {
    const lengths = [100, 230, 61, 180, 90];
    const { bytes, starts } = chunkOf(lengths, 99);
    bytes[starts[2]! + 1] = 3; // frame 2 claims 3 bytes: the native walk stops there
    crc32cStage(bytes, 0, FRAMING);
    assert.equal(crc32cStaged(bytes, 0, 96), crc32c(bytes, 0, 96));
    assert.equal(crc32cStaged(bytes, 5, 50), crc32c(bytes, 5, 50), 'not a frame');
    assert.equal(crc32cStaged(bytes, starts[1]!, starts[1]! + 226), crc32c(bytes, starts[1]!, starts[1]! + 226));
    assert.equal(crc32cStaged(bytes, starts[3]!, starts[3]! + 176), crc32c(bytes, starts[3]!, starts[3]! + 176), 'after the bad frame');
    assert.equal(crc32cStaged(bytes, starts[0]!, starts[0]! + 96), crc32c(bytes, starts[0]!, starts[0]! + 96), 'backwards');
    assert.equal(crc32cStaged(bytes, starts[4]!, starts[4]! + 86), crc32c(bytes, starts[4]!, starts[4]! + 86));
  });

  it('frames that start after a partial one, a frame cut off at the end, and nextFrame-style alias views', () => {
    const { bytes, starts } = chunkOf([120, 200, 150], 3);
    const cut = bytes.subarray(0, starts[2]! + 60); // the last frame is incomplete in this chunk
    crc32cStage(cut, 0, FRAMING);
    assert.equal(crc32cStaged(cut, starts[1]!, starts[1]! + 196), crc32c(cut, starts[1]!, starts[1]! + 196), 'first call at frame 1');
    assert.equal(crc32cStaged(cut, starts[2]!, starts[2]! + 50), crc32c(cut, starts[2]!, starts[2]! + 50));
    const view = cut.subarray(starts[1]!, starts[1]! + 200);
    crc32cStageAlias(view, cut, starts[1]!);
    assert.equal(crc32cStaged(view, 0, 196), crc32c(view, 0, 196));
    assert.equal(crc32cStaged(view, 7, 150), crc32c(view, 7, 150), 'inside the view, not a frame');
  });

  it('a later stage of another array, or bytes of another array, never use the old table', () => {
    const a = chunkOf([80, 80, 80], 1);
    const b = chunkOf([80, 80, 80], 2);
    crc32cStage(a.bytes, 0, FRAMING);
    assert.equal(crc32cStaged(a.bytes, 0, 76), crc32c(a.bytes, 0, 76));
    crc32cStage(b.bytes, 0, FRAMING);
    assert.equal(crc32cStaged(a.bytes, 80, 156), crc32c(a.bytes, 80, 156));
    assert.equal(crc32cStaged(b.bytes, 80, 156), crc32c(b.bytes, 80, 156));
    assert.notEqual(crc32c(a.bytes, 80, 156), crc32c(b.bytes, 80, 156));
  });

  it('FAILOVER_DRILL_NATIVE=0 selects the WebAssembly kernel and framed staging still agrees', () => {
    const code = `import { crc32c, crc32cKernel, crc32cStage, crc32cStaged } from './src/wire/index.ts';
      const b = new Uint8Array(300); for (let i = 0; i < 300; i++) b[i] = i * 7; b[1] = 150; b[2] = 0; b[151] = 150; b[152] = 0;
      crc32cStage(b, 0, { lengthOffset: 1, trailer: 4 });
      console.log(crc32cKernel, crc32cStaged(b, 150, 296) === crc32c(b, 150, 296));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { env: { ...process.env, FAILOVER_DRILL_NATIVE: '0' }, encoding: 'utf8' });
    assert.equal(r.stderr.replace(/.*ExperimentalWarning.*\n?/g, '').trim(), '');
    assert.equal(r.stdout.trim(), 'wasm true');
  });
});

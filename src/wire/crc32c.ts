// CRC-32C (Castagnoli), reflected polynomial 0x82F63B78, init/final XOR 0xFFFFFFFF (OCG-C §2.4).
// Hand-written slicing-by-16 rather than an npm package: this runs on every OCG-C message in both
// directions (a hot path). The pure-JS packages (@aws-crypto/crc32c, crc-32) are byte-at-a-time
// tables, and the SIMD ones (@node-rs/crc32, @chainsafe/fast-crc32c, sse4_crc32) are native addons
// whose per-call N-API cost is of the order of the whole computation on a ~200-byte message, and
// would add a platform-specific install to every machine of the team.

// One Int32Array holds the 16 tables (table k at k * 256) for slicing-by-16; words are read through
// a DataView (little-endian), cached per ArrayBuffer because creating one per call costs more than
// the CRC of a small message.
const T = buildTables();

function buildTables(): Int32Array {
  const t = new Int32Array(16 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!;
    for (let k = 1; k < 16; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  return t;
}

let viewBuffer: ArrayBufferLike | null = null;
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

/**
 * Continue a CRC-32C over bytes[start, end). `crc` is a previous result (0 to start fresh), so
 * crc32c(b) === crc32cUpdate(crc32cUpdate(0, b, 0, k), b, k, b.length). Returns an unsigned 32-bit value.
 */
export function crc32cUpdate(crc: number, bytes: Uint8Array, start: number, end: number): number {
  if (bytes.buffer !== viewBuffer) {
    viewBuffer = bytes.buffer;
    view = new DataView(bytes.buffer);
  }
  const dv = view;
  const base = bytes.byteOffset;
  let c = ~crc;
  let i = start;
  const end16 = end - ((end - start) & 15);
  while (i < end16) {
    const a = c ^ dv.getInt32(base + i, true);
    const b = dv.getInt32(base + i + 4, true);
    const d = dv.getInt32(base + i + 8, true);
    const f = dv.getInt32(base + i + 12, true);
    c = T[0xf00 + (a & 0xff)]! ^ T[0xe00 + ((a >>> 8) & 0xff)]! ^ T[0xd00 + ((a >>> 16) & 0xff)]! ^ T[0xc00 + (a >>> 24)]!
      ^ T[0xb00 + (b & 0xff)]! ^ T[0xa00 + ((b >>> 8) & 0xff)]! ^ T[0x900 + ((b >>> 16) & 0xff)]! ^ T[0x800 + (b >>> 24)]!
      ^ T[0x700 + (d & 0xff)]! ^ T[0x600 + ((d >>> 8) & 0xff)]! ^ T[0x500 + ((d >>> 16) & 0xff)]! ^ T[0x400 + (d >>> 24)]!
      ^ T[0x300 + (f & 0xff)]! ^ T[0x200 + ((f >>> 8) & 0xff)]! ^ T[0x100 + ((f >>> 16) & 0xff)]! ^ T[f >>> 24]!;
    i += 16;
  }
  while (i < end) c = T[(c ^ bytes[i++]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC-32C of bytes[start, end) (whole array by default). */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return crc32cUpdate(0, bytes, start, end);
}

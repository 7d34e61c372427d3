// CRC-32C (Castagnoli), reflected polynomial 0x82F63B78, init/final XOR 0xFFFFFFFF (OCG-C §2.4).
// Hand-written slicing-by-8 rather than an npm package: this runs on every OCG-C message in both
// directions (a hot path). The pure-JS packages (@aws-crypto/crc32c, crc-32) are byte-at-a-time
// tables, and the SIMD ones (@node-rs/crc32, @chainsafe/fast-crc32c, sse4_crc32) are native addons
// whose per-call N-API cost is of the order of the whole computation on a ~200-byte message, and
// would add a platform-specific install to every machine of the team.

const TABLES = buildTables();
const T0 = TABLES[0]!, T1 = TABLES[1]!, T2 = TABLES[2]!, T3 = TABLES[3]!;
const T4 = TABLES[4]!, T5 = TABLES[5]!, T6 = TABLES[6]!, T7 = TABLES[7]!;

function buildTables(): Int32Array[] {
  const t: Int32Array[] = [];
  for (let k = 0; k < 8; k++) t.push(new Int32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[0]![n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[0]![n]!;
    for (let k = 1; k < 8; k++) {
      c = t[0]![c & 0xff]! ^ (c >>> 8);
      t[k]![n] = c;
    }
  }
  return t;
}

/**
 * Continue a CRC-32C over bytes[start, end). `crc` is a previous result (0 to start fresh), so
 * crc32c(b) === crc32cUpdate(crc32cUpdate(0, b, 0, k), b, k, b.length). Returns an unsigned 32-bit value.
 */
export function crc32cUpdate(crc: number, bytes: Uint8Array, start: number, end: number): number {
  let c = ~crc;
  let i = start;
  const end8 = end - ((end - start) & 7);
  while (i < end8) {
    const a = c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    c = T7[a & 0xff]! ^ T6[(a >>> 8) & 0xff]! ^ T5[(a >>> 16) & 0xff]! ^ T4[a >>> 24]!
      ^ T3[bytes[i + 4]!]! ^ T2[bytes[i + 5]!]! ^ T1[bytes[i + 6]!]! ^ T0[bytes[i + 7]!]!;
    i += 8;
  }
  while (i < end) c = T0[(c ^ bytes[i++]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC-32C of bytes[start, end) (whole array by default). */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return crc32cUpdate(0, bytes, start, end);
}

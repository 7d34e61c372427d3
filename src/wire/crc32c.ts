// CRC-32C (Castagnoli), reflected polynomial 0x82F63B78, init/final XOR 0xFFFFFFFF (OCG-C §2.4).
// Slicing-by-16 in plain JS: 16 table lookups per 16 bytes instead of one per byte. No npm package
// does better here: the pure-JS ones (@aws-crypto/crc32c) go a byte at a time, and a native one
// pays a Node-API call per frame, about what this loop spends on a whole frame.

/** The 16 tables, table k at k * 256: T[k][n] is the CRC of byte n followed by k zero bytes. */
const T: Int32Array = buildTables();

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

/**
 * Continue a CRC-32C over bytes[start, end). `crc` is a previous result (0 to start fresh), so
 * crc32c(b) === crc32cUpdate(crc32cUpdate(0, b, 0, k), b, k, b.length). Returns an unsigned 32-bit value.
 */
export function crc32cUpdate(crc: number, bytes: Uint8Array, start: number, end: number): number {
  const b = bytes;
  let c = ~crc;
  let i = start;
  const end16 = end - ((end - start) & 15);
  while (i < end16) {
    // Only the first word depends on the running CRC; the other twelve bytes are looked up directly.
    const a = c ^ (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24));
    c =
      T[0xf00 + (a & 0xff)]! ^
      T[0xe00 + ((a >>> 8) & 0xff)]! ^
      T[0xd00 + ((a >>> 16) & 0xff)]! ^
      T[0xc00 + (a >>> 24)]! ^
      T[0xb00 + b[i + 4]!]! ^
      T[0xa00 + b[i + 5]!]! ^
      T[0x900 + b[i + 6]!]! ^
      T[0x800 + b[i + 7]!]! ^
      T[0x700 + b[i + 8]!]! ^
      T[0x600 + b[i + 9]!]! ^
      T[0x500 + b[i + 10]!]! ^
      T[0x400 + b[i + 11]!]! ^
      T[0x300 + b[i + 12]!]! ^
      T[0x200 + b[i + 13]!]! ^
      T[0x100 + b[i + 14]!]! ^
      T[b[i + 15]!]!;
    i += 16;
  }
  while (i < end) c = T[(c ^ b[i++]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC-32C of bytes[start, end) (whole array by default). */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return crc32cUpdate(0, bytes, start, end);
}

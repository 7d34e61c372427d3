// Byte builders for hand-derived OCG-C vectors. Deliberately independent of src/ocg: each helper
// writes one wire data type exactly as the note's §2.5 describes it, and the CRC is a plain
// bit-by-bit CRC-32C (reflected 0x82F63B78), not the table-driven one under test.

export type Part = readonly number[];

export const u8 = (x: number): Part => [x & 0xff];
export const u16 = (x: number): Part => [x & 0xff, (x >>> 8) & 0xff];
export const u32 = (x: number): Part => [x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, (x >>> 24) & 0xff];
/** Decimal: signed Int64 LE of value × 10^8 (pass the raw ×10^8 bigint). */
export const dec = (raw: bigint): Part => {
  const u = BigInt.asUintN(64, raw);
  return Array.from({ length: 8 }, (_, i) => Number((u >> BigInt(8 * i)) & 0xffn));
};
/** Byte: one ASCII character. */
export const ch = (c: string): Part => [c.charCodeAt(0)];
/** Alphanumeric Fixed(n): ASCII, NUL-terminated, zero-filled to n. */
export const alnum = (s: string, n: number): Part => {
  if (s.length > n - 1) throw new Error(`vector error: "${s}" does not fit Alnum(${n})`);
  return [...Array.from(s, (c) => c.charCodeAt(0)), ...new Array<number>(n - s.length).fill(0)];
};
/** Alphanumeric Variable Length: UInt16 L (incl. trailing NUL), then L bytes. */
export const varText = (s: string): Part => [...u16(s.length + 1), ...Array.from(s, (c) => c.charCodeAt(0)), 0];
/** Presence map of `bytes` bytes with the given bits set (bit 0 = MSB of byte 0, §2.3). */
export const presence = (bits: readonly number[], bytes = 32): Part => {
  const m = new Array<number>(bytes).fill(0);
  for (const b of bits) m[b >> 3] |= 0x80 >> (b & 7);
  return m;
};

export function crc32cReference(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) {
    c ^= bytes[i]!;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * A whole frame: the 54-byte header written field by field, the body parts, and the CRC-32C of
 * everything before the trailer, stored LE. `length` is the Length the vector's author computed
 * by hand; it must agree with the bytes.
 */
export function frame(h: { length: number; msgType: number; seq: number; possDup?: 0 | 1; possResend?: 0 | 1; compId: string; bits: readonly number[] }, body: readonly Part[]): Uint8Array {
  const bytes = [
    0x02, // Start of Message
    ...u16(h.length), // Length: header + body + trailer
    h.msgType,
    ...u32(h.seq),
    h.possDup ?? 0,
    h.possResend ?? 0,
    ...alnum(h.compId, 12),
    ...presence(h.bits),
    ...body.flat(),
  ];
  if (bytes.length + 4 !== h.length) throw new Error(`vector error: hand Length ${h.length}, bytes ${bytes.length + 4}`);
  const out = new Uint8Array(h.length);
  out.set(bytes, 0);
  out.set(u32(crc32cReference(out, 0, h.length - 4)), h.length - 4);
  return out;
}

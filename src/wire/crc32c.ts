import { loadAddon } from './native-addon.ts';

// CRC-32C (Castagnoli), reflected polynomial 0x82F63B78, init/final XOR 0xFFFFFFFF (OCG-C §2.4).
// Three kernels, fastest first:
// - native/crc32c.c, a Node-API addon built at `npm ci` (scripts/build-native.mjs): the SSE4.2
//   CRC32 instruction, three frames side by side, called once per received TCP chunk for all the
//   frames in it (crc32cStage with a framing). ~15 ns for a 217-byte frame, against ~100 ns for
//   the WebAssembly kernel: the CRC was a third of the OCG-C decode.
// - slicing-by-16 as WebAssembly, over a chunk copied once into its memory (below);
// - slicing-by-16 in JS (crc32cUpdate), for everything else (the encoder, one-off checks).
// No npm package: the pure-JS ones (@aws-crypto/crc32c, crc-32) are byte-at-a-time tables, and the
// native ones (@node-rs/crc32, @chainsafe/fast-crc32c, sse4_crc32) take one buffer per call, and a
// Node-API call (~130 ns here) costs more than the CRC of a whole frame; only a call per chunk pays.

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

// ---------------------------------------------------------------------------------------------
// Staged CRC for stream readers: slicing-by-16 as WebAssembly, about 2× faster than the JS loop,
// but only over bytes already in its memory. Copying one frame in costs as much as it saves, so a
// reader stages a whole TCP chunk once (one memcpy) and then checks every frame in it.
// The module is assembled below from opcodes (no toolchain, no binary blob); if WebAssembly is
// unavailable everything falls back to crc32c().

const TABLE_BYTES = 16 * 256 * 4;
/** Largest chunk that can be staged (bigger chunks use the JS loop). */
export const CRC32C_STAGE_CAPACITY = 1 << 20;

interface Kernel {
  crc: (ptr: number, len: number, crc: number) => number;
  mem: Uint8Array;
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) { out.push(b); return out; }
    out.push(b | 0x80);
  }
}

/** (func (param ptr len crc) (result i32)): slicing-by-16 over memory, tables at address 0. */
function assembleKernel(): Uint8Array {
  const GET = 0x20, SET = 0x21, CONST = 0x41, XOR = 0x73, AND = 0x71, ADD = 0x6a, SUB = 0x6b, SHL = 0x74, SHRU = 0x76;
  const GEU = 0x4f, LOAD = 0x28, LOAD8U = 0x2d, BLOCK = 0x02, LOOP = 0x03, BR = 0x0c, BRIF = 0x0d, END = 0x0b, VOID = 0x40;
  const PTR = 0, LEN = 1, CRC = 2, C = 3, E = 4, E16 = 5, W0 = 6;
  const code: number[] = [];
  const op = (...x: number[]) => { code.push(...x); };
  const get = (l: number) => op(GET, l), set = (l: number) => op(SET, l), cst = (n: number) => op(CONST, ...sleb(n));
  const load = (offset: number, align: number) => op(LOAD, align, ...uleb(offset));
  get(CRC); cst(-1); op(XOR); set(C); // c = ~crc
  get(PTR); get(LEN); op(ADD); set(E); // end
  get(PTR); get(LEN); cst(-16); op(AND); op(ADD); set(E16); // end of the 16-byte blocks
  op(BLOCK, VOID, LOOP, VOID);
  get(PTR); get(E16); op(GEU, BRIF, 1);
  get(C); get(PTR); load(0, 0); op(XOR); set(W0); // word 0 ^= c
  // Byte k of the block goes through table 15 − k. Only word 0 depends on c: bytes 4..15 are
  // looked up and XORed first, in pairs, so the loop-carried chain is just word 0's four lookups
  // (one XOR chain through all 16 made the loop latency-bound: ~94 → ~71 ns per 209-byte frame).
  const lookup = (k: number, tables = 16) => {
    if (k < 4) { // from the word: (w >>> 8k) & 0xff, times 4, in two operations
      get(W0);
      if (k === 0) { cst(2); op(SHL); } else { cst(8 * k - 2); op(SHRU); }
      cst(0x3fc); op(AND);
    } else { // straight from memory: fewer operations than cutting bytes out of loaded words
      get(PTR); op(LOAD8U, 0, ...uleb(k)); cst(2); op(SHL);
    }
    load((tables - 1 - k) * 1024, 2);
  };
  const quad = (w: number) => { lookup(4 * w); lookup(4 * w + 1); op(XOR); lookup(4 * w + 2); lookup(4 * w + 3); op(XOR); op(XOR); };
  quad(3); quad(2); op(XOR); quad(1); op(XOR); quad(0); op(XOR);
  set(C);
  get(PTR); cst(16); op(ADD); set(PTR);
  op(BR, 0, END, END);
  // Then 4-byte words (slicing-by-4 with tables 3..0): a frame's tail is up to 15 bytes, and
  // byte by byte each one waits for the one before.
  get(PTR); get(E); get(PTR); op(SUB); cst(-4); op(AND); op(ADD); set(E16);
  op(BLOCK, VOID, LOOP, VOID);
  get(PTR); get(E16); op(GEU, BRIF, 1);
  get(C); get(PTR); load(0, 0); op(XOR); set(W0);
  lookup(0, 4); lookup(1, 4); op(XOR); lookup(2, 4); lookup(3, 4); op(XOR); op(XOR);
  set(C);
  get(PTR); cst(4); op(ADD); set(PTR);
  op(BR, 0, END, END);
  op(BLOCK, VOID, LOOP, VOID); // last 0..3 bytes, one by one
  get(PTR); get(E); op(GEU, BRIF, 1);
  get(C); get(PTR); op(LOAD8U, 0, 0); op(XOR); cst(255); op(AND); cst(2); op(SHL); load(0, 2);
  get(C); cst(8); op(SHRU); op(XOR); set(C);
  get(PTR); cst(1); op(ADD); set(PTR);
  op(BR, 0, END, END);
  get(C); cst(-1); op(XOR); op(END);
  const body = [1, 4, 0x7f, ...code]; // locals: 4 × i32
  const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
  const name = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
  const pages = Math.ceil((TABLE_BYTES + CRC32C_STAGE_CAPACITY) / 65536);
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, [1, 0x60, 3, 0x7f, 0x7f, 0x7f, 1, 0x7f]), // type: (i32 i32 i32) → i32
    ...section(3, [1, 0]), // function 0 has type 0
    ...section(5, [1, 0, ...uleb(pages)]), // memory
    ...section(7, [2, ...name('crc'), 0, 0, ...name('mem'), 2, 0]), // exports
    ...section(10, [1, ...uleb(body.length), ...body]),
  ]);
}

function loadKernel(): Kernel | null {
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(assembleKernel() as Uint8Array<ArrayBuffer>), {});
    const memory = instance.exports['mem'] as WebAssembly.Memory;
    new Int32Array(memory.buffer, 0, T.length).set(T);
    const k: Kernel = { crc: instance.exports['crc'] as Kernel['crc'], mem: new Uint8Array(memory.buffer) };
    // Check values (tail loop and 16-byte blocks): a kernel that disagrees is not used.
    const probe = new TextEncoder().encode('123456789');
    k.mem.set(probe, TABLE_BYTES);
    if ((k.crc(TABLE_BYTES, probe.length, 0) >>> 0) !== 0xe3069283) return null;
    k.mem.fill(0xff, TABLE_BYTES, TABLE_BYTES + 32);
    return (k.crc(TABLE_BYTES, 32, 0) >>> 0) === 0x62a8ab43 ? k : null;
  } catch {
    return null;
  }
}

const kernel = loadKernel();

// ---------------------------------------------------------------------------------------------
// Native kernel (native/crc32c.c, built at install time by scripts/build-native.mjs): the SSE4.2
// CRC32 instruction, three frames side by side, called once per run of frames (a TCP chunk), not
// once per frame. Optional: when the addon is missing (no compiler at install, another CPU) or
// FAILOVER_DRILL_NATIVE=0, everything above is used as before.

interface NativeCrc {
  frames(bytes: Uint8Array, from: number, lengthOffset: number, trailer: number, out: Int32Array): number;
  crc(bytes: Uint8Array, start: number, end: number): number;
  hardware: boolean;
}

/** Whether a loaded addon computes what the JS does (src/wire/native-addon.ts loads it). */
function nativeAgrees(m: NativeCrc): boolean {
  const probe = new TextEncoder().encode('123456789');
  if ((m.crc(probe, 0, 9) >>> 0) !== 0xe3069283) return false;
  // Two frames (length u16 LE at 1, 4-byte trailer) checked against the JS loop.
  const f = new Uint8Array(70);
  for (let i = 0; i < f.length; i++) f[i] = (i * 37 + 11) & 0xff;
  f[1] = 30; f[2] = 0; f[31] = 40; f[32] = 0;
  const out = new Int32Array(6);
  if (m.frames(f, 0, 1, 4, out) !== 2 || out[1] !== 26 || out[3] !== 30 || out[4] !== 66) return false;
  return (out[2]! >>> 0) === crc32c(f, 0, 26) && (out[5]! >>> 0) === crc32c(f, 30, 66);
}

const native = loadAddon<NativeCrc>('crc32c', nativeAgrees);

/** Which kernel checks staged frames: 'native-sse4.2', 'native-table', 'wasm' or 'js'. */
export const crc32cKernel: string = native !== null ? (native.hardware ? 'native-sse4.2' : 'native-table') : kernel !== null ? 'wasm' : 'js';

/** Framing of the staged bytes for the native kernel (null: plain ranges, WebAssembly staging). */
export interface Crc32cFraming {
  /** Offset in a frame of its length, u16 little-endian (the whole frame's length, trailer included). */
  lengthOffset: number;
  /** Bytes at the end of each frame not covered by its CRC (the CRC itself). */
  trailer: number;
}

let stagedBytes: Uint8Array | null = null;
let stagedFrom = 0;
let stagedEnd = 0;
/** A view into the staged array (a frame handed out by a reader): aliasBytes[i] = stagedBytes[i + aliasShift]. */
let aliasBytes: Uint8Array | null = null;
let aliasShift = 0;
/** Native mode: the framing, and the table of frames computed so far (start, end, crc per frame). */
let framing: Crc32cFraming | null = null;
const FRAME_SLOTS = 512;
const frameTable = new Int32Array(3 * FRAME_SLOTS);
let frameCount = 0;
let frameCursor = 0;

/**
 * Make crc32cStaged() over any range of bytes[from, length) fast. One stage exists per process:
 * staging another array replaces it (crc32cStaged then falls back to the JS loop for the old one,
 * so interleaved readers stay correct). The bytes must not be modified while staged.
 * With `framing` and the native kernel, nothing is copied: the first crc32cStaged() of a frame
 * computes the CRCs of it and every complete frame after it in one native call. Otherwise the
 * bytes are copied once into the WebAssembly kernel's memory.
 */
export function crc32cStage(bytes: Uint8Array, from = 0, frames?: Crc32cFraming): void {
  const n = bytes.length - from;
  aliasBytes = null;
  if (native !== null && frames !== undefined && n > 0) {
    stagedBytes = bytes;
    stagedFrom = from;
    stagedEnd = bytes.length;
    framing = frames;
    frameCount = 0;
    frameCursor = 0;
    return;
  }
  framing = null;
  if (kernel === null || n <= 0 || n > CRC32C_STAGE_CAPACITY) {
    stagedBytes = null;
    return;
  }
  kernel.mem.set(from === 0 ? bytes : bytes.subarray(from), TABLE_BYTES);
  stagedBytes = bytes;
  stagedFrom = from;
  stagedEnd = bytes.length;
}

/**
 * Register `view`, a subarray of `parent` starting at its index `stagedIndex`, when `parent` is the
 * currently staged array,
 * so crc32cStaged(view, …) also uses the staged copy (a reader's nextFrame() views). One alias at
 * a time; a later stage or alias replaces it.
 */
export function crc32cStageAlias(view: Uint8Array, parent: Uint8Array, stagedIndex: number): void {
  if (parent !== stagedBytes) return; // another reader staged since: no alias, JS loop

  aliasBytes = view;
  aliasShift = stagedIndex;
}

/** Native mode, not the next frame of the table: refill it from s (a chunk's first frame, or after a bad one). */
function framedCrc(s: number, e: number): number {
  frameCount = native!.frames(stagedBytes!, s, framing!.lengthOffset, framing!.trailer, frameTable);
  const k = 0;
  if (k < frameCount && frameTable[3 * k] === s && frameTable[3 * k + 1] === e) {
    frameCursor = k + 1;
    return frameTable[3 * k + 2]! >>> 0;
  }
  return native!.crc(stagedBytes!, s, e) >>> 0; // not a whole frame
}

/**
 * crc32c(bytes, start, end), using the staged copy when `bytes` is the staged array or its alias
 * (identity, not content, decides: anything else goes through the JS loop).
 */
export function crc32cStaged(bytes: Uint8Array, start: number, end: number): number {
  if (framing !== null) {
    // Native mode, the hot path: the next frame of the table.
    let s = start, e = end;
    if (bytes !== stagedBytes) {
      if (bytes !== aliasBytes || end > bytes.length) return crc32cUpdate(0, bytes, start, end);
      s += aliasShift;
      e += aliasShift;
    }
    const k = frameCursor;
    if (k < frameCount && frameTable[3 * k] === s && frameTable[3 * k + 1] === e) {
      frameCursor = k + 1;
      return frameTable[3 * k + 2]! >>> 0;
    }
    return s >= stagedFrom && e <= stagedEnd && s <= e ? framedCrc(s, e) : crc32cUpdate(0, bytes, start, end);
  }
  if (bytes === stagedBytes && start >= stagedFrom && end <= stagedEnd && start <= end) {
    return kernel!.crc(TABLE_BYTES + start - stagedFrom, end - start, 0) >>> 0;
  }
  if (bytes === aliasBytes) {
    const s = start + aliasShift;
    const e = end + aliasShift;
    if (s >= stagedFrom && e <= stagedEnd && end <= bytes.length && start <= end) return kernel!.crc(TABLE_BYTES + s - stagedFrom, end - start, 0) >>> 0;
  }
  return crc32cUpdate(0, bytes, start, end);
}

// OCG-C encoder/decoder (spec note §2): 54-byte header, 256-bit presence map, body fields in bit
// order, CRC-32C trailer over everything before it. Codecs know nothing about sockets.
//
// Decoding is the hot path (`ocg.decode` benchmark): each message type gets a decoder function
// generated once from the field table in schema.ts (straight-line code, fixed property names, no
// per-field table lookups or closures), and each frequent presence map gets a further specialised
// one (constant offsets, one object literal). Strings are cut out of one latin1 string of the body.
// With OcgCodecOptions.lazy such a layout yields a view instead: same checks, fields read on access.
// Encoders are generated from the same tables. Decoding never throws: every problem becomes an
// OcgDecodeError; encoding throws RangeError on invalid programmer input.
import { crc32c, crc32cStaged } from '../wire/crc32c.ts';
import {
  OCG_HEADER_LENGTH, OCG_MAX_MESSAGE_LENGTH, OCG_MIN_MESSAGE_LENGTH, OCG_START_OF_MESSAGE,
  MessageRejectCode,
} from './messages.ts';
import type {
  OcgDecodeError, OcgDecodeErrorKindName, OcgDecodeResult, OcgEncodeHeader, OcgHeader, OcgMessage,
  OcgMsgTypeCode,
} from './messages.ts';
import type { OcgProfile } from './profile.ts';
import { MESSAGE_SPEC_BY_TYPE, fieldsOf } from './schema.ts';
import type { FieldSpec, MessageSpec } from './schema.ts';

export interface OcgCodecOptions {
  /** Venue profile (default: everything allowed, no v3.2 SMP fields). */
  profile?: OcgProfile;
  /**
   * Decode lazily: the frame is still checked completely (CRC, framing, presence map, lengths),
   * but for the common layouts (fixed-size fields only) the message is a view whose string and
   * decimal fields are read from the bytes on access, as the same typed values. A view keeps
   * the bytes it came from alive and its fields are prototype getters, so spread / for-in / keys
   * see only msgType: use materialiseMessage() for a plain object (JSON.stringify works as is).
   */
  lazy?: boolean;
}

export interface OcgEncodeOptions extends OcgCodecOptions {
  /** Skip the required-field check (tests that need a message the gateway must reject). */
  skipRequiredCheck?: boolean;
}

const MAP_OFFSET = 22; // §2.1
const MAP_BYTES = 32;
const COMP_ID_OFFSET = 10;
const COMP_ID_BYTES = 12;

// ---------------------------------------------------------------------------------------------
// latin1 text: one native call per message, then substrings (cheaper than one call per field).

type Latin1Slice = (this: Uint8Array, start: number, end: number) => string;
const nativeLatin1 = (Buffer.prototype as unknown as { latin1Slice?: Latin1Slice }).latin1Slice;
const latin1Decoder = new TextDecoder('latin1');
function latin1(b: Uint8Array, start: number, end: number): string {
  if (nativeLatin1 !== undefined) return nativeLatin1.call(b, start, end);
  // TextDecoder('latin1') is windows-1252 per WHATWG; bytes 0x80–0x9f differ, acceptable fallback.
  return latin1Decoder.decode(b.subarray(start, end));
}

/**
 * Text of a field spanning b[p, q). Short values (< 13 chars) are copies cut out of S. A longer cut
 * would be a V8 sliced string keeping all of S alive, and S may be the text of a whole 64 KiB TCP
 * chunk (stageText); so values of 13–24 characters (Transaction Time is 24) are two short copies
 * joined (a V8 cons string of two flat halves: nothing refers to S or the bytes afterwards; V8
 * flattens it the first time something needs its characters in one piece), ~17 ns against ~32 ns
 * for String.fromCharCode of 24 bytes (ocg.decode +9%). Longer ones are built from the bytes.
 */
function text(b: Uint8Array, p: number, q: number, S: string, base: number): string {
  if (S.length === 0) return bytesText(b, p, q); // no chunk text (a small chunk: see decodeFrame)
  const n = q - p;
  if (n < 13) return S.substring(p - base, q - base);
  if (n <= 24) return S.substring(p - base, p - base + 12) + S.substring(p - base + 12, q - base);
  return longText(b, p, n);
}

// String.fromCharCode with the exact arity for 13..32 characters (Transaction Time is 24), else a
// native latin1 copy.
const longText = (new Function('latin1', 'fcc', `return function longText(b, p, n) {
  switch (n) {
${Array.from({ length: 20 }, (_, i) => i + 13).map((n) => `    case ${n}: return fcc(${Array.from({ length: n }, (_, j) => `b[p + ${j}]`).join(', ')});`).join('\n')}
    default: return latin1(b, p, p + n);
  }
};`) as (l: typeof latin1, f: typeof String.fromCharCode) => (b: Uint8Array, p: number, n: number) => string)(latin1, String.fromCharCode);

/** Text of b[p, q) from the bytes alone (lazy views: no chunk text to cut from). */
function bytesText(b: Uint8Array, p: number, q: number): string {
  const n = q - p;
  return n < 13 ? shortText(b, p, n) : longText(b, p, n);
}
const shortText = (new Function('fcc', `return function shortText(b, p, n) {
  switch (n) {
    case 0: return '';
${Array.from({ length: 12 }, (_, i) => i + 1).map((n) => `    case ${n}: return fcc(${Array.from({ length: n }, (_, j) => `b[p + ${j}]`).join(', ')});`).join('\n')}
    default: return '';
  }
};`) as (f: typeof String.fromCharCode) => (b: Uint8Array, p: number, n: number) => string)(String.fromCharCode);

/** Alnum Fixed(n) at p for lazy views: up to the first NUL, at most n−1 characters (§2.5). */
function strOf(b: Uint8Array, p: number, n: number): string {
  let q = p;
  const e = p + n - 1;
  while (q < e && b[q] !== 0) q++;
  return bytesText(b, p, q);
}

/** Chunks up to this size get no chunk text (decodeFrame): their strings are built from the bytes. */
const SMALL_CHUNK = 600;

// The text of the chunk an OcgFrameReader is working through: one native call per chunk instead
// of one per message. Identity decides (like the staged CRC): frames of another array, or of a
// chunk staged before another reader's, get their own text.
let textBytes: Uint8Array | null = null;
let textString: string | null = null;
let textAlias: Uint8Array | null = null;
let textAliasShift = 0;

/** An OcgFrameReader took `chunk`: decodeFrame over it may share one latin1 text (made lazily). */
export function stageText(chunk: Uint8Array): void {
  textBytes = chunk;
  textString = null;
  textAlias = null;
}

/** `view` = parent.subarray(index, …) handed out by nextFrame(): share the parent's text. */
export function stageTextAlias(view: Uint8Array, parent: Uint8Array, index: number): void {
  if (parent !== textBytes) return;
  textAlias = view;
  textAliasShift = index;
}

/** One-character strings for Byte fields. */
const CHARS: readonly string[] = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i));

// ---------------------------------------------------------------------------------------------
// Generated decoders

/** Where a generated decoder reports failure (module-level: no allocation on the good path). */
interface FailState {
  kind: number; // FAIL_*
  /** Presence bit in the message map (-1: none, -2: bytes left over after the last field). */
  bit: number;
  /** Name of the repeating block the failure happened in, '' when top level. */
  block: string;
  /** Group decoders return the decoded repetition here. */
  value: unknown;
}
const FAIL_OVERRUN = 0, FAIL_UNKNOWN_BIT = 1, FAIL_REQUIRED = 2;
const FAIL: FailState = { kind: FAIL_OVERRUN, bit: -1, block: '', value: undefined };

function bigDecimal(hi: number, lo: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo);
}

// Decimal cache: prices and quantities repeat (price levels, board lots), so a direct-mapped
// cache of recent values saves most BigInt allocations. Key = the exact double (|v| < 2^53).
const DEC_SLOTS = 4096;
const DEC_KEYS = new Float64Array(DEC_SLOTS).fill(NaN);
const DEC_VALUES: bigint[] = new Array<bigint>(DEC_SLOTS).fill(0n);
function smallDecimal(v: number, lo: number): bigint {
  const slot = (lo ^ (lo >>> 13)) & (DEC_SLOTS - 1);
  if (DEC_KEYS[slot] === v) return DEC_VALUES[slot]!;
  const x = BigInt(v);
  DEC_KEYS[slot] = v;
  DEC_VALUES[slot] = x;
  return x;
}

// The presence map is read as words through a DataView, one per ArrayBuffer (a reader's chunk and
// the frame views into it share theirs): 24 checked byte loads per frame cost ~10% of a lazy decode.
// (Identity of b first: reading .buffer is a runtime call.)
let mapBytes: Uint8Array | null = null;
let mapBuffer: ArrayBufferLike | null = null;
let mapView: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
function mapViewOf(b: Uint8Array): DataView<ArrayBufferLike> {
  if (b !== mapBytes) {
    mapBytes = b;
    if (b.buffer !== mapBuffer) {
      mapBuffer = b.buffer;
      mapView = new DataView(b.buffer);
    }
  }
  return mapView;
}

/** Alnum Fixed(n) at p: up to the first NUL, at most n−1 characters (§2.5). */
function str(b: Uint8Array, p: number, n: number, S: string, base: number): string {
  let q = p;
  const e = p + n - 1;
  while (q < e && b[q] !== 0) q++;
  return text(b, p, q, S, base);
}

// Values of a few fields repeat from message to message (the broker, the stock, the market):
// for those, values of up to 8 characters are looked up by their bytes, as two words, before a
// string is made. IDs and times, new in every message, are not looked up.
const REPEATING_TEXT: ReadonlySet<string> = new Set([
  'submittingBrokerId', 'securityId', 'securityExchange', 'brokerLocationId', 'owningBrokerId', 'counterpartyBrokerId',
]);
const WORD_SLOTS = 256;
const WORD_K0 = new Int32Array(WORD_SLOTS);
const WORD_K1 = new Int32Array(WORD_SLOTS);
const WORD_TEXT: string[] = new Array<string>(WORD_SLOTS).fill(''); // key (0, 0) is '' indeed

/** str() for a REPEATING_TEXT field (n ≥ 5); S === null: no text to cut from (lazy views). */
function repeatingStr(b: Uint8Array, p: number, n: number, S: string | null, base: number): string {
  let q = p;
  const e = p + n - 1;
  while (q < e && b[q] !== 0) q++;
  const len = q - p;
  if (len > 8) return S === null || S.length === 0 ? bytesText(b, p, q) : text(b, p, q, S, base);
  // Bytes from the NUL on are masked off (readers ignore them, §2.5); p + 7 is read only when
  // len > 4, i.e. n ≥ 11 for these fields: inside the field.
  let w0 = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
  let w1 = 0;
  if (len < 4) w0 &= (1 << (len * 8)) - 1;
  else if (len > 4) w1 = (b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24)) & (len === 8 ? -1 : (1 << ((len - 4) * 8)) - 1);
  return wordText(w0, w1, b, p, len, S, base);
}

/** The text of the len ≤ 8 bytes at p, whose bytes are the words (w0, w1) masked after len: cached by them. */
function wordText(w0: number, w1: number, b: Uint8Array, p: number, len: number, S: string | null, base: number): string {
  const slot = Math.imul(w0 ^ Math.imul(w1, 0x85ebca6b), 0x9e3779b1) >>> 24;
  if (WORD_K0[slot] === w0 && WORD_K1[slot] === w1) return WORD_TEXT[slot]!;
  const t = S === null || S.length === 0 ? shortText(b, p, len) : S.substring(p - base, p + len - base);
  WORD_K0[slot] = w0;
  WORD_K1[slot] = w1;
  WORD_TEXT[slot] = t;
  return t;
}

/** Characters before the first NUL of an Alnum Fixed(n) at `at` in dv (at most n − 1, §2.5), four bytes a step. */
function nulIn(dv: DataView<ArrayBufferLike>, at: number, n: number): number {
  const lim = n - 1;
  let k = 0;
  for (; k + 4 <= lim; k += 4) {
    const w = dv.getInt32(at + k, true);
    const z = (w - 0x01010101) & ~w & 0x80808080; // lowest set bit: the first zero byte, exactly
    if (z !== 0) return k + ((31 - Math.clz32(z & -z)) >> 3);
  }
  for (; k < lim; k++) if (dv.getUint8(at + k) === 0) return k;
  return lim;
}

// Heads of 13–24-character texts (Transaction Time `YYYYMMDD-HH:MM:SS.ssssss`: its first twelve
// characters change once an hour), looked up by their three words.
const HEAD_SLOTS = 64;
const HEAD_K0 = new Int32Array(HEAD_SLOTS);
const HEAD_K1 = new Int32Array(HEAD_SLOTS);
const HEAD_K2 = new Int32Array(HEAD_SLOTS);
const HEAD_TEXT: string[] = new Array<string>(HEAD_SLOTS).fill('\u0000'.repeat(12)); // matches no key: texts hold no NUL

/**
 * str() for the specialised decoders, Alnum Fixed(n ≥ 9) that are not REPEATING_TEXT: the NUL is
 * found a word at a time; a 13–24-character value is its cached 12-character head joined with a
 * cut of the rest (the join refers to neither S nor the bytes: see text()).
 */
function wordStr(b: Uint8Array, p: number, n: number, S: string, base: number, dv: DataView<ArrayBufferLike>, bo: number): string {
  const at = bo + p;
  const len = nulIn(dv, at, n);
  if (len < 13 || len > 24) return text(b, p, p + len, S, base);
  const w0 = dv.getInt32(at, true), w1 = dv.getInt32(at + 4, true), w2 = dv.getInt32(at + 8, true);
  const slot = Math.imul(w0 ^ Math.imul(w1, 0x85ebca6b) ^ Math.imul(w2, 0xc2b2ae35), 0x9e3779b1) >>> 26;
  let head: string;
  if (HEAD_K0[slot] === w0 && HEAD_K1[slot] === w1 && HEAD_K2[slot] === w2) head = HEAD_TEXT[slot]!;
  else {
    head = S.length === 0 ? shortText(b, p, 12) : S.substring(p - base, p - base + 12);
    HEAD_K0[slot] = w0; HEAD_K1[slot] = w1; HEAD_K2[slot] = w2;
    HEAD_TEXT[slot] = head;
  }
  return head + (S.length === 0 ? shortText(b, p + 12, len - 12) : S.substring(p - base + 12, p + len - base));
}

/** Decimal from its two little-endian words (lo unsigned, hi signed). */
function decw(lo: number, hi: number): bigint {
  return hi >= -2097152 && hi < 2097152 ? smallDecimal(hi * 4294967296 + lo, lo) : bigDecimal(hi, lo);
}

/**
 * repeatingStr() for the specialised decoders, for fields of n ≥ 5: the first NUL is found in
 * two 32-bit words read through the buffer's DataView (the lowest set bit of the classic
 * has-zero-byte mask marks it exactly), instead of a byte loop and byte loads to build the key.
 */
function repeatingStrW(b: Uint8Array, p: number, n: number, S: string, base: number, dv: DataView<ArrayBufferLike>, bo: number): string {
  let w0 = dv.getInt32(bo + p, true);
  let w1 = 0;
  let len: number;
  const z0 = (w0 - 0x01010101) & ~w0 & 0x80808080;
  if (z0 !== 0) {
    len = (31 - Math.clz32(z0 & -z0)) >> 3;
    w0 = len === 0 ? 0 : w0 & (-1 >>> (32 - len * 8));
  } else if (n < 9) {
    len = 4; // n is 5 here (a NUL, or the 5th byte ignored: at most n − 1 characters, §2.5)
  } else {
    w1 = dv.getInt32(bo + p + 4, true);
    const z1 = (w1 - 0x01010101) & ~w1 & 0x80808080;
    if (z1 === 0) return str(b, p, n, S, base); // longer than 8: not looked up
    len = 4 + ((31 - Math.clz32(z1 & -z1)) >> 3);
    w1 = len === 4 ? 0 : w1 & (-1 >>> (32 - (len - 4) * 8));
  }
  return wordText(w0, w1, b, p, len, S, base);
}

/** Decimal at p: signed Int64 LE. */
function dec8(b: Uint8Array, p: number): bigint {
  const lo = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  const hi = b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24);
  return decw(lo, hi);
}

interface Runtime {
  CH: readonly string[];
  dec8: typeof dec8;
  decw: typeof decw;
  str: typeof str;
  rstr: typeof repeatingStr;
  rstrw: typeof repeatingStrW;
  wstr: typeof wordStr;
  strOf: typeof strOf;
  text: typeof text;
  inspect: symbol;
  F: FailState;
  G: GroupDecoder[];
}
/** b, p, be, S, base → new p, or -1 with FAIL set; the repetition goes to FAIL.value. */
type GroupDecoder = (b: Uint8Array, p: number, be: number, S: string, base: number) => number;
/** b, mo (map offset), p (body start), be (body end), S (latin1 of body), base → message or null. */
type MessageDecoder = (b: Uint8Array, mo: number, p: number, be: number, S: string, base: number) => OcgMessage | null;

/** Code that records a failure and returns: differs for a message decoder and a block decoder. */
type FailCode = (kind: number, bit: number) => string;
const messageFail: FailCode = (kind, bit) => `{ R.F.kind = ${kind}; R.F.bit = ${bit}; R.F.block = ''; return null; }`;
const blockFail = (block: string): FailCode => (kind) => `{ R.F.kind = ${kind}; R.F.bit = -1; R.F.block = ${JSON.stringify(block)}; return -1; }`;

function fieldReadCode(fl: FieldSpec, onFail: FailCode, groupIndex: number, outerFail: string): string {
  const set = `o[${JSON.stringify(fl.key)}]`;
  const over = (n: string) => `if (p + ${n} > be) ${onFail(FAIL_OVERRUN, fl.bit)}`;
  switch (fl.kind) {
    case 'u8':
      return `${over('1')} ${set} = b[p]; p += 1;`;
    case 'u16':
      return `${over('2')} ${set} = b[p] | (b[p + 1] << 8); p += 2;`;
    case 'u32':
      return `${over('4')} ${set} = (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0; p += 4;`;
    case 'byte':
      return `${over('1')} ${set} = R.CH[b[p]]; p += 1;`;
    case 'dec':
      return `${over('8')} ${set} = R.dec8(b, p); p += 8;`;
    case 'alnum':
      // Readers ignore bytes after the first NUL; no NUL ⇒ the first n−1 bytes (§2.5).
      return `${over(String(fl.size))} q = p; e = p + ${fl.size - 1}; while (q < e && b[q] !== 0) q++;`
        + ` ${set} = R.text(b, p, q, S, base); p = e + 1;`;
    case 'var':
      return `${over('2')} e = p + 2 + (b[p] | (b[p + 1] << 8)); if (e > be) ${onFail(FAIL_OVERRUN, fl.bit)}`
        + ` q = p + 2; while (q < e && b[q] !== 0) q++; ${set} = R.text(b, p + 2, q, S, base); p = e;`;
    case 'group':
      return `${over('2')} n = b[p] | (b[p + 1] << 8); p += 2; arr = new Array(n);`
        + ` for (i = 0; i < n; i++) { p = R.G[${groupIndex}](b, p, be, S, base); if (p < 0) ${outerFail} arr[i] = R.F.value; }`
        + ` ${set} = arr;`;
  }
}

/** Presence checks for the `bytes` map bytes at b[mo..]: unknown bits, then required bits. */
function mapCheckCode(fields: FieldSpec[], bytes: number, onFail: FailCode): string {
  const known = new Uint8Array(bytes), req = new Uint8Array(bytes);
  for (const fl of fields) {
    known[fl.bit >> 3]! |= 0x80 >> (fl.bit & 7);
    if (fl.required) req[fl.bit >> 3]! |= 0x80 >> (fl.bit & 7);
  }
  const lines: string[] = [];
  const zero: number[] = [];
  for (let j = 0; j < bytes; j++) {
    if (known[j] === 0) { zero.push(j); continue; }
    if (known[j] !== 0xff) lines.push(`if ((b[mo + ${j}] & ${~known[j]! & 0xff}) !== 0) ${onFail(FAIL_UNKNOWN_BIT, j * 8)}`);
  }
  if (zero.length > 0) lines.push(`if ((${zero.map((j) => `b[mo + ${j}]`).join(' | ')}) !== 0) ${onFail(FAIL_UNKNOWN_BIT, zero[0]! * 8)}`);
  for (let j = 0; j < bytes; j++) {
    if (req[j] !== 0) lines.push(`if ((b[mo + ${j}] & ${req[j]}) !== ${req[j]}) ${onFail(FAIL_REQUIRED, j * 8)}`);
  }
  return lines.join('\n');
}

function bodyCode(fields: FieldSpec[], onFail: FailCode, isMessage: boolean): string {
  const lines: string[] = [];
  for (const fl of fields) {
    let gi = -1;
    let outerFail = '';
    if (fl.group) {
      gi = RUNTIME.G.length;
      RUNTIME.G.push(() => -1); // reserve the slot before nested blocks take theirs
      RUNTIME.G[gi] = makeGroupDecoder(fl.name, fl.group.fields);
      // A failure inside a block: keep its details, point the message-level bit at the block.
      outerFail = isMessage ? `{ R.F.bit = ${fl.bit}; return null; }` : 'return -1;';
    }
    lines.push(`if ((b[mo + ${fl.bit >> 3}] & ${0x80 >> (fl.bit & 7)}) !== 0) { ${fieldReadCode(fl, onFail, gi, outerFail)} }`);
  }
  return lines.join('\n');
}

const DECODER_PREAMBLE = 'let q = 0, e = 0, n = 0, i = 0, arr = null;';

function makeGroupDecoder(name: string, fields: FieldSpec[]): GroupDecoder {
  // Nested map: Bitmap Variable Length (2), one per repetition (§2.3, §8 item 11 [UNVERIFIED]).
  const onFail = blockFail(name);
  const src = `${DECODER_PREAMBLE}
if (p + 2 > be) ${onFail(FAIL_OVERRUN, -1)}
const mo = p; p += 2;
${mapCheckCode(fields, 2, onFail)}
const o = {};
${bodyCode(fields, onFail, false)}
R.F.value = o;
return p;`;
  return (new Function('R', `return function (b, p, be, S, base) {\n${src}\n};`) as (r: Runtime) => GroupDecoder)(RUNTIME);
}

const RUNTIME: Runtime = { CH: CHARS, dec8, decw, str, rstr: repeatingStr, rstrw: repeatingStrW, wstr: wordStr, strOf, text, inspect: Symbol.for('nodejs.util.inspect.custom'), F: FAIL, G: [] };

/**
 * A decoder specialised for one exact presence map (the layout): every field offset up to the first
 * variable-length field is a constant, there are no bit tests, and the message is built by one
 * object literal (no hidden-class transitions). A session sends the same few layouts over and over
 * (New Order limit, Execution Report ack/fill), so each type keeps up to MAX_LAYOUTS of them; others
 * and every malformed message go through the generic decoder, which produces the precise error.
 */
interface Layout {
  w0: number;
  w1: number;
  /** dv: a DataView over b's buffer, bo: b.byteOffset (decimals are read as two words through it). */
  decode: (b: Uint8Array, p: number, be: number, S: string, base: number, dv: DataView<ArrayBufferLike>, bo: number) => OcgMessage | null;
  /** Makes a lazy view (layouts of fixed-size fields only, else null); size: their body size. */
  lazy: ((b: Uint8Array, p: number) => OcgMessage) | null;
  size: number;
}
const MAX_LAYOUTS = 16;

interface CompiledMessage {
  spec: MessageSpec;
  fields: FieldSpec[];
  byBit: (FieldSpec | undefined)[];
  decode: MessageDecoder;
  hasText: boolean;
  layouts: Layout[];
  /** Set once MAX_LAYOUTS is reached, or for layouts that cannot be specialised. */
  layoutsFull: boolean;
  /** Generated encoder, null for types with repeating blocks (table walk). */
  enc: FastEncoder | null;
}

function alnumExpr(fl: FieldSpec, at: string): string {
  return REPEATING_TEXT.has(fl.key) ? `R.rstr(b, ${at}, ${fl.size}, S, base)` : `R.str(b, ${at}, ${fl.size}, S, base)`;
}

function fixedExpr(fl: FieldSpec, at: string): string {
  switch (fl.kind) {
    case 'u8': return `b[${at}]`;
    case 'u16': return `(b[${at}] | (b[${at} + 1] << 8))`;
    case 'u32': return `((b[${at}] | (b[${at} + 1] << 8) | (b[${at} + 2] << 16) | (b[${at} + 3] << 24)) >>> 0)`;
    case 'byte': return `R.CH[b[${at}]]`;
    case 'dec': return `R.dec8(b, ${at})`;
    case 'alnum': return alnumExpr(fl, at);
    default: throw new Error(`not a fixed field: ${fl.kind}`);
  }
}

/**
 * The lazy view class of a layout whose fields all have a fixed size (every offset a constant):
 * one getter per field on the prototype, computing the value from the bytes on each read (strings
 * and bigints compare by value, so no memo is needed); toJSON / inspect show every field.
 */
function lazyView(c: CompiledMessage, present: FieldSpec[]): Layout['lazy'] {
  if (present.some((fl) => fl.kind === 'var' || fl.kind === 'group')) return null;
  let k = 0;
  const getters: string[] = [];
  for (const fl of present) {
    const at = `this.#p + ${k}`;
    const expr = fl.kind === 'alnum'
      ? (REPEATING_TEXT.has(fl.key) ? `R.rstr(this.#b, ${at}, ${fl.size}, null, 0)` : `R.strOf(this.#b, ${at}, ${fl.size})`)
      : fixedExpr(fl, at).replaceAll('b[', 'this.#b[').replace('R.dec8(b,', 'R.dec8(this.#b,');
    getters.push(`  get ${fl.key}() { return ${expr}; }`);
    k += fl.size;
  }
  const all = [`msgType: ${c.spec.msgType}`, ...present.map((fl) => `${fl.key}: this.${fl.key}`)].join(', ');
  // A plain call of a per-layout factory: `new` on a class read from a property went through V8's
  // generic construct stub (the call site sees every layout's class).
  const src = `class Lazy${c.spec.name.replaceAll(' ', '')} {
  #b; #p;
  constructor(b, p) { this.msgType = ${c.spec.msgType}; this.#b = b; this.#p = p; }
${getters.join('\n')}
  toJSON() { return { ${all} }; }
  [R.inspect]() { return this.toJSON(); }
}
return function lazy_${c.spec.msgType}(b, p) { return new Lazy${c.spec.name.replaceAll(' ', '')}(b, p); };`;
  return (new Function('R', src) as (r: Runtime) => NonNullable<Layout['lazy']>)(RUNTIME);
}

/** Body size of a layout of fixed-size fields. */
function fixedSize(present: FieldSpec[]): number {
  return present.reduce((n, fl) => n + fl.size, 0);
}

function specialise(c: CompiledMessage, present: FieldSpec[]): Layout['decode'] {
  const lines: string[] = [];
  let k = 0; // constant offset from p of the next field
  let pending: string[] = []; // fixed fields of the current segment, checked together
  const flush = () => {
    if (pending.length === 0) return;
    lines.push(`if (p + ${k} > be) return null;`, ...pending);
    pending = [];
  };
  present.forEach((fl, i) => {
    if (fl.kind === 'var') {
      flush();
      lines.push(`if (p + ${k + 2} > be) return null;`,
        `e = p + ${k + 2} + (b[p + ${k}] | (b[p + ${k + 1}] << 8)); if (e > be) return null;`,
        `q = p + ${k + 2}; while (q < e && b[q] !== 0) q++; const v${i} = R.text(b, p + ${k + 2}, q, S, base); p = e;`);
      k = 0;
    } else {
      // Decimals as two 32-bit words through the DataView: two bounds-checked loads, not eight.
      pending.push(fl.kind === 'dec'
        ? `const v${i} = R.decw(dv.getUint32(bo + p + ${k}, true), dv.getInt32(bo + p + ${k + 4}, true));`
        : fl.kind === 'alnum' && REPEATING_TEXT.has(fl.key) && (fl.size === 5 || fl.size >= 9)
          ? `const v${i} = R.rstrw(b, p + ${k}, ${fl.size}, S, base, dv, bo);`
          : fl.kind === 'alnum' && fl.size >= 9
            ? `const v${i} = R.wstr(b, p + ${k}, ${fl.size}, S, base, dv, bo);`
            : `const v${i} = ${fixedExpr(fl, `p + ${k}`)};`);
      k += fl.size;
    }
  });
  flush();
  lines.push(`if (p + ${k} !== be) return null;`);
  const literal = [`msgType: ${c.spec.msgType}`, ...present.map((fl, i) => `${JSON.stringify(fl.key)}: v${i}`)].join(', ');
  const src = `let q = 0, e = 0;\n${lines.join('\n')}\nreturn { ${literal} };`;
  return (new Function('R', `return function layout_${c.spec.msgType}(b, p, be, S, base, dv, bo) {\n${src}\n};`) as (r: Runtime) => Layout['decode'])(RUNTIME);
}

/** The specialised decoder for this map, creating it when the layout is valid and there is room. */
function layoutFor(c: CompiledMessage, b: Uint8Array, mo: number, w0: number, w1: number): Layout | null {
  const ls = c.layouts;
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!;
    if (l.w0 === w0 && l.w1 === w1) return l;
  }
  return c.layoutsFull ? null : addLayout(c, b, mo, w0, w1);
}

/** First frame of a layout (the rare path, kept out of layoutFor so that one inlines). */
function addLayout(c: CompiledMessage, b: Uint8Array, mo: number, w0: number, w1: number): Layout | null {
  const ls = c.layouts;
  // Only valid layouts are specialised: every set bit known, required bits set, no repeating block.
  const present: FieldSpec[] = [];
  for (let bit = 0; bit < 64; bit++) {
    if ((b[mo + (bit >> 3)]! & (0x80 >> (bit & 7))) === 0) continue;
    const fl = c.byBit[bit];
    if (fl === undefined || fl.kind === 'group') return null;
    present.push(fl);
  }
  if (c.fields.some((fl) => fl.required && !present.includes(fl))) return null;
  const lazy = lazyView(c, present);
  const layout: Layout = { w0, w1, decode: specialise(c, present), lazy, size: lazy === null ? -1 : fixedSize(present) };
  ls.push(layout);
  if (ls.length >= MAX_LAYOUTS) c.layoutsFull = true;
  return layout;
}

function compile(spec: MessageSpec, smp: boolean): CompiledMessage {
  const fields = fieldsOf(spec, smp);
  const src = `${DECODER_PREAMBLE}
${mapCheckCode(fields, MAP_BYTES, messageFail)}
const o = { msgType: ${spec.msgType} };
${bodyCode(fields, messageFail, true)}
if (p !== be) ${messageFail(FAIL_OVERRUN, -2)}
return o;`;
  const decode = (new Function('R', `return function decode_${spec.msgType}(b, mo, p, be, S, base) {\n${src}\n};`) as (r: Runtime) => MessageDecoder)(RUNTIME);
  const byBit: (FieldSpec | undefined)[] = [];
  for (const fl of fields) byBit[fl.bit] = fl;
  const hasGroup = fields.some((x) => x.kind === 'group');
  return {
    spec, fields, byBit, decode, hasText: fields.some((x) => x.kind === 'alnum' || x.kind === 'var' || x.kind === 'group'),
    layouts: [], layoutsFull: hasGroup || fields.some((x) => x.bit >= 64),
    enc: makeEncoder(spec, fields, smp),
  };
}


// ---------------------------------------------------------------------------------------------
// Decoding

function fail(kind: OcgDecodeErrorKindName, fatal: boolean, detail: string, extra?: Partial<OcgDecodeError>): OcgDecodeError {
  return { ok: false, kind, fatal, detail, ...extra };
}

// The Comp ID is the same on every message of a session: reuse the last string when its 12 bytes
// match, compared as three words (all zero at first, which is the Comp ID '').
let compIdW0 = 0, compIdW1 = 0, compIdW2 = 0;
let lastCompId = '';
function readCompId(b: Uint8Array, off: number): string {
  const p = off + COMP_ID_OFFSET;
  const w0 = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
  const w1 = b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24);
  const w2 = b[p + 8]! | (b[p + 9]! << 8) | (b[p + 10]! << 16) | (b[p + 11]! << 24);
  if (w0 === compIdW0 && w1 === compIdW1 && w2 === compIdW2) return lastCompId;
  let q = p;
  while (q < p + COMP_ID_BYTES - 1 && b[q] !== 0) q++; // no NUL ⇒ first 11 characters (§2.5)
  lastCompId = latin1(b, p, q);
  compIdW0 = w0; compIdW1 = w1; compIdW2 = w2;
  return lastCompId;
}

function readHeader(b: Uint8Array, off: number): OcgHeader {
  return {
    msgType: b[off + 3]! as OcgMsgTypeCode,
    seqNum: (b[off + 4]! | (b[off + 5]! << 8) | (b[off + 6]! << 16) | (b[off + 7]! << 24)) >>> 0,
    possDup: b[off + 8] !== 0,
    possResend: b[off + 9] !== 0,
    compId: readCompId(b, off),
  };
}

function firstSetBit(b: Uint8Array, mo: number, fromBit: number, mask: (bit: number) => boolean, bytes: number): number {
  for (let bit = Math.max(0, fromBit); bit < bytes * 8; bit++) {
    if ((b[mo + (bit >> 3)]! & (0x80 >> (bit & 7))) !== 0 && mask(bit)) return bit;
  }
  return -1;
}

/**
 * Decode the frame at b[off, off+len): `len` is how many bytes the caller has for this frame
 * (the frame reader passes exactly the Length field). Never throws.
 */
export function decodeFrame(b: Uint8Array, off: number, len: number, options?: OcgCodecOptions): OcgDecodeResult {
  if (!(off >= 0 && len >= 0 && off + len <= b.length)) return fail('truncated', true, `frame range ${off}+${len} outside the ${b.length}-byte buffer`);
  if (len < 1) return fail('truncated', true, 'empty buffer');
  if (b[off] !== OCG_START_OF_MESSAGE) {
    return fail('badStartByte', true, `start byte 0x${b[off]!.toString(16).padStart(2, '0')}, expected 0x02 (OCG-C §2.2)`);
  }
  if (len < 3) return fail('truncated', true, `${len} bytes, the Length field needs 3`);
  const length = b[off + 1]! | (b[off + 2]! << 8);
  if (length < OCG_MIN_MESSAGE_LENGTH) return fail('badLength', true, `Length ${length} < ${OCG_MIN_MESSAGE_LENGTH} (OCG-C §2.1)`);
  if (len < length) return fail('truncated', true, `Length ${length} but only ${len} bytes`);
  if (len > length) return fail('badLength', true, `Length ${length} disagrees with the ${len} bytes given`);
  const crcAt = off + length - 4;
  const stored = (b[crcAt]! | (b[crcAt + 1]! << 8) | (b[crcAt + 2]! << 16) | (b[crcAt + 3]! << 24)) >>> 0;
  // Fast when b is the chunk an OcgFrameReader staged (or a frame view it handed out), else JS.
  const computed = crc32cStaged(b, off, crcAt);
  if (stored !== computed) {
    return fail('badChecksum', true, `checksum 0x${stored.toString(16).padStart(8, '0')} but CRC-32C of bytes is 0x${computed.toString(16).padStart(8, '0')} (OCG-C §2.4: drop without Logout)`);
  }
  const header = readHeader(b, off);
  const profile = options?.profile;
  const compiled = COMPILED[profile?.smp === true ? 1 : 0][header.msgType];
  if (compiled === undefined) {
    return fail('unknownMessageType', false, `unknown message type ${header.msgType} (seq ${header.seqNum})`, { header, rejectCode: MessageRejectCode.InvalidMessageType });
  }
  if (profile !== undefined && !allowedBy(profile, header.msgType)) {
    return fail('messageTypeNotAllowed', false, `${compiled.spec.name} (${header.msgType}) is not offered on ${profile.service} (seq ${header.seqNum})`, { header, rejectCode: MessageRejectCode.InvalidMessageType });
  }
  const mo = off + MAP_OFFSET;
  const p = off + OCG_HEADER_LENGTH;
  let fast: Layout | null = null;
  let dv: DataView<ArrayBufferLike> | null = null;
  if (!compiled.layoutsFull || compiled.layouts.length > 0) {
    // Fast path: a known layout (map bits 0–63; every message type's fields fit there, §3/§5).
    dv = mapViewOf(b);
    const m = b.byteOffset + mo;
    // Map bytes 8..31 all zero: no field of any message type lives there.
    if ((dv.getInt32(m + 8, true) | dv.getInt32(m + 12, true) | dv.getInt32(m + 16, true) | dv.getInt32(m + 20, true)
      | dv.getInt32(m + 24, true) | dv.getInt32(m + 28, true)) === 0) {
      fast = layoutFor(compiled, b, mo, dv.getInt32(m, false), dv.getInt32(m + 4, false)); // bits 0–31, 32–63
    }
  }
  // Lazy view: valid layout, and the body is exactly its fields (else the decoders say why not).
  if (fast !== null && fast.lazy !== null && options?.lazy === true && crcAt - p === fast.size) {
    return { ok: true, header, message: fast.lazy(b, p), length };
  }
  // S holds the text of b from index -base on: the reader's chunk (shared) or just this body.
  let S = '';
  let base = p;
  if (compiled.hasText) {
    if (b === textBytes) {
      // A chunk of one or two frames (a session's usual read): no chunk text; the strings are
      // built from the bytes (the text would be ~250 bytes of garbage a message).
      if (b.length > SMALL_CHUNK) {
        S = textString ??= latin1(b, 0, b.length);
        base = 0;
      }
    } else if (b === textAlias) {
      S = textString ??= latin1(textBytes!, 0, textBytes!.length);
      base = -textAliasShift;
    } else {
      S = latin1(b, p, crcAt);
    }
  }
  let message: OcgMessage | null = fast === null ? null : fast.decode(b, p, crcAt, S, base, dv!, b.byteOffset);
  if (message === null) message = compiled.decode(b, mo, p, crcAt, S, base);
  if (message !== null) return { ok: true, header, message, length };
  return decodeFailure(compiled, header, b, mo);
}

// The profile's allow-list as a byte table, for the last profile seen (a gateway has one).
let allowProfile: OcgProfile | null = null;
const allowTable = new Uint8Array(256);
function allowedBy(profile: OcgProfile, msgType: number): boolean {
  if (profile !== allowProfile) {
    allowTable.fill(0);
    for (const t of profile.allowedMsgTypes) allowTable[t & 0xff] = 1;
    allowProfile = profile;
  }
  return allowTable[msgType] === 1;
}

function decodeFailure(c: CompiledMessage, header: OcgHeader, b: Uint8Array, mo: number): OcgDecodeError {
  const where = `${c.spec.name} seq ${header.seqNum}`;
  const F = FAIL;
  if (F.block !== '') {
    const block = F.block;
    F.block = '';
    const what = F.kind === FAIL_UNKNOWN_BIT ? 'a nested presence map names an unknown field'
      : F.kind === FAIL_REQUIRED ? 'a required field is absent' : 'a field runs past the end of the body';
    if (F.kind === FAIL_OVERRUN) return fail('bodyLengthMismatch', true, `${where}: repeating block ${block}: ${what}`, { header, rejectCode: MessageRejectCode.IncorrectDataFormat, fieldName: block });
    return fail(F.kind === FAIL_UNKNOWN_BIT ? 'unknownPresenceBit' : 'requiredFieldMissing', false, `${where}: repeating block ${block}: ${what}`,
      { header, rejectCode: F.kind === FAIL_UNKNOWN_BIT ? MessageRejectCode.UndefinedField : MessageRejectCode.RequiredFieldMissing, fieldName: block, bit: F.bit >= 0 ? F.bit : undefined });
  }
  if (F.kind === FAIL_UNKNOWN_BIT) {
    const bit = firstSetBit(b, mo, F.bit, (k) => c.byBit[k] === undefined, MAP_BYTES);
    return fail('unknownPresenceBit', false, `${where}: presence bit ${bit} names no field of this message (OCG-C §2.3)`,
      { header, rejectCode: MessageRejectCode.UndefinedField, bit });
  }
  if (F.kind === FAIL_REQUIRED) {
    const missing = c.fields.find((fl) => fl.required && (b[mo + (fl.bit >> 3)]! & (0x80 >> (fl.bit & 7))) === 0);
    return fail('requiredFieldMissing', false, `${where}: required field ${missing?.name ?? '?'} (bit ${missing?.bit ?? '?'}) absent`,
      { header, rejectCode: MessageRejectCode.RequiredFieldMissing, fieldName: missing?.name, bit: missing?.bit });
  }
  // Overrun / leftover bytes: the Length does not agree with the fields the map names.
  const fl = F.bit >= 0 ? c.byBit[F.bit] : undefined;
  const detail = F.bit === -2
    ? `${where}: body longer than the fields its presence map names`
    : `${where}: field ${fl?.name ?? '?'} (bit ${F.bit}) runs past the end of the body`;
  return fail('bodyLengthMismatch', true, detail, { header, rejectCode: MessageRejectCode.IncorrectDataFormat, fieldName: fl?.name, bit: F.bit >= 0 ? F.bit : undefined });
}

/**
 * A plain object with every field of a message: a lazy view (OcgCodecOptions.lazy) is read out
 * once, a plain message is returned as it is. For callers that keep, spread or copy messages.
 */
export function materialiseMessage<M extends OcgMessage>(m: M): M {
  const toJSON = (m as { toJSON?: () => M }).toJSON;
  return toJSON === undefined ? m : toJSON.call(m);
}

/** Decode exactly one message: `buf` must hold the whole frame and nothing else. Never throws. */
export function decodeMessage(buf: Uint8Array, options?: OcgCodecOptions): OcgDecodeResult {
  return decodeFrame(buf, 0, buf.length, options);
}

// ---------------------------------------------------------------------------------------------
// Encoding: a table walk (used for messages with repeating blocks), then generated encoders

function fieldSize(fl: FieldSpec, value: unknown, where: string): number {
  switch (fl.kind) {
    case 'alnum': return fl.size;
    case 'var': {
      const s = value as string;
      if (s.length + 1 > fl.size) throw new RangeError(`${where}: ${fl.name} longer than ${fl.size - 1} characters`);
      return 2 + s.length + 1;
    }
    case 'group': {
      const arr = value as Record<string, unknown>[];
      if (!Array.isArray(arr) || arr.length > 0xffff) throw new RangeError(`${where}: ${fl.name} must be an array`);
      let n = 2;
      for (const item of arr) n += 2 + bodySize(fl.group!.fields, item, where);
      return n;
    }
    default: return fl.size;
  }
}

const KNOWN_KEYS = new WeakMap<FieldSpec[], Set<string>>();

function bodySize(fields: FieldSpec[], body: Record<string, unknown>, where: string): number {
  let known = KNOWN_KEYS.get(fields);
  if (known === undefined) {
    known = new Set(['msgType', ...fields.map((x) => x.key)]);
    KNOWN_KEYS.set(fields, known);
  }
  // A key the table does not know would be dropped silently (e.g. smpId without SMP): refuse it.
  for (const k in body) {
    if (!known.has(k) && body[k] !== undefined) throw new RangeError(`${where}: ${k} is not a field of this message${k === 'smpId' ? ' (SMP needs a profile with smp: true)' : ''}`);
  }
  let n = 0;
  for (const fl of fields) {
    const value = body[fl.key];
    if (value !== undefined) n += fieldSize(fl, value, where);
  }
  return n;
}

function writeAscii(out: Uint8Array, p: number, s: string, n: number, name: string, where: string): void {
  if (typeof s !== 'string') throw new RangeError(`${where}: ${name} must be a string`);
  if (s.length > n - 1) throw new RangeError(`${where}: ${name} "${s}" longer than ${n - 1} characters`);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f || c === 0) throw new RangeError(`${where}: ${name} has a character outside ASCII or a NUL`);
    out[p + i] = c;
  }
  out.fill(0, p + s.length, p + n); // zero-fill the tail: deterministic CRC (§2.5)
}

function checkInt(value: unknown, max: number, name: string, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${where}: ${name} = ${String(value)} is not an integer in 0..${max}`);
  }
  return value;
}

const INT64_MIN = -(1n << 63n), INT64_MAX = (1n << 63n) - 1n;

function writeBody(out: Uint8Array, p: number, map: number, mapBytes: number, fields: FieldSpec[], body: Record<string, unknown>, where: string, checkRequired: boolean): number {
  out.fill(0, map, map + mapBytes);
  for (const fl of fields) {
    const value = body[fl.key];
    if (value === undefined) {
      if (checkRequired && fl.required) throw new RangeError(`${where}: required field ${fl.name} missing`);
      continue;
    }
    out[map + (fl.bit >> 3)]! |= 0x80 >> (fl.bit & 7);
    switch (fl.kind) {
      case 'u8': out[p] = checkInt(value, 0xff, fl.name, where); p += 1; break;
      case 'u16': {
        const x = checkInt(value, 0xffff, fl.name, where);
        out[p] = x & 0xff; out[p + 1] = x >>> 8; p += 2; break;
      }
      case 'u32': {
        const x = checkInt(value, 0xffffffff, fl.name, where);
        out[p] = x & 0xff; out[p + 1] = (x >>> 8) & 0xff; out[p + 2] = (x >>> 16) & 0xff; out[p + 3] = x >>> 24; p += 4; break;
      }
      case 'dec': {
        if (typeof value !== 'bigint' || value < INT64_MIN || value > INT64_MAX) throw new RangeError(`${where}: ${fl.name} must be a bigint ×10^8 in Int64 range`);
        const u = BigInt.asUintN(64, value);
        const lo = Number(u & 0xffffffffn), hi = Number(u >> 32n);
        out[p] = lo & 0xff; out[p + 1] = (lo >>> 8) & 0xff; out[p + 2] = (lo >>> 16) & 0xff; out[p + 3] = lo >>> 24;
        out[p + 4] = hi & 0xff; out[p + 5] = (hi >>> 8) & 0xff; out[p + 6] = (hi >>> 16) & 0xff; out[p + 7] = hi >>> 24;
        p += 8; break;
      }
      case 'byte': {
        if (typeof value !== 'string' || value.length !== 1 || value.charCodeAt(0) > 0x7f) throw new RangeError(`${where}: ${fl.name} must be one ASCII character`);
        out[p] = value.charCodeAt(0); p += 1; break;
      }
      case 'alnum': writeAscii(out, p, value as string, fl.size, fl.name, where); p += fl.size; break;
      case 'var': {
        const s = value as string;
        const L = s.length + 1; // L counts the trailing NUL (§2.5)
        out[p] = L & 0xff; out[p + 1] = L >>> 8;
        writeAscii(out, p + 2, s, L, fl.name, where);
        p += 2 + L; break;
      }
      case 'group': {
        const arr = value as Record<string, unknown>[];
        out[p] = arr.length & 0xff; out[p + 1] = arr.length >>> 8; p += 2;
        for (const item of arr) p = writeBody(out, p + 2, p, 2, fl.group!.fields, item, where, checkRequired);
        break;
      }
    }
  }
  return p;
}

function compiledFor(body: OcgMessage, options?: OcgCodecOptions): CompiledMessage {
  const c = COMPILED[options?.profile?.smp === true ? 1 : 0][body.msgType];
  if (c === undefined) throw new RangeError(`unknown message type ${String((body as { msgType: unknown }).msgType)}`);
  return c;
}

// Generated encoders (the gateway encodes an Execution Report per order event): straight-line
// code per message type, like the decoders. Types with repeating blocks use the table walk above.

interface FastEncoder {
  /** Body size in bytes; throws on a wrongly typed string/array field. */
  size: (m: Record<string, unknown>) => number;
  /** Write the body at o + 54 and its map at o + 22 (both pre-zeroed); returns the end offset. */
  write: (out: Uint8Array, o: number, m: Record<string, unknown>, checkRequired: boolean) => number;
}

function badValue(name: string, where: string, value: unknown, what: string): never {
  throw new RangeError(`${where}: ${name} = ${typeof value === 'bigint' ? `${value}n` : JSON.stringify(value) ?? String(value)} is not ${what}`);
}
function missing(name: string, where: string): never {
  throw new RangeError(`${where}: required field ${name} missing`);
}
function textLength(v: unknown, name: string, where: string): number {
  if (typeof v !== 'string') badValue(name, where, v, 'a string');
  return v.length;
}
/** Alnum Fixed(n) into a zeroed area: characters only, the NUL and tail are already 0. */
function putAlnum(out: Uint8Array, p: number, v: unknown, n: number, name: string, where: string): void {
  if (typeof v !== 'string' || v.length > n - 1) badValue(name, where, v, `a string of at most ${n - 1} characters`);
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c > 0x7f || c === 0) badValue(name, where, v, 'ASCII text without NUL'); // §2.5: never a non-ASCII byte on the wire
    out[p + i] = c;
  }
}
/** Alphanumeric Variable: L (incl. the NUL) then the text; returns the new offset. */
function putVar(out: Uint8Array, p: number, v: unknown, maxL: number, name: string, where: string): number {
  if (typeof v !== 'string' || v.length + 1 > maxL) badValue(name, where, v, `a string of at most ${maxL - 1} characters`);
  const L = v.length + 1;
  out[p] = L & 0xff; out[p + 1] = L >>> 8;
  putAlnum(out, p + 2, v, L, name, where);
  return p + 2 + L;
}
function putDec(out: Uint8Array, p: number, v: unknown, name: string, where: string): void {
  if (typeof v !== 'bigint') badValue(name, where, v, 'a bigint ×10^8');
  const n = Number(v);
  let lo: number, hi: number;
  if (Number.isSafeInteger(n)) {
    lo = n >>> 0; // ToUint32 is modulo 2^32, also for negatives
    hi = Math.floor(n / 4294967296) | 0;
  } else {
    if (v < INT64_MIN || v > INT64_MAX) badValue(name, where, v, 'in the Int64 range');
    const u = BigInt.asUintN(64, v);
    lo = Number(u & 0xffffffffn); hi = Number(u >> 32n) | 0;
  }
  out[p] = lo & 0xff; out[p + 1] = (lo >>> 8) & 0xff; out[p + 2] = (lo >>> 16) & 0xff; out[p + 3] = lo >>> 24;
  out[p + 4] = hi & 0xff; out[p + 5] = (hi >>> 8) & 0xff; out[p + 6] = (hi >>> 16) & 0xff; out[p + 7] = (hi >>> 24) & 0xff;
}

const ENC = { badValue, missing, textLength, putAlnum, putVar, putDec };

function makeEncoder(spec: MessageSpec, fields: FieldSpec[], smp: boolean): FastEncoder | null {
  if (fields.some((f) => f.kind === 'group')) return null;
  const W = JSON.stringify(spec.name);
  const sizeLines: string[] = [];
  const writeLines: string[] = [];
  if (!smp && spec.smpFields) {
    // The field exists only under a v3.2 SMP profile: refuse it rather than drop it silently.
    for (const f of spec.smpFields) sizeLines.push(`if (m[${JSON.stringify(f.key)}] !== undefined) throw new RangeError(${JSON.stringify(`${spec.name}: ${f.key} is not a field of this message (SMP needs a profile with smp: true)`)});`);
  }
  for (const f of fields) {
    const key = JSON.stringify(f.key), N = JSON.stringify(f.name);
    const map = `out[o + ${MAP_OFFSET + (f.bit >> 3)}] |= ${0x80 >> (f.bit & 7)};`;
    const miss = f.required ? ` else if (req) E.missing(${N}, ${W});` : '';
    let put: string;
    switch (f.kind) {
      case 'u8': case 'u16': case 'u32': {
        const max = f.kind === 'u8' ? 0xff : f.kind === 'u16' ? 0xffff : 0xffffffff;
        const bytes = [`out[p] = v & 0xff;`];
        if (f.size >= 2) bytes.push(`out[p + 1] = (v >>> 8) & 0xff;`);
        if (f.size === 4) bytes.push(`out[p + 2] = (v >>> 16) & 0xff; out[p + 3] = v >>> 24;`);
        put = `if (typeof v !== 'number' || (v >>> 0) !== v || v > ${max}) E.badValue(${N}, ${W}, v, 'an integer in 0..${max}'); ${bytes.join(' ')} p += ${f.size};`;
        break;
      }
      case 'byte':
        put = `if (typeof v !== 'string' || v.length !== 1 || v.charCodeAt(0) > 127) E.badValue(${N}, ${W}, v, 'one ASCII character'); out[p] = v.charCodeAt(0); p += 1;`;
        break;
      case 'dec':
        put = `E.putDec(out, p, v, ${N}, ${W}); p += 8;`;
        break;
      case 'alnum':
        put = `E.putAlnum(out, p, v, ${f.size}, ${N}, ${W}); p += ${f.size};`;
        break;
      case 'var':
        put = `p = E.putVar(out, p, v, ${f.size}, ${N}, ${W});`;
        sizeLines.push(`v = m[${key}]; if (v !== undefined) n += 3 + E.textLength(v, ${N}, ${W});`);
        break;
      default:
        return null;
    }
    if (f.kind !== 'var') sizeLines.push(`if (m[${key}] !== undefined) n += ${f.size};`);
    writeLines.push(`v = m[${key}]; if (v !== undefined) { ${map} ${put} }${miss}`);
  }
  const size = (new Function('E', `return function size_${spec.msgType}(m) { let n = 0, v; ${sizeLines.join('\n')} return n; };`) as (e: typeof ENC) => FastEncoder['size'])(ENC);
  const write = (new Function('E', `return function write_${spec.msgType}(out, o, m, req) { let p = o + ${OCG_HEADER_LENGTH}, v; ${writeLines.join('\n')} return p; };`) as (e: typeof ENC) => FastEncoder['write'])(ENC);
  return { size, write };
}

/** Encoded size of a message in bytes. Throws RangeError on invalid input. */
export function encodedLength(body: OcgMessage, options?: OcgCodecOptions): number {
  const c = compiledFor(body, options);
  const m = body as unknown as Record<string, unknown>;
  return OCG_MIN_MESSAGE_LENGTH + (c.enc !== null ? c.enc.size(m) : bodySize(c.fields, m, c.spec.name));
}

/** Encode into `out` at `offset`; returns the number of bytes written. Throws RangeError on invalid input. */
export function encodeMessageInto(out: Uint8Array, offset: number, header: OcgEncodeHeader, body: OcgMessage, options?: OcgEncodeOptions): number {
  const c = compiledFor(body, options);
  const where = c.spec.name;
  const m = body as unknown as Record<string, unknown>;
  const enc = c.enc;
  const length = OCG_MIN_MESSAGE_LENGTH + (enc !== null ? enc.size(m) : bodySize(c.fields, m, where));
  if (length > OCG_MAX_MESSAGE_LENGTH) throw new RangeError(`${where}: ${length} bytes exceed the UInt16 Length`);
  if (!(offset >= 0 && offset + length <= out.length)) throw new RangeError(`${where}: needs ${length} bytes at offset ${offset}, buffer has ${out.length}`);
  const o = offset;
  const seq = header.seqNum;
  if (typeof seq !== 'number' || (seq >>> 0) !== seq) badValue('Sequence Number', where, seq, 'a UInt32');
  if (enc !== null) out.fill(0, o, o + length); // tails of strings and the map stay zero (deterministic CRC, §2.5)
  out[o] = OCG_START_OF_MESSAGE;
  out[o + 1] = length & 0xff; out[o + 2] = length >>> 8;
  out[o + 3] = c.spec.msgType;
  out[o + 4] = seq & 0xff; out[o + 5] = (seq >>> 8) & 0xff; out[o + 6] = (seq >>> 16) & 0xff; out[o + 7] = seq >>> 24;
  out[o + 8] = header.possDup === true ? 1 : 0;
  out[o + 9] = header.possResend === true ? 1 : 0;
  const checkRequired = options?.skipRequiredCheck !== true;
  let end: number;
  if (enc !== null) {
    putAlnum(out, o + COMP_ID_OFFSET, header.compId, COMP_ID_BYTES, 'Comp ID', where);
    end = enc.write(out, o, m, checkRequired);
  } else {
    writeAscii(out, o + COMP_ID_OFFSET, header.compId, COMP_ID_BYTES, 'Comp ID', where);
    end = writeBody(out, o + OCG_HEADER_LENGTH, o + MAP_OFFSET, MAP_BYTES, c.fields, m, where, checkRequired);
  }
  if (end !== o + length - 4) throw new Error(`${where}: encoder wrote ${end - o + 4} bytes, expected ${length}`);
  const crc = crc32c(out, o, end);
  out[end] = crc & 0xff; out[end + 1] = (crc >>> 8) & 0xff; out[end + 2] = (crc >>> 16) & 0xff; out[end + 3] = crc >>> 24;
  return length;
}

// Frames come from 64 KiB slabs, like Node's Buffer pool: `new Uint8Array(n)` costs ~4× more than
// the encoding itself. A returned frame may therefore be a view: use byteOffset/byteLength with .buffer.
// Plain heap memory, not src/wire/populated.ts: slabs die young, and malloc hands a freed one back
// with its pages still mapped, where mapping and unmapping each slab cost ocg.order.rate ~6%.
const SLAB_BYTES = 64 * 1024;
let slab = new Uint8Array(SLAB_BYTES);
let slabUsed = 0;
function allocFrame(n: number): Uint8Array {
  if (n > 4096) return new Uint8Array(n);
  if (slabUsed + n > SLAB_BYTES) {
    slab = new Uint8Array(SLAB_BYTES);
    slabUsed = 0;
  }
  const v = slab.subarray(slabUsed, slabUsed + n);
  slabUsed += (n + 7) & ~7;
  return v;
}

/**
 * Encode one message into a new frame (possibly a view into a shared slab, never shared with
 * another frame). Throws RangeError on invalid (programmer) input.
 */
export function encodeMessage(header: OcgEncodeHeader, body: OcgMessage, options?: OcgEncodeOptions): Uint8Array {
  const out = allocFrame(encodedLength(body, options));
  encodeMessageInto(out, 0, header, body, options);
  return out;
}

/**
 * A copy of a stored frame with a new header stamp and a fresh CRC: for replay (PossDup = 1, same
 * seq, §3.13) or a re-send under a new seq (PossResend = 1). The input frame is not modified.
 */
export function restampFrame(frame: Uint8Array, stamp: { seqNum?: number; possDup?: boolean; possResend?: boolean }): Uint8Array {
  const out = frame.slice();
  if (stamp.seqNum !== undefined) {
    const s = checkInt(stamp.seqNum, 0xffffffff, 'Sequence Number', 'restamp');
    out[4] = s & 0xff; out[5] = (s >>> 8) & 0xff; out[6] = (s >>> 16) & 0xff; out[7] = s >>> 24;
  }
  if (stamp.possDup !== undefined) out[8] = stamp.possDup ? 1 : 0;
  if (stamp.possResend !== undefined) out[9] = stamp.possResend ? 1 : 0;
  const end = out.length - 4;
  const crc = crc32c(out, 0, end);
  out[end] = crc & 0xff; out[end + 1] = (crc >>> 8) & 0xff; out[end + 2] = (crc >>> 16) & 0xff; out[end + 3] = crc >>> 24;
  return out;
}

/** Header fields of a frame without decoding the body (no checks beyond the length). */
export function peekHeader(frame: Uint8Array): OcgHeader | null {
  if (frame.length < OCG_MIN_MESSAGE_LENGTH || frame[0] !== OCG_START_OF_MESSAGE) return null;
  return readHeader(frame, 0);
}

/** The data-dictionary name of a presence bit in a message type, for Reject texts. */
export function fieldNameOf(msgType: number, bit: number, options?: OcgCodecOptions): string | undefined {
  return COMPILED[options?.profile?.smp === true ? 1 : 0][msgType]?.byBit[bit]?.name;
}

/** Data-dictionary name of a message type ("New Order"), or undefined for unassigned codes. */
export function messageNameOf(msgType: number): string | undefined {
  return MESSAGE_SPEC_BY_TYPE[msgType]?.name;
}

// Built last: the generators above use module constants that must be initialised first.
const COMPILED: [(CompiledMessage | undefined)[], (CompiledMessage | undefined)[]] = [[], []];
for (const smp of [false, true]) {
  const table = COMPILED[smp ? 1 : 0];
  for (let t = 0; t < 256; t++) {
    const spec = MESSAGE_SPEC_BY_TYPE[t];
    table[t] = spec ? compile(spec, smp) : undefined;
  }
}

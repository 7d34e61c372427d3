// FIX tag=value codec (FIX 4.x / FIXT.1.1): BeginString(8), BodyLength(9), MsgType(35) first,
// CheckSum(10) last; BodyLength counts the bytes after "9=n<SOH>" up to and including the SOH
// before "10="; CheckSum is the byte sum of everything before "10=" modulo 256, three digits.
// Written here rather than taken from an npm engine: see docs/spec-decisions.md "## OCG-C FIX".
//
// A message is an ordered list of [tag, value] pairs (header, body; without 8, 9 and 10), so the
// wire order of repeating groups survives a round trip; `groupsOf` splits a group out of it.
// Data fields (…Len followed by the data) are read by their length: they may hold SOH.

export const SOH = 0x01;
export const FIXT_1_1 = 'FIXT.1.1';

export type FixField = [tag: number, value: string];

export interface FixMessage {
  /** Header and body in wire order, MsgType(35) first; BeginString, BodyLength and CheckSum excluded. */
  fields: FixField[];
}

/** Length tag → its data tag (FIX data types: the value may contain SOH). */
export const DATA_TAGS: ReadonlyMap<number, number> = new Map([
  [90, 91],
  [93, 89],
  [95, 96],
  [212, 213],
  [348, 349],
  [350, 351],
  [354, 355],
  [1401, 1402],
  [1403, 1404],
]);

export type FixDecodeErrorKind = 'garbled' | 'badBodyLength' | 'badChecksum' | 'tooLarge';

export type FixDecodeResult =
  | { ok: true; beginString: string; message: FixMessage; length: number }
  /** Not a full message yet. */
  | { ok: false; kind: 'incomplete' }
  /**
   * A garbled message (FIXT.1.1 session rules: ignore it, do not count its sequence number).
   * `skip`: bytes to drop before looking for the next message (always ≥ 1).
   */
  | { ok: false; kind: FixDecodeErrorKind; detail: string; skip: number };

/** What a stream reader returns: a message or a skipped garbled one (never 'incomplete'). */
export type FixReadResult = Exclude<FixDecodeResult, { kind: 'incomplete' }>;

/** Largest message the reader accepts before it calls the stream garbled (bounded memory). */
export const MAX_MESSAGE_BYTES = 1 << 20;

const enc = new TextEncoder();
const dec = new TextDecoder('latin1');

function isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}

/** Where the next message may begin at or after `from` ("8=" at the start or after a SOH), or -1. */
function nextStart(b: Uint8Array, from: number, end: number): number {
  for (let i = Math.max(from, 1); i + 1 < end; i++) {
    if (b[i] === 0x38 && b[i + 1] === 0x3d && b[i - 1] === SOH) return i;
  }
  return -1;
}

/** Reads an unsigned decimal ending in SOH at b[p]; returns [value, position after SOH] or null. */
function readUint(b: Uint8Array, p: number, end: number): [number, number] | null {
  let v = 0,
    n = 0;
  while (p < end && isDigit(b[p]!)) {
    v = v * 10 + (b[p]! - 0x30);
    p++;
    n++;
    if (n > 9) return null;
  }
  if (n === 0 || p >= end || b[p] !== SOH) return null;
  return [v, p + 1];
}

/**
 * Decode one message at bytes[off, end). Framing (8, 9, BodyLength, 10, CheckSum) is checked
 * here; which tags a message type needs is the session's and the gateway's business.
 */
export function decodeMessage(b: Uint8Array, off = 0, end = b.length): FixDecodeResult {
  const garbled = (detail: string): FixDecodeResult => {
    const next = nextStart(b, off + 1, end);
    return { ok: false, kind: 'garbled', detail, skip: next < 0 ? Math.max(1, end - off - 1) : next - off };
  };
  if (end - off < 2) return { ok: false, kind: 'incomplete' };
  if (b[off] !== 0x38 || b[off + 1] !== 0x3d) return garbled('message does not start with BeginString (8=)');
  let p = off + 2;
  const bsStart = p;
  while (p < end && b[p] !== SOH && p - bsStart < 16) p++;
  if (p >= end) return end - off > 64 ? garbled('BeginString not terminated') : { ok: false, kind: 'incomplete' };
  if (b[p] !== SOH) return garbled('BeginString too long');
  const beginString = isFixt11(b, bsStart, p) ? FIXT_1_1 : text(b, bsStart, p);
  p++;
  if (end - p < 3) return { ok: false, kind: 'incomplete' };
  if (b[p] !== 0x39 || b[p + 1] !== 0x3d) return garbled('second field is not BodyLength (9=)');
  p += 2;
  let q = p;
  while (q < end && isDigit(b[q]!)) q++;
  if (q >= end) return { ok: false, kind: 'incomplete' };
  const bl = readUint(b, p, end);
  if (bl === null) return garbled('BodyLength is not a number');
  const [bodyLength, bodyStart] = bl;
  if (bodyLength > MAX_MESSAGE_BYTES)
    return { ok: false, kind: 'tooLarge', detail: `BodyLength ${bodyLength} above ${MAX_MESSAGE_BYTES}`, skip: bodyStart - off };
  const trailer = bodyStart + bodyLength;
  if (trailer + 7 > end) {
    // Wait for the whole message, unless a wrong BodyLength would make us wait for ever: a
    // checksum field further on already shows where this message really ends.
    const seen = findTrailer(b, bodyStart, end);
    if (seen >= 0 && seen + 7 <= end && seen !== trailer)
      return {
        ok: false,
        kind: 'badBodyLength',
        detail: `BodyLength ${bodyLength} does not end at the CheckSum field (body is ${seen - bodyStart} bytes)`,
        skip: seen + 7 - off,
      };
    return { ok: false, kind: 'incomplete' };
  }
  if (b[trailer] !== 0x31 || b[trailer + 1] !== 0x30 || b[trailer + 2] !== 0x3d || b[trailer - 1] !== SOH) {
    const seen = findTrailer(b, bodyStart, end);
    const skip = seen >= 0 && seen + 7 <= end ? seen + 7 - off : nextStart(b, off + 1, end) - off;
    return { ok: false, kind: 'badBodyLength', detail: `BodyLength ${bodyLength} does not end at the CheckSum field`, skip: skip > 0 ? skip : end - off };
  }
  if (!isDigit(b[trailer + 3]!) || !isDigit(b[trailer + 4]!) || !isDigit(b[trailer + 5]!) || b[trailer + 6] !== SOH) {
    return { ok: false, kind: 'badChecksum', detail: 'CheckSum is not three digits', skip: trailer + 7 - off };
  }
  const length = trailer + 7 - off;
  let sum = 0;
  for (let i = off; i < trailer; i++) sum += b[i]!;
  const want = (b[trailer + 3]! - 0x30) * 100 + (b[trailer + 4]! - 0x30) * 10 + (b[trailer + 5]! - 0x30);
  if ((sum & 0xff) !== want) return { ok: false, kind: 'badChecksum', detail: `CheckSum ${want} but the bytes sum to ${sum & 0xff}`, skip: length };
  const fields = parseFields(b, bodyStart, trailer);
  if (typeof fields === 'string') return { ok: false, kind: 'garbled', detail: fields, skip: length };
  if (fields.length === 0 || fields[0]![0] !== 35) return { ok: false, kind: 'garbled', detail: 'third field is not MsgType (35=)', skip: length };
  return { ok: true, beginString, message: { fields }, length };
}

/** The bytes [p, q) as a latin1 string (byte n is U+00nn, as the encoder writes it), without a decoder call. */
function text(b: Uint8Array, p: number, q: number): string {
  // One-character values (35=D, 54=1, …) come from V8's single-character strings: no allocation.
  if (q - p === 1) return String.fromCharCode(b[p]!);
  let s = '';
  if (q - p > 64) {
    // Long values (a password, a Text) in slices: an argument list has a size limit.
    for (let i = p; i < q; i += 4096) s += String.fromCharCode.apply(null, b.subarray(i, Math.min(q, i + 4096)) as unknown as number[]);
    return s;
  }
  for (let i = p; i < q; i++) s += String.fromCharCode(b[i]!);
  return s;
}

function isFixt11(b: Uint8Array, p: number, q: number): boolean {
  if (q - p !== 8) return false;
  for (let i = 0; i < 8; i++) if (b[p + i] !== FIXT_1_1.charCodeAt(i)) return false;
  return true;
}

/** Position of "<SOH>10=" + 1 (the '1') after `from`, or -1. */
function findTrailer(b: Uint8Array, from: number, end: number): number {
  for (let i = from; i + 3 < end; i++) {
    if (b[i] === SOH && b[i + 1] === 0x31 && b[i + 2] === 0x30 && b[i + 3] === 0x3d) return i + 1;
  }
  return -1;
}

/** tag=value<SOH>… between [p, end) (end is just after the last SOH); an error text if malformed. */
function parseFields(b: Uint8Array, p: number, end: number): FixField[] | string {
  const out: FixField[] = [];
  let dataTag = 0,
    dataLen = 0;
  while (p < end) {
    let tag = 0,
      n = 0;
    while (p < end && isDigit(b[p]!)) {
      tag = tag * 10 + (b[p]! - 0x30);
      p++;
      n++;
    }
    if (n === 0 || p >= end || b[p] !== 0x3d) return `malformed field at byte ${p}: expected tag=value`;
    if (n > 1 && b[p - n] === 0x30) return `tag with a leading zero at byte ${p - n}`;
    p++;
    let q: number;
    if (tag === dataTag) {
      q = p + dataLen;
      if (q >= end || b[q] !== SOH) return `data field ${tag} is not ${dataLen} bytes long`;
    } else {
      q = p;
      while (q < end && b[q] !== SOH) q++;
      if (q >= end) return `field ${tag} not terminated by SOH`;
    }
    out.push([tag, text(b, p, q)]);
    const data = DATA_TAGS.get(tag);
    if (data !== undefined) {
      const len = q - p <= 7 ? readUint(b, p, q + 1) : null;
      if (len === null) return `length field ${tag} is not a number`;
      dataTag = data;
      dataLen = len[0];
    } else {
      dataTag = 0;
    }
    p = q + 1;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** Serialize `fields` (35 first) under `beginString`, adding BodyLength and CheckSum. */
export function encodeMessage(message: FixMessage, beginString = FIXT_1_1): Uint8Array {
  return encodeFields(message.fields, null, beginString);
}

/** The standard header a session puts after MsgType: SenderCompID, TargetCompID, MsgSeqNum, SendingTime. */
export interface FixHeader {
  senderCompId: string;
  targetCompId: string;
  msgSeqNum: number;
  sendingTime: string;
}

/**
 * Serialize `body` (MsgType first; with `header`, 49/56/34/52 follow MsgType) straight into one
 * buffer: lengths are known from the strings (one byte a character), so BodyLength is written
 * first and the CheckSum summed over the written bytes. `reserve` bytes stay free at the start
 * (the session store's prefix), and the message follows them.
 */
export function encodeFields(body: readonly FixField[], header: FixHeader | null, beginString = FIXT_1_1, reserve = 0): Buffer {
  if (body.length === 0 || body[0]![0] !== 35) throw new RangeError('a FIX message starts with MsgType (35)');
  let bodyLength = 0;
  for (let i = 0; i < body.length; i++) {
    const [tag, value] = body[i]!;
    if (!Number.isSafeInteger(tag) || tag <= 0) throw new RangeError(`bad tag ${tag}`);
    if (tag === 8 || tag === 9 || tag === 10) throw new RangeError(`tag ${tag} is written by the encoder`);
    if (value.length === 0) throw new RangeError(`field ${tag} has no value`);
    bodyLength += digits(tag) + value.length + 2;
  }
  if (header !== null) {
    if (header.senderCompId === '' || header.targetCompId === '' || header.sendingTime === '') throw new RangeError('header field without a value');
    bodyLength += 16 + header.senderCompId.length + header.targetCompId.length + digits(header.msgSeqNum) + header.sendingTime.length;
  }
  const headLength = 6 + beginString.length + digits(bodyLength);
  const out = Buffer.allocUnsafe(reserve + headLength + bodyLength + 7);
  let p = reserve;
  p = putText(out, putTag(out, p, 8), beginString, 8, false);
  p = putUint(out, putTag(out, p, 9), bodyLength);
  out[p++] = SOH;
  let dataTag = 0;
  for (let i = 0; i < body.length; i++) {
    const [tag, value] = body[i]!;
    p = putText(out, putTag(out, p, tag), value, tag, tag === dataTag);
    dataTag = DATA_TAGS.get(tag) ?? 0;
    if (i === 0 && header !== null) {
      p = putText(out, putTag(out, p, 49), header.senderCompId, 49, false);
      p = putText(out, putTag(out, p, 56), header.targetCompId, 56, false);
      p = putUint(out, putTag(out, p, 34), header.msgSeqNum);
      out[p++] = SOH;
      p = putText(out, putTag(out, p, 52), header.sendingTime, 52, false);
    }
  }
  let sum = 0;
  for (let i = reserve; i < p; i++) sum += out[i]!;
  sum &= 0xff;
  out[p] = 0x31;
  out[p + 1] = 0x30;
  out[p + 2] = 0x3d;
  out[p + 3] = 0x30 + Math.floor(sum / 100);
  out[p + 4] = 0x30 + (Math.floor(sum / 10) % 10);
  out[p + 5] = 0x30 + (sum % 10);
  out[p + 6] = SOH;
  return out;
}

function digits(n: number): number {
  if (n < 10) return 1;
  if (n < 100) return 2;
  if (n < 1000) return 3;
  if (n < 10000) return 4;
  let d = 5;
  for (let m = 100000; n >= m; m *= 10) d++;
  return d;
}

/** Writes `n` in decimal at p; returns the position after it. */
function putUint(out: Uint8Array, p: number, n: number): number {
  const end = p + digits(n);
  for (let i = end - 1; i >= p; i--) {
    out[i] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  }
  return end;
}

/** Writes "tag=" at p. */
function putTag(out: Uint8Array, p: number, tag: number): number {
  p = putUint(out, p, tag);
  out[p] = 0x3d;
  return p + 1;
}

/** Writes `value` and its SOH at p: one byte a character, code points above 0xFF refused rather than mangled. */
function putText(out: Uint8Array, p: number, value: string, tag: number, data: boolean): number {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0xff) throw new RangeError(`character U+${c.toString(16)} cannot be sent in a FIX field`);
    if (c === SOH && !data) throw new RangeError(`field ${tag} contains SOH`);
    out[p++] = c;
  }
  out[p] = SOH;
  return p + 1;
}

// ---------------------------------------------------------------------------------------------
// Access helpers

/** First value of `tag`, or undefined. */
export function fieldOf(m: FixMessage, tag: number): string | undefined {
  for (const f of m.fields) if (f[0] === tag) return f[1];
  return undefined;
}

export function msgTypeOf(m: FixMessage): string {
  return m.fields[0]![1];
}

/** A tag that appears more than once outside repeating groups (FIX SessionRejectReason 13). */
export function duplicateTag(m: FixMessage, groupTags: ReadonlySet<number>): number | undefined {
  const f = m.fields;
  if (f.length > 48) {
    const seen = new Set<number>();
    for (const [tag] of f) {
      if (groupTags.has(tag)) continue;
      if (seen.has(tag)) return tag;
      seen.add(tag);
    }
    return undefined;
  }
  // An order's few dozen fields: comparing pairs costs less than building a Set per message.
  for (let i = 1; i < f.length; i++) {
    const tag = f[i]![0];
    for (let j = 0; j < i; j++) {
      if (f[j]![0] === tag && !groupTags.has(tag)) return tag;
    }
  }
  return undefined;
}

/**
 * The instances of repeating group `countTag` whose first field is `firstTag` and whose members are
 * `memberTags`: each instance as a Map tag → value. Throws a GroupError when the count disagrees.
 */
export function groupsOf(m: FixMessage, countTag: number, firstTag: number, memberTags: ReadonlySet<number>): Map<number, string>[] {
  const f = m.fields;
  let i = 0;
  while (i < f.length && f[i]![0] !== countTag) i++;
  if (i === f.length) return [];
  const count = Number(m.fields[i]![1]);
  if (!Number.isSafeInteger(count) || count < 0) throw new GroupError(countTag, `NumInGroup ${countTag} is not a count`);
  const out: Map<number, string>[] = [];
  let p = i + 1;
  while (p < m.fields.length && memberTags.has(m.fields[p]![0])) {
    const [tag, value] = m.fields[p]!;
    if (tag === firstTag) out.push(new Map());
    else if (out.length === 0) throw new GroupError(countTag, `group ${countTag} does not start with tag ${firstTag}`);
    const cur = out[out.length - 1]!;
    if (cur.has(tag)) throw new GroupError(countTag, `tag ${tag} repeated within one instance of group ${countTag}`);
    cur.set(tag, value);
    p++;
  }
  if (out.length !== count) throw new GroupError(countTag, `NumInGroup ${countTag}=${count} but ${out.length} instances follow`);
  return out;
}

export class GroupError extends Error {
  override name = 'GroupError';
  readonly tag: number;
  constructor(tag: number, message: string) {
    super(message);
    this.tag = tag;
  }
}

/** A message as text with '|' for SOH (logs, tests). */
export function printable(bytes: Uint8Array): string {
  return dec.decode(bytes).replaceAll('\x01', '|');
}

/** Bytes from a '|'-separated text (tests, scripts): the separators become SOH. */
export function fromPrintable(text: string): Uint8Array {
  return enc.encode(text.replaceAll('|', '\x01'));
}

// ---------------------------------------------------------------------------------------------
// Streaming

/**
 * One TCP stream of FIX messages: push chunks, take messages. A garbled message is reported once
 * and skipped (the session then ignores it); the reader finds the next "8=" to go on.
 */
export class FixStreamReader {
  #buf: Uint8Array = new Uint8Array(0);
  #pos = 0;

  push(chunk: Uint8Array): void {
    if (this.#pos >= this.#buf.length) {
      this.#buf = chunk;
    } else {
      const rest = this.#buf.subarray(this.#pos);
      // A Buffer like the socket's chunks: the decoder then sees one kind of array.
      const joined = Buffer.allocUnsafe(rest.length + chunk.length);
      joined.set(rest, 0);
      joined.set(chunk, rest.length);
      this.#buf = joined;
    }
    this.#pos = 0;
  }

  /** Bytes held and not yet returned. */
  get buffered(): number {
    return this.#buf.length - this.#pos;
  }

  /**
   * The next message, a decode error (already skipped), or null when more bytes are needed.
   * Returned messages own their strings: the chunk may be reused after the call.
   */
  next(): FixReadResult | null {
    if (this.#pos >= this.#buf.length) return null;
    const r = decodeMessage(this.#buf, this.#pos, this.#buf.length);
    if (r.ok) {
      this.#pos += r.length;
      return r;
    }
    if (r.kind === 'incomplete') {
      if (this.#buf.length - this.#pos > MAX_MESSAGE_BYTES + 64) {
        const skip = this.#buf.length - this.#pos;
        this.#pos = this.#buf.length;
        return { ok: false, kind: 'tooLarge', detail: `no complete message in ${skip} bytes`, skip };
      }
      // Keep the partial message in a buffer of its own (a reused socket chunk would overwrite it).
      if (this.#pos > 0 || this.#buf.buffer.byteLength !== this.#buf.length) {
        this.#buf = Buffer.from(this.#buf.subarray(this.#pos)); // a copy (Buffer's slice() would be a view)
        this.#pos = 0;
      }
      return null;
    }
    this.#pos += r.skip;
    return r;
  }
}

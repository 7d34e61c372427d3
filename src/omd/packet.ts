// OMD-C packet framing (spec/omd-c.md §2): the 16-byte header, packing messages into
// packets, heartbeats, News fragmentation, and framing of the RTS TCP stream (§3.4).
import type { News, OmdMessage } from './messages.ts';
import { checkMessageBody, decodeMessageBody, encodeMessageBody, fixedSizeOf, messageSize, viewOf } from './codec.ts';
import { decodeError, type OmdDecodeError } from './errors.ts';

export type { OmdDecodeError, OmdDecodeErrorCode } from './errors.ts';

/** OMD-C 3.3. */
export const PACKET_HEADER_SIZE = 16;
/** 1500 bytes including IPv4 + UDP headers → PktSize ≤ 1472 (OMD-C §2.3; our reading, §12 U5). */
export const DEFAULT_MAX_PACKET_SIZE = 1472;
/** MsgCount is a u8 (OMD-C 3.3). */
export const MAX_MESSAGES_PER_PACKET = 255;
/** PktSize is a u16. */
export const MAX_PKT_SIZE = 0xffff;

export interface PacketHeader {
  pktSize: number;
  msgCount: number;
  /** Sequence number of the first message; for a heartbeat the last one sent (§2.4, §12 U3). */
  seqNum: number;
  /** ns since epoch, ms precision. */
  sendTime: bigint;
}

export interface DecodedPacket {
  ok: true;
  header: PacketHeader;
  messages: OmdMessage[];
  /** Messages of an unknown MsgType skipped by MsgSize (spec §2.2); they still consume a sequence number. */
  skippedUnknown: number;
}

/** Reads the 16-byte header only; null when buf is shorter than a header. */
export function decodePacketHeader(buf: Uint8Array): PacketHeader | null {
  if (buf.length < PACKET_HEADER_SIZE) return null;
  const dv = viewOf(buf);
  return {
    pktSize: dv.getUint16(0, true),
    msgCount: buf[2]!,
    seqNum: dv.getUint32(4, true),
    sendTime: dv.getBigUint64(8, true),
  };
}

/**
 * Decodes one whole packet (one UDP datagram, or one frame of the RTS stream) into plain message
 * objects, which the caller may keep. Any framing or message error rejects the whole packet: no
 * messages are passed on. Never throws. Unknown MsgTypes are skipped by MsgSize and counted.
 */
export function decodePacket(buf: Uint8Array): DecodedPacket | OmdDecodeError {
  return decodePacketWith(buf, null);
}

/**
 * The packet decoder behind decodePacket and decodeSequencedPacket: framing checks (spec §2.2,
 * OMD-C 3.3, 3.4.1), then each message checked and decoded in one walk. A message of an unknown
 * MsgType is counted, and stands as `unknown` in messages when that is not null.
 */
export function decodePacketWith(buf: Uint8Array, unknown: OmdMessage | null): DecodedPacket | OmdDecodeError {
  const len = buf.length;
  if (len < PACKET_HEADER_SIZE) return decodeError('TRUNCATED', `packet of ${len} bytes is shorter than the 16-byte header`);
  const dv = viewOf(buf);
  const pktSize = dv.getUint16(0, true);
  if (pktSize !== len) return decodeError('PKT_SIZE_MISMATCH', `PktSize ${pktSize} but ${len} bytes received`);
  const msgCount = buf[2]!;
  const messages: OmdMessage[] = [];
  let skippedUnknown = 0;
  let off = PACKET_HEADER_SIZE;
  for (let i = 0; i < msgCount; i++) {
    if (off === len) return decodeError('MSG_COUNT_MISMATCH', `MsgCount ${msgCount} but the packet ends after ${i} messages`);
    if (off + 4 > len) return decodeError('MSG_OVERRUN', `message ${i} header at ${off} overruns PktSize ${len}`);
    const size = buf[off]! | (buf[off + 1]! << 8);
    const type = buf[off + 2]! | (buf[off + 3]! << 8);
    if (size < 4) return decodeError('MSG_SIZE_INVALID', `message ${i} MsgSize ${size} < 4 (MsgType ${type})`);
    if (off + size > len) return decodeError('MSG_OVERRUN', `message ${i} MsgType ${type} MsgSize ${size} at ${off} overruns PktSize ${len}`);
    if (fixedSizeOf(type) === 0) {
      skippedUnknown++;
      if (unknown !== null) messages.push(unknown);
    } else {
      const err = checkMessageBody(buf, dv, off, size, type);
      if (err !== null) return err;
      messages.push(decodeMessageBody(buf, dv, off, type));
    }
    off += size;
  }
  // A heartbeat is exactly the bare header (OMD-C 3.4.1): MsgCount 0 with anything after it is none.
  if (msgCount === 0 && len !== 16) return decodeError('BAD_HEARTBEAT', `MsgCount 0 but PktSize ${len} (a heartbeat is 16 bytes)`);
  if (off !== len) {
    return decodeError('PKT_SIZE_MISMATCH', `16 + ΣMsgSize = ${off} for MsgCount ${msgCount}, PktSize ${len}`);
  }
  return {
    ok: true,
    header: { pktSize, msgCount, seqNum: dv.getUint32(4, true), sendTime: dv.getBigUint64(8, true) },
    messages,
    skippedUnknown,
  };
}

function writeHeader(buf: Uint8Array, dv: DataView, pktSize: number, msgCount: number, seqNum: number, sendTimeNs: bigint): void {
  dv.setUint16(0, pktSize, true);
  buf[2] = msgCount;
  buf[3] = 0; // Filler; OMD-D's CompressionMode byte, OMD-C never compresses (§2.1)
  dv.setUint32(4, seqNum, true);
  dv.setBigUint64(8, sendTimeNs, true);
}

/**
 * Packs consecutive messages into one packet up to maxPacketSize bytes and 255 messages
 * (OMD-C §2.3). Usage: start(seq, time); while (add(m)) …; finish(); start(seq + count, …).
 */
export class PacketBuilder {
  readonly maxPacketSize: number;
  private readonly buf: Uint8Array;
  private readonly dv: DataView;
  private seqNum = 0;
  private sendTimeNs = 0n;
  private msgCount = 0;
  private used = PACKET_HEADER_SIZE;

  constructor(maxPacketSize: number = DEFAULT_MAX_PACKET_SIZE) {
    if (!Number.isInteger(maxPacketSize) || maxPacketSize < PACKET_HEADER_SIZE + 8 || maxPacketSize > MAX_PKT_SIZE) {
      throw new RangeError(`maxPacketSize ${maxPacketSize} out of range`);
    }
    this.maxPacketSize = maxPacketSize;
    this.buf = new Uint8Array(maxPacketSize);
    this.dv = new DataView(this.buf.buffer);
  }

  /** Begins a new, empty packet whose first message will carry seqNum. */
  start(seqNum: number, sendTimeNs: bigint): void {
    // re-zero what the previous packet used: messages are then written over zeros (fillers 0x00)
    this.buf.fill(0, PACKET_HEADER_SIZE, this.used);
    this.seqNum = seqNum;
    this.sendTimeNs = sendTimeNs;
    this.msgCount = 0;
    this.used = PACKET_HEADER_SIZE;
  }

  /**
   * Appends msg; false when it would exceed the size limit or 255 messages (finish, start a new packet).
   * Throws RangeError when msg cannot fit even in an empty packet (e.g. an unsplit News: use splitNews).
   */
  add(msg: OmdMessage): boolean {
    const size = messageSize(msg);
    if (this.msgCount >= MAX_MESSAGES_PER_PACKET || this.used + size > this.maxPacketSize) {
      if (this.msgCount === 0) {
        throw new RangeError(`MsgType ${msg.msgType} of ${size} bytes cannot fit a ${this.maxPacketSize}-byte packet`);
      }
      return false;
    }
    try {
      encodeMessageBody(msg, this.buf, this.dv, this.used, size);
    } catch (e) {
      this.buf.fill(0, this.used, this.used + size); // keep the zeroed-tail invariant for the next add
      throw e;
    }
    this.used += size;
    this.msgCount++;
    return true;
  }

  /** Messages in the current packet. */
  get count(): number {
    return this.msgCount;
  }

  /** Bytes of the current packet including the header. */
  get size(): number {
    return this.used;
  }

  /** Sequence number the current packet starts at. */
  get firstSeqNum(): number {
    return this.seqNum;
  }

  /** Fills in the header and returns a fresh copy of the packet. The builder keeps its content until start(). */
  finish(): Uint8Array {
    return this.finishView().slice();
  }

  /**
   * Hot path: fills in the header and returns a view of the builder's own buffer, valid only
   * until the next start() (e.g. hand it straight to socket.send, which copies).
   */
  finishView(): Uint8Array {
    writeHeader(this.buf, this.dv, this.used, this.msgCount, this.seqNum, this.sendTimeNs);
    return this.buf.subarray(0, this.used);
  }
}

/**
 * One packet holding exactly msgs (sequence numbers seqNum…seqNum+n−1).
 * Throws RangeError when they do not fit maxPacketSize or 255 messages; use PacketBuilder to split.
 */
export function encodePacket(seqNum: number, sendTimeNs: bigint, msgs: readonly OmdMessage[], maxPacketSize: number = DEFAULT_MAX_PACKET_SIZE): Uint8Array {
  if (msgs.length > MAX_MESSAGES_PER_PACKET) throw new RangeError(`${msgs.length} messages exceed MsgCount u8`);
  let total = PACKET_HEADER_SIZE;
  for (const m of msgs) total += messageSize(m);
  if (total > maxPacketSize || total > MAX_PKT_SIZE) {
    throw new RangeError(`packet of ${total} bytes exceeds the ${maxPacketSize}-byte limit`);
  }
  const buf = new Uint8Array(total); // zeroed: fillers stay 0x00
  const dv = viewOf(buf);
  let off = PACKET_HEADER_SIZE;
  for (const m of msgs) {
    const size = messageSize(m);
    encodeMessageBody(m, buf, dv, off, size);
    off += size;
  }
  writeHeader(buf, dv, total, msgs.length, seqNum, sendTimeNs);
  return buf;
}

/**
 * Heartbeat: a bare header, MsgCount 0 (OMD-C 3.4.1, §2.4). seqNum = last sequence number
 * already sent on the channel; what is sent before the first message is unverified (§12 U3).
 */
export function encodeHeartbeat(seqNum: number, sendTimeNs: bigint): Uint8Array {
  const buf = new Uint8Array(PACKET_HEADER_SIZE);
  writeHeader(buf, viewOf(buf), PACKET_HEADER_SIZE, 0, seqNum, sendTimeNs);
  return buf;
}

/** True for a heartbeat header: MsgCount 0 and PktSize 16, the bare header (OMD-C 3.4.1). */
export function isHeartbeat(header: PacketHeader): boolean {
  return header.msgCount === 0 && header.pktSize === PACKET_HEADER_SIZE;
}

/**
 * True when a datagram is a heartbeat: exactly the 16-byte header with PktSize 16 and
 * MsgCount 0. Anything else with MsgCount 0 is a decode error (BAD_HEARTBEAT), not a heartbeat.
 */
export function isHeartbeatPacket(buf: Uint8Array): boolean {
  return buf.length === PACKET_HEADER_SIZE && buf[2] === 0 && buf[0] === PACKET_HEADER_SIZE && buf[1] === 0;
}

/**
 * Splits a News item into fragments that each fit a packet on their own (OMD-C 3.12, §2.3).
 * Ours (the spec is silent): every fragment repeats NewsType, NewsID, CancelFlag, ReleaseTime and
 * the market/security lists; Headline only in the first; LastFragment 'N' on all but the last ('Y').
 */
export function splitNews(news: News, maxPacketSize: number = DEFAULT_MAX_PACKET_SIZE): News[] {
  const fixed = 356 + 4 * news.marketCodes.length + 4 * news.securityCodes.length;
  const room = maxPacketSize - PACKET_HEADER_SIZE - fixed;
  const perFragment = Math.floor(room / 160);
  const lines = news.newsLines;
  if (room < 0 || (perFragment === 0 && lines.length > 0)) {
    throw new RangeError(`News lists of ${fixed} bytes leave no room for a news line in a ${maxPacketSize}-byte packet`);
  }
  const out: News[] = [];
  let i = 0;
  do {
    const chunk = lines.slice(i, i + perFragment);
    i += perFragment;
    out.push({
      msgType: 22,
      newsType: news.newsType,
      newsId: news.newsId,
      headline: out.length === 0 ? news.headline : '',
      cancelFlag: news.cancelFlag,
      lastFragment: i >= lines.length ? 'Y' : 'N',
      releaseTime: news.releaseTime,
      marketCodes: news.marketCodes.slice(),
      securityCodes: news.securityCodes.slice(),
      newsLines: chunk,
    });
  } while (i < lines.length);
  return out;
}

/**
 * Frames the RTS TCP byte stream into packets by PktSize (spec §3.4). Keeps the remainder between
 * chunks. A PktSize < 16 cannot be framed: the reader enters the error state and yields nothing more
 * (the caller should drop the connection).
 */
export class PacketStreamReader {
  error: OmdDecodeError | null = null;
  private pending: Uint8Array = new Uint8Array(0);

  /** Bytes held waiting for the rest of a packet. */
  get buffered(): number {
    return this.pending.length;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    if (this.error) return [];
    let data: Uint8Array;
    if (this.pending.length === 0) data = chunk;
    else {
      data = new Uint8Array(this.pending.length + chunk.length);
      data.set(this.pending, 0);
      data.set(chunk, this.pending.length);
    }
    const out: Uint8Array[] = [];
    let off = 0;
    while (data.length - off >= 2) {
      const pktSize = data[off]! | (data[off + 1]! << 8);
      if (pktSize < PACKET_HEADER_SIZE) {
        this.error = decodeError('PKT_SIZE_MISMATCH', `stream PktSize ${pktSize} < 16 at stream offset ${off}`);
        this.pending = new Uint8Array(0);
        return out;
      }
      if (data.length - off < pktSize) break;
      out.push(data.slice(off, off + pktSize));
      off += pktSize;
    }
    this.pending = off === data.length ? new Uint8Array(0) : data.slice(off);
    return out;
  }
}

// ---- time helpers (spec §1: values in ns, precision per field) ----

const NS_PER_MS = 1_000_000n;
const NS_PER_US = 1_000n;
const NS_PER_S = 1_000_000_000n;

/** SendTime from epoch ms, truncated to ms precision (OMD-C 3.3). */
export function nowSendTimeNs(ms: number): bigint {
  return BigInt(Math.trunc(ms)) * NS_PER_MS;
}

/** Epoch ms (possibly fractional) → ns with µs precision: TradeTime of 50/52 since v1.35. */
export function epochMsToNsMicros(ms: number): bigint {
  return BigInt(Math.trunc(ms * 1000)) * NS_PER_US;
}

/** Epoch ms → ns with second precision: StartDateTime, ReleaseTime, IndexTime, … */
export function epochMsToNsSeconds(ms: number): bigint {
  return BigInt(Math.trunc(ms / 1000)) * NS_PER_S;
}

/** Truncates a ns timestamp to ms precision. */
export function truncateNsToMs(ns: bigint): bigint {
  return ns - (ns % NS_PER_MS);
}

/** Truncates a ns timestamp to µs precision. */
export function truncateNsToMicros(ns: bigint): bigint {
  return ns - (ns % NS_PER_US);
}

/** Truncates a ns timestamp to second precision. */
export function truncateNsToSeconds(ns: bigint): bigint {
  return ns - (ns % NS_PER_S);
}

/** ns timestamp → epoch ms (number). */
export function nsToEpochMs(ns: bigint): number {
  return Number(ns / NS_PER_MS);
}

// OMD-C packet framing (spec/omd-c.md §2): 16-byte header, packing, heartbeats, RTS stream framing.
import type { News, OmdMessage } from './messages.ts';

/** OMD-C 3.3. */
export const PACKET_HEADER_SIZE = 16;
/** 1500 including IPv4 + UDP headers (OMD-C §2.3; our reading, §12 U5). */
export const DEFAULT_MAX_PACKET_SIZE = 1472;
/** MsgCount is a u8. */
export const MAX_MESSAGES_PER_PACKET = 255;

export interface PacketHeader {
  pktSize: number;
  msgCount: number;
  seqNum: number;
  sendTime: bigint;
}

export type OmdDecodeErrorCode =
  | 'TRUNCATED'
  | 'PKT_SIZE_MISMATCH'
  | 'MSG_SIZE_INVALID'
  | 'MSG_OVERRUN'
  | 'MSG_TRUNCATED'
  | 'MSG_COUNT_MISMATCH'
  | 'BAD_FIELD';

export interface OmdDecodeError {
  ok: false;
  code: OmdDecodeErrorCode;
  message: string;
}

export interface DecodedPacket {
  ok: true;
  header: PacketHeader;
  messages: OmdMessage[];
  skippedUnknown: number;
}

export function decodePacket(buf: Uint8Array): DecodedPacket | OmdDecodeError {
  void buf;
  throw new Error('not implemented');
}

export class PacketBuilder {
  constructor(maxPacketSize: number = DEFAULT_MAX_PACKET_SIZE) {
    void maxPacketSize;
  }
  start(seqNum: number, sendTimeNs: bigint): void {
    void seqNum; void sendTimeNs;
    throw new Error('not implemented');
  }
  add(msg: OmdMessage): boolean {
    void msg;
    throw new Error('not implemented');
  }
  get count(): number {
    return 0;
  }
  get size(): number {
    return PACKET_HEADER_SIZE;
  }
  finish(): Uint8Array {
    throw new Error('not implemented');
  }
}

export function encodePacket(seqNum: number, sendTimeNs: bigint, msgs: readonly OmdMessage[]): Uint8Array {
  void seqNum; void sendTimeNs; void msgs;
  throw new Error('not implemented');
}

export function encodeHeartbeat(seqNum: number, sendTimeNs: bigint): Uint8Array {
  void seqNum; void sendTimeNs;
  throw new Error('not implemented');
}

export function splitNews(news: News, maxPacketSize: number = DEFAULT_MAX_PACKET_SIZE): News[] {
  void news; void maxPacketSize;
  throw new Error('not implemented');
}

export class PacketStreamReader {
  error: OmdDecodeError | null = null;
  push(chunk: Uint8Array): Uint8Array[] {
    void chunk;
    throw new Error('not implemented');
  }
}

export function nowSendTimeNs(ms: number): bigint {
  return BigInt(Math.trunc(ms)) * 1_000_000n;
}

// OMD-C / OMD-CC message codec (spec/omd-c.md §1, §2.2, §4, §5, §8.1). Knows nothing about sockets.
import type { OmdMessage } from './messages.ts';
import type { OmdDecodeError } from './packet.ts';

/** Bytes the message occupies on the wire, including its 4-byte MsgSize/MsgType header. */
export function messageSize(msg: OmdMessage): number {
  void msg;
  throw new Error('not implemented');
}

/** Writes msg at out[offset…]; returns bytes written. Throws only on programmer error (message does not fit). */
export function encodeMessage(msg: OmdMessage, out: Uint8Array, offset: number): number {
  void msg; void out; void offset;
  throw new Error('not implemented');
}

/** Decodes the message starting at buf[offset]; null = unknown MsgType (skip by MsgSize). Never throws. */
export function decodeMessage(buf: Uint8Array, offset: number): OmdMessage | OmdDecodeError | null {
  void buf; void offset;
  throw new Error('not implemented');
}

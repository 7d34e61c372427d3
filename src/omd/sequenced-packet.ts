// Decoding a packet for sequencing: message i must carry SeqNum + i even when a
// message of an unknown MsgType was skipped (it still consumes a number, spec §2.2).
import { decodeMessage } from './codec.ts';
import { decodePacket } from './packet.ts';
import type { OmdDecodeError } from './errors.ts';
import type { OmdMessage } from './messages.ts';

/** Stands in for a message of an unknown MsgType, so positions keep their sequence numbers. */
export const UNKNOWN_MESSAGE = Object.freeze({ msgType: 0 }) as unknown as OmdMessage;

export interface SequencedPacket {
  seq: number;
  /** One entry per MsgCount; unknown MsgTypes are UNKNOWN_MESSAGE. Empty for a heartbeat. */
  messages: OmdMessage[];
  skippedUnknown: number;
}

/** decodePacket, then (rarely) a second walk that keeps unknown messages' positions. Never throws. */
export function decodeSequencedPacket(buf: Uint8Array): SequencedPacket | OmdDecodeError {
  const p = decodePacket(buf);
  if (!p.ok) return p;
  if (p.skippedUnknown === 0) return { seq: p.header.seqNum, messages: p.messages, skippedUnknown: 0 };
  const messages: OmdMessage[] = [];
  let off = 16;
  for (let i = 0; i < p.header.msgCount; i++) {
    const size = buf[off]! | (buf[off + 1]! << 8);
    const m = decodeMessage(buf, off);
    messages.push(m === null || 'ok' in m ? UNKNOWN_MESSAGE : m);
    off += size;
  }
  return { seq: p.header.seqNum, messages, skippedUnknown: p.skippedUnknown };
}

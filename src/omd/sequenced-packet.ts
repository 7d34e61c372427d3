// Decoding a packet for sequencing: message i must carry SeqNum + i even when a
// message of an unknown MsgType was skipped (it still consumes a number, spec §2.2).
import { decodePacketWith } from './packet.ts';
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

/** decodePacket with unknown messages kept in place as UNKNOWN_MESSAGE. Never throws. */
export function decodeSequencedPacket(buf: Uint8Array): SequencedPacket | OmdDecodeError {
  const p = decodePacketWith(buf, UNKNOWN_MESSAGE);
  if (!p.ok) return p;
  return { seq: p.header.seqNum, messages: p.messages, skippedUnknown: p.skippedUnknown };
}

// Refresh Service, exchange side (OMD-C 4.4; spec/omd-c.md §3.5): a snapshot of
// one channel's market image followed by Refresh Complete (203) carrying the
// real-time SeqNum the snapshot reflects.
//
// Refresh numbering (§12 U6, unspecified by HKEX) — ours: each refresh channel
// runs its own sequence for the whole day, starting at 1 and continuing across
// cycles (like TV8, refresh SN 5001 for real-time 1234); no Sequence Reset is
// sent on refresh channels and no start-of-cycle marker exists (only 203 at the end).
import type { OmdProduct } from './channels.ts';
import type { MarketImage } from './image.ts';
import type { OmdMessage } from './messages.ts';
import { messageSize } from './codec.ts';
import { PacketBuilder, PACKET_HEADER_SIZE, splitNews, DEFAULT_MAX_PACKET_SIZE } from './packet.ts';

export interface RefreshCycle {
  packets: Uint8Array[];
  /** Messages in the cycle including the closing 203. */
  messages: number;
  /** Refresh SeqNum of the first message, and the one after the last. */
  firstSeq: number;
  nextSeq: number;
  /** Real-time SeqNum the snapshot is synchronised with (203 LastSeqNum). */
  lastSeqNum: number;
}

/**
 * Builds one refresh cycle. The caller must take it synchronously after the
 * real-time message `lastSeqNum` was applied to `image` and before the next one,
 * so the snapshot equals the state after real-time 1..lastSeqNum.
 */
export function buildRefreshCycle(
  image: MarketImage,
  product: OmdProduct,
  lastSeqNum: number,
  refreshSeq: number,
  sendTimeNs: bigint,
  maxPacketSize: number = DEFAULT_MAX_PACKET_SIZE,
): RefreshCycle {
  const msgs: OmdMessage[] = [];
  for (const m of image.snapshot(product)) {
    if (m.msgType === 22 && messageSize(m) > maxPacketSize - PACKET_HEADER_SIZE) msgs.push(...splitNews(m, maxPacketSize));
    else msgs.push(m);
  }
  msgs.push({ msgType: 203, lastSeqNum });
  const packets = packMessages(msgs, refreshSeq, sendTimeNs, maxPacketSize);
  return { packets, messages: msgs.length, firstSeq: refreshSeq, nextSeq: refreshSeq + msgs.length, lastSeqNum };
}

/** Packs messages into as few packets as fit, numbering from firstSeq. */
export function packMessages(msgs: readonly OmdMessage[], firstSeq: number, sendTimeNs: bigint, maxPacketSize: number = DEFAULT_MAX_PACKET_SIZE): Uint8Array[] {
  const b = new PacketBuilder(maxPacketSize);
  const out: Uint8Array[] = [];
  let seq = firstSeq;
  b.start(seq, sendTimeNs);
  for (const m of msgs) {
    if (!b.add(m)) {
      out.push(b.finish());
      seq += b.count;
      b.start(seq, sendTimeNs);
      b.add(m);
    }
  }
  if (b.count > 0) out.push(b.finish());
  return out;
}

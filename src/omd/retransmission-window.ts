// The most recent messages of one real-time channel, kept as their exact wire
// bytes for the Retransmission Service (OMD-C 4.3: 50,000 per ChannelID).
import { PACKET_HEADER_SIZE, DEFAULT_MAX_PACKET_SIZE, MAX_MESSAGES_PER_PACKET } from './packet.ts';

export class RetransmissionWindow {
  readonly capacity: number;
  #ring: Array<Uint8Array | undefined>;
  /** Lowest sequence number still kept. */
  #first = 1;
  /** Sequence number the next stored message must carry. */
  #next = 1;

  constructor(capacity = 50_000) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`window capacity ${capacity}`);
    this.capacity = capacity;
    this.#ring = new Array(capacity);
  }

  /** Lowest kept SeqNum (equals `next` when empty). */
  get first(): number {
    return this.#first;
  }
  /** One past the highest kept SeqNum. */
  get next(): number {
    return this.#next;
  }
  get size(): number {
    return this.#next - this.#first;
  }

  /** Stores message `seq`. A SeqNum other than `next` (a reset, a takeover) restarts the window at `seq`. */
  push(seq: number, msgBytes: Uint8Array): void {
    if (seq !== this.#next) this.reset(seq);
    this.#ring[seq % this.capacity] = msgBytes;
    this.#next = seq + 1;
    if (this.#next - this.#first > this.capacity) this.#first = this.#next - this.capacity;
  }

  /** Empties the window; the next message stored must be `nextSeq`. */
  reset(nextSeq: number): void {
    this.#ring = new Array(this.capacity);
    this.#first = nextSeq;
    this.#next = nextSeq;
  }

  /** True when every message in [begin, end] is kept. */
  covers(begin: number, end: number): boolean {
    return begin >= this.#first && end < this.#next && begin <= end;
  }

  get(seq: number): Uint8Array | undefined {
    return seq >= this.#first && seq < this.#next ? this.#ring[seq % this.capacity] : undefined;
  }

  /** Every kept message in order (for handing the window to a takeover site). */
  entries(): Array<[number, Uint8Array]> {
    const out: Array<[number, Uint8Array]> = [];
    for (let s = this.#first; s < this.#next; s++) out.push([s, this.#ring[s % this.capacity]!]);
    return out;
  }

  /**
   * Packets carrying [begin, end] with their original sequence numbers; grouping
   * may differ from the multicast (OMD-C 3.5). Caller checks covers() first.
   */
  packets(begin: number, end: number, sendTimeNs: bigint, maxPacketSize = DEFAULT_MAX_PACKET_SIZE): Uint8Array[] {
    const out: Uint8Array[] = [];
    let s = begin;
    while (s <= end) {
      const first = s;
      let size = PACKET_HEADER_SIZE;
      const parts: Uint8Array[] = [];
      while (s <= end && parts.length < MAX_MESSAGES_PER_PACKET) {
        const m = this.get(s)!;
        if (parts.length > 0 && size + m.length > maxPacketSize) break;
        parts.push(m);
        size += m.length;
        s++;
      }
      const pkt = new Uint8Array(size);
      writePacketHeader(pkt, size, parts.length, first, sendTimeNs);
      let off = PACKET_HEADER_SIZE;
      for (const p of parts) {
        pkt.set(p, off);
        off += p.length;
      }
      out.push(pkt);
    }
    return out;
  }
}

/** OMD-C 3.3 packet header. */
export function writePacketHeader(buf: Uint8Array, pktSize: number, msgCount: number, seqNum: number, sendTimeNs: bigint): void {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  dv.setUint16(0, pktSize, true);
  buf[2] = msgCount;
  buf[3] = 0;
  dv.setUint32(4, seqNum >>> 0, true);
  dv.setBigUint64(8, sendTimeNs, true);
}

/** Splits a packet into its messages' bytes (views, no copy). Publisher-built packets only. */
export function messagesOf(pkt: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let off = PACKET_HEADER_SIZE;
  while (off + 4 <= pkt.length) {
    const size = pkt[off]! | (pkt[off + 1]! << 8);
    if (size < 4) break;
    out.push(pkt.subarray(off, off + size));
    off += size;
  }
  return out;
}

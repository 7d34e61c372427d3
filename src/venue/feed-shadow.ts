// What a standby site knows of the active site's publishers, built from the journal entries: per
// channel the next sequence numbers, the retransmission window and the market image, so that a
// takeover continues every feed where the active site left it.
import { MarketImage, RetransmissionWindow, decodeMessage, encodeMessage as encodeOmdMessage, messageSize } from '../omd/index.ts';
import type { FeedConfig, OmdMessage, OmdProduct, OmdService, PublisherState } from '../omd/index.ts';
import type { FeedSnapshot, JournalEntry } from './journal-records.ts';

/** Per feed, what a standby knows of the active site's publisher (built from journal entries). */
export class FeedShadow {
  readonly service: OmdService;
  readonly products = new Map<number, OmdProduct>();
  channels = new Map<number, { nextSeq: number; refreshNextSeq: number; window: RetransmissionWindow; image: MarketImage }>();
  drNextSeq = 1;
  drStatus: 0 | 1 | 2 = 0;

  constructor(cfg: FeedConfig) {
    this.service = cfg.service;
    for (const ch of cfg.channels) this.products.set(ch.channelId, ch.product);
    this.clear();
  }

  clear(): void {
    this.channels = new Map();
    for (const id of this.products.keys())
      this.channels.set(id, { nextSeq: 1, refreshNextSeq: 1, window: new RetransmissionWindow(), image: new MarketImage() });
    this.drNextSeq = 1;
    this.drStatus = 0;
  }

  apply(e: JournalEntry): void {
    if (e.t === 'omd') {
      const ch = this.channels.get(e.channelId);
      if (ch === undefined) return;
      let seq = e.firstSeq;
      for (const bytes of e.msgs) {
        ch.window.push(seq++, bytes);
        const m = decodeMessage(bytes, 0);
        if (m !== null && !('code' in m)) ch.image.apply(m as OmdMessage);
      }
      ch.nextSeq = seq;
    } else if (e.t === 'omd-reset') {
      const ch = this.channels.get(e.channelId);
      if (ch !== undefined) {
        ch.nextSeq = e.nextSeq;
        ch.window.reset(e.nextSeq);
      }
    } else if (e.t === 'omd-refresh') {
      const ch = this.channels.get(e.channelId);
      if (ch !== undefined) ch.refreshNextSeq += e.messages; // a cycle of n messages uses n refresh SeqNums (refresh-service.ts)
    } else if (e.t === 'omd-dr') {
      this.drNextSeq = Math.max(this.drNextSeq, e.drNextSeq);
      this.drStatus = e.drStatus;
    }
  }

  restore(s: FeedSnapshot): void {
    this.clear();
    for (const c of s.channels) {
      const ch = this.channels.get(c.channelId);
      if (ch === undefined) continue;
      ch.nextSeq = c.nextSeq;
      ch.refreshNextSeq = c.refreshNextSeq;
      ch.window.reset(c.window[0]?.[0] ?? c.nextSeq);
      for (const [seq, bytes] of c.window) ch.window.push(seq, bytes);
      for (const bytes of c.image) {
        const m = decodeMessage(bytes, 0);
        if (m !== null && !('code' in m)) ch.image.apply(m as OmdMessage);
      }
    }
    this.drNextSeq = s.drNextSeq;
    this.drStatus = s.drStatus;
  }

  toPublisherState(): PublisherState {
    return {
      service: this.service,
      channels: [...this.channels].map(([channelId, c]) => ({
        channelId,
        nextSeq: c.nextSeq,
        refreshNextSeq: c.refreshNextSeq,
        image: c.image,
        window: c.window.entries(),
      })),
      drChannelNextSeq: this.drNextSeq,
      drStatus: this.drStatus,
    };
  }
}

/** A channel's image as the encoded messages of its refresh (a standby's resync snapshot). */
export function imageBytes(image: MarketImage, product: OmdProduct): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const m of image.snapshot(product)) {
    try {
      const buf = new Uint8Array(messageSize(m));
      encodeOmdMessage(m, buf, 0);
      out.push(buf);
    } catch {
      // A News item too large for one message is left out of the resync image [ours; rare].
    }
  }
  return out;
}

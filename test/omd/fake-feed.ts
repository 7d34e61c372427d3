// A hand-driven exchange side for feed-handler tests: sends exactly the packets a
// test asks for on lines A/B, the refresh channel and the DR channel (loopback only).
import { createMulticastSender, type MulticastSender } from '../../src/wire/index.ts';
import { encodePacket, encodeHeartbeat, MarketImage, type FeedConfig, type OmdMessage } from '../../src/omd/index.ts';

const T0 = 1767922200000000000n;

/** The realtime message published as SN `sn` in these tests: one SF order, id = SN. */
export const order = (sn: number): OmdMessage => ({
  msgType: 30, securityCode: 5, orderId: BigInt(sn), price: 100_000 + sn, quantity: 100 * (1 + (sn % 7)), side: sn % 2, orderType: '2', orderBookPosition: 0,
});

/** Orders for SN from..to. */
export const orders = (from: number, to: number): OmdMessage[] => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => order(from + i));

/** The image a subscriber must hold after realtime SN from..to were applied to an empty book. */
export function imageOf(msgs: OmdMessage[]): MarketImage {
  const img = new MarketImage();
  for (const m of msgs) img.apply(m);
  return img;
}

export class FakeFeed {
  readonly cfg: FeedConfig;
  #tx: MulticastSender | null = null;
  #refreshSeq = 1;

  constructor(cfg: FeedConfig) {
    this.cfg = cfg;
  }

  async open(): Promise<this> {
    this.#tx = await createMulticastSender();
    return this;
  }

  async close(): Promise<void> {
    await this.#tx?.close();
  }

  /** One packet numbered from `seq` on the given line(s) of channel index 0. */
  send(lines: 'A' | 'B' | 'AB', seq: number, msgs: OmdMessage[], ch = 0): void {
    const c = this.cfg.channels[ch]!;
    const pkt = encodePacket(seq, T0, msgs);
    if (lines.includes('A')) this.#tx!.send(pkt, c.lineA);
    if (lines.includes('B')) this.#tx!.send(pkt, c.lineB);
  }

  raw(line: 'A' | 'B', buf: Uint8Array, ch = 0): void {
    const c = this.cfg.channels[ch]!;
    this.#tx!.send(buf, line === 'A' ? c.lineA : c.lineB);
  }

  heartbeat(lines: 'A' | 'B' | 'AB', seq: number, ch = 0): void {
    const c = this.cfg.channels[ch]!;
    const pkt = encodeHeartbeat(seq, T0);
    if (lines.includes('A')) this.#tx!.send(pkt, c.lineA);
    if (lines.includes('B')) this.#tx!.send(pkt, c.lineB);
  }

  /** A refresh cycle: snapshot messages then Refresh Complete(lastSeqNum), refresh-numbered for the day (§12 U6). */
  refresh(snapshot: OmdMessage[], lastSeqNum: number, ch = 0): void {
    const c = this.cfg.channels[ch]!;
    const msgs = [...snapshot, { msgType: 203, lastSeqNum } as OmdMessage];
    for (let i = 0; i < msgs.length; i += 40) {
      const part = msgs.slice(i, i + 40);
      this.#tx!.send(encodePacket(this.#refreshSeq, T0, part), c.refresh);
      this.#refreshSeq += part.length;
    }
  }

  dr(seq: number, status: 1 | 2, lines: 'A' | 'B' | 'AB' = 'AB'): void {
    const pkt = encodePacket(seq, T0, [{ msgType: 105, drStatus: status }]);
    if (lines.includes('A')) this.#tx!.send(pkt, this.cfg.drChannel.lineA);
    if (lines.includes('B')) this.#tx!.send(pkt, this.cfg.drChannel.lineB);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `cond` every 5 ms (running `each` before every poll, e.g. resending a refresh cycle) for at most `ms`. */
export async function until(cond: () => boolean, ms = 3000, each?: () => void): Promise<boolean> {
  const end = Date.now() + ms;
  let k = 0;
  while (Date.now() < end) {
    if (each && k++ % 4 === 0) each();
    await sleep(5);
    if (cond()) return true;
  }
  return cond();
}

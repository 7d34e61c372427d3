// A hand-driven exchange side for feed-handler tests: sends exactly the packets a
// test asks for on lines A/B, the refresh channel and the DR channel (loopback only).
import { createMulticastReceiver, createMulticastSender, type MulticastEndpoint, type MulticastReceiver, type MulticastSender } from '../../src/wire/index.ts';
import { encodePacket, encodeHeartbeat, MarketImage, type FeedConfig, type OmdMessage } from '../../src/omd/index.ts';
import { turn, waitFor } from '../helpers/wait.ts';

const T0 = 1767922200000000000n;

/** The realtime message published as SN `sn` in these tests: one SF order, id = SN. */
export const order = (sn: number): OmdMessage => ({
  msgType: 30,
  securityCode: 5,
  orderId: BigInt(sn),
  price: 100_000 + sn,
  quantity: 100 * (1 + (sn % 7)),
  side: sn % 2,
  orderType: '2',
  orderBookPosition: 0,
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
  // The feed's own receivers on every group it sends to: when they hold every datagram sent,
  // the handler's sockets on the same groups hold their copies too.
  #witnesses: MulticastReceiver[] = [];
  #sent = 0;
  #seen = 0;

  constructor(cfg: FeedConfig) {
    this.cfg = cfg;
  }

  async open(): Promise<this> {
    this.#tx = await createMulticastSender();
    const dests = new Map<string, MulticastEndpoint>();
    for (const d of [...this.cfg.channels.flatMap((c) => [c.lineA, c.lineB, c.refresh]), this.cfg.drChannel.lineA, this.cfg.drChannel.lineB])
      dests.set(`${d.group}:${d.port}`, d);
    for (const d of dests.values())
      this.#witnesses.push(
        await createMulticastReceiver(d, () => {
          this.#seen++;
        }),
      );
    return this;
  }

  async close(): Promise<void> {
    await this.#tx?.close();
    for (const w of this.#witnesses.splice(0)) await w.close();
  }

  /** Waits until every datagram sent so far has arrived, then lets the handler read its copies. */
  async delivered(): Promise<void> {
    await waitFor(`${this.#sent} datagrams delivered`, () => this.#seen >= this.#sent);
    await turn();
    await turn();
  }

  #send(pkt: Uint8Array, dest: MulticastEndpoint): void {
    this.#tx!.send(pkt, dest);
    this.#sent++;
  }

  /** One packet numbered from `seq` on the given line(s) of channel index 0. */
  send(lines: 'A' | 'B' | 'AB', seq: number, msgs: OmdMessage[], ch = 0): void {
    const c = this.cfg.channels[ch]!;
    const pkt = encodePacket(seq, T0, msgs);
    if (lines.includes('A')) this.#send(pkt, c.lineA);
    if (lines.includes('B')) this.#send(pkt, c.lineB);
  }

  raw(line: 'A' | 'B', buf: Uint8Array, ch = 0): void {
    const c = this.cfg.channels[ch]!;
    this.#send(buf, line === 'A' ? c.lineA : c.lineB);
  }

  heartbeat(lines: 'A' | 'B' | 'AB', seq: number, ch = 0): void {
    const c = this.cfg.channels[ch]!;
    const pkt = encodeHeartbeat(seq, T0);
    if (lines.includes('A')) this.#send(pkt, c.lineA);
    if (lines.includes('B')) this.#send(pkt, c.lineB);
  }

  /** A refresh cycle: snapshot messages then Refresh Complete(lastSeqNum), refresh-numbered for the day (§12 U6). */
  refresh(snapshot: OmdMessage[], lastSeqNum: number, ch = 0): void {
    const c = this.cfg.channels[ch]!;
    const msgs = [...snapshot, { msgType: 203, lastSeqNum } as OmdMessage];
    for (let i = 0; i < msgs.length; i += 40) {
      const part = msgs.slice(i, i + 40);
      this.#send(encodePacket(this.#refreshSeq, T0, part), c.refresh);
      this.#refreshSeq += part.length;
    }
  }

  dr(seq: number, status: 1 | 2, lines: 'A' | 'B' | 'AB' = 'AB'): void {
    const pkt = encodePacket(seq, T0, [{ msgType: 105, drStatus: status }]);
    if (lines.includes('A')) this.#send(pkt, this.cfg.drChannel.lineA);
    if (lines.includes('B')) this.#send(pkt, this.cfg.drChannel.lineB);
  }
}

/** Polls `cond` every 5 ms (running `each` before every poll, e.g. resending a refresh cycle) for at most `ms`. */
export async function until(cond: () => boolean, ms = 3000, each?: () => void): Promise<boolean> {
  const end = Date.now() + ms;
  let k = 0;
  while (Date.now() < end) {
    if (each && k++ % 4 === 0) each();
    await new Promise<void>((r) => setTimeout(r, 5));
    if (cond()) return true;
  }
  return cond();
}

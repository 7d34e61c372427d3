// The spec's test vectors TV1–TV8, verbatim from the OMD-C implementation note §9 (hand-derived there
// from the layouts), with the packet each decodes to. SendTime of the multicast examples is
// 2026-01-09T01:30:00.000Z = 1767922200000000000 ns.
import type { OmdMessage, PacketHeader } from '../../../src/omd/index.ts';

export interface PacketVector {
  name: string;
  /** Hex exactly as printed in the spec (whitespace and line breaks are not significant). */
  hex: string;
  header: PacketHeader;
  messages: OmdMessage[];
}

const SEND = 1767922200000000000n;

export const SPEC_PACKET_VECTORS: PacketVector[] = [
  {
    name: 'TV1 heartbeat, last message sent was 1234',
    hex: `
10 00 00 00 d2 04 00 00 00 f0 86 c1 df eb 88 18
`,
    header: { pktSize: 16, msgCount: 0, seqNum: 1234, sendTime: SEND },
    messages: [],
  },
  {
    name: 'TV2 start-of-day Sequence Reset',
    hex: `
18 00 01 00 01 00 00 00 00 f0 86 c1 df eb 88 18 08 00 64 00 01 00 00 00
`,
    header: { pktSize: 24, msgCount: 1, seqNum: 1, sendTime: SEND },
    messages: [{ msgType: 100, newSeqNo: 1 }],
  },
  {
    name: 'TV3 SF Add Order, security 700, bid 1000 @ 385.200',
    hex: `
30 00 01 00 d3 04 00 00 00 f0 86 c1 df eb 88 18 20 00 1e 00 bc 02 00 00
14 1a 99 be 1c 00 00 00 b0 e0 05 00 e8 03 00 00 00 00 32 00 00 00 00 00
`,
    header: { pktSize: 48, msgCount: 1, seqNum: 1235, sendTime: SEND },
    messages: [
      {
        msgType: 30,
        securityCode: 700,
        orderId: 0x1cbe991a14n,
        price: 385200,
        quantity: 1000,
        side: 0,
        orderType: '2',
        orderBookPosition: 0,
      },
    ],
  },
  {
    name: 'TV4 Modify to 600 then Delete, SN 1236-1237',
    hex: `
40 00 02 00 d4 04 00 00 00 f0 86 c1 df eb 88 18 1c 00 1f 00 bc 02 00 00
14 1a 99 be 1c 00 00 00 58 02 00 00 00 00 00 00 00 00 00 00 14 00 20 00
bc 02 00 00 14 1a 99 be 1c 00 00 00 00 00 00 00
`,
    header: { pktSize: 64, msgCount: 2, seqNum: 1236, sendTime: SEND },
    messages: [
      { msgType: 31, securityCode: 700, orderId: 123456789012n, quantity: 600, side: 0, orderBookPosition: 0 },
      { msgType: 32, securityCode: 700, orderId: 123456789012n, side: 0 },
    ],
  },
  {
    name: 'TV5 Aggregate Order Book Update, security 5, New bid L1 + Change offer L1',
    hex: `
4c 00 01 00 59 00 00 00 00 f0 86 c1 df eb 88 18 3c 00 35 00 05 00 00 00
00 00 00 02 20 4e 00 00 00 00 00 00 3c f0 00 00 03 00 00 00 00 00 01 00
00 00 00 00 40 1f 00 00 00 00 00 00 6e f0 00 00 01 00 00 00 01 00 01 01
00 00 00 00
`,
    header: { pktSize: 76, msgCount: 1, seqNum: 89, sendTime: SEND },
    messages: [
      {
        msgType: 53,
        securityCode: 5,
        entries: [
          { aggregateQuantity: 20000n, price: 61500, numberOfOrders: 3, side: 0, priceLevel: 1, updateAction: 0 },
          { aggregateQuantity: 8000n, price: 61550, numberOfOrders: 1, side: 1, priceLevel: 1, updateAction: 1 },
        ],
      },
    ],
  },
  {
    name: 'TV6a RTS Logon "TESTUSER01"',
    hex: `
20 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 10 00 65 00 54 45 53 54
55 53 45 52 30 31 00 00
`,
    header: { pktSize: 32, msgCount: 1, seqNum: 0, sendTime: 0n },
    messages: [{ msgType: 101, username: 'TESTUSER01' }],
  },
  {
    name: 'TV6b RTS Retransmission Request channel 21, SN 1001-1100',
    hex: `
20 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 10 00 c9 00 15 00 00 00
e9 03 00 00 4c 04 00 00
`,
    header: { pktSize: 32, msgCount: 1, seqNum: 0, sendTime: 0n },
    messages: [{ msgType: 201, channelId: 21, beginSeqNum: 1001, endSeqNum: 1100 }],
  },
  {
    name: 'TV7 DR Signal "DR in progress", 7th message of the DR channel',
    hex: `
18 00 01 00 07 00 00 00 00 f0 86 c1 df eb 88 18 08 00 69 00 01 00 00 00
`,
    header: { pktSize: 24, msgCount: 1, seqNum: 7, sendTime: SEND },
    messages: [{ msgType: 105, drStatus: 1 }],
  },
  {
    name: 'TV8 Refresh Complete, refresh SN 5001, synchronised with real-time SN 1234',
    hex: `
18 00 01 00 89 13 00 00 00 f0 86 c1 df eb 88 18 08 00 cb 00 d2 04 00 00
`,
    header: { pktSize: 24, msgCount: 1, seqNum: 5001, sendTime: SEND },
    messages: [{ msgType: 203, lastSeqNum: 1234 }],
  },
];

/** TV6 as the spec prints it: both client packets back to back on the RTS TCP stream. */
export const TV6_STREAM_HEX = `
20 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 10 00 65 00 54 45 53 54
55 53 45 52 30 31 00 00
20 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 10 00 c9 00 15 00 00 00
e9 03 00 00 4c 04 00 00
`;

export function hexToBytes(hex: string): Uint8Array {
  const parts = hex.trim().split(/\s+/);
  const out = new Uint8Array(parts.length);
  for (let i = 0; i < parts.length; i++) {
    if (!/^[0-9a-fA-F]{2}$/.test(parts[i]!)) throw new Error(`bad hex byte ${parts[i]}`);
    out[i] = parseInt(parts[i]!, 16);
  }
  return out;
}

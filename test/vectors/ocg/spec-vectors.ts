// OCG-C test vectors copied verbatim from the OCG-C implementation note §6.
// Derived by the note's authors from the layouts with a reference CRC-32C; NOT captures of real
// HKEX traffic. Comp ID CO99999902. Hex dumps as printed there (offset column dropped).
import { OcgMsgType } from '../../../src/ocg/index.ts';
import type { OcgHeader, OcgMessage } from '../../../src/ocg/index.ts';

export interface SpecVector {
  name: string;
  section: string;
  hex: string;
  /** CRC the note states for bytes [0, Length−4). */
  crc: number;
  header: OcgHeader;
  message: OcgMessage;
}

const COMP_ID = 'CO99999902';
const h = (msgType: OcgHeader['msgType'], seqNum: number): OcgHeader => ({ msgType, seqNum, possDup: false, possResend: false, compId: COMP_ID });

/** Hex text → bytes; `zeroRows` inserts the elided all-zero rows of the Logon dump. */
export function hexToBytes(hex: string): Uint8Array {
  const parts = hex.trim().split(/\s+/).filter((x) => x !== '');
  return Uint8Array.from(parts.map((x) => parseInt(x, 16)));
}

// §6.3 prints rows 0x0000–0x0040 and 0x01f0; rows 0x0050–0x01ef (416 bytes) are all zero.
const LOGON_HEAD = `
02 00 02 05 01 00 00 00 00 00 43 4f 39 39 39 39
39 39 30 32 00 00 a0 00 00 00 00 00 00 00 00 00
00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
00 00 00 00 00 00 51 55 4a 44 52 45 56 47 52 30
67 3d 00 00 00 00 00 00 00 00 00 00 00 00 00 00`;
const LOGON_TAIL = `
00 00 00 00 00 00 00 00 01 00 00 00 9c bf 5a da`;

export const SPEC_VECTORS: SpecVector[] = [
  {
    name: 'Lookup Request', section: '§6.1', crc: 0x2cc04b26,
    hex: `
02 3c 00 07 01 00 00 00 00 00 43 4f 39 39 39 39
39 39 30 32 00 00 c0 00 00 00 00 00 00 00 00 00
00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
00 00 00 00 00 00 01 01 26 4b c0 2c`,
    header: h(OcgMsgType.LookupRequest, 1),
    message: { msgType: OcgMsgType.LookupRequest, typeOfService: 1, protocolType: 1 },
  },
  {
    name: 'Heartbeat (plain)', section: '§6.2', crc: 0x78f182c6,
    hex: `
02 3a 00 00 02 00 00 00 00 00 43 4f 39 39 39 39
39 39 30 32 00 00 00 00 00 00 00 00 00 00 00 00
00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
00 00 00 00 00 00 c6 82 f1 78`,
    header: h(OcgMsgType.Heartbeat, 2),
    message: { msgType: OcgMsgType.Heartbeat },
  },
  {
    name: 'Heartbeat answering Test Request 7', section: '§6.2', crc: 0x5baf5f49,
    hex: `
02 3c 00 00 03 00 00 00 00 00 43 4f 39 39 39 39
39 39 30 32 00 00 80 00 00 00 00 00 00 00 00 00
00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
00 00 00 00 00 00 07 00 49 5f af 5b`,
    header: h(OcgMsgType.Heartbeat, 3),
    message: { msgType: OcgMsgType.Heartbeat, referenceTestRequestId: 7 },
  },
  {
    name: 'Logon, client → OCG-C', section: '§6.3', crc: 0xda5abf9c,
    hex: LOGON_HEAD + ' 00'.repeat(416) + LOGON_TAIL,
    header: h(OcgMsgType.Logon, 1),
    message: { msgType: OcgMsgType.Logon, password: 'QUJDREVGR0g=', nextExpectedMessageSequence: 1 },
  },
  {
    name: 'Logon reply from OCG-C', section: '§6.4', crc: 0x16ff4a2c,
    hex: `
02 40 00 05 01 00 00 00 00 00 43 4f 39 39 39 39
39 39 30 32 00 00 34 00 00 00 00 00 00 00 00 00
00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
00 00 00 00 00 00 02 00 00 00 00 01 2c 4a ff 16`,
    header: h(OcgMsgType.Logon, 1),
    message: { msgType: OcgMsgType.Logon, nextExpectedMessageSequence: 2, sessionStatus: 0, testMessageIndicator: 1 },
  },
  {
    name: 'Lookup Response, accepted', section: '§6.4', crc: 0x0d4d7d07,
    hex: `
02 5f 00 08 01 00 00 00 00 00 43 4f 39 39 39 39
39 39 30 32 00 00 9e 00 00 00 00 00 00 00 00 00
00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
00 00 00 00 00 00 00 31 39 32 2e 31 36 38 2e 31
30 31 2e 31 31 00 00 60 6d 31 39 32 2e 31 36 38
2e 31 30 31 2e 31 32 00 00 61 6d 07 7d 4d 0d`,
    header: h(OcgMsgType.LookupResponse, 1),
    message: {
      msgType: OcgMsgType.LookupResponse, status: 0,
      primaryIp: '192.168.101.11', primaryPort: 28000, secondaryIp: '192.168.101.12', secondaryPort: 28001,
    },
  },
  {
    name: 'New Order, board-lot limit buy', section: '§6.4', crc: 0xc140957c,
    hex: `
02 b8 00 0b 02 00 00 00 00 00 43 4f 39 39 39 39
39 39 30 32 00 00 fb e0 22 00 00 00 00 00 00 00
00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
00 00 00 00 00 00 31 30 30 30 30 30 30 31 00 00
00 00 00 00 00 00 00 00 00 00 00 31 30 30 31 00
00 00 00 00 00 00 00 37 30 30 00 00 00 00 00 00
00 00 00 00 00 00 00 00 00 00 00 00 08 58 48 4b
47 00 32 30 32 34 30 31 30 32 2d 30 31 3a 33 30
3a 34 35 2e 31 32 33 34 35 36 00 01 02 00 df 26
37 09 00 00 00 00 e4 0b 54 02 00 00 00 01 00 41
42 43 31 32 33 2e 32 35 36 38 00 00 00 00 00 00
00 00 00 00 7c 95 40 c1`,
    header: h(OcgMsgType.NewOrder, 2),
    message: {
      msgType: OcgMsgType.NewOrder, clientOrderId: '10000001', submittingBrokerId: '1001', securityId: '700',
      securityIdSource: 8, securityExchange: 'XHKG', transactionTime: '20240102-01:30:45.123456', side: 1, orderType: 2,
      price: 39_580_000_000n, orderQuantity: 10_000_000_000n, disclosureInstructions: 1, submittingBcanField: 'ABC123.2568',
    },
  },
];

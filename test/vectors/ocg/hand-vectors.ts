// OCG-C vectors derived by hand from the layouts in the note (§3, §5), field by field, with the
// hand-computed Length and map bytes in comments. Built with ./bytes.ts (not the codec under test).
import type { OcgHeader, OcgMessage } from '../../../src/ocg/index.ts';
import { alnum, ch, dec, frame, u16, u32, u8, varText } from './bytes.ts';

export interface HandVector {
  name: string;
  bytes: Uint8Array;
  header: OcgHeader;
  message: OcgMessage;
}

const COMP = 'CO99999902';
const T1 = '20261128-02:15:00.000001';
const hdr = (msgType: OcgHeader['msgType'], seqNum: number, possDup = false): OcgHeader => ({ msgType, seqNum, possDup, possResend: false, compId: COMP });

// Execution Report common prefix bits 0,1,2,3,4,6,7 (map byte 0 = 0xFB): 21+12+21+1+5+25+1 = 86 bytes.
const erPrefix = (clOrdId: string, side: number) => [
  alnum(clOrdId, 21), // 0 Client Order ID
  alnum('1001', 12), // 1 Submitting Broker ID
  alnum('700', 21), // 2 Security ID
  u8(8), // 3 Security ID Source = Exchange Symbol
  alnum('XHKG', 5), // 4 Security Exchange
  alnum(T1, 25), // 6 Transaction Time
  u8(side), // 7 Side
];

export const HAND_VECTORS: HandVector[] = [
  {
    // Map FF F1 F0: bits 0–7; 8,9,10,11,15; 16,17,18,19. Body 146 ⇒ Length 204.
    name: 'New Order, odd-lot limit sell with Broker Location ID, Text and Execution Instructions',
    bytes: frame({ length: 204, msgType: 11, seq: 5, compId: COMP, bits: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 15, 16, 17, 18, 19] }, [
      alnum('20000002', 21), // 0 Client Order ID
      alnum('1001', 12), // 1 Submitting Broker ID
      alnum('5', 21), // 2 Security ID
      u8(8), // 3 Security ID Source
      alnum('XHKG', 5), // 4 Security Exchange
      alnum('12345', 11), // 5 Broker Location ID
      alnum(T1, 25), // 6 Transaction Time
      u8(2), // 7 Side = Sell
      u8(2), // 8 Order Type = Limit
      dec(4_525_000_000n), // 9 Price 45.25
      dec(5_000_000_000n), // 10 Order Quantity 50 (odd lot)
      u8(0), // 11 TIF = Day (odd lot: 0 only)
      u8(1), // 15 Order Capacity = Agency
      varText('odd'), // 16 Text: L=4 'o' 'd' 'd' NUL
      alnum('1', 21), // 17 Execution Instructions: ignore notional checks
      u16(1), // 18 Disclosure Instructions: bit 0 None (LSB, §8 item 12)
      u8(1), // 19 Lot Type = Odd lot
    ]),
    header: hdr(11, 5),
    message: {
      msgType: 11, clientOrderId: '20000002', submittingBrokerId: '1001', securityId: '5', securityIdSource: 8,
      securityExchange: 'XHKG', brokerLocationId: '12345', transactionTime: T1, side: 2, orderType: 2,
      price: 4_525_000_000n, orderQuantity: 5_000_000_000n, tif: 0, orderCapacity: 1, text: 'odd',
      executionInstructions: '1', disclosureInstructions: 1, lotType: 1,
    },
  },
  {
    // Map FB 5C 07 D0: prefix; 9,11,12,13; 21,22,23; 24,25,27. Body 164 ⇒ Length 222.
    name: 'Execution Report, order accepted (Exec Type 0, Order Status 0)',
    bytes: frame({ length: 222, msgType: 10, seq: 10, compId: COMP, bits: [0, 1, 2, 3, 4, 6, 7, 9, 11, 12, 13, 21, 22, 23, 24, 25, 27] }, [
      ...erPrefix('10000001', 1),
      alnum('700000001', 21), // 9 Order ID
      u8(2), // 11 Order Type = Limit
      dec(39_580_000_000n), // 12 Price 395.8
      dec(10_000_000_000n), // 13 Order Quantity 100
      alnum('900000001', 21), // 21 Execution ID
      u8(0), // 22 Order Status = New
      ch('0'), // 23 Exec Type = New
      dec(0n), // 24 Cumulative Quantity 0
      dec(10_000_000_000n), // 25 Leaves Quantity 100
      u8(2), // 27 Lot Type = Round lot
    ]),
    header: hdr(10, 10),
    message: {
      msgType: 10, clientOrderId: '10000001', submittingBrokerId: '1001', securityId: '700', securityIdSource: 8,
      securityExchange: 'XHKG', transactionTime: T1, side: 1, orderId: '700000001', orderType: 2, price: 39_580_000_000n,
      orderQuantity: 10_000_000_000n, executionId: '900000001', orderStatus: 0, execType: '0', cumulativeQuantity: 0n,
      leavesQuantity: 10_000_000_000n, lotType: 2,
    },
  },
  {
    // Map FB 40 07 D3 C2 20: prefix; 9; 21,22,23; 24,25,27,30,31; 32,33,38; 42. Body 202 ⇒ Length 260.
    name: 'Execution Report, partial fill (Exec Type F, Order Status 1)',
    bytes: frame({ length: 260, msgType: 10, seq: 11, compId: COMP, bits: [0, 1, 2, 3, 4, 6, 7, 9, 21, 22, 23, 24, 25, 27, 30, 31, 32, 33, 38, 42] }, [
      ...erPrefix('10000001', 1),
      alnum('700000001', 21), // 9 Order ID
      alnum('900000002', 21), // 21 Execution ID
      u8(1), // 22 Order Status = Partially Filled
      ch('F'), // 23 Exec Type = Trade
      dec(4_000_000_000n), // 24 Cumulative Quantity 40
      dec(6_000_000_000n), // 25 Leaves Quantity 60
      u8(2), // 27 Lot Type
      u8(4), // 30 Match Type = Auto match
      alnum('2002', 12), // 31 Counterparty Broker ID
      dec(4_000_000_000n), // 32 Execution Quantity 40
      dec(39_580_000_000n), // 33 Execution Price 395.8
      alnum('800000001', 25), // 38 Trade Match ID
      u8(1), // 42 Aggressor Indicator = aggressor
    ]),
    header: hdr(10, 11),
    message: {
      msgType: 10, clientOrderId: '10000001', submittingBrokerId: '1001', securityId: '700', securityIdSource: 8,
      securityExchange: 'XHKG', transactionTime: T1, side: 1, orderId: '700000001', executionId: '900000002',
      orderStatus: 1, execType: 'F', cumulativeQuantity: 4_000_000_000n, leavesQuantity: 6_000_000_000n, lotType: 2,
      matchType: 4, counterpartyBrokerId: '2002', executionQuantity: 4_000_000_000n, executionPrice: 39_580_000_000n,
      tradeMatchId: '800000001', aggressorIndicator: 1,
    },
  },
  {
    // Map FB 40 07 D3 D2 20: as the partial fill plus 35 (Order Category). Body 203 ⇒ Length 261.
    name: 'Execution Report, fill (Exec Type F, Order Status 2), passive, internal cross',
    bytes: frame({ length: 261, msgType: 10, seq: 12, compId: COMP, bits: [0, 1, 2, 3, 4, 6, 7, 9, 21, 22, 23, 24, 25, 27, 30, 31, 32, 33, 35, 38, 42] }, [
      ...erPrefix('10000002', 2),
      alnum('700000002', 21), // 9 Order ID
      alnum('900000003', 21), // 21 Execution ID
      u8(2), // 22 Order Status = Filled
      ch('F'), // 23 Exec Type = Trade
      dec(10_000_000_000n), // 24 Cumulative Quantity 100
      dec(0n), // 25 Leaves Quantity 0
      u8(2), // 27 Lot Type
      u8(4), // 30 Match Type
      alnum('1001', 12), // 31 Counterparty Broker ID
      dec(6_000_000_000n), // 32 Execution Quantity 60
      dec(39_560_000_000n), // 33 Execution Price 395.6
      u8(1), // 35 Order Category = Internal cross
      alnum('800000002', 25), // 38 Trade Match ID
      u8(0), // 42 Aggressor Indicator = passive
    ]),
    header: hdr(10, 12),
    message: {
      msgType: 10, clientOrderId: '10000002', submittingBrokerId: '1001', securityId: '700', securityIdSource: 8,
      securityExchange: 'XHKG', transactionTime: T1, side: 2, orderId: '700000002', executionId: '900000003',
      orderStatus: 2, execType: 'F', cumulativeQuantity: 10_000_000_000n, leavesQuantity: 0n, lotType: 2, matchType: 4,
      counterpartyBrokerId: '1001', executionQuantity: 6_000_000_000n, executionPrice: 39_560_000_000n, orderCategory: 1,
      tradeMatchId: '800000002', aggressorIndicator: 0,
    },
  },
  {
    // Map FB C0 07 C0: prefix; 8,9; 21,22,23; 24,25. Body 167 ⇒ Length 225.
    name: 'Execution Report, cancelled on request (Exec Type 4, Order Status 4)',
    bytes: frame({ length: 225, msgType: 10, seq: 13, compId: COMP, bits: [0, 1, 2, 3, 4, 6, 7, 8, 9, 21, 22, 23, 24, 25] }, [
      ...erPrefix('10000005', 1), // the cancel request's new Client Order ID
      alnum('10000001', 21), // 8 Original Client Order ID (Y for a requested cancel)
      alnum('700000001', 21), // 9 Order ID
      alnum('900000004', 21), // 21 Execution ID
      u8(4), // 22 Order Status = Cancelled
      ch('4'), // 23 Exec Type = Cancel
      dec(4_000_000_000n), // 24 Cumulative Quantity 40
      dec(0n), // 25 Leaves Quantity 0
    ]),
    header: hdr(10, 13),
    message: {
      msgType: 10, clientOrderId: '10000005', submittingBrokerId: '1001', securityId: '700', securityIdSource: 8,
      securityExchange: 'XHKG', transactionTime: T1, side: 1, originalClientOrderId: '10000001', orderId: '700000001',
      executionId: '900000004', orderStatus: 4, execType: '4', cumulativeQuantity: 4_000_000_000n, leavesQuantity: 0n,
    },
  },
  {
    // Map FB 40 0F E0: prefix; 9; 20,21,22,23; 24,25,26. Reason L=19. Body 169 ⇒ Length 227.
    name: 'Execution Report, order rejected (Exec Type 8, Order Status 8, code 16)',
    bytes: frame({ length: 227, msgType: 10, seq: 14, compId: COMP, bits: [0, 1, 2, 3, 4, 6, 7, 9, 20, 21, 22, 23, 24, 25, 26] }, [
      ...erPrefix('10000006', 1),
      alnum('700000009', 21), // 9 Order ID
      varText('Price exceeds band'), // 20 Reason: L=19 (18 chars + NUL)
      alnum('900000005', 21), // 21 Execution ID
      u8(8), // 22 Order Status = Rejected
      ch('8'), // 23 Exec Type = Reject
      dec(0n), // 24 Cumulative Quantity
      dec(0n), // 25 Leaves Quantity
      u16(16), // 26 Order Reject Code = Price exceeds current price band
    ]),
    header: hdr(10, 14),
    message: {
      msgType: 10, clientOrderId: '10000006', submittingBrokerId: '1001', securityId: '700', securityIdSource: 8,
      securityExchange: 'XHKG', transactionTime: T1, side: 1, orderId: '700000009', reason: 'Price exceeds band',
      executionId: '900000005', orderStatus: 8, execType: '8', cumulativeQuantity: 0n, leavesQuantity: 0n, orderRejectCode: 16,
    },
  },
  {
    // Map FB F8 08: prefix; 8,9,10,11,12; 20. Body 147 ⇒ Length 205.
    name: 'Amend Request, price and quantity',
    bytes: frame({ length: 205, msgType: 12, seq: 6, compId: COMP, bits: [0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 20] }, [
      alnum('10000007', 21), // 0 Client Order ID (new)
      alnum('1001', 12), // 1 Submitting Broker ID
      alnum('700', 21), // 2 Security ID
      u8(8), // 3 Security ID Source
      alnum('XHKG', 5), // 4 Security Exchange
      alnum(T1, 25), // 6 Transaction Time
      u8(1), // 7 Side
      alnum('10000001', 21), // 8 Original Client Order ID
      alnum('700000001', 21), // 9 Order ID
      u8(2), // 10 Order Type (unchanged)
      dec(39_600_000_000n), // 11 Price 396
      dec(20_000_000_000n), // 12 Order Quantity 200
      u16(1), // 20 Disclosure Instructions
    ]),
    header: hdr(12, 6),
    message: {
      msgType: 12, clientOrderId: '10000007', submittingBrokerId: '1001', securityId: '700', securityIdSource: 8,
      securityExchange: 'XHKG', transactionTime: T1, side: 1, originalClientOrderId: '10000001', orderId: '700000001',
      orderType: 2, price: 39_600_000_000n, orderQuantity: 20_000_000_000n, disclosureInstructions: 1,
    },
  },
  {
    // Map FB A0: prefix; 8, 10. Text L=4. Body 113 ⇒ Length 171.
    name: 'Cancel Request with Text',
    bytes: frame({ length: 171, msgType: 13, seq: 7, compId: COMP, bits: [0, 1, 2, 3, 4, 6, 7, 8, 10] }, [
      alnum('10000008', 21), // 0 Client Order ID
      alnum('1001', 12), // 1 Submitting Broker ID
      alnum('700', 21), // 2 Security ID
      u8(8), // 3 Security ID Source
      alnum('XHKG', 5), // 4 Security Exchange
      alnum(T1, 25), // 6 Transaction Time
      u8(1), // 7 Side
      alnum('10000001', 21), // 8 Original Client Order ID
      varText('abc'), // 10 Text: 04 00 'a' 'b' 'c' 00
    ]),
    header: hdr(13, 7),
    message: {
      msgType: 13, clientOrderId: '10000008', submittingBrokerId: '1001', securityId: '700', securityIdSource: 8,
      securityExchange: 'XHKG', transactionTime: T1, side: 1, originalClientOrderId: '10000001', text: 'abc',
    },
  },
  {
    // Map C0. Body 8 ⇒ Length 66. Open-ended: End Sequence 0.
    name: 'Resend Request 3..open end',
    bytes: frame({ length: 66, msgType: 2, seq: 8, compId: COMP, bits: [0, 1] }, [
      u32(3), // 0 Start Sequence
      u32(0), // 1 End Sequence: 0 = everything from Start
    ]),
    header: hdr(2, 8),
    message: { msgType: 2, startSequence: 3, endSequence: 0 },
  },
  {
    // Map C0, PossDup 1. Body 5 ⇒ Length 63.
    name: 'Sequence Reset, gap fill (PossDup)',
    bytes: frame({ length: 63, msgType: 4, seq: 4, possDup: 1, compId: COMP, bits: [0, 1] }, [
      ch('Y'), // 0 Gap Fill = 'Y'
      u32(9), // 1 New Sequence Number
    ]),
    header: hdr(4, 4, true),
    message: { msgType: 4, gapFill: 'Y', newSequenceNumber: 9 },
  },
  {
    // Map FC: bits 0–5. Body 2+17+1+50+4+21 = 95 ⇒ Length 153.
    name: 'Reject, required field missing',
    bytes: frame({ length: 153, msgType: 3, seq: 15, compId: COMP, bits: [0, 1, 2, 3, 4, 5] }, [
      u16(1), // 0 Message Reject Code = Required field missing
      varText('Order Quantity'), // 1 Reason: L=15
      u8(11), // 2 Reference Message Type = New Order
      alnum('Order Quantity', 50), // 3 Reference Field Name
      u32(12), // 4 Reference Sequence Number
      alnum('10000003', 21), // 5 Client Order ID
    ]),
    header: hdr(3, 15),
    message: {
      msgType: 3, messageRejectCode: 1, reason: 'Order Quantity', referenceMessageType: 11,
      referenceFieldName: 'Order Quantity', referenceSequenceNumber: 12, clientOrderId: '10000003',
    },
  },
  {
    // Map EC: bits 0,1,2,4,5. Body 2+6+1+4+21 = 34 ⇒ Length 92.
    name: 'Business Message Reject, throttle exceeded (code 8, remaining ms in Reason)',
    bytes: frame({ length: 92, msgType: 9, seq: 16, compId: COMP, bits: [0, 1, 2, 4, 5] }, [
      u16(8), // 0 Business Reject Code = Throttle limit exceeded
      varText('640'), // 1 Reason: remaining milliseconds of the interval
      u8(11), // 2 Reference Message Type
      u32(20), // 4 Reference Sequence Number
      alnum('10000004', 21), // 5 Business Reject Reference ID
    ]),
    header: hdr(9, 16),
    message: { msgType: 9, businessRejectCode: 8, reason: '640', referenceMessageType: 11, referenceSequenceNumber: 20, businessRejectReferenceId: '10000004' },
  },
  {
    // Map C0. Body 19+1 = 20 ⇒ Length 78.
    name: 'Logout from OCG-C with Session Status 5',
    bytes: frame({ length: 78, msgType: 6, seq: 2, compId: COMP, bits: [0, 1] }, [
      varText('Invalid password'), // 0 Logout Text: L=17
      u8(5), // 1 Session Status = Invalid username or password
    ]),
    header: hdr(6, 2),
    message: { msgType: 6, logoutText: 'Invalid password', sessionStatus: 5 },
  },
  {
    // Map E0; one No Throttles repetition with nested map F8 00 (one map per repetition, §8 item 11).
    // Body 20+50+2+2+1+1+4+2+1 = 83 ⇒ Length 141.
    name: 'Throttle Entitlement Response, 50 messages per 1 s',
    bytes: frame({ length: 141, msgType: 26, seq: 3, compId: COMP, bits: [0, 1, 2] }, [
      alnum('TR1', 20), // 0 User Request ID
      alnum(COMP, 50), // 1 User Name
      u16(1), // 2 No Throttles = 1
      [0xf8, 0x00], //   nested presence map: bits 0–4
      u8(2), //   0 Throttle Action = Rejected
      u8(0), //   1 Throttle Type = Inbound rate
      u32(50), //   2 Throttle No Messages
      u16(1), //   3 Throttle Time Interval
      u8(0), //   4 Throttle Time Unit = seconds
    ]),
    header: hdr(26, 3),
    message: {
      msgType: 26, userRequestId: 'TR1', userName: COMP,
      throttles: [{ throttleAction: 2, throttleType: 0, throttleNoMessages: 50, throttleTimeInterval: 1, throttleTimeUnit: 0 }],
    },
  },
  {
    // Map BE: bits 0,2,3,4,5,6. Entitlement block map D8 00 (0,1,3,4), scope block map F0 00 (0–3).
    // Body 21+2+2+1+12 + (2+2+1+1+21) + (2+2+1+21+1+5) = 97 ⇒ Length 155.
    name: 'Party Entitlements Report with nested blocks',
    bytes: frame({ length: 155, msgType: 28, seq: 4, compId: COMP, bits: [0, 2, 3, 4, 5, 6] }, [
      alnum('ER1', 21), // 0 Entitlement Report ID
      u16(0), // 2 Request Result = Valid
      u16(1), // 3 Total No Party List
      u8(1), // 4 Last Fragment
      alnum('1001', 12), // 5 Broker ID
      u16(1), // 6 No Entitlements = 1
      [0xd8, 0x00], //   nested map: 0,1,3,4
      u8(1), //   0 Entitlement Type = Make Market
      u8(1), //   1 Entitlement Indicator = Yes
      alnum('MM1', 21), //   3 Entitlement ID
      u16(1), //   4 No Instrument Scopes = 1
      [0xf0, 0x00], //     nested map: 0–3
      u8(1), //     0 Instrument Scope Operator = Include
      alnum('700', 21), //     1 Security ID
      u8(8), //     2 Security ID Source
      alnum('XHKG', 5), //     3 Security Exchange
    ]),
    header: hdr(28, 4),
    message: {
      msgType: 28, entitlementReportId: 'ER1', requestResult: 0, totalNoPartyList: 1, lastFragment: 1, brokerId: '1001',
      entitlements: [{
        entitlementType: 1, entitlementIndicator: 1, entitlementId: 'MM1',
        instrumentScopes: [{ instrumentScopeOperator: 1, securityId: '700', securityIdSource: 8, securityExchange: 'XHKG' }],
      }],
    },
  },
  {
    // Map FB 60: prefix; 9, 10. Body 86+21+12 = 119 ⇒ Length 177.
    name: 'OBO Cancel Request (Order ID and Owning Broker ID mandatory)',
    bytes: frame({ length: 177, msgType: 23, seq: 9, compId: COMP, bits: [0, 1, 2, 3, 4, 6, 7, 9, 10] }, [
      alnum('10000009', 21), // 0 Client Order ID
      alnum('1001', 12), // 1 Submitting Broker ID
      alnum('700', 21), // 2 Security ID
      u8(8), // 3 Security ID Source
      alnum('XHKG', 5), // 4 Security Exchange
      alnum(T1, 25), // 6 Transaction Time
      u8(1), // 7 Side
      alnum('700000001', 21), // 9 Order ID
      alnum('1002', 12), // 10 Owning Broker ID
    ]),
    header: hdr(23, 9),
    message: {
      msgType: 23, clientOrderId: '10000009', submittingBrokerId: '1001', securityId: '700', securityIdSource: 8,
      securityExchange: 'XHKG', transactionTime: T1, side: 1, orderId: '700000001', owningBrokerId: '1002',
    },
  },
  {
    // Map C2 C0: bits 0,1,6; 8,9. Body 21+12+25+1+20 = 79 ⇒ Length 137.
    name: 'Mass Cancel Request for market segment GEM (type 9)',
    bytes: frame({ length: 137, msgType: 14, seq: 10, compId: COMP, bits: [0, 1, 6, 8, 9] }, [
      alnum('10000010', 21), // 0 Client Order ID
      alnum('1001', 12), // 1 Submitting Broker ID
      alnum(T1, 25), // 6 Transaction Time
      u8(9), // 8 Mass Cancel Request Type = market segment
      alnum('GEM', 20), // 9 Market Segment ID
    ]),
    header: hdr(14, 10),
    message: { msgType: 14, clientOrderId: '10000010', submittingBrokerId: '1001', transactionTime: T1, massCancelRequestType: 9, marketSegmentId: 'GEM' },
  },
  {
    // Map C3 60: bits 0,1,6,7; 9,10. Body 21+12+25+1+21+1 = 81 ⇒ Length 139.
    name: 'Order Mass Cancel Report, accepted for the segment',
    bytes: frame({ length: 139, msgType: 15, seq: 17, compId: COMP, bits: [0, 1, 6, 7, 9, 10] }, [
      alnum('10000010', 21), // 0 Client Order ID (echo)
      alnum('1001', 12), // 1 Submitting Broker ID
      alnum(T1, 25), // 6 Transaction Time
      u8(9), // 7 Mass Cancel Request Type
      alnum('MA1', 21), // 9 Mass Action Report ID
      u8(9), // 10 Mass Cancel Response = market segment cancelled
    ]),
    header: hdr(15, 17),
    message: { msgType: 15, clientOrderId: '10000010', submittingBrokerId: '1001', transactionTime: T1, massCancelRequestType: 9, massActionReportId: 'MA1', massCancelResponse: 9 },
  },
  {
    // Map E0: bits 0,1,2. Reason L=15. Body 1+1+17 = 19 ⇒ Length 77. Header seq 1 (§3.2).
    name: 'Lookup Response, rejected (Invalid Client)',
    bytes: frame({ length: 77, msgType: 8, seq: 1, compId: COMP, bits: [0, 1, 2] }, [
      u8(1), // 0 Status = Rejected (S1, §8 item 1)
      u8(0), // 1 Lookup Reject Code = Invalid Client (UInt8, §8 item 2)
      varText('Invalid Client'), // 2 Reason
    ]),
    header: hdr(8, 1),
    message: { msgType: 8, status: 1, lookupRejectCode: 0, reason: 'Invalid Client' },
  },
  {
    // Map 80. Body 2 ⇒ Length 60.
    name: 'Test Request 258',
    bytes: frame({ length: 60, msgType: 1, seq: 30, compId: COMP, bits: [0] }, [
      u16(258), // 0 Test Request ID (UInt16, not a string as in FIX)
    ]),
    header: hdr(1, 30),
    message: { msgType: 1, testRequestId: 258 },
  },
];

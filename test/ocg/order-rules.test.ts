// Field rules of New Order, Amend, Cancel and Mass Cancel (spec note §5.1–5.5), over a real
// gateway: one row per rule, each a message that must not reach the engine. The answer
// (Reject (3) code 5/6 or Business Message Reject (9) code 5) follows order-rules.ts; which of
// codes 5 and 6 a rule gives is our reading [INF], the note lists the codes only.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { crc32c } from '../../src/wire/index.ts';
import { encodeMessage, OcgMsgType, toPrice, toQty } from '../../src/ocg/index.ts';
import type { AmendRequest, CancelRequest, MassCancelRequest, NewOrder, OcgMessage } from '../../src/ocg/index.ts';
import { comp, connectClient, ers, newOrder, startVenue } from './gateway-harness.ts';
import type { TestClient, TestVenue } from './gateway-harness.ts';

type Answer = { via: 'reject' | 'bmr'; code: number; field: string };
const R5 = (field: string): Answer => ({ via: 'reject', code: 5, field });
const R6 = (field: string): Answer => ({ via: 'reject', code: 6, field });
const B5 = (field: string): Answer => ({ via: 'bmr', code: 5, field });

let nextId = 5000;
const id = () => String(++nextId);
const order = (extra: Partial<NewOrder> = {}): NewOrder => newOrder(1, 100, 395.8, '1001', { clientOrderId: id(), ...extra });
const without = <T extends object>(o: T, ...keys: (keyof T)[]): T => {
  const c = { ...o };
  for (const k of keys) delete c[k];
  return c;
};

let v: TestVenue;
let c: TestClient;
/** Client Order ID of the resting buy the amend rows name. */
let resting = '';

before(async () => {
  v = await startVenue([comp('FR1', 'F1')], { securities: [{ securityId: '700', lotSize: 100 }] });
  c = await connectClient(v.port, 'FR1', { clock: v.clock });
  await c.logon();
  const o = order({ side: 5, price: toPrice(395.8) });
  resting = o.clientOrderId!;
  c.session.sendMessage(o);
  await c.waitFor(() => ers(c).some((e) => e.clientOrderId === resting), 'the resting order ack');
});
after(async () => {
  await c.close();
  await v.close();
});

/** Send (or write raw) a message and return what answered it: a Reject/BMR naming its seq, or an Execution Report. */
async function answerTo(m: OcgMessage | Uint8Array): Promise<Record<string, unknown>> {
  const seq = c.journal.nextToSend;
  if (m instanceof Uint8Array) {
    c.journal.setNextToSend(seq + 1);
    c.socket.write(m);
  } else c.session.sendMessage(m);
  const clOrdId = m instanceof Uint8Array ? undefined : (m as { clientOrderId?: string }).clientOrderId;
  const hit = await c.waitFor(
    () =>
      c.received.find((r) => {
        const x = r.message as unknown as Record<string, unknown>;
        if (r.message.msgType === OcgMsgType.Reject || r.message.msgType === OcgMsgType.BusinessMessageReject) return x['referenceSequenceNumber'] === seq;
        return r.message.msgType === OcgMsgType.ExecutionReport && clOrdId !== undefined && x['clientOrderId'] === clOrdId;
      }),
    `the answer to seq ${seq}`,
  );
  return { msgType: hit.message.msgType, ...(hit.message as unknown as Record<string, unknown>) };
}

function assertAnswer(got: Record<string, unknown>, want: Answer): void {
  const via =
    got['msgType'] === OcgMsgType.Reject
      ? 'reject'
      : got['msgType'] === OcgMsgType.BusinessMessageReject
        ? 'bmr'
        : `message ${String(got['msgType'])} (${String(got['execType'])})`;
  const code = via === 'reject' ? got['messageRejectCode'] : got['businessRejectCode'];
  assert.deepEqual({ via, code, field: got['referenceFieldName'] }, want);
  assert.match(String(got['reason']), /^[\x20-\x7e]+$/, 'Reason is printable ASCII');
  if (want.via === 'bmr') assert.equal(got['reason'], want.field, 'BMR Reason names the field (§5.11)');
}

/** A message with one byte of a text field replaced by `byte` (the encoder itself refuses non-ASCII). */
function withByte<T extends OcgMessage>(m: T, key: keyof T & string, byte: number): Uint8Array {
  const value = String((m as unknown as Record<string, unknown>)[key] ?? '');
  const f = encodeMessage({ seqNum: c.journal.nextToSend, compId: 'FR1' }, { ...m, [key]: `${value}~` }).slice();
  const at = Buffer.from(f).toString('latin1').indexOf(`${value}~\0`) + value.length;
  assert.equal(f[at], 0x7e);
  f[at] = byte;
  new DataView(f.buffer, f.byteOffset, f.byteLength).setUint32(f.length - 4, crc32c(f, 0, f.length - 4), true);
  return f;
}

const amend = (extra: Partial<AmendRequest> = {}): AmendRequest => ({
  msgType: OcgMsgType.AmendRequest,
  clientOrderId: id(),
  submittingBrokerId: '1001',
  securityId: '700',
  securityIdSource: 8,
  securityExchange: 'XHKG',
  transactionTime: '20260109-01:30:00.000000',
  side: 5,
  originalClientOrderId: resting,
  orderType: 2,
  price: toPrice(395.8),
  orderQuantity: toQty(100),
  disclosureInstructions: 1,
  ...extra,
});
const cancel = (extra: Partial<CancelRequest> = {}): CancelRequest => ({
  msgType: OcgMsgType.CancelRequest,
  clientOrderId: id(),
  submittingBrokerId: '1001',
  securityId: '700',
  securityIdSource: 8,
  securityExchange: 'XHKG',
  transactionTime: '20260109-01:30:00.000000',
  side: 5,
  originalClientOrderId: resting,
  ...extra,
});
const massCancel = (extra: Partial<MassCancelRequest> = {}): MassCancelRequest => ({
  msgType: OcgMsgType.MassCancelRequest,
  clientOrderId: id(),
  submittingBrokerId: '1001',
  transactionTime: '20260109-01:30:00.000000',
  massCancelRequestType: 9,
  marketSegmentId: 'MAIN',
  ...extra,
});
const odd = (extra: Partial<NewOrder> = {}) => order({ lotType: 1, orderQuantity: toQty(50), ...extra });

const ROWS: [string, () => OcgMessage | Uint8Array, Answer][] = [
  // §5.1 instrument
  ['Security ID Source 8 without Security Exchange (C: required with Source 8)', () => without(order(), 'securityExchange'), B5('Security Exchange')],
  ['Security Exchange XNYS (OTP-C: XHKG)', () => order({ securityExchange: 'XNYS' }), R5('Security Exchange')],
  ['Security ID Source 4 (only 8, Exchange Symbol)', () => order({ securityIdSource: 4 }), R5('Security ID Source')],
  ['Security ID with a leading zero', () => order({ securityId: '0700' }), R6('Security ID')],
  ['Transaction Time garbage', () => order({ transactionTime: 'garbage' }), R6('Transaction Time')],
  ['Transaction Time not a date (30 February)', () => order({ transactionTime: '20260230-01:30:00.000000' }), R6('Transaction Time')],
  // §5.1 identifiers
  ['Client Order ID with letters', () => order({ clientOrderId: `A${id()}` }), R6('Client Order ID')],
  ['Client Order ID with a leading zero', () => order({ clientOrderId: `0${id()}` }), R6('Client Order ID')],
  ['Client Order ID above 99 999 999', () => order({ clientOrderId: '100000000' }), R6('Client Order ID')],
  ['Client Order ID with a non-ASCII byte', () => withByte(order(), 'clientOrderId', 0xe9), R6('Client Order ID')],
  ['Submitting Broker ID with a leading zero', () => order({ submittingBrokerId: '01001' }), R6('Submitting Broker ID')],
  ['Broker Location ID 0', () => order({ brokerLocationId: '0' }), R6('Broker Location ID')],
  ['Broker Location ID above 99 999 999', () => order({ brokerLocationId: '123456789' }), R6('Broker Location ID')],
  // §5.1 BCAN
  ['BCAN in the reserved range (50)', () => order({ submittingBcanField: 'ABC123.50' }), R5('Submitting BCAN Field')],
  ['BCAN 0', () => order({ submittingBcanField: 'ABC123.0' }), R6('Submitting BCAN Field')],
  ['BCAN with a leading zero', () => order({ submittingBcanField: 'ABC123.02568' }), R6('Submitting BCAN Field')],
  ['BCAN above 9 999 999 999', () => order({ submittingBcanField: 'ABC123.10000000000' }), R6('Submitting BCAN Field')],
  ['BCAN with a CE number that is not 6 characters', () => order({ submittingBcanField: 'AB12.2568' }), R6('Submitting BCAN Field')],
  ['board-lot order without BCAN', () => without(order(), 'submittingBcanField'), B5('Submitting BCAN Field')],
  [
    'odd-lot order of one board lot or more without BCAN',
    () => without(odd({ orderQuantity: toQty(150) }), 'submittingBcanField'),
    B5('Submitting BCAN Field'),
  ],
  // §5.1 / §5.2 order fields
  ['Side 3', () => order({ side: 3 }), R5('Side')],
  ['Order Type 3', () => order({ orderType: 3 }), R5('Order Type')],
  ['limit order without Price', () => without(order(), 'price'), B5('Price')],
  ['market order with a Price', () => order({ orderType: 1 }), R5('Price')],
  ['TIF 2', () => order({ tif: 2 }), R5('TIF')],
  ['Position Effect 2', () => order({ positionEffect: 2 }), R5('Position Effect')],
  ['Position Effect on a sell', () => order({ side: 2, positionEffect: 1 }), R5('Position Effect')],
  ['Order Restrictions on a buy', () => order({ orderRestrictions: '2' }), R5('Order Restrictions')],
  ['Order Restrictions value 3', () => order({ side: 5, orderRestrictions: '3' }), R5('Order Restrictions')],
  ['Order Restrictions value twice', () => order({ side: 5, orderRestrictions: '2 2' }), R5('Order Restrictions')],
  ['Order Restrictions on an odd lot', () => odd({ side: 5, orderRestrictions: '2' }), R5('Order Restrictions')],
  ['Max Price Levels 2', () => order({ maxPriceLevels: 2 }), R5('Max Price Levels')],
  ['Max Price Levels on an odd lot', () => odd({ maxPriceLevels: 1 }), R5('Max Price Levels')],
  ['Order Capacity 3', () => order({ orderCapacity: 3 }), R5('Order Capacity')],
  ['Text with punctuation', () => order({ text: 'hi, there' }), R6('Text')],
  ['Text with a non-ASCII byte', () => withByte(order({ text: 'ab' }), 'text', 0xa7), R6('Text')],
  ['Execution Instructions 2', () => order({ executionInstructions: '2' }), R5('Execution Instructions')],
  ['Execution Instructions "0 0"', () => order({ executionInstructions: '0 0' }), R5('Execution Instructions')],
  ['Disclosure Instructions 0 (bit 0 None must be set)', () => order({ disclosureInstructions: 0 }), R5('Disclosure Instructions')],
  ['Disclosure Instructions with a reserved bit', () => order({ disclosureInstructions: 3 }), R5('Disclosure Instructions')],
  ['Lot Type 3', () => order({ lotType: 3 }), R5('Lot Type')],
  ['odd-lot market order', () => without(odd({ orderType: 1 }), 'price'), R5('Order Type')],
  ['odd-lot IOC', () => odd({ tif: 3 }), R5('TIF')],
  ['odd-lot Execution Instructions 0', () => odd({ executionInstructions: '0' }), R5('Execution Instructions')],
  [
    'Throttle Entitlement Request: User Request ID with a non-ASCII byte',
    () =>
      withByte(
        { msgType: OcgMsgType.ThrottleEntitlementRequest, userRequestId: 'R1', userRequestType: 5, userName: 'FR1' } as OcgMessage,
        'userRequestId' as never,
        0xff,
      ),
    R6('User Request ID'),
  ],
  ['Amend: Order ID with a non-ASCII byte', () => withByte(amend({ orderId: '12' }), 'orderId', 0xc3), R6('Order ID')],
  // §5.3 Amend
  ['Amend: Client Order ID with letters', () => amend({ clientOrderId: 'AMEND1' }), R6('Client Order ID')],
  ['Amend: Original Client Order ID with letters', () => amend({ originalClientOrderId: 'X1' }), R6('Original Client Order ID')],
  ['Amend: Security ID Source 4', () => amend({ securityIdSource: 4 }), R5('Security ID Source')],
  ['Amend: without Security Exchange', () => without(amend(), 'securityExchange'), B5('Security Exchange')],
  ['Amend: Transaction Time garbage', () => amend({ transactionTime: '2026-01-09 01:30' }), R6('Transaction Time')],
  ['Amend: Disclosure Instructions 0', () => amend({ disclosureInstructions: 0 }), R5('Disclosure Instructions')],
  ['Amend: Position Effect on a short sell', () => amend({ positionEffect: 1 }), R5('Position Effect')],
  ['Amend: Order Restrictions on a buy', () => amend({ side: 1, orderRestrictions: '5' }), R5('Order Restrictions')],
  ['Amend: Max Price Levels 2', () => amend({ maxPriceLevels: 2 }), R5('Max Price Levels')],
  ['Amend: limit without Price', () => without(amend(), 'price'), B5('Price')],
  // §5.4 Cancel, §5.5 Mass Cancel
  ['Cancel: Original Client Order ID with a leading zero', () => cancel({ originalClientOrderId: `0${resting}` }), R6('Original Client Order ID')],
  ['Cancel: Text with punctuation', () => cancel({ text: 'oops!' }), R6('Text')],
  ['Mass Cancel: type 9 without Market Segment ID', () => without(massCancel(), 'marketSegmentId'), B5('Market Segment ID')],
  ['Mass Cancel: Market Segment ID XXX', () => massCancel({ marketSegmentId: 'XXX' }), R5('Market Segment ID')],
  ['Mass Cancel: type 1 without Security ID', () => massCancel({ massCancelRequestType: 1 }), B5('Security ID')],
  ['Mass Cancel: type 2', () => massCancel({ massCancelRequestType: 2 }), R5('Mass Cancel Request Type')],
];

describe('field rules of the business messages (§5.1–5.5): one row per rule', () => {
  for (const [what, make, want] of ROWS) {
    it(what, async () => {
      assertAnswer(await answerTo(make()), want);
      assert.equal(c.session.state, 'active', 'the session goes on');
    });
  }

  it('a rejected message consumed its seq and names no raw client bytes: the next order is acked', async () => {
    const got = await answerTo(withByte(order(), 'clientOrderId', 0xe9));
    assert.equal(got['clientOrderId'], undefined, 'a Client Order ID with a non-ASCII byte is not echoed');
    const ok = order();
    const ack = await answerTo(ok);
    assert.equal(ack['execType'], '0');
  });

  it('the valid variants of each rule pass: Source 8 + XHKG, BCAN 1 and 2, Position Effect on a buy, restrictions on a short sell, "0 1", odd lot below a board lot without BCAN', async () => {
    for (const m of [
      order({ submittingBcanField: 'ABC123.1' }),
      order({ submittingBcanField: 'XYZ789.2' }),
      order({ submittingBcanField: 'ABC123.9999999999' }),
      order({ positionEffect: 1 }),
      order({ side: 5, orderRestrictions: '2 5 6', price: toPrice(395.8) }),
      order({ executionInstructions: '0 1' }),
      order({ maxPriceLevels: 1, orderCapacity: 2, text: 'Desk 7', brokerLocationId: '12' }),
      order({ transactionTime: '20260109-01:30:00.123' }),
      without(odd({ orderQuantity: toQty(50), side: 2 }), 'submittingBcanField'),
    ]) {
      const got = await answerTo(m);
      assert.equal(
        got['msgType'],
        OcgMsgType.ExecutionReport,
        JSON.stringify(got, (_k, x) => (typeof x === 'bigint' ? String(x) : x)),
      );
    }
  });
});

describe('Amend Request fields that must stay as entered (§5.3 "unchanged"): Execution Report Y from the engine', () => {
  let mine = '';
  before(async () => {
    const o = order({ side: 2, price: toPrice(396) }); // above every resting buy: it stays on the book
    mine = o.clientOrderId!;
    assert.equal((await answerTo(o))['execType'], '0');
  });
  for (const [what, extra] of [
    ['Order Type', { orderType: 1, price: undefined }],
    ['TIF', { tif: 3 }],
    ['Max Price Levels', { maxPriceLevels: 1 }],
  ] as [string, Partial<AmendRequest>][]) {
    it(`${what} changed ⇒ amend rejected, the order unchanged`, async () => {
      const m = amend({ side: 2, originalClientOrderId: mine, price: toPrice(396), ...extra });
      if (m.price === undefined) delete m.price;
      const got = await answerTo(m);
      assert.deepEqual([got['msgType'], got['execType'], got['amendRejectCode']], [OcgMsgType.ExecutionReport, 'Y', 99]);
      assert.equal(got['reason'], 'Order Type, TIF and Max Price Levels cannot be changed');
    });
  }
});

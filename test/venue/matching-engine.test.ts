import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MatchingEngine } from '../../src/venue/index.ts';
import type { BookChangeEvent, EngineCommand, MatchingEngineOptions, SecurityDefinition, TradeEvent } from '../../src/venue/index.ts';
import {
  AmendRejectCode,
  CancelRejectCode,
  ExecRestatementReason,
  ExecType,
  MassCancelRejectCode,
  MassCancelRequestType,
  MassCancelResponse,
  OrdRejReason,
  OrdStatus,
  OTP_C_PROFILE,
  OTP_CSC_PROFILE,
  priceFromWire,
  priceToWire,
  qtyFromWire,
  qtyToWire,
  toPrice,
  toQty,
} from '../../src/ocg/index.ts';
import type { EngineEvent, EngineNewOrderRequest, EngineRequest, OrderEvent } from '../../src/ocg/index.ts';
import { ManualClock } from '../../src/wire/index.ts';
import { SeededRandom } from '../../src/omd/index.ts';

const SECURITIES: SecurityDefinition[] = [
  { securityId: '700', lotSize: 100, referencePrice: 395_800 },
  { securityId: '5', lotSize: 400 },
  { securityId: '8001', lotSize: 1000, marketSegmentId: 'GEM' },
];

function make(options: Partial<MatchingEngineOptions> = {}, clock = new ManualClock()): MatchingEngine {
  return new MatchingEngine({ profile: OTP_C_PROFILE, securities: SECURITIES, ...options }, clock);
}

let clSeq = 0;
interface O {
  side?: number;
  price?: number;
  qty?: number;
  broker?: string;
  comp?: string;
  cl?: string;
  sec?: string;
  tif?: number;
  lotType?: number;
  orderType?: number;
  ignorePriceValidity?: boolean;
}
function newOrder(o: O): EngineNewOrderRequest {
  const r: EngineNewOrderRequest = {
    type: 'new',
    compId: o.comp ?? `C${o.broker ?? '1'}`,
    brokerId: o.broker ?? '1',
    clientOrderId: o.cl ?? String(++clSeq),
    securityId: o.sec ?? '700',
    side: o.side ?? 1,
    orderType: o.orderType ?? 2,
    quantity: o.qty ?? 100,
  };
  if (o.price !== undefined || o.orderType !== 1) r.price = o.price ?? 395_800;
  if (o.tif !== undefined) r.tif = o.tif;
  if (o.lotType !== undefined) r.lotType = o.lotType;
  if (o.ignorePriceValidity !== undefined) r.ignorePriceValidity = o.ignorePriceValidity;
  return r;
}
const buy = (e: MatchingEngine, o: O = {}): EngineEvent[] => e.handle(newOrder({ ...o, side: 1 }));
const sell = (e: MatchingEngine, o: O = {}): EngineEvent[] => e.handle(newOrder({ ...o, side: o.side ?? 2 }));

function only<K extends EngineEvent['kind']>(events: EngineEvent[], kind: K): Extract<EngineEvent, { kind: K }>[] {
  return events.filter((x): x is Extract<EngineEvent, { kind: K }> => x.kind === kind);
}
function accepted(events: EngineEvent[]): OrderEvent {
  const a = only(events, 'accepted');
  assert.equal(a.length, 1, `expected one accept in ${JSON.stringify(events)}`);
  return a[0]!;
}
function rejected(events: EngineEvent[]) {
  assert.equal(events.length, 1);
  const r = events[0]!;
  assert.equal(r.kind, 'rejected');
  if (r.kind !== 'rejected') throw new Error('unreachable');
  assert.equal(r.execType, ExecType.Reject);
  assert.equal(r.ordStatus, OrdStatus.Rejected);
  return r;
}

describe('price-time priority', () => {
  it('fills the earlier order at a price first, and a better price before an earlier worse one', () => {
    const e = make();
    const s1 = accepted(sell(e, { price: 396_000, broker: '1' }));
    const s2 = accepted(sell(e, { price: 395_800, broker: '2' }));
    const s3 = accepted(sell(e, { price: 395_800, broker: '3' }));
    const ev = buy(e, { price: 396_000, qty: 300, broker: '9' });
    const fills = only(ev, 'filled').filter((f) => !f.aggressor);
    assert.deepEqual(
      fills.map((f) => f.orderId),
      [s2.orderId, s3.orderId, s1.orderId],
    );
    assert.deepEqual(
      fills.map((f) => f.lastPx),
      [395_800, 395_800, 396_000],
    );
  });

  it('fills at the resting order price, not the aggressor limit', () => {
    const e = make();
    sell(e, { price: 395_800 });
    const ev = buy(e, { price: 396_400 });
    const fills = only(ev, 'filled');
    assert.equal(fills.length, 2, 'one fill for each side');
    for (const f of fills) assert.equal(f.lastPx, 395_800);
  });

  it('walks several levels with partial and full fills and correct cum/leaves/status', () => {
    const e = make();
    const a = accepted(sell(e, { price: 395_800, qty: 100, broker: '1' }));
    const b = accepted(sell(e, { price: 396_000, qty: 200, broker: '2' }));
    const c = accepted(sell(e, { price: 396_200, qty: 300, broker: '3' }));
    const ev = buy(e, { price: 396_200, qty: 500, broker: '9', comp: 'CB' });
    assert.equal(ev[0]!.kind, 'accepted');
    const fills = only(ev, 'filled');
    assert.equal(fills.length, 6, 'one report per side per match');
    const aggr = fills.filter((f) => f.aggressor);
    assert.deepEqual(
      aggr.map((f) => [f.lastPx, f.lastQty, f.cumQty, f.leavesQty, f.ordStatus]),
      [
        [395_800, 100, 100, 400, OrdStatus.PartiallyFilled],
        [396_000, 200, 300, 200, OrdStatus.PartiallyFilled],
        [396_200, 200, 500, 0, OrdStatus.Filled],
      ],
    );
    const pass = fills.filter((f) => !f.aggressor);
    assert.deepEqual(
      pass.map((f) => [f.orderId, f.compId, f.cumQty, f.leavesQty, f.ordStatus]),
      [
        [a.orderId, 'C1', 100, 0, OrdStatus.Filled],
        [b.orderId, 'C2', 200, 0, OrdStatus.Filled],
        [c.orderId, 'C3', 200, 100, OrdStatus.PartiallyFilled],
      ],
    );
    for (let i = 0; i < 3; i++) {
      assert.equal(aggr[i]!.tradeId, pass[i]!.tradeId, 'both sides share the Trade Match ID');
      assert.equal(aggr[i]!.counterpartyOrderId, pass[i]!.orderId);
      assert.equal(pass[i]!.counterpartyBrokerId, '9');
      assert.equal(aggr[i]!.execType, ExecType.Trade);
    }
    const execIds = ev.map((x) => (x as OrderEvent).execId);
    assert.equal(new Set(execIds).size, execIds.length, 'exec ids unique');
    assert.deepEqual(e.book('700')!.depth(2), [{ price: 396_200, quantity: 100, count: 1 }]);
    assert.deepEqual(e.book('700')!.depth(1), []);
    assert.equal(e.order(a.orderId), undefined, 'filled orders leave the book');
    assert.equal(e.order(c.orderId)!.leavesQty, 100);
  });

  it('rests the remainder of an aggressive order at its limit', () => {
    const e = make();
    sell(e, { price: 395_800, qty: 300 });
    const ev = buy(e, { price: 396_000, qty: 1000 });
    const o = accepted(ev);
    assert.equal(e.order(o.orderId)!.leavesQty, 700);
    assert.equal(e.order(o.orderId)!.ordStatus, OrdStatus.PartiallyFilled);
    assert.equal(e.book('700')!.bestBid(), 396_000);
    assert.equal(e.book('700')!.bestOffer(), undefined);
  });

  it('a short sell rests on the offer side and trades like a sell', () => {
    const e = make();
    accepted(sell(e, { side: 5, price: 396_000 }));
    assert.equal(e.book('700')!.bestOffer(), 396_000);
    const f = only(buy(e, { price: 396_000 }), 'filled');
    assert.equal(f.length, 2);
    assert.equal(f[1]!.side, 5);
  });

  it('IOC: remainder expires (C, status 12); FOK: all or nothing', () => {
    const e = make();
    sell(e, { price: 395_800, qty: 200 });
    const ioc = buy(e, { price: 395_800, qty: 500, tif: 3 });
    const exp = only(ioc, 'expired');
    assert.equal(exp.length, 1);
    assert.equal(exp[0]!.execType, ExecType.Expire);
    assert.equal(exp[0]!.ordStatus, OrdStatus.Expired);
    assert.equal(exp[0]!.cumQty, 200);
    assert.equal(exp[0]!.leavesQty, 0);
    assert.equal(e.book('700')!.bestBid(), undefined, 'nothing rests');

    sell(e, { price: 395_800, qty: 200 });
    const fok = buy(e, { price: 395_800, qty: 300, tif: 4 });
    assert.deepEqual(
      fok.map((x) => x.kind),
      ['accepted', 'expired'],
    );
    assert.equal(e.book('700')!.bestOffer(), 395_800, 'FOK left the book untouched');
    const fok2 = buy(e, { price: 395_800, qty: 200, tif: 4 });
    assert.deepEqual(
      fok2.map((x) => x.kind),
      ['accepted', 'filled', 'filled'],
    );
  });
});

describe('new order rejects (Order Reject Code, §5.7)', () => {
  it('unknown security → 99 with cause unknownSecurity', () => {
    const r = rejected(buy(make(), { sec: '99999' }));
    assert.equal(r.ordRejReason, OrdRejReason.Other);
    assert.equal(r.cause, 'unknownSecurity');
    assert.equal(r.orderId, '');
  });

  it('price off the spread-table tick → 99 invalidPriceTick (no exact code in the list [INF])', () => {
    const e = make();
    // 200 < p ≤ 500 moves in 0.2: 395.9 is off tick
    assert.equal(rejected(buy(e, { price: 395_900 })).cause, 'invalidPriceTick');
    assert.equal(rejected(buy(e, { price: 395_900 })).ordRejReason, OrdRejReason.Other);
    assert.equal(rejected(buy(e, { price: priceFromWire(toPrice('395.8001')) })).cause, 'invalidPriceTick');
    assert.equal(rejected(buy(e, { price: 0 })).cause, 'invalidPriceTick');
    assert.equal(rejected(buy(e, { price: 10_000_000 })).cause, 'invalidPriceTick', 'above 9,995');
    const noPrice = newOrder({});
    delete noPrice.price;
    assert.equal(rejected(e.handle(noPrice)).cause, 'invalidPriceTick');
    accepted(buy(e, { price: 395_800 }));
  });

  it('price band (9 times rule against reference, then last trade) → 16; Execution Instruction 0 skips it [INF]', () => {
    const e = make();
    const hi = rejected(sell(e, { price: 3_564_000 }));
    assert.equal(hi.ordRejReason, OrdRejReason.PriceExceedsCurrentPriceBand);
    assert.equal(hi.cause, 'priceBand');
    assert.equal(rejected(buy(e, { price: 43_950 })).ordRejReason, OrdRejReason.PriceExceedsCurrentPriceBand);
    accepted(buy(e, { price: 44_000 }));
    accepted(sell(e, { price: 3_500_000, ignorePriceValidity: true }));
    // Security 5 has no reference price: no band until it trades
    accepted(sell(e, { sec: '5', price: 50_000, qty: 400 }));
    buy(e, { sec: '5', price: 50_000, qty: 400 });
    assert.equal(rejected(sell(e, { sec: '5', price: 450_000, qty: 400 })).cause, 'priceBand');
  });

  it('quantity not a board-lot multiple → 13 invalidLot', () => {
    const r = rejected(buy(make(), { qty: 150 }));
    assert.equal(r.ordRejReason, OrdRejReason.IncorrectQuantity);
    assert.equal(r.cause, 'invalidLot');
  });

  it('quantity ≤ 0, fractional or above 99,999,999 → 13 invalidQuantity', () => {
    const e = make();
    for (const qty of [0, -100, Number.NaN, qtyFromWire(toQty('100.5')), 100_000_000]) {
      const r = rejected(buy(e, { qty }));
      assert.equal(r.ordRejReason, OrdRejReason.IncorrectQuantity, String(qty));
      assert.equal(r.cause, 'invalidQuantity');
    }
  });

  it('more than 3,000 board lots → 3 Order exceeds limit [INF]', () => {
    const e = make();
    const r = rejected(buy(e, { qty: 300_100 }));
    assert.equal(r.ordRejReason, OrdRejReason.OrderExceedsLimit);
    accepted(buy(e, { qty: 300_000 }));
  });

  it('duplicate Client Order ID per Submitting Broker ID → 6, even after the first was filled or rejected', () => {
    const e = make();
    accepted(buy(e, { cl: '77', broker: '1' }));
    assert.equal(rejected(buy(e, { cl: '77', broker: '1' })).ordRejReason, OrdRejReason.DuplicateOrder);
    accepted(buy(e, { cl: '77', broker: '2' }));
    rejected(buy(e, { cl: '78', broker: '1', qty: 1 }));
    assert.equal(rejected(buy(e, { cl: '78', broker: '1' })).cause, 'duplicateClientOrderId', 'a rejected order used its ID');
    assert.equal(rejected(buy(e, { cl: '79', broker: '1', sec: '99999' })).cause, 'unknownSecurity');
    assert.equal(rejected(buy(e, { cl: '79', broker: '1' })).cause, 'duplicateClientOrderId', 'an order for an unknown security used its ID');
    accepted(buy(e, { cl: '80', broker: '1' }));
    assert.equal(rejected(buy(e, { cl: '80', broker: '1' })).cause, 'duplicateClientOrderId');
  });

  it('market orders and At Crossing are refused in continuous trading [INF]; unknown lot type too', () => {
    const e = make();
    assert.equal(rejected(buy(e, { orderType: 1 })).cause, 'unsupportedOrderType');
    assert.equal(rejected(buy(e, { tif: 9 })).cause, 'unsupportedTif');
    assert.equal(rejected(buy(e, { tif: 7 })).cause, 'unsupportedTif');
    assert.equal(rejected(buy(e, { lotType: 3 })).cause, 'invalidRequest');
    assert.equal(rejected(e.handle(newOrder({ side: 3 }))).cause, 'unsupportedSide');
  });

  it('a rejected order echoes the request and leaves no state behind but its Client Order ID', () => {
    const e = make();
    const before = e.exportState();
    const r = rejected(buy(e, { qty: 150, cl: '5', price: 395_800 }));
    assert.deepEqual([r.clientOrderId, r.price, r.orderQty, r.side, r.cumQty, r.leavesQty], ['5', 395_800, 150, 1, 0, 0]);
    const after = e.exportState();
    assert.deepEqual(after.orders, before.orders);
    assert.equal(after.nextOrderId, before.nextOrderId);
  });
});

describe('bad input', () => {
  it('garbage requests never throw, and every number in the events stays a safe integer (reports always encode)', () => {
    const e = make();
    accepted(buy(e, { cl: 'ok1' }));
    const garbage = [
      { type: 'new', compId: 'C1', brokerId: '1', clientOrderId: 'g1', securityId: '700', side: 1, orderType: 2, price: Number.NaN, quantity: Number.NaN },
      { type: 'new', compId: 'C1', brokerId: '1', clientOrderId: 'g2', securityId: '700', side: Number.NaN, orderType: 2, price: 1e300, quantity: 1e300 },
      { type: 'new', compId: 'C1', brokerId: undefined, clientOrderId: undefined, securityId: undefined, side: 1, orderType: undefined, quantity: 100 },
      {
        type: 'amend',
        compId: 'C1',
        brokerId: '1',
        clientOrderId: 'g3',
        originalClientOrderId: 'ok1',
        securityId: '700',
        side: 1,
        quantity: Number.NaN,
        price: Number.NaN,
      },
      { type: 'amend', compId: 'C1', brokerId: '1', clientOrderId: 'g4', originalClientOrderId: 'none', securityId: '700', side: 1, quantity: Number.NaN },
      {
        type: 'amend',
        compId: 'C1',
        brokerId: '1',
        clientOrderId: 'g5',
        originalClientOrderId: 'ok1',
        securityId: '700',
        side: 1,
        quantity: 200,
        price: Number.NaN,
      },
      { type: 'cancel', compId: 'C1', brokerId: '1', clientOrderId: 'g6', originalClientOrderId: undefined, securityId: undefined, side: undefined },
      { type: 'oboCancel', compId: 'C1', brokerId: '1', owningBrokerId: undefined, clientOrderId: 'g7', orderId: undefined, securityId: '700', side: 1 },
      { type: 'massCancel', compId: 'C1', brokerId: '1', clientOrderId: 'g8', massCancelRequestType: undefined },
      { type: 'massCancel', compId: 'C1', brokerId: '1', clientOrderId: 'g9', massCancelRequestType: 1, securityId: '700', side: 9 },
    ] as unknown as EngineRequest[];
    for (const g of garbage) {
      const ev = e.handle(g);
      assert.ok(ev.length >= 1);
      for (const x of ev) {
        for (const [k, v] of Object.entries(x)) if (typeof v === 'number') assert.ok(Number.isSafeInteger(v), `${x.kind}.${k} = ${v}`);
        assert.notEqual(x.kind, 'accepted');
      }
    }
    assert.equal(e.liveOrderCount, 1);
    assert.equal(e.order('1')!.orderQty, 100, 'the good order is untouched');
  });
});

describe('cancel (§5.4)', () => {
  it('cancels a resting order: 4, status 4, original Client Order ID, book empty', () => {
    const e = make();
    const o = accepted(buy(e, { cl: '10' }));
    const ev = e.handle({ type: 'cancel', compId: 'C1', brokerId: '1', clientOrderId: '11', originalClientOrderId: '10', securityId: '700', side: 1 });
    assert.equal(ev.length, 1);
    const c = ev[0]!;
    assert.equal(c.kind, 'cancelled');
    if (c.kind !== 'cancelled') return;
    assert.deepEqual(
      [c.execType, c.ordStatus, c.orderId, c.clientOrderId, c.originalClientOrderId, c.leavesQty, c.execRestatementReason],
      [ExecType.Cancel, OrdStatus.Cancelled, o.orderId, '11', '10', 0, undefined],
    );
    assert.equal(e.book('700')!.bestBid(), undefined);
    assert.equal(e.liveOrderCount, 0);
  });

  it('unknown order → X, Cancel Reject Code 1, status 8; wrong Order ID counts as unknown', () => {
    const e = make();
    const x = e.handle({ type: 'cancel', compId: 'C1', brokerId: '1', clientOrderId: '11', originalClientOrderId: 'nope', securityId: '700', side: 1 });
    assert.equal(x[0]!.kind, 'cancelRejected');
    if (x[0]!.kind !== 'cancelRejected') return;
    assert.deepEqual(
      [x[0].execType, x[0].cancelRejectCode, x[0].ordStatus, x[0].cause],
      [ExecType.CancelReject, CancelRejectCode.UnknownOrder, OrdStatus.Rejected, 'unknownOrder'],
    );
    accepted(buy(e, { cl: '20' }));
    const y = e.handle({
      type: 'cancel',
      compId: 'C1',
      brokerId: '1',
      clientOrderId: '21',
      originalClientOrderId: '20',
      orderId: '999',
      securityId: '700',
      side: 1,
    });
    assert.equal((y[0] as { cancelRejectCode: number }).cancelRejectCode, CancelRejectCode.UnknownOrder);
    const z = e.handle({ type: 'cancel', compId: 'C9', brokerId: '9', clientOrderId: '22', originalClientOrderId: '20', securityId: '700', side: 1 });
    assert.equal((z[0] as { cancelRejectCode: number }).cancelRejectCode, CancelRejectCode.UnknownOrder, 'another broker cannot name it');
  });

  it('already filled → X, Too late to cancel (0), status 2 Filled', () => {
    const e = make();
    sell(e, { cl: '30' });
    buy(e, { broker: '2' });
    const x = e.handle({ type: 'cancel', compId: 'C1', brokerId: '1', clientOrderId: '31', originalClientOrderId: '30', securityId: '700', side: 2 });
    assert.equal(x[0]!.kind, 'cancelRejected');
    if (x[0]!.kind !== 'cancelRejected') return;
    assert.equal(x[0].cancelRejectCode, CancelRejectCode.TooLateToCancel);
    assert.equal(x[0].ordStatus, OrdStatus.Filled);
    assert.equal(x[0].originalClientOrderId, '30');
  });

  it('duplicate Client Order ID on the cancel → X code 6, order stays', () => {
    const e = make();
    accepted(buy(e, { cl: '40' }));
    const x = e.handle({ type: 'cancel', compId: 'C1', brokerId: '1', clientOrderId: '40', originalClientOrderId: '40', securityId: '700', side: 1 });
    assert.equal((x[0] as { cancelRejectCode: number }).cancelRejectCode, CancelRejectCode.DuplicateClientOrderId);
    assert.equal(e.liveOrderCount, 1);
  });
});

describe('amend (§5.3)', () => {
  const amend = (e: MatchingEngine, orig: string, cl: string, quantity: number, price?: number, side = 2) =>
    e.handle({
      type: 'amend',
      compId: 'C1',
      brokerId: '1',
      clientOrderId: cl,
      originalClientOrderId: orig,
      securityId: '700',
      side,
      quantity,
      ...(price !== undefined ? { price } : {}),
    });

  it('quantity down: one 5 with the same Order ID, priority kept', () => {
    const e = make();
    const a = accepted(sell(e, { cl: 'a1', qty: 500 }));
    const b = accepted(sell(e, { cl: 'b1', broker: '2', qty: 500 }));
    const ev = amend(e, 'a1', 'a2', 300);
    assert.equal(ev.length, 1);
    const m = ev[0]!;
    assert.equal(m.kind, 'amended');
    if (m.kind !== 'amended') return;
    assert.deepEqual(
      [m.execType, m.orderId, m.clientOrderId, m.originalClientOrderId, m.orderQty, m.leavesQty, m.replaced, m.ordStatus],
      [ExecType.Amend, a.orderId, 'a2', 'a1', 300, 300, false, OrdStatus.New],
    );
    const f = only(buy(e, { broker: '9', qty: 100 }), 'filled').find((x) => !x.aggressor)!;
    assert.equal(f.orderId, a.orderId, 'still first in the queue');
    assert.notEqual(f.orderId, b.orderId);
    assert.equal(e.book('700')!.depth(2)[0]!.quantity, 200 + 500);
  });

  it('quantity up: 4 on the old Order ID, 5 with a new Order ID, priority lost', () => {
    const e = make();
    const a = accepted(sell(e, { cl: 'a1', qty: 500 }));
    const b = accepted(sell(e, { cl: 'b1', broker: '2', qty: 500 }));
    const ev = amend(e, 'a1', 'a2', 800);
    assert.deepEqual(
      ev.map((x) => [x.kind, (x as OrderEvent).execType]),
      [
        ['cancelled', ExecType.Cancel],
        ['amended', ExecType.Amend],
      ],
    );
    const c = ev[0] as Extract<EngineEvent, { kind: 'cancelled' }>;
    const m = ev[1] as Extract<EngineEvent, { kind: 'amended' }>;
    assert.equal(c.orderId, a.orderId);
    assert.equal(c.originalClientOrderId, 'a1');
    assert.notEqual(m.orderId, a.orderId);
    assert.equal(m.previousOrderId, a.orderId);
    assert.equal(m.replaced, true);
    assert.equal(m.leavesQty, 800);
    const f = only(buy(e, { broker: '9', qty: 100 }), 'filled').find((x) => !x.aggressor)!;
    assert.equal(f.orderId, b.orderId, 'the other order is now first');
    assert.equal(e.order(a.orderId), undefined);
  });

  it('price change: replaced with a new Order ID and trades at once when it crosses', () => {
    const e = make();
    accepted(buy(e, { broker: '2', price: 395_600, qty: 200 }));
    accepted(sell(e, { cl: 'p1', price: 396_000, qty: 300 }));
    const ev = amend(e, 'p1', 'p2', 300, 395_600);
    assert.deepEqual(
      ev.map((x) => x.kind),
      ['cancelled', 'amended', 'filled', 'filled'],
    );
    const f = only(ev, 'filled')[0]!;
    assert.equal(f.aggressor, true);
    assert.equal(f.clientOrderId, 'p2');
    assert.equal(f.lastQty, 200);
    assert.equal(e.book('700')!.bestOffer(), 395_600);
  });

  it('a partly filled order keeps its executed quantity across the replace', () => {
    const e = make();
    accepted(sell(e, { cl: 'q1', qty: 500 }));
    buy(e, { broker: '2', qty: 200 });
    const ev = amend(e, 'q1', 'q2', 400);
    const m = ev[0] as Extract<EngineEvent, { kind: 'amended' }>;
    assert.deepEqual([m.kind, m.orderQty, m.cumQty, m.leavesQty, m.ordStatus], ['amended', 400, 200, 200, OrdStatus.PartiallyFilled]);
    const up = amend(e, 'q2', 'q3', 1000);
    const m2 = up[1] as Extract<EngineEvent, { kind: 'amended' }>;
    assert.deepEqual([m2.cumQty, m2.leavesQty, m2.ordStatus], [200, 800, OrdStatus.PartiallyFilled]);
    const low = amend(e, 'q3', 'q4', 200);
    assert.equal((low[0] as { amendRejectCode: number }).amendRejectCode, AmendRejectCode.TooLateToAmend, 'not above executed');
  });

  it('rejects: unknown (1), filled (0), duplicate ID (6), bad tick / bad lot / side change (99)', () => {
    const e = make();
    const code = (ev: EngineEvent[]) => {
      assert.equal(ev.length, 1);
      assert.equal(ev[0]!.kind, 'amendRejected');
      assert.equal((ev[0] as OrderEvent).execType, ExecType.AmendReject);
      return (ev[0] as { amendRejectCode: number }).amendRejectCode;
    };
    assert.equal(code(amend(e, 'zz', 'z1', 100)), AmendRejectCode.UnknownOrder);
    sell(e, { cl: 'f1' });
    buy(e, { broker: '2' });
    assert.equal(code(amend(e, 'f1', 'f2', 100)), AmendRejectCode.TooLateToAmend);
    accepted(sell(e, { cl: 'g1' }));
    assert.equal(code(amend(e, 'g1', 'g1', 200)), AmendRejectCode.DuplicateClientOrderId);
    assert.equal(code(amend(e, 'g1', 'g3', 200, 395_900)), AmendRejectCode.Other);
    assert.equal(code(amend(e, 'g1', 'g4', 250)), AmendRejectCode.Other);
    assert.equal(code(amend(e, 'g1', 'g5', 200, undefined, 1)), AmendRejectCode.Other);
    const rej = amend(e, 'g1', 'g6', 0)[0] as Extract<EngineEvent, { kind: 'amendRejected' }>;
    assert.deepEqual([rej.clientOrderId, rej.originalClientOrderId, rej.cause], ['g6', 'g1', 'invalidQuantity']);
    assert.equal(e.liveOrderCount, 1, 'the order is untouched by rejected amends');
  });

  it('Sell ↔ Sell Short is allowed', () => {
    const e = make();
    accepted(sell(e, { cl: 's1' }));
    const ev = amend(e, 's1', 's2', 100, undefined, 5);
    assert.equal(ev[0]!.kind, 'amended');
    assert.equal((ev[0] as OrderEvent).side, 5);
  });

  it('a replacement outside the band: original cancelled with restatement 100, then Y 102 [INF]', () => {
    const e = make();
    const a = accepted(sell(e, { cl: 'r1' }));
    const ev = amend(e, 'r1', 'r2', 100, 3_600_000);
    assert.deepEqual(
      ev.map((x) => x.kind),
      ['cancelled', 'amendRejected'],
    );
    assert.equal((ev[0] as { execRestatementReason?: number }).execRestatementReason, ExecRestatementReason.UnsolicitedCancelOfOriginal);
    assert.equal((ev[1] as { amendRejectCode: number }).amendRejectCode, AmendRejectCode.PriceExceedsCurrentBand);
    assert.equal(e.order(a.orderId), undefined);
  });

  it('after an amend the chain continues from the new Client Order ID only', () => {
    const e = make();
    accepted(sell(e, { cl: 'c1', qty: 300 }));
    amend(e, 'c1', 'c2', 200);
    const old = e.handle({ type: 'cancel', compId: 'C1', brokerId: '1', clientOrderId: 'c3', originalClientOrderId: 'c1', securityId: '700', side: 2 });
    assert.equal(old[0]!.kind, 'cancelRejected');
    const ok = e.handle({ type: 'cancel', compId: 'C1', brokerId: '1', clientOrderId: 'c4', originalClientOrderId: 'c2', securityId: '700', side: 2 });
    assert.equal(ok[0]!.kind, 'cancelled');
  });
});

describe('odd lots (OTP-C)', () => {
  it('rest outside the board-lot book, never auto-match, can be cancelled, cannot be amended', () => {
    const e = make();
    const o = accepted(sell(e, { cl: 'o1', qty: 50, lotType: 1 }));
    assert.equal(o.lotType, 1);
    assert.equal(e.book('700')!.oddLots.size, 1);
    assert.equal(e.book('700')!.bestOffer(), undefined);
    assert.equal(only(buy(e, { broker: '2', qty: 100, lotType: 2 }), 'filled').length, 0);
    const am = e.handle({
      type: 'amend',
      compId: 'C1',
      brokerId: '1',
      clientOrderId: 'o2',
      originalClientOrderId: 'o1',
      securityId: '700',
      side: 2,
      quantity: 100,
    });
    assert.equal(am[0]!.kind, 'amendRejected');
    const c = e.handle({ type: 'cancel', compId: 'C1', brokerId: '1', clientOrderId: 'o3', originalClientOrderId: 'o1', securityId: '700', side: 2 });
    assert.equal(c[0]!.kind, 'cancelled');
    assert.equal(e.book('700')!.oddLots.size, 0);
  });

  it('odd lot rules: Day only, quantity not a board-lot multiple [INF]', () => {
    const e = make();
    assert.equal(rejected(sell(e, { qty: 50, lotType: 1, tif: 3 })).cause, 'unsupportedTif');
    assert.equal(rejected(sell(e, { qty: 200, lotType: 1 })).cause, 'invalidLot');
    accepted(sell(e, { qty: 250, lotType: 1 }));
  });
});

describe('mass cancel (§5.5) and OBO (§5.6)', () => {
  function seed(e: MatchingEngine): void {
    buy(e, { broker: '1', price: 395_000 });
    sell(e, { broker: '1', price: 397_000 });
    buy(e, { broker: '1', sec: '5', price: 50_000, qty: 400 });
    buy(e, { broker: '1', sec: '8001', price: 1_000, qty: 1000 });
    buy(e, { broker: '2', price: 395_000 });
  }
  const mass = (e: MatchingEngine, t: number, extra: Record<string, unknown> = {}) =>
    e.handle({ type: 'massCancel', compId: 'C1', brokerId: '1', clientOrderId: String(++clSeq), massCancelRequestType: t, ...extra });

  it('by security: report first (response 1), then 4s with restatement 103 for the broker only', () => {
    const e = make();
    seed(e);
    const ev = mass(e, MassCancelRequestType.Security, { securityId: '700' });
    assert.equal(ev[0]!.kind, 'massCancelReport');
    const rep = ev[0] as Extract<EngineEvent, { kind: 'massCancelReport' }>;
    assert.equal(rep.massCancelResponse, MassCancelResponse.Security);
    assert.equal(rep.cancelledCount, 2);
    const cx = only(ev, 'cancelled');
    assert.equal(cx.length, 2);
    for (const c of cx) {
      assert.equal(c.execRestatementReason, ExecRestatementReason.MassCancelledByBroker);
      assert.equal(c.brokerId, '1');
      assert.equal(c.securityId, '700');
    }
    assert.equal(e.liveOrderCount, 3);
  });

  it('by side, all, and market segment; unknown segment is rejected with code 8', () => {
    const e = make();
    seed(e);
    const bySide = mass(e, MassCancelRequestType.Security, { securityId: '700', side: 1 });
    assert.equal(only(bySide, 'cancelled').length, 1);
    assert.equal(only(bySide, 'cancelled')[0]!.side, 1);
    const seg = mass(e, MassCancelRequestType.MarketSegment, { marketSegmentId: 'GEM' });
    assert.deepEqual(
      only(seg, 'cancelled').map((c) => c.securityId),
      ['8001'],
    );
    assert.equal((seg[0] as { massCancelResponse: number }).massCancelResponse, MassCancelResponse.MarketSegment);
    const bad = mass(e, MassCancelRequestType.MarketSegment, { marketSegmentId: 'XXX' });
    assert.equal(bad.length, 1);
    assert.deepEqual(
      [(bad[0] as { massCancelResponse: number }).massCancelResponse, (bad[0] as { massCancelRejectCode: number }).massCancelRejectCode],
      [MassCancelResponse.Rejected, MassCancelRejectCode.InvalidMarketSegment],
    );
    const all = mass(e, MassCancelRequestType.All);
    assert.equal(only(all, 'cancelled').length, 2);
    assert.equal((all[0] as { massCancelResponse: number }).massCancelResponse, MassCancelResponse.All);
    assert.equal(e.liveOrderCount, 1, 'broker 2 untouched');
    const unknownSec = mass(e, MassCancelRequestType.Security, { securityId: '1' });
    assert.equal((unknownSec[0] as { massCancelResponse: number }).massCancelResponse, MassCancelResponse.Rejected);
  });

  it('OBO cancel: owner gets 4 with restatement 101, submitter nothing; wrong owner → X status 8 to submitter', () => {
    const e = make();
    const o = accepted(buy(e, { broker: '2', comp: 'OWNER' }));
    const bad = e.handle({
      type: 'oboCancel',
      compId: 'EMERG',
      brokerId: '1',
      owningBrokerId: '3',
      clientOrderId: 'ob1',
      orderId: o.orderId,
      securityId: '700',
      side: 1,
    });
    assert.equal(bad.length, 1);
    const x = bad[0] as Extract<EngineEvent, { kind: 'cancelRejected' }>;
    assert.deepEqual(
      [x.kind, x.compId, x.ordStatus, x.owningBrokerId, x.cancelRejectCode],
      ['cancelRejected', 'EMERG', OrdStatus.Rejected, '3', CancelRejectCode.UnknownOrder],
    );
    const ok = e.handle({
      type: 'oboCancel',
      compId: 'EMERG',
      brokerId: '1',
      owningBrokerId: '2',
      clientOrderId: 'ob2',
      orderId: o.orderId,
      securityId: '700',
      side: 1,
    });
    assert.equal(ok.length, 1);
    const c = ok[0] as Extract<EngineEvent, { kind: 'cancelled' }>;
    assert.deepEqual(
      [c.kind, c.compId, c.execRestatementReason, c.originalClientOrderId],
      ['cancelled', 'OWNER', ExecRestatementReason.OboSingleCancel, undefined],
    );
    const late = e.handle({
      type: 'oboCancel',
      compId: 'EMERG',
      brokerId: '1',
      owningBrokerId: '2',
      clientOrderId: 'ob3',
      orderId: o.orderId,
      securityId: '700',
      side: 1,
    });
    assert.equal((late[0] as { cancelRejectCode: number }).cancelRejectCode, CancelRejectCode.TooLateToCancel);
  });

  it('OBO mass cancel: report to the submitter naming the owner, 4s with restatement 102 to the owner', () => {
    const e = make();
    seed(e);
    const ev = e.handle({
      type: 'oboMassCancel',
      compId: 'EMERG',
      brokerId: '9',
      owningBrokerId: '2',
      clientOrderId: 'om1',
      massCancelRequestType: MassCancelRequestType.All,
    });
    const rep = ev[0] as Extract<EngineEvent, { kind: 'massCancelReport' }>;
    assert.deepEqual([rep.kind, rep.compId, rep.owningBrokerId, rep.cancelledCount], ['massCancelReport', 'EMERG', '2', 1]);
    const c = only(ev, 'cancelled')[0]!;
    assert.deepEqual([c.brokerId, c.compId, c.execRestatementReason], ['2', 'C2', ExecRestatementReason.OboMassCancel]);
  });
});

describe('cancel on disconnect (§1.6)', () => {
  it("cancels every live order of that session with restatement 104, not the same firm's other session", () => {
    const e = make();
    buy(e, { broker: '1', comp: 'S1', price: 395_000 });
    sell(e, { broker: '1', comp: 'S1', price: 397_000 });
    sell(e, { broker: '1', comp: 'S1', qty: 50, lotType: 1 });
    buy(e, { broker: '1', comp: 'S2', price: 395_000 });
    const ev = e.handle({ type: 'cancelOnDisconnect', compId: 'S1' });
    assert.equal(ev.length, 3);
    for (const c of ev) {
      assert.equal(c.kind, 'cancelled');
      assert.equal((c as { execRestatementReason?: number }).execRestatementReason, ExecRestatementReason.CancelOnDisconnect);
      assert.equal((c as OrderEvent).compId, 'S1');
    }
    assert.equal(e.liveOrderCount, 1);
    assert.deepEqual(e.handle({ type: 'cancelOnDisconnect', compId: 'S1' }), []);
  });
});

describe('end of day', () => {
  it('expires every live order and lets Client Order IDs be reused', () => {
    const e = make();
    accepted(buy(e, { cl: 'd1' }));
    accepted(sell(e, { cl: 'd2', qty: 50, lotType: 1 }));
    const ev = e.handle({ type: 'endOfDay' });
    assert.deepEqual(
      ev.map((x) => [x.kind, (x as OrderEvent).ordStatus]),
      [
        ['expired', OrdStatus.Expired],
        ['expired', OrdStatus.Expired],
      ],
    );
    assert.equal(e.liveOrderCount, 0);
    assert.equal(e.book('700')!.oddLots.size, 0);
    accepted(buy(e, { cl: 'd1' }));
  });
});

describe('China Connect (OTP-CSC, §5.14 — every rule [UNVERIFIED] as to wire codes)', () => {
  const CSC_SECURITIES: SecurityDefinition[] = [
    { securityId: '600000', lotSize: 100, referencePrice: 10_000 },
    { securityId: '000001', lotSize: 100 },
  ];
  // 2026-01-09 02:00 UTC = 10:00 Hong Kong / mainland time, outside the no-cancel windows
  const csc = (quota?: number, at = Date.UTC(2026, 0, 9, 2, 0)) => {
    const clock = new ManualClock(at);
    const e = new MatchingEngine({ profile: OTP_CSC_PROFILE, securities: CSC_SECURITIES, ...(quota !== undefined ? { dailyQuota: quota } : {}) }, clock);
    return { e, clock };
  };
  const o = (x: O): O => ({ sec: '600000', price: 10_000, ...x });

  it('limit orders only, Day only', () => {
    const { e } = csc();
    assert.equal(rejected(buy(e, o({ orderType: 1 }))).cause, 'unsupportedOrderType');
    assert.equal(rejected(buy(e, o({ tif: 3 }))).cause, 'unsupportedTif');
    assert.equal(rejected(buy(e, o({ tif: 4 }))).cause, 'unsupportedTif');
    accepted(buy(e, o({ tif: 0 })));
  });

  it('mainland codes may start with 0 and trade in CNY 0.01 steps [INF]', () => {
    const { e } = csc();
    accepted(buy(e, o({ sec: '000001', price: 10_010 })));
    assert.equal(rejected(buy(e, o({ sec: '000001', price: 10_005 }))).cause, 'invalidPriceTick');
  });

  it('no amendment: Y with 99 amendNotAllowed', () => {
    const { e } = csc();
    accepted(sell(e, o({ cl: 'a1' })));
    const ev = e.handle({
      type: 'amend',
      compId: 'C1',
      brokerId: '1',
      clientOrderId: 'a2',
      originalClientOrderId: 'a1',
      securityId: '600000',
      side: 2,
      quantity: 100,
    });
    assert.equal(ev[0]!.kind, 'amendRejected');
    assert.equal((ev[0] as { amendRejectCode: number }).amendRejectCode, AmendRejectCode.Other);
    assert.equal((ev[0] as { cause: string }).cause, 'amendNotAllowed');
  });

  it('odd lots: buy refused, sell goes into the normal book and trades', () => {
    const { e } = csc();
    assert.equal(rejected(buy(e, o({ qty: 50, lotType: 1 }))).cause, 'oddLotNotAllowed');
    assert.equal(rejected(buy(e, o({ qty: 150 }))).cause, 'invalidLot');
    accepted(sell(e, o({ qty: 50, lotType: 1 })));
    assert.equal(e.book('600000')!.bestOffer(), 10_000);
    const f = only(buy(e, o({ broker: '2', qty: 100 })), 'filled');
    assert.equal(f[0]!.lastQty, 50);
  });

  it('cancels refused in the no-cancel windows 09:20–09:25 and 14:57–15:00 local', () => {
    const { e, clock } = csc(undefined, Date.UTC(2026, 0, 9, 1, 19));
    accepted(buy(e, o({ cl: 'w1' })));
    clock.advance(2 * 60_000); // 09:21 local
    const x = e.handle({ type: 'cancel', compId: 'C1', brokerId: '1', clientOrderId: 'w2', originalClientOrderId: 'w1', securityId: '600000', side: 1 });
    assert.equal(x[0]!.kind, 'cancelRejected');
    assert.equal((x[0] as { cause: string }).cause, 'noCancelWindow');
    assert.equal(e.handle({ type: 'massCancel', compId: 'C1', brokerId: '1', clientOrderId: 'w3', massCancelRequestType: 7 })[0]!.kind, 'massCancelReport');
    assert.equal(e.liveOrderCount, 1);
    clock.advance(4 * 60_000); // 09:25 local: window closed
    assert.equal(
      e.handle({ type: 'cancel', compId: 'C1', brokerId: '1', clientOrderId: 'w4', originalClientOrderId: 'w1', securityId: '600000', side: 1 })[0]!.kind,
      'cancelled',
    );
    accepted(buy(e, o({ cl: 'w5' })));
    clock.advance((5 * 60 + 33) * 60_000); // 14:58 local
    assert.equal(
      e.handle({ type: 'cancel', compId: 'C1', brokerId: '1', clientOrderId: 'w6', originalClientOrderId: 'w5', securityId: '600000', side: 1 })[0]!.kind,
      'cancelRejected',
    );
    // Cancel on disconnect is not a member request: it still cancels [INF]
    assert.equal(e.handle({ type: 'cancelOnDisconnect', compId: 'C1' })[0]!.kind, 'cancelled');
  });

  it('daily quota: buys beyond the balance are rejected; cancels and sell trades give value back', () => {
    const { e } = csc(2_000_000); // room for two buys of 100 × 10.000
    accepted(buy(e, o({ cl: 'q1' })));
    accepted(buy(e, o({ cl: 'q2' })));
    const r = rejected(buy(e, o({ cl: 'q3' })));
    assert.equal(r.cause, 'quotaExceeded');
    assert.equal(e.quotaBalance, 0);
    e.handle({ type: 'cancel', compId: 'C1', brokerId: '1', clientOrderId: 'q4', originalClientOrderId: 'q1', securityId: '600000', side: 1 });
    assert.equal(e.quotaBalance, 1_000_000);
    accepted(sell(e, o({ broker: '2', price: 10_000 }))); // trades with q2: sell value comes back
    assert.equal(e.quotaBalance, 2_000_000);
    accepted(sell(e, o({ broker: '2' })));
    accepted(buy(e, o({ cl: 'q5' })));
    assert.equal(e.quotaBalance, 2_000_000, 'buy filled, its seller was also Northbound');
  });
});

describe('market-data hooks', () => {
  it('onBookChange reports add/modify/delete and onTrade each trade; unsubscribe stops them', () => {
    const e = make();
    const changes: BookChangeEvent[] = [];
    const trades: TradeEvent[] = [];
    const off1 = e.onBookChange((c) => changes.push(c));
    const off2 = e.onTrade((t) => trades.push(t));
    const s = accepted(sell(e, { price: 396_000, qty: 300 }));
    const b = accepted(buy(e, { broker: '2', price: 396_000, qty: 100 }));
    buy(e, { broker: '2', price: 396_000, qty: 200 });
    assert.deepEqual(
      changes.map((c) => [c.action, c.orderId, c.bookSide, c.price, c.quantity]),
      [
        ['add', s.orderId, 2, 396_000, 300],
        ['modify', s.orderId, 2, 396_000, 200],
        ['delete', s.orderId, 2, 396_000, 0],
      ],
    );
    assert.equal(trades.length, 2);
    assert.deepEqual(
      [trades[0]!.buyOrderId, trades[0]!.sellOrderId, trades[0]!.price, trades[0]!.quantity, trades[0]!.aggressorSide],
      [b.orderId, s.orderId, 396_000, 100, 1],
    );
    off1();
    off2();
    sell(e, { price: 396_000 });
    buy(e, { broker: '2', price: 396_000 });
    assert.equal(changes.length, 3);
    assert.equal(trades.length, 2);
  });
});

describe('wire units', () => {
  it('converts OCG Decimals to P3 prices and shares, NaN off the grid', () => {
    assert.equal(priceFromWire(toPrice('395.8')), 395_800);
    assert.equal(priceFromWire(toPrice('0.011')), 11);
    assert.ok(Number.isNaN(priceFromWire(toPrice('0.0005'))));
    assert.equal(priceToWire(395_800), toPrice('395.8'));
    assert.equal(qtyFromWire(toQty(99_999_999)), 99_999_999);
    assert.ok(Number.isNaN(qtyFromWire(toQty('1.5'))));
    assert.equal(qtyToWire(100), toQty(100));
  });

  it('agrees with plain BigInt arithmetic: negatives, off-grid, beyond 2^53 on the wire, cached values under slot collisions', () => {
    const P = 100_000n,
      S = 100_000_000n,
      MAX = BigInt(Number.MAX_SAFE_INTEGER);
    const slow = (raw: bigint, per: bigint) => (raw % per !== 0n ? Number.NaN : raw / per > MAX || raw / per < -MAX ? Number.NaN : Number(raw / per));
    const raws = [
      0n,
      1n,
      -1n,
      100_000n,
      -100_000n,
      39_580_000_000n,
      2n ** 53n - 1n,
      2n ** 53n,
      2n ** 53n + 100_000n,
      -(2n ** 53n),
      2n ** 62n,
      -(2n ** 63n),
      MAX * S,
      (MAX + 1n) * S,
      -(MAX * P),
      123_456_789n * P + 1n,
    ];
    for (const raw of raws) {
      assert.ok(Object.is(priceFromWire(raw), slow(raw, P)) || (Number.isNaN(priceFromWire(raw)) && Number.isNaN(slow(raw, P))), `price ${raw}`);
      assert.ok(Object.is(qtyFromWire(raw), slow(raw, S)) || (Number.isNaN(qtyFromWire(raw)) && Number.isNaN(slow(raw, S))), `qty ${raw}`);
    }
    // 1024 slots: values 1024 apart share a slot; every answer must still be its own.
    for (let round = 0; round < 3; round++) {
      for (let k = -5; k < 5000; k += 1023) {
        assert.equal(priceToWire(k), BigInt(k) * P, `price ${k}`);
        assert.equal(qtyToWire(k * 100), BigInt(k * 100) * S, `qty ${k * 100}`);
      }
    }
    assert.throws(() => priceToWire(1.5), RangeError);
    assert.throws(() => qtyToWire(Number.NaN), RangeError);
  });
});

// ---------------------------------------------------------------------------------------------
// Determinism / replay

/** The project's seeded mulberry32 (src/omd SeededRandom) as a () => [0, 1) function. */
function rng(seed: number): () => number {
  const r = new SeededRandom(seed);
  return () => r.next();
}

function randomRequests(n: number, seed: number): EngineRequest[] {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const brokers = ['1', '2', '3'];
  const comps: Record<string, string[]> = { 1: ['A1', 'A2'], 2: ['B1'], 3: ['C1'] };
  const used: { broker: string; cl: string; sec: string; side: number }[] = [];
  let cl = 0;
  const out: EngineRequest[] = [];
  const secs = [
    { id: '700', lot: 100, mid: 395_800, tick: 200 },
    { id: '5', lot: 400, mid: 50_000, tick: 50 },
  ];
  for (let i = 0; i < n; i++) {
    const x = r();
    const broker = pick(brokers);
    const compId = pick(comps[broker]!);
    if (x < 0.55 || used.length === 0) {
      const s = pick(secs);
      const side = pick([1, 1, 2, 2, 5]);
      const price = s.mid + (Math.floor(r() * 11) - 5) * s.tick + (r() < 0.02 ? 1 : 0);
      const lots = 1 + Math.floor(r() * 8);
      const qty = r() < 0.03 ? lots * s.lot + 1 : lots * s.lot;
      const req: EngineNewOrderRequest = {
        type: 'new',
        compId,
        brokerId: broker,
        clientOrderId: r() < 0.02 && used.length > 0 ? pick(used).cl : String(++cl),
        securityId: r() < 0.01 ? 'nope' : s.id,
        side,
        orderType: 2,
        price,
        quantity: qty,
      };
      const t = r();
      if (t < 0.1) req.tif = 3;
      else if (t < 0.15) req.tif = 4;
      out.push(req);
      used.push({ broker, cl: req.clientOrderId, sec: req.securityId, side });
    } else if (x < 0.75) {
      const u = pick(used);
      out.push({ type: 'cancel', compId, brokerId: u.broker, clientOrderId: String(++cl), originalClientOrderId: u.cl, securityId: u.sec, side: u.side });
    } else if (x < 0.93) {
      const u = pick(used);
      const s = secs.find((q) => q.id === u.sec) ?? secs[0]!;
      const req: EngineRequest = {
        type: 'amend',
        compId,
        brokerId: u.broker,
        clientOrderId: String(++cl),
        originalClientOrderId: u.cl,
        securityId: u.sec,
        side: u.side,
        quantity: (1 + Math.floor(r() * 8)) * s.lot,
      };
      if (r() < 0.5) req.price = s.mid + (Math.floor(r() * 11) - 5) * s.tick;
      out.push(req);
      used.push({ broker: u.broker, cl: req.clientOrderId, sec: u.sec, side: u.side });
    } else if (x < 0.96) {
      out.push({
        type: 'massCancel',
        compId,
        brokerId: broker,
        clientOrderId: String(++cl),
        massCancelRequestType: pick([1, 7]),
        securityId: pick(secs).id,
        ...(r() < 0.5 ? { side: pick([1, 2]) } : {}),
      });
    } else if (x < 0.98) {
      out.push({
        type: 'oboCancel',
        compId,
        brokerId: broker,
        owningBrokerId: pick(brokers),
        clientOrderId: String(++cl),
        orderId: String(1 + Math.floor(r() * Math.max(1, cl))),
        securityId: pick(secs).id,
        side: pick([1, 2]),
      });
    } else {
      out.push({ type: 'cancelOnDisconnect', compId });
    }
  }
  return out;
}

/** Structural invariants after every command: no crossed book, quantities consistent. */
function checkInvariants(e: MatchingEngine): void {
  for (const id of ['700', '5']) {
    const b = e.book(id)!;
    const bid = b.bestBid();
    const ask = b.bestOffer();
    if (bid !== undefined && ask !== undefined) assert.ok(bid < ask, `crossed book ${id}: ${bid} >= ${ask}`);
    for (const side of [b.bids, b.offers]) {
      for (const l of side.levels) {
        let q = 0;
        let n = 0;
        let prio = 0;
        for (let o = l.head; o !== null; o = o.next) {
          q += o.leavesQty;
          n++;
          assert.ok(o.priority > prio, 'FIFO by priority');
          prio = o.priority;
        }
        assert.equal(l.quantity, q);
        assert.equal(l.count, n);
      }
    }
  }
  for (const o of e.exportState().orders) {
    assert.equal(o.orderQty, o.cumQty + o.leavesQty);
    assert.ok(o.leavesQty > 0);
  }
}

describe('determinism and replay (hot standby)', () => {
  it('5,000 random commands applied on A, replayed on B: identical events and exportState()', () => {
    const clock = new ManualClock();
    const a = make({}, clock);
    const journal: EngineCommand[] = [];
    a.onCommand((c) => journal.push(structuredClone(c)));
    const eventsA: EngineEvent[][] = [];
    const reqs = randomRequests(5000, 42);
    const kinds = new Set<string>();
    let i = 0;
    for (const req of reqs) {
      clock.advance(1 + (i++ % 3));
      const ev = a.handle(req);
      for (const x of ev) kinds.add(x.kind === 'rejected' ? `rejected:${x.cause}` : x.kind);
      eventsA.push(ev);
      if (i % 250 === 0) checkInvariants(a);
    }
    checkInvariants(a);
    // The random mix exercises every path, or this test proves little
    for (const k of [
      'accepted',
      'filled',
      'cancelled',
      'amended',
      'expired',
      'amendRejected',
      'cancelRejected',
      'massCancelReport',
      'rejected:invalidPriceTick',
      'rejected:invalidLot',
      'rejected:unknownSecurity',
      'rejected:duplicateClientOrderId',
    ]) {
      assert.ok(kinds.has(k), `random mix produced no ${k}`);
    }
    const b = make({}, new ManualClock(0)); // a different clock: apply must not read it
    const eventsB = journal.map((c) => b.apply(c));
    assert.deepEqual(eventsB, eventsA);
    assert.deepEqual(b.exportState(), a.exportState());
    assert.ok(a.exportState().orders.length > 0);
  });

  it('restore() from a JSON snapshot mid-stream, then the rest of the journal: same state as the primary', () => {
    const clock = new ManualClock();
    const a = make({}, clock);
    const journal: EngineCommand[] = [];
    a.onCommand((c) => journal.push(c));
    const reqs = randomRequests(3000, 7);
    let snapshot = '';
    reqs.forEach((req, i) => {
      clock.advance(5);
      a.handle(req);
      if (i === 1499) snapshot = JSON.stringify(a.exportState());
    });
    const parsed = JSON.parse(snapshot);
    const c = MatchingEngine.restore(parsed, { profile: OTP_C_PROFILE, securities: SECURITIES }, new ManualClock());
    assert.deepEqual(c.exportState(), parsed, 'restore then export is the identity');
    for (const cmd of journal.slice(1500)) c.apply(cmd);
    checkInvariants(c);
    assert.deepEqual(c.exportState(), a.exportState());
  });

  it('exportState() is plain JSON (round-trips unchanged)', () => {
    const e = make();
    buy(e, { price: 395_000 });
    sell(e, { price: 397_000 });
    e.handle({ ...newOrder({ price: 395_000 }), echo: { text: 'hello', orderCapacity: 1, brokerLocationId: '12' } });
    const s = e.exportState();
    assert.deepEqual(JSON.parse(JSON.stringify(s)), s);
    assert.equal(s.orders.length, 3);
    assert.deepEqual(s.orders[2]!.echo, { text: 'hello', orderCapacity: 1, brokerLocationId: '12' });
  });

  it('restore() rejects an unknown version or an unknown security', () => {
    const e = make();
    buy(e);
    const s = e.exportState();
    assert.throws(() => MatchingEngine.restore({ ...s, version: 2 as 1 }, { profile: OTP_C_PROFILE, securities: SECURITIES }, new ManualClock()));
    assert.throws(() => MatchingEngine.restore(s, { profile: OTP_C_PROFILE, securities: [] }, new ManualClock()));
  });

  it('an unknown command type from a foreign journal is ignored', () => {
    const e = make();
    const before = e.exportState();
    assert.deepEqual(e.apply({ type: 'bogus', at: 0 } as unknown as EngineCommand), []);
    assert.deepEqual(e.exportState(), before);
  });
});

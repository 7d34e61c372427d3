// The matching engine through the phases of the day (src/venue/market-phases.ts): what each phase
// accepts, the auctions, halts, VCM, and the market events the feed publishes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MatchingEngine } from '../../src/venue/index.ts';
import type { MarketEvent, SecurityDefinition, TradeEvent } from '../../src/venue/index.ts';
import type { EngineEvent, OrderEvent, EngineNewOrderRequest as NewOrderRequest } from '../../src/ocg/index.ts';
import { PHASE_RULES, planSession } from '../../src/venue/index.ts';
import type { MarketPhase } from '../../src/venue/index.ts';
import { ExecRestatementReason, ExecType, OrdRejReason, OTP_C_PROFILE } from '../../src/ocg/index.ts';
import { ManualClock } from '../../src/wire/index.ts';

const SECURITIES: SecurityDefinition[] = [
  { securityId: '700', lotSize: 100, referencePrice: 400_000 },
  { securityId: '5', lotSize: 400, referencePrice: 64_350 },
];

function setup(initialPhase: MarketPhase = 'not-open') {
  const clock = new ManualClock();
  const engine = new MatchingEngine(
    { profile: OTP_C_PROFILE, securities: SECURITIES, initialPhase, vcm: { bandPercent: 10, coolingOffMs: 300_000, lookbackMs: 300_000 } },
    clock,
  );
  const market: MarketEvent[] = [];
  const trades: TradeEvent[] = [];
  engine.onMarket((e) => market.push(e));
  engine.onTrade((t) => trades.push(t));
  return { clock, engine, market, trades };
}

let cl = 0;
function order(side: number, qty: number, price?: number, extra: Partial<NewOrderRequest> = {}): NewOrderRequest {
  const r: NewOrderRequest = {
    type: 'new',
    compId: 'C1',
    brokerId: '1',
    clientOrderId: String(++cl),
    securityId: '700',
    side,
    orderType: price === undefined ? 1 : 2,
    quantity: qty,
    ...extra,
  };
  if (price !== undefined) r.price = price;
  return r;
}
/** The order event at `i` (every event these tests look into is one). */
function ev(events: EngineEvent[], i = 0): OrderEvent {
  const e = events[i];
  if (e === undefined || e.kind === 'massCancelReport') throw new Error(`no order event at ${i}`);
  return e;
}
function kinds(events: EngineEvent[]): string[] {
  return events.map((e) => e.kind);
}
function rejectOf(events: EngineEvent[]) {
  assert.equal(events.length, 1);
  const r = events[0]!;
  if (r.kind !== 'rejected') throw new Error(`expected a reject, got ${r.kind}`);
  return r;
}
function ofKind<K extends MarketEvent['kind']>(events: MarketEvent[], kind: K): Extract<MarketEvent, { kind: K }>[] {
  return events.filter((e): e is Extract<MarketEvent, { kind: K }> => e.kind === kind);
}

describe('planSession', () => {
  it('times the pre-opening sub-periods, divided by the acceleration', () => {
    const plan = planSession('pre-open', 1_000_000);
    assert.equal(plan.length, 5);
    assert.deepEqual(
      plan.map((p) => [p.phase, (p.at - 1_000_000) / 60_000]),
      [
        ['pos-order-input', 0],
        ['pos-no-cancel', 15],
        ['pos-random-matching', 20],
        ['pos-matching', 22],
        ['pos-blocking', 22],
      ],
    );
    const fast = planSession('closing-auction', 0, 60);
    assert.equal(fast.length, 6);
    assert.deepEqual(
      fast.map((p) => p.at),
      [0, 1_000, 6_000, 8_000, 10_000, 10_000],
    );
    assert.throws(() => planSession('pre-open', 0, 0), /accelerate/);
  });

  it('maps every phase to the OMD-C Trading Session Status codes', () => {
    assert.deepEqual([PHASE_RULES['pos-no-cancel'].subId, PHASE_RULES['pos-no-cancel'].status], [101, 20]);
    assert.deepEqual([PHASE_RULES['cas-random-close'].subId, PHASE_RULES['cas-random-close'].status], [107, 40]);
    assert.deepEqual([PHASE_RULES['halted'].subId, PHASE_RULES['halted'].status], [102, 10]);
    assert.deepEqual([PHASE_RULES['day-closed'].subId, PHASE_RULES['day-closed'].status], [0, 100]);
  });
});

describe('pre-opening session', () => {
  it('takes no order before the market opens', () => {
    const { engine } = setup();
    const r = rejectOf(engine.handle(order(1, 100, 400_000)));
    assert.equal(r.ordRejReason, OrdRejReason.Other);
    assert.equal(r.cause, 'phaseNoInput');
  });

  it('collects at-auction and at-auction limit orders, publishes the IEP as they arrive, and matches at the end', () => {
    const { engine, market, trades } = setup();
    engine.handle({ type: 'phase', phase: 'pos-order-input' });
    assert.deepEqual(
      ofKind(market, 'phase').map((p) => [p.previous, p.phase]),
      [['not-open', 'pos-order-input']],
    );
    // IOC has no place in an auction; a price beyond ±15% of the previous close is refused
    assert.equal(rejectOf(engine.handle(order(1, 100, 400_000, { tif: 3 }))).cause, 'unsupportedTif');
    assert.equal(rejectOf(engine.handle(order(1, 100, 470_000))).ordRejReason, OrdRejReason.PriceExceedsCurrentPriceBand);

    const mb = engine.handle(order(1, 200)); // at-auction buy 200
    assert.deepEqual(kinds(mb), ['accepted']);
    assert.equal(ofKind(market, 'iep').length, 0, 'no IEP with one side only');
    engine.handle(order(2, 300, 399_800)); // sell 300 @ 399.8
    let iep = ofKind(market, 'iep');
    assert.equal(iep.length, 1);
    assert.deepEqual({ ...iep[0]! }, { kind: 'iep', securityId: '700', price: 399_800, volume: 200, imbalanceDirection: 'S', imbalanceQuantity: 100 });
    const lb = engine.handle(order(1, 200, 400_200)); // limit buy 200 @ 400.2
    iep = ofKind(market, 'iep');
    assert.equal(iep.length, 2);
    // 399.8: buy 400 sell 300 → 300; 400.2: buy 400 sell 300 → 300; imbalance equal; nearer 400.0: both 0.2 → higher
    assert.deepEqual([iep[1]!.price, iep[1]!.volume, iep[1]!.imbalanceDirection, iep[1]!.imbalanceQuantity], [400_200, 300, 'B', 100]);
    // Cancels are still accepted in order input
    const extra = engine.handle(order(2, 100, 401_000));
    const extraId = ev(extra).orderId;
    assert.deepEqual(
      kinds(
        engine.handle({
          type: 'cancel',
          compId: 'C1',
          brokerId: '1',
          clientOrderId: String(++cl),
          originalClientOrderId: ev(extra).clientOrderId,
          orderId: extraId,
          securityId: '700',
          side: 2,
        }),
      ),
      ['cancelled'],
    );

    // No Cancellation: the reference price with the limits, and cancels refused
    engine.handle({ type: 'phase', phase: 'pos-no-cancel' });
    const refs = ofKind(market, 'referencePrice').filter((r) => r.securityId === '700');
    assert.equal(refs.length, 1);
    assert.deepEqual([refs[0]!.reference, refs[0]!.lower, refs[0]!.upper], [400_000, 399_800, 400_200]);
    const c = engine.handle({
      type: 'cancel',
      compId: 'C1',
      brokerId: '1',
      clientOrderId: String(++cl),
      originalClientOrderId: ev(lb).clientOrderId,
      securityId: '700',
      side: 1,
    });
    assert.deepEqual(kinds(c), ['cancelRejected']);
    assert.equal(c[0]!.kind === 'cancelRejected' && c[0]!.cause, 'phaseNoCancel');
    // A limit sell below the Lower price is refused
    assert.equal(rejectOf(engine.handle(order(2, 100, 399_600))).ordRejReason, OrdRejReason.PriceExceedsCurrentPriceBand);

    // Order matching: at-auction buy first, then the limit buy; all at the IEP
    const before = trades.length;
    engine.handle({ type: 'phase', phase: 'pos-random-matching' });
    engine.handle({ type: 'phase', phase: 'pos-matching' });
    const auctionTrades = trades.slice(before);
    assert.equal(auctionTrades.length, 2);
    assert.deepEqual(
      auctionTrades.map((t) => [t.price, t.quantity, t.auction, t.aggressorSide]),
      [
        [400_200, 200, true, 0],
        [400_200, 100, true, 0],
      ],
    );
    assert.equal(auctionTrades[0]!.buyOrderId, ev(mb).orderId);
    assert.equal(auctionTrades[1]!.buyOrderId, ev(lb).orderId);
    const noIep = ofKind(market, 'iep').at(-1)!;
    assert.deepEqual([noIep.price, noIep.imbalanceDirection], [0, '']);

    // Blocking: prices reset, no input; the limit buy's remainder is carried into continuous trading
    engine.handle({ type: 'phase', phase: 'pos-blocking' });
    const reset = ofKind(market, 'referencePrice')
      .filter((r) => r.securityId === '700')
      .at(-1)!;
    assert.deepEqual([reset.reference, reset.lower, reset.upper], [0, 0, 0]);
    assert.equal(rejectOf(engine.handle(order(1, 100, 400_000))).cause, 'phaseNoInput');
    engine.handle({ type: 'phase', phase: 'continuous' });
    assert.equal(engine.book('700')!.bids.orderCount, 1);
    assert.equal(engine.order(ev(lb).orderId)!.leavesQty, 100);
  });

  it('expires at-auction orders the auction did not fill, also when continuous trading comes early', () => {
    const { engine, trades } = setup();
    engine.handle({ type: 'phase', phase: 'pos-order-input' });
    const mb = engine.handle(order(1, 500)); // at-auction buy 500, only 100 to sell
    engine.handle(order(2, 100, 400_000));
    const events = engine.apply({ type: 'phase', phase: 'continuous', at: 1 }); // straight to CT: the auction matches first
    assert.equal(trades.length, 1);
    assert.deepEqual([trades[0]!.price, trades[0]!.quantity], [400_000, 100]);
    const exp = events.filter((e) => e.kind === 'expired');
    assert.equal(exp.length, 1);
    assert.equal(ev(exp).orderId, ev(mb).orderId);
    assert.equal(engine.book('700')!.bids.orderCount, 0);
  });
});

describe('continuous trading', () => {
  it('refuses at-auction orders and At Crossing', () => {
    const { engine } = setup('continuous');
    assert.equal(rejectOf(engine.handle(order(1, 100))).cause, 'unsupportedOrderType');
    assert.equal(rejectOf(engine.handle(order(1, 100, 400_000, { tif: 9 }))).cause, 'unsupportedTif');
  });

  it('starts a VCM cooling-off on a move beyond the band, and trades only inside the band during it', () => {
    const { engine, clock, market, trades } = setup('continuous');
    engine.handle(order(2, 100, 400_000));
    engine.handle(order(1, 100, 400_000)); // trade at 400.0: the VCM reference once it is 5 minutes old
    clock.advance(300_000);
    engine.handle(order(2, 100, 430_000));
    engine.handle(order(2, 100, 450_000));
    const sweep = engine.handle(order(1, 200, 450_000)); // 430 is inside +10% (440), 450 is not
    assert.equal(trades.length, 2);
    assert.equal(trades[1]!.price, 430_000);
    const vcm = ofKind(market, 'vcm');
    assert.equal(vcm.length, 1);
    assert.deepEqual(
      { ...vcm[0]! },
      { kind: 'vcm', securityId: '700', start: clock.now(), end: clock.now() + 300_000, reference: 400_000, lower: 360_000, upper: 440_000 },
    );
    const cancelled = sweep.filter((e) => e.kind === 'cancelled');
    assert.equal(cancelled.length, 1);
    assert.equal(cancelled[0]!.kind === 'cancelled' && cancelled[0]!.execRestatementReason, ExecRestatementReason.CancelOnTradingHaltOrVcm);
    // During the cooling-off: outside the band refused (16), inside accepted
    assert.equal(rejectOf(engine.handle(order(1, 100, 441_000))).ordRejReason, OrdRejReason.PriceExceedsCurrentPriceBand);
    assert.deepEqual(kinds(engine.handle(order(1, 100, 440_000))), ['accepted']);
    // After it the band is gone (the resting 450 offer is inside 10% of 430 five minutes later)
    clock.advance(300_000);
    assert.deepEqual(kinds(engine.handle(order(1, 100, 450_000))).filter((k) => k === 'filled').length, 2);
  });
});

describe('halt and resume of one security', () => {
  it('refuses new orders and amends while halted, still lets orders be cancelled', () => {
    const { engine, market } = setup('continuous');
    const rest = engine.handle(order(1, 100, 399_000));
    engine.handle({ type: 'securityStatus', securityId: '700', halted: true });
    engine.handle({ type: 'securityStatus', securityId: '700', halted: true }); // no change, no event
    assert.deepEqual(
      ofKind(market, 'securityStatus').map((s) => s.halted),
      [true],
    );
    assert.equal(engine.isHalted('700'), true);
    assert.equal(rejectOf(engine.handle(order(1, 100, 399_000))).cause, 'securityHalted');
    assert.deepEqual(kinds(engine.handle(order(1, 400, 64_350, { securityId: '5' }))), ['accepted'], 'other securities trade on');
    const c = engine.handle({
      type: 'cancel',
      compId: 'C1',
      brokerId: '1',
      clientOrderId: String(++cl),
      originalClientOrderId: ev(rest).clientOrderId,
      securityId: '700',
      side: 1,
    });
    assert.deepEqual(kinds(c), ['cancelled']);
    engine.handle({ type: 'securityStatus', securityId: '700', halted: false });
    assert.deepEqual(
      ofKind(market, 'securityStatus').map((s) => s.halted),
      [true, false],
    );
    assert.deepEqual(kinds(engine.handle(order(1, 100, 399_000))), ['accepted']);
  });
});

describe('closing auction session', () => {
  it('publishes the reference price band, matches at the close and gives closing prices', () => {
    const { engine, market, trades } = setup('continuous');
    engine.handle(order(2, 100, 401_000));
    engine.handle(order(1, 100, 401_000)); // last trade 401.0
    engine.handle(order(1, 300, 400_000)); // resting bid carried into CAS
    engine.handle({ type: 'phase', phase: 'cas-reference-price' });
    const ref = ofKind(market, 'referencePrice').filter((r) => r.securityId === '700');
    assert.equal(ref.length, 1);
    assert.deepEqual([ref[0]!.reference, ref[0]!.lower, ref[0]!.upper], [401_000, 380_950, 421_050]);
    assert.equal(rejectOf(engine.handle(order(1, 100, 400_000))).cause, 'phaseNoInput');
    engine.handle({ type: 'phase', phase: 'cas-order-input' });
    assert.equal(rejectOf(engine.handle(order(1, 100, 422_000))).ordRejReason, OrdRejReason.PriceExceedsCurrentPriceBand);
    engine.handle(order(2, 200)); // at-auction sell 200
    const iep = ofKind(market, 'iep').at(-1)!;
    assert.deepEqual([iep.price, iep.volume, iep.imbalanceDirection, iep.imbalanceQuantity], [400_000, 200, 'B', 100]);
    engine.handle({ type: 'phase', phase: 'cas-no-cancel' });
    engine.handle({ type: 'phase', phase: 'cas-random-close' });
    const before = trades.length;
    engine.handle({ type: 'phase', phase: 'cas-matching' });
    assert.equal(trades.length, before + 1);
    assert.deepEqual([trades.at(-1)!.price, trades.at(-1)!.quantity, trades.at(-1)!.auction], [400_000, 200, true]);
    engine.handle({ type: 'phase', phase: 'closed' });
    const close = ofKind(market, 'closingPrice');
    assert.equal(close.length, 2);
    assert.deepEqual(
      close.map((c) => [c.securityId, c.price, c.trades]),
      [
        ['700', 400_000, 2],
        ['5', 0, 0],
      ],
    );
    assert.equal(rejectOf(engine.handle(order(1, 100, 400_000))).cause, 'phaseNoInput');
  });

  it('refuses CAS orders when the security has no reference price (19)', () => {
    const clock = new ManualClock();
    const engine = new MatchingEngine({ profile: OTP_C_PROFILE, securities: [{ securityId: '9', lotSize: 100 }], initialPhase: 'cas-order-input' }, clock);
    const r = rejectOf(engine.handle(order(1, 100, 10_000, { securityId: '9' })));
    assert.equal(r.ordRejReason, OrdRejReason.ReferencePriceNotAvailable);
    assert.equal(r.execType, ExecType.Reject);
  });
});

describe('hot standby', () => {
  it('a restored engine is in the same phase with the same halts and auction book', () => {
    const { engine, clock } = setup();
    engine.handle({ type: 'phase', phase: 'pos-order-input' });
    engine.handle(order(1, 200));
    engine.handle({ type: 'securityStatus', securityId: '5', halted: true });
    const copy = MatchingEngine.restore(JSON.parse(JSON.stringify(engine.exportState())), { profile: OTP_C_PROFILE, securities: SECURITIES }, clock);
    assert.equal(copy.phase, 'pos-order-input');
    assert.equal(copy.isHalted('5'), true);
    assert.equal(copy.book('700')!.bids.orderCount, 1);
    assert.deepEqual(kinds(copy.handle(order(2, 100, 400_000))), ['accepted'], 'collects, does not match');
    assert.equal(copy.equilibrium('700')!.volume, 100);
  });
});

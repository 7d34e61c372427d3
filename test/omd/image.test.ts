import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AggregateBookView,
  MarketImage,
  SPREAD_TABLE_PART_A,
  moveTicks,
  roundDownToTick,
  ticksBetween,
  isOnTick,
  spreadTableFor,
  type AggregateBookEntry,
  type OmdMessage,
  type TrueLevel,
} from '../../src/omd/index.ts';

const T = SPREAD_TABLE_PART_A;
const e = (side: number, priceLevel: number, updateAction: number, price: number, qty = 1000n, orders = 1): AggregateBookEntry => ({
  aggregateQuantity: qty,
  price,
  numberOfOrders: orders,
  side,
  priceLevel,
  updateAction,
});
const agg = (securityCode: number, ...entries: AggregateBookEntry[]): OmdMessage => ({ msgType: 53, securityCode, entries });
const prices = (img: MarketImage, code: number, side: 0 | 1) => img.book(code, side).map((l) => l.price);

describe('spread table (SEHK Part A, §12 U15)', () => {
  it('counts ticks across band boundaries', () => {
    assert.equal(ticksBetween(T, 9_990, 10_020), 2); // 9.99 → 10.00 → 10.02
    assert.equal(ticksBetween(T, 9_750, 9_850), 10);
    assert.equal(ticksBetween(T, 385_200, 385_000), 1); // 200-500 by 0.2
    assert.equal(moveTicks(T, 9_990, 2), 10_020);
    assert.equal(moveTicks(T, 10_020, -2), 9_990);
    assert.equal(moveTicks(T, 100_000, 1), 100_100);
    assert.equal(moveTicks(T, 100_000, -1), 99_950);
  });
  it('rounds to the grid and validates prices', () => {
    assert.equal(roundDownToTick(T, 385_300), 385_200);
    assert.ok(isOnTick(T, 385_200));
    assert.ok(!isOnTick(T, 385_300));
    assert.ok(isOnTick(T, 10));
    assert.ok(!isOnTick(T, 9_995_001));
  });
  it('maps every SpreadTableCode to Part A for now (documented doubt: Parts B/D/E and the 2025 reduction are not modelled)', () => {
    assert.equal(spreadTableFor('03'), T);
    assert.equal(spreadTableFor('01').code, '01');
  });
});

describe('MarketImage aggregate book (OMD-C §6)', () => {
  it('New inserts at PriceLevel shifting down, and truncates beyond 10 levels', () => {
    const img = new MarketImage();
    for (let i = 0; i < 10; i++) img.apply(agg(5, e(1, i + 1, 0, 61_500 + i * 50)));
    assert.equal(img.book(5, 1).length, 10);
    img.apply(agg(5, e(1, 1, 0, 61_450)));
    const p = prices(img, 5, 1);
    assert.equal(p.length, 10);
    assert.equal(p[0], 61_450);
    assert.equal(p[9], 61_500 + 8 * 50); // the old level 10 was dropped silently
  });
  it('Change replaces quantity and orders, Delete shifts up, entries apply in order', () => {
    const img = new MarketImage();
    img.apply(agg(5, e(0, 1, 0, 61_500, 20_000n, 3), e(0, 2, 0, 61_450), e(0, 3, 0, 61_400), e(1, 1, 0, 61_550, 8000n, 1)));
    img.apply(agg(5, e(0, 2, 1, 61_450, 5000n, 2), e(0, 1, 2, 61_500), e(0, 1, 1, 61_450, 6000n, 3)));
    assert.deepEqual(img.book(5, 0), [
      { price: 61_450, quantity: 6000n, orders: 3 },
      { price: 61_400, quantity: 1000n, orders: 1 },
    ]);
    assert.deepEqual(img.book(5, 1), [{ price: 61_550, quantity: 8000n, orders: 1 }]);
    assert.equal(img.anomalies.badPriceLevel, 0);
  });
  it('Orderbook Clear (74) empties both sides; the book is re-sent as New', () => {
    const img = new MarketImage();
    img.apply(agg(5, e(0, 1, 0, 61_500), e(1, 1, 0, 61_550)));
    img.apply(agg(5, e(0, 0, 74, 0, 0n, 0), e(1, 1, 0, 61_600)));
    assert.deepEqual(prices(img, 5, 0), []);
    assert.deepEqual(prices(img, 5, 1), [61_600]);
  });
  it('counts impossible PriceLevels instead of corrupting the book', () => {
    const img = new MarketImage();
    img.apply(agg(5, e(0, 3, 0, 61_500), e(0, 1, 1, 61_500), e(0, 1, 2, 61_500), e(7, 1, 0, 1)));
    assert.deepEqual(img.book(5, 0), []);
    assert.equal(img.anomalies.badPriceLevel, 4);
  });
  it('keeps 2,000 books apart (pool growth)', () => {
    const img = new MarketImage();
    for (let c = 1; c <= 2000; c++) img.apply(agg(c, e(0, 1, 0, c * 10), e(1, 1, 0, c * 10 + 10)));
    assert.deepEqual(prices(img, 1, 0), [10]);
    assert.deepEqual(prices(img, 1999, 1), [20_000]);
    assert.equal(img.securities().length, 2000);
  });
});

describe('MarketImage order-level books (30/31/32, 33/34)', () => {
  it('adds, modifies and deletes full-tick orders by OrderId', () => {
    const img = new MarketImage();
    img.apply({ msgType: 30, securityCode: 700, orderId: 123456789012n, price: 385_200, quantity: 1000, side: 0, orderType: '2', orderBookPosition: 0 });
    img.apply({ msgType: 30, securityCode: 700, orderId: 2n ** 60n, price: 385_400, quantity: 500, side: 1, orderType: '2', orderBookPosition: 0 });
    img.apply({ msgType: 31, securityCode: 700, orderId: 123456789012n, quantity: 600, side: 0, orderBookPosition: 0 });
    assert.deepEqual(
      img.orders(700).map((o) => [o.orderId, o.quantity]),
      [
        [123456789012n, 600],
        [2n ** 60n, 500],
      ],
    );
    img.apply({ msgType: 32, securityCode: 700, orderId: 123456789012n, side: 0 });
    img.apply({ msgType: 32, securityCode: 700, orderId: 99n, side: 0 });
    assert.equal(img.orders(700).length, 1);
    assert.equal(img.anomalies.unknownOrder, 1);
  });
  it('keeps odd-lot orders with their broker apart from board-lot orders', () => {
    const img = new MarketImage();
    img.apply({ msgType: 33, securityCode: 5, orderId: 1n, price: 61_500, quantity: 37, brokerId: 4321, side: 1 });
    img.apply({ msgType: 30, securityCode: 5, orderId: 1n, price: 61_500, quantity: 400, side: 1, orderType: '2', orderBookPosition: 0 });
    assert.equal(img.oddLotOrders(5)[0]!.brokerId, 4321);
    img.apply({ msgType: 34, securityCode: 5, orderId: 1n, brokerId: 4321, side: 1 });
    assert.equal(img.oddLotOrders(5).length, 0);
    assert.equal(img.orders(5).length, 1);
  });
});

describe('MarketImage order store (index + arrival lists)', () => {
  it('agrees with a Map model through 40,000 random adds, modifies and deletes over 50 securities', () => {
    let seed = 777;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const img = new MarketImage();
    const model = new Map<string, { orderId: bigint; price: number; quantity: number; side: number; brokerId: number; sec: number }>();
    const live: string[] = [];
    let nextId = 1n;
    for (let step = 0; step < 40_000; step++) {
      const r = rnd(10);
      if (r < 5 || live.length === 0) {
        const sec = 1 + rnd(50);
        // Same OrderIds in different securities, and ids beyond 2^32 and 2^53.
        const orderId = rnd(4) === 0 ? nextId : (nextId << BigInt(rnd(40))) + 7n;
        nextId++;
        const key = `${sec}/${orderId}`;
        if (model.has(key)) continue;
        const o = { orderId, price: 1000 + rnd(100), quantity: 100 * (1 + rnd(9)), side: rnd(2), brokerId: 0, sec };
        model.set(key, o);
        live.push(key);
        img.apply({ msgType: 30, securityCode: sec, orderId, price: o.price, quantity: o.quantity, side: o.side, orderType: '2', orderBookPosition: 0 });
      } else {
        const i = rnd(live.length);
        const key = live[i]!;
        const o = model.get(key)!;
        if (r < 7) {
          o.quantity = 100 * (1 + rnd(9));
          img.apply({ msgType: 31, securityCode: o.sec, orderId: o.orderId, quantity: o.quantity, side: o.side, orderBookPosition: 0 });
        } else {
          model.delete(key);
          live[i] = live[live.length - 1]!;
          live.pop();
          img.apply({ msgType: 32, securityCode: o.sec, orderId: o.orderId, side: o.side });
        }
      }
    }
    assert.equal(img.anomalies.unknownOrder, 0);
    for (let sec = 1; sec <= 50; sec++) {
      const want = [...model.values()].filter((o) => o.sec === sec).map(({ sec: _s, ...o }) => o);
      assert.deepEqual(img.orders(sec), want, `security ${sec} in arrival order`);
    }
    const copy = img.clone();
    img.apply({ msgType: 32, securityCode: 1, orderId: img.orders(1)[0]!.orderId, side: 0 });
    assert.equal(copy.orders(1).length, img.orders(1).length + 1, 'clone() is independent');
  });
});

describe('MarketImage broker queue, prices, index, Stock Connect, China Connect', () => {
  it('replaces a broker queue side, never merges', () => {
    const img = new MarketImage();
    img.apply({
      msgType: 54,
      securityCode: 5,
      side: 2,
      bqMoreFlag: 'Y',
      items: [
        { item: 2137, type: 'B' },
        { item: 1, type: 'S' },
        { item: 2141, type: 'B' },
      ],
    });
    img.apply({ msgType: 54, securityCode: 5, side: 2, bqMoreFlag: 'N', items: [{ item: 4138, type: 'B' }] });
    assert.deepEqual(img.brokerQueue(5, 2), { items: [{ item: 4138, type: 'B' }], more: 'N' });
    assert.equal(img.brokerQueue(5, 1), undefined);
  });
  it('keeps the latest of every per-security and per-key message', () => {
    const img = new MarketImage();
    img.apply({ msgType: 50, securityCode: 5, tradeId: 1, price: 61_500, quantity: 400, trdType: 0, tradeTime: 1n });
    img.apply({ msgType: 50, securityCode: 5, tradeId: 2, price: 61_550, quantity: 400, trdType: 0, tradeTime: 2n });
    img.apply({ msgType: 40, securityCode: 5, nominalPrice: 61_550 });
    img.apply({
      msgType: 71,
      indexCode: '0000100',
      indexStatus: 'T',
      indexTime: 0n,
      indexValue: 2_000_000_000n,
      netChgPrevDay: 0n,
      highValue: 0n,
      lowValue: 0n,
      easValue: 0n,
      indexTurnover: 0n,
      openingValue: 0n,
      closingValue: 0n,
      previousSesClose: 0n,
      indexVolume: 0n,
      netChgPrevDayPct: 0,
      exception: '',
    });
    img.apply({ msgType: 80, stockConnectMarket: 'SH', tradingDirection: 'NB', dailyQuotaBalance: 1n, dailyQuotaBalanceTime: 0n });
    img.apply({ msgType: 655, securityCode: 600519, aggregateBidQuantity: 100n, aggregateAskQuantity: 200n, bidPrice: 1_500_000, askPrice: 1_501_000 });
    img.apply({ msgType: 660, securityCode: 600519, sharesTraded: 100n, turnover: 1n, highPrice: 1, lowPrice: 1, lastPrice: 1, openingPrice: 1 });
    assert.equal(img.security(5)!.lastTrade!.tradeId, 2);
    assert.equal(img.security(5)!.nominal!.nominalPrice, 61_550);
    assert.equal(img.indexData('0000100')!.indexValue, 2_000_000_000n);
    assert.equal(img.security(600519)!.ccTopOfBook!.askPrice, 1_501_000);
    assert.deepEqual(
      img.snapshot('CC').map((m) => m.msgType),
      [655, 660, 80],
    );
  });
  it('ignores control messages (the caller decides what a reset or DR signal clears)', () => {
    const img = new MarketImage();
    img.apply({ msgType: 100, newSeqNo: 1 });
    img.apply({ msgType: 105, drStatus: 1 });
    assert.equal(img.applied, 0);
  });
});

describe('MarketImage snapshot and digest (OMD-C 4.4)', () => {
  function sample(): MarketImage {
    const img = new MarketImage();
    img.apply({ msgType: 10, marketCode: 'MAIN', marketName: 'Main Board', currencyCode: 'HKD', numberOfSecurities: 2 });
    img.apply({ msgType: 21, securityCode: 5, suspensionIndicator: 2 });
    img.apply(agg(5, e(0, 1, 0, 61_500, 20_000n, 3), e(1, 1, 0, 61_550, 8000n, 1)));
    img.apply({ msgType: 30, securityCode: 700, orderId: 3n, price: 385_200, quantity: 100, side: 0, orderType: '2', orderBookPosition: 0 });
    img.apply({ msgType: 30, securityCode: 700, orderId: 1n, price: 385_400, quantity: 100, side: 0, orderType: '2', orderBookPosition: 0 });
    img.apply({ msgType: 30, securityCode: 700, orderId: 2n, price: 385_400, quantity: 200, side: 0, orderType: '2', orderBookPosition: 0 });
    img.apply({ msgType: 50, securityCode: 5, tradeId: 1, price: 61_500, quantity: 400, trdType: 0, tradeTime: 1n });
    return img;
  }
  it('carries per product only its message set; trades never', () => {
    const img = sample();
    assert.deepEqual(
      img.snapshot('SS').map((m) => m.msgType),
      [10, 21, 53],
    );
    assert.deepEqual(
      img.snapshot('SF').map((m) => m.msgType),
      [10, 21, 30, 30, 30],
    );
    assert.deepEqual(img.snapshot('Index'), []);
  });
  it('lists orders best price first, time priority within a level', () => {
    const ids = sample()
      .snapshot('SF')
      .filter((m) => m.msgType === 30)
      .map((m) => (m as { orderId: bigint }).orderId);
    assert.deepEqual(ids, [1n, 2n, 3n]);
  });
  it('an image rebuilt from a snapshot has the same product digest and book digests', () => {
    const img = sample();
    for (const product of ['SS', 'SF'] as const) {
      const copy = new MarketImage();
      for (const m of img.snapshot(product)) copy.apply(m);
      assert.equal(copy.digest(product), img.digest(product));
    }
    const copy = new MarketImage();
    for (const m of [...img.snapshot('SS'), ...img.snapshot('SF')]) copy.apply(m);
    assert.equal(copy.bookDigest(5), img.bookDigest(5));
    assert.equal(copy.bookDigest(700), img.bookDigest(700));
    assert.notEqual(copy.digest(), img.digest(), 'the full digest also covers the last trade, which refresh does not carry');
  });
  it('digest does not depend on the key order of message objects', () => {
    const a = new MarketImage();
    const b = new MarketImage();
    a.apply({ msgType: 40, securityCode: 5, nominalPrice: 1 });
    b.apply({ nominalPrice: 1, securityCode: 5, msgType: 40 } as OmdMessage);
    assert.equal(a.digest(), b.digest());
    b.apply({ msgType: 40, securityCode: 5, nominalPrice: 2 });
    assert.notEqual(a.digest(), b.digest());
  });
  it('clear() empties everything', () => {
    const img = sample();
    img.clear();
    assert.deepEqual(img.securities(), []);
    assert.equal(img.digest(), new MarketImage().digest());
  });
});

describe('AggregateBookView: publisher side of §6', () => {
  const lv = (price: number, q = 1000n, n = 1): TrueLevel => ({ price, quantity: q, orders: n });
  it('HKEX example 5: add ask 9750 to 9760/9770/9780/9790/9850 → {New 9750 L1, Delete 9850 L6}', () => {
    const view = new AggregateBookView(1);
    const asks = [9_760, 9_770, 9_780, 9_790, 9_850].map((p) => lv(p));
    const first = view.update(1, asks);
    assert.deepEqual(
      first.map((x) => [x.updateAction, x.price, x.priceLevel]),
      asks.map((a, i) => [0, a.price, i + 1]),
    );
    const out = view.update(1, [lv(9_750), ...asks]);
    assert.deepEqual(
      out.map((x) => [x.updateAction, x.price, x.priceLevel, x.side]),
      [
        [0, 9_750, 1, 1],
        [2, 9_850, 6, 1],
      ],
    );
  });
  it('sends an explicit New when a price comes back into tick levels 1-10', () => {
    const view = new AggregateBookView(1);
    const asks = [9_750, 9_760, 9_850].map((p) => lv(p));
    view.update(1, asks);
    assert.deepEqual(
      view.shown(1).map((l) => l.price),
      [9_750, 9_760],
    );
    const out = view.update(1, asks.slice(1));
    assert.deepEqual(
      out.map((x) => [x.updateAction, x.price, x.priceLevel]),
      [
        [2, 9_750, 1],
        [0, 9_850, 2],
      ],
    );
  });
  it('sends nothing for entries pushed beyond 10 price levels (client truncates)', () => {
    const view = new AggregateBookView(1);
    const bids = Array.from({ length: 10 }, (_, i) => lv(10_000 - i * 10)); // 10.000 … 9.910, ticks 1-10
    view.update(0, bids);
    const out = view.update(0, [lv(10_020), ...bids]); // 10.02 is one tick above 10.00
    assert.deepEqual(
      out.map((x) => [x.updateAction, x.price, x.priceLevel]),
      [[0, 10_020, 1]],
    );
    assert.equal(view.shown(0).length, 10);
  });
  it('a random walk of true books keeps a client image equal to the visible levels', () => {
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const view = new AggregateBookView(9);
    const img = new MarketImage();
    const book: [Map<number, bigint>, Map<number, bigint>] = [new Map(), new Map()];
    for (let step = 0; step < 3000; step++) {
      const side = (rnd() < 0.5 ? 0 : 1) as 0 | 1;
      const price = side === 0 ? moveTicks(T, 9_900, -Math.floor(rnd() * 25)) : moveTicks(T, 9_910, Math.floor(rnd() * 25));
      if (rnd() < 0.45 && book[side].has(price)) book[side].delete(price);
      else book[side].set(price, (book[side].get(price) ?? 0n) + 100n);
      const levels = [...book[side].entries()].sort((a, b) => (side === 0 ? b[0] - a[0] : a[0] - b[0])).map(([p, q]) => lv(p, q));
      const entries = view.update(side, levels);
      if (entries.length) img.apply({ msgType: 53, securityCode: 9, entries });
      const best = levels[0]?.price;
      const want = best === undefined ? [] : levels.filter((l) => ticksBetween(T, best, l.price) < 10).slice(0, 10);
      assert.deepEqual(
        img.book(9, side),
        want.map((l) => ({ price: l.price, quantity: l.quantity, orders: l.orders })),
        `step ${step}`,
      );
    }
    assert.equal(img.anomalies.badPriceLevel, 0);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BookSide, OrderBook, RestingOrder, bookSideOf } from '../../src/venue/index.ts';
import type { OrderState } from '../../src/venue/index.ts';

let seq = 0;
function order(side: number, price: number, qty: number, id = String(++seq)): RestingOrder {
  const s: OrderState = {
    orderId: id,
    clientOrderId: id,
    compId: 'C1',
    brokerId: 'B1',
    securityId: '700',
    side,
    orderType: 2,
    price,
    orderQty: qty,
    cumQty: 0,
    leavesQty: qty,
    ordStatus: 0,
    tif: 0,
    lotType: 2,
    priority: seq,
    enteredAt: 0,
  };
  return new RestingOrder(s);
}

function ids(side: BookSide): string[] {
  return [...side.orders()].map((o) => o.orderId);
}

describe('BookSide: price levels sorted, best last', () => {
  it('bids keep the highest price as best, offers the lowest', () => {
    const bids = new BookSide(1);
    const offers = new BookSide(2);
    for (const p of [100, 300, 200, 250, 50]) {
      bids.add(order(1, p, 100));
      offers.add(order(2, p, 100));
    }
    assert.deepEqual(
      bids.levels.map((l) => l.price),
      [50, 100, 200, 250, 300],
    );
    assert.deepEqual(
      offers.levels.map((l) => l.price),
      [300, 250, 200, 100, 50],
    );
    assert.equal(bids.best()!.price, 300);
    assert.equal(offers.best()!.price, 50);
  });

  it('orders at one price queue first in, first out', () => {
    const bids = new BookSide(1);
    const a = order(1, 100, 100, 'a');
    const b = order(1, 100, 200, 'b');
    const c = order(1, 100, 300, 'c');
    const d = order(1, 110, 100, 'd');
    bids.add(a);
    bids.add(b);
    bids.add(c);
    bids.add(d);
    assert.deepEqual(ids(bids), ['d', 'a', 'b', 'c']);
    const l = bids.levelAt(100)!;
    assert.equal(l.quantity, 600);
    assert.equal(l.count, 3);
    assert.equal(l.head, a);
    assert.equal(l.tail, c);
  });

  it('removing from the middle, head and tail keeps the queue linked and the totals right', () => {
    const s = new BookSide(2);
    const os = ['a', 'b', 'c', 'd'].map((id) => order(2, 500, 100, id));
    for (const o of os) s.add(o);
    s.remove(os[1]!);
    assert.deepEqual(ids(s), ['a', 'c', 'd']);
    s.remove(os[0]!);
    assert.deepEqual(ids(s), ['c', 'd']);
    s.remove(os[3]!);
    assert.deepEqual(ids(s), ['c']);
    assert.equal(s.levelAt(500)!.quantity, 100);
    assert.equal(os[1]!.level, null);
    assert.equal(os[1]!.next, null);
    s.remove(os[2]!);
    assert.equal(s.levels.length, 0, 'an empty level is dropped');
    assert.equal(s.levelAt(500), undefined);
    s.remove(os[2]!); // removing twice is harmless
    assert.equal(s.orderCount, 0);
  });

  it('dropping a level that is not the best keeps the others sorted', () => {
    const s = new BookSide(1);
    const mid = order(1, 200, 100);
    s.add(order(1, 100, 100));
    s.add(mid);
    s.add(order(1, 300, 100));
    s.remove(mid);
    assert.deepEqual(
      s.levels.map((l) => l.price),
      [100, 300],
    );
  });

  it('setLeaves changes quantity in place without moving the order', () => {
    const s = new BookSide(1);
    const a = order(1, 100, 500, 'a');
    const b = order(1, 100, 500, 'b');
    s.add(a);
    s.add(b);
    s.setLeaves(a, 200);
    assert.equal(a.leavesQty, 200);
    assert.equal(s.levelAt(100)!.quantity, 700);
    assert.deepEqual(ids(s), ['a', 'b']);
  });

  it('many random inserts stay sorted and unique per price', () => {
    const s = new BookSide(2);
    let x = 12345;
    for (let i = 0; i < 2000; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      s.add(order(2, 1000 + (x % 300) * 10, 100));
    }
    const prices = s.levels.map((l) => l.price);
    for (let i = 1; i < prices.length; i++) assert.ok(prices[i - 1]! > prices[i]!);
    assert.equal(s.orderCount, 2000);
  });
});

describe('OrderBook', () => {
  it('puts buys on the bid side and sells and short sells on the offer side', () => {
    const b = new OrderBook('700');
    b.sideFor(1).add(order(1, 100, 100));
    b.sideFor(2).add(order(2, 110, 100));
    b.sideFor(5).add(order(5, 120, 100));
    assert.equal(b.bestBid(), 100);
    assert.equal(b.bestOffer(), 110);
    assert.deepEqual(b.depth(2), [
      { price: 110, quantity: 100, count: 1 },
      { price: 120, quantity: 100, count: 1 },
    ]);
    assert.equal(bookSideOf(5), 2);
    assert.equal(bookSideOf(1), 1);
    assert.equal(b.oppositeOf(1), b.offers);
  });

  it('crossableQuantity counts only levels at or better than the limit', () => {
    const b = new OrderBook('700');
    b.offers.add(order(2, 100, 100));
    b.offers.add(order(2, 101, 200));
    b.offers.add(order(2, 103, 400));
    assert.equal(b.crossableQuantity(1, 99, 1000), 0);
    assert.equal(b.crossableQuantity(1, 101, 1000), 300);
    assert.equal(b.crossableQuantity(1, 200, 1000), 700);
    b.bids.add(order(1, 90, 100));
    b.bids.add(order(1, 95, 100));
    assert.equal(b.crossableQuantity(2, 95, 1000), 100);
    assert.equal(b.crossableQuantity(5, 80, 1000), 200);
  });
});

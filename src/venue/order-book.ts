// Per-security limit order book with price-time priority (OCG-C note §5; continuous trading only).
// Hot path: each side keeps its price levels in an array sorted worst → best, so the best level is
// the last element (pop on exhaustion is O(1), new prices near the touch insert near the end), a
// Map from price to level, and per level an intrusive doubly linked FIFO of orders (O(1) append,
// O(1) removal of a cancelled order, no per-order allocation beyond the order itself).
import type { OrderEcho } from '../ocg/index.ts';
import type { OrderState } from './engine-types.ts';

/** A live order plus its place in the book. The `OrderState` fields are the public, plain part. */
export class RestingOrder implements OrderState {
  orderId: string;
  clientOrderId: string;
  compId: string;
  brokerId: string;
  securityId: string;
  side: number;
  orderType: number;
  price: number;
  orderQty: number;
  cumQty: number;
  leavesQty: number;
  ordStatus: number;
  tif: number;
  lotType: number;
  priority: number;
  enteredAt: number;
  echo?: OrderEcho;
  /** FIFO links inside the price level; null at the ends or when not in a book. */
  prev: RestingOrder | null = null;
  next: RestingOrder | null = null;
  level: PriceLevel | null = null;

  constructor(s: OrderState) {
    this.orderId = s.orderId;
    this.clientOrderId = s.clientOrderId;
    this.compId = s.compId;
    this.brokerId = s.brokerId;
    this.securityId = s.securityId;
    this.side = s.side;
    this.orderType = s.orderType;
    this.price = s.price;
    this.orderQty = s.orderQty;
    this.cumQty = s.cumQty;
    this.leavesQty = s.leavesQty;
    this.ordStatus = s.ordStatus;
    this.tif = s.tif;
    this.lotType = s.lotType;
    this.priority = s.priority;
    this.enteredAt = s.enteredAt;
    if (s.echo !== undefined) this.echo = s.echo;
  }

  /** A plain JSON-serialisable copy (no links). */
  toState(): OrderState {
    const s: OrderState = {
      orderId: this.orderId,
      clientOrderId: this.clientOrderId,
      compId: this.compId,
      brokerId: this.brokerId,
      securityId: this.securityId,
      side: this.side,
      orderType: this.orderType,
      price: this.price,
      orderQty: this.orderQty,
      cumQty: this.cumQty,
      leavesQty: this.leavesQty,
      ordStatus: this.ordStatus,
      tif: this.tif,
      lotType: this.lotType,
      priority: this.priority,
      enteredAt: this.enteredAt,
    };
    if (this.echo !== undefined) s.echo = { ...this.echo };
    return s;
  }
}

/** All orders at one price on one side, oldest first. */
export class PriceLevel {
  readonly price: number;
  head: RestingOrder | null = null;
  tail: RestingOrder | null = null;
  /** Sum of leaves quantities. */
  quantity = 0;
  count = 0;

  constructor(price: number) {
    this.price = price;
  }

  append(o: RestingOrder): void {
    o.level = this;
    o.prev = this.tail;
    o.next = null;
    if (this.tail === null) this.head = o;
    else this.tail.next = o;
    this.tail = o;
    this.quantity += o.leavesQty;
    this.count++;
  }

  unlink(o: RestingOrder): void {
    if (o.prev === null) this.head = o.next;
    else o.prev.next = o.next;
    if (o.next === null) this.tail = o.prev;
    else o.next.prev = o.prev;
    this.quantity -= o.leavesQty;
    this.count--;
    o.prev = null;
    o.next = null;
    o.level = null;
  }
}

/** Book side code as in OMD-C: 1 bid, 2 offer. Sell Short (5) rests on the offer side. */
export type BookSideCode = 1 | 2;

export function bookSideOf(orderSide: number): BookSideCode {
  return orderSide === 1 ? 1 : 2;
}

export class BookSide {
  readonly side: BookSideCode;
  /** Sorted worst → best: bids ascending, offers descending. The best level is last. */
  readonly levels: PriceLevel[] = [];
  readonly #byPrice = new Map<number, PriceLevel>();

  constructor(side: BookSideCode) {
    this.side = side;
  }

  /** The best level, or undefined when the side is empty. */
  best(): PriceLevel | undefined {
    return this.levels[this.levels.length - 1];
  }

  levelAt(price: number): PriceLevel | undefined {
    return this.#byPrice.get(price);
  }

  /** True when `a` is a better price than `b` on this side. */
  better(a: number, b: number): boolean {
    return this.side === 1 ? a > b : a < b;
  }

  /** Append at the tail of its price level (time priority = arrival). */
  add(o: RestingOrder): void {
    let level = this.#byPrice.get(o.price);
    if (level === undefined) {
      level = new PriceLevel(o.price);
      this.#byPrice.set(o.price, level);
      this.#insertLevel(level);
    }
    level.append(o);
  }

  remove(o: RestingOrder): void {
    const level = o.level;
    if (level === null) return;
    level.unlink(o);
    if (level.count === 0) this.#dropLevel(level);
  }

  /** Change an order's leaves in place (fills, quantity-down amends): priority is kept. */
  setLeaves(o: RestingOrder, leaves: number): void {
    if (o.level !== null) o.level.quantity += leaves - o.leavesQty;
    o.leavesQty = leaves;
  }

  /** Orders oldest-first at each level, best level first. */
  *orders(): IterableIterator<RestingOrder> {
    for (let i = this.levels.length - 1; i >= 0; i--) {
      for (let o = this.levels[i]!.head; o !== null; o = o.next) yield o;
    }
  }

  get orderCount(): number {
    let n = 0;
    for (const l of this.levels) n += l.count;
    return n;
  }

  #insertLevel(level: PriceLevel): void {
    const a = this.levels;
    // Binary search for the first index whose level is better than the new one.
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.better(a[mid]!.price, level.price)) hi = mid;
      else lo = mid + 1;
    }
    if (lo === a.length) a.push(level);
    else a.splice(lo, 0, level);
  }

  #dropLevel(level: PriceLevel): void {
    this.#byPrice.delete(level.price);
    const a = this.levels;
    if (a[a.length - 1] === level) {
      a.pop();
      return;
    }
    const i = a.lastIndexOf(level);
    if (i >= 0) a.splice(i, 1);
  }
}

/** The board-lot book of one security plus its odd-lot orders (not auto-matched, OCG-C §5.10). */
export class OrderBook {
  readonly securityId: string;
  readonly bids = new BookSide(1);
  readonly offers = new BookSide(2);
  /** OTP-C odd/special-lot orders by Order ID: they rest outside the book (semi-auto trading). */
  readonly oddLots = new Map<string, RestingOrder>();

  constructor(securityId: string) {
    this.securityId = securityId;
  }

  sideFor(orderSide: number): BookSide {
    return orderSide === 1 ? this.bids : this.offers;
  }

  oppositeOf(orderSide: number): BookSide {
    return orderSide === 1 ? this.offers : this.bids;
  }

  /** Best bid and offer prices (undefined when empty). */
  bestBid(): number | undefined {
    return this.bids.best()?.price;
  }

  bestOffer(): number | undefined {
    return this.offers.best()?.price;
  }

  /** Quantity available to an incoming order of `orderSide` at `limit` or better (for FOK). */
  crossableQuantity(orderSide: number, limit: number, atLeast: number): number {
    const opp = this.oppositeOf(orderSide);
    let q = 0;
    for (let i = opp.levels.length - 1; i >= 0 && q < atLeast; i--) {
      const l = opp.levels[i]!;
      if (orderSide === 1 ? l.price > limit : l.price < limit) break;
      q += l.quantity;
    }
    return q;
  }

  /** Aggregate depth, best first (for tests and the market-data side). */
  depth(bookSide: BookSideCode): { price: number; quantity: number; count: number }[] {
    const s = bookSide === 1 ? this.bids : this.offers;
    const out: { price: number; quantity: number; count: number }[] = [];
    for (let i = s.levels.length - 1; i >= 0; i--) {
      const l = s.levels[i]!;
      out.push({ price: l.price, quantity: l.quantity, count: l.count });
    }
    return out;
  }
}

// The market image: the state a stream of OMD-C / OMD-CC messages produces.
// Used by the publisher (to build refresh snapshots, OMD-C 4.4) and by the feed
// handler (to rebuild books). Books live in typed arrays shared by all
// securities (2,000 securities with full books are benchmarked for memory).
import { createHash } from 'node:crypto';
import type {
  AggregateBookEntry,
  AggregateOrderBookUpdate,
  BrokerQueue,
  BrokerQueueItem,
  CcMarketDefinition,
  CcSecurityDefinition,
  CcSecurityStatus,
  CcStatistics,
  CcTopOfBook,
  ClosingPrice,
  CurrencyRate,
  IndexData,
  IndexDefinition,
  IndicativeEquilibriumPrice,
  LiquidityProvider,
  MarketDefinition,
  MarketTurnover,
  News,
  NominalPrice,
  OmdMessage,
  OrderImbalance,
  ReferencePrice,
  SecurityDefinition,
  SecurityStatus,
  Statistics,
  StockConnectDailyQuotaBalance,
  StockConnectMarketTurnover,
  Trade,
  TradeCancel,
  TradeTicker,
  TradingSessionStatus,
  VcmTrigger,
  Yield,
} from './messages.ts';
import type { OmdProduct } from './channels.ts';

/** OMD shows at most 10 price levels per side (OMD-C §6). */
export const MAX_BOOK_LEVELS = 10;

/** One price level of an aggregate book side. */
export interface AggregateLevel {
  price: number;
  quantity: bigint;
  orders: number;
}

/** One resting order of an order-level book (30 full tick, 33 odd lot). */
export interface RestingOrder {
  orderId: bigint;
  price: number;
  quantity: number;
  side: number;
  /** Odd-lot orders only (33); 0 for full-tick orders. */
  brokerId: number;
}

/** Latest per-security values that are not books. */
export class SecurityState {
  readonly securityCode: number;
  /** Slot in the aggregate pool, -1 until a 53 arrives. */
  bookSlot = -1;
  definition: SecurityDefinition | undefined = undefined;
  liquidityProviders: LiquidityProvider | undefined = undefined;
  status: SecurityStatus | undefined = undefined;
  vcm: VcmTrigger | undefined = undefined;
  nominal: NominalPrice | undefined = undefined;
  iep: IndicativeEquilibriumPrice | undefined = undefined;
  reference: ReferencePrice | undefined = undefined;
  yieldValue: Yield | undefined = undefined;
  imbalance: OrderImbalance | undefined = undefined;
  statistics: Statistics | undefined = undefined;
  closing: ClosingPrice | undefined = undefined;
  lastTrade: Trade | undefined = undefined;
  lastTradeCancel: TradeCancel | undefined = undefined;
  lastTicker: TradeTicker | undefined = undefined;
  /** Full-tick orders (30/31/32): head, tail and length of its arrival-ordered list in the order store. */
  ordHead = -1;
  ordTail = -1;
  ordCount = 0;
  /** Odd-lot orders (33/34), same, in the odd-lot store. */
  oddHead = -1;
  oddTail = -1;
  oddCount = 0;
  /** Slot in the broker-queue pool, -1 until a 54 arrives. */
  bqSlot = -1;
  ccDefinition: CcSecurityDefinition | undefined = undefined;
  ccStatus: CcSecurityStatus | undefined = undefined;
  ccTopOfBook: CcTopOfBook | undefined = undefined;
  ccStatistics: CcStatistics | undefined = undefined;

  constructor(securityCode: number) {
    this.securityCode = securityCode;
  }
}

/** Splits a u64 OrderId into two u32 halves (typed arrays cannot key a Map cheaply). */
function idLo(id: bigint): number {
  return Number(id & 0xffffffffn);
}
function idHi(id: bigint): number {
  return Number((id >> 32n) & 0xffffffffn);
}

function hashKey(sec: number, lo: number, hi: number): number {
  let h = Math.imul(sec, 0x9e3779b1) ^ lo;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) ^ Math.imul(hi, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 13), 0x27d4eb2f);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Resting orders of every security in parallel typed arrays (~40 bytes per order):
 * an open-addressing index (linear probing, backward-shift deletion) on
 * (SecurityCode, OrderId), and a doubly linked arrival list per security whose
 * head/tail live in SecurityState. Slots are recycled through a free list.
 */
class OrderStore {
  lo: Uint32Array;
  hi: Uint32Array;
  sec: Uint32Array;
  price: Int32Array;
  qty: Uint32Array;
  side: Uint8Array;
  broker: Uint16Array;
  next: Int32Array;
  prev: Int32Array;
  #table: Int32Array; // slot + 1; 0 = empty
  #live = 0;
  #used = 0;
  #freeHead = -1;

  constructor(capacity = 1024) {
    this.lo = new Uint32Array(capacity);
    this.hi = new Uint32Array(capacity);
    this.sec = new Uint32Array(capacity);
    this.price = new Int32Array(capacity);
    this.qty = new Uint32Array(capacity);
    this.side = new Uint8Array(capacity);
    this.broker = new Uint16Array(capacity);
    this.next = new Int32Array(capacity);
    this.prev = new Int32Array(capacity);
    this.#table = new Int32Array(capacity * 2);
  }

  find(sec: number, lo: number, hi: number): number {
    const t = this.#table;
    const mask = t.length - 1;
    for (let i = hashKey(sec, lo, hi) & mask; ; i = (i + 1) & mask) {
      const v = t[i]!;
      if (v === 0) return -1;
      const s = v - 1;
      if (this.lo[s] === lo && this.hi[s] === hi && this.sec[s] === sec) return s;
    }
  }

  /** A new slot holding the key, indexed (the caller fills the other fields and links it). */
  add(sec: number, lo: number, hi: number): number {
    let s = this.#freeHead;
    if (s >= 0) this.#freeHead = this.next[s]!;
    else {
      if (this.#used === this.lo.length) this.#grow();
      s = this.#used++;
    }
    this.lo[s] = lo;
    this.hi[s] = hi;
    this.sec[s] = sec;
    if ((this.#live + 1) * 2 > this.#table.length) this.#rehash(this.#table.length * 2);
    this.#insert(s);
    this.#live++;
    return s;
  }

  remove(slot: number): void {
    const t = this.#table;
    const mask = t.length - 1;
    let i = hashKey(this.sec[slot]!, this.lo[slot]!, this.hi[slot]!) & mask;
    while (t[i] !== slot + 1) i = (i + 1) & mask;
    // Backward-shift deletion keeps every probe chain unbroken without tombstones.
    for (let j = i; ;) {
      j = (j + 1) & mask;
      const v = t[j]!;
      if (v === 0) break;
      const k = hashKey(this.sec[v - 1]!, this.lo[v - 1]!, this.hi[v - 1]!) & mask;
      const stays = i <= j ? k > i && k <= j : k > i || k <= j;
      if (!stays) {
        t[i] = v;
        i = j;
      }
    }
    t[i] = 0;
    this.#live--;
    this.next[slot] = this.#freeHead;
    this.#freeHead = slot;
  }

  #insert(s: number): void {
    const t = this.#table;
    const mask = t.length - 1;
    let i = hashKey(this.sec[s]!, this.lo[s]!, this.hi[s]!) & mask;
    while (t[i] !== 0) i = (i + 1) & mask;
    t[i] = s + 1;
  }

  #rehash(size: number): void {
    const old = this.#table;
    this.#table = new Int32Array(size);
    for (const v of old) if (v !== 0) this.#insert(v - 1);
  }

  reset(): void {
    this.#table.fill(0);
    this.#live = 0;
    this.#used = 0;
    this.#freeHead = -1;
  }

  copyFrom(o: OrderStore): void {
    this.lo = o.lo.slice();
    this.hi = o.hi.slice();
    this.sec = o.sec.slice();
    this.price = o.price.slice();
    this.qty = o.qty.slice();
    this.side = o.side.slice();
    this.broker = o.broker.slice();
    this.next = o.next.slice();
    this.prev = o.prev.slice();
    this.#table = o.#table.slice();
    this.#live = o.#live;
    this.#used = o.#used;
    this.#freeHead = o.#freeHead;
  }

  #grow(): void {
    const n = Math.ceil(this.lo.length * 1.5);
    const g = <T extends Uint32Array | Int32Array | Uint8Array | Uint16Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.lo = g(this.lo, (k) => new Uint32Array(k));
    this.hi = g(this.hi, (k) => new Uint32Array(k));
    this.sec = g(this.sec, (k) => new Uint32Array(k));
    this.price = g(this.price, (k) => new Int32Array(k));
    this.qty = g(this.qty, (k) => new Uint32Array(k));
    this.side = g(this.side, (k) => new Uint8Array(k));
    this.broker = g(this.broker, (k) => new Uint16Array(k));
    this.next = g(this.next, (k) => new Int32Array(k));
    this.prev = g(this.prev, (k) => new Int32Array(k));
  }
}

/** Up to 40 broker-queue items per side per security (OMD-C 3.9.7), packed as item | typeChar << 16. */
const BQ_ITEMS = 40;
class BrokerQueuePool {
  items: Uint32Array;
  count: Uint8Array;
  more: Uint8Array;
  #used = 0;

  constructor(capacity = 64) {
    this.items = new Uint32Array(capacity * 2 * BQ_ITEMS);
    this.count = new Uint8Array(capacity * 2);
    this.more = new Uint8Array(capacity * 2);
  }

  alloc(): number {
    if (this.#used * 2 === this.count.length) {
      const cap = Math.ceil(this.count.length * 0.75); // ×1.5 securities
      const items = new Uint32Array(cap * 2 * BQ_ITEMS);
      items.set(this.items);
      this.items = items;
      const count = new Uint8Array(cap * 2);
      count.set(this.count);
      this.count = count;
      const more = new Uint8Array(cap * 2);
      more.set(this.more);
      this.more = more;
    }
    return this.#used++;
  }

  reset(): void {
    this.#used = 0;
    this.count.fill(0);
  }

  copyFrom(o: BrokerQueuePool): void {
    this.items = o.items.slice();
    this.count = o.count.slice();
    this.more = o.more.slice();
    this.#used = o.#used;
  }
}

/** Aggregate books of every security: slot s, side d, level l at (s*2+d)*10+l. */
class AggregatePool {
  qty: BigUint64Array;
  price: Int32Array;
  orders: Uint32Array;
  count: Uint8Array;
  #used = 0;

  constructor(capacity = 256) {
    this.qty = new BigUint64Array(capacity * 2 * MAX_BOOK_LEVELS);
    this.price = new Int32Array(capacity * 2 * MAX_BOOK_LEVELS);
    this.orders = new Uint32Array(capacity * 2 * MAX_BOOK_LEVELS);
    this.count = new Uint8Array(capacity * 2);
  }

  alloc(): number {
    if (this.#used * 2 === this.count.length) this.#grow();
    return this.#used++;
  }

  reset(): void {
    this.#used = 0;
    this.count.fill(0);
  }

  copyFrom(o: AggregatePool): void {
    this.qty = o.qty.slice();
    this.price = o.price.slice();
    this.orders = o.orders.slice();
    this.count = o.count.slice();
    this.#used = o.#used;
  }

  #grow(): void {
    const cap = (this.count.length / 2) * 2;
    const qty = new BigUint64Array(cap * 2 * MAX_BOOK_LEVELS);
    qty.set(this.qty);
    this.qty = qty;
    const price = new Int32Array(cap * 2 * MAX_BOOK_LEVELS);
    price.set(this.price);
    this.price = price;
    const orders = new Uint32Array(cap * 2 * MAX_BOOK_LEVELS);
    orders.set(this.orders);
    this.orders = orders;
    const count = new Uint8Array(cap * 2);
    count.set(this.count);
    this.count = count;
  }
}

/** Message types that are refresh contents per product (OMD-C 4.4, spec §7). */
const SNAPSHOT_TYPES: Record<OmdProduct, ReadonlySet<number>> = {
  SS: new Set([10, 11, 13, 14, 20, 21, 22, 23, 40, 41, 43, 44, 53, 54, 56, 60, 61, 62]),
  SP: new Set([10, 11, 13, 14, 20, 21, 22, 23, 40, 41, 43, 44, 53, 56, 60, 61, 62]),
  SF: new Set([10, 11, 13, 14, 20, 21, 23, 30, 41, 43, 56]),
  Index: new Set([70, 71]),
  // OMD-CC refresh contents are not documented (§12 U13); ours: latest of each kind.
  CC: new Set([610, 611, 621, 655, 660]),
  // Complimentary feeds on their own channels (OMD-C 4.4: odd-lot books; latest 80 / 81 per programme).
  OddLot: new Set([33]),
  StockConnect: new Set([80, 81]),
};
/** Complimentary feeds (odd lot 33, conflated broker queue 54, Stock Connect 80/81) ride on whatever channel carried them. */
const COMPLIMENTARY_TYPES: ReadonlySet<number> = new Set([33, 54, 80, 81]);

/** Counters of inputs that did not fit the current state (a gap or a publisher bug upstream). */
export interface ImageAnomalies {
  /** 53 entries whose PriceLevel does not exist (or would leave a hole). */
  badPriceLevel: number;
  /** 31/32/34 for an unknown OrderId, or a 30/33 re-using a live one. */
  unknownOrder: number;
  /** 54 with more than 40 items (the excess is dropped). */
  oversizedBrokerQueue: number;
}

/**
 * The state a stream of OMD messages produces (OMD-C 3.7-3.14, §6).
 * Control messages (100, 101, 102, 105, 201-203) are ignored: what a reset or a
 * DR signal does to the state is the caller's decision (clear() and refresh).
 */
export class MarketImage {
  #securities = new Map<number, SecurityState>();
  // The books, odd lots and broker queues start small and grow as securities arrive: a feed
  // handler builds a new image for every refresh it takes, hundreds of handlers at a failover.
  #agg = new AggregatePool(16);
  #orders = new OrderStore();
  #oddLots = new OrderStore(16);
  #bq = new BrokerQueuePool(8);
  #markets = new Map<string, MarketDefinition>();
  #currencies = new Map<string, CurrencyRate>();
  #sessions = new Map<string, TradingSessionStatus>();
  #turnovers = new Map<string, MarketTurnover>();
  #news: News[] = [];
  #indexDefs = new Map<string, IndexDefinition>();
  #indexData = new Map<string, IndexData>();
  #quotaBalances = new Map<string, StockConnectDailyQuotaBalance>();
  #scTurnovers = new Map<string, StockConnectMarketTurnover>();
  #ccMarkets = new Map<string, CcMarketDefinition>();
  /** Messages applied since construction or the last clear(). */
  applied = 0;
  readonly anomalies: ImageAnomalies = { badPriceLevel: 0, unknownOrder: 0, oversizedBrokerQueue: 0 };

  /** Security codes present in the image, ascending. */
  securities(): number[] {
    return [...this.#securities.keys()].sort((a, b) => a - b);
  }

  /** The per-security state (undefined when nothing was received for it). */
  security(code: number): SecurityState | undefined {
    return this.#securities.get(code);
  }

  clear(): void {
    this.#securities.clear();
    this.#agg.reset();
    this.#orders.reset();
    this.#oddLots.reset();
    this.#bq.reset();
    this.#markets.clear();
    this.#currencies.clear();
    this.#sessions.clear();
    this.#turnovers.clear();
    this.#news = [];
    this.#indexDefs.clear();
    this.#indexData.clear();
    this.#quotaBalances.clear();
    this.#scTurnovers.clear();
    this.#ccMarkets.clear();
    this.applied = 0;
    this.anomalies.badPriceLevel = 0;
    this.anomalies.unknownOrder = 0;
    this.anomalies.oversizedBrokerQueue = 0;
  }

  /** A deep copy (messages are shared: they are never mutated once applied). Used to hand state to a takeover site. */
  clone(): MarketImage {
    const c = new MarketImage();
    for (const [code, s] of this.#securities) {
      c.#securities.set(code, Object.assign(new SecurityState(code), s) as SecurityState);
    }
    c.#agg.copyFrom(this.#agg);
    c.#orders.copyFrom(this.#orders);
    c.#oddLots.copyFrom(this.#oddLots);
    c.#bq.copyFrom(this.#bq);
    for (const [k, v] of this.#markets) c.#markets.set(k, v);
    for (const [k, v] of this.#currencies) c.#currencies.set(k, v);
    for (const [k, v] of this.#sessions) c.#sessions.set(k, v);
    for (const [k, v] of this.#turnovers) c.#turnovers.set(k, v);
    c.#news = this.#news.slice();
    for (const [k, v] of this.#indexDefs) c.#indexDefs.set(k, v);
    for (const [k, v] of this.#indexData) c.#indexData.set(k, v);
    for (const [k, v] of this.#quotaBalances) c.#quotaBalances.set(k, v);
    for (const [k, v] of this.#scTurnovers) c.#scTurnovers.set(k, v);
    for (const [k, v] of this.#ccMarkets) c.#ccMarkets.set(k, v);
    c.applied = this.applied;
    return c;
  }

  #sec(code: number): SecurityState {
    let s = this.#securities.get(code);
    if (!s) {
      s = new SecurityState(code);
      this.#securities.set(code, s);
    }
    return s;
  }

  apply(msg: OmdMessage): void {
    this.applied++;
    switch (msg.msgType) {
      case 10:
        this.#markets.set(msg.marketCode, msg);
        break;
      case 11:
        this.#sec(msg.securityCode).definition = msg;
        break;
      case 13:
        this.#sec(msg.securityCode).liquidityProviders = msg;
        break;
      case 14:
        this.#currencies.set(msg.currencyCode, msg);
        break;
      case 20:
        this.#sessions.set(msg.marketCode, msg);
        break;
      case 21:
        this.#sec(msg.securityCode).status = msg;
        break;
      case 22:
        this.#news.push(msg);
        break;
      case 23:
        this.#sec(msg.securityCode).vcm = msg;
        break;
      case 30:
        this.#addOrder(msg.securityCode, msg.orderId, msg.price, msg.quantity, msg.side, 0, false);
        break;
      case 31: {
        const slot = this.#orders.find(msg.securityCode, idLo(msg.orderId), idHi(msg.orderId));
        if (slot < 0) this.anomalies.unknownOrder++;
        else this.#orders.qty[slot] = msg.quantity;
        break;
      }
      case 32:
        this.#deleteOrder(msg.securityCode, msg.orderId, false);
        break;
      case 33:
        this.#addOrder(msg.securityCode, msg.orderId, msg.price, msg.quantity, msg.side, msg.brokerId, true);
        break;
      case 34:
        this.#deleteOrder(msg.securityCode, msg.orderId, true);
        break;
      case 40:
        this.#sec(msg.securityCode).nominal = msg;
        break;
      case 41:
        this.#sec(msg.securityCode).iep = msg;
        break;
      case 43:
        this.#sec(msg.securityCode).reference = msg;
        break;
      case 44:
        this.#sec(msg.securityCode).yieldValue = msg;
        break;
      case 50:
        this.#sec(msg.securityCode).lastTrade = msg;
        break;
      case 51:
        this.#sec(msg.securityCode).lastTradeCancel = msg;
        break;
      case 52:
        this.#sec(msg.securityCode).lastTicker = msg;
        break;
      case 53:
        this.#applyAggregate(msg);
        break;
      case 54:
        this.#applyBrokerQueue(msg);
        break;
      case 56:
        this.#sec(msg.securityCode).imbalance = msg;
        break;
      case 60:
        this.#sec(msg.securityCode).statistics = msg;
        break;
      case 61:
        this.#turnovers.set(`${msg.marketCode}|${msg.currencyCode}`, msg);
        break;
      case 62:
        this.#sec(msg.securityCode).closing = msg;
        break;
      case 70:
        this.#indexDefs.set(msg.indexCode, msg);
        break;
      case 71:
        this.#indexData.set(msg.indexCode, msg);
        break;
      case 80:
        this.#quotaBalances.set(`${msg.stockConnectMarket}|${msg.tradingDirection}`, msg);
        break;
      case 81:
        this.#scTurnovers.set(`${msg.stockConnectMarket}|${msg.tradingDirection}`, msg);
        break;
      case 610:
        this.#ccMarkets.set(msg.marketCode, msg);
        break;
      case 611:
        this.#sec(msg.securityCode).ccDefinition = msg;
        break;
      case 621:
        this.#sec(msg.securityCode).ccStatus = msg;
        break;
      case 655:
        this.#sec(msg.securityCode).ccTopOfBook = msg;
        break;
      case 660:
        this.#sec(msg.securityCode).ccStatistics = msg;
        break;
      default:
        this.applied--; // control messages: the caller decides (see class comment)
    }
  }

  // OMD-C 3.9.1 / 3.9.4: a new order joins the back of its security's arrival list.
  #addOrder(code: number, orderId: bigint, price: number, quantity: number, side: number, broker: number, odd: boolean): void {
    const st = this.#sec(code);
    const p = odd ? this.#oddLots : this.#orders;
    const lo = idLo(orderId);
    const hi = idHi(orderId);
    let slot = p.find(code, lo, hi);
    if (slot >= 0)
      this.anomalies.unknownOrder++; // re-used live OrderId: overwrite in place
    else {
      slot = p.add(code, lo, hi);
      const tail = odd ? st.oddTail : st.ordTail;
      p.prev[slot] = tail;
      p.next[slot] = -1;
      if (tail >= 0) p.next[tail] = slot;
      if (odd) {
        if (st.oddHead < 0) st.oddHead = slot;
        st.oddTail = slot;
        st.oddCount++;
      } else {
        if (st.ordHead < 0) st.ordHead = slot;
        st.ordTail = slot;
        st.ordCount++;
      }
    }
    p.price[slot] = price;
    p.qty[slot] = quantity;
    p.side[slot] = side;
    p.broker[slot] = broker;
  }

  #deleteOrder(code: number, orderId: bigint, odd: boolean): void {
    const p = odd ? this.#oddLots : this.#orders;
    const slot = p.find(code, idLo(orderId), idHi(orderId));
    if (slot < 0) {
      this.anomalies.unknownOrder++;
      return;
    }
    const st = this.#securities.get(code)!;
    const prev = p.prev[slot]!;
    const next = p.next[slot]!;
    if (prev >= 0) p.next[prev] = next;
    else if (odd) st.oddHead = next;
    else st.ordHead = next;
    if (next >= 0) p.prev[next] = prev;
    else if (odd) st.oddTail = prev;
    else st.ordTail = prev;
    if (odd) st.oddCount--;
    else st.ordCount--;
    p.remove(slot);
  }

  // OMD-C §6: entries apply strictly in order, each PriceLevel refers to the book after the previous entry.
  #applyAggregate(msg: AggregateOrderBookUpdate): void {
    const s = this.#sec(msg.securityCode);
    if (s.bookSlot < 0) s.bookSlot = this.#agg.alloc();
    const a = this.#agg;
    for (const e of msg.entries) {
      if (e.updateAction === 74) {
        a.count[s.bookSlot * 2] = 0;
        a.count[s.bookSlot * 2 + 1] = 0;
        continue;
      }
      if (e.side !== 0 && e.side !== 1) {
        this.anomalies.badPriceLevel++;
        continue;
      }
      const sideIdx = s.bookSlot * 2 + e.side;
      const base = sideIdx * MAX_BOOK_LEVELS;
      const n = a.count[sideIdx]!;
      const i = e.priceLevel - 1;
      switch (e.updateAction) {
        case 0: {
          // New: insert, shift down, truncate beyond 10
          if (i < 0 || i > n || i >= MAX_BOOK_LEVELS) {
            this.anomalies.badPriceLevel++;
            break;
          }
          const last = Math.min(n, MAX_BOOK_LEVELS - 1);
          for (let k = last; k > i; k--) {
            a.qty[base + k] = a.qty[base + k - 1]!;
            a.price[base + k] = a.price[base + k - 1]!;
            a.orders[base + k] = a.orders[base + k - 1]!;
          }
          a.qty[base + i] = e.aggregateQuantity;
          a.price[base + i] = e.price;
          a.orders[base + i] = e.numberOfOrders;
          a.count[sideIdx] = Math.min(n + 1, MAX_BOOK_LEVELS);
          break;
        }
        case 1: // Change: quantity and order count at PriceLevel
          if (i < 0 || i >= n) {
            this.anomalies.badPriceLevel++;
            break;
          }
          if (a.price[base + i] !== e.price) this.anomalies.badPriceLevel++;
          a.qty[base + i] = e.aggregateQuantity;
          a.orders[base + i] = e.numberOfOrders;
          break;
        case 2: // Delete: remove, shift up
          if (i < 0 || i >= n) {
            this.anomalies.badPriceLevel++;
            break;
          }
          for (let k = i; k < n - 1; k++) {
            a.qty[base + k] = a.qty[base + k + 1]!;
            a.price[base + k] = a.price[base + k + 1]!;
            a.orders[base + k] = a.orders[base + k + 1]!;
          }
          a.count[sideIdx] = n - 1;
          break;
        default:
          this.anomalies.badPriceLevel++;
      }
    }
  }

  // OMD-C 3.9.7: the message carries the whole side; replace, never merge. Side 1 buy, 2 sell (§12 U10).
  #applyBrokerQueue(msg: BrokerQueue): void {
    if (msg.side !== 1 && msg.side !== 2) return;
    const st = this.#sec(msg.securityCode);
    if (st.bqSlot < 0) st.bqSlot = this.#bq.alloc();
    const q = this.#bq;
    const idx = st.bqSlot * 2 + msg.side - 1;
    const n = Math.min(msg.items.length, BQ_ITEMS);
    if (msg.items.length > BQ_ITEMS) this.anomalies.oversizedBrokerQueue++; // spec: 0-40 items; the rest is dropped
    for (let i = 0; i < n; i++) {
      const it = msg.items[i]!;
      q.items[idx * BQ_ITEMS + i] = (it.item & 0xffff) | ((it.type.charCodeAt(0) & 0xff) << 16);
    }
    q.count[idx] = n;
    q.more[idx] = msg.bqMoreFlag === 'Y' ? 1 : 2; // 0 = side never received
  }

  /** The aggregate book side (0 bid, 1 offer), best first. */
  book(securityCode: number, side: 0 | 1): AggregateLevel[] {
    const s = this.#securities.get(securityCode);
    if (!s || s.bookSlot < 0) return [];
    const a = this.#agg;
    const sideIdx = s.bookSlot * 2 + side;
    const base = sideIdx * MAX_BOOK_LEVELS;
    const out: AggregateLevel[] = [];
    for (let k = 0; k < a.count[sideIdx]!; k++) {
      out.push({ price: a.price[base + k]!, quantity: a.qty[base + k]!, orders: a.orders[base + k]! });
    }
    return out;
  }

  /** Full-tick resting orders of a security in arrival order. */
  orders(securityCode: number): RestingOrder[] {
    const st = this.#securities.get(securityCode);
    return st ? this.#listOrders(st.ordHead, this.#orders) : [];
  }

  /** Odd-lot resting orders of a security in arrival order. */
  oddLotOrders(securityCode: number): RestingOrder[] {
    const st = this.#securities.get(securityCode);
    return st ? this.#listOrders(st.oddHead, this.#oddLots) : [];
  }

  #listOrders(head: number, p: OrderStore): RestingOrder[] {
    const out: RestingOrder[] = [];
    for (let slot = head; slot >= 0; slot = p.next[slot]!) {
      const hi = p.hi[slot]!;
      const orderId = hi === 0 ? BigInt(p.lo[slot]!) : (BigInt(hi) << 32n) | BigInt(p.lo[slot]!);
      out.push({ orderId, price: p.price[slot]!, quantity: p.qty[slot]!, side: p.side[slot]!, brokerId: p.broker[slot]! });
    }
    return out;
  }

  /** Broker queue side (1 buy, 2 sell) as items, best price first. */
  brokerQueue(securityCode: number, side: 1 | 2): { items: BrokerQueueItem[]; more: string } | undefined {
    const st = this.#securities.get(securityCode);
    if (!st || st.bqSlot < 0) return undefined;
    const q = this.#bq;
    const idx = st.bqSlot * 2 + side - 1;
    if (q.more[idx] === 0) return undefined;
    const items: BrokerQueueItem[] = [];
    for (let i = 0; i < q.count[idx]!; i++) {
      const v = q.items[idx * BQ_ITEMS + i]!;
      items.push({ item: v & 0xffff, type: String.fromCharCode(v >>> 16) });
    }
    return { items, more: q.more[idx] === 1 ? 'Y' : 'N' };
  }

  /** Latest Index Data per index code. */
  indexData(indexCode: string): IndexData | undefined {
    return this.#indexData.get(indexCode);
  }

  /** Market-level state (read-only views). */
  get markets(): ReadonlyMap<string, MarketDefinition> {
    return this.#markets;
  }
  get tradingSessions(): ReadonlyMap<string, TradingSessionStatus> {
    return this.#sessions;
  }
  get news(): readonly News[] {
    return this.#news;
  }

  /**
   * Refresh contents for a channel of `product` (OMD-C 4.4, spec §7): reference
   * and status data, every non-empty book as New entries (53) or Add Orders
   * (30/33), latest prices and statistics. Canonical order: market-level
   * messages by key, then securities ascending, orders by side, price (best
   * first) and arrival, so time priority within a price level survives.
   */
  snapshot(product: OmdProduct): OmdMessage[] {
    const want = SNAPSHOT_TYPES[product];
    const has = (t: number) => want.has(t) || COMPLIMENTARY_TYPES.has(t);
    const out: OmdMessage[] = [];
    const sorted = <V>(m: ReadonlyMap<string, V>): V[] => [...m.keys()].sort().map((k) => m.get(k)!);
    if (has(10)) out.push(...sorted(this.#markets));
    if (has(610)) out.push(...sorted(this.#ccMarkets));
    if (has(14)) out.push(...sorted(this.#currencies));
    if (has(20)) out.push(...sorted(this.#sessions));
    if (has(70)) out.push(...sorted(this.#indexDefs));
    if (has(71)) out.push(...sorted(this.#indexData));
    for (const code of this.securities()) {
      const s = this.#securities.get(code)!;
      const push = (t: number, m: OmdMessage | undefined) => {
        if (m && has(t)) out.push(m);
      };
      push(11, s.definition);
      push(611, s.ccDefinition);
      push(13, s.liquidityProviders);
      push(21, s.status);
      push(621, s.ccStatus);
      push(23, s.vcm);
      push(40, s.nominal);
      push(41, s.iep);
      push(43, s.reference);
      push(44, s.yieldValue);
      if (has(53)) {
        const entries = this.#bookEntries(s);
        if (entries.length > 0) out.push({ msgType: 53, securityCode: code, entries });
      }
      if (has(30) && s.ordCount > 0) {
        for (const o of sortByPriceTime(this.#listOrders(s.ordHead, this.#orders))) {
          out.push({
            msgType: 30,
            securityCode: code,
            orderId: o.orderId,
            price: o.price,
            quantity: o.quantity,
            side: o.side,
            orderType: '2',
            orderBookPosition: 0,
          });
        }
      }
      if (has(33) && s.oddCount > 0) {
        for (const o of sortByPriceTime(this.#listOrders(s.oddHead, this.#oddLots))) {
          out.push({ msgType: 33, securityCode: code, orderId: o.orderId, price: o.price, quantity: o.quantity, brokerId: o.brokerId, side: o.side });
        }
      }
      if (has(54)) {
        for (const side of [1, 2] as const) {
          const q = this.brokerQueue(code, side);
          if (q && q.items.length > 0) out.push({ msgType: 54, securityCode: code, side, bqMoreFlag: q.more, items: q.items });
        }
      }
      push(56, s.imbalance);
      push(60, s.statistics);
      push(62, s.closing);
      push(655, s.ccTopOfBook);
      push(660, s.ccStatistics);
    }
    if (has(61)) out.push(...sorted(this.#turnovers));
    if (has(80)) out.push(...sorted(this.#quotaBalances));
    if (has(81)) out.push(...sorted(this.#scTurnovers));
    if (has(22)) for (const n of this.#news) out.push(n);
    return out;
  }

  #bookEntries(s: SecurityState): AggregateBookEntry[] {
    const entries: AggregateBookEntry[] = [];
    if (s.bookSlot < 0) return entries;
    for (const side of [0, 1] as const) {
      this.book(s.securityCode, side).forEach((l, k) => {
        entries.push({ aggregateQuantity: l.quantity, price: l.price, numberOfOrders: l.orders, side, priceLevel: k + 1, updateAction: 0 });
      });
    }
    return entries;
  }

  /**
   * SHA-256 (hex) over a canonical serialisation of the state. With a product:
   * only what that product's refresh carries (so an image rebuilt from a
   * snapshot has the same digest as its source at LastSeqNum); without: all
   * state, including the non-refreshable last trade / ticker / trade cancel.
   */
  digest(product?: OmdProduct): string {
    const h = createHash('sha256');
    if (product) {
      for (const m of this.snapshot(product)) h.update(canonical(m) + '\n');
      return h.digest('hex');
    }
    for (const p of ['SS', 'SF', 'Index', 'CC'] as const) for (const m of this.snapshot(p)) h.update(canonical(m) + '\n');
    for (const code of this.securities()) {
      const s = this.#securities.get(code)!;
      for (const m of [s.lastTrade, s.lastTradeCancel, s.lastTicker]) if (m) h.update(canonical(m) + '\n');
    }
    return h.digest('hex');
  }

  /** SHA-256 (hex) of one security's books: aggregate sides, full-tick and odd-lot orders, broker queues. */
  bookDigest(securityCode: number): string {
    const h = createHash('sha256');
    h.update(`sec ${securityCode}\n`);
    for (const side of [0, 1] as const) {
      h.update(`agg ${side}`);
      for (const l of this.book(securityCode, side)) h.update(` ${l.price}:${l.quantity}:${l.orders}`);
      h.update('\n');
    }
    const ord = (o: RestingOrder) => ` ${o.orderId}:${o.side}:${o.price}:${o.quantity}:${o.brokerId}`;
    h.update('orders');
    for (const o of sortByPriceTime(this.orders(securityCode))) h.update(ord(o));
    h.update('\noddlots');
    for (const o of sortByPriceTime(this.oddLotOrders(securityCode))) h.update(ord(o));
    for (const side of [1, 2] as const) {
      const q = this.brokerQueue(securityCode, side);
      h.update(`\nbq ${side} ${q?.more ?? '-'}`);
      for (const it of q?.items ?? []) h.update(` ${it.item}${it.type}`);
    }
    return h.digest('hex');
  }
}

/** Side, then price (best first), then arrival order (stable sort keeps it). */
function sortByPriceTime(orders: RestingOrder[]): RestingOrder[] {
  return orders.sort((a, b) => a.side - b.side || (a.side === 0 ? b.price - a.price : a.price - b.price));
}

/** Deterministic text of a message: keys sorted, bigints tagged, arrays in order. */
export function canonical(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${k}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}

// The market image: the state a stream of OMD-C / OMD-CC messages produces.
// Used by the publisher (to build refresh snapshots, OMD-C 4.4) and by the feed
// handler (to rebuild books). Books live in typed arrays shared by all
// securities (2,000 securities with full books are benchmarked for memory).
import { createHash } from 'node:crypto';
import type {
  AddOddLotOrder,
  AddOrder,
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
  /** Full-tick orders (30/31/32): OrderId (as number when safe) → slot in the order pool; Map order = arrival order. */
  orders: Map<number | bigint, number> | undefined = undefined;
  /** Odd-lot orders (33/34), same keying, in the odd-lot pool. */
  oddLots: Map<number | bigint, number> | undefined = undefined;
  /** Broker queue per side (index 0 buy, 1 sell), items packed as item | typeChar << 16 (OMD-C 3.9.7). */
  brokerQueue: [Uint32Array | undefined, Uint32Array | undefined] | undefined = undefined;
  brokerQueueMore: string = 'NN';
  ccDefinition: CcSecurityDefinition | undefined = undefined;
  ccStatus: CcSecurityStatus | undefined = undefined;
  ccTopOfBook: CcTopOfBook | undefined = undefined;
  ccStatistics: CcStatistics | undefined = undefined;

  constructor(securityCode: number) {
    this.securityCode = securityCode;
  }
}

function orderKey(orderId: bigint): number | bigint {
  return orderId <= 9007199254740991n && orderId >= 0n ? Number(orderId) : orderId;
}

/** Resting orders of every security in parallel typed arrays; slots are recycled. */
class OrderPool {
  id: BigUint64Array;
  price: Int32Array;
  qty: Uint32Array;
  side: Uint8Array;
  broker: Uint16Array;
  #free: number[] = [];
  #used = 0;

  constructor(capacity = 1024) {
    this.id = new BigUint64Array(capacity);
    this.price = new Int32Array(capacity);
    this.qty = new Uint32Array(capacity);
    this.side = new Uint8Array(capacity);
    this.broker = new Uint16Array(capacity);
  }

  alloc(): number {
    const s = this.#free.pop();
    if (s !== undefined) return s;
    if (this.#used === this.id.length) this.#grow();
    return this.#used++;
  }

  release(slot: number): void {
    this.#free.push(slot);
  }

  reset(): void {
    this.#free = [];
    this.#used = 0;
  }

  copyFrom(o: OrderPool): void {
    this.id = o.id.slice();
    this.price = o.price.slice();
    this.qty = o.qty.slice();
    this.side = o.side.slice();
    this.broker = o.broker.slice();
    this.#free = o.#free.slice();
    this.#used = o.#used;
  }

  #grow(): void {
    const n = this.id.length * 2;
    const id = new BigUint64Array(n); id.set(this.id); this.id = id;
    const price = new Int32Array(n); price.set(this.price); this.price = price;
    const qty = new Uint32Array(n); qty.set(this.qty); this.qty = qty;
    const side = new Uint8Array(n); side.set(this.side); this.side = side;
    const broker = new Uint16Array(n); broker.set(this.broker); this.broker = broker;
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
    const qty = new BigUint64Array(cap * 2 * MAX_BOOK_LEVELS); qty.set(this.qty); this.qty = qty;
    const price = new Int32Array(cap * 2 * MAX_BOOK_LEVELS); price.set(this.price); this.price = price;
    const orders = new Uint32Array(cap * 2 * MAX_BOOK_LEVELS); orders.set(this.orders); this.orders = orders;
    const count = new Uint8Array(cap * 2); count.set(this.count); this.count = count;
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
};
/** Complimentary feeds (odd lot 33, conflated broker queue 54, Stock Connect 80/81) ride on whatever channel carried them. */
const COMPLIMENTARY_TYPES: ReadonlySet<number> = new Set([33, 54, 80, 81]);

/** Counters of inputs that did not fit the current state (a gap or a publisher bug upstream). */
export interface ImageAnomalies {
  /** 53 entries whose PriceLevel does not exist (or would leave a hole). */
  badPriceLevel: number;
  /** 31/32/34 for an unknown OrderId, or a 30/33 re-using a live one. */
  unknownOrder: number;
}

/**
 * The state a stream of OMD messages produces (OMD-C 3.7-3.14, §6).
 * Control messages (100, 101, 102, 105, 201-203) are ignored: what a reset or a
 * DR signal does to the state is the caller's decision (clear() and refresh).
 */
export class MarketImage {
  #securities = new Map<number, SecurityState>();
  #agg = new AggregatePool();
  #orders = new OrderPool();
  #oddLots = new OrderPool(64);
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
  readonly anomalies: ImageAnomalies = { badPriceLevel: 0, unknownOrder: 0 };

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
  }

  /** A deep copy (messages are shared: they are never mutated once applied). Used to hand state to a takeover site. */
  clone(): MarketImage {
    const c = new MarketImage();
    for (const [code, s] of this.#securities) {
      const t = Object.assign(new SecurityState(code), s) as SecurityState;
      if (s.orders) t.orders = new Map(s.orders);
      if (s.oddLots) t.oddLots = new Map(s.oddLots);
      if (s.brokerQueue) t.brokerQueue = [s.brokerQueue[0]?.slice(), s.brokerQueue[1]?.slice()];
      c.#securities.set(code, t);
    }
    c.#agg.copyFrom(this.#agg);
    c.#orders.copyFrom(this.#orders);
    c.#oddLots.copyFrom(this.#oddLots);
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
      case 10: this.#markets.set(msg.marketCode, msg); break;
      case 11: this.#sec(msg.securityCode).definition = msg; break;
      case 13: this.#sec(msg.securityCode).liquidityProviders = msg; break;
      case 14: this.#currencies.set(msg.currencyCode, msg); break;
      case 20: this.#sessions.set(msg.marketCode, msg); break;
      case 21: this.#sec(msg.securityCode).status = msg; break;
      case 22: this.#news.push(msg); break;
      case 23: this.#sec(msg.securityCode).vcm = msg; break;
      case 30: this.#addOrder(msg); break;
      case 31: {
        const s = this.#securities.get(msg.securityCode);
        const slot = s?.orders?.get(orderKey(msg.orderId));
        if (slot === undefined) this.anomalies.unknownOrder++;
        else this.#orders.qty[slot] = msg.quantity;
        break;
      }
      case 32: {
        const s = this.#securities.get(msg.securityCode);
        const key = orderKey(msg.orderId);
        const slot = s?.orders?.get(key);
        if (slot === undefined) this.anomalies.unknownOrder++;
        else { s!.orders!.delete(key); this.#orders.release(slot); }
        break;
      }
      case 33: this.#addOddLot(msg); break;
      case 34: {
        const s = this.#securities.get(msg.securityCode);
        const key = orderKey(msg.orderId);
        const slot = s?.oddLots?.get(key);
        if (slot === undefined) this.anomalies.unknownOrder++;
        else { s!.oddLots!.delete(key); this.#oddLots.release(slot); }
        break;
      }
      case 40: this.#sec(msg.securityCode).nominal = msg; break;
      case 41: this.#sec(msg.securityCode).iep = msg; break;
      case 43: this.#sec(msg.securityCode).reference = msg; break;
      case 44: this.#sec(msg.securityCode).yieldValue = msg; break;
      case 50: this.#sec(msg.securityCode).lastTrade = msg; break;
      case 51: this.#sec(msg.securityCode).lastTradeCancel = msg; break;
      case 52: this.#sec(msg.securityCode).lastTicker = msg; break;
      case 53: this.#applyAggregate(msg); break;
      case 54: this.#applyBrokerQueue(msg); break;
      case 56: this.#sec(msg.securityCode).imbalance = msg; break;
      case 60: this.#sec(msg.securityCode).statistics = msg; break;
      case 61: this.#turnovers.set(`${msg.marketCode}|${msg.currencyCode}`, msg); break;
      case 62: this.#sec(msg.securityCode).closing = msg; break;
      case 70: this.#indexDefs.set(msg.indexCode, msg); break;
      case 71: this.#indexData.set(msg.indexCode, msg); break;
      case 80: this.#quotaBalances.set(`${msg.stockConnectMarket}|${msg.tradingDirection}`, msg); break;
      case 81: this.#scTurnovers.set(`${msg.stockConnectMarket}|${msg.tradingDirection}`, msg); break;
      case 610: this.#ccMarkets.set(msg.marketCode, msg); break;
      case 611: this.#sec(msg.securityCode).ccDefinition = msg; break;
      case 621: this.#sec(msg.securityCode).ccStatus = msg; break;
      case 655: this.#sec(msg.securityCode).ccTopOfBook = msg; break;
      case 660: this.#sec(msg.securityCode).ccStatistics = msg; break;
      default: this.applied--; // control messages: the caller decides (see class comment)
    }
  }

  #addOrder(msg: AddOrder): void {
    const s = this.#sec(msg.securityCode);
    s.orders ??= new Map();
    const key = orderKey(msg.orderId);
    let slot = s.orders.get(key);
    if (slot !== undefined) this.anomalies.unknownOrder++;
    else { slot = this.#orders.alloc(); s.orders.set(key, slot); }
    const p = this.#orders;
    p.id[slot] = msg.orderId;
    p.price[slot] = msg.price;
    p.qty[slot] = msg.quantity;
    p.side[slot] = msg.side;
    p.broker[slot] = 0;
  }

  #addOddLot(msg: AddOddLotOrder): void {
    const s = this.#sec(msg.securityCode);
    s.oddLots ??= new Map();
    const key = orderKey(msg.orderId);
    let slot = s.oddLots.get(key);
    if (slot !== undefined) this.anomalies.unknownOrder++;
    else { slot = this.#oddLots.alloc(); s.oddLots.set(key, slot); }
    const p = this.#oddLots;
    p.id[slot] = msg.orderId;
    p.price[slot] = msg.price;
    p.qty[slot] = msg.quantity;
    p.side[slot] = msg.side;
    p.broker[slot] = msg.brokerId;
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
      if (e.side !== 0 && e.side !== 1) { this.anomalies.badPriceLevel++; continue; }
      const sideIdx = s.bookSlot * 2 + e.side;
      const base = sideIdx * MAX_BOOK_LEVELS;
      const n = a.count[sideIdx]!;
      const i = e.priceLevel - 1;
      switch (e.updateAction) {
        case 0: { // New: insert, shift down, truncate beyond 10
          if (i < 0 || i > n || i >= MAX_BOOK_LEVELS) { this.anomalies.badPriceLevel++; break; }
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
          if (i < 0 || i >= n) { this.anomalies.badPriceLevel++; break; }
          if (a.price[base + i] !== e.price) this.anomalies.badPriceLevel++;
          a.qty[base + i] = e.aggregateQuantity;
          a.orders[base + i] = e.numberOfOrders;
          break;
        case 2: // Delete: remove, shift up
          if (i < 0 || i >= n) { this.anomalies.badPriceLevel++; break; }
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
    const s = this.#sec(msg.securityCode);
    s.brokerQueue ??= [undefined, undefined];
    const packed = new Uint32Array(msg.items.length);
    for (let i = 0; i < msg.items.length; i++) {
      const it = msg.items[i]!;
      packed[i] = (it.item & 0xffff) | ((it.type.charCodeAt(0) & 0xff) << 16);
    }
    s.brokerQueue[msg.side - 1] = packed;
    const flag = msg.bqMoreFlag === 'Y' ? 'Y' : 'N';
    s.brokerQueueMore = msg.side === 1 ? flag + s.brokerQueueMore[1] : s.brokerQueueMore[0] + flag;
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
    const s = this.#securities.get(securityCode);
    return s?.orders ? this.#listOrders(s.orders, this.#orders) : [];
  }

  /** Odd-lot resting orders of a security in arrival order. */
  oddLotOrders(securityCode: number): RestingOrder[] {
    const s = this.#securities.get(securityCode);
    return s?.oddLots ? this.#listOrders(s.oddLots, this.#oddLots) : [];
  }

  #listOrders(map: Map<number | bigint, number>, p: OrderPool): RestingOrder[] {
    const out: RestingOrder[] = [];
    for (const slot of map.values()) {
      out.push({ orderId: p.id[slot]!, price: p.price[slot]!, quantity: p.qty[slot]!, side: p.side[slot]!, brokerId: p.broker[slot]! });
    }
    return out;
  }

  /** Broker queue side (1 buy, 2 sell) as items, best price first. */
  brokerQueue(securityCode: number, side: 1 | 2): { items: BrokerQueueItem[]; more: string } | undefined {
    const s = this.#securities.get(securityCode);
    const packed = s?.brokerQueue?.[side - 1];
    if (!s || !packed) return undefined;
    const items: BrokerQueueItem[] = [];
    for (const v of packed) items.push({ item: v & 0xffff, type: String.fromCharCode(v >>> 16) });
    return { items, more: s.brokerQueueMore[side - 1]! };
  }

  /** Latest Index Data per index code. */
  indexData(indexCode: string): IndexData | undefined {
    return this.#indexData.get(indexCode);
  }

  /** Market-level state (read-only views). */
  get markets(): ReadonlyMap<string, MarketDefinition> { return this.#markets; }
  get tradingSessions(): ReadonlyMap<string, TradingSessionStatus> { return this.#sessions; }
  get news(): readonly News[] { return this.#news; }

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
      const push = (t: number, m: OmdMessage | undefined) => { if (m && has(t)) out.push(m); };
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
      if (has(30) && s.orders) {
        for (const o of sortByPriceTime(this.#listOrders(s.orders, this.#orders))) {
          out.push({ msgType: 30, securityCode: code, orderId: o.orderId, price: o.price, quantity: o.quantity, side: o.side, orderType: '2', orderBookPosition: 0 });
        }
      }
      if (has(33) && s.oddLots) {
        for (const o of sortByPriceTime(this.#listOrders(s.oddLots, this.#oddLots))) {
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
    return `{${Object.keys(o).sort().map((k) => `${k}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}

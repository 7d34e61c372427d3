// A seeded, deterministic market: reference data for N securities and a real
// limit order book per security whose order flow (add / modify / delete /
// crossing orders that trade) is rendered into the messages each OMD product
// carries (spec §7): SF orders 30/31/32 + trades 50; SS/SP aggregate book 53
// (OMD-C §6 server behaviour), tickers 52 (SS) or trades 50 (SP), statistics 60,
// nominal 40; Index 70/71; complimentary 33/34, 54, 80/81; news 22; OMD-CC
// 610/611/621/655/660. Same seed → same messages.
import type { AggregateBookEntry, BrokerQueueItem, OmdMessage, SecurityDefinition, CcSecurityDefinition } from './messages.ts';
import { NULL_INT64 } from './messages.ts';
import type { CcMarket, OmdProduct, OmdService } from './channels.ts';
import { AggregateBookView, type TrueLevel } from './aggregate-view.ts';
import { moveTicks, roundDownToTick, SPREAD_TABLE_PART_A, ticksBetween, type SpreadTable } from './spread-table.ts';

/** mulberry32: small, fast, good enough for simulated order flow; never for anything secret. */
export class SeededRandom {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Well-known HK securities (code, English short name, Chinese name, board lot, indicative price P3). */
const HK_WELL_KNOWN: ReadonlyArray<[number, string, string, string, number, number]> = [
  [1, 'CKH HOLDINGS', '長和', '长和', 500, 48_500],
  [5, 'HSBC HOLDINGS', '滙豐控股', '汇丰控股', 400, 98_450],
  [700, 'TENCENT', '騰訊控股', '腾讯控股', 100, 512_000],
  [9988, 'BABA-W', '阿里巴巴－Ｗ', '阿里巴巴－Ｗ', 100, 132_400],
  [388, 'HKEX', '香港交易所', '香港交易所', 100, 398_600],
  [941, 'CHINA MOBILE', '中國移動', '中国移动', 500, 84_250],
  [1299, 'AIA', '友邦保險', '友邦保险', 200, 68_900],
  [2318, 'PING AN', '中國平安', '中国平安', 500, 52_350],
  [3690, 'MEITUAN-W', '美團－Ｗ', '美团－Ｗ', 100, 118_700],
  [2800, 'TRACKER FUND', '盈富基金', '盈富基金', 500, 25_750],
  [11, 'HANG SENG BANK', '恒生銀行', '恒生银行', 100, 112_300],
  [27, 'GALAXY ENT', '銀河娛樂', '银河娱乐', 1000, 36_250],
];

/** Well-known China Connect (SSE/SZSE) securities for OMD-CC (prices in CNY, P3). */
const CC_WELL_KNOWN: ReadonlyArray<[number, string, string, string, number, number]> = [
  [600519, 'ASHR', 'KWEICHOW MOUTAI', '贵州茅台', 100, 1_458_000],
  [601318, 'ASHR', 'PING AN', '中国平安', 100, 52_130],
  [600036, 'ASHR', 'CM BANK', '招商银行', 100, 41_280],
  [1, 'ASZR', 'PING AN BANK', '平安银行', 100, 11_450],
  [858, 'ASZR', 'WULIANGYE', '五粮液', 100, 128_900],
];

const BOARD_LOTS = [100, 400, 500, 1000, 2000] as const;
const BROKERS = Array.from({ length: 60 }, (_, i) => 1000 + i * 97);
/** A-shares trade in 0.01 CNY steps whatever the price. */
const A_SHARE_TABLE: SpreadTable = { code: 'CC', minPrice: 10, maxPrice: 99_999_990, bands: [{ lowExclusive: 0, highInclusive: 99_999_990, tick: 10 }] };

export interface GeneratedSecurity {
  securityCode: number;
  marketCode: string;
  shortName: string;
  nameTraditional: string;
  nameSimplified: string;
  lotSize: number;
  previousClosingPrice: number;
  currencyCode: string;
  table: SpreadTable;
}

export interface GeneratorChannel {
  channelId: number;
  product: OmdProduct;
  market?: CcMarket;
}

export interface ChannelBatch {
  channelId: number;
  msgs: OmdMessage[];
}

export interface GeneratorConfig {
  seed: number;
  /** Number of securities (the well-known ones first, then synthetic codes). */
  securities: number;
  service?: OmdService;
  /**
   * Channels to produce for; default one channel per product (SS, SP, SF, Index for OMD-C; CC for
   * OMD-CC). A CC channel with a market carries only that market's securities (spec §8.1).
   */
  channels?: ReadonlyArray<GeneratorChannel>;
  /** Virtual start time (ms since epoch) for trade and index times; each event advances 1 ms unless next() is given a time. */
  startTimeMs?: number;
}

interface RestingOrder {
  id: bigint;
  qty: number;
  broker: number;
}
interface Level {
  price: number;
  qty: number;
  orders: RestingOrder[];
}

/** One security's true book, plus what it has published. */
class SecurityMarket {
  readonly sec: GeneratedSecurity;
  readonly sides: [Level[], Level[]] = [[], []]; // [bids desc, asks asc]
  readonly oddLots: Array<{ id: bigint; side: number; broker: number }> = [];
  readonly view: AggregateBookView;
  nextOrderId: bigint;
  tradeId = 0;
  tickerId = 0;
  sharesTraded = 0n;
  turnover = 0n; // 3 decimals
  high = 0;
  low = 0;
  last = 0;
  open = 0;
  halted = false;
  lastTop = '';

  constructor(sec: GeneratedSecurity, rnd: SeededRandom) {
    this.sec = sec;
    this.view = new AggregateBookView(sec.securityCode, sec.table);
    this.nextOrderId = BigInt(sec.securityCode) * 10_000_000n + BigInt(rnd.int(1000));
  }

  newOrderId(rnd: SeededRandom): bigint {
    // OMD-C 3.9: unique per security per day, not consecutive.
    this.nextOrderId += BigInt(1 + rnd.int(7));
    return this.nextOrderId;
  }

  better(side: number, a: number, b: number): boolean {
    return side === 0 ? a > b : a < b;
  }

  /** Inserts a resting order at its price level (time priority: appended). */
  rest(side: number, price: number, order: RestingOrder): void {
    const lv = this.sides[side]!;
    let i = 0;
    while (i < lv.length && this.better(side, lv[i]!.price, price)) i++;
    if (i < lv.length && lv[i]!.price === price) {
      lv[i]!.orders.push(order);
      lv[i]!.qty += order.qty;
    } else lv.splice(i, 0, { price, qty: order.qty, orders: [order] });
  }

  trueLevels(side: number): TrueLevel[] {
    return this.sides[side]!.map((l) => ({ price: l.price, quantity: BigInt(l.qty), orders: l.orders.length }));
  }

  mid(): number {
    const b = this.sides[0][0]?.price;
    const a = this.sides[1][0]?.price;
    if (b !== undefined && a !== undefined) return roundDownToTick(this.sec.table, Math.floor((a + b) / 2));
    return b ?? a ?? (this.last || this.sec.previousClosingPrice);
  }
}

/** What one event did, before rendering per product. */
interface EventResult {
  m: SecurityMarket;
  orderMsgs: OmdMessage[]; // SF view: 30/31/32/50 in execution order
  trades: Array<{ price: number; qty: number; tradeId: number }>;
  sidesChanged: [boolean, boolean];
  oddLotMsgs: OmdMessage[];
}

/** Seeded, deterministic market-data source (see file comment). */
export class MarketGenerator {
  readonly service: OmdService;
  readonly securities: GeneratedSecurity[];
  readonly channels: ReadonlyArray<GeneratorChannel>;
  #rnd: SeededRandom;
  #markets: SecurityMarket[];
  #nowMs: number;
  #events = 0;
  #indexValue = 0n; // 4 decimals: HSI around 20,000.0000 = 200_000_000n
  #indexHigh = 0n;
  #indexLow = 0n;
  #newsId = 0;
  #marketTurnover = 0n;

  constructor(cfg: GeneratorConfig) {
    this.service = cfg.service ?? 'OMD-C';
    this.#rnd = new SeededRandom(cfg.seed);
    this.#nowMs = cfg.startTimeMs ?? Date.UTC(2026, 0, 9, 1, 30);
    this.#indexValue = 200_000_000n + BigInt(this.#rnd.int(20_000_000)); // 20,000.0000 ± (4 decimals)
    this.#indexHigh = this.#indexLow = this.#indexValue;
    const products: OmdProduct[] = this.service === 'OMD-CC' ? ['CC'] : ['SS', 'SP', 'SF', 'Index'];
    this.channels = cfg.channels ?? products.map((product, i) => ({ channelId: i + 1, product }));
    this.securities = this.service === 'OMD-CC' ? this.#ccSecurities(cfg.securities) : this.#hkSecurities(cfg.securities);
    this.#markets = this.securities.map((s) => new SecurityMarket(s, this.#rnd));
  }

  #hkSecurities(n: number): GeneratedSecurity[] {
    const out: GeneratedSecurity[] = [];
    const used = new Set<number>();
    for (const [code, en, tc, sc, lot, px] of HK_WELL_KNOWN.slice(0, n)) {
      used.add(code);
      out.push({
        securityCode: code,
        marketCode: 'MAIN',
        shortName: en,
        nameTraditional: tc,
        nameSimplified: sc,
        lotSize: lot,
        previousClosingPrice: px,
        currencyCode: 'HKD',
        table: SPREAD_TABLE_PART_A,
      });
    }
    let code = 2;
    while (out.length < n) {
      while (used.has(code)) code++;
      used.add(code);
      // Log-uniform price between 0.20 and 500, on the Part A grid.
      const px = roundDownToTick(SPREAD_TABLE_PART_A, Math.round(200 * Math.pow(2500, this.#rnd.next())));
      out.push({
        securityCode: code,
        marketCode: 'MAIN',
        shortName: `SIM STOCK ${code}`,
        nameTraditional: '',
        nameSimplified: '',
        lotSize: this.#rnd.pick(BOARD_LOTS),
        previousClosingPrice: px,
        currencyCode: 'HKD',
        table: SPREAD_TABLE_PART_A,
      });
      code += 1 + this.#rnd.int(40);
    }
    return out;
  }

  #ccSecurities(n: number): GeneratedSecurity[] {
    const out: GeneratedSecurity[] = [];
    for (const [code, mkt, en, sc, lot, px] of CC_WELL_KNOWN.slice(0, n)) {
      out.push({
        securityCode: code,
        marketCode: mkt,
        shortName: en,
        nameTraditional: '',
        nameSimplified: sc,
        lotSize: lot,
        previousClosingPrice: px,
        currencyCode: 'CNY',
        table: A_SHARE_TABLE,
      });
    }
    let sh = 600_100;
    let sz = 2_001;
    while (out.length < n) {
      const shanghai = this.#rnd.chance(0.5);
      const code = shanghai ? sh++ : sz++;
      const px = Math.round(3_000 + this.#rnd.int(100_000) / 10) * 10;
      out.push({
        securityCode: code,
        marketCode: shanghai ? 'ASHR' : 'ASZR',
        shortName: `SIM A ${code}`,
        nameTraditional: '',
        nameSimplified: '',
        lotSize: 100,
        previousClosingPrice: px,
        currencyCode: 'CNY',
        table: A_SHARE_TABLE,
      });
    }
    return out;
  }

  #channelsFor(product: OmdProduct, securityIndex: number): number | undefined {
    let list = this.channels.filter((c) => c.product === product);
    // OMD-CC: a security travels on a channel of its own market when the layout has per-market channels.
    if (product === 'CC' && list.some((c) => c.market !== undefined)) {
      const market = this.securities[securityIndex]!.marketCode;
      list = list.filter((c) => c.market === market);
    }
    if (list.length === 0) return undefined;
    return list[securityIndex % list.length]!.channelId;
  }

  /**
   * The complimentary feeds' channels (OMD-C 1.3): odd lots (33/34) on an OddLot channel, Stock
   * Connect (80/81) on a StockConnect channel, each falling back to SS when the layout has none.
   * The spec is unsure where Stock Connect travels (§12 U11: OMD-C 3.14 says "via complimentary
   * odd lot order feed", the 2017 history a separate "Stock Connect Market Feed"): ours is its own
   * channel when the layout has one, else the odd-lot channel (the 3.14 reading), else SS.
   */
  #complimentary(kind: 'OddLot' | 'StockConnect', securityIndex: number): number | undefined {
    const own = this.#channelsFor(kind, securityIndex);
    if (own !== undefined) return own;
    if (kind === 'StockConnect') {
      const oddLot = this.#channelsFor('OddLot', securityIndex);
      if (oddLot !== undefined) return oddLot;
    }
    return this.#channelsFor('SS', securityIndex);
  }

  get nowMs(): number {
    return this.#nowMs;
  }

  /** Reference data and opening books: the first batches after the publisher's Sequence Reset (OMD-C 2.2). */
  startOfDay(): ChannelBatch[] {
    const out = new Batches();
    const startNs = BigInt(this.#nowMs) * 1_000_000n;
    for (const ch of this.channels) {
      const p = ch.product;
      if (p === 'SS' || p === 'SP' || p === 'SF') {
        const mine = this.securities.filter((_, i) => this.#channelsFor(p, i) === ch.channelId);
        out.add(ch.channelId, { msgType: 10, marketCode: 'MAIN', marketName: 'Main Board', currencyCode: 'HKD', numberOfSecurities: mine.length });
        out.add(ch.channelId, { msgType: 14, currencyCode: 'USD', currencyFactor: 0, currencyRate: 77_830 });
        out.add(ch.channelId, { msgType: 14, currencyCode: 'CNY', currencyFactor: 0, currencyRate: 10_950 });
        out.add(ch.channelId, { msgType: 14, currencyCode: 'JPY', currencyFactor: 3, currencyRate: 519_400 });
        out.add(ch.channelId, {
          msgType: 20,
          marketCode: 'MAIN',
          tradingSessionSubId: 3,
          tradingSesStatus: 30,
          tradingSesControlFlag: '0',
          startDateTime: (startNs / 1_000_000_000n) * 1_000_000_000n,
          endDateTime: 0n,
        });
        for (const s of mine) {
          out.add(ch.channelId, securityDefinition(s));
          if (s.securityCode === 2800) out.add(ch.channelId, { msgType: 13, securityCode: s.securityCode, brokerNumbers: [9_001, 9_002] });
          if (p !== 'SF') out.add(ch.channelId, { msgType: 40, securityCode: s.securityCode, nominalPrice: s.previousClosingPrice });
        }
      } else if (p === 'Index') {
        out.add(ch.channelId, { msgType: 70, indexCode: '0000100', indexSource: 'H', currencyCode: 'HKD' });
        out.add(ch.channelId, { msgType: 70, indexCode: 'CSI300', indexSource: 'C', currencyCode: 'CNY' });
        out.add(ch.channelId, this.#indexData());
      } else if (p === 'CC') {
        const mine = this.securities.filter((_, i) => this.#channelsFor('CC', i) === ch.channelId);
        for (const [code, name] of [
          ['ASHR', 'Shanghai A via Connect'],
          ['ASZR', 'Shenzhen A via Connect'],
        ] as const) {
          if (ch.market !== undefined && ch.market !== code) continue;
          out.add(ch.channelId, {
            msgType: 610,
            marketCode: code,
            marketName: name,
            currencyCode: 'CNY',
            numberOfSecurities: mine.filter((s) => s.marketCode === code).length,
          });
        }
        for (const s of mine) out.add(ch.channelId, ccSecurityDefinition(s));
      }
    }
    // Opening books: a few levels each side around the previous close.
    for (let i = 0; i < this.#markets.length; i++) {
      const m = this.#markets[i]!;
      const px = m.sec.previousClosingPrice;
      const ev = this.#newEvent(m);
      for (const side of [0, 1] as const) {
        const levels = 3 + this.#rnd.int(4);
        for (let k = 0; k < levels; k++) {
          const price = moveTicks(m.sec.table, px, side === 0 ? -(k + 1) : k + 1);
          for (let o = 0, n = 1 + this.#rnd.int(3); o < n; o++) this.#addPassive(ev, side, price);
        }
      }
      this.#render(out, i, ev);
    }
    return out.list();
  }

  /** One market event (order flow on one security, or an index / Stock Connect / news tick); batches per channel. */
  next(nowMs?: number): ChannelBatch[] {
    this.#nowMs = nowMs ?? this.#nowMs + 1;
    this.#events++;
    const out = new Batches();
    const r = this.#rnd;
    if (this.service === 'OMD-C') {
      const idx = this.channels.find((c) => c.product === 'Index');
      if (idx && this.#events % 40 === 0) {
        out.add(idx.channelId, this.#indexData());
        return out.list();
      }
      if (this.#events % 500 === 250) {
        const sc = this.#complimentary('StockConnect', 0);
        if (sc !== undefined) {
          this.#stockConnect(out, sc, this.channels.find((c) => c.product === 'SS')?.channelId);
          return out.list();
        }
      }
      if (this.#events % 3000 === 1500) {
        this.#news(out);
        return out.list();
      }
    }
    const i = r.int(this.#markets.length);
    const m = this.#markets[i]!;
    const ev = this.#newEvent(m);
    if (this.service === 'OMD-CC' && r.chance(0.002)) {
      m.halted = !m.halted;
      const ch = this.#channelsFor('CC', i);
      if (ch !== undefined)
        out.add(ch, { msgType: 621, securityCode: m.sec.securityCode, securityTradingStatus: m.halted ? 2 : 3, tradingPhaseCode: m.halted ? 'H' : 'T' });
      return out.list();
    }
    const x = r.next();
    if (x < 0.5) {
      const side = r.int(2);
      const own = m.sides[side]![0]?.price;
      const opp = m.sides[1 - side]![0]?.price;
      const away = side === 0 ? -1 : 1;
      let price = own !== undefined ? moveTicks(m.sec.table, own, away * r.int(6)) : moveTicks(m.sec.table, m.mid(), away);
      // A passive order never crosses or locks the book.
      if (opp !== undefined && (side === 0 ? price >= opp : price <= opp)) price = moveTicks(m.sec.table, opp, away);
      if (this.service === 'OMD-C' && r.chance(0.05)) this.#addOddLot(ev, side, price);
      else this.#addPassive(ev, side, price);
    } else if (x < 0.62) {
      this.#modifySome(ev);
    } else if (x < 0.85) {
      this.#deleteSome(ev);
    } else {
      this.#aggress(ev, r.int(2));
    }
    this.#render(out, i, ev);
    return out.list();
  }

  /** `count` messages of the flow, flattened over channels (channel batches in order). */
  generate(count: number): OmdMessage[] {
    const out: OmdMessage[] = [];
    while (out.length < count) for (const b of this.next()) for (const m of b.msgs) out.push(m);
    out.length = count;
    return out;
  }

  #newEvent(m: SecurityMarket): EventResult {
    return { m, orderMsgs: [], trades: [], sidesChanged: [false, false], oddLotMsgs: [] };
  }

  #addPassive(ev: EventResult, side: number, price: number): void {
    const m = ev.m;
    const qty = m.sec.lotSize * (1 + this.#rnd.int(20));
    const id = m.newOrderId(this.#rnd);
    m.rest(side, price, { id, qty, broker: this.#rnd.pick(BROKERS) });
    ev.orderMsgs.push({ msgType: 30, securityCode: m.sec.securityCode, orderId: id, price, quantity: qty, side, orderType: '2', orderBookPosition: 0 });
    ev.sidesChanged[side] = true;
  }

  // Odd lots sit in their own book (33/34), never matched here; they expire by deletion.
  #addOddLot(ev: EventResult, side: number, price: number): void {
    const m = ev.m;
    const id = m.newOrderId(this.#rnd);
    const broker = this.#rnd.pick(BROKERS);
    m.oddLots.push({ id, side, broker });
    ev.oddLotMsgs.push({
      msgType: 33,
      securityCode: m.sec.securityCode,
      orderId: id,
      price,
      quantity: 1 + this.#rnd.int(m.sec.lotSize - 1),
      brokerId: broker,
      side,
    });
    if (m.oddLots.length > 20) {
      const o = m.oddLots.shift()!;
      ev.oddLotMsgs.push({ msgType: 34, securityCode: m.sec.securityCode, orderId: o.id, brokerId: o.broker, side: o.side });
    }
  }

  #randomOrder(m: SecurityMarket): { side: number; li: number; oi: number } | undefined {
    const side = this.#rnd.int(2);
    const lv = m.sides[side]!.length ? m.sides[side]! : m.sides[1 - side]!;
    if (lv.length === 0) return undefined;
    const li = this.#rnd.int(Math.min(lv.length, 12));
    return { side: lv === m.sides[side] ? side : 1 - side, li, oi: this.#rnd.int(lv[li]!.orders.length) };
  }

  // OMD-C 3.9.2: only the quantity can change; ours only reduces it (keeps priority).
  #modifySome(ev: EventResult): void {
    const m = ev.m;
    const at = this.#randomOrder(m);
    if (!at) return;
    const level = m.sides[at.side]![at.li]!;
    const o = level.orders[at.oi]!;
    const lots = o.qty / m.sec.lotSize;
    if (lots < 2) return this.#deleteAt(ev, at.side, at.li, at.oi);
    const newQty = m.sec.lotSize * (1 + this.#rnd.int(lots - 1));
    level.qty -= o.qty - newQty;
    o.qty = newQty;
    ev.orderMsgs.push({ msgType: 31, securityCode: m.sec.securityCode, orderId: o.id, quantity: newQty, side: at.side, orderBookPosition: 0 });
    ev.sidesChanged[at.side as 0 | 1] = true;
  }

  #deleteSome(ev: EventResult): void {
    const at = this.#randomOrder(ev.m);
    if (!at) return;
    // Keep a little depth so the book never empties for long.
    if (ev.m.sides[at.side]!.length <= 2 && ev.m.sides[at.side]![at.li]!.orders.length === 1)
      return this.#addPassive(ev, at.side, moveTicks(ev.m.sec.table, ev.m.mid(), at.side === 0 ? -1 : 1));
    if (this.service === 'OMD-C' && ev.m.oddLots.length > 0 && this.#rnd.chance(0.1)) {
      const o = ev.m.oddLots.shift()!;
      ev.oddLotMsgs.push({ msgType: 34, securityCode: ev.m.sec.securityCode, orderId: o.id, brokerId: o.broker, side: o.side });
      return;
    }
    this.#deleteAt(ev, at.side, at.li, at.oi);
  }

  #deleteAt(ev: EventResult, side: number, li: number, oi: number): void {
    const m = ev.m;
    const level = m.sides[side]![li]!;
    const [o] = level.orders.splice(oi, 1);
    level.qty -= o!.qty;
    if (level.orders.length === 0) m.sides[side]!.splice(li, 1);
    ev.orderMsgs.push({ msgType: 32, securityCode: m.sec.securityCode, orderId: o!.id, side });
    ev.sidesChanged[side as 0 | 1] = true;
  }

  // A crossing limit order: matches the opposite side best-first, FIFO per level; the rest rests.
  #aggress(ev: EventResult, side: number): void {
    const m = ev.m;
    const opp = 1 - side;
    const oppBest = m.sides[opp]![0]?.price ?? m.mid();
    const limit = moveTicks(m.sec.table, oppBest, side === 0 ? this.#rnd.int(3) : -this.#rnd.int(3));
    let qty = m.sec.lotSize * (1 + this.#rnd.int(30));
    const id = m.newOrderId(this.#rnd);
    const tradeTimeNs = BigInt(this.#nowMs) * 1_000_000n; // µs precision (OMD-C 3.10.1); ms is a subset
    const oppLevels = m.sides[opp]!;
    while (qty > 0 && oppLevels.length > 0) {
      const lv = oppLevels[0]!;
      if (side === 0 ? lv.price > limit : lv.price < limit) break;
      const o = lv.orders[0]!;
      const fill = Math.min(qty, o.qty);
      qty -= fill;
      o.qty -= fill;
      lv.qty -= fill;
      m.tradeId++;
      ev.trades.push({ price: lv.price, qty: fill, tradeId: m.tradeId });
      ev.orderMsgs.push({
        msgType: 50,
        securityCode: m.sec.securityCode,
        tradeId: m.tradeId,
        price: lv.price,
        quantity: fill,
        trdType: 0,
        tradeTime: tradeTimeNs,
      });
      if (o.qty === 0) {
        lv.orders.shift();
        ev.orderMsgs.push({ msgType: 32, securityCode: m.sec.securityCode, orderId: o.id, side: opp });
        if (lv.orders.length === 0) oppLevels.shift();
      } else {
        ev.orderMsgs.push({ msgType: 31, securityCode: m.sec.securityCode, orderId: o.id, quantity: o.qty, side: opp, orderBookPosition: 0 });
      }
      ev.sidesChanged[opp as 0 | 1] = true;
    }
    if (qty > 0) {
      m.rest(side, limit, { id, qty, broker: this.#rnd.pick(BROKERS) });
      ev.orderMsgs.push({
        msgType: 30,
        securityCode: m.sec.securityCode,
        orderId: id,
        price: limit,
        quantity: qty,
        side,
        orderType: '2',
        orderBookPosition: 0,
      });
      ev.sidesChanged[side as 0 | 1] = true;
    }
    for (const t of ev.trades) {
      const q = BigInt(t.qty);
      m.sharesTraded += q;
      m.turnover += q * BigInt(t.price);
      m.high = Math.max(m.high, t.price);
      m.low = m.low === 0 ? t.price : Math.min(m.low, t.price);
      m.last = t.price;
      if (m.open === 0) m.open = t.price;
      this.#marketTurnover += q * BigInt(t.price);
    }
  }

  /** Renders one event into the messages of every product channel that carries the security. */
  #render(out: Batches, i: number, ev: EventResult): void {
    const m = ev.m;
    const code = m.sec.securityCode;
    const cc = this.#channelsFor('CC', i);
    if (cc !== undefined) {
      const top = `${m.sides[0][0]?.price}:${m.sides[0][0]?.qty}:${m.sides[1][0]?.price}:${m.sides[1][0]?.qty}`;
      if (top !== m.lastTop) {
        m.lastTop = top;
        out.add(cc, {
          msgType: 655,
          securityCode: code,
          aggregateBidQuantity: BigInt(m.sides[0][0]?.qty ?? 0),
          aggregateAskQuantity: BigInt(m.sides[1][0]?.qty ?? 0),
          bidPrice: m.sides[0][0]?.price ?? 0,
          askPrice: m.sides[1][0]?.price ?? 0,
        });
      }
      if (ev.trades.length) {
        out.add(cc, {
          msgType: 660,
          securityCode: code,
          sharesTraded: m.sharesTraded,
          turnover: m.turnover,
          highPrice: m.high,
          lowPrice: m.low,
          lastPrice: m.last,
          openingPrice: m.open,
        });
      }
      return;
    }
    const sf = this.#channelsFor('SF', i);
    if (sf !== undefined) for (const msg of ev.orderMsgs) out.add(sf, msg);
    const oddLot = this.#complimentary('OddLot', i);
    const ss = this.#channelsFor('SS', i);
    const sp = this.#channelsFor('SP', i);
    if (ss === undefined && sp === undefined) {
      if (oddLot !== undefined) for (const msg of ev.oddLotMsgs) out.add(oddLot, msg);
      return;
    }
    const entries: AggregateBookEntry[] = [];
    for (const side of [0, 1] as const) if (ev.sidesChanged[side]) entries.push(...m.view.update(side, m.trueLevels(side)));
    // ≤ 60 entries fit one packet (spec §2.3); entries keep their order across the split messages.
    const books: OmdMessage[] = [];
    for (let k = 0; k < entries.length; k += 60) books.push({ msgType: 53, securityCode: code, entries: entries.slice(k, k + 60) });
    for (const [ch, product] of [
      [ss, 'SS'],
      [sp, 'SP'],
    ] as const) {
      if (ch === undefined) continue;
      for (const book of books) out.add(ch, book);
      if (product === 'SP')
        for (const t of ev.trades)
          out.add(ch, {
            msgType: 50,
            securityCode: code,
            tradeId: t.tradeId,
            price: t.price,
            quantity: t.qty,
            trdType: 0,
            tradeTime: BigInt(this.#nowMs) * 1_000_000n,
          });
      if (product === 'SS') {
        // OMD-C 3.10.3: consecutive trades at one price aggregate into one ticker.
        let k = 0;
        while (k < ev.trades.length) {
          const price = ev.trades[k]!.price;
          let q = 0n;
          while (k < ev.trades.length && ev.trades[k]!.price === price) q += BigInt(ev.trades[k++]!.qty);
          m.tickerId++;
          out.add(ch, {
            msgType: 52,
            securityCode: code,
            tickerId: m.tickerId,
            price,
            aggregateQuantity: q,
            tradeTime: BigInt(this.#nowMs) * 1_000_000n,
            trdType: 0,
            trdCancelFlag: 'N',
          });
        }
      }
      if (ev.trades.length) {
        const vwap = product === 'SP' && m.sharesTraded > 0n ? Number(m.turnover / m.sharesTraded) : 0; // VWAP empty on SS
        out.add(ch, {
          msgType: 60,
          securityCode: code,
          sharesTraded: m.sharesTraded,
          turnover: m.turnover,
          highPrice: m.high,
          lowPrice: m.low,
          lastPrice: m.last,
          vwap,
          shortSellSharesTraded: 0,
          shortSellTurnover: 0n,
        });
        out.add(ch, { msgType: 40, securityCode: code, nominalPrice: m.last });
      }
    }
    if (oddLot !== undefined) for (const msg of ev.oddLotMsgs) out.add(oddLot, msg);
    if (ss !== undefined) {
      for (const side of [0, 1] as const) {
        if (ev.sidesChanged[side] && this.#rnd.chance(0.25)) out.add(ss, { msgType: 54, securityCode: code, side: side + 1, ...brokerQueue(m, side) });
      }
    }
  }

  #indexData(): OmdMessage {
    const step = BigInt(this.#rnd.int(20_001) - 10_000) * 100n; // ±1.0000 points... in 4-decimal units ×100
    this.#indexValue += step;
    if (this.#indexValue > this.#indexHigh) this.#indexHigh = this.#indexValue;
    if (this.#indexValue < this.#indexLow) this.#indexLow = this.#indexValue;
    const prev = 200_000_000n;
    const chg = this.#indexValue - prev;
    return {
      msgType: 71,
      indexCode: '0000100',
      indexStatus: 'T',
      indexTime: (BigInt(this.#nowMs) / 1000n) * 1_000_000_000n,
      indexValue: this.#indexValue,
      netChgPrevDay: chg,
      highValue: this.#indexHigh,
      lowValue: this.#indexLow,
      easValue: NULL_INT64,
      indexTurnover: this.#marketTurnover * 10n,
      openingValue: prev,
      closingValue: NULL_INT64,
      previousSesClose: prev,
      indexVolume: NULL_INT64,
      netChgPrevDayPct: Number((chg * 1_000_000n) / prev),
      exception: '',
    };
  }

  /** Stock Connect 80/81 on `ch`; Market Turnover (61) is SS content and goes to `ss`. */
  #stockConnect(out: Batches, ch: number, ss: number | undefined): void {
    const t = (BigInt(this.#nowMs) / 1000n) * 1_000_000_000n;
    // OMD-C 3.14.1: null while the balance is at least 30 % of the quota.
    out.add(ch, { msgType: 80, stockConnectMarket: 'SH', tradingDirection: 'NB', dailyQuotaBalance: NULL_INT64, dailyQuotaBalanceTime: t });
    out.add(ch, { msgType: 80, stockConnectMarket: 'SZ', tradingDirection: 'NB', dailyQuotaBalance: NULL_INT64, dailyQuotaBalanceTime: t });
    const buy = BigInt(1_000_000 + this.#rnd.int(9_000_000));
    const sell = BigInt(1_000_000 + this.#rnd.int(9_000_000));
    out.add(ch, { msgType: 81, stockConnectMarket: 'SH', tradingDirection: 'SB', buyTurnover: buy, sellTurnover: sell, buySellTurnover: buy + sell });
    if (ss !== undefined) out.add(ss, { msgType: 61, marketCode: 'MAIN', currencyCode: '', turnover: this.#marketTurnover });
  }

  #news(out: Batches): void {
    this.#newsId++;
    const msg: OmdMessage = {
      msgType: 22,
      newsType: 'EXN',
      newsId: String(this.#newsId).padStart(3, '0'),
      headline: `Practice session notice ${this.#newsId}`,
      cancelFlag: 'N',
      lastFragment: 'Y',
      releaseTime: (BigInt(this.#nowMs) / 1000n) * 1_000_000_000n,
      marketCodes: [],
      securityCodes: [],
      newsLines: ['This is simulated exchange news from failover-drill.', 'No action is required.'],
    };
    for (const c of this.channels) if (c.product === 'SS' || c.product === 'SP') out.add(c.channelId, msg);
  }
}

/** Broker queue of one side (OMD-C 3.9.7): brokers best price first, 'S' items count spreads from the best. */
function brokerQueue(m: SecurityMarket, side: 0 | 1): { bqMoreFlag: string; items: BrokerQueueItem[] } {
  const items: BrokerQueueItem[] = [];
  const levels = m.sides[side];
  const best = levels[0];
  let more = 'N';
  if (best) {
    outer: for (const lv of levels) {
      const spreads = ticksBetween(m.sec.table, best.price, lv.price);
      if (spreads > 0) {
        // Spread markers for every step from the previous one; '0 S' = nobody at the previous marker.
        const prev = items.length ? lastSpread(items) : 0;
        for (let k = prev + 1; k < spreads; k++) {
          if (items.length + 2 > 40) {
            more = 'Y';
            break outer;
          }
          items.push({ item: k, type: 'S' }, { item: 0, type: 'S' });
        }
        if (items.length + 1 > 40) {
          more = 'Y';
          break;
        }
        items.push({ item: spreads, type: 'S' });
      }
      for (const o of lv.orders) {
        if (items.length === 40) {
          more = 'Y';
          break outer;
        }
        items.push({ item: o.broker, type: 'B' });
      }
    }
  }
  return { bqMoreFlag: more, items };
}

function lastSpread(items: BrokerQueueItem[]): number {
  for (let i = items.length - 1; i >= 0; i--) if (items[i]!.type === 'S' && items[i]!.item > 0) return items[i]!.item;
  return 0;
}

function securityDefinition(s: GeneratedSecurity): SecurityDefinition {
  return {
    msgType: 11,
    securityCode: s.securityCode,
    marketCode: s.marketCode,
    isinCode: `HK${String(s.securityCode).padStart(10, '0')}`,
    instrumentType: s.securityCode === 2800 ? 'TRST' : 'EQTY',
    productType: s.securityCode === 2800 ? 16 : 1,
    spreadTableCode: '01',
    securityShortName: s.shortName,
    currencyCode: s.currencyCode,
    securityNameGCCS: s.nameTraditional,
    securityNameGB: s.nameSimplified,
    lotSize: s.lotSize,
    previousClosingPrice: s.previousClosingPrice,
    vcmFlag: 'Y',
    shortSellFlag: 'Y',
    casFlag: 'Y',
    ccassFlag: 'Y',
    dummySecurityFlag: 'N',
    stampDutyFlag: s.securityCode === 2800 ? 'N' : 'Y',
    listingDate: 19_800_101 + (s.securityCode % 28),
    delistingDate: 0,
    freeText: '',
    posFlag: 'Y',
    posUpperLimit: 0,
    posLowerLimit: 0,
    domainStmtSecurityCode: 0,
    efnFlag: 'N',
    accruedInterest: 0,
    couponRate: 0,
    faceValue: 0n,
    decimalsInFaceValue: 0,
    faceValueCurrency: '',
    bondMaturityDate: 0,
    investorType: '',
    conversionRatio: 0,
    strikePrice1: 0,
    strikePrice2: 0,
    warrantMaturityDate: 0,
    callPutFlag: '',
    style: '',
    warrantType: '0',
    callPrice: 0,
    decimalsInCallPrice: 0,
    entitlement: 0,
    decimalsInEntitlement: 0,
    noWarrantsPerEntitlement: 0,
    underlyingSecurityCodes: [],
  };
}

function ccSecurityDefinition(s: GeneratedSecurity): CcSecurityDefinition {
  return {
    msgType: 611,
    securityCode: s.securityCode,
    marketCode: s.marketCode,
    isinCode: `CNE${String(s.securityCode).padStart(9, '0')}`,
    instrumentType: 'EQTY',
    securityShortName: s.shortName,
    currencyCode: s.currencyCode,
    securityNameGB: s.nameSimplified,
    lotSize: s.lotSize,
    previousClosingPrice: s.previousClosingPrice,
    shortSellFlag: 'N',
    listingDate: 20_010_827,
  };
}

/** Collects messages per channel, keeping channel order of first use. */
class Batches {
  #map = new Map<number, OmdMessage[]>();
  add(channelId: number, msg: OmdMessage): void {
    let l = this.#map.get(channelId);
    if (!l) this.#map.set(channelId, (l = []));
    l.push(msg);
  }
  list(): ChannelBatch[] {
    return [...this.#map].map(([channelId, msgs]) => ({ channelId, msgs }));
  }
}

/** A realistic message mix for benchmarks: start-of-day data for 20 securities, then order flow over SS/SP/SF/Index. */
export function generatorMix(seed: number, n: number): OmdMessage[] {
  const g = new MarketGenerator({ seed, securities: 20 });
  const out: OmdMessage[] = [];
  for (const b of g.startOfDay()) for (const m of b.msgs) out.push(m);
  if (out.length >= n) return out.slice(0, n);
  for (const m of g.generate(n - out.length)) out.push(m);
  return out;
}

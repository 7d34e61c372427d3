// Random but valid OMD messages of every type, for round-trip property tests.
// Valid = every field within its wire width and every string in a form the codec
// reproduces (no trailing pad characters, since decode trims them by design).
import type * as M from '../../src/omd/index.ts';
import type { OmdMessage } from '../../src/omd/index.ts';
import { MsgType, NULL_INT64 } from '../../src/omd/index.ts';

/** xorshift32 — deterministic, seeded, tiny. */
export class Prng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  u32(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n);
  }
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  bool(): boolean {
    return (this.u32() & 1) === 1;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  u8(): number {
    return this.u32() & 0xff;
  }
  u16(): number {
    return this.u32() & 0xffff;
  }
  i16(): number {
    return (this.u32() << 16) >> 16;
  }
  i32(): number {
    return this.u32() | 0;
  }
  /** Edge values often, random otherwise. */
  u32e(): number {
    return this.int(8) === 0 ? this.pick([0, 1, 0xffffffff, 0x80000000]) : this.u32();
  }
  i32e(): number {
    return this.int(8) === 0 ? this.pick([0, -1, -2147483648, 2147483647]) : this.i32();
  }
  u64(): bigint {
    if (this.int(8) === 0) return this.pick([0n, 1n, 0xffffffffffffffffn, 1n << 63n, (1n << 53n) + 1n]);
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }
  i64(): bigint {
    if (this.int(6) === 0) return this.pick([NULL_INT64, 0n, -1n, (1n << 63n) - 1n]);
    return BigInt.asIntN(64, this.u64());
  }
  /** ASCII of length 0..n: printable, inner spaces allowed, no trailing space. */
  ascii(n: number): string {
    const len = this.int(n + 1);
    let s = '';
    for (let i = 0; i < len; i++) s += String.fromCharCode(i < len - 1 && this.int(6) === 0 ? 0x20 : this.range(0x21, 0x7e));
    return s;
  }
  /** A one-character code: '' (space on the wire) or a printable character. */
  char(): string {
    return this.int(5) === 0 ? '' : String.fromCharCode(this.range(0x21, 0x7e));
  }
  /** UTF-16 text of at most bytes/2 code units: CJK and ASCII, no trailing U+0020/U+0000. */
  utf16(bytes: number): string {
    const len = this.int(bytes / 2 + 1);
    let s = '';
    for (let i = 0; i < len; i++) {
      const last = i === len - 1;
      s += String.fromCharCode(this.int(3) === 0 ? this.range(last ? 0x21 : 0x20, 0x7e) : this.range(0x4e00, 0x9fff));
    }
    return s;
  }
  list<T>(maxLen: number, f: () => T): T[] {
    const n = this.int(maxLen + 1);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(f());
    return out;
  }
}

type Gen = (r: Prng) => OmdMessage;

const gens: Record<number, Gen> = {
  10: (r): M.MarketDefinition => ({ msgType: 10, marketCode: r.ascii(4), marketName: r.ascii(25), currencyCode: r.ascii(3), numberOfSecurities: r.u32e() }),
  11: (r): M.SecurityDefinition => ({
    msgType: 11,
    securityCode: r.u32e(),
    marketCode: r.ascii(4),
    isinCode: r.ascii(12),
    instrumentType: r.ascii(4),
    productType: r.u8(),
    spreadTableCode: r.ascii(2),
    securityShortName: r.ascii(40),
    currencyCode: r.ascii(3),
    securityNameGCCS: r.utf16(60),
    securityNameGB: r.utf16(60),
    lotSize: r.u32e(),
    previousClosingPrice: r.i32e(),
    vcmFlag: r.char(),
    shortSellFlag: r.char(),
    casFlag: r.char(),
    ccassFlag: r.char(),
    dummySecurityFlag: r.char(),
    stampDutyFlag: r.char(),
    listingDate: r.u32e(),
    delistingDate: r.u32e(),
    freeText: r.ascii(38),
    posFlag: r.char(),
    posUpperLimit: r.i32e(),
    posLowerLimit: r.i32e(),
    domainStmtSecurityCode: r.u32e(),
    efnFlag: r.char(),
    accruedInterest: r.u32e(),
    couponRate: r.u32e(),
    faceValue: r.u64(),
    decimalsInFaceValue: r.u8(),
    faceValueCurrency: r.ascii(3),
    bondMaturityDate: r.u32e(),
    investorType: r.char(),
    conversionRatio: r.u32e(),
    strikePrice1: r.i32e(),
    strikePrice2: r.i32e(),
    warrantMaturityDate: r.u32e(),
    callPutFlag: r.char(),
    style: r.char(),
    warrantType: r.char(),
    callPrice: r.i32e(),
    decimalsInCallPrice: r.u8(),
    entitlement: r.i32e(),
    decimalsInEntitlement: r.u8(),
    noWarrantsPerEntitlement: r.u32e(),
    underlyingSecurityCodes: r.list(r.int(10) === 0 ? 20 : 1, () => r.u32e()),
  }),
  13: (r): M.LiquidityProvider => ({ msgType: 13, securityCode: r.u32e(), brokerNumbers: r.list(50, () => r.u16()) }),
  14: (r): M.CurrencyRate => ({ msgType: 14, currencyCode: r.ascii(3), currencyFactor: r.u16(), currencyRate: r.u32e() }),
  20: (r): M.TradingSessionStatus => ({
    msgType: 20,
    marketCode: r.ascii(4),
    tradingSessionSubId: r.u8(),
    tradingSesStatus: r.u8(),
    tradingSesControlFlag: r.char(),
    startDateTime: r.u64(),
    endDateTime: r.u64(),
  }),
  21: (r): M.SecurityStatus => ({ msgType: 21, securityCode: r.u32e(), suspensionIndicator: r.u8() }),
  22: (r): M.News => {
    const newsType = r.pick(['EXN', 'EXC', r.ascii(3)]);
    const wide = newsType === 'EXC';
    return {
      msgType: 22,
      newsType,
      newsId: r.ascii(3),
      headline: wide ? r.utf16(320) : r.ascii(320),
      cancelFlag: r.char(),
      lastFragment: r.char(),
      releaseTime: r.u64(),
      marketCodes: r.list(4, () => r.ascii(4)),
      securityCodes: r.list(r.int(4) === 0 ? 200 : 5, () => r.u32e()),
      newsLines: r.list(10, () => (wide ? r.utf16(160) : r.ascii(160))),
    };
  },
  23: (r): M.VcmTrigger => ({
    msgType: 23,
    securityCode: r.u32e(),
    coolingOffStartTime: r.u64(),
    coolingOffEndTime: r.u64(),
    vcmReferencePrice: r.i32e(),
    vcmLowerPrice: r.i32e(),
    vcmUpperPrice: r.i32e(),
  }),
  30: (r): M.AddOrder => ({
    msgType: 30,
    securityCode: r.u32e(),
    orderId: r.u64(),
    price: r.i32e(),
    quantity: r.u32e(),
    side: r.u16(),
    orderType: r.char(),
    orderBookPosition: r.i32e(),
  }),
  31: (r): M.ModifyOrder => ({ msgType: 31, securityCode: r.u32e(), orderId: r.u64(), quantity: r.u32e(), side: r.u16(), orderBookPosition: r.i32e() }),
  32: (r): M.DeleteOrder => ({ msgType: 32, securityCode: r.u32e(), orderId: r.u64(), side: r.u16() }),
  33: (r): M.AddOddLotOrder => ({
    msgType: 33,
    securityCode: r.u32e(),
    orderId: r.u64(),
    price: r.i32e(),
    quantity: r.u32e(),
    brokerId: r.u16(),
    side: r.u16(),
  }),
  34: (r): M.DeleteOddLotOrder => ({ msgType: 34, securityCode: r.u32e(), orderId: r.u64(), brokerId: r.u16(), side: r.u16() }),
  40: (r): M.NominalPrice => ({ msgType: 40, securityCode: r.u32e(), nominalPrice: r.i32e() }),
  41: (r): M.IndicativeEquilibriumPrice => ({ msgType: 41, securityCode: r.u32e(), price: r.i32e(), aggregateQuantity: r.u64() }),
  43: (r): M.ReferencePrice => ({ msgType: 43, securityCode: r.u32e(), referencePrice: r.i32e(), lowerPrice: r.i32e(), upperPrice: r.i32e() }),
  44: (r): M.Yield => ({ msgType: 44, securityCode: r.u32e(), yield: r.i32e() }),
  50: (r): M.Trade => ({ msgType: 50, securityCode: r.u32e(), tradeId: r.u32e(), price: r.i32e(), quantity: r.u32e(), trdType: r.i16(), tradeTime: r.u64() }),
  51: (r): M.TradeCancel => ({ msgType: 51, securityCode: r.u32e(), tradeId: r.u32e() }),
  52: (r): M.TradeTicker => ({
    msgType: 52,
    securityCode: r.u32e(),
    tickerId: r.u32e(),
    price: r.i32e(),
    aggregateQuantity: r.u64(),
    tradeTime: r.u64(),
    trdType: r.i16(),
    trdCancelFlag: r.char(),
  }),
  53: (r): M.AggregateOrderBookUpdate => ({
    msgType: 53,
    securityCode: r.u32e(),
    entries: r.list(r.int(10) === 0 ? 60 : 4, () => ({
      aggregateQuantity: r.u64(),
      price: r.i32e(),
      numberOfOrders: r.u32e(),
      side: r.u16(),
      priceLevel: r.u8(),
      updateAction: r.u8(),
    })),
  }),
  54: (r): M.BrokerQueue => ({
    msgType: 54,
    securityCode: r.u32e(),
    side: r.u16(),
    bqMoreFlag: r.char(),
    items: r.list(40, () => ({ item: r.u16(), type: r.char() })),
  }),
  56: (r): M.OrderImbalance => ({ msgType: 56, securityCode: r.u32e(), orderImbalanceDirection: r.char(), orderImbalanceQuantity: r.u64() }),
  60: (r): M.Statistics => ({
    msgType: 60,
    securityCode: r.u32e(),
    sharesTraded: r.u64(),
    turnover: r.i64(),
    highPrice: r.i32e(),
    lowPrice: r.i32e(),
    lastPrice: r.i32e(),
    vwap: r.i32e(),
    shortSellSharesTraded: r.u32e(),
    shortSellTurnover: r.i64(),
  }),
  61: (r): M.MarketTurnover => ({ msgType: 61, marketCode: r.ascii(4), currencyCode: r.ascii(3), turnover: r.i64() }),
  62: (r): M.ClosingPrice => ({ msgType: 62, securityCode: r.u32e(), closingPrice: r.i32e(), numberOfTrades: r.u32e() }),
  70: (r): M.IndexDefinition => ({ msgType: 70, indexCode: r.ascii(11), indexSource: r.char(), currencyCode: r.ascii(3) }),
  71: (r): M.IndexData => ({
    msgType: 71,
    indexCode: r.ascii(11),
    indexStatus: r.char(),
    indexTime: r.i64(),
    indexValue: r.i64(),
    netChgPrevDay: r.i64(),
    highValue: r.i64(),
    lowValue: r.i64(),
    easValue: r.i64(),
    indexTurnover: r.i64(),
    openingValue: r.i64(),
    closingValue: r.i64(),
    previousSesClose: r.i64(),
    indexVolume: r.i64(),
    netChgPrevDayPct: r.i32e(),
    exception: r.char(),
  }),
  80: (r): M.StockConnectDailyQuotaBalance => ({
    msgType: 80,
    stockConnectMarket: r.ascii(2),
    tradingDirection: r.ascii(2),
    dailyQuotaBalance: r.i64(),
    dailyQuotaBalanceTime: r.u64(),
  }),
  81: (r): M.StockConnectMarketTurnover => ({
    msgType: 81,
    stockConnectMarket: r.ascii(2),
    tradingDirection: r.ascii(2),
    buyTurnover: r.i64(),
    sellTurnover: r.i64(),
    buySellTurnover: r.i64(),
  }),
  100: (r): M.SequenceReset => ({ msgType: 100, newSeqNo: r.u32e() }),
  101: (r): M.Logon => ({ msgType: 101, username: r.ascii(12) }),
  102: (r): M.LogonResponse => ({ msgType: 102, sessionStatus: r.u8() }),
  105: (r): M.DisasterRecoverySignal => ({ msgType: 105, drStatus: r.u32e() }),
  201: (r): M.RetransmissionRequest => ({ msgType: 201, channelId: r.u16(), beginSeqNum: r.u32e(), endSeqNum: r.u32e() }),
  202: (r): M.RetransmissionResponse => ({ msgType: 202, channelId: r.u16(), retransStatus: r.u8(), beginSeqNum: r.u32e(), endSeqNum: r.u32e() }),
  203: (r): M.RefreshComplete => ({ msgType: 203, lastSeqNum: r.u32e() }),
  610: (r): M.CcMarketDefinition => ({ msgType: 610, marketCode: r.ascii(4), marketName: r.ascii(25), currencyCode: r.ascii(3), numberOfSecurities: r.u32e() }),
  611: (r): M.CcSecurityDefinition => ({
    msgType: 611,
    securityCode: r.u32e(),
    marketCode: r.ascii(4),
    isinCode: r.ascii(12),
    instrumentType: r.ascii(4),
    securityShortName: r.ascii(40),
    currencyCode: r.ascii(3),
    securityNameGB: r.utf16(60),
    lotSize: r.u32e(),
    previousClosingPrice: r.i32e(),
    shortSellFlag: r.char(),
    listingDate: r.u32e(),
  }),
  621: (r): M.CcSecurityStatus => ({ msgType: 621, securityCode: r.u32e(), securityTradingStatus: r.u8(), tradingPhaseCode: r.ascii(8) }),
  655: (r): M.CcTopOfBook => ({
    msgType: 655,
    securityCode: r.u32e(),
    aggregateBidQuantity: r.u64(),
    aggregateAskQuantity: r.u64(),
    bidPrice: r.i32e(),
    askPrice: r.i32e(),
  }),
  660: (r): M.CcStatistics => ({
    msgType: 660,
    securityCode: r.u32e(),
    sharesTraded: r.u64(),
    turnover: r.i64(),
    highPrice: r.i32e(),
    lowPrice: r.i32e(),
    lastPrice: r.i32e(),
    openingPrice: r.i32e(),
  }),
};

export const ALL_TYPES: number[] = Object.values(MsgType);

export function randomMessage(r: Prng, type: number): OmdMessage {
  const g = gens[type];
  if (!g) throw new Error(`no generator for MsgType ${type}`);
  return g(r);
}

export function randomAnyMessage(r: Prng): OmdMessage {
  return randomMessage(r, r.pick(ALL_TYPES));
}

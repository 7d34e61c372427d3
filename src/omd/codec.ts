// OMD-C / OMD-CC message codec (spec/omd-c.md §1, §2.2, §4, §5, §8.1). Knows nothing about sockets.
// Little-endian, packed; fillers written as 0x00 and never read. One dispatch switch per direction.
import type * as M from './messages.ts';
import type { OmdMessage } from './messages.ts';
import { decodeError, type OmdDecodeError } from './errors.ts';

export type { OmdDecodeError, OmdDecodeErrorCode } from './errors.ts';
export { decodeError, isDecodeError } from './errors.ts';

/** Size of the MsgSize/MsgType prefix of every message (OMD-C 3.2). */
export const MESSAGE_HEADER_SIZE = 4;

/**
 * Fixed part of each message layout, in bytes including the 4-byte header (spec §4, §5, §8.1).
 * For the variable-length messages (11, 13, 22, 53, 54) it is the size with no repeating groups.
 * A message whose MsgSize is below this is rejected (MSG_TRUNCATED); above it is tolerated (§2.2).
 */
export const FIXED_SIZE: Readonly<Record<number, number>> = {
  10: 40,
  11: 544,
  13: 10,
  14: 16,
  20: 32,
  21: 12,
  22: 356,
  23: 36,
  30: 32,
  31: 28,
  32: 20,
  33: 28,
  34: 20,
  40: 12,
  41: 20,
  43: 20,
  44: 12,
  50: 32,
  51: 12,
  52: 36,
  53: 12,
  54: 12,
  56: 20,
  60: 52,
  61: 20,
  62: 16,
  70: 20,
  71: 112,
  80: 24,
  81: 32,
  100: 8,
  101: 16,
  102: 8,
  105: 8,
  201: 16,
  202: 16,
  203: 8,
  610: 40,
  611: 220,
  621: 20,
  655: 40,
  660: 52,
};

/** FIXED_SIZE as a flat table indexed by MsgType (0 = unknown), for the decode hot path. */
const FIXED_SIZE_TABLE = new Uint16Array(0x10000);
for (const [t, n] of Object.entries(FIXED_SIZE)) FIXED_SIZE_TABLE[Number(t)] = n;

/** Fixed layout size of a MsgType, 0 when the type is unknown. */
export function fixedSizeOf(type: number): number {
  return FIXED_SIZE_TABLE[type & 0xffff]!;
}

// News (22) field widths, OMD-C 3.12.
const NEWS_HEADLINE_BYTES = 320;
const NEWS_LINE_BYTES = 160;

/** A DataView over exactly the bytes of u8. */
export function viewOf(u8: Uint8Array): DataView {
  return new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
}

// ---- string fields (spec §1) ----

const CHAR: string[] = [];
for (let c = 0; c < 256; c++) CHAR.push(String.fromCharCode(c));

/** ASCII char[n], right padding (spaces; NULs tolerated) trimmed. */
export function readAscii(u8: Uint8Array, o: number, n: number): string {
  let e = o + n;
  while (e > o) {
    const c = u8[e - 1]!;
    if (c !== 0x20 && c !== 0) break;
    e--;
  }
  let s = '';
  for (let i = o; i < e; i++) s += CHAR[u8[i]!]!;
  return s;
}

/** One-character code; space (or NUL) decodes as ''. */
export function readChar(u8: Uint8Array, o: number): string {
  const c = u8[o]!;
  return c === 0x20 || c === 0 ? '' : CHAR[c]!;
}

/** UTF-16LE field; trailing U+0000 and U+0020 stripped (spec §1, §12 U9). */
export function readUtf16(u8: Uint8Array, o: number, n: number): string {
  let e = o + (n & ~1);
  while (e > o) {
    const cu = u8[e - 2]! | (u8[e - 1]! << 8);
    if (cu !== 0 && cu !== 0x20) break;
    e -= 2;
  }
  let s = '';
  for (let i = o; i < e; i += 2) s += String.fromCharCode(u8[i]! | (u8[i + 1]! << 8));
  return s;
}

function tooLong(field: string, s: string, n: number): never {
  throw new RangeError(`OMD field ${field} is ${s.length} characters, its width is ${n}`);
}

/** ASCII char[n], right-padded with pad (0x20 normally; 0x00 for RTS Username, OMD-C 3.5.1). */
export function writeAscii(u8: Uint8Array, o: number, n: number, s: string, field: string, pad = 0x20): void {
  const len = s.length;
  if (len > n) tooLong(field, s, n);
  for (let i = 0; i < len; i++) u8[o + i] = s.charCodeAt(i) & 0xff;
  for (let i = len; i < n; i++) u8[o + i] = pad;
}

/** One-character code; '' is written as a space. */
export function writeChar(u8: Uint8Array, o: number, s: string, field: string): void {
  if (s.length > 1) tooLong(field, s, 1);
  u8[o] = s.length === 0 ? 0x20 : s.charCodeAt(0) & 0xff;
}

/** UTF-16LE field of n bytes, NUL-padded (ours, as OMD-D states; §12 U9). */
export function writeUtf16(u8: Uint8Array, o: number, n: number, s: string, field: string): void {
  const len = s.length;
  if (len * 2 > n) tooLong(field, s, n >> 1);
  for (let i = 0; i < len; i++) {
    const cu = s.charCodeAt(i);
    u8[o + 2 * i] = cu & 0xff;
    u8[o + 2 * i + 1] = cu >>> 8;
  }
  for (let i = len * 2; i < n; i++) u8[o + i] = 0;
}

/** News text is UTF-16LE for Chinese exchange news 'EXC', ASCII otherwise (OMD-C 3.12). */
function newsIsUtf16(newsType: string): boolean {
  return newsType === 'EXC';
}

// ---------------------------------------------------------------------------
// Sizes

/** Bytes the message occupies on the wire, including its 4-byte MsgSize/MsgType header. */
export function messageSize(msg: OmdMessage): number {
  switch (msg.msgType) {
    case 22: {
      const n = 356 + 4 * msg.marketCodes.length + 4 * msg.securityCodes.length + 160 * msg.newsLines.length;
      if (n > 0xffff) throw new RangeError(`News of ${n} bytes exceeds MsgSize u16; use splitNews`);
      return n;
    }
    case 11:
      return 544 + 8 * msg.underlyingSecurityCodes.length;
    case 13:
      return 10 + 2 * msg.brokerNumbers.length;
    case 53:
      return 12 + 24 * msg.entries.length;
    case 54:
      return 12 + 4 * msg.items.length;
    default:
      return FIXED_SIZE_TABLE[msg.msgType]!;
  }
}

// ---------------------------------------------------------------------------
// Decode: one function per type, each building its object with a fixed property
// order (one hidden class per message type keeps V8 call sites monomorphic).

function decMarketDefinition(u8: Uint8Array, dv: DataView, o: number): M.MarketDefinition {
  return {
    msgType: 10,
    marketCode: readAscii(u8, o + 4, 4),
    marketName: readAscii(u8, o + 8, 25),
    currencyCode: readAscii(u8, o + 33, 3),
    numberOfSecurities: dv.getUint32(o + 36, true),
  };
}

function decSecurityDefinition(u8: Uint8Array, dv: DataView, o: number): M.SecurityDefinition {
  const nU = dv.getUint16(o + 542, true);
  const underlyingSecurityCodes: number[] = [];
  for (let i = 0; i < nU; i++) underlyingSecurityCodes.push(dv.getUint32(o + 544 + 8 * i, true));
  return {
    msgType: 11,
    securityCode: dv.getUint32(o + 4, true),
    marketCode: readAscii(u8, o + 8, 4),
    isinCode: readAscii(u8, o + 12, 12),
    instrumentType: readAscii(u8, o + 24, 4),
    productType: u8[o + 28]!,
    spreadTableCode: readAscii(u8, o + 30, 2),
    securityShortName: readAscii(u8, o + 32, 40),
    currencyCode: readAscii(u8, o + 72, 3),
    securityNameGCCS: readUtf16(u8, o + 75, 60),
    securityNameGB: readUtf16(u8, o + 135, 60),
    lotSize: dv.getUint32(o + 195, true),
    previousClosingPrice: dv.getInt32(o + 203, true),
    vcmFlag: readChar(u8, o + 207),
    shortSellFlag: readChar(u8, o + 208),
    casFlag: readChar(u8, o + 209),
    ccassFlag: readChar(u8, o + 210),
    dummySecurityFlag: readChar(u8, o + 211),
    stampDutyFlag: readChar(u8, o + 213),
    listingDate: dv.getUint32(o + 215, true),
    delistingDate: dv.getUint32(o + 219, true),
    freeText: readAscii(u8, o + 223, 38),
    posFlag: readChar(u8, o + 323),
    posUpperLimit: dv.getInt32(o + 324, true),
    posLowerLimit: dv.getInt32(o + 328, true),
    domainStmtSecurityCode: dv.getUint32(o + 332, true),
    efnFlag: readChar(u8, o + 373),
    accruedInterest: dv.getUint32(o + 374, true),
    couponRate: dv.getUint32(o + 378, true),
    faceValue: dv.getBigUint64(o + 383, true),
    decimalsInFaceValue: u8[o + 391]!,
    faceValueCurrency: readAscii(u8, o + 392, 3),
    bondMaturityDate: dv.getUint32(o + 395, true),
    investorType: readChar(u8, o + 399),
    conversionRatio: dv.getUint32(o + 444, true),
    strikePrice1: dv.getInt32(o + 448, true),
    strikePrice2: dv.getInt32(o + 452, true),
    warrantMaturityDate: dv.getUint32(o + 456, true),
    callPutFlag: readChar(u8, o + 460),
    style: readChar(u8, o + 461),
    warrantType: readChar(u8, o + 464),
    callPrice: dv.getInt32(o + 465, true),
    decimalsInCallPrice: u8[o + 469]!,
    entitlement: dv.getInt32(o + 470, true),
    decimalsInEntitlement: u8[o + 474]!,
    noWarrantsPerEntitlement: dv.getUint32(o + 475, true),
    underlyingSecurityCodes,
  };
}

function decLiquidityProvider(dv: DataView, o: number): M.LiquidityProvider {
  const n = dv.getUint16(o + 8, true);
  const brokerNumbers: number[] = [];
  for (let i = 0; i < n; i++) brokerNumbers.push(dv.getUint16(o + 10 + 2 * i, true));
  return { msgType: 13, securityCode: dv.getUint32(o + 4, true), brokerNumbers };
}

function decCurrencyRate(u8: Uint8Array, dv: DataView, o: number): M.CurrencyRate {
  return {
    msgType: 14,
    currencyCode: readAscii(u8, o + 4, 3),
    currencyFactor: dv.getUint16(o + 8, true),
    currencyRate: dv.getUint32(o + 12, true),
  };
}

function decTradingSessionStatus(u8: Uint8Array, dv: DataView, o: number): M.TradingSessionStatus {
  return {
    msgType: 20,
    marketCode: readAscii(u8, o + 4, 4),
    tradingSessionSubId: u8[o + 9]!,
    tradingSesStatus: u8[o + 10]!,
    tradingSesControlFlag: readChar(u8, o + 11),
    startDateTime: dv.getBigUint64(o + 16, true),
    endDateTime: dv.getBigUint64(o + 24, true),
  };
}

function decSecurityStatus(u8: Uint8Array, dv: DataView, o: number): M.SecurityStatus {
  return { msgType: 21, securityCode: dv.getUint32(o + 4, true), suspensionIndicator: u8[o + 8]! };
}

function decNews(u8: Uint8Array, dv: DataView, o: number): M.News {
  const newsType = readAscii(u8, o + 4, 3);
  const wide = newsIsUtf16(newsType);
  let p = o + 346;
  const nM = dv.getUint16(p, true);
  p += 2;
  const marketCodes: string[] = [];
  for (let i = 0; i < nM; i++, p += 4) marketCodes.push(readAscii(u8, p, 4));
  p += 2;
  const nS = dv.getUint16(p, true);
  p += 2;
  const securityCodes: number[] = [];
  for (let i = 0; i < nS; i++, p += 4) securityCodes.push(dv.getUint32(p, true));
  p += 2;
  const nP = dv.getUint16(p, true);
  p += 2;
  const newsLines: string[] = [];
  for (let i = 0; i < nP; i++, p += NEWS_LINE_BYTES) {
    newsLines.push(wide ? readUtf16(u8, p, NEWS_LINE_BYTES) : readAscii(u8, p, NEWS_LINE_BYTES));
  }
  return {
    msgType: 22,
    newsType,
    newsId: readAscii(u8, o + 7, 3),
    headline: wide ? readUtf16(u8, o + 10, NEWS_HEADLINE_BYTES) : readAscii(u8, o + 10, NEWS_HEADLINE_BYTES),
    cancelFlag: readChar(u8, o + 330),
    lastFragment: readChar(u8, o + 331),
    releaseTime: dv.getBigUint64(o + 336, true),
    marketCodes,
    securityCodes,
    newsLines,
  };
}

function decVcmTrigger(dv: DataView, o: number): M.VcmTrigger {
  return {
    msgType: 23,
    securityCode: dv.getUint32(o + 4, true),
    coolingOffStartTime: dv.getBigUint64(o + 8, true),
    coolingOffEndTime: dv.getBigUint64(o + 16, true),
    vcmReferencePrice: dv.getInt32(o + 24, true),
    vcmLowerPrice: dv.getInt32(o + 28, true),
    vcmUpperPrice: dv.getInt32(o + 32, true),
  };
}

function decAddOrder(u8: Uint8Array, dv: DataView, o: number): M.AddOrder {
  return {
    msgType: 30,
    securityCode: dv.getUint32(o + 4, true),
    orderId: dv.getBigUint64(o + 8, true),
    price: dv.getInt32(o + 16, true),
    quantity: dv.getUint32(o + 20, true),
    side: dv.getUint16(o + 24, true),
    orderType: readChar(u8, o + 26),
    orderBookPosition: dv.getInt32(o + 28, true),
  };
}

function decModifyOrder(dv: DataView, o: number): M.ModifyOrder {
  return {
    msgType: 31,
    securityCode: dv.getUint32(o + 4, true),
    orderId: dv.getBigUint64(o + 8, true),
    quantity: dv.getUint32(o + 16, true),
    side: dv.getUint16(o + 20, true),
    orderBookPosition: dv.getInt32(o + 24, true),
  };
}

function decDeleteOrder(dv: DataView, o: number): M.DeleteOrder {
  return {
    msgType: 32,
    securityCode: dv.getUint32(o + 4, true),
    orderId: dv.getBigUint64(o + 8, true),
    side: dv.getUint16(o + 16, true),
  };
}

function decAddOddLotOrder(dv: DataView, o: number): M.AddOddLotOrder {
  return {
    msgType: 33,
    securityCode: dv.getUint32(o + 4, true),
    orderId: dv.getBigUint64(o + 8, true),
    price: dv.getInt32(o + 16, true),
    quantity: dv.getUint32(o + 20, true),
    brokerId: dv.getUint16(o + 24, true),
    side: dv.getUint16(o + 26, true),
  };
}

function decDeleteOddLotOrder(dv: DataView, o: number): M.DeleteOddLotOrder {
  return {
    msgType: 34,
    securityCode: dv.getUint32(o + 4, true),
    orderId: dv.getBigUint64(o + 8, true),
    brokerId: dv.getUint16(o + 16, true),
    side: dv.getUint16(o + 18, true),
  };
}

function decNominalPrice(dv: DataView, o: number): M.NominalPrice {
  return { msgType: 40, securityCode: dv.getUint32(o + 4, true), nominalPrice: dv.getInt32(o + 8, true) };
}

function decIep(dv: DataView, o: number): M.IndicativeEquilibriumPrice {
  return {
    msgType: 41,
    securityCode: dv.getUint32(o + 4, true),
    price: dv.getInt32(o + 8, true),
    aggregateQuantity: dv.getBigUint64(o + 12, true),
  };
}

function decReferencePrice(dv: DataView, o: number): M.ReferencePrice {
  return {
    msgType: 43,
    securityCode: dv.getUint32(o + 4, true),
    referencePrice: dv.getInt32(o + 8, true),
    lowerPrice: dv.getInt32(o + 12, true),
    upperPrice: dv.getInt32(o + 16, true),
  };
}

function decYield(dv: DataView, o: number): M.Yield {
  return { msgType: 44, securityCode: dv.getUint32(o + 4, true), yield: dv.getInt32(o + 8, true) };
}

function decTrade(dv: DataView, o: number): M.Trade {
  return {
    msgType: 50,
    securityCode: dv.getUint32(o + 4, true),
    tradeId: dv.getUint32(o + 8, true),
    price: dv.getInt32(o + 12, true),
    quantity: dv.getUint32(o + 16, true),
    trdType: dv.getInt16(o + 20, true),
    tradeTime: dv.getBigUint64(o + 24, true),
  };
}

function decTradeCancel(dv: DataView, o: number): M.TradeCancel {
  return { msgType: 51, securityCode: dv.getUint32(o + 4, true), tradeId: dv.getUint32(o + 8, true) };
}

function decTradeTicker(u8: Uint8Array, dv: DataView, o: number): M.TradeTicker {
  return {
    msgType: 52,
    securityCode: dv.getUint32(o + 4, true),
    tickerId: dv.getUint32(o + 8, true),
    price: dv.getInt32(o + 12, true),
    aggregateQuantity: dv.getBigUint64(o + 16, true),
    tradeTime: dv.getBigUint64(o + 24, true),
    trdType: dv.getInt16(o + 32, true),
    trdCancelFlag: readChar(u8, o + 34),
  };
}

function decAggregateOrderBookUpdate(u8: Uint8Array, dv: DataView, o: number): M.AggregateOrderBookUpdate {
  const n = u8[o + 11]!;
  // sized once: growing an array by push reallocates its backing store
  const entries: M.AggregateBookEntry[] = new Array(n);
  for (let i = 0, p = o + 12; i < n; i++, p += 24) {
    entries[i] = {
      aggregateQuantity: dv.getBigUint64(p, true),
      price: dv.getInt32(p + 8, true),
      numberOfOrders: dv.getUint32(p + 12, true),
      side: dv.getUint16(p + 16, true),
      priceLevel: u8[p + 18]!,
      updateAction: u8[p + 19]!,
    };
  }
  return { msgType: 53, securityCode: dv.getUint32(o + 4, true), entries };
}

function decBrokerQueue(u8: Uint8Array, dv: DataView, o: number): M.BrokerQueue {
  const n = u8[o + 8]!;
  const items: M.BrokerQueueItem[] = new Array(n);
  for (let i = 0, p = o + 12; i < n; i++, p += 4) items[i] = { item: dv.getUint16(p, true), type: readChar(u8, p + 2) };
  return {
    msgType: 54,
    securityCode: dv.getUint32(o + 4, true),
    side: dv.getUint16(o + 9, true),
    bqMoreFlag: readChar(u8, o + 11),
    items,
  };
}

function decOrderImbalance(u8: Uint8Array, dv: DataView, o: number): M.OrderImbalance {
  return {
    msgType: 56,
    securityCode: dv.getUint32(o + 4, true),
    orderImbalanceDirection: readChar(u8, o + 8),
    orderImbalanceQuantity: dv.getBigUint64(o + 10, true),
  };
}

function decStatistics(dv: DataView, o: number): M.Statistics {
  return {
    msgType: 60,
    securityCode: dv.getUint32(o + 4, true),
    sharesTraded: dv.getBigUint64(o + 8, true),
    turnover: dv.getBigInt64(o + 16, true),
    highPrice: dv.getInt32(o + 24, true),
    lowPrice: dv.getInt32(o + 28, true),
    lastPrice: dv.getInt32(o + 32, true),
    vwap: dv.getInt32(o + 36, true),
    shortSellSharesTraded: dv.getUint32(o + 40, true),
    shortSellTurnover: dv.getBigInt64(o + 44, true),
  };
}

function decMarketTurnover(u8: Uint8Array, dv: DataView, o: number): M.MarketTurnover {
  return {
    msgType: 61,
    marketCode: readAscii(u8, o + 4, 4),
    currencyCode: readAscii(u8, o + 8, 3),
    turnover: dv.getBigInt64(o + 12, true),
  };
}

function decClosingPrice(dv: DataView, o: number): M.ClosingPrice {
  return {
    msgType: 62,
    securityCode: dv.getUint32(o + 4, true),
    closingPrice: dv.getInt32(o + 8, true),
    numberOfTrades: dv.getUint32(o + 12, true),
  };
}

function decIndexDefinition(u8: Uint8Array, o: number): M.IndexDefinition {
  return {
    msgType: 70,
    indexCode: readAscii(u8, o + 4, 11),
    indexSource: readChar(u8, o + 15),
    currencyCode: readAscii(u8, o + 16, 3),
  };
}

function decIndexData(u8: Uint8Array, dv: DataView, o: number): M.IndexData {
  return {
    msgType: 71,
    indexCode: readAscii(u8, o + 4, 11),
    indexStatus: readChar(u8, o + 15),
    indexTime: dv.getBigInt64(o + 16, true),
    indexValue: dv.getBigInt64(o + 24, true),
    netChgPrevDay: dv.getBigInt64(o + 32, true),
    highValue: dv.getBigInt64(o + 40, true),
    lowValue: dv.getBigInt64(o + 48, true),
    easValue: dv.getBigInt64(o + 56, true),
    indexTurnover: dv.getBigInt64(o + 64, true),
    openingValue: dv.getBigInt64(o + 72, true),
    closingValue: dv.getBigInt64(o + 80, true),
    previousSesClose: dv.getBigInt64(o + 88, true),
    indexVolume: dv.getBigInt64(o + 96, true),
    netChgPrevDayPct: dv.getInt32(o + 104, true),
    exception: readChar(u8, o + 108),
  };
}

function decDailyQuotaBalance(u8: Uint8Array, dv: DataView, o: number): M.StockConnectDailyQuotaBalance {
  return {
    msgType: 80,
    stockConnectMarket: readAscii(u8, o + 4, 2),
    tradingDirection: readAscii(u8, o + 6, 2),
    dailyQuotaBalance: dv.getBigInt64(o + 8, true),
    dailyQuotaBalanceTime: dv.getBigUint64(o + 16, true),
  };
}

function decStockConnectTurnover(u8: Uint8Array, dv: DataView, o: number): M.StockConnectMarketTurnover {
  return {
    msgType: 81,
    stockConnectMarket: readAscii(u8, o + 4, 2),
    tradingDirection: readAscii(u8, o + 6, 2),
    buyTurnover: dv.getBigInt64(o + 8, true),
    sellTurnover: dv.getBigInt64(o + 16, true),
    buySellTurnover: dv.getBigInt64(o + 24, true),
  };
}

function decCcMarketDefinition(u8: Uint8Array, dv: DataView, o: number): M.CcMarketDefinition {
  return {
    msgType: 610,
    marketCode: readAscii(u8, o + 4, 4),
    marketName: readAscii(u8, o + 8, 25),
    currencyCode: readAscii(u8, o + 33, 3),
    numberOfSecurities: dv.getUint32(o + 36, true),
  };
}

// OMD-CC 611 layout from the third-party dissector v1.4 (§12 U13).
function decCcSecurityDefinition(u8: Uint8Array, dv: DataView, o: number): M.CcSecurityDefinition {
  return {
    msgType: 611,
    securityCode: dv.getUint32(o + 4, true),
    marketCode: readAscii(u8, o + 8, 4),
    isinCode: readAscii(u8, o + 12, 12),
    instrumentType: readAscii(u8, o + 24, 4),
    securityShortName: readAscii(u8, o + 30, 40),
    currencyCode: readAscii(u8, o + 70, 3),
    securityNameGB: readUtf16(u8, o + 133, 60),
    lotSize: dv.getUint32(o + 193, true),
    previousClosingPrice: dv.getInt32(o + 197, true),
    shortSellFlag: readChar(u8, o + 202),
    listingDate: dv.getUint32(o + 209, true),
  };
}

function decCcSecurityStatus(u8: Uint8Array, dv: DataView, o: number): M.CcSecurityStatus {
  return {
    msgType: 621,
    securityCode: dv.getUint32(o + 4, true),
    securityTradingStatus: u8[o + 8]!,
    tradingPhaseCode: readAscii(u8, o + 12, 8),
  };
}

function decCcTopOfBook(dv: DataView, o: number): M.CcTopOfBook {
  return {
    msgType: 655,
    securityCode: dv.getUint32(o + 4, true),
    aggregateBidQuantity: dv.getBigUint64(o + 8, true),
    aggregateAskQuantity: dv.getBigUint64(o + 16, true),
    bidPrice: dv.getInt32(o + 24, true),
    askPrice: dv.getInt32(o + 28, true),
  };
}

function decCcStatistics(dv: DataView, o: number): M.CcStatistics {
  return {
    msgType: 660,
    securityCode: dv.getUint32(o + 4, true),
    sharesTraded: dv.getBigUint64(o + 8, true),
    turnover: dv.getBigInt64(o + 16, true),
    highPrice: dv.getInt32(o + 24, true),
    lowPrice: dv.getInt32(o + 28, true),
    lastPrice: dv.getInt32(o + 32, true),
    openingPrice: dv.getInt32(o + 36, true),
  };
}

/**
 * Checks that a message of a known type fits its MsgSize: the fixed layout (MSG_TRUNCATED), then
 * each repeating-group count (BAD_FIELD). The one place message bounds are checked: the decoders
 * below read without checking. MsgSize larger than the layout is tolerated (spec §2.2).
 */
export function checkMessageBody(u8: Uint8Array, dv: DataView, o: number, size: number, type: number): OmdDecodeError | null {
  const fixed = FIXED_SIZE_TABLE[type]!;
  if (size < fixed) return decodeError('MSG_TRUNCATED', `MsgType ${type} MsgSize ${size} < its layout ${fixed}`);
  switch (type) {
    case 53: {
      const n = u8[o + 11]!;
      if (12 + 24 * n > size) return decodeError('BAD_FIELD', `AggregateOrderBookUpdate NoEntries ${n} overruns MsgSize ${size}`);
      return null;
    }
    case 54: {
      const n = u8[o + 8]!;
      if (12 + 4 * n > size) return decodeError('BAD_FIELD', `BrokerQueue ItemCount ${n} overruns MsgSize ${size}`);
      return null;
    }
    case 11: {
      const n = dv.getUint16(o + 542, true);
      if (544 + 8 * n > size) return decodeError('BAD_FIELD', `SecurityDefinition NoUnderlyingSecurities ${n} overruns MsgSize ${size}`);
      return null;
    }
    case 13: {
      const n = dv.getUint16(o + 8, true);
      if (10 + 2 * n > size) return decodeError('BAD_FIELD', `LiquidityProvider NoLiquidityProviders ${n} overruns MsgSize ${size}`);
      return null;
    }
    case 22:
      return checkNews(dv, o, size);
    default:
      return null;
  }
}

/** News groups: each count must leave room for its group plus the next filler and count (OMD-C 3.12). */
function checkNews(dv: DataView, o: number, size: number): OmdDecodeError | null {
  const end = o + size;
  let p = o + 346;
  const nM = dv.getUint16(p, true);
  p += 2;
  if (p + 4 * nM + 4 > end) return decodeError('BAD_FIELD', `News NoMarketCodes ${nM} overruns MsgSize ${size}`);
  p += 4 * nM + 2;
  const nS = dv.getUint16(p, true);
  p += 2;
  if (p + 4 * nS + 4 > end) return decodeError('BAD_FIELD', `News NoSecurityCodes ${nS} overruns MsgSize ${size}`);
  p += 4 * nS + 2;
  const nP = dv.getUint16(p, true);
  p += 2;
  if (p + NEWS_LINE_BYTES * nP > end) return decodeError('BAD_FIELD', `News NoNewsLines ${nP} overruns MsgSize ${size}`);
  return null;
}

/**
 * Decodes the message starting at buf[offset]. Returns null for an unknown MsgType
 * (the caller skips it by MsgSize, spec §2.2), an OmdDecodeError for bad input. Never throws.
 */
export function decodeMessage(buf: Uint8Array, offset: number): OmdMessage | OmdDecodeError | null {
  if (offset < 0 || offset + MESSAGE_HEADER_SIZE > buf.length) {
    return decodeError('TRUNCATED', `message header at ${offset} exceeds the ${buf.length}-byte buffer`);
  }
  const dv = viewOf(buf);
  const size = dv.getUint16(offset, true);
  const type = dv.getUint16(offset + 2, true);
  if (size < MESSAGE_HEADER_SIZE) return decodeError('MSG_SIZE_INVALID', `MsgSize ${size} < 4 (MsgType ${type})`);
  if (offset + size > buf.length) {
    return decodeError('MSG_OVERRUN', `MsgType ${type} MsgSize ${size} at ${offset} overruns the ${buf.length}-byte buffer`);
  }
  if (FIXED_SIZE_TABLE[type] === 0) return null;
  return checkMessageBody(buf, dv, offset, size, type) ?? decodeMessageBody(buf, dv, offset, type);
}

/**
 * Decodes one message of a known MsgType that checkMessageBody accepted. Internal to src/omd
 * (decodeMessage, decodePacket).
 */
export function decodeMessageBody(buf: Uint8Array, dv: DataView, o: number, type: number): OmdMessage {
  switch (type) {
    // the most frequent types of a trading day first: V8 compares these sparse cases in order
    case 53:
      return decAggregateOrderBookUpdate(buf, dv, o);
    case 50:
      return decTrade(dv, o);
    case 30:
      return decAddOrder(buf, dv, o);
    case 32:
      return decDeleteOrder(dv, o);
    case 40:
      return decNominalPrice(dv, o);
    case 60:
      return decStatistics(dv, o);
    case 54:
      return decBrokerQueue(buf, dv, o);
    case 31:
      return decModifyOrder(dv, o);
    case 52:
      return decTradeTicker(buf, dv, o);
    case 10:
      return decMarketDefinition(buf, dv, o);
    case 11:
      return decSecurityDefinition(buf, dv, o);
    case 13:
      return decLiquidityProvider(dv, o);
    case 14:
      return decCurrencyRate(buf, dv, o);
    case 20:
      return decTradingSessionStatus(buf, dv, o);
    case 21:
      return decSecurityStatus(buf, dv, o);
    case 22:
      return decNews(buf, dv, o);
    case 23:
      return decVcmTrigger(dv, o);
    case 33:
      return decAddOddLotOrder(dv, o);
    case 34:
      return decDeleteOddLotOrder(dv, o);
    case 41:
      return decIep(dv, o);
    case 43:
      return decReferencePrice(dv, o);
    case 44:
      return decYield(dv, o);
    case 51:
      return decTradeCancel(dv, o);
    case 56:
      return decOrderImbalance(buf, dv, o);
    case 61:
      return decMarketTurnover(buf, dv, o);
    case 62:
      return decClosingPrice(dv, o);
    case 70:
      return decIndexDefinition(buf, o);
    case 71:
      return decIndexData(buf, dv, o);
    case 80:
      return decDailyQuotaBalance(buf, dv, o);
    case 81:
      return decStockConnectTurnover(buf, dv, o);
    // OMD-C 3.4.2; NewSeqNo "always 1" is not enforced here (§12 U2 is the handler's concern)
    case 100:
      return { msgType: 100, newSeqNo: dv.getUint32(o + 4, true) };
    // OMD-C 3.5.1: Username NUL-padded; readAscii strips NULs and spaces
    case 101:
      return { msgType: 101, username: readAscii(buf, o + 4, 12) };
    case 102:
      return { msgType: 102, sessionStatus: buf[o + 4]! };
    case 105:
      return { msgType: 105, drStatus: dv.getUint32(o + 4, true) };
    case 201:
      return {
        msgType: 201,
        channelId: dv.getUint16(o + 4, true),
        beginSeqNum: dv.getUint32(o + 8, true),
        endSeqNum: dv.getUint32(o + 12, true),
      };
    // §12 U8: whether a rejected 202 echoes the request range is assumed (yes); we decode what is there
    case 202:
      return {
        msgType: 202,
        channelId: dv.getUint16(o + 4, true),
        retransStatus: buf[o + 6]!,
        beginSeqNum: dv.getUint32(o + 8, true),
        endSeqNum: dv.getUint32(o + 12, true),
      };
    case 203:
      return { msgType: 203, lastSeqNum: dv.getUint32(o + 4, true) };
    case 610:
      return decCcMarketDefinition(buf, dv, o);
    case 611:
      return decCcSecurityDefinition(buf, dv, o);
    case 621:
      return decCcSecurityStatus(buf, dv, o);
    case 655:
      return decCcTopOfBook(dv, o);
    case 660:
      return decCcStatistics(dv, o);
    // FIXED_SIZE and this switch list the same types; only a change to one of them reaches here
    default:
      throw new RangeError(`no decoder for MsgType ${type}`);
  }
}

// ---------------------------------------------------------------------------
// Encode. The region is zeroed first, so every filler is 0x00 (spec §1).

function encHeader(dv: DataView, o: number, size: number, type: number): void {
  dv.setUint16(o, size, true);
  dv.setUint16(o + 2, type, true);
}

function encSecurityDefinition(u8: Uint8Array, dv: DataView, o: number, m: M.SecurityDefinition): void {
  dv.setUint32(o + 4, m.securityCode, true);
  writeAscii(u8, o + 8, 4, m.marketCode, 'marketCode');
  writeAscii(u8, o + 12, 12, m.isinCode, 'isinCode');
  writeAscii(u8, o + 24, 4, m.instrumentType, 'instrumentType');
  u8[o + 28] = m.productType;
  writeAscii(u8, o + 30, 2, m.spreadTableCode, 'spreadTableCode');
  writeAscii(u8, o + 32, 40, m.securityShortName, 'securityShortName');
  writeAscii(u8, o + 72, 3, m.currencyCode, 'currencyCode');
  writeUtf16(u8, o + 75, 60, m.securityNameGCCS, 'securityNameGCCS');
  writeUtf16(u8, o + 135, 60, m.securityNameGB, 'securityNameGB');
  dv.setUint32(o + 195, m.lotSize, true);
  dv.setInt32(o + 203, m.previousClosingPrice, true);
  writeChar(u8, o + 207, m.vcmFlag, 'vcmFlag');
  writeChar(u8, o + 208, m.shortSellFlag, 'shortSellFlag');
  writeChar(u8, o + 209, m.casFlag, 'casFlag');
  writeChar(u8, o + 210, m.ccassFlag, 'ccassFlag');
  writeChar(u8, o + 211, m.dummySecurityFlag, 'dummySecurityFlag');
  writeChar(u8, o + 213, m.stampDutyFlag, 'stampDutyFlag');
  dv.setUint32(o + 215, m.listingDate, true);
  dv.setUint32(o + 219, m.delistingDate, true);
  writeAscii(u8, o + 223, 38, m.freeText, 'freeText');
  writeChar(u8, o + 323, m.posFlag, 'posFlag');
  dv.setInt32(o + 324, m.posUpperLimit, true);
  dv.setInt32(o + 328, m.posLowerLimit, true);
  dv.setUint32(o + 332, m.domainStmtSecurityCode, true);
  writeChar(u8, o + 373, m.efnFlag, 'efnFlag');
  dv.setUint32(o + 374, m.accruedInterest, true);
  dv.setUint32(o + 378, m.couponRate, true);
  dv.setBigUint64(o + 383, m.faceValue, true);
  u8[o + 391] = m.decimalsInFaceValue;
  writeAscii(u8, o + 392, 3, m.faceValueCurrency, 'faceValueCurrency');
  dv.setUint32(o + 395, m.bondMaturityDate, true);
  writeChar(u8, o + 399, m.investorType, 'investorType');
  dv.setUint32(o + 444, m.conversionRatio, true);
  dv.setInt32(o + 448, m.strikePrice1, true);
  dv.setInt32(o + 452, m.strikePrice2, true);
  dv.setUint32(o + 456, m.warrantMaturityDate, true);
  writeChar(u8, o + 460, m.callPutFlag, 'callPutFlag');
  writeChar(u8, o + 461, m.style, 'style');
  writeChar(u8, o + 464, m.warrantType, 'warrantType');
  dv.setInt32(o + 465, m.callPrice, true);
  u8[o + 469] = m.decimalsInCallPrice;
  dv.setInt32(o + 470, m.entitlement, true);
  u8[o + 474] = m.decimalsInEntitlement;
  dv.setUint32(o + 475, m.noWarrantsPerEntitlement, true);
  const u = m.underlyingSecurityCodes;
  dv.setUint16(o + 542, u.length, true);
  for (let i = 0; i < u.length; i++) dv.setUint32(o + 544 + 8 * i, u[i]!, true);
}

function encNews(u8: Uint8Array, dv: DataView, o: number, m: M.News): void {
  const wide = newsIsUtf16(m.newsType);
  writeAscii(u8, o + 4, 3, m.newsType, 'newsType');
  writeAscii(u8, o + 7, 3, m.newsId, 'newsId');
  if (wide) writeUtf16(u8, o + 10, NEWS_HEADLINE_BYTES, m.headline, 'headline');
  else writeAscii(u8, o + 10, NEWS_HEADLINE_BYTES, m.headline, 'headline');
  writeChar(u8, o + 330, m.cancelFlag, 'cancelFlag');
  writeChar(u8, o + 331, m.lastFragment, 'lastFragment');
  dv.setBigUint64(o + 336, m.releaseTime, true);
  let p = o + 346;
  dv.setUint16(p, m.marketCodes.length, true);
  p += 2;
  for (const c of m.marketCodes) {
    writeAscii(u8, p, 4, c, 'marketCodes');
    p += 4;
  }
  p += 2;
  dv.setUint16(p, m.securityCodes.length, true);
  p += 2;
  for (const c of m.securityCodes) {
    dv.setUint32(p, c, true);
    p += 4;
  }
  p += 2;
  dv.setUint16(p, m.newsLines.length, true);
  p += 2;
  for (const line of m.newsLines) {
    if (wide) writeUtf16(u8, p, NEWS_LINE_BYTES, line, 'newsLines');
    else writeAscii(u8, p, NEWS_LINE_BYTES, line, 'newsLines');
    p += NEWS_LINE_BYTES;
  }
}

/**
 * Writes msg at out[offset…] and returns the bytes written (= messageSize(msg)).
 * Throws RangeError only on programmer error: buffer too small, a string wider than its field.
 */
export function encodeMessage(msg: OmdMessage, out: Uint8Array, offset: number): number {
  const size = messageSize(msg);
  if (offset < 0 || offset + size > out.length) {
    throw new RangeError(`MsgType ${msg.msgType} needs ${size} bytes at ${offset}, buffer has ${out.length}`);
  }
  // fillers are 0x00 (spec §1); a plain loop beats the fill() builtin call for small messages
  if (size <= 64) for (let i = offset, e = offset + size; i < e; i++) out[i] = 0;
  else out.fill(0, offset, offset + size);
  encodeMessageBody(msg, out, viewOf(out), offset, size);
  return size;
}

/**
 * Writes msg (of messageSize(msg) = size bytes) at out[o…], which the caller has bounds-checked
 * and zeroed (fillers are left as they are). Internal to src/omd: PacketBuilder zeroes once per packet.
 */
export function encodeMessageBody(msg: OmdMessage, u8: Uint8Array, dv: DataView, o: number, size: number): void {
  encHeader(dv, o, size, msg.msgType);
  switch (msg.msgType) {
    case 10:
    case 610:
      writeAscii(u8, o + 4, 4, msg.marketCode, 'marketCode');
      writeAscii(u8, o + 8, 25, msg.marketName, 'marketName');
      writeAscii(u8, o + 33, 3, msg.currencyCode, 'currencyCode');
      dv.setUint32(o + 36, msg.numberOfSecurities, true);
      break;
    case 11:
      encSecurityDefinition(u8, dv, o, msg);
      break;
    case 13: {
      dv.setUint32(o + 4, msg.securityCode, true);
      const b = msg.brokerNumbers;
      dv.setUint16(o + 8, b.length, true);
      for (let i = 0; i < b.length; i++) dv.setUint16(o + 10 + 2 * i, b[i]!, true);
      break;
    }
    case 14:
      writeAscii(u8, o + 4, 3, msg.currencyCode, 'currencyCode');
      dv.setUint16(o + 8, msg.currencyFactor, true);
      dv.setUint32(o + 12, msg.currencyRate, true);
      break;
    case 20:
      writeAscii(u8, o + 4, 4, msg.marketCode, 'marketCode');
      u8[o + 9] = msg.tradingSessionSubId;
      u8[o + 10] = msg.tradingSesStatus;
      writeChar(u8, o + 11, msg.tradingSesControlFlag, 'tradingSesControlFlag');
      dv.setBigUint64(o + 16, msg.startDateTime, true);
      dv.setBigUint64(o + 24, msg.endDateTime, true);
      break;
    case 21:
      dv.setUint32(o + 4, msg.securityCode, true);
      u8[o + 8] = msg.suspensionIndicator;
      break;
    case 22:
      encNews(u8, dv, o, msg);
      break;
    case 23:
      dv.setUint32(o + 4, msg.securityCode, true);
      dv.setBigUint64(o + 8, msg.coolingOffStartTime, true);
      dv.setBigUint64(o + 16, msg.coolingOffEndTime, true);
      dv.setInt32(o + 24, msg.vcmReferencePrice, true);
      dv.setInt32(o + 28, msg.vcmLowerPrice, true);
      dv.setInt32(o + 32, msg.vcmUpperPrice, true);
      break;
    case 30:
      dv.setUint32(o + 4, msg.securityCode, true);
      dv.setBigUint64(o + 8, msg.orderId, true);
      dv.setInt32(o + 16, msg.price, true);
      dv.setUint32(o + 20, msg.quantity, true);
      dv.setUint16(o + 24, msg.side, true);
      writeChar(u8, o + 26, msg.orderType, 'orderType');
      dv.setInt32(o + 28, msg.orderBookPosition, true);
      break;
    case 31:
      dv.setUint32(o + 4, msg.securityCode, true);
      dv.setBigUint64(o + 8, msg.orderId, true);
      dv.setUint32(o + 16, msg.quantity, true);
      dv.setUint16(o + 20, msg.side, true);
      dv.setInt32(o + 24, msg.orderBookPosition, true);
      break;
    case 32:
      dv.setUint32(o + 4, msg.securityCode, true);
      dv.setBigUint64(o + 8, msg.orderId, true);
      dv.setUint16(o + 16, msg.side, true);
      break;
    case 33:
      dv.setUint32(o + 4, msg.securityCode, true);
      dv.setBigUint64(o + 8, msg.orderId, true);
      dv.setInt32(o + 16, msg.price, true);
      dv.setUint32(o + 20, msg.quantity, true);
      dv.setUint16(o + 24, msg.brokerId, true);
      dv.setUint16(o + 26, msg.side, true);
      break;
    case 34:
      dv.setUint32(o + 4, msg.securityCode, true);
      dv.setBigUint64(o + 8, msg.orderId, true);
      dv.setUint16(o + 16, msg.brokerId, true);
      dv.setUint16(o + 18, msg.side, true);
      break;
    case 40:
      dv.setUint32(o + 4, msg.securityCode, true);
      dv.setInt32(o + 8, msg.nominalPrice, true);
      break;
    case 41:
      dv.setUint32(o + 4, msg.securityCode, true);
      dv.setInt32(o + 8, msg.price, true);
      dv.setBigUint64(o + 12, msg.aggregateQuantity, true);
      break;
    case 43:
      dv.setUint32(o + 4, msg.securityCode, true);
      dv.setInt32(o + 8, msg.referencePrice, true);
      dv.setInt32(o + 12, msg.lowerPrice, true);
      dv.setInt32(o + 16, msg.upperPrice, true);
      break;
    case 44:
      dv.setUint32(o + 4, msg.securityCode, true);
      dv.setInt32(o + 8, msg.yield, true);
      break;
    case 50:
      dv.setUint32(o + 4, msg.securityCode, true);
      dv.setUint32(o + 8, msg.tradeId, true);
      dv.setInt32(o + 12, msg.price, true);
      dv.setUint32(o + 16, msg.quantity, true);
      dv.setInt16(o + 20, msg.trdType, true);
      dv.setBigUint64(o + 24, msg.tradeTime, true);
      break;
    case 51:
      dv.setUint32(o + 4, msg.securityCode, true);
      dv.setUint32(o + 8, msg.tradeId, true);
      break;
    case 52:
      dv.setUint32(o + 4, msg.securityCode, true);
      dv.setUint32(o + 8, msg.tickerId, true);
      dv.setInt32(o + 12, msg.price, true);
      dv.setBigUint64(o + 16, msg.aggregateQuantity, true);
      dv.setBigUint64(o + 24, msg.tradeTime, true);
      dv.setInt16(o + 32, msg.trdType, true);
      writeChar(u8, o + 34, msg.trdCancelFlag, 'trdCancelFlag');
      break;
    case 53: {
      dv.setUint32(o + 4, msg.securityCode, true);
      const es = msg.entries;
      if (es.length > 255) throw new RangeError(`AggregateOrderBookUpdate has ${es.length} entries, NoEntries is a u8`);
      u8[o + 11] = es.length;
      for (let i = 0, p = o + 12; i < es.length; i++, p += 24) {
        const e = es[i]!;
        dv.setBigUint64(p, e.aggregateQuantity, true);
        dv.setInt32(p + 8, e.price, true);
        dv.setUint32(p + 12, e.numberOfOrders, true);
        dv.setUint16(p + 16, e.side, true);
        u8[p + 18] = e.priceLevel;
        u8[p + 19] = e.updateAction;
      }
      break;
    }
    case 54: {
      dv.setUint32(o + 4, msg.securityCode, true);
      const it = msg.items;
      if (it.length > 255) throw new RangeError(`BrokerQueue has ${it.length} items, ItemCount is a u8`);
      u8[o + 8] = it.length;
      dv.setUint16(o + 9, msg.side, true);
      writeChar(u8, o + 11, msg.bqMoreFlag, 'bqMoreFlag');
      for (let i = 0, p = o + 12; i < it.length; i++, p += 4) {
        const x = it[i]!;
        const item = x.item;
        u8[p] = item & 0xff;
        u8[p + 1] = (item >>> 8) & 0xff;
        writeChar(u8, p + 2, x.type, 'items.type');
      }
      break;
    }
    case 56:
      dv.setUint32(o + 4, msg.securityCode, true);
      writeChar(u8, o + 8, msg.orderImbalanceDirection, 'orderImbalanceDirection');
      dv.setBigUint64(o + 10, msg.orderImbalanceQuantity, true);
      break;
    case 60:
      dv.setUint32(o + 4, msg.securityCode, true);
      dv.setBigUint64(o + 8, msg.sharesTraded, true);
      dv.setBigInt64(o + 16, msg.turnover, true);
      dv.setInt32(o + 24, msg.highPrice, true);
      dv.setInt32(o + 28, msg.lowPrice, true);
      dv.setInt32(o + 32, msg.lastPrice, true);
      dv.setInt32(o + 36, msg.vwap, true);
      dv.setUint32(o + 40, msg.shortSellSharesTraded, true);
      dv.setBigInt64(o + 44, msg.shortSellTurnover, true);
      break;
    case 61:
      writeAscii(u8, o + 4, 4, msg.marketCode, 'marketCode');
      writeAscii(u8, o + 8, 3, msg.currencyCode, 'currencyCode');
      dv.setBigInt64(o + 12, msg.turnover, true);
      break;
    case 62:
      dv.setUint32(o + 4, msg.securityCode, true);
      dv.setInt32(o + 8, msg.closingPrice, true);
      dv.setUint32(o + 12, msg.numberOfTrades, true);
      break;
    case 70:
      writeAscii(u8, o + 4, 11, msg.indexCode, 'indexCode');
      writeChar(u8, o + 15, msg.indexSource, 'indexSource');
      writeAscii(u8, o + 16, 3, msg.currencyCode, 'currencyCode');
      break;
    case 71:
      writeAscii(u8, o + 4, 11, msg.indexCode, 'indexCode');
      writeChar(u8, o + 15, msg.indexStatus, 'indexStatus');
      dv.setBigInt64(o + 16, msg.indexTime, true);
      dv.setBigInt64(o + 24, msg.indexValue, true);
      dv.setBigInt64(o + 32, msg.netChgPrevDay, true);
      dv.setBigInt64(o + 40, msg.highValue, true);
      dv.setBigInt64(o + 48, msg.lowValue, true);
      dv.setBigInt64(o + 56, msg.easValue, true);
      dv.setBigInt64(o + 64, msg.indexTurnover, true);
      dv.setBigInt64(o + 72, msg.openingValue, true);
      dv.setBigInt64(o + 80, msg.closingValue, true);
      dv.setBigInt64(o + 88, msg.previousSesClose, true);
      dv.setBigInt64(o + 96, msg.indexVolume, true);
      dv.setInt32(o + 104, msg.netChgPrevDayPct, true);
      writeChar(u8, o + 108, msg.exception, 'exception');
      break;
    case 80:
      writeAscii(u8, o + 4, 2, msg.stockConnectMarket, 'stockConnectMarket');
      writeAscii(u8, o + 6, 2, msg.tradingDirection, 'tradingDirection');
      dv.setBigInt64(o + 8, msg.dailyQuotaBalance, true);
      dv.setBigUint64(o + 16, msg.dailyQuotaBalanceTime, true);
      break;
    case 81:
      writeAscii(u8, o + 4, 2, msg.stockConnectMarket, 'stockConnectMarket');
      writeAscii(u8, o + 6, 2, msg.tradingDirection, 'tradingDirection');
      dv.setBigInt64(o + 8, msg.buyTurnover, true);
      dv.setBigInt64(o + 16, msg.sellTurnover, true);
      dv.setBigInt64(o + 24, msg.buySellTurnover, true);
      break;
    case 100:
      dv.setUint32(o + 4, msg.newSeqNo, true);
      break;
    case 101:
      writeAscii(u8, o + 4, 12, msg.username, 'username', 0x00); // OMD-C 3.5.1: NUL-padded
      break;
    case 102:
      u8[o + 4] = msg.sessionStatus;
      break;
    case 105:
      dv.setUint32(o + 4, msg.drStatus, true);
      break;
    case 201:
      dv.setUint16(o + 4, msg.channelId, true);
      dv.setUint32(o + 8, msg.beginSeqNum, true);
      dv.setUint32(o + 12, msg.endSeqNum, true);
      break;
    case 202:
      dv.setUint16(o + 4, msg.channelId, true);
      u8[o + 6] = msg.retransStatus;
      dv.setUint32(o + 8, msg.beginSeqNum, true);
      dv.setUint32(o + 12, msg.endSeqNum, true);
      break;
    case 203:
      dv.setUint32(o + 4, msg.lastSeqNum, true);
      break;
    case 611:
      dv.setUint32(o + 4, msg.securityCode, true);
      writeAscii(u8, o + 8, 4, msg.marketCode, 'marketCode');
      writeAscii(u8, o + 12, 12, msg.isinCode, 'isinCode');
      writeAscii(u8, o + 24, 4, msg.instrumentType, 'instrumentType');
      writeAscii(u8, o + 30, 40, msg.securityShortName, 'securityShortName');
      writeAscii(u8, o + 70, 3, msg.currencyCode, 'currencyCode');
      writeUtf16(u8, o + 133, 60, msg.securityNameGB, 'securityNameGB');
      dv.setUint32(o + 193, msg.lotSize, true);
      dv.setInt32(o + 197, msg.previousClosingPrice, true);
      writeChar(u8, o + 202, msg.shortSellFlag, 'shortSellFlag');
      dv.setUint32(o + 209, msg.listingDate, true);
      break;
    case 621:
      dv.setUint32(o + 4, msg.securityCode, true);
      u8[o + 8] = msg.securityTradingStatus;
      writeAscii(u8, o + 12, 8, msg.tradingPhaseCode, 'tradingPhaseCode');
      break;
    case 655:
      dv.setUint32(o + 4, msg.securityCode, true);
      dv.setBigUint64(o + 8, msg.aggregateBidQuantity, true);
      dv.setBigUint64(o + 16, msg.aggregateAskQuantity, true);
      dv.setInt32(o + 24, msg.bidPrice, true);
      dv.setInt32(o + 28, msg.askPrice, true);
      break;
    case 660:
      dv.setUint32(o + 4, msg.securityCode, true);
      dv.setBigUint64(o + 8, msg.sharesTraded, true);
      dv.setBigInt64(o + 16, msg.turnover, true);
      dv.setInt32(o + 24, msg.highPrice, true);
      dv.setInt32(o + 28, msg.lowPrice, true);
      dv.setInt32(o + 32, msg.lastPrice, true);
      dv.setInt32(o + 36, msg.openingPrice, true);
      break;
    default: {
      const never: never = msg;
      throw new RangeError(`unknown msgType ${(never as { msgType: number }).msgType}`);
    }
  }
}

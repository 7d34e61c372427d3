// OMD-C / OMD-CC message types as plain data (spec/omd-c.md §4, §5, §8.1).
// Field names are lowerCamelCase of the spec's names; fillers are never fields.
// 64-bit fields are bigint, every other integer a number; prices are the raw
// scaled integers as on the wire (P3 raw 385200 = 385.200), see the helpers below.
// ASCII fields are decoded with right padding (spaces, NULs) trimmed, so a blank
// one-character code (e.g. OrderImbalanceDirection "no IEP") decodes as ''.

/** Every MsgType the codec knows (OMD-C 3.2; OMD-CC 600s per spec §8.1). */
export const MsgType = {
  MarketDefinition: 10,
  SecurityDefinition: 11,
  LiquidityProvider: 13,
  CurrencyRate: 14,
  TradingSessionStatus: 20,
  SecurityStatus: 21,
  News: 22,
  VcmTrigger: 23,
  AddOrder: 30,
  ModifyOrder: 31,
  DeleteOrder: 32,
  AddOddLotOrder: 33,
  DeleteOddLotOrder: 34,
  NominalPrice: 40,
  IndicativeEquilibriumPrice: 41,
  ReferencePrice: 43,
  Yield: 44,
  Trade: 50,
  TradeCancel: 51,
  TradeTicker: 52,
  AggregateOrderBookUpdate: 53,
  BrokerQueue: 54,
  OrderImbalance: 56,
  Statistics: 60,
  MarketTurnover: 61,
  ClosingPrice: 62,
  IndexDefinition: 70,
  IndexData: 71,
  StockConnectDailyQuotaBalance: 80,
  StockConnectMarketTurnover: 81,
  SequenceReset: 100,
  Logon: 101,
  LogonResponse: 102,
  DisasterRecoverySignal: 105,
  RetransmissionRequest: 201,
  RetransmissionResponse: 202,
  RefreshComplete: 203,
  CcMarketDefinition: 610,
  CcSecurityDefinition: 611,
  CcSecurityStatus: 621,
  CcTopOfBook: 655,
  CcStatistics: 660,
} as const;
export type MsgType = (typeof MsgType)[keyof typeof MsgType];

/** OMD-C 3.1.1: Int64 null ("no value") = 0x8000000000000000. */
export const NULL_INT64: bigint = -(2n ** 63n);

/** Side in 30–34 and 53 (OMD-C 3.9). Broker Queue uses BrokerQueueSide instead (§12 U10). */
export const Side = { Bid: 0, Offer: 1 } as const;
/** Broker Queue side (OMD-C 3.9.7): 1 buy, 2 sell — differs from every other message (§12 U10). */
export const BrokerQueueSide = { Buy: 1, Sell: 2 } as const;
/** Aggregate Order Book UpdateAction (OMD-C 3.9.6). */
export const UpdateAction = { New: 0, Change: 1, Delete: 2, OrderbookClear: 74 } as const;
/** DR Signal DRStatus (OMD-C 3.4.3). */
export const DrStatus = { InProgress: 1, Completed: 2 } as const;
/** Logon Response SessionStatus (OMD-C 3.5.2). */
export const SessionStatus = { Active: 0, InvalidUser: 5, AlreadyConnected: 100 } as const;
/** Retransmission Response RetransStatus (OMD-C 3.5.4). */
export const RetransStatus = {
  Accepted: 0,
  UnknownChannel: 1,
  NotAvailable: 2,
  RangeTooLarge: 100,
  DailyLimitReached: 101,
} as const;

// ---- control (spec §4) ----

/** OMD-C 3.4.2, 8 bytes. */
export interface SequenceReset {
  msgType: 100;
  newSeqNo: number;
}

/** OMD-C 3.5.1, 16 bytes, RTS client → server. Username is NUL-padded on the wire. */
export interface Logon {
  msgType: 101;
  username: string;
}

/** OMD-C 3.5.2, 8 bytes. */
export interface LogonResponse {
  msgType: 102;
  sessionStatus: number;
}

/** OMD-C 3.4.3, 8 bytes, DR channel. */
export interface DisasterRecoverySignal {
  msgType: 105;
  drStatus: number;
}

/** OMD-C 3.5.3, 16 bytes. EndSeqNum inclusive. */
export interface RetransmissionRequest {
  msgType: 201;
  channelId: number;
  beginSeqNum: number;
  endSeqNum: number;
}

/** OMD-C 3.5.4, 16 bytes. */
export interface RetransmissionResponse {
  msgType: 202;
  channelId: number;
  retransStatus: number;
  beginSeqNum: number;
  endSeqNum: number;
}

/** OMD-C 3.6.1, 8 bytes, refresh channels. */
export interface RefreshComplete {
  msgType: 203;
  lastSeqNum: number;
}

// ---- reference data (spec §5.1) ----

/** OMD-C 3.7.1, 40 bytes. */
export interface MarketDefinition {
  msgType: 10;
  marketCode: string;
  marketName: string;
  currencyCode: string;
  numberOfSecurities: number;
}

/** OMD-C 3.7.2, 544 + 8·nU bytes. */
export interface SecurityDefinition {
  msgType: 11;
  securityCode: number;
  marketCode: string;
  isinCode: string;
  instrumentType: string;
  productType: number;
  spreadTableCode: string;
  securityShortName: string;
  currencyCode: string;
  /** UTF-16LE, Traditional Chinese. */
  securityNameGCCS: string;
  /** UTF-16LE, Simplified Chinese. */
  securityNameGB: string;
  lotSize: number;
  previousClosingPrice: number;
  vcmFlag: string;
  shortSellFlag: string;
  casFlag: string;
  ccassFlag: string;
  dummySecurityFlag: string;
  stampDutyFlag: string;
  listingDate: number;
  delistingDate: number;
  freeText: string;
  posFlag: string;
  posUpperLimit: number;
  posLowerLimit: number;
  domainStmtSecurityCode: number;
  efnFlag: string;
  accruedInterest: number;
  couponRate: number;
  faceValue: bigint;
  decimalsInFaceValue: number;
  faceValueCurrency: string;
  bondMaturityDate: number;
  investorType: string;
  conversionRatio: number;
  strikePrice1: number;
  strikePrice2: number;
  warrantMaturityDate: number;
  callPutFlag: string;
  style: string;
  warrantType: string;
  callPrice: number;
  decimalsInCallPrice: number;
  entitlement: number;
  decimalsInEntitlement: number;
  noWarrantsPerEntitlement: number;
  /** UnderlyingSecurityCode of each repeating group (the 4-byte weight is a filler since v1.23). */
  underlyingSecurityCodes: number[];
}

/** OMD-C 3.7.3, 10 + 2·nT bytes. */
export interface LiquidityProvider {
  msgType: 13;
  securityCode: number;
  brokerNumbers: number[];
}

/** OMD-C 3.7.4, 16 bytes. */
export interface CurrencyRate {
  msgType: 14;
  currencyCode: string;
  currencyFactor: number;
  /** HKD, 4 decimals. */
  currencyRate: number;
}

// ---- status (spec §5.2) ----

/** OMD-C 3.8.1, 32 bytes. */
export interface TradingSessionStatus {
  msgType: 20;
  marketCode: string;
  tradingSessionSubId: number;
  tradingSesStatus: number;
  tradingSesControlFlag: string;
  startDateTime: bigint;
  endDateTime: bigint;
}

/** OMD-C 3.8.2, 12 bytes. */
export interface SecurityStatus {
  msgType: 21;
  securityCode: number;
  suspensionIndicator: number;
}

/** OMD-C 3.10.x, 36 bytes. */
export interface VcmTrigger {
  msgType: 23;
  securityCode: number;
  coolingOffStartTime: bigint;
  coolingOffEndTime: bigint;
  vcmReferencePrice: number;
  vcmLowerPrice: number;
  vcmUpperPrice: number;
}

// ---- order book (spec §5.3) ----

/** OMD-C 3.9.1, 32 bytes. */
export interface AddOrder {
  msgType: 30;
  securityCode: number;
  orderId: bigint;
  price: number;
  quantity: number;
  side: number;
  orderType: string;
  orderBookPosition: number;
}

/** OMD-C 3.9.2, 28 bytes. */
export interface ModifyOrder {
  msgType: 31;
  securityCode: number;
  orderId: bigint;
  quantity: number;
  side: number;
  orderBookPosition: number;
}

/** OMD-C 3.9.3, 20 bytes. */
export interface DeleteOrder {
  msgType: 32;
  securityCode: number;
  orderId: bigint;
  side: number;
}

/** OMD-C 3.9.4, 28 bytes. */
export interface AddOddLotOrder {
  msgType: 33;
  securityCode: number;
  orderId: bigint;
  price: number;
  quantity: number;
  brokerId: number;
  side: number;
}

/** OMD-C 3.9.5, 20 bytes. */
export interface DeleteOddLotOrder {
  msgType: 34;
  securityCode: number;
  orderId: bigint;
  brokerId: number;
  side: number;
}

/** One NoEntries group of message 53 (24 bytes). */
export interface AggregateBookEntry {
  aggregateQuantity: bigint;
  price: number;
  numberOfOrders: number;
  side: number;
  priceLevel: number;
  updateAction: number;
}

/** OMD-C 3.9.6, 12 + 24·nO bytes. */
export interface AggregateOrderBookUpdate {
  msgType: 53;
  securityCode: number;
  entries: AggregateBookEntry[];
}

/** One item of message 54 (4 bytes). */
export interface BrokerQueueItem {
  /** Broker number, or spread count when type is 'S'. */
  item: number;
  /** 'B' broker, 'S' spread. */
  type: string;
}

/** OMD-C 3.9.7, 12 + 4·nI bytes. */
export interface BrokerQueue {
  msgType: 54;
  securityCode: number;
  /** 1 buy, 2 sell (§12 U10). */
  side: number;
  bqMoreFlag: string;
  items: BrokerQueueItem[];
}

/** OMD-C 3.9.8, 20 bytes. */
export interface OrderImbalance {
  msgType: 56;
  securityCode: number;
  /** 'N', 'B', 'S', or '' (space on the wire = no IEP). */
  orderImbalanceDirection: string;
  orderImbalanceQuantity: bigint;
}

// ---- trade and price (spec §5.4) ----

/** OMD-C 3.10.1, 32 bytes. */
export interface Trade {
  msgType: 50;
  securityCode: number;
  tradeId: number;
  price: number;
  quantity: number;
  trdType: number;
  /** ns since epoch, µs precision. */
  tradeTime: bigint;
}

/** OMD-C 3.10.2, 12 bytes. */
export interface TradeCancel {
  msgType: 51;
  securityCode: number;
  tradeId: number;
}

/** OMD-C 3.10.3, 36 bytes. */
export interface TradeTicker {
  msgType: 52;
  securityCode: number;
  tickerId: number;
  price: number;
  aggregateQuantity: bigint;
  tradeTime: bigint;
  trdType: number;
  trdCancelFlag: string;
}

/** OMD-C 3.10.4, 16 bytes. */
export interface ClosingPrice {
  msgType: 62;
  securityCode: number;
  closingPrice: number;
  numberOfTrades: number;
}

/** OMD-C 3.10.5, 12 bytes. */
export interface NominalPrice {
  msgType: 40;
  securityCode: number;
  nominalPrice: number;
}

/** OMD-C 3.10.6, 20 bytes. */
export interface IndicativeEquilibriumPrice {
  msgType: 41;
  securityCode: number;
  price: number;
  aggregateQuantity: bigint;
}

/** OMD-C 3.10.7, 20 bytes. */
export interface ReferencePrice {
  msgType: 43;
  securityCode: number;
  referencePrice: number;
  lowerPrice: number;
  upperPrice: number;
}

// ---- value added (spec §5.5) ----

/** OMD-C 3.11.1, 52 bytes. */
export interface Statistics {
  msgType: 60;
  securityCode: number;
  sharesTraded: bigint;
  /** 3 decimals. */
  turnover: bigint;
  highPrice: number;
  lowPrice: number;
  lastPrice: number;
  vwap: number;
  shortSellSharesTraded: number;
  shortSellTurnover: bigint;
}

/** OMD-C 3.11.2, 20 bytes. */
export interface MarketTurnover {
  msgType: 61;
  marketCode: string;
  /** '' (blank) = all currencies in HKD equivalent. */
  currencyCode: string;
  turnover: bigint;
}

/** OMD-C 3.11.3, 12 bytes. */
export interface Yield {
  msgType: 44;
  securityCode: number;
  yield: number;
}

// ---- news (spec §5.6) ----

/** OMD-C 3.12, 356 + 4·nM + 4·nS + 160·nP bytes. Headline/NewsLine are UTF-16LE when newsType is 'EXC'. */
export interface News {
  msgType: 22;
  newsType: string;
  newsId: string;
  headline: string;
  cancelFlag: string;
  lastFragment: string;
  releaseTime: bigint;
  marketCodes: string[];
  securityCodes: number[];
  newsLines: string[];
}

// ---- index (spec §5.7) ----

/** OMD-C 3.13.1, 20 bytes. */
export interface IndexDefinition {
  msgType: 70;
  indexCode: string;
  indexSource: string;
  currencyCode: string;
}

/** OMD-C 3.13.2, 112 bytes. Any bigint may be NULL_INT64 (not updated). */
export interface IndexData {
  msgType: 71;
  indexCode: string;
  indexStatus: string;
  indexTime: bigint;
  indexValue: bigint;
  netChgPrevDay: bigint;
  highValue: bigint;
  lowValue: bigint;
  /** 2 decimals (every other value 4). */
  easValue: bigint;
  indexTurnover: bigint;
  openingValue: bigint;
  closingValue: bigint;
  previousSesClose: bigint;
  indexVolume: bigint;
  netChgPrevDayPct: number;
  exception: string;
}

// ---- Stock Connect (spec §5.8) ----

/** OMD-C 3.14.1, 24 bytes. */
export interface StockConnectDailyQuotaBalance {
  msgType: 80;
  stockConnectMarket: string;
  tradingDirection: string;
  dailyQuotaBalance: bigint;
  dailyQuotaBalanceTime: bigint;
}

/** OMD-C 3.14.2, 32 bytes. */
export interface StockConnectMarketTurnover {
  msgType: 81;
  stockConnectMarket: string;
  tradingDirection: string;
  buyTurnover: bigint;
  sellTurnover: bigint;
  buySellTurnover: bigint;
}

// ---- OMD-CC (spec §8.1, §12 U13: third-party layouts) ----

/** OMD-CC 610, 40 bytes, same layout as 10. */
export interface CcMarketDefinition {
  msgType: 610;
  marketCode: string;
  marketName: string;
  currencyCode: string;
  numberOfSecurities: number;
}

/** OMD-CC 611, 220 bytes. */
export interface CcSecurityDefinition {
  msgType: 611;
  securityCode: number;
  marketCode: string;
  isinCode: string;
  instrumentType: string;
  securityShortName: string;
  currencyCode: string;
  /** UTF-16LE, Simplified Chinese. */
  securityNameGB: string;
  lotSize: number;
  previousClosingPrice: number;
  shortSellFlag: string;
  listingDate: number;
}

/** OMD-CC 621, 20 bytes. */
export interface CcSecurityStatus {
  msgType: 621;
  securityCode: number;
  /** 2 halt, 3 resume. */
  securityTradingStatus: number;
  /** Values unknown (§12 U13). */
  tradingPhaseCode: string;
}

/** OMD-CC 655, 40 bytes. */
export interface CcTopOfBook {
  msgType: 655;
  securityCode: number;
  aggregateBidQuantity: bigint;
  aggregateAskQuantity: bigint;
  bidPrice: number;
  askPrice: number;
}

/** OMD-CC 660, 52 bytes. */
export interface CcStatistics {
  msgType: 660;
  securityCode: number;
  sharesTraded: bigint;
  turnover: bigint;
  highPrice: number;
  lowPrice: number;
  lastPrice: number;
  openingPrice: number;
}

export type OmdControlMessage =
  SequenceReset | Logon | LogonResponse | DisasterRecoverySignal | RetransmissionRequest | RetransmissionResponse | RefreshComplete;

export type OmdBusinessMessage =
  | MarketDefinition
  | SecurityDefinition
  | LiquidityProvider
  | CurrencyRate
  | TradingSessionStatus
  | SecurityStatus
  | News
  | VcmTrigger
  | AddOrder
  | ModifyOrder
  | DeleteOrder
  | AddOddLotOrder
  | DeleteOddLotOrder
  | NominalPrice
  | IndicativeEquilibriumPrice
  | ReferencePrice
  | Yield
  | Trade
  | TradeCancel
  | TradeTicker
  | AggregateOrderBookUpdate
  | BrokerQueue
  | OrderImbalance
  | Statistics
  | MarketTurnover
  | ClosingPrice
  | IndexDefinition
  | IndexData
  | StockConnectDailyQuotaBalance
  | StockConnectMarketTurnover;

export type OmdCcMessage = CcMarketDefinition | CcSecurityDefinition | CcSecurityStatus | CcTopOfBook | CcStatistics;

/** Every message the codec decodes and encodes, discriminated by msgType. */
export type OmdMessage = OmdControlMessage | OmdBusinessMessage | OmdCcMessage;

/** The message interface for one MsgType code. */
export type OmdMessageOf<T extends MsgType> = Extract<OmdMessage, { msgType: T }>;

// ---- scaled value helpers (spec §1) ----

const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000];

/** Raw scaled integer → JS number, e.g. fromScaled(385200, 3) = 385.2. For display; keep raw values for arithmetic. */
export function fromScaled(raw: number | bigint, decimals: number): number {
  return Number(raw) / POW10[decimals]!;
}

/** JS number → raw scaled integer (rounded), e.g. toScaled(385.2, 3) = 385200. */
export function toScaled(value: number, decimals: number): number {
  return Math.round(value * POW10[decimals]!);
}

/** P3 price raw → number (385200 → 385.2). */
export function priceFromRaw(raw: number): number {
  return raw / 1000;
}

/** Price number → P3 raw (385.2 → 385200). */
export function priceToRaw(price: number): number {
  return Math.round(price * 1000);
}

/** True when an Int64 field carries the OMD-C 3.1.1 null. */
export function isNullInt64(v: bigint): boolean {
  return v === NULL_INT64;
}

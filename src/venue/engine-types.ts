// Public types of the matching engine: what the gateway sends in (requests / journaled commands)
// and what comes out (engine events the gateway turns into OCG-C Execution Reports, spec note §5).
// Codes (Side, OrdType, TIF, ExecType, OrdStatus, reject codes, restatement reasons) are the
// OCG-C numbers from src/ocg; the engine never invents its own.
//
// Units (chosen so the hot path stays on plain numbers and the state is JSON-serialisable):
// - price: integer thousandths of the currency ("P3", the unit of the SEHK spread table and of
//   OMD-C prices): HKD 395.8 → 395_800. Convert from/to the OCG wire Decimal (×10^8 bigint) with
//   `priceFromWire` / `priceToWire`; a wire price off the 0.001 grid becomes NaN and is rejected.
// - quantity: integer shares. `qtyFromWire` gives NaN for a fractional wire quantity.
// - time: milliseconds since the epoch (from the injected Clock); the gateway formats it as the
//   OCG Transaction Time.
import type { OcgProfile } from '../ocg/index.ts';
import type { SpreadTable } from '../omd/index.ts';
import type { MarketPhase, VcmConfig } from './market-phases.ts';

// ---------------------------------------------------------------------------------------------
// Configuration

/** One tradable security of the venue. */
export interface SecurityDefinition {
  /** OCG Security ID (`700`; CSC: 6-digit mainland code, may start with 0, §5.14). */
  securityId: string;
  /** Board lot in shares (HK: per security; CSC A-shares: 100). */
  lotSize: number;
  /** Tick table; default SEHK Part A (src/omd spread table). CSC default: uniform 0.01 [INF]. */
  spreadTable?: SpreadTable;
  /** Previous close / nominal price (P3) for the price band until the first trade. */
  referencePrice?: number;
  /** OCG Market Segment ID for Mass Cancel type 9 (§5.5): MAIN, GEM, NASD, ETS. Default MAIN. */
  marketSegmentId?: string;
  /**
   * The Security Exchange its orders must carry (§5.1). Default: XHKG on OTP-C; on OTP-CSC by the
   * mainland code, 6… Shanghai XSSC, 0…/3… Shenzhen XSEC [INF, §5.14] (src/ocg securityExchangeOf).
   */
  securityExchange?: string;
  /** Volatility Control Mechanism applies (OMD-C 11 VCMFlag). Default true. */
  vcm?: boolean;
  /** A bond's coupon rate, percent P3 (3.5% → 3_500): its trades publish a Yield (OMD-C 44). */
  couponRate?: number;
}

export interface MatchingEngineOptions {
  /** OTP-C or OTP-CSC profile from src/ocg (order types, TIF, amend, odd-lot and cancel-window rules). */
  profile: OcgProfile;
  securities: readonly SecurityDefinition[];
  /** Largest order in board lots (SEHK: 3,000 board lots) → Ord Rej Reason 3 [INF]. Default 3000. */
  maxBoardLotsPerOrder?: number;
  /**
   * OTP-CSC only: Northbound daily quota in P3 currency units (price × qty) [UNVERIFIED wire codes,
   * §5.14]. Absent ⇒ unlimited. Balance = quota − accepted buy value + cancelled buy value + sell
   * trade value (public Stock Connect rule, simplified).
   */
  dailyQuota?: number;
  /** Phase the engine starts in. Default 'continuous' (a venue not driven through the day trades all the time). */
  initialPhase?: MarketPhase;
  /** Volatility Control Mechanism in continuous trading; false = off. Default DEFAULT_VCM (market-phases.ts). */
  vcm?: VcmConfig | false;
}

// ---------------------------------------------------------------------------------------------
// Requests (gateway → engine). Each carries `type`; `MatchingEngine.handle(req)` stamps it with the
// clock into a `Command` (request + `at`) that is journaled and replayed by `apply(command)`.

/** Fields the engine keeps only to echo them back in Execution Reports (§5.7 bits 5, 15–19). */
export interface OrderEcho {
  brokerLocationId?: string;
  positionEffect?: number;
  orderRestrictions?: string;
  maxPriceLevels?: number;
  orderCapacity?: number;
  text?: string;
  disclosureInstructions?: number;
  submittingBcanField?: string;
}

/** New Order (11), board lot or odd lot (§5.2). */
export interface NewOrderRequest {
  type: 'new';
  /** Session the order came in on (cancel on disconnect, routing of reports). */
  compId: string;
  /** Submitting Broker ID; also the owner of the order. */
  brokerId: string;
  clientOrderId: string;
  securityId: string;
  /** Side code: 1 Buy, 2 Sell, 5 Sell Short. */
  side: number;
  /** 1 Market, 2 Limit. */
  orderType: number;
  /** P3; required for limit orders. */
  price?: number;
  /** Shares. */
  quantity: number;
  /** 0 Day (default), 3 IOC, 4 FOK, 9 At Crossing. */
  tif?: number;
  /** 1 odd/special lot, absent or 2 board lot. */
  lotType?: number;
  /** Execution Instructions contains `0` (ignore price validity checks, §5.1). */
  ignorePriceValidity?: boolean;
  echo?: OrderEcho;
}

/** Amend Request (12), cancel/replace (§5.3). `quantity` is the new total order quantity. */
export interface AmendRequest {
  type: 'amend';
  compId: string;
  brokerId: string;
  clientOrderId: string;
  originalClientOrderId: string;
  /** Validated if present. */
  orderId?: string;
  securityId: string;
  side: number;
  price?: number;
  quantity: number;
  /** Order Type and TIF as the amend names them: must equal the order's (§5.3 "unchanged"). */
  orderType?: number;
  tif?: number;
  echo?: OrderEcho;
}

/** Cancel Request (13) (§5.4). */
export interface CancelRequest {
  type: 'cancel';
  compId: string;
  brokerId: string;
  clientOrderId: string;
  originalClientOrderId: string;
  orderId?: string;
  securityId: string;
  side: number;
  text?: string;
}

/** OBO Cancel (23) (§5.6): cancel another broker's order; Order ID mandatory. */
export interface OboCancelRequest {
  type: 'oboCancel';
  compId: string;
  /** Submitting Broker ID. */
  brokerId: string;
  owningBrokerId: string;
  clientOrderId: string;
  originalClientOrderId?: string;
  orderId: string;
  securityId: string;
  side: number;
  text?: string;
}

/** Mass Cancel Request (14) (§5.5); scope = orders owned by `brokerId` [INF]. */
export interface MassCancelRequest {
  type: 'massCancel';
  compId: string;
  brokerId: string;
  clientOrderId: string;
  /** 1 security, 7 all, 9 market segment (MassCancelRequestType). */
  massCancelRequestType: number;
  securityId?: string;
  marketSegmentId?: string;
  /** 1 buy (bids), 2 sell (offers, incl. short sells); absent ⇒ both. */
  side?: number;
}

/** OBO Mass Cancel (24) (§5.6): scope = orders owned by `owningBrokerId`. */
export interface OboMassCancelRequest {
  type: 'oboMassCancel';
  compId: string;
  brokerId: string;
  owningBrokerId: string;
  clientOrderId: string;
  massCancelRequestType: number;
  securityId?: string;
  marketSegmentId?: string;
  side?: number;
}

/** Cancel on Disconnect fired for a session (§1.6): every live order entered on `compId`. */
export interface CancelOnDisconnectRequest {
  type: 'cancelOnDisconnect';
  compId: string;
}

/** End of the trading day: Day orders expire ('C'), client order IDs and exec ids may repeat. */
export interface EndOfDayRequest {
  type: 'endOfDay';
}

/** Move the market to a phase of the day (market-phases.ts); auctions match when theirs ends. */
export interface PhaseRequest {
  type: 'phase';
  phase: MarketPhase;
}

/** Halt (true) or resume (false) trading in one security (OMD-C 21 Security Status). */
export interface SecurityStatusRequest {
  type: 'securityStatus';
  securityId: string;
  halted: boolean;
}

/** Market operations cancel a trade of the day (OMD-C 51); no Execution Report 'H' is sent [ours]. */
export interface TradeCancelRequest {
  type: 'tradeCancel';
  securityId: string;
  tradeId: string;
}

export type EngineRequest =
  | NewOrderRequest | AmendRequest | CancelRequest | OboCancelRequest | MassCancelRequest
  | OboMassCancelRequest | CancelOnDisconnectRequest | EndOfDayRequest | PhaseRequest | SecurityStatusRequest
  | TradeCancelRequest;

/** A request stamped with its time: the unit of the journal. `apply(command)` is deterministic. */
export type EngineCommand = EngineRequest & { at: number };

// ---------------------------------------------------------------------------------------------
// Order state

/** A live order (board lot in the book, or odd lot in the odd-lot list). Plain data. */
export interface OrderState {
  orderId: string;
  clientOrderId: string;
  compId: string;
  /** Submitting = owning Broker ID (firm). */
  brokerId: string;
  securityId: string;
  side: number;
  orderType: number;
  /** P3. */
  price: number;
  /** Total order quantity (shares), across the amend chain. */
  orderQty: number;
  cumQty: number;
  leavesQty: number;
  /** OrdStatus code: 0 New, 1 Partially Filled. */
  ordStatus: number;
  tif: number;
  /** 1 odd lot, 2 board lot. */
  lotType: number;
  /** Time priority: strictly increasing sequence number, lower = earlier. */
  priority: number;
  /** ms since epoch of acceptance (or of the replace). */
  enteredAt: number;
  echo?: OrderEcho;
}

// ---------------------------------------------------------------------------------------------
// Engine events (engine → gateway). Every event carries the report's addressees (`compId` of the
// order's session, `brokerId` owner) and the order's quantities as they were at that event.

/** Scalars common to every order event, snapshotted at the event. */
export interface OrderEventBase {
  /** Session to send the report to (the order's session; CoD reports wait for its next logon). */
  compId: string;
  brokerId: string;
  securityId: string;
  side: number;
  clientOrderId: string;
  /** Gateway-assigned order id ('' for a rejected new order that never got one… see `rejected`). */
  orderId: string;
  /** Unique per trading day (§5.1). */
  execId: string;
  /** OCG Exec Type byte ('0', '4', '5', '8', 'C', 'F', 'X', 'Y'). */
  execType: string;
  /** OCG Order Status code at this event. */
  ordStatus: number;
  orderType: number;
  price: number;
  orderQty: number;
  cumQty: number;
  leavesQty: number;
  tif: number;
  lotType: number;
  transactTime: number;
  echo?: OrderEcho;
}

/** '0' New: order accepted (§5.7 7.6.7.1). */
export interface OrderAcceptedEvent extends OrderEventBase {
  kind: 'accepted';
}

/** Why the engine refused; lets the gateway pick a BMR instead where it prefers (§5.11). */
export type RejectCause =
  | 'unknownSecurity' | 'invalidPriceTick' | 'priceBand' | 'invalidLot' | 'invalidQuantity'
  | 'orderExceedsLimit' | 'duplicateClientOrderId' | 'unsupportedOrderType' | 'unsupportedTif'
  | 'unsupportedSide' | 'oddLotNotAllowed' | 'quotaExceeded' | 'amendNotAllowed' | 'unknownOrder'
  | 'tooLate' | 'noCancelWindow' | 'orderIdMismatch' | 'invalidRequest' | 'other'
  | 'phaseNoInput' | 'phaseNoCancel' | 'securityHalted' | 'referencePriceMissing';

/** '8' Rejected new order (7.6.7.2): Order Reject Code (bit 26) and Reason (bit 20). */
export interface OrderRejectedEvent extends OrderEventBase {
  kind: 'rejected';
  ordRejReason: number;
  cause: RejectCause;
  reason: string;
}

/** 'F' Trade (7.6.7.10): one per side of every fill, at the resting order's price. */
export interface OrderFilledEvent extends OrderEventBase {
  kind: 'filled';
  lastPx: number;
  lastQty: number;
  /** Trade Match ID (bit 38), shared by both sides' reports. */
  tradeId: string;
  counterpartyBrokerId: string;
  counterpartyOrderId: string;
  /** Aggressor Indicator (bit 42): true for the incoming order. */
  aggressor: boolean;
  /** Matched in an auction (Match Type 5 Cross auction, no aggressor). */
  auction?: boolean;
}

/**
 * '4' Cancelled (7.6.7.3–5): on request (`originalClientOrderId` set, no restatement) or
 * unsolicited with Exec Restatement Reason (100 replaced-order failure, 101/102 OBO, 103 mass
 * cancel, 104 cancel on disconnect).
 */
export interface OrderCancelledEvent extends OrderEventBase {
  kind: 'cancelled';
  originalClientOrderId?: string;
  execRestatementReason?: number;
}

/** 'C' Expired (7.6.7.6): IOC/FOK remainder, Day orders at end of day [INF]. */
export interface OrderExpiredEvent extends OrderEventBase {
  kind: 'expired';
  reason: string;
}

/**
 * '5' Amended (7.6.7.7). `replaced` false: same Order ID, priority kept (no price change and no
 * quantity increase). `replaced` true: cancel/replace, a `cancelled` event for the old Order ID
 * came just before, and `orderId` is the new one (priority lost, may trade at once).
 */
export interface OrderAmendedEvent extends OrderEventBase {
  kind: 'amended';
  originalClientOrderId: string;
  replaced: boolean;
  /** The Order ID before a cancel/replace. */
  previousOrderId: string;
}

/** 'Y' Amend rejected (7.6.7.9): Amend Reject Code (bit 36). */
export interface AmendRejectedEvent extends OrderEventBase {
  kind: 'amendRejected';
  originalClientOrderId: string;
  amendRejectCode: number;
  cause: RejectCause;
  reason: string;
}

/** 'X' Cancel rejected (7.6.7.8): Cancel Reject Code (bit 29); also a failed OBO cancel (status 8). */
export interface CancelRejectedEvent extends OrderEventBase {
  kind: 'cancelRejected';
  originalClientOrderId?: string;
  cancelRejectCode: number;
  cause: RejectCause;
  reason: string;
  /** Owning Broker ID of an OBO cancel (bit 10). */
  owningBrokerId?: string;
}

/** Order Mass Cancel Report (15) to the submitter (§5.8), before the per-order '4's. */
export interface MassCancelReportEvent {
  kind: 'massCancelReport';
  compId: string;
  brokerId: string;
  clientOrderId: string;
  securityId?: string;
  massCancelRequestType: number;
  owningBrokerId?: string;
  massActionReportId: string;
  /** 0 Rejected, else echoes the request type (MassCancelResponse). */
  massCancelResponse: number;
  massCancelRejectCode?: number;
  reason?: string;
  cancelledCount: number;
  transactTime: number;
}

export type OrderEvent =
  | OrderAcceptedEvent | OrderRejectedEvent | OrderFilledEvent | OrderCancelledEvent
  | OrderExpiredEvent | OrderAmendedEvent | AmendRejectedEvent | CancelRejectedEvent;

export type EngineEvent = OrderEvent | MassCancelReportEvent;

// ---------------------------------------------------------------------------------------------
// Market-data hooks (for the OMD publisher later)

/** One trade, both sides (OMD-C Trade). */
export interface TradeEvent {
  securityId: string;
  tradeId: string;
  price: number;
  quantity: number;
  buyOrderId: string;
  sellOrderId: string;
  buyBrokerId: string;
  sellBrokerId: string;
  /** Side code of the aggressor (1 buy, 2/5 sell); 0 in an auction. */
  aggressorSide: number;
  transactTime: number;
  /** Matched in an auction (OMD-C Trade TrdType 103 "U"). */
  auction?: boolean;
}

/**
 * A change of the market's state the feed publishes (OMD-C 20, 21, 23, 41/56, 43, 62). Prices P3,
 * times ms since the epoch.
 */
export type MarketEvent =
  | { kind: 'phase'; phase: MarketPhase; previous: MarketPhase; at: number }
  | { kind: 'securityStatus'; securityId: string; halted: boolean; at: number }
  | { kind: 'vcm'; securityId: string; start: number; end: number; reference: number; lower: number; upper: number }
  /** IEP/IEV and imbalance; price 0 and direction '' when no IEP. */
  | { kind: 'iep'; securityId: string; price: number; volume: number; imbalanceDirection: 'B' | 'S' | 'N' | ''; imbalanceQuantity: number }
  | { kind: 'referencePrice'; securityId: string; reference: number; lower: number; upper: number }
  | { kind: 'closingPrice'; securityId: string; price: number; trades: number }
  | { kind: 'tradeCancel'; securityId: string; tradeId: string; at: number };

/** Order-level book change of the board-lot book (OMD-C Add/Modify/Delete Order). */
export interface BookChangeEvent {
  securityId: string;
  action: 'add' | 'modify' | 'delete';
  orderId: string;
  /** 1 bid, 2 offer. */
  bookSide: 1 | 2;
  price: number;
  /** Leaves quantity after the change (0 on delete). */
  quantity: number;
  transactTime: number;
}

// ---------------------------------------------------------------------------------------------
// Snapshot for the hot standby

export interface MatchingEngineState {
  version: 1;
  nextOrderId: number;
  nextExecId: number;
  nextTradeId: number;
  nextMassActionId: number;
  nextPriority: number;
  /** Every live order, by ascending priority. */
  orders: OrderState[];
  /** Per Submitting Broker ID, the client order IDs used today → the Order ID they named ('' if none). */
  clientOrderIds: Record<string, Record<string, string>>;
  /** Finished orders of the day (Order ID → final OrdStatus), for "too late" answers. */
  finishedOrders: Record<string, number>;
  /** Per security: last trade price (P3) for the price band. */
  lastPrices: Record<string, number>;
  /** OTP-CSC quota balance used so far today (P3 value), when a quota is configured. */
  quotaUsed: number;
  /** Phase of the day and per-security market state (absent in a state from before phases: continuous). */
  market?: MarketState;
}

export interface MarketState {
  phase: MarketPhase;
  /** Auctions of today already matched ('pos', 'cas'). */
  matched: string[];
  securities: Record<string, {
    halted?: boolean;
    vcm?: { start: number; end: number; reference: number; lower: number; upper: number };
    band?: { reference: number; lower: number; upper: number };
    trades?: number;
    history?: [number, number][];
  }>;
}

// Public types of the venue's matching engine beyond what the gateway routes to it (those are
// src/ocg order-routing.ts): its configuration, the journaled command, order state, the
// market-data hooks and the snapshot a standby restores. Units as in src/ocg order-routing.ts
// (P3 prices, integer shares, ms times).
import type { EngineRequest, OrderEcho, OcgProfile } from '../ocg/index.ts';
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

/** A request stamped with its time: the unit of the journal. `apply(command)` is deterministic. */
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

/** What the engine takes: the gateway's order requests and the venue's own market operations. */
export type VenueRequest = EngineRequest | PhaseRequest | SecurityStatusRequest | TradeCancelRequest;

export type EngineCommand = VenueRequest & { at: number };

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
  securities: Record<
    string,
    {
      halted?: boolean;
      vcm?: { start: number; end: number; reference: number; lower: number; upper: number };
      band?: { reference: number; lower: number; upper: number };
      trades?: number;
      history?: [number, number][];
    }
  >;
}

// What the gateway routes orders to, as the gateway defines it: the requests it sends in, the
// events it turns into OCG-C Execution Reports and Mass Cancel Reports (spec note §5), and the
// units both sides use. The venue's matching engine implements OrderRouter; it imports these
// types from here, never the other way.
//
// Codes (Side, OrdType, TIF, ExecType, OrdStatus, reject codes, restatement reasons) are the
// OCG-C numbers of messages.ts. Units keep the hot path on plain numbers and the engine's state
// JSON-serialisable:
// - price: integer thousandths of the currency ("P3", the unit of the SEHK spread table and of
//   OMD-C prices): HKD 395.8 → 395_800. units.ts converts from/to the OCG wire Decimal
//   (×10^8 bigint); a wire price off the 0.001 grid becomes NaN and is rejected.
// - quantity: integer shares; a fractional wire quantity becomes NaN.
// - time: milliseconds since the epoch (from the injected Clock); the gateway formats it as the
//   OCG Transaction Time.

/** What the gateway needs from a matching engine: one request in, its events out, in order. */
export interface OrderRouter {
  handle(request: EngineRequest): EngineEvent[];
}

// ---------------------------------------------------------------------------------------------
// Requests (gateway → engine). Each carries `type`.

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
export interface EngineNewOrderRequest {
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
export interface EngineAmendRequest {
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
export interface EngineCancelRequest {
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
export interface EngineOboCancelRequest {
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
export interface EngineMassCancelRequest {
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
export interface EngineOboMassCancelRequest {
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
export interface EngineCancelOnDisconnectRequest {
  type: 'cancelOnDisconnect';
  compId: string;
}

/** End of the trading day: Day orders expire ('C'), client order IDs and exec ids may repeat. */
export interface EngineEndOfDayRequest {
  type: 'endOfDay';
}

export type EngineRequest =
  | EngineNewOrderRequest
  | EngineAmendRequest
  | EngineCancelRequest
  | EngineOboCancelRequest
  | EngineMassCancelRequest
  | EngineOboMassCancelRequest
  | EngineCancelOnDisconnectRequest
  | EngineEndOfDayRequest;

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
  | 'unknownSecurity'
  | 'invalidPriceTick'
  | 'priceBand'
  | 'invalidLot'
  | 'invalidQuantity'
  | 'orderExceedsLimit'
  | 'duplicateClientOrderId'
  | 'unsupportedOrderType'
  | 'unsupportedTif'
  | 'unsupportedSide'
  | 'oddLotNotAllowed'
  | 'quotaExceeded'
  | 'amendNotAllowed'
  | 'unknownOrder'
  | 'tooLate'
  | 'noCancelWindow'
  | 'orderIdMismatch'
  | 'invalidRequest'
  | 'other'
  | 'phaseNoInput'
  | 'phaseNoCancel'
  | 'securityHalted'
  | 'referencePriceMissing';

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
  | OrderAcceptedEvent
  | OrderRejectedEvent
  | OrderFilledEvent
  | OrderCancelledEvent
  | OrderExpiredEvent
  | OrderAmendedEvent
  | AmendRejectedEvent
  | CancelRejectedEvent;

export type EngineEvent = OrderEvent | MassCancelReportEvent;

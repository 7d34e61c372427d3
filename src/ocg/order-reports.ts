// Between OCG-C messages and the order routing types (order-routing.ts): the fields of an order
// the engine echoes back, and the engine's events as Execution Reports and Order Mass Cancel
// Reports (spec note §5.7, §5.8).
import { MatchType, NO_ORDER_ID, OcgMsgType } from './messages.ts';
import type { ExecutionReport, OrderMassCancelReport } from './messages.ts';
import type { MassCancelReportEvent, OrderEcho, OrderEvent } from './order-routing.ts';
import type { OcgProfile } from './profile.ts';
import { transactionTimeFromMillis } from './time.ts';
import { priceToWire, qtyToWire } from './units.ts';
import { fixedText as fx, wireText } from './wire-text.ts';

/** Transaction Time of a clock reading (fractional ms ⇒ microseconds, time.ts), formatted once per reading. */
export function transactionTimeOf(ms: number, cache?: { at: number; text: string }): string {
  if (cache === undefined) return transactionTimeFromMillis(ms);
  if (ms !== cache.at) {
    cache.at = ms;
    cache.text = transactionTimeFromMillis(ms);
  }
  return cache.text;
}

export function echoOf(m: {
  brokerLocationId?: string;
  positionEffect?: number;
  orderRestrictions?: string;
  maxPriceLevels?: number;
  orderCapacity?: number;
  text?: string;
  disclosureInstructions?: number;
  submittingBcanField?: string;
}): OrderEcho | undefined {
  const e: OrderEcho = {};
  let any = false;
  if (m.brokerLocationId !== undefined) {
    e.brokerLocationId = fx(m.brokerLocationId, 11);
    any = true;
  }
  if (m.positionEffect !== undefined) {
    e.positionEffect = m.positionEffect;
    any = true;
  }
  if (m.orderRestrictions !== undefined) {
    e.orderRestrictions = fx(m.orderRestrictions, 21);
    any = true;
  }
  if (m.maxPriceLevels !== undefined) {
    e.maxPriceLevels = m.maxPriceLevels;
    any = true;
  }
  if (m.orderCapacity !== undefined) {
    e.orderCapacity = m.orderCapacity;
    any = true;
  }
  // Text: ≤ 10 characters kept (§5.1).
  if (m.text !== undefined) {
    e.text = m.text.slice(0, 10);
    any = true;
  }
  if (m.disclosureInstructions !== undefined) {
    e.disclosureInstructions = m.disclosureInstructions;
    any = true;
  }
  if (m.submittingBcanField !== undefined) {
    e.submittingBcanField = fx(m.submittingBcanField, 21);
    any = true;
  }
  return any ? e : undefined;
}

/** The Execution Report variant of §5.7 for an engine event. */
export function executionReportOf(ev: OrderEvent, profile: OcgProfile, securityExchange?: string, timeCache?: { at: number; text: string }): ExecutionReport {
  const er: ExecutionReport = {
    msgType: OcgMsgType.ExecutionReport,
    clientOrderId: ev.clientOrderId,
    submittingBrokerId: ev.brokerId,
    securityId: ev.securityId,
    securityIdSource: 8,
    securityExchange: securityExchange ?? profile.securityExchanges[0] ?? 'XHKG',
    transactionTime: transactionTimeOf(ev.transactTime, timeCache),
    side: ev.side,
    // Required in every variant (§5.7); a rejected new order or an unknown order has none [INF: FIX's NONE].
    orderId: ev.orderId === '' ? NO_ORDER_ID : ev.orderId,
    orderType: ev.orderType,
    orderQuantity: qtyToWire(ev.orderQty),
    tif: ev.tif,
    executionId: ev.execId,
    orderStatus: ev.ordStatus,
    execType: ev.execType,
    cumulativeQuantity: qtyToWire(ev.cumQty),
    leavesQuantity: qtyToWire(ev.leavesQty),
    // In the literal (undefined = absent to the encoder): the common reports need no property
    // store grown after it.
    price: Number.isFinite(ev.price) && ev.orderType === 2 ? priceToWire(ev.price) : undefined,
    lotType: ev.kind === 'accepted' || ev.kind === 'filled' ? ev.lotType : undefined,
  };
  const echo = ev.echo;
  if (echo !== undefined) {
    // Order echo (bits 5, 15–19); the BCAN is never echoed (§5.1).
    if (echo.brokerLocationId !== undefined) er.brokerLocationId = echo.brokerLocationId;
    if (echo.positionEffect !== undefined) er.positionEffect = echo.positionEffect;
    if (echo.orderRestrictions !== undefined) er.orderRestrictions = echo.orderRestrictions;
    if (echo.maxPriceLevels !== undefined) er.maxPriceLevels = echo.maxPriceLevels;
    if (echo.orderCapacity !== undefined) er.orderCapacity = echo.orderCapacity;
    if (echo.text !== undefined) er.text = echo.text;
  }
  switch (ev.kind) {
    case 'accepted':
      break;
    case 'rejected':
      er.reason = wireText(ev.reason, 74);
      er.orderRejectCode = ev.ordRejReason;
      break;
    case 'filled':
      er.matchType = ev.auction === true ? MatchType.CrossAuction : MatchType.AutoMatch; // §5.7 Match Type 5 for an auction
      er.counterpartyBrokerId = ev.counterpartyBrokerId;
      er.executionQuantity = qtyToWire(ev.lastQty);
      er.executionPrice = priceToWire(ev.lastPx);
      er.tradeMatchId = ev.tradeId;
      if (ev.auction !== true) er.aggressorIndicator = ev.aggressor ? 1 : 0; // continuous auto-match only (§5.7)
      break;
    case 'cancelled':
      if (ev.originalClientOrderId !== undefined) er.originalClientOrderId = ev.originalClientOrderId;
      if (ev.execRestatementReason !== undefined) er.execRestatementReason = ev.execRestatementReason;
      break;
    case 'expired':
      er.reason = wireText(ev.reason, 74);
      break;
    case 'amended':
      er.originalClientOrderId = ev.originalClientOrderId;
      break;
    case 'amendRejected':
      er.originalClientOrderId = ev.originalClientOrderId;
      er.reason = wireText(ev.reason, 74);
      er.amendRejectCode = ev.amendRejectCode;
      break;
    case 'cancelRejected':
      if (ev.originalClientOrderId !== undefined) er.originalClientOrderId = ev.originalClientOrderId;
      if (ev.owningBrokerId !== undefined) er.owningBrokerId = ev.owningBrokerId;
      er.reason = wireText(ev.reason, 74);
      er.cancelRejectCode = ev.cancelRejectCode;
      break;
  }
  return er;
}

export function massCancelReportOf(ev: MassCancelReportEvent, _profile: OcgProfile): OrderMassCancelReport {
  const r: OrderMassCancelReport = {
    msgType: OcgMsgType.OrderMassCancelReport,
    clientOrderId: ev.clientOrderId,
    submittingBrokerId: ev.brokerId,
    transactionTime: transactionTimeOf(ev.transactTime),
    massCancelRequestType: ev.massCancelRequestType,
    massActionReportId: ev.massActionReportId,
    massCancelResponse: ev.massCancelResponse,
  };
  if (ev.securityId !== undefined) r.securityId = ev.securityId;
  if (ev.owningBrokerId !== undefined) r.owningBrokerId = ev.owningBrokerId;
  if (ev.massCancelRejectCode !== undefined) r.massCancelRejectCode = ev.massCancelRejectCode;
  if (ev.reason !== undefined) r.reason = wireText(ev.reason, 74);
  return r;
}

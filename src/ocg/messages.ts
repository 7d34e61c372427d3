// OCG-C binary trading protocol: message types as plain data (the OCG-C spec note, docs/spec-decisions.md).
//
// Representation choices (read this before using the types):
// - Every message is a plain object discriminated by `msgType` (the OCG-C Message Type code, §3.1).
//   Field names are the lowerCamelCase of the data dictionary names ("Client Order ID" →
//   `clientOrderId`). Every body field is optional (`?`): presence is decided per message by the
//   presence map (§2.3); a decoded object only carries the fields whose bits were set. The decoder
//   does check the fields the note marks Y (always required) and reports them missing.
// - Decimal fields (prices AND quantities, §2.5) are `bigint` holding the raw wire value: the
//   decimal value × 10^8 (Price 395.8 → 39_580_000_000n, Quantity 100 → 10_000_000_000n). A JS
//   number cannot hold 99 999 999 shares × 10^8 exactly. Convert with `toPrice`/`fromPrice`
//   (and the aliases `toQty`/`fromQty`); `formatDecimal` gives an exact string.
// - UInt8/UInt16/UInt32 fields are `number`. "Byte" fields (Exec Type, Exchange Trade Type, Gap
//   Fill) are one-character strings ('F', 'Y'). Alphanumeric fields are strings (ASCII/latin1),
//   without the NUL terminator. Transaction Time is the wire string `YYYYMMDD-HH:MM:SS.ssssss` (UTC);
//   see `formatTransactionTime`/`parseTransactionTime` in time.ts.
// - Header booleans PossDup/PossResend are `boolean`; body booleans (Test Message Indicator, Last
//   Fragment, Entitlement Indicator, Aggressor Indicator) stay numbers 0/1 as on the wire.

/** OCG-C Message Type codes (§3.1). 19, 20 and ≥ 29 are unassigned. */
export const OcgMsgType = {
  Heartbeat: 0,
  TestRequest: 1,
  ResendRequest: 2,
  Reject: 3,
  SequenceReset: 4,
  Logon: 5,
  Logout: 6,
  LookupRequest: 7,
  LookupResponse: 8,
  BusinessMessageReject: 9,
  ExecutionReport: 10,
  NewOrder: 11,
  AmendRequest: 12,
  CancelRequest: 13,
  MassCancelRequest: 14,
  OrderMassCancelReport: 15,
  Quote: 16,
  QuoteCancel: 17,
  QuoteStatusReport: 18,
  TradeCaptureReport: 21,
  TradeCaptureReportAck: 22,
  OboCancelRequest: 23,
  OboMassCancelRequest: 24,
  ThrottleEntitlementRequest: 25,
  ThrottleEntitlementResponse: 26,
  PartyEntitlementsRequest: 27,
  PartyEntitlementsReport: 28,
} as const;
export type OcgMsgTypeCode = (typeof OcgMsgType)[keyof typeof OcgMsgType];

/** Session-level messages (§3.13: these are gap-filled, not replayed, in a resend). */
export const OCG_GAP_FILLED_MSG_TYPES: ReadonlySet<number> = new Set([
  OcgMsgType.Logon,
  OcgMsgType.Logout,
  OcgMsgType.Heartbeat,
  OcgMsgType.TestRequest,
  OcgMsgType.ResendRequest,
  OcgMsgType.SequenceReset,
]);

// ---------------------------------------------------------------------------------------------
// Framing constants (§2.1)

export const OCG_START_OF_MESSAGE = 0x02;
export const OCG_HEADER_LENGTH = 54;
export const OCG_TRAILER_LENGTH = 4;
/** Header + empty body + checksum. */
export const OCG_MIN_MESSAGE_LENGTH = 58;
export const OCG_MAX_MESSAGE_LENGTH = 65_535;
/** Alnum Fixed(12) ⇒ at most 11 characters. */
export const OCG_COMP_ID_LENGTH = 12;

// ---------------------------------------------------------------------------------------------
// Header and codec result types

/** The 54-byte header minus framing (§2.1). */
export interface OcgHeader {
  msgType: OcgMsgTypeCode;
  seqNum: number;
  possDup: boolean;
  possResend: boolean;
  /** The client's Comp ID, in both directions (§1.1, §8 item 8). */
  compId: string;
}

/** What the encoder needs for the header; the message type comes from the body. */
export interface OcgEncodeHeader {
  seqNum: number;
  compId: string;
  possDup?: boolean;
  possResend?: boolean;
}

export interface OcgDecoded<M extends OcgMessage = OcgMessage> {
  ok: true;
  header: OcgHeader;
  message: M;
  /** Total length of the frame in bytes (the Length field). */
  length: number;
}

/**
 * Why a frame or message could not be decoded.
 * - fatal framing errors (the connection must be dropped, §2.2, §4.8): badStartByte, badLength,
 *   truncated, badChecksum, bodyLengthMismatch.
 * - message errors (framing intact, the stream may continue; the gateway answers with Reject (3)
 *   using `rejectCode`): unknownMessageType, messageTypeNotAllowed, unknownPresenceBit,
 *   requiredFieldMissing, badFieldValue.
 */
/**
 * Order ID of an Execution Report that has no order (a rejected New Order, a cancel or amend of an
 * unknown order): the field is required in every variant (§5.7) [INF: FIX's OrderID "NONE"].
 */
export const NO_ORDER_ID = 'NONE';

export const OcgDecodeErrorKind = {
  BadStartByte: 'badStartByte',
  BadLength: 'badLength',
  Truncated: 'truncated',
  BadChecksum: 'badChecksum',
  BodyLengthMismatch: 'bodyLengthMismatch',
  UnknownMessageType: 'unknownMessageType',
  MessageTypeNotAllowed: 'messageTypeNotAllowed',
  UnknownPresenceBit: 'unknownPresenceBit',
  RequiredFieldMissing: 'requiredFieldMissing',
  BadFieldValue: 'badFieldValue',
} as const;
export type OcgDecodeErrorKindName = (typeof OcgDecodeErrorKind)[keyof typeof OcgDecodeErrorKind];

export interface OcgDecodeError {
  ok: false;
  kind: OcgDecodeErrorKindName;
  /** True when the byte stream can no longer be trusted: drop the connection without Logout. */
  fatal: boolean;
  /** One precise line for the log. */
  detail: string;
  /** Header, when the header could be read (and the checksum was good). */
  header?: OcgHeader;
  /** Session Reject (3) Message Reject Code the gateway should send, when one applies (§3.7). */
  rejectCode?: number;
  /** Data-dictionary name of the offending field, for Reject's Reference Field Name. */
  fieldName?: string;
  /** The offending presence bit, when one applies. */
  bit?: number;
}

export type OcgDecodeResult<M extends OcgMessage = OcgMessage> = OcgDecoded<M> | OcgDecodeError;

// ---------------------------------------------------------------------------------------------
// Session messages (§3)

/** 0 — plain (empty body) or answering a Test Request (§3.5). */
export interface Heartbeat {
  msgType: typeof OcgMsgType.Heartbeat;
  referenceTestRequestId?: number;
}

/** 1 (§3.5). */
export interface TestRequest {
  msgType: typeof OcgMsgType.TestRequest;
  testRequestId?: number;
}

/** 2 (§3.6). endSequence 0 = everything from startSequence. */
export interface ResendRequest {
  msgType: typeof OcgMsgType.ResendRequest;
  startSequence?: number;
  endSequence?: number;
}

/** 3 — session-level reject (§3.7). */
export interface Reject {
  msgType: typeof OcgMsgType.Reject;
  messageRejectCode?: number;
  reason?: string;
  referenceMessageType?: number;
  referenceFieldName?: string;
  referenceSequenceNumber?: number;
  clientOrderId?: string;
}

/** 4 (§3.8). gapFill absent ⇒ 'N' (Reset): always set it when gap-filling. */
export interface SequenceReset {
  msgType: typeof OcgMsgType.SequenceReset;
  gapFill?: string;
  newSequenceNumber?: number;
}

/** 5 (§3.3). password/newPassword: base64 RSA ciphertext (§1.4). */
export interface Logon {
  msgType: typeof OcgMsgType.Logon;
  password?: string;
  newPassword?: string;
  nextExpectedMessageSequence?: number;
  sessionStatus?: number;
  text?: string;
  testMessageIndicator?: number;
}

/** 6 (§3.4). */
export interface Logout {
  msgType: typeof OcgMsgType.Logout;
  logoutText?: string;
  sessionStatus?: number;
}

/** 7 (§3.2). Header seq is always 1. */
export interface LookupRequest {
  msgType: typeof OcgMsgType.LookupRequest;
  typeOfService?: number;
  protocolType?: number;
}

/** 8 (§3.2). Header seq is always 1. */
export interface LookupResponse {
  msgType: typeof OcgMsgType.LookupResponse;
  status?: number;
  lookupRejectCode?: number;
  reason?: string;
  primaryIp?: string;
  primaryPort?: number;
  secondaryIp?: string;
  secondaryPort?: number;
}

/** 25 (§3.9). */
export interface ThrottleEntitlementRequest {
  msgType: typeof OcgMsgType.ThrottleEntitlementRequest;
  userRequestId?: string;
  userRequestType?: number;
  userName?: string;
}

/** One repetition of No Throttles (§3.9). */
export interface ThrottleEntry {
  throttleAction?: number;
  throttleType?: number;
  throttleNoMessages?: number;
  throttleTimeInterval?: number;
  throttleTimeUnit?: number;
}

/** 26 (§3.9). */
export interface ThrottleEntitlementResponse {
  msgType: typeof OcgMsgType.ThrottleEntitlementResponse;
  userRequestId?: string;
  userName?: string;
  throttles?: ThrottleEntry[];
}

/** 27 (§3.10). */
export interface PartyEntitlementsRequest {
  msgType: typeof OcgMsgType.PartyEntitlementsRequest;
  entitlementRequestId?: string;
}

/** One repetition of No Entitlement Attributes (§3.10, nested block 6.2). */
export interface EntitlementAttribute {
  entitlementAttributeType?: number;
  entitlementAttributeDataType?: number;
  entitlementAttributeValue?: string;
}

/** One repetition of No Instrument Scopes (§3.10, nested block 6.4). */
export interface InstrumentScope {
  instrumentScopeOperator?: number;
  securityId?: string;
  securityIdSource?: number;
  securityExchange?: string;
}

/** One repetition of No Entitlements (§3.10, block 6). */
export interface Entitlement {
  entitlementType?: number;
  entitlementIndicator?: number;
  entitlementAttributes?: EntitlementAttribute[];
  entitlementId?: string;
  instrumentScopes?: InstrumentScope[];
}

/** 28 (§3.10). One message per Broker ID of the client. */
export interface PartyEntitlementsReport {
  msgType: typeof OcgMsgType.PartyEntitlementsReport;
  entitlementReportId?: string;
  entitlementRequestId?: string;
  requestResult?: number;
  totalNoPartyList?: number;
  lastFragment?: number;
  brokerId?: string;
  entitlements?: Entitlement[];
}

// ---------------------------------------------------------------------------------------------
// Business messages (§5)

/** 11 — board lot (lotType absent or 2) and odd/special lot (lotType 1) (§5.2). */
export interface NewOrder {
  msgType: typeof OcgMsgType.NewOrder;
  clientOrderId?: string;
  submittingBrokerId?: string;
  securityId?: string;
  securityIdSource?: number;
  securityExchange?: string;
  brokerLocationId?: string;
  transactionTime?: string;
  side?: number;
  orderType?: number;
  price?: bigint;
  orderQuantity?: bigint;
  tif?: number;
  positionEffect?: number;
  orderRestrictions?: string;
  maxPriceLevels?: number;
  orderCapacity?: number;
  text?: string;
  executionInstructions?: string;
  disclosureInstructions?: number;
  lotType?: number;
  submittingBcanField?: string;
  /** v3.2 Self-Match Prevention, only with a profile that enables SMP (§5.13) [SEC]. */
  smpId?: string;
}

/** 12 — cancel/replace (§5.3). */
export interface AmendRequest {
  msgType: typeof OcgMsgType.AmendRequest;
  clientOrderId?: string;
  submittingBrokerId?: string;
  securityId?: string;
  securityIdSource?: number;
  securityExchange?: string;
  brokerLocationId?: string;
  transactionTime?: string;
  side?: number;
  originalClientOrderId?: string;
  orderId?: string;
  orderType?: number;
  price?: bigint;
  orderQuantity?: bigint;
  tif?: number;
  positionEffect?: number;
  orderRestrictions?: string;
  maxPriceLevels?: number;
  orderCapacity?: number;
  text?: string;
  executionInstructions?: string;
  disclosureInstructions?: number;
}

/** 13 (§5.4). */
export interface CancelRequest {
  msgType: typeof OcgMsgType.CancelRequest;
  clientOrderId?: string;
  submittingBrokerId?: string;
  securityId?: string;
  securityIdSource?: number;
  securityExchange?: string;
  brokerLocationId?: string;
  transactionTime?: string;
  side?: number;
  originalClientOrderId?: string;
  orderId?: string;
  text?: string;
}

/** 14 (§5.5). */
export interface MassCancelRequest {
  msgType: typeof OcgMsgType.MassCancelRequest;
  clientOrderId?: string;
  submittingBrokerId?: string;
  securityId?: string;
  securityIdSource?: number;
  securityExchange?: string;
  brokerLocationId?: string;
  transactionTime?: string;
  side?: number;
  massCancelRequestType?: number;
  marketSegmentId?: string;
}

/** 23 — on-behalf-of cancel (§5.6). */
export interface OboCancelRequest {
  msgType: typeof OcgMsgType.OboCancelRequest;
  clientOrderId?: string;
  submittingBrokerId?: string;
  securityId?: string;
  securityIdSource?: number;
  securityExchange?: string;
  brokerLocationId?: string;
  transactionTime?: string;
  side?: number;
  originalClientOrderId?: string;
  orderId?: string;
  owningBrokerId?: string;
  text?: string;
}

/** 24 — on-behalf-of mass cancel (§5.6). */
export interface OboMassCancelRequest {
  msgType: typeof OcgMsgType.OboMassCancelRequest;
  clientOrderId?: string;
  submittingBrokerId?: string;
  securityId?: string;
  securityIdSource?: number;
  securityExchange?: string;
  brokerLocationId?: string;
  transactionTime?: string;
  side?: number;
  massCancelRequestType?: number;
  marketSegmentId?: string;
  owningBrokerId?: string;
}

/** 10 — one bit table for every variant (§5.7); which bits a variant carries is in the note. */
export interface ExecutionReport {
  msgType: typeof OcgMsgType.ExecutionReport;
  clientOrderId?: string;
  submittingBrokerId?: string;
  securityId?: string;
  securityIdSource?: number;
  securityExchange?: string;
  brokerLocationId?: string;
  transactionTime?: string;
  side?: number;
  originalClientOrderId?: string;
  orderId?: string;
  owningBrokerId?: string;
  orderType?: number;
  price?: bigint;
  orderQuantity?: bigint;
  tif?: number;
  positionEffect?: number;
  orderRestrictions?: string;
  maxPriceLevels?: number;
  orderCapacity?: number;
  text?: string;
  reason?: string;
  executionId?: string;
  orderStatus?: number;
  execType?: string;
  cumulativeQuantity?: bigint;
  leavesQuantity?: bigint;
  orderRejectCode?: number;
  lotType?: number;
  execRestatementReason?: number;
  cancelRejectCode?: number;
  matchType?: number;
  counterpartyBrokerId?: string;
  executionQuantity?: bigint;
  executionPrice?: bigint;
  referenceExecutionId?: string;
  orderCategory?: number;
  amendRejectCode?: number;
  tradeMatchId?: string;
  exchangeTradeType?: string;
  aggressorIndicator?: number;
  /** v3.2 Self-Match Prevention, only with a profile that enables SMP (§5.13) [SEC]. */
  smpId?: string;
}

/** 15 (§5.8). */
export interface OrderMassCancelReport {
  msgType: typeof OcgMsgType.OrderMassCancelReport;
  clientOrderId?: string;
  submittingBrokerId?: string;
  securityId?: string;
  securityIdSource?: number;
  securityExchange?: string;
  brokerLocationId?: string;
  transactionTime?: string;
  massCancelRequestType?: number;
  owningBrokerId?: string;
  massActionReportId?: string;
  massCancelResponse?: number;
  massCancelRejectCode?: number;
  reason?: string;
}

/** 16 (§5.9). */
export interface Quote {
  msgType: typeof OcgMsgType.Quote;
  submittingBrokerId?: string;
  brokerLocationId?: string;
  securityId?: string;
  securityIdSource?: number;
  securityExchange?: string;
  quoteBidId?: string;
  quoteOfferId?: string;
  quoteType?: number;
  side?: number;
  bidSize?: bigint;
  offerSize?: bigint;
  bidPrice?: bigint;
  offerPrice?: bigint;
  transactionTime?: string;
  positionEffect?: number;
  orderRestrictions?: string;
  text?: string;
  executionInstructions?: string;
  submittingBcanField?: string;
}

/** 17 (§5.9). */
export interface QuoteCancel {
  msgType: typeof OcgMsgType.QuoteCancel;
  submittingBrokerId?: string;
  brokerLocationId?: string;
  securityId?: string;
  securityIdSource?: number;
  securityExchange?: string;
  quoteMessageId?: string;
  quoteCancelType?: number;
}

/** 18 — rejections only (§5.9). */
export interface QuoteStatusReport {
  msgType: typeof OcgMsgType.QuoteStatusReport;
  submittingBrokerId?: string;
  brokerLocationId?: string;
  securityId?: string;
  securityIdSource?: number;
  securityExchange?: string;
  quoteBidId?: string;
  quoteOfferId?: string;
  quoteType?: number;
  transactionTime?: string;
  quoteMessageId?: string;
  quoteCancelType?: number;
  quoteStatus?: number;
  quoteRejectCode?: number;
  reason?: string;
}

/** 21 — both directions; union bit table of all variants (§5.10). */
export interface TradeCaptureReport {
  msgType: typeof OcgMsgType.TradeCaptureReport;
  tradeReportId?: string;
  tradeReportTransType?: number;
  tradeReportType?: number;
  tradeHandlingInstructions?: number;
  submittingBrokerId?: string;
  counterpartyBrokerId?: string;
  brokerLocationId?: string;
  securityId?: string;
  securityIdSource?: number;
  securityExchange?: string;
  side?: number;
  transactionTime?: string;
  tradeId?: string;
  tradeType?: number;
  executionQuantity?: bigint;
  executionPrice?: bigint;
  clearingInstruction?: number;
  positionEffect?: number;
  orderCapacity?: number;
  orderCategory?: number;
  text?: string;
  executionInstructions?: string;
  execType?: string;
  tradeReportStatus?: number;
  exchangeTradeType?: string;
  orderId?: string;
  submittingBcanField?: string;
  counterpartyBcanField?: string;
}

/** 22 (§5.10). */
export interface TradeCaptureReportAck {
  msgType: typeof OcgMsgType.TradeCaptureReportAck;
  tradeReportId?: string;
  tradeReportTransType?: number;
  tradeReportType?: number;
  tradeHandlingInstructions?: number;
  submittingBrokerId?: string;
  counterpartyBrokerId?: string;
  brokerLocationId?: string;
  securityId?: string;
  securityIdSource?: number;
  securityExchange?: string;
  side?: number;
  transactionTime?: string;
  tradeId?: string;
  tradeReportStatus?: number;
  tradeReportRejectCode?: number;
  reason?: string;
}

/** 9 (§5.11). For throttle (code 8) `reason` holds the remaining ms of the interval. */
export interface BusinessMessageReject {
  msgType: typeof OcgMsgType.BusinessMessageReject;
  businessRejectCode?: number;
  reason?: string;
  referenceMessageType?: number;
  referenceFieldName?: string;
  referenceSequenceNumber?: number;
  businessRejectReferenceId?: string;
}

export type OcgMessage =
  | Heartbeat
  | TestRequest
  | ResendRequest
  | Reject
  | SequenceReset
  | Logon
  | Logout
  | LookupRequest
  | LookupResponse
  | BusinessMessageReject
  | ExecutionReport
  | NewOrder
  | AmendRequest
  | CancelRequest
  | MassCancelRequest
  | OrderMassCancelReport
  | Quote
  | QuoteCancel
  | QuoteStatusReport
  | TradeCaptureReport
  | TradeCaptureReportAck
  | OboCancelRequest
  | OboMassCancelRequest
  | ThrottleEntitlementRequest
  | ThrottleEntitlementResponse
  | PartyEntitlementsRequest
  | PartyEntitlementsReport;

/** The message interface for a type code: `OcgMessageOf<typeof OcgMsgType.NewOrder>`. */
export type OcgMessageOf<T extends OcgMsgTypeCode> = Extract<OcgMessage, { msgType: T }>;

// ---------------------------------------------------------------------------------------------
// Decimal (prices and quantities): signed Int64 × 10^8 (§2.5, §8 item 5)

export const DECIMAL_SCALE = 100_000_000n;

/**
 * Conversion to the wire's ×10^8 integer. Strings are parsed exactly ("395.8", "-0.001"; more than
 * 8 decimals is a RangeError); numbers are rounded to 8 decimals first (0.1 + 0.2 → 30_000_000n).
 * Throws RangeError on a malformed value (programmer input, not network).
 */
export function toPrice(value: number | string | bigint): bigint {
  if (typeof value === 'bigint') return value * DECIMAL_SCALE;
  if (typeof value === 'number' && (!Number.isFinite(value) || Math.abs(value) >= 1e21)) throw new RangeError(`not a decimal: ${value}`);
  let s = typeof value === 'number' ? value.toFixed(8) : value.trim();
  let neg = false;
  if (s.startsWith('-')) {
    neg = true;
    s = s.slice(1);
  } else if (s.startsWith('+')) s = s.slice(1);
  const m = /^(\d*)(?:\.(\d*))?$/.exec(s);
  if (m === null || (m[1] === '' && (m[2] ?? '') === '')) throw new RangeError(`not a decimal: ${String(value)}`);
  const frac = m[2] ?? '';
  if (frac.length > 8 && /[1-9]/.test(frac.slice(8))) throw new RangeError(`more than 8 decimals: ${String(value)}`);
  const raw = BigInt(m[1] === '' ? '0' : m[1]!) * DECIMAL_SCALE + BigInt((frac.slice(0, 8) + '00000000').slice(0, 8));
  return neg ? -raw : raw;
}

/** Raw ×10^8 → number (may lose precision beyond 2^53; use formatDecimal for exact text). */
export function fromPrice(raw: bigint): number {
  const whole = raw / DECIMAL_SCALE;
  const frac = raw % DECIMAL_SCALE;
  return Number(whole) + Number(frac) / 1e8;
}

/** Raw ×10^8 → exact decimal string without trailing zeros ("395.8", "100"). */
export function formatDecimal(raw: bigint): string {
  const neg = raw < 0n;
  const a = neg ? -raw : raw;
  const whole = (a / DECIMAL_SCALE).toString();
  const frac = (a % DECIMAL_SCALE).toString().padStart(8, '0').replace(/0+$/, '');
  return (neg ? '-' : '') + (frac === '' ? whole : `${whole}.${frac}`);
}

/** Quantities use the same ×10^8 Decimal as prices (§2.5). */
export const toQty = toPrice;
export const fromQty = fromPrice;

// ---------------------------------------------------------------------------------------------
// Code tables a gateway and a client need (§3, §5). Numeric unless noted.

/** Lookup Response Status (§3.2, §8 item 1: S1 wins over S5). */
export const LookupStatus = { Accepted: 0, Rejected: 1 } as const;
/** Lookup Reject Code, UInt8 (§3.2, §8 item 2). */
export const LookupRejectCode = {
  InvalidClient: 0,
  InvalidServiceType: 1,
  InvalidProtocol: 2,
  ClientBlocked: 3,
  Other: 4,
} as const;
export const TypeOfService = { OrderInput: 1 } as const;
export const ProtocolType = { Binary: 1 } as const;

/** Session Status in Logon/Logout (§3.11). */
export const SessionStatus = {
  SessionActive: 0,
  SessionPasswordChanged: 1,
  SessionPasswordDueToExpire: 2,
  NewPasswordDoesNotComply: 3,
  SessionLogoutComplete: 4,
  InvalidUsernameOrPassword: 5,
  AccountLocked: 6,
  LogonsNotAllowedAtThisTime: 7,
  PasswordExpired: 8,
  PasswordChangeRequired: 100,
  Other: 101,
} as const;

/** Logon Test Message Indicator (§3.3). */
export const TestMessageIndicator = { Production: 0, Test: 1 } as const;

/** Session Reject (3) Message Reject Code (§3.7). */
export const MessageRejectCode = {
  RequiredFieldMissing: 1,
  FieldNotDefinedForMessage: 2,
  UndefinedField: 3,
  FieldWithoutValue: 4,
  IncorrectValue: 5,
  IncorrectDataFormat: 6,
  CompIdProblem: 9,
  InvalidMessageType: 11,
  FieldAppearsMoreThanOnce: 13,
  Other: 99,
} as const;

/** Sequence Reset Gap Fill, Byte (§3.8). Absent ⇒ Reset. */
export const GapFill = { GapFill: 'Y', Reset: 'N' } as const;

/** Business Message Reject (9) Business Reject Code (§5.11). */
export const BusinessRejectCode = {
  Other: 0,
  UnknownId: 1,
  UnknownSecurity: 2,
  UnsupportedMessageType: 3,
  ApplicationNotAvailable: 4,
  ConditionallyRequiredFieldMissing: 5,
  ThrottleLimitExceeded: 8,
} as const;

/** Throttle / entitlement code tables (§3.9–3.10). */
export const UserRequestType = { RequestThrottleLimit: 5 } as const;
export const ThrottleAction = { Rejected: 2 } as const;
export const ThrottleType = { InboundRate: 0 } as const;
export const ThrottleTimeUnit = { Seconds: 0 } as const;
export const RequestResult = {
  Valid: 0,
  InvalidOrUnsupported: 1,
  NoData: 2,
  NotAuthorized: 3,
  TemporarilyUnavailable: 4,
  NotSupported: 5,
  Other: 99,
} as const;
export const EntitlementType = { Trade: 0, MakeMarket: 1 } as const;
export const EntitlementAttributeType = { MinVolumeObligation: 4000, MaxSpreadTickObligation: 4001 } as const;
export const EntitlementAttributeDataType = { Decimal: 7 } as const;
export const InstrumentScopeOperator = { Include: 1 } as const;

/** Exec Type, Byte (§5.7). */
export const ExecType = {
  New: '0',
  Cancel: '4',
  Amend: '5',
  Reject: '8',
  Expire: 'C',
  Trade: 'F',
  TradeCancel: 'H',
  TriggeredBySystem: 'L',
  CancelReject: 'X',
  AmendReject: 'Y',
} as const;

/** Order Status, UInt8 — numeric, not FIX chars (§5.7). */
export const OrdStatus = {
  New: 0,
  PartiallyFilled: 1,
  Filled: 2,
  Cancelled: 4,
  PendingCancel: 6,
  Rejected: 8,
  PendingNew: 10,
  Expired: 12,
  PendingAmend: 14,
} as const;

/** Order Reject Code, bit 26 of Execution Report (§5.7). */
export const OrdRejReason = {
  OrderExceedsLimit: 3,
  DuplicateOrder: 6,
  IncorrectQuantity: 13,
  PriceExceedsCurrentPriceBand: 16,
  ReferencePriceNotAvailable: 19,
  NotionalValueExceedsThreshold: 20,
  Other: 99,
  PriceExceedsBandOverrideNotAllowed: 101,
  PriceExceedsBand: 102,
} as const;

/** Cancel Reject Code, bit 29 (§5.7). */
export const CancelRejectCode = {
  TooLateToCancel: 0,
  UnknownOrder: 1,
  AlreadyPendingCancelReplace: 3,
  DuplicateClientOrderId: 6,
  Other: 99,
} as const;

/** Amend Reject Code, bit 36 (§5.7). */
export const AmendRejectCode = {
  TooLateToAmend: 0,
  UnknownOrder: 1,
  AlreadyPendingCancelReplace: 3,
  DuplicateClientOrderId: 6,
  PriceExceedsBand: 8,
  Other: 99,
  ReferencePriceNotAvailable: 100,
  PriceExceedsBandOverrideNotAllowed: 101,
  PriceExceedsCurrentBand: 102,
  NotionalValueExceedsThreshold: 103,
} as const;

/** Exec Restatement Reason, bit 28 (§5.7, §1.6 for 104; 17/18 are v3.2 SMP [SEC]). */
export const ExecRestatementReason = {
  SmpAggressive: 17,
  SmpPassive: 18,
  CancelOnTradingHaltOrVcm: 6,
  MarketOperation: 8,
  UnsolicitedCancelOfOriginal: 100,
  OboSingleCancel: 101,
  OboMassCancel: 102,
  MassCancelledByBroker: 103,
  CancelOnDisconnect: 104,
  BrokerSuspended: 105,
  EpSuspended: 106,
  SystemCancel: 107,
} as const;

/** Side (§5.1). */
export const Side = { Buy: 1, Sell: 2, SellShort: 5 } as const;
/** Order Type (§5.1). Market orders carry no Price. */
export const OrdType = { Market: 1, Limit: 2 } as const;
/** Time In Force (§5.1). Absent ⇒ Day. */
export const TimeInForce = { Day: 0, ImmediateOrCancel: 3, FillOrKill: 4, AtCrossing: 9 } as const;
export const PositionEffect = { Close: 1 } as const;
/** Order Restrictions values, multi-value text separated by one space (§5.1). */
export const OrderRestriction = { IndexArbitrage: '2', MarketMakerInSecurity: '5', MarketMakerInUnderlying: '6' } as const;
export const OrderCapacity = { Agency: 1, Principal: 2 } as const;
/** Execution Instructions values, multi-value text (§5.1). */
export const ExecutionInstruction = { IgnorePriceValidity: '0', IgnoreNotionalValue: '1' } as const;
/** Disclosure Instructions bit 0 "None" encoded as 1 (LSB) [INF, §8 item 12: could be 0x8000]. */
export const DisclosureInstructions = { None: 1 } as const;
export const LotType = { OddLot: 1, RoundLot: 2 } as const;
export const MatchType = { AutoMatch: 4, CrossAuction: 5 } as const;
export const OrderCategory = { InternalCross: 1 } as const;
export const AggressorIndicator = { Passive: 0, Aggressor: 1 } as const;
/** Exchange Trade Type, Byte (§5.7, §5.10). */
export const ExchangeTradeType = {
  Manual: 'M',
  ManualNonStandardPrice: 'S',
  SpecialLot: 'Q',
  OddLot: 'P',
  PreviousDay: 'R',
  Overseas: 'V',
  SpecialLotSemiAuto: 'E',
  OddLotSemiAuto: 'O',
} as const;
export const SecurityIdSource = { ExchangeSymbol: 8 } as const;
export const SecurityExchange = { Hkex: 'XHKG', ShanghaiConnect: 'XSSC', ShenzhenConnect: 'XSEC' } as const;

/** Mass cancel (§5.5, §5.8). */
export const MassCancelRequestType = { Security: 1, All: 7, MarketSegment: 9 } as const;
export const MassCancelResponse = { Rejected: 0, Security: 1, All: 7, MarketSegment: 9 } as const;
export const MassCancelRejectCode = { InvalidMarketSegment: 8, Other: 99 } as const;
export const MarketSegmentId = { Main: 'MAIN', Gem: 'GEM', Nasd: 'NASD', Ets: 'ETS' } as const;

/** Quotes (§5.9). */
export const QuoteType = { Tradable: 1 } as const;
export const QuoteCancelType = { CancelForSecurity: 1 } as const;
export const QuoteStatus = { Accepted: 0, CancelForSymbol: 1, Rejected: 5, QuoteNotFound: 9 } as const;
export const QuoteRejectCode = {
  InvalidPrice: 8,
  PriceExceedsBand: 10,
  NotionalExceedsThreshold: 14,
  ReferencePriceNotAvailable: 16,
  Other: 99,
  PriceExceedsBandOverrideNotAllowed: 101,
  PriceExceedsCurrentBand: 102,
} as const;

/** Trade capture (§5.10). */
export const TradeReportTransType = { New: 0, Replace: 2, CancelDueToBackOut: 5 } as const;
export const TradeReportType = { New: 0, Addendum: 4, TradeReportCancel: 6 } as const;
export const TradeHandlingInstructions = { TradeConfirm: 0, TwoPartyReport: 1, OnePartyReport: 6 } as const;
export const TradeType = { LateTrade: 4, PrivatelyNegotiated: 22, OddLotTrade: 102, OverseasTrade: 104 } as const;
export const ClearingInstruction = { ProcessNormally: 0, ExcludeFromNetting: 1, BuyIn: 14 } as const;
export const TradeReportStatus = { Accepted: 0, Rejected: 1 } as const;
export const TradeReportRejectCode = {
  InvalidTradeType: 4,
  PriceExceedsBand: 5,
  ReferencePriceNotAvailable: 6,
  NotionalExceedsThreshold: 7,
  Other: 99,
} as const;

// Field rules of the client's business messages (spec note §5.1–5.6), checked by the gateway before
// a request reaches the matching engine. One table, one row per rule the note states; each row
// names the field (data-dictionary name, for Reference Field Name) and the answer.
//
// Which answer (§5.11 "which error produces which message"): a value that is not printable ASCII
// or not in the field's format ⇒ Reject (3) code 6 Incorrect data format; a value outside the
// field's allowed set, or not allowed with the other fields of the same message ⇒ Reject (3)
// code 5 Value is incorrect; a conditionally required field missing ⇒ Business Message Reject (9)
// code 5 with the field name as Reason. Rules that need the order book, the security's lot, the
// market state or the day's quota stay with the engine (Execution Report '8'/'X'/'Y'). The split
// between 5 and 6 is ours [INF]: the note lists the codes, not which rule gives which.
import { MessageRejectCode, BusinessRejectCode, OcgMsgType } from './messages.ts';
import type { AmendRequest, CancelRequest, MassCancelRequest, NewOrder, OboCancelRequest, OboMassCancelRequest, OcgMessage } from './messages.ts';
import type { OcgProfile } from './profile.ts';
import { MESSAGE_SPECS } from './schema.ts';
import { parseTransactionTime } from './time.ts';
import { isPrintableAscii } from './wire-text.ts';

/** The gateway's knowledge of one security (src/venue SecurityDefinition fits). */
export interface SecurityRef {
  securityId: string;
  /** Board lot in shares: odd-lot orders of one board lot or more need a BCAN (§5.2). */
  lotSize?: number;
  /** The market (MIC) its orders must name; absent ⇒ from the profile (securityExchangeOf). */
  securityExchange?: string;
}

export interface RuleContext {
  profile: OcgProfile;
  /** The Security Exchange orders in this security must carry; undefined ⇒ only the profile's list is checked. */
  marketOf(securityId: string): string | undefined;
  /** Board lot of a security; undefined when not known to the gateway. */
  lotSizeOf(securityId: string): number | undefined;
  /**
   * The last Transaction Time and BCAN Field that passed (a session repeats them order after
   * order): checked again by one comparison. The caller's own state, '' at first.
   */
  lastTime: string;
  lastBcan: string;
}

export type RuleViolation = {
  /** 'reject' ⇒ Reject (3); 'bmr' ⇒ Business Message Reject (9). */
  via: 'reject' | 'bmr';
  code: number;
  /** Data-dictionary name of the field (Reference Field Name). */
  field: string;
  /** Reason text: printable ASCII, never a client value (§2.5). */
  reason: string;
  /** Which rule of the table. */
  rule: string;
};

/** The messages the rules check. */
type CheckedMessage = NewOrder | AmendRequest | CancelRequest | MassCancelRequest | OboCancelRequest | OboMassCancelRequest;
type FieldName<T> = T extends unknown ? Exclude<keyof T, 'msgType'> : never;
type FieldType<T, K extends PropertyKey> = T extends unknown ? (K extends keyof T ? T[K] : never) : never;
/** Every field of those messages, each optional: the rules read one view of all of them. */
type OrderFields = { msgType: number } & { [K in FieldName<CheckedMessage>]?: FieldType<CheckedMessage, K> };

export interface FieldRule {
  id: string;
  msgTypes: readonly number[];
  field: string;
  via: 'reject' | 'bmr';
  code: number;
  /** null when the message keeps the rule, else the Reason. */
  check(m: OrderFields, ctx: RuleContext): string | null;
}

const M = OcgMsgType;
const NEW = [M.NewOrder];
const NEW_AMEND = [M.NewOrder, M.AmendRequest];
/** Messages whose bits 0–7 are the order prefix (§5.2–5.4, §5.6). */
const ORDER = [M.NewOrder, M.AmendRequest, M.CancelRequest, M.OboCancelRequest];
const MASS = [M.MassCancelRequest, M.OboMassCancelRequest];
const ALL = [...ORDER, ...MASS];

/** §5.1: digits only, 1 … 99 999 999, no leading zeros. */
const ORDER_ID_FORMAT = /^[1-9][0-9]{0,7}$/;
/** §5.1: Broker IDs have no leading zeros [INF: digits, as SEHK broker numbers are]. */
const BROKER_ID_FORMAT = /^[1-9][0-9]*$/;
/** §5.1: CE number (6 characters) '.' BCAN (an integer without leading zeros). */
const BCAN_FORMAT = /^[A-Za-z0-9]{6}\.([1-9][0-9]{0,9})$/;
/** §5.1: Text keeps letters, digits and spaces ("printable, no punctuation"). */
const TEXT_FORMAT = /^[A-Za-z0-9 ]*$/;
const MARKET_SEGMENTS = ['MAIN', 'GEM', 'NASD', 'ETS'];
const TIFS = [0, 3, 4, 9];
const MASS_CANCEL_TYPES = [1, 7, 9];
const RESTRICTIONS = ['2', '5', '6'];
const INSTRUCTIONS = ['0', '1'];

const isLimit = (m: OrderFields) => m.orderType === 2;
const isOddLot = (m: OrderFields) => m.lotType === 1;

/** Space-separated values (§2.5 multi-value fields): each allowed, none twice, single spaces. */
function multiValue(v: string, allowed: readonly string[]): boolean {
  const parts = v.split(' ');
  return parts.every((p, i) => allowed.includes(p) && parts.indexOf(p) === i);
}

function bcanValueOk(v: string): boolean {
  const m = BCAN_FORMAT.exec(v);
  if (m === null) return true; // the format rule answers
  const n = Number(m[1]);
  // §5.1: 100 … 9 999 999 999; 0–99 reserved except 1 (sell-only client) and 2 (aggregated order).
  return n === 1 || n === 2 || (n >= 100 && n <= 9_999_999_999);
}

const reject5 = MessageRejectCode.IncorrectValue;
const reject6 = MessageRejectCode.IncorrectDataFormat;
const bmr5 = BusinessRejectCode.ConditionallyRequiredFieldMissing;

/** The rules in the order they are checked; the first broken one answers. */
export const ORDER_FIELD_RULES: readonly FieldRule[] = [
  // Identifiers (§5.1)
  {
    id: 'clientOrderIdFormat',
    msgTypes: ALL,
    field: 'Client Order ID',
    via: 'reject',
    code: reject6,
    check: (m) =>
      m.clientOrderId === undefined || ORDER_ID_FORMAT.test(m.clientOrderId) ? null : 'Client Order ID must be digits 1-99999999, no leading zero',
  },
  {
    id: 'originalClientOrderIdFormat',
    msgTypes: ORDER,
    field: 'Original Client Order ID',
    via: 'reject',
    code: reject6,
    check: (m) =>
      m.originalClientOrderId === undefined || ORDER_ID_FORMAT.test(m.originalClientOrderId)
        ? null
        : 'Original Client Order ID must be digits 1-99999999, no leading zero',
  },
  {
    id: 'submittingBrokerIdFormat',
    msgTypes: ALL,
    field: 'Submitting Broker ID',
    via: 'reject',
    code: reject6,
    check: (m) =>
      m.submittingBrokerId === undefined || BROKER_ID_FORMAT.test(m.submittingBrokerId) ? null : 'Submitting Broker ID must be digits, no leading zero',
  },
  {
    id: 'owningBrokerIdFormat',
    msgTypes: [M.OboCancelRequest, M.OboMassCancelRequest],
    field: 'Owning Broker ID',
    via: 'reject',
    code: reject6,
    check: (m) => (m.owningBrokerId === undefined || BROKER_ID_FORMAT.test(m.owningBrokerId) ? null : 'Owning Broker ID must be digits, no leading zero'),
  },
  {
    id: 'brokerLocationIdFormat',
    msgTypes: ALL,
    field: 'Broker Location ID',
    via: 'reject',
    code: reject6,
    check: (m) =>
      m.brokerLocationId === undefined || ORDER_ID_FORMAT.test(m.brokerLocationId) ? null : 'Broker Location ID must be digits 1-99999999, no leading zero',
  },
  // Instrument (§5.1): Source 8, Security Exchange required with it and the security's market.
  {
    id: 'securityIdFormat',
    msgTypes: ALL,
    field: 'Security ID',
    via: 'reject',
    code: reject6,
    check: (m, c) => {
      if (m.securityId === undefined) return null;
      // OTP-C: no leading zeros; OTP-CSC: 6-digit mainland codes, which may start with 0 (§5.14 [UNVERIFIED]).
      if (c.profile.securityIdLeadingZeros) return /^[0-9]{6}$/.test(m.securityId) ? null : 'Security ID must be a 6-digit code';
      return /^[1-9][0-9]*$/.test(m.securityId) ? null : 'Security ID must be digits, no leading zero';
    },
  },
  {
    id: 'securityIdSourceValue',
    msgTypes: ALL,
    field: 'Security ID Source',
    via: 'reject',
    code: reject5,
    check: (m) => (m.securityIdSource === undefined || m.securityIdSource === 8 ? null : 'Security ID Source must be 8'),
  },
  {
    id: 'securityExchangeRequired',
    msgTypes: ALL,
    field: 'Security Exchange',
    via: 'bmr',
    code: bmr5,
    check: (m) => (m.securityIdSource === 8 && m.securityExchange === undefined ? 'Security Exchange' : null),
  },
  {
    id: 'securityExchangeValue',
    msgTypes: ALL,
    field: 'Security Exchange',
    via: 'reject',
    code: reject5,
    check: (m, c) =>
      m.securityExchange === undefined || c.profile.securityExchanges.includes(m.securityExchange)
        ? null
        : `Security Exchange must be ${c.profile.securityExchanges.join(' or ')}`,
  },
  {
    id: 'securityExchangeOfSecurity',
    msgTypes: ALL,
    field: 'Security Exchange',
    via: 'reject',
    code: reject5,
    check: (m, c) => {
      if (m.securityExchange === undefined || m.securityId === undefined) return null;
      const mic = c.marketOf(m.securityId);
      return mic === undefined || mic === m.securityExchange ? null : `Security Exchange of this security is ${mic}`;
    },
  },
  {
    id: 'transactionTimeFormat',
    msgTypes: ALL,
    field: 'Transaction Time',
    via: 'reject',
    code: reject6,
    check: (m, c) => {
      const t = m.transactionTime;
      if (t === undefined || t === c.lastTime) return null;
      if (parseTransactionTime(t) === null) return 'Transaction Time must be YYYYMMDD-HH:MM:SS.ssssss UTC';
      c.lastTime = t;
      return null;
    },
  },
  // Order (§5.1, §5.2, §5.3)
  {
    id: 'sideValue',
    msgTypes: ORDER,
    field: 'Side',
    via: 'reject',
    code: reject5,
    check: (m) => (m.side === undefined || m.side === 1 || m.side === 2 || m.side === 5 ? null : 'Side must be 1, 2 or 5'),
  },
  {
    id: 'massCancelSideValue',
    msgTypes: MASS,
    field: 'Side',
    via: 'reject',
    code: reject5,
    check: (m) => (m.side === undefined || m.side === 1 || m.side === 2 ? null : 'Side must be 1 or 2'),
  },
  {
    id: 'orderTypeValue',
    msgTypes: NEW_AMEND,
    field: 'Order Type',
    via: 'reject',
    code: reject5,
    check: (m) => (m.orderType === undefined || m.orderType === 1 || m.orderType === 2 ? null : 'Order Type must be 1 or 2'),
  },
  {
    id: 'priceRequiredForLimit',
    msgTypes: NEW_AMEND,
    field: 'Price',
    via: 'bmr',
    code: bmr5,
    check: (m) => (isLimit(m) && m.price === undefined ? 'Price' : null),
  },
  {
    id: 'priceAbsentForMarket',
    msgTypes: NEW_AMEND,
    field: 'Price',
    via: 'reject',
    code: reject5,
    check: (m) => (m.orderType === 1 && m.price !== undefined ? 'Price must be absent on a market order' : null),
  },
  {
    id: 'tifValue',
    msgTypes: NEW_AMEND,
    field: 'TIF',
    via: 'reject',
    code: reject5,
    check: (m) => (m.tif === undefined || TIFS.includes(m.tif) ? null : 'TIF must be 0, 3, 4 or 9'),
  },
  {
    id: 'lotTypeValue',
    msgTypes: NEW,
    field: 'Lot Type',
    via: 'reject',
    code: reject5,
    check: (m) => (m.lotType === undefined || m.lotType === 1 || m.lotType === 2 ? null : 'Lot Type must be 1 or 2'),
  },
  {
    id: 'oddLotLimitOnly',
    msgTypes: NEW,
    field: 'Order Type',
    via: 'reject',
    code: reject5,
    check: (m) => (isOddLot(m) && m.orderType !== 2 ? 'Odd lot orders must be limit orders' : null),
  },
  {
    id: 'oddLotDayOnly',
    msgTypes: NEW,
    field: 'TIF',
    via: 'reject',
    code: reject5,
    check: (m) => (isOddLot(m) && m.tif !== undefined && m.tif !== 0 ? 'Odd lot orders must be TIF 0' : null),
  },
  {
    id: 'positionEffectValue',
    msgTypes: NEW_AMEND,
    field: 'Position Effect',
    via: 'reject',
    code: reject5,
    check: (m) => (m.positionEffect === undefined || m.positionEffect === 1 ? null : 'Position Effect must be 1'),
  },
  {
    id: 'positionEffectBuyOnly',
    msgTypes: NEW_AMEND,
    field: 'Position Effect',
    via: 'reject',
    code: reject5,
    check: (m) => (m.positionEffect !== undefined && m.side !== 1 ? 'Position Effect only on a buy' : null),
  },
  {
    id: 'orderRestrictionsValue',
    msgTypes: NEW_AMEND,
    field: 'Order Restrictions',
    via: 'reject',
    code: reject5,
    check: (m) =>
      m.orderRestrictions === undefined || multiValue(m.orderRestrictions, RESTRICTIONS) ? null : 'Order Restrictions must be 2, 5 or 6, space separated',
  },
  {
    id: 'orderRestrictionsShortSellOnly',
    msgTypes: NEW_AMEND,
    field: 'Order Restrictions',
    via: 'reject',
    code: reject5,
    check: (m) => (m.orderRestrictions !== undefined && m.side !== 5 ? 'Order Restrictions only on a short sell' : null),
  },
  {
    id: 'orderRestrictionsBoardLotOnly',
    msgTypes: NEW,
    field: 'Order Restrictions',
    via: 'reject',
    code: reject5,
    check: (m) => (m.orderRestrictions !== undefined && isOddLot(m) ? 'Order Restrictions only on board lot orders' : null),
  },
  {
    id: 'maxPriceLevelsValue',
    msgTypes: NEW_AMEND,
    field: 'Max Price Levels',
    via: 'reject',
    code: reject5,
    check: (m) => (m.maxPriceLevels === undefined || m.maxPriceLevels === 1 ? null : 'Max Price Levels must be 1'),
  },
  {
    id: 'maxPriceLevelsBoardLotOnly',
    msgTypes: NEW,
    field: 'Max Price Levels',
    via: 'reject',
    code: reject5,
    check: (m) => (m.maxPriceLevels !== undefined && isOddLot(m) ? 'Max Price Levels only on board lot orders' : null),
  },
  {
    id: 'orderCapacityValue',
    msgTypes: NEW_AMEND,
    field: 'Order Capacity',
    via: 'reject',
    code: reject5,
    check: (m) => (m.orderCapacity === undefined || m.orderCapacity === 1 || m.orderCapacity === 2 ? null : 'Order Capacity must be 1 or 2'),
  },
  {
    id: 'textFormat',
    msgTypes: ORDER,
    field: 'Text',
    via: 'reject',
    code: reject6,
    check: (m) => (m.text === undefined || TEXT_FORMAT.test(m.text) ? null : 'Text must be letters, digits and spaces'),
  },
  {
    id: 'executionInstructionsValue',
    msgTypes: NEW_AMEND,
    field: 'Execution Instructions',
    via: 'reject',
    code: reject5,
    check: (m) =>
      m.executionInstructions === undefined || multiValue(m.executionInstructions, INSTRUCTIONS) ? null : 'Execution Instructions must be 0, 1 or "0 1"',
  },
  {
    id: 'oddLotExecutionInstructions',
    msgTypes: NEW,
    field: 'Execution Instructions',
    via: 'reject',
    code: reject5,
    check: (m) =>
      isOddLot(m) && m.executionInstructions !== undefined && m.executionInstructions !== '1' ? 'Odd lot orders take Execution Instructions 1 only' : null,
  },
  // §5.1: bit 0 "None" must be set, bits 1–15 reserved ⇒ the value is 1 (bit 0 = LSB [INF, §8 item 12]).
  {
    id: 'disclosureInstructionsValue',
    msgTypes: NEW_AMEND,
    field: 'Disclosure Instructions',
    via: 'reject',
    code: reject5,
    check: (m) => (m.disclosureInstructions === undefined || m.disclosureInstructions === 1 ? null : 'Disclosure Instructions must be 1'),
  },
  {
    id: 'bcanFormat',
    msgTypes: NEW,
    field: 'Submitting BCAN Field',
    via: 'reject',
    code: reject6,
    check: (m, c) =>
      m.submittingBcanField === undefined || m.submittingBcanField === c.lastBcan || BCAN_FORMAT.test(m.submittingBcanField)
        ? null
        : 'Submitting BCAN Field must be CE number (6) . BCAN, no leading zero',
  },
  {
    id: 'bcanValue',
    msgTypes: NEW,
    field: 'Submitting BCAN Field',
    via: 'reject',
    code: reject5,
    check: (m, c) => {
      const b = m.submittingBcanField;
      if (b === undefined || b === c.lastBcan) return null;
      if (!bcanValueOk(b)) return 'BCAN must be 1, 2 or 100-9999999999';
      c.lastBcan = b;
      return null;
    },
  },
  // §5.2: required for board lots; for odd lots from one board lot up (when the gateway knows the lot).
  {
    id: 'bcanRequired',
    msgTypes: NEW,
    field: 'Submitting BCAN Field',
    via: 'bmr',
    code: bmr5,
    check: (m, c) => {
      if (m.submittingBcanField !== undefined && m.submittingBcanField !== '') return null;
      if (!isOddLot(m)) return 'Submitting BCAN Field';
      const lot = m.securityId === undefined ? undefined : c.lotSizeOf(m.securityId);
      return lot !== undefined && m.orderQuantity !== undefined && m.orderQuantity >= BigInt(lot) * 100_000_000n ? 'Submitting BCAN Field' : null;
    },
  },
  // Mass cancel (§5.5)
  {
    id: 'massCancelTypeValue',
    msgTypes: MASS,
    field: 'Mass Cancel Request Type',
    via: 'reject',
    code: reject5,
    check: (m) =>
      m.massCancelRequestType === undefined || MASS_CANCEL_TYPES.includes(m.massCancelRequestType) ? null : 'Mass Cancel Request Type must be 1, 7 or 9',
  },
  {
    id: 'massCancelSecurityRequired',
    msgTypes: MASS,
    field: 'Security ID',
    via: 'bmr',
    code: bmr5,
    check: (m) => (m.massCancelRequestType === 1 && m.securityId === undefined ? 'Security ID' : null),
  },
  {
    id: 'massCancelSegmentRequired',
    msgTypes: MASS,
    field: 'Market Segment ID',
    via: 'bmr',
    code: bmr5,
    check: (m) => (m.massCancelRequestType === 9 && m.marketSegmentId === undefined ? 'Market Segment ID' : null),
  },
  {
    id: 'marketSegmentValue',
    msgTypes: MASS,
    field: 'Market Segment ID',
    via: 'reject',
    code: reject5,
    check: (m) => (m.marketSegmentId === undefined || MARKET_SEGMENTS.includes(m.marketSegmentId) ? null : 'Market Segment ID must be MAIN, GEM, NASD or ETS'),
  },
];

/**
 * Fields of the order messages whose format rule above already admits printable ASCII only: the
 * generic check skips them there (one test a field on the order path, not two).
 */
const FORMAT_CHECKED: ReadonlySet<string> = new Set([
  'clientOrderId',
  'originalClientOrderId',
  'submittingBrokerId',
  'owningBrokerId',
  'securityId',
  'brokerLocationId',
  'transactionTime',
  'orderRestrictions',
  'text',
  'executionInstructions',
  'submittingBcanField',
  'marketSegmentId',
]);

/** Per message type: the rules that apply, and its text fields as [key, name] (ASCII check). */
const RULES_BY_TYPE: readonly (readonly FieldRule[] | undefined)[] = (() => {
  const t: (FieldRule[] | undefined)[] = new Array(256).fill(undefined);
  for (const r of ORDER_FIELD_RULES) for (const mt of r.msgTypes) (t[mt] ??= []).push(r);
  return t;
})();
const TEXT_FIELDS: readonly (readonly (readonly [string, string])[])[] = (() => {
  const t: (readonly [string, string])[][] = Array.from({ length: 256 }, () => []);
  for (const s of MESSAGE_SPECS) {
    const ruled = RULES_BY_TYPE[s.msgType] !== undefined;
    for (const f of [...s.fields, ...(s.smpFields ?? [])]) {
      if ((f.kind === 'alnum' || f.kind === 'var') && !(ruled && FORMAT_CHECKED.has(f.key))) t[s.msgType]!.push([f.key, f.name]);
    }
  }
  return t;
})();

/**
 * The first rule a client message breaks, or null. Text fields come first: any byte outside
 * printable ASCII ⇒ Reject (3) code 6 naming the field (§2.5: fields are ASCII); fields with a
 * format rule get the same answer from it. Repeating blocks hold no client text (26/28 are OCG-C's).
 */
export function checkOrderFields(message: OcgMessage, ctx: RuleContext): RuleViolation | null {
  const m = message as unknown as OrderFields & Record<string, unknown>;
  for (const [key, name] of TEXT_FIELDS[m.msgType] ?? []) {
    const v = m[key];
    if (typeof v === 'string' && !isPrintableAscii(v)) {
      return { via: 'reject', code: reject6, field: name, reason: `${name} must be printable ASCII`, rule: 'printableAscii' };
    }
  }
  const rules = RULES_BY_TYPE[m.msgType];
  if (rules === undefined) return null;
  for (const r of rules) {
    const reason = r.check(m, ctx);
    if (reason !== null) return { via: r.via, code: r.code, field: r.field, reason, rule: r.id };
  }
  return null;
}

/**
 * The Security Exchange of a security under a profile: configured, else the profile's only MIC,
 * else (China Connect) by the mainland code: 6/9/5… Shanghai (XSSC), 0/2/3/1… Shenzhen (XSEC)
 * [INF: the exchanges' code ranges; the CCCG tables could not be read, §5.14].
 */
export function securityExchangeOf(securityId: string, profile: OcgProfile, configured?: string): string | undefined {
  if (configured !== undefined) return configured;
  const mics = profile.securityExchanges;
  if (mics.length === 1) return mics[0];
  if (profile.service === 'OTP-CSC' && /^[0-9]{6}$/.test(securityId)) {
    const first = securityId[0]!;
    if ('695'.includes(first)) return mics.includes('XSSC') ? 'XSSC' : undefined;
    if ('0231'.includes(first)) return mics.includes('XSEC') ? 'XSEC' : undefined;
  }
  return undefined;
}

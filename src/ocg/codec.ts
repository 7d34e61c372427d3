// OCG-C encoder/decoder (spec note §2): 54-byte header, 256-bit presence map, body fields in bit
// order, CRC-32C trailer over everything before it. Codecs know nothing about sockets.
//
// Decoding follows one shape: check the frame (start byte, Length, CRC), read the header, check the
// presence map against the message's field table (schema.ts), then one plain function per message
// reads the present fields through a BodyReader that owns the cursor. Decoding never throws: every
// problem becomes an OcgDecodeError. The encoder walks the same field tables and throws RangeError
// on invalid programmer input.
// crc32c.ts directly: the wire module's index also loads socket code, which a codec must not.
import { crc32c } from '../wire/crc32c.ts';
import { OCG_HEADER_LENGTH, OCG_MAX_MESSAGE_LENGTH, OCG_MIN_MESSAGE_LENGTH, OCG_START_OF_MESSAGE, OcgMsgType as T, MessageRejectCode } from './messages.ts';
import type * as M from './messages.ts';
import type { OcgDecodeError, OcgDecodeErrorKindName, OcgDecodeResult, OcgEncodeHeader, OcgHeader, OcgMessage, OcgMsgTypeCode } from './messages.ts';
import type { OcgProfile } from './profile.ts';
import { MESSAGE_SPEC_BY_TYPE, fieldsOf } from './schema.ts';
import type { FieldSpec, MessageSpec } from './schema.ts';

export interface OcgCodecOptions {
  /** Venue profile (default: everything allowed, no v3.2 SMP fields). */
  profile?: OcgProfile;
}

export interface OcgEncodeOptions extends OcgCodecOptions {
  /** Skip the required-field check (tests that need a message the gateway must reject). */
  skipRequiredCheck?: boolean;
}

const MAP_OFFSET = 22; // §2.1
const MAP_BYTES = 32;
const COMP_ID_OFFSET = 10;
const COMP_ID_BYTES = 12;

// ---------------------------------------------------------------------------------------------
// Field tables per message type, built once from schema.ts and never changed afterwards.

interface MessageTable {
  spec: MessageSpec;
  /** Fields under the profile (SMP fields only with smp). */
  fields: FieldSpec[];
  byBit: (FieldSpec | undefined)[];
  /** Per map byte: the bits that name a field, and the bits that must be set (§2.3). */
  known: Uint8Array;
  required: Uint8Array;
  /** Map bytes up to the last one that names a field. */
  mapBytes: number;
  /** Largest body the encoder can write (every field present, texts at their longest); -1 with repeating blocks. */
  maxBody: number;
}

/** A repeating block (§2.3, §8 item 11 [UNVERIFIED]): its 2-byte map as a 16-bit number, bit 0 = 0x8000. */
interface BlockSpec {
  name: string;
  fields: FieldSpec[];
  known: number;
  required: number;
}

function tableOf(spec: MessageSpec, smp: boolean): MessageTable {
  const fields = fieldsOf(spec, smp);
  const byBit: (FieldSpec | undefined)[] = [];
  const known = new Uint8Array(MAP_BYTES),
    required = new Uint8Array(MAP_BYTES);
  for (const fl of fields) {
    byBit[fl.bit] = fl;
    known[fl.bit >> 3]! |= 0x80 >> (fl.bit & 7);
    if (fl.required) required[fl.bit >> 3]! |= 0x80 >> (fl.bit & 7);
  }
  const mapBytes = fields.reduce((n, fl) => Math.max(n, (fl.bit >> 3) + 1), 0);
  const maxBody = fields.some((fl) => fl.kind === 'group') ? -1 : fields.reduce((n, fl) => n + (fl.kind === 'var' ? 2 + fl.size : fl.size), 0);
  return { spec, fields, byBit, known, required, mapBytes, maxBody };
}

/** [without SMP, with SMP], indexed by message type. */
const TABLES: readonly (readonly (MessageTable | undefined)[])[] = [false, true].map((smp) =>
  Array.from({ length: 256 }, (_, t) => {
    const spec = MESSAGE_SPEC_BY_TYPE[t];
    return spec === undefined ? undefined : tableOf(spec, smp);
  }),
);

function tableFor(msgType: number, options: OcgCodecOptions | undefined): MessageTable | undefined {
  return TABLES[options?.profile?.smp === true ? 1 : 0]![msgType];
}

function blockOf(fields: readonly FieldSpec[], key: string): BlockSpec {
  const fl = fields.find((f) => f.key === key);
  if (fl?.group === undefined) throw new Error(`schema: ${key} is not a repeating block`);
  let known = 0,
    required = 0;
  for (const f of fl.group.fields) {
    known |= 0x8000 >> f.bit;
    if (f.required) required |= 0x8000 >> f.bit;
  }
  return { name: fl.name, fields: fl.group.fields, known, required };
}

const THROTTLES = blockOf(MESSAGE_SPEC_BY_TYPE[T.ThrottleEntitlementResponse]!.fields, 'throttles');
const ENTITLEMENTS = blockOf(MESSAGE_SPEC_BY_TYPE[T.PartyEntitlementsReport]!.fields, 'entitlements');
const ENTITLEMENT_ATTRIBUTES = blockOf(ENTITLEMENTS.fields, 'entitlementAttributes');
const INSTRUMENT_SCOPES = blockOf(ENTITLEMENTS.fields, 'instrumentScopes');

// ---------------------------------------------------------------------------------------------
// Decoding

const OVERRUN = 0,
  UNKNOWN_BIT = 1,
  REQUIRED = 2;

/** Why a body could not be read (thrown inside the reader, turned into an OcgDecodeError by decodeFrame). */
class BodyError {
  readonly kind: number;
  /** Presence bit (-2: bytes left over after the last field); inside a block, the block's bit in the message map. */
  readonly bit: number;
  /** The innermost repeating block the failure happened in, or null at top level. */
  readonly block: BlockSpec | null;
  constructor(kind: number, bit: number, block: BlockSpec | null) {
    this.kind = kind;
    this.bit = bit;
    this.block = block;
  }
}

/**
 * Latin-1 text of b[start, end): one native call per message, fields are then substrings of it
 * (a call per field costs several times more). A field of 13 or more characters is a slice that
 * keeps this text (one message body) alive, never the whole TCP chunk.
 */
function latin1(b: Uint8Array, start: number, end: number): string {
  const buf = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  return buf.toString('latin1', start, end);
}

/** Reads the fields of one message body in order; owns the cursor. */
class BodyReader {
  readonly bytes: Uint8Array;
  /** Offset of the next field, and of the end of the body (the CRC). */
  pos: number;
  readonly end: number;
  /** Offset of the presence map the bits refer to (the message's, or a repetition's). */
  map: number;
  /** Latin-1 text of bytes[textAt, end). */
  readonly text: string;
  readonly textAt: number;
  /** The bit of the field being read, for error reports. */
  bit = -1;
  block: BlockSpec | null = null;
  /** The message-level bit of the outermost block being read. */
  blockBit = -1;

  constructor(bytes: Uint8Array, map: number, pos: number, end: number, text: string, textAt: number) {
    this.bytes = bytes;
    this.map = map;
    this.pos = pos;
    this.end = end;
    this.text = text;
    this.textAt = textAt;
  }

  /** Whether presence bit `bit` is set; remembers it as the field being read. */
  has(bit: number): boolean {
    this.bit = bit;
    return (this.bytes[this.map + (bit >> 3)]! & (0x80 >> (bit & 7))) !== 0;
  }

  failure(kind: number): BodyError {
    return this.block === null ? new BodyError(kind, this.bit, null) : new BodyError(kind, this.blockBit, this.block);
  }

  /** Offset of the next n bytes, consumed. */
  take(n: number): number {
    const p = this.pos;
    if (p + n > this.end) throw this.failure(OVERRUN);
    this.pos = p + n;
    return p;
  }

  u8(): number {
    return this.bytes[this.take(1)]!;
  }

  u16(): number {
    const p = this.take(2),
      b = this.bytes;
    return b[p]! | (b[p + 1]! << 8);
  }

  u32(): number {
    const p = this.take(4),
      b = this.bytes;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }

  /** Decimal: signed Int64 LE, the value × 10^8 (§2.5). */
  dec(): bigint {
    const p = this.take(8),
      b = this.bytes;
    const lo = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
    const hi = (b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24)) >>> 0;
    // In this form V8's optimiser computes in 64-bit registers (BigInt() of a double is a slow call).
    return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
  }

  /** Byte: one character. */
  byte(): string {
    const p = this.take(1);
    return this.text.substring(p - this.textAt, p + 1 - this.textAt);
  }

  /** Alphanumeric Fixed(n): up to the first NUL, at most n − 1 characters (§2.5). */
  alnum(n: number): string {
    const p = this.take(n);
    return this.textUpToNul(p, p + n - 1);
  }

  /** Alphanumeric Variable: UInt16 L (the NUL included), then L bytes (§2.5). */
  varText(): string {
    const p = this.take(2),
      b = this.bytes;
    const e = p + 2 + (b[p]! | (b[p + 1]! << 8));
    if (e > this.end) throw this.failure(OVERRUN);
    this.pos = e;
    return this.textUpToNul(p + 2, e);
  }

  textUpToNul(p: number, e: number): string {
    const b = this.bytes;
    let q = p;
    while (q < e && b[q] !== 0) q++;
    return this.text.substring(p - this.textAt, q - this.textAt);
  }

  /** A repeating block: UInt16 count, then per repetition a 2-byte presence map and its fields. */
  group<R>(block: BlockSpec, item: (r: BodyReader) => R): R[] {
    const n = this.u16();
    const outerBlock = this.block,
      outerMap = this.map;
    if (outerBlock === null) this.blockBit = this.bit;
    this.block = block;
    const out: R[] = [];
    for (let i = 0; i < n; i++) {
      const mo = this.take(2);
      const map = (this.bytes[mo]! << 8) | this.bytes[mo + 1]!;
      if ((map & ~block.known) !== 0) throw this.failure(UNKNOWN_BIT);
      if ((map & block.required) !== block.required) throw this.failure(REQUIRED);
      this.map = mo;
      out.push(item(this));
    }
    this.block = outerBlock;
    this.map = outerMap;
    return out;
  }
}

// One function per message type: the fields in bit order, each read only when its bit is set.

function decodeHeartbeat(r: BodyReader): M.Heartbeat {
  const m: M.Heartbeat = { msgType: T.Heartbeat };
  if (r.has(0)) m.referenceTestRequestId = r.u16();
  return m;
}

function decodeTestRequest(r: BodyReader): M.TestRequest {
  const m: M.TestRequest = { msgType: T.TestRequest };
  if (r.has(0)) m.testRequestId = r.u16();
  return m;
}

function decodeResendRequest(r: BodyReader): M.ResendRequest {
  const m: M.ResendRequest = { msgType: T.ResendRequest };
  if (r.has(0)) m.startSequence = r.u32();
  if (r.has(1)) m.endSequence = r.u32();
  return m;
}

function decodeReject(r: BodyReader): M.Reject {
  const m: M.Reject = { msgType: T.Reject };
  if (r.has(0)) m.messageRejectCode = r.u16();
  if (r.has(1)) m.reason = r.varText();
  if (r.has(2)) m.referenceMessageType = r.u8();
  if (r.has(3)) m.referenceFieldName = r.alnum(50);
  if (r.has(4)) m.referenceSequenceNumber = r.u32();
  if (r.has(5)) m.clientOrderId = r.alnum(21);
  return m;
}

function decodeSequenceReset(r: BodyReader): M.SequenceReset {
  const m: M.SequenceReset = { msgType: T.SequenceReset };
  if (r.has(0)) m.gapFill = r.byte();
  if (r.has(1)) m.newSequenceNumber = r.u32();
  return m;
}

function decodeLogon(r: BodyReader): M.Logon {
  const m: M.Logon = { msgType: T.Logon };
  if (r.has(0)) m.password = r.alnum(450);
  if (r.has(1)) m.newPassword = r.alnum(450);
  if (r.has(2)) m.nextExpectedMessageSequence = r.u32();
  if (r.has(3)) m.sessionStatus = r.u8();
  if (r.has(4)) m.text = r.varText();
  if (r.has(5)) m.testMessageIndicator = r.u8();
  return m;
}

function decodeLogout(r: BodyReader): M.Logout {
  const m: M.Logout = { msgType: T.Logout };
  if (r.has(0)) m.logoutText = r.varText();
  if (r.has(1)) m.sessionStatus = r.u8();
  return m;
}

function decodeLookupRequest(r: BodyReader): M.LookupRequest {
  const m: M.LookupRequest = { msgType: T.LookupRequest };
  if (r.has(0)) m.typeOfService = r.u8();
  if (r.has(1)) m.protocolType = r.u8();
  return m;
}

function decodeLookupResponse(r: BodyReader): M.LookupResponse {
  const m: M.LookupResponse = { msgType: T.LookupResponse };
  if (r.has(0)) m.status = r.u8();
  if (r.has(1)) m.lookupRejectCode = r.u8();
  if (r.has(2)) m.reason = r.varText();
  if (r.has(3)) m.primaryIp = r.alnum(16);
  if (r.has(4)) m.primaryPort = r.u16();
  if (r.has(5)) m.secondaryIp = r.alnum(16);
  if (r.has(6)) m.secondaryPort = r.u16();
  return m;
}

function decodeBusinessMessageReject(r: BodyReader): M.BusinessMessageReject {
  const m: M.BusinessMessageReject = { msgType: T.BusinessMessageReject };
  if (r.has(0)) m.businessRejectCode = r.u16();
  if (r.has(1)) m.reason = r.varText();
  if (r.has(2)) m.referenceMessageType = r.u8();
  if (r.has(3)) m.referenceFieldName = r.alnum(50);
  if (r.has(4)) m.referenceSequenceNumber = r.u32();
  if (r.has(5)) m.businessRejectReferenceId = r.alnum(21);
  return m;
}

function decodeExecutionReport(r: BodyReader): M.ExecutionReport {
  const m: M.ExecutionReport = { msgType: T.ExecutionReport };
  if (r.has(0)) m.clientOrderId = r.alnum(21);
  if (r.has(1)) m.submittingBrokerId = r.alnum(12);
  if (r.has(2)) m.securityId = r.alnum(21);
  if (r.has(3)) m.securityIdSource = r.u8();
  if (r.has(4)) m.securityExchange = r.alnum(5);
  if (r.has(5)) m.brokerLocationId = r.alnum(11);
  if (r.has(6)) m.transactionTime = r.alnum(25);
  if (r.has(7)) m.side = r.u8();
  if (r.has(8)) m.originalClientOrderId = r.alnum(21);
  if (r.has(9)) m.orderId = r.alnum(21);
  if (r.has(10)) m.owningBrokerId = r.alnum(12);
  if (r.has(11)) m.orderType = r.u8();
  if (r.has(12)) m.price = r.dec();
  if (r.has(13)) m.orderQuantity = r.dec();
  if (r.has(14)) m.tif = r.u8();
  if (r.has(15)) m.positionEffect = r.u8();
  if (r.has(16)) m.orderRestrictions = r.alnum(21);
  if (r.has(17)) m.maxPriceLevels = r.u8();
  if (r.has(18)) m.orderCapacity = r.u8();
  if (r.has(19)) m.text = r.varText();
  if (r.has(20)) m.reason = r.varText();
  if (r.has(21)) m.executionId = r.alnum(21);
  if (r.has(22)) m.orderStatus = r.u8();
  if (r.has(23)) m.execType = r.byte();
  if (r.has(24)) m.cumulativeQuantity = r.dec();
  if (r.has(25)) m.leavesQuantity = r.dec();
  if (r.has(26)) m.orderRejectCode = r.u16();
  if (r.has(27)) m.lotType = r.u8();
  if (r.has(28)) m.execRestatementReason = r.u16();
  if (r.has(29)) m.cancelRejectCode = r.u16();
  if (r.has(30)) m.matchType = r.u8();
  if (r.has(31)) m.counterpartyBrokerId = r.alnum(12);
  if (r.has(32)) m.executionQuantity = r.dec();
  if (r.has(33)) m.executionPrice = r.dec();
  if (r.has(34)) m.referenceExecutionId = r.alnum(21);
  if (r.has(35)) m.orderCategory = r.u8();
  if (r.has(36)) m.amendRejectCode = r.u16();
  if (r.has(38)) m.tradeMatchId = r.alnum(25);
  if (r.has(39)) m.exchangeTradeType = r.byte();
  if (r.has(42)) m.aggressorIndicator = r.u8();
  if (r.has(43)) m.smpId = r.alnum(10);
  return m;
}

function decodeNewOrder(r: BodyReader): M.NewOrder {
  const m: M.NewOrder = { msgType: T.NewOrder };
  if (r.has(0)) m.clientOrderId = r.alnum(21);
  if (r.has(1)) m.submittingBrokerId = r.alnum(12);
  if (r.has(2)) m.securityId = r.alnum(21);
  if (r.has(3)) m.securityIdSource = r.u8();
  if (r.has(4)) m.securityExchange = r.alnum(5);
  if (r.has(5)) m.brokerLocationId = r.alnum(11);
  if (r.has(6)) m.transactionTime = r.alnum(25);
  if (r.has(7)) m.side = r.u8();
  if (r.has(8)) m.orderType = r.u8();
  if (r.has(9)) m.price = r.dec();
  if (r.has(10)) m.orderQuantity = r.dec();
  if (r.has(11)) m.tif = r.u8();
  if (r.has(12)) m.positionEffect = r.u8();
  if (r.has(13)) m.orderRestrictions = r.alnum(21);
  if (r.has(14)) m.maxPriceLevels = r.u8();
  if (r.has(15)) m.orderCapacity = r.u8();
  if (r.has(16)) m.text = r.varText();
  if (r.has(17)) m.executionInstructions = r.alnum(21);
  if (r.has(18)) m.disclosureInstructions = r.u16();
  if (r.has(19)) m.lotType = r.u8();
  if (r.has(22)) m.submittingBcanField = r.alnum(21);
  if (r.has(23)) m.smpId = r.alnum(10);
  return m;
}

function decodeAmendRequest(r: BodyReader): M.AmendRequest {
  const m: M.AmendRequest = { msgType: T.AmendRequest };
  if (r.has(0)) m.clientOrderId = r.alnum(21);
  if (r.has(1)) m.submittingBrokerId = r.alnum(12);
  if (r.has(2)) m.securityId = r.alnum(21);
  if (r.has(3)) m.securityIdSource = r.u8();
  if (r.has(4)) m.securityExchange = r.alnum(5);
  if (r.has(5)) m.brokerLocationId = r.alnum(11);
  if (r.has(6)) m.transactionTime = r.alnum(25);
  if (r.has(7)) m.side = r.u8();
  if (r.has(8)) m.originalClientOrderId = r.alnum(21);
  if (r.has(9)) m.orderId = r.alnum(21);
  if (r.has(10)) m.orderType = r.u8();
  if (r.has(11)) m.price = r.dec();
  if (r.has(12)) m.orderQuantity = r.dec();
  if (r.has(13)) m.tif = r.u8();
  if (r.has(14)) m.positionEffect = r.u8();
  if (r.has(15)) m.orderRestrictions = r.alnum(21);
  if (r.has(16)) m.maxPriceLevels = r.u8();
  if (r.has(17)) m.orderCapacity = r.u8();
  if (r.has(18)) m.text = r.varText();
  if (r.has(19)) m.executionInstructions = r.alnum(21);
  if (r.has(20)) m.disclosureInstructions = r.u16();
  return m;
}

function decodeCancelRequest(r: BodyReader): M.CancelRequest {
  const m: M.CancelRequest = { msgType: T.CancelRequest };
  if (r.has(0)) m.clientOrderId = r.alnum(21);
  if (r.has(1)) m.submittingBrokerId = r.alnum(12);
  if (r.has(2)) m.securityId = r.alnum(21);
  if (r.has(3)) m.securityIdSource = r.u8();
  if (r.has(4)) m.securityExchange = r.alnum(5);
  if (r.has(5)) m.brokerLocationId = r.alnum(11);
  if (r.has(6)) m.transactionTime = r.alnum(25);
  if (r.has(7)) m.side = r.u8();
  if (r.has(8)) m.originalClientOrderId = r.alnum(21);
  if (r.has(9)) m.orderId = r.alnum(21);
  if (r.has(10)) m.text = r.varText();
  return m;
}

function decodeMassCancelRequest(r: BodyReader): M.MassCancelRequest {
  const m: M.MassCancelRequest = { msgType: T.MassCancelRequest };
  if (r.has(0)) m.clientOrderId = r.alnum(21);
  if (r.has(1)) m.submittingBrokerId = r.alnum(12);
  if (r.has(2)) m.securityId = r.alnum(21);
  if (r.has(3)) m.securityIdSource = r.u8();
  if (r.has(4)) m.securityExchange = r.alnum(5);
  if (r.has(5)) m.brokerLocationId = r.alnum(11);
  if (r.has(6)) m.transactionTime = r.alnum(25);
  if (r.has(7)) m.side = r.u8();
  if (r.has(8)) m.massCancelRequestType = r.u8();
  if (r.has(9)) m.marketSegmentId = r.alnum(20);
  return m;
}

function decodeOrderMassCancelReport(r: BodyReader): M.OrderMassCancelReport {
  const m: M.OrderMassCancelReport = { msgType: T.OrderMassCancelReport };
  if (r.has(0)) m.clientOrderId = r.alnum(21);
  if (r.has(1)) m.submittingBrokerId = r.alnum(12);
  if (r.has(2)) m.securityId = r.alnum(21);
  if (r.has(3)) m.securityIdSource = r.u8();
  if (r.has(4)) m.securityExchange = r.alnum(5);
  if (r.has(5)) m.brokerLocationId = r.alnum(11);
  if (r.has(6)) m.transactionTime = r.alnum(25);
  if (r.has(7)) m.massCancelRequestType = r.u8();
  if (r.has(8)) m.owningBrokerId = r.alnum(12);
  if (r.has(9)) m.massActionReportId = r.alnum(21);
  if (r.has(10)) m.massCancelResponse = r.u8();
  if (r.has(11)) m.massCancelRejectCode = r.u16();
  if (r.has(12)) m.reason = r.varText();
  return m;
}

function decodeQuote(r: BodyReader): M.Quote {
  const m: M.Quote = { msgType: T.Quote };
  if (r.has(0)) m.submittingBrokerId = r.alnum(12);
  if (r.has(1)) m.brokerLocationId = r.alnum(11);
  if (r.has(2)) m.securityId = r.alnum(21);
  if (r.has(3)) m.securityIdSource = r.u8();
  if (r.has(4)) m.securityExchange = r.alnum(5);
  if (r.has(5)) m.quoteBidId = r.alnum(21);
  if (r.has(6)) m.quoteOfferId = r.alnum(21);
  if (r.has(7)) m.quoteType = r.u8();
  if (r.has(8)) m.side = r.u8();
  if (r.has(9)) m.bidSize = r.dec();
  if (r.has(10)) m.offerSize = r.dec();
  if (r.has(11)) m.bidPrice = r.dec();
  if (r.has(12)) m.offerPrice = r.dec();
  if (r.has(13)) m.transactionTime = r.alnum(25);
  if (r.has(14)) m.positionEffect = r.u8();
  if (r.has(15)) m.orderRestrictions = r.alnum(21);
  if (r.has(16)) m.text = r.varText();
  if (r.has(17)) m.executionInstructions = r.alnum(21);
  if (r.has(18)) m.submittingBcanField = r.alnum(21);
  return m;
}

function decodeQuoteCancel(r: BodyReader): M.QuoteCancel {
  const m: M.QuoteCancel = { msgType: T.QuoteCancel };
  if (r.has(0)) m.submittingBrokerId = r.alnum(12);
  if (r.has(1)) m.brokerLocationId = r.alnum(11);
  if (r.has(2)) m.securityId = r.alnum(21);
  if (r.has(3)) m.securityIdSource = r.u8();
  if (r.has(4)) m.securityExchange = r.alnum(5);
  if (r.has(5)) m.quoteMessageId = r.alnum(21);
  if (r.has(6)) m.quoteCancelType = r.u8();
  return m;
}

function decodeQuoteStatusReport(r: BodyReader): M.QuoteStatusReport {
  const m: M.QuoteStatusReport = { msgType: T.QuoteStatusReport };
  if (r.has(0)) m.submittingBrokerId = r.alnum(12);
  if (r.has(1)) m.brokerLocationId = r.alnum(11);
  if (r.has(2)) m.securityId = r.alnum(21);
  if (r.has(3)) m.securityIdSource = r.u8();
  if (r.has(4)) m.securityExchange = r.alnum(5);
  if (r.has(5)) m.quoteBidId = r.alnum(21);
  if (r.has(6)) m.quoteOfferId = r.alnum(21);
  if (r.has(7)) m.quoteType = r.u8();
  if (r.has(8)) m.transactionTime = r.alnum(25);
  if (r.has(9)) m.quoteMessageId = r.alnum(21);
  if (r.has(10)) m.quoteCancelType = r.u8();
  if (r.has(11)) m.quoteStatus = r.u8();
  if (r.has(12)) m.quoteRejectCode = r.u16();
  if (r.has(13)) m.reason = r.varText();
  return m;
}

function decodeTradeCaptureReport(r: BodyReader): M.TradeCaptureReport {
  const m: M.TradeCaptureReport = { msgType: T.TradeCaptureReport };
  if (r.has(0)) m.tradeReportId = r.alnum(21);
  if (r.has(1)) m.tradeReportTransType = r.u8();
  if (r.has(2)) m.tradeReportType = r.u8();
  if (r.has(3)) m.tradeHandlingInstructions = r.u8();
  if (r.has(4)) m.submittingBrokerId = r.alnum(12);
  if (r.has(5)) m.counterpartyBrokerId = r.alnum(12);
  if (r.has(6)) m.brokerLocationId = r.alnum(11);
  if (r.has(7)) m.securityId = r.alnum(21);
  if (r.has(8)) m.securityIdSource = r.u8();
  if (r.has(9)) m.securityExchange = r.alnum(5);
  if (r.has(10)) m.side = r.u8();
  if (r.has(11)) m.transactionTime = r.alnum(25);
  if (r.has(12)) m.tradeId = r.alnum(25);
  if (r.has(13)) m.tradeType = r.u8();
  if (r.has(14)) m.executionQuantity = r.dec();
  if (r.has(15)) m.executionPrice = r.dec();
  if (r.has(16)) m.clearingInstruction = r.u8();
  if (r.has(17)) m.positionEffect = r.u8();
  if (r.has(19)) m.orderCapacity = r.u8();
  if (r.has(20)) m.orderCategory = r.u8();
  if (r.has(21)) m.text = r.varText();
  if (r.has(22)) m.executionInstructions = r.alnum(21);
  if (r.has(23)) m.execType = r.byte();
  if (r.has(24)) m.tradeReportStatus = r.u8();
  if (r.has(25)) m.exchangeTradeType = r.byte();
  if (r.has(27)) m.orderId = r.alnum(21);
  if (r.has(29)) m.submittingBcanField = r.alnum(21);
  if (r.has(31)) m.counterpartyBcanField = r.alnum(21);
  return m;
}

function decodeTradeCaptureReportAck(r: BodyReader): M.TradeCaptureReportAck {
  const m: M.TradeCaptureReportAck = { msgType: T.TradeCaptureReportAck };
  if (r.has(0)) m.tradeReportId = r.alnum(21);
  if (r.has(1)) m.tradeReportTransType = r.u8();
  if (r.has(2)) m.tradeReportType = r.u8();
  if (r.has(3)) m.tradeHandlingInstructions = r.u8();
  if (r.has(4)) m.submittingBrokerId = r.alnum(12);
  if (r.has(5)) m.counterpartyBrokerId = r.alnum(12);
  if (r.has(6)) m.brokerLocationId = r.alnum(11);
  if (r.has(7)) m.securityId = r.alnum(21);
  if (r.has(8)) m.securityIdSource = r.u8();
  if (r.has(9)) m.securityExchange = r.alnum(5);
  if (r.has(10)) m.side = r.u8();
  if (r.has(11)) m.transactionTime = r.alnum(25);
  if (r.has(12)) m.tradeId = r.alnum(25);
  if (r.has(13)) m.tradeReportStatus = r.u8();
  if (r.has(14)) m.tradeReportRejectCode = r.u16();
  if (r.has(15)) m.reason = r.varText();
  return m;
}

function decodeOboCancelRequest(r: BodyReader): M.OboCancelRequest {
  const m: M.OboCancelRequest = { msgType: T.OboCancelRequest };
  if (r.has(0)) m.clientOrderId = r.alnum(21);
  if (r.has(1)) m.submittingBrokerId = r.alnum(12);
  if (r.has(2)) m.securityId = r.alnum(21);
  if (r.has(3)) m.securityIdSource = r.u8();
  if (r.has(4)) m.securityExchange = r.alnum(5);
  if (r.has(5)) m.brokerLocationId = r.alnum(11);
  if (r.has(6)) m.transactionTime = r.alnum(25);
  if (r.has(7)) m.side = r.u8();
  if (r.has(8)) m.originalClientOrderId = r.alnum(21);
  if (r.has(9)) m.orderId = r.alnum(21);
  if (r.has(10)) m.owningBrokerId = r.alnum(12);
  if (r.has(11)) m.text = r.varText();
  return m;
}

function decodeOboMassCancelRequest(r: BodyReader): M.OboMassCancelRequest {
  const m: M.OboMassCancelRequest = { msgType: T.OboMassCancelRequest };
  if (r.has(0)) m.clientOrderId = r.alnum(21);
  if (r.has(1)) m.submittingBrokerId = r.alnum(12);
  if (r.has(2)) m.securityId = r.alnum(21);
  if (r.has(3)) m.securityIdSource = r.u8();
  if (r.has(4)) m.securityExchange = r.alnum(5);
  if (r.has(5)) m.brokerLocationId = r.alnum(11);
  if (r.has(6)) m.transactionTime = r.alnum(25);
  if (r.has(7)) m.side = r.u8();
  if (r.has(8)) m.massCancelRequestType = r.u8();
  if (r.has(9)) m.marketSegmentId = r.alnum(20);
  if (r.has(10)) m.owningBrokerId = r.alnum(12);
  return m;
}

function decodeThrottleEntitlementRequest(r: BodyReader): M.ThrottleEntitlementRequest {
  const m: M.ThrottleEntitlementRequest = { msgType: T.ThrottleEntitlementRequest };
  if (r.has(0)) m.userRequestId = r.alnum(20);
  if (r.has(1)) m.userRequestType = r.u8();
  if (r.has(2)) m.userName = r.alnum(50);
  return m;
}

function decodeThrottleEntitlementResponse(r: BodyReader): M.ThrottleEntitlementResponse {
  const m: M.ThrottleEntitlementResponse = { msgType: T.ThrottleEntitlementResponse };
  if (r.has(0)) m.userRequestId = r.alnum(20);
  if (r.has(1)) m.userName = r.alnum(50);
  if (r.has(2)) m.throttles = r.group(THROTTLES, decodeThrottle);
  return m;
}

function decodePartyEntitlementsRequest(r: BodyReader): M.PartyEntitlementsRequest {
  const m: M.PartyEntitlementsRequest = { msgType: T.PartyEntitlementsRequest };
  if (r.has(0)) m.entitlementRequestId = r.alnum(21);
  return m;
}

function decodePartyEntitlementsReport(r: BodyReader): M.PartyEntitlementsReport {
  const m: M.PartyEntitlementsReport = { msgType: T.PartyEntitlementsReport };
  if (r.has(0)) m.entitlementReportId = r.alnum(21);
  if (r.has(1)) m.entitlementRequestId = r.alnum(21);
  if (r.has(2)) m.requestResult = r.u16();
  if (r.has(3)) m.totalNoPartyList = r.u16();
  if (r.has(4)) m.lastFragment = r.u8();
  if (r.has(5)) m.brokerId = r.alnum(12);
  if (r.has(6)) m.entitlements = r.group(ENTITLEMENTS, decodeEntitlement);
  return m;
}

function decodeThrottle(r: BodyReader): M.ThrottleEntry {
  const m: M.ThrottleEntry = {};
  if (r.has(0)) m.throttleAction = r.u8();
  if (r.has(1)) m.throttleType = r.u8();
  if (r.has(2)) m.throttleNoMessages = r.u32();
  if (r.has(3)) m.throttleTimeInterval = r.u16();
  if (r.has(4)) m.throttleTimeUnit = r.u8();
  return m;
}

function decodeEntitlementAttribute(r: BodyReader): M.EntitlementAttribute {
  const m: M.EntitlementAttribute = {};
  if (r.has(0)) m.entitlementAttributeType = r.u16();
  if (r.has(1)) m.entitlementAttributeDataType = r.u8();
  if (r.has(2)) m.entitlementAttributeValue = r.alnum(21);
  return m;
}

function decodeInstrumentScope(r: BodyReader): M.InstrumentScope {
  const m: M.InstrumentScope = {};
  if (r.has(0)) m.instrumentScopeOperator = r.u8();
  if (r.has(1)) m.securityId = r.alnum(21);
  if (r.has(2)) m.securityIdSource = r.u8();
  if (r.has(3)) m.securityExchange = r.alnum(5);
  return m;
}

function decodeEntitlement(r: BodyReader): M.Entitlement {
  const m: M.Entitlement = {};
  if (r.has(0)) m.entitlementType = r.u8();
  if (r.has(1)) m.entitlementIndicator = r.u8();
  if (r.has(2)) m.entitlementAttributes = r.group(ENTITLEMENT_ATTRIBUTES, decodeEntitlementAttribute);
  if (r.has(3)) m.entitlementId = r.alnum(21);
  if (r.has(4)) m.instrumentScopes = r.group(INSTRUMENT_SCOPES, decodeInstrumentScope);
  return m;
}

function decodeBody(msgType: number, r: BodyReader): OcgMessage {
  switch (msgType) {
    case T.Heartbeat:
      return decodeHeartbeat(r);
    case T.TestRequest:
      return decodeTestRequest(r);
    case T.ResendRequest:
      return decodeResendRequest(r);
    case T.Reject:
      return decodeReject(r);
    case T.SequenceReset:
      return decodeSequenceReset(r);
    case T.Logon:
      return decodeLogon(r);
    case T.Logout:
      return decodeLogout(r);
    case T.LookupRequest:
      return decodeLookupRequest(r);
    case T.LookupResponse:
      return decodeLookupResponse(r);
    case T.BusinessMessageReject:
      return decodeBusinessMessageReject(r);
    case T.ExecutionReport:
      return decodeExecutionReport(r);
    case T.NewOrder:
      return decodeNewOrder(r);
    case T.AmendRequest:
      return decodeAmendRequest(r);
    case T.CancelRequest:
      return decodeCancelRequest(r);
    case T.MassCancelRequest:
      return decodeMassCancelRequest(r);
    case T.OrderMassCancelReport:
      return decodeOrderMassCancelReport(r);
    case T.Quote:
      return decodeQuote(r);
    case T.QuoteCancel:
      return decodeQuoteCancel(r);
    case T.QuoteStatusReport:
      return decodeQuoteStatusReport(r);
    case T.TradeCaptureReport:
      return decodeTradeCaptureReport(r);
    case T.TradeCaptureReportAck:
      return decodeTradeCaptureReportAck(r);
    case T.OboCancelRequest:
      return decodeOboCancelRequest(r);
    case T.OboMassCancelRequest:
      return decodeOboMassCancelRequest(r);
    case T.ThrottleEntitlementRequest:
      return decodeThrottleEntitlementRequest(r);
    case T.ThrottleEntitlementResponse:
      return decodeThrottleEntitlementResponse(r);
    case T.PartyEntitlementsRequest:
      return decodePartyEntitlementsRequest(r);
    case T.PartyEntitlementsReport:
      return decodePartyEntitlementsReport(r);
    default:
      throw new Error(`no decoder for message type ${msgType}`); // tableFor() admits only the types above
  }
}

function fail(kind: OcgDecodeErrorKindName, fatal: boolean, detail: string, extra?: Partial<OcgDecodeError>): OcgDecodeError {
  return { ok: false, kind, fatal, detail, ...extra };
}

function readHeader(b: Uint8Array, off: number, text: string, textAt: number): OcgHeader {
  const p = off + COMP_ID_OFFSET;
  let q = p;
  while (q < p + COMP_ID_BYTES - 1 && b[q] !== 0) q++; // no NUL ⇒ the first 11 characters (§2.5)
  return {
    msgType: b[off + 3]! as OcgMsgTypeCode,
    seqNum: (b[off + 4]! | (b[off + 5]! << 8) | (b[off + 6]! << 16) | (b[off + 7]! << 24)) >>> 0,
    possDup: b[off + 8] !== 0,
    possResend: b[off + 9] !== 0,
    compId: text.substring(p - textAt, q - textAt),
  };
}

function whereOf(t: MessageTable, header: OcgHeader): string {
  return `${t.spec.name} seq ${header.seqNum}`;
}

function isSet(b: Uint8Array, mo: number, bit: number): boolean {
  return (b[mo + (bit >> 3)]! & (0x80 >> (bit & 7))) !== 0;
}

/** The first unknown bit, else the first required field absent, as an error; null when the map is good. */
function presenceError(t: MessageTable, header: OcgHeader, b: Uint8Array, mo: number): OcgDecodeError | null {
  // Every message's fields sit in the first few map bytes: one pass over those, then the rest must be zero.
  let bad = 0;
  for (let j = 0; j < t.mapBytes; j++) {
    const m = b[mo + j]!;
    bad |= (m & ~t.known[j]!) | ((m & t.required[j]!) ^ t.required[j]!);
  }
  for (let j = t.mapBytes; j < MAP_BYTES; j++) bad |= b[mo + j]!;
  return bad === 0 ? null : presenceDetail(t, header, b, mo);
}

function presenceDetail(t: MessageTable, header: OcgHeader, b: Uint8Array, mo: number): OcgDecodeError {
  for (let j = 0; j < MAP_BYTES; j++) {
    const unknown = b[mo + j]! & ~t.known[j]!;
    if (unknown !== 0) {
      const bit = j * 8 + Math.clz32(unknown) - 24;
      return fail('unknownPresenceBit', false, `${whereOf(t, header)}: presence bit ${bit} names no field of this message (OCG-C §2.3)`, {
        header,
        rejectCode: MessageRejectCode.UndefinedField,
        bit,
      });
    }
  }
  const missing = t.fields.find((fl) => fl.required && !isSet(b, mo, fl.bit))!;
  return fail('requiredFieldMissing', false, `${whereOf(t, header)}: required field ${missing.name} (bit ${missing.bit}) absent`, {
    header,
    rejectCode: MessageRejectCode.RequiredFieldMissing,
    fieldName: missing.name,
    bit: missing.bit,
  });
}

function bodyError(t: MessageTable, header: OcgHeader, e: BodyError): OcgDecodeError {
  const where = whereOf(t, header);
  if (e.block !== null) {
    const block = e.block.name;
    if (e.kind === OVERRUN) {
      return fail('bodyLengthMismatch', true, `${where}: repeating block ${block}: a field runs past the end of the body`, {
        header,
        rejectCode: MessageRejectCode.IncorrectDataFormat,
        fieldName: block,
      });
    }
    const unknown = e.kind === UNKNOWN_BIT;
    return fail(
      unknown ? 'unknownPresenceBit' : 'requiredFieldMissing',
      false,
      `${where}: repeating block ${block}: ${unknown ? 'a nested presence map names an unknown field' : 'a required field is absent'}`,
      { header, rejectCode: unknown ? MessageRejectCode.UndefinedField : MessageRejectCode.RequiredFieldMissing, fieldName: block, bit: e.bit },
    );
  }
  // Overrun or bytes left over: the Length does not agree with the fields the map names.
  const fl = e.bit >= 0 ? t.byBit[e.bit] : undefined;
  const detail =
    e.bit === -2
      ? `${where}: body longer than the fields its presence map names`
      : `${where}: field ${fl?.name ?? '?'} (bit ${e.bit}) runs past the end of the body`;
  return fail('bodyLengthMismatch', true, detail, {
    header,
    rejectCode: MessageRejectCode.IncorrectDataFormat,
    fieldName: fl?.name,
    bit: e.bit >= 0 ? e.bit : undefined,
  });
}

/**
 * Decode the frame at b[off, off+len): `len` is how many bytes the caller has for this frame
 * (the frame reader passes exactly the Length field). Never throws.
 */
export function decodeFrame(b: Uint8Array, off: number, len: number, options?: OcgCodecOptions): OcgDecodeResult {
  if (!(off >= 0 && len >= 0 && off + len <= b.length)) return fail('truncated', true, `frame range ${off}+${len} outside the ${b.length}-byte buffer`);
  if (len < 1) return fail('truncated', true, 'empty buffer');
  if (b[off] !== OCG_START_OF_MESSAGE) {
    return fail('badStartByte', true, `start byte 0x${b[off]!.toString(16).padStart(2, '0')}, expected 0x02 (OCG-C §2.2)`);
  }
  if (len < 3) return fail('truncated', true, `${len} bytes, the Length field needs 3`);
  const length = b[off + 1]! | (b[off + 2]! << 8);
  if (length < OCG_MIN_MESSAGE_LENGTH) return fail('badLength', true, `Length ${length} < ${OCG_MIN_MESSAGE_LENGTH} (OCG-C §2.1)`);
  if (len < length) return fail('truncated', true, `Length ${length} but only ${len} bytes`);
  if (len > length) return fail('badLength', true, `Length ${length} disagrees with the ${len} bytes given`);
  const crcAt = off + length - 4;
  const stored = (b[crcAt]! | (b[crcAt + 1]! << 8) | (b[crcAt + 2]! << 16) | (b[crcAt + 3]! << 24)) >>> 0;
  const computed = crc32c(b, off, crcAt);
  if (stored !== computed) {
    const hex = (x: number) => `0x${x.toString(16).padStart(8, '0')}`;
    return fail('badChecksum', true, `checksum ${hex(stored)} but CRC-32C of bytes is ${hex(computed)} (OCG-C §2.4: drop without Logout)`);
  }
  const textAt = off + COMP_ID_OFFSET;
  const text = latin1(b, textAt, crcAt);
  const header = readHeader(b, off, text, textAt);
  const t = tableFor(header.msgType, options);
  if (t === undefined) {
    return fail('unknownMessageType', false, `unknown message type ${header.msgType} (seq ${header.seqNum})`, {
      header,
      rejectCode: MessageRejectCode.InvalidMessageType,
    });
  }
  const profile = options?.profile;
  if (profile !== undefined && !profile.allowedMsgTypes.has(header.msgType)) {
    return fail('messageTypeNotAllowed', false, `${t.spec.name} (${header.msgType}) is not offered on ${profile.service} (seq ${header.seqNum})`, {
      header,
      rejectCode: MessageRejectCode.InvalidMessageType,
    });
  }
  const mo = off + MAP_OFFSET;
  const bad = presenceError(t, header, b, mo);
  if (bad !== null) return bad;
  const r = new BodyReader(b, mo, off + OCG_HEADER_LENGTH, crcAt, text, textAt);
  try {
    const message = decodeBody(header.msgType, r);
    if (r.pos !== crcAt) return bodyError(t, header, new BodyError(OVERRUN, -2, null));
    return { ok: true, header, message, length };
  } catch (e) {
    if (e instanceof BodyError) return bodyError(t, header, e);
    throw e;
  }
}

/** Decode exactly one message: `buf` must hold the whole frame and nothing else. Never throws. */
export function decodeMessage(buf: Uint8Array, options?: OcgCodecOptions): OcgDecodeResult {
  return decodeFrame(buf, 0, buf.length, options);
}

/** Header fields of a frame without decoding the body (no checks beyond the length). */
export function peekHeader(frame: Uint8Array): OcgHeader | null {
  if (frame.length < OCG_MIN_MESSAGE_LENGTH || frame[0] !== OCG_START_OF_MESSAGE) return null;
  return readHeader(frame, 0, latin1(frame, COMP_ID_OFFSET, COMP_ID_OFFSET + COMP_ID_BYTES), COMP_ID_OFFSET);
}

/** The data-dictionary name of a presence bit in a message type, for Reject texts. */
export function fieldNameOf(msgType: number, bit: number, options?: OcgCodecOptions): string | undefined {
  return tableFor(msgType, options)?.byBit[bit]?.name;
}

/** Data-dictionary name of a message type ("New Order"), or undefined for unassigned codes. */
export function messageNameOf(msgType: number): string | undefined {
  return MESSAGE_SPEC_BY_TYPE[msgType]?.name;
}

// ---------------------------------------------------------------------------------------------
// Encoding: a walk over the message's field table, sizing first, then writing into zeroed bytes.

const INT64_MIN = -(1n << 63n),
  INT64_MAX = (1n << 63n) - 1n;

function badValue(name: string, where: string, value: unknown, what: string): never {
  throw new RangeError(`${where}: ${name} = ${typeof value === 'bigint' ? `${value}n` : (JSON.stringify(value) ?? String(value))} is not ${what}`);
}

function textLength(v: unknown, maxL: number, name: string, where: string): number {
  if (typeof v !== 'string' || v.length + 1 > maxL) badValue(name, where, v, `a string of at most ${maxL - 1} characters`);
  return v.length;
}

/** Body bytes of the present fields; checks strings' lengths and blocks' counts. */
function bodySize(fields: readonly FieldSpec[], body: Record<string, unknown>, where: string): number {
  let n = 0;
  for (const fl of fields) {
    const v = body[fl.key];
    if (v === undefined) continue;
    if (fl.kind === 'var') n += 3 + textLength(v, fl.size, fl.name, where);
    else if (fl.kind === 'group') {
      if (!Array.isArray(v) || v.length > 0xffff) badValue(fl.name, where, v, 'an array of at most 65535 entries');
      n += 2;
      for (const item of v as Record<string, unknown>[]) n += 2 + bodySize(fl.group!.fields, item, where);
    } else n += fl.size;
  }
  return n;
}

/** Alnum Fixed(n) into zeroed bytes: the characters only, the NUL and the tail stay 0 (§2.5). */
function putAlnum(out: Uint8Array, p: number, v: unknown, n: number, name: string, where: string): void {
  if (typeof v !== 'string' || v.length > n - 1) badValue(name, where, v, `a string of at most ${n - 1} characters`);
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c > 0x7f || c === 0) badValue(name, where, v, 'ASCII text without NUL'); // §2.5: never a non-ASCII byte on the wire
    out[p + i] = c;
  }
}

function putUint(out: Uint8Array, p: number, v: unknown, size: number, name: string, where: string): void {
  const max = size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
  if (typeof v !== 'number' || v >>> 0 !== v || v > max) badValue(name, where, v, `an integer in 0..${max}`);
  out[p] = v & 0xff;
  if (size >= 2) out[p + 1] = (v >>> 8) & 0xff;
  if (size === 4) {
    out[p + 2] = (v >>> 16) & 0xff;
    out[p + 3] = v >>> 24;
  }
}

function putDec(out: Uint8Array, p: number, v: unknown, name: string, where: string): void {
  if (typeof v !== 'bigint') badValue(name, where, v, 'a bigint ×10^8');
  if (v < INT64_MIN || v > INT64_MAX) badValue(name, where, v, 'in the Int64 range');
  const u = BigInt.asUintN(64, v);
  const lo = Number(u & 0xffffffffn),
    hi = Number(u >> 32n);
  out[p] = lo & 0xff;
  out[p + 1] = (lo >>> 8) & 0xff;
  out[p + 2] = (lo >>> 16) & 0xff;
  out[p + 3] = lo >>> 24;
  out[p + 4] = hi & 0xff;
  out[p + 5] = (hi >>> 8) & 0xff;
  out[p + 6] = (hi >>> 16) & 0xff;
  out[p + 7] = hi >>> 24;
}

/** Writes the present fields at p and sets their bits in the map at `map`; returns the end offset. */
function writeBody(
  out: Uint8Array,
  p: number,
  map: number,
  fields: readonly FieldSpec[],
  body: Record<string, unknown>,
  where: string,
  checkRequired: boolean,
): number {
  for (const fl of fields) {
    const v = body[fl.key];
    if (v === undefined) {
      if (checkRequired && fl.required) throw new RangeError(`${where}: required field ${fl.name} missing`);
      continue;
    }
    out[map + (fl.bit >> 3)]! |= 0x80 >> (fl.bit & 7);
    switch (fl.kind) {
      case 'u8':
      case 'u16':
      case 'u32':
        putUint(out, p, v, fl.size, fl.name, where);
        p += fl.size;
        break;
      case 'dec':
        putDec(out, p, v, fl.name, where);
        p += 8;
        break;
      case 'byte':
        if (typeof v !== 'string' || v.length !== 1 || v.charCodeAt(0) > 0x7f) badValue(fl.name, where, v, 'one ASCII character');
        out[p] = v.charCodeAt(0);
        p += 1;
        break;
      case 'alnum':
        putAlnum(out, p, v, fl.size, fl.name, where);
        p += fl.size;
        break;
      case 'var': {
        const L = textLength(v, fl.size, fl.name, where) + 1; // L counts the trailing NUL (§2.5)
        out[p] = L & 0xff;
        out[p + 1] = L >>> 8;
        putAlnum(out, p + 2, v, L, fl.name, where);
        p += 2 + L;
        break;
      }
      case 'group': {
        const items = v as Record<string, unknown>[];
        out[p] = items.length & 0xff;
        out[p + 1] = items.length >>> 8;
        p += 2;
        for (const item of items) p = writeBody(out, p + 2, p, fl.group!.fields, item, where, checkRequired);
        break;
      }
    }
  }
  return p;
}

/** The table of a message to encode; refuses unknown types and SMP fields without an SMP profile. */
function encodeTable(body: OcgMessage, options: OcgCodecOptions | undefined): MessageTable {
  const msgType = (body as { msgType: unknown }).msgType;
  const t = typeof msgType === 'number' ? tableFor(msgType, options) : undefined;
  if (t === undefined) throw new RangeError(`unknown message type ${String(msgType)}`);
  if (t.fields === t.spec.fields && t.spec.smpFields !== undefined) {
    for (const f of t.spec.smpFields) {
      if ((body as unknown as Record<string, unknown>)[f.key] !== undefined) {
        throw new RangeError(`${t.spec.name}: ${f.key} is not a field of this message (SMP needs a profile with smp: true)`);
      }
    }
  }
  return t;
}

/** Encoded size of a message in bytes. Throws RangeError on invalid input. */
export function encodedLength(body: OcgMessage, options?: OcgCodecOptions): number {
  const t = encodeTable(body, options);
  return OCG_MIN_MESSAGE_LENGTH + bodySize(t.fields, body as unknown as Record<string, unknown>, t.spec.name);
}

/** Encode into `out` at `offset`; returns the number of bytes written. Throws RangeError on invalid input. */
export function encodeMessageInto(out: Uint8Array, offset: number, header: OcgEncodeHeader, body: OcgMessage, options?: OcgEncodeOptions): number {
  const t = encodeTable(body, options);
  const length = OCG_MIN_MESSAGE_LENGTH + bodySize(t.fields, body as unknown as Record<string, unknown>, t.spec.name);
  if (length > OCG_MAX_MESSAGE_LENGTH) throw new RangeError(`${t.spec.name}: ${length} bytes exceed the UInt16 Length`);
  if (!(offset >= 0 && offset + length <= out.length)) {
    throw new RangeError(`${t.spec.name}: needs ${length} bytes at offset ${offset}, buffer has ${out.length}`);
  }
  out.fill(0, offset, offset + length); // tails of strings and the map stay zero (deterministic CRC, §2.5)
  return writeFrame(out, offset, header, t, body, options);
}

/** Encode one message into a new frame. Throws RangeError on invalid (programmer) input. */
export function encodeMessage(header: OcgEncodeHeader, body: OcgMessage, options?: OcgEncodeOptions): Uint8Array {
  const t = encodeTable(body, options);
  if (t.maxBody < 0) {
    const out = newFrame(encodedLength(body, options));
    encodeMessageInto(out, 0, header, body, options);
    return out;
  }
  // One pass into room for the longest body of this type (under 1 KiB): no sizing pass first.
  const out = newFrame(OCG_MIN_MESSAGE_LENGTH + t.maxBody);
  return out.subarray(0, writeFrame(out, 0, header, t, body, options));
}

/**
 * n zeroed bytes. Small frames come from Node's Buffer pool (Buffer.allocUnsafe): a typed array of
 * a few hundred bytes gets memory of its own from the allocator, which costs more than the encoding.
 * A frame is therefore a view into a larger ArrayBuffer: use byteOffset/byteLength with .buffer.
 */
function newFrame(n: number): Uint8Array {
  const pooled = Buffer.allocUnsafe(n);
  // A plain Uint8Array over it: Buffer's slice() would be a view, Uint8Array's is the copy callers expect.
  return new Uint8Array(pooled.buffer, pooled.byteOffset, n).fill(0);
}

/** Header, body, Length and CRC at out[o..] (zeroed, with room for the frame); returns the frame's length. */
function writeFrame(out: Uint8Array, o: number, header: OcgEncodeHeader, t: MessageTable, body: OcgMessage, options: OcgEncodeOptions | undefined): number {
  const where = t.spec.name;
  const seq = header.seqNum;
  if (typeof seq !== 'number' || seq >>> 0 !== seq) badValue('Sequence Number', where, seq, 'a UInt32');
  out[o] = OCG_START_OF_MESSAGE;
  out[o + 3] = t.spec.msgType;
  out[o + 4] = seq & 0xff;
  out[o + 5] = (seq >>> 8) & 0xff;
  out[o + 6] = (seq >>> 16) & 0xff;
  out[o + 7] = seq >>> 24;
  out[o + 8] = header.possDup === true ? 1 : 0;
  out[o + 9] = header.possResend === true ? 1 : 0;
  putAlnum(out, o + COMP_ID_OFFSET, header.compId, COMP_ID_BYTES, 'Comp ID', where);
  const m = body as unknown as Record<string, unknown>;
  const end = writeBody(out, o + OCG_HEADER_LENGTH, o + MAP_OFFSET, t.fields, m, where, options?.skipRequiredCheck !== true);
  const length = end + 4 - o;
  out[o + 1] = length & 0xff;
  out[o + 2] = length >>> 8;
  writeCrc(out, o, end);
  return length;
}

function writeCrc(out: Uint8Array, start: number, end: number): void {
  const crc = crc32c(out, start, end);
  out[end] = crc & 0xff;
  out[end + 1] = (crc >>> 8) & 0xff;
  out[end + 2] = (crc >>> 16) & 0xff;
  out[end + 3] = crc >>> 24;
}

/**
 * A copy of a stored frame with a new header stamp and a fresh CRC: for replay (PossDup = 1, same
 * seq, §3.13) or a re-send under a new seq (PossResend = 1). The input frame is not modified.
 */
export function restampFrame(frame: Uint8Array, stamp: { seqNum?: number; possDup?: boolean; possResend?: boolean }): Uint8Array {
  const out = new Uint8Array(frame.length); // a copy also when frame is a Buffer (whose slice() is a view)
  out.set(frame);
  if (stamp.seqNum !== undefined) {
    const s = stamp.seqNum;
    if (typeof s !== 'number' || s >>> 0 !== s) badValue('Sequence Number', 'restamp', s, 'a UInt32');
    out[4] = s & 0xff;
    out[5] = (s >>> 8) & 0xff;
    out[6] = (s >>> 16) & 0xff;
    out[7] = s >>> 24;
  }
  if (stamp.possDup !== undefined) out[8] = stamp.possDup ? 1 : 0;
  if (stamp.possResend !== undefined) out[9] = stamp.possResend ? 1 : 0;
  writeCrc(out, 0, out.length - 4);
  return out;
}

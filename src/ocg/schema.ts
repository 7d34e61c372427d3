// Presence-bit field tables for every OCG-C message (spec note §3, §5; bit = presence bit).
// One table drives both the encoder and the generated decoders (codec.ts), so a field's width,
// order and name are written down exactly once.
import { OcgMsgType } from './messages.ts';

/** Wire data types (§2.5). */
export type FieldKind = 'u8' | 'u16' | 'u32' | 'dec' | 'byte' | 'alnum' | 'var' | 'group';

export interface FieldSpec {
  bit: number;
  /** Data-dictionary name, as Reject's Reference Field Name wants it (§3.7). */
  name: string;
  /** Property name on the message object. */
  key: string;
  kind: FieldKind;
  /** alnum: n (NUL included); var: max L incl. NUL (encoder limit); fixed ints: their width. */
  size: number;
  /** Marked Y by the note in every variant: the decoder reports it missing (Reject code 1). */
  required: boolean;
  /** Repeating block: UInt16 count, then {2-byte map, fields} per repetition (§2.3, §8 item 11). */
  group?: GroupSpec;
}

export interface GroupSpec {
  fields: FieldSpec[];
}

export interface MessageSpec {
  msgType: number;
  name: string;
  fields: FieldSpec[];
  /** Fields that exist only when the profile enables v3.2 SMP (§5.13). */
  smpFields?: FieldSpec[];
}

const WIDTH: Record<Exclude<FieldKind, 'alnum' | 'var' | 'group'>, number> = { u8: 1, u16: 2, u32: 4, dec: 8, byte: 1 };

/** "Client Order ID" → "clientOrderId", "TIF" → "tif". */
export function keyOf(name: string): string {
  return name
    .split(' ')
    .map((w, i) => (i === 0 ? w.toLowerCase() : w[0]!.toUpperCase() + w.slice(1).toLowerCase()))
    .join('');
}

type Y = 'Y' | undefined;
function f(bit: number, name: string, kind: Exclude<FieldKind, 'alnum' | 'var' | 'group'>, req?: Y): FieldSpec {
  return { bit, name, key: keyOf(name), kind, size: WIDTH[kind], required: req === 'Y' };
}
function a(bit: number, name: string, n: number, req?: Y): FieldSpec {
  return { bit, name, key: keyOf(name), kind: 'alnum', size: n, required: req === 'Y' };
}
function v(bit: number, name: string, maxL: number, req?: Y): FieldSpec {
  return { bit, name, key: keyOf(name), kind: 'var', size: maxL, required: req === 'Y' };
}
function g(bit: number, name: string, key: string, fields: FieldSpec[]): FieldSpec {
  return { bit, name, key, kind: 'group', size: 2, required: false, group: { fields } };
}

// Field sizes from the data dictionary (§2.6).
const TRANSACTION_TIME = 25;

/** Bits 0–7 shared by New Order, Amend, Cancel and OBO Cancel (§5.2–5.4, §5.6). */
function orderPrefix(): FieldSpec[] {
  return [
    a(0, 'Client Order ID', 21, 'Y'),
    a(1, 'Submitting Broker ID', 12, 'Y'),
    a(2, 'Security ID', 21, 'Y'),
    f(3, 'Security ID Source', 'u8', 'Y'),
    a(4, 'Security Exchange', 5),
    a(5, 'Broker Location ID', 11),
    a(6, 'Transaction Time', TRANSACTION_TIME, 'Y'),
    f(7, 'Side', 'u8', 'Y'),
  ];
}

/** Bits 0–9 shared by Mass Cancel and OBO Mass Cancel (§5.5–5.6). */
function massCancelPrefix(): FieldSpec[] {
  return [
    a(0, 'Client Order ID', 21, 'Y'),
    a(1, 'Submitting Broker ID', 12, 'Y'),
    a(2, 'Security ID', 21), // C: type 1
    f(3, 'Security ID Source', 'u8'),
    a(4, 'Security Exchange', 5),
    a(5, 'Broker Location ID', 11),
    a(6, 'Transaction Time', TRANSACTION_TIME, 'Y'),
    f(7, 'Side', 'u8'),
    f(8, 'Mass Cancel Request Type', 'u8', 'Y'),
    a(9, 'Market Segment ID', 20), // C: type 9
  ];
}

const M = OcgMsgType;

export const MESSAGE_SPECS: readonly MessageSpec[] = [
  // §3.5
  { msgType: M.Heartbeat, name: 'Heartbeat', fields: [f(0, 'Reference Test Request ID', 'u16')] },
  { msgType: M.TestRequest, name: 'Test Request', fields: [f(0, 'Test Request ID', 'u16', 'Y')] },
  // §3.6
  { msgType: M.ResendRequest, name: 'Resend Request', fields: [f(0, 'Start Sequence', 'u32', 'Y'), f(1, 'End Sequence', 'u32', 'Y')] },
  // §3.7
  {
    msgType: M.Reject,
    name: 'Reject',
    fields: [
      f(0, 'Message Reject Code', 'u16', 'Y'),
      v(1, 'Reason', 75),
      f(2, 'Reference Message Type', 'u8'),
      a(3, 'Reference Field Name', 50),
      f(4, 'Reference Sequence Number', 'u32', 'Y'),
      a(5, 'Client Order ID', 21),
    ],
  },
  // §3.8: Gap Fill absent means Reset.
  { msgType: M.SequenceReset, name: 'Sequence Reset', fields: [f(0, 'Gap Fill', 'byte'), f(1, 'New Sequence Number', 'u32', 'Y')] },
  // §3.3: Password is C (mandatory from the client, absent from OCG-C), so not checked here.
  {
    msgType: M.Logon,
    name: 'Logon',
    fields: [
      a(0, 'Password', 450),
      a(1, 'New Password', 450),
      f(2, 'Next Expected Message Sequence', 'u32', 'Y'),
      f(3, 'Session Status', 'u8'),
      v(4, 'Text', 50),
      f(5, 'Test Message Indicator', 'u8'),
    ],
  },
  // §3.4
  { msgType: M.Logout, name: 'Logout', fields: [v(0, 'Logout Text', 75), f(1, 'Session Status', 'u8')] },
  // §3.2
  { msgType: M.LookupRequest, name: 'Lookup Request', fields: [f(0, 'Type Of Service', 'u8', 'Y'), f(1, 'Protocol Type', 'u8', 'Y')] },
  {
    msgType: M.LookupResponse,
    name: 'Lookup Response',
    fields: [
      f(0, 'Status', 'u8', 'Y'),
      f(1, 'Lookup Reject Code', 'u8'), // UInt8 per S1 (§8 item 2)
      v(2, 'Reason', 75),
      a(3, 'Primary IP', 16),
      f(4, 'Primary Port', 'u16'),
      a(5, 'Secondary IP', 16),
      f(6, 'Secondary Port', 'u16'),
    ],
  },
  // §5.11
  {
    msgType: M.BusinessMessageReject,
    name: 'Business Message Reject',
    fields: [
      f(0, 'Business Reject Code', 'u16', 'Y'),
      v(1, 'Reason', 75),
      f(2, 'Reference Message Type', 'u8', 'Y'),
      a(3, 'Reference Field Name', 50),
      f(4, 'Reference Sequence Number', 'u32'),
      a(5, 'Business Reject Reference ID', 21),
    ],
  },
  // §5.7: one table for all variants; Y = the bits present in every variant.
  {
    msgType: M.ExecutionReport,
    name: 'Execution Report',
    fields: [
      ...orderPrefix(),
      a(8, 'Original Client Order ID', 21),
      a(9, 'Order ID', 21, 'Y'),
      a(10, 'Owning Broker ID', 12),
      f(11, 'Order Type', 'u8'),
      f(12, 'Price', 'dec'),
      f(13, 'Order Quantity', 'dec'),
      f(14, 'TIF', 'u8'),
      f(15, 'Position Effect', 'u8'),
      a(16, 'Order Restrictions', 21),
      f(17, 'Max Price Levels', 'u8'),
      f(18, 'Order Capacity', 'u8'),
      v(19, 'Text', 50),
      v(20, 'Reason', 75),
      a(21, 'Execution ID', 21, 'Y'),
      f(22, 'Order Status', 'u8', 'Y'),
      f(23, 'Exec Type', 'byte', 'Y'),
      f(24, 'Cumulative Quantity', 'dec', 'Y'),
      f(25, 'Leaves Quantity', 'dec', 'Y'),
      f(26, 'Order Reject Code', 'u16'),
      f(27, 'Lot Type', 'u8'),
      f(28, 'Exec Restatement Reason', 'u16'),
      f(29, 'Cancel Reject Code', 'u16'),
      f(30, 'Match Type', 'u8'),
      a(31, 'Counterparty Broker ID', 12),
      f(32, 'Execution Quantity', 'dec'),
      f(33, 'Execution Price', 'dec'),
      a(34, 'Reference Execution ID', 21),
      f(35, 'Order Category', 'u8'),
      f(36, 'Amend Reject Code', 'u16'),
      // 37 unassigned (§8 item 16)
      a(38, 'Trade Match ID', 25),
      f(39, 'Exchange Trade Type', 'byte'),
      // 40, 41 unassigned (§8 item 16)
      f(42, 'Aggressor Indicator', 'u8'),
    ],
    smpFields: [a(43, 'SMP ID', 10)],
  },
  // §5.2: Submitting BCAN Field is Y for board lots but C for odd lots, so not checked here.
  {
    msgType: M.NewOrder,
    name: 'New Order',
    fields: [
      ...orderPrefix(),
      f(8, 'Order Type', 'u8', 'Y'),
      f(9, 'Price', 'dec'),
      f(10, 'Order Quantity', 'dec', 'Y'),
      f(11, 'TIF', 'u8'),
      f(12, 'Position Effect', 'u8'),
      a(13, 'Order Restrictions', 21),
      f(14, 'Max Price Levels', 'u8'),
      f(15, 'Order Capacity', 'u8'),
      v(16, 'Text', 50),
      a(17, 'Execution Instructions', 21),
      f(18, 'Disclosure Instructions', 'u16', 'Y'),
      f(19, 'Lot Type', 'u8'),
      // 20, 21 unassigned (§8 item 16)
      a(22, 'Submitting BCAN Field', 21),
    ],
    smpFields: [a(23, 'SMP ID', 10)],
  },
  // §5.3: Order Quantity Y per S1 (older texts: N, §8 item 7). Disclosure Instructions is marked Y
  // but "absent ⇒ original kept", so the decoder does not insist on it.
  {
    msgType: M.AmendRequest,
    name: 'Amend Request',
    fields: [
      ...orderPrefix(),
      a(8, 'Original Client Order ID', 21, 'Y'),
      a(9, 'Order ID', 21),
      f(10, 'Order Type', 'u8', 'Y'),
      f(11, 'Price', 'dec'),
      f(12, 'Order Quantity', 'dec', 'Y'),
      f(13, 'TIF', 'u8'),
      f(14, 'Position Effect', 'u8'),
      a(15, 'Order Restrictions', 21),
      f(16, 'Max Price Levels', 'u8'),
      f(17, 'Order Capacity', 'u8'),
      v(18, 'Text', 50),
      a(19, 'Execution Instructions', 21),
      f(20, 'Disclosure Instructions', 'u16'),
    ],
  },
  // §5.4
  {
    msgType: M.CancelRequest,
    name: 'Cancel Request',
    fields: [...orderPrefix(), a(8, 'Original Client Order ID', 21, 'Y'), a(9, 'Order ID', 21), v(10, 'Text', 50)],
  },
  // §5.5
  { msgType: M.MassCancelRequest, name: 'Mass Cancel Request', fields: massCancelPrefix() },
  // §5.8
  {
    msgType: M.OrderMassCancelReport,
    name: 'Order Mass Cancel Report',
    fields: [
      a(0, 'Client Order ID', 21),
      a(1, 'Submitting Broker ID', 12),
      a(2, 'Security ID', 21),
      f(3, 'Security ID Source', 'u8'),
      a(4, 'Security Exchange', 5),
      a(5, 'Broker Location ID', 11),
      a(6, 'Transaction Time', TRANSACTION_TIME, 'Y'),
      f(7, 'Mass Cancel Request Type', 'u8', 'Y'),
      a(8, 'Owning Broker ID', 12),
      a(9, 'Mass Action Report ID', 21, 'Y'),
      f(10, 'Mass Cancel Response', 'u8', 'Y'),
      f(11, 'Mass Cancel Reject Code', 'u16'),
      v(12, 'Reason', 75),
    ],
  },
  // §5.9
  {
    msgType: M.Quote,
    name: 'Quote',
    fields: [
      a(0, 'Submitting Broker ID', 12, 'Y'),
      a(1, 'Broker Location ID', 11),
      a(2, 'Security ID', 21, 'Y'),
      f(3, 'Security ID Source', 'u8', 'Y'),
      a(4, 'Security Exchange', 5),
      a(5, 'Quote Bid ID', 21, 'Y'),
      a(6, 'Quote Offer ID', 21, 'Y'),
      f(7, 'Quote Type', 'u8'),
      f(8, 'Side', 'u8'),
      f(9, 'Bid Size', 'dec', 'Y'),
      f(10, 'Offer Size', 'dec', 'Y'),
      f(11, 'Bid Price', 'dec', 'Y'),
      f(12, 'Offer Price', 'dec', 'Y'),
      a(13, 'Transaction Time', TRANSACTION_TIME, 'Y'),
      f(14, 'Position Effect', 'u8'),
      a(15, 'Order Restrictions', 21),
      v(16, 'Text', 50),
      a(17, 'Execution Instructions', 21),
      a(18, 'Submitting BCAN Field', 21, 'Y'),
    ],
  },
  {
    msgType: M.QuoteCancel,
    name: 'Quote Cancel',
    fields: [
      a(0, 'Submitting Broker ID', 12, 'Y'),
      a(1, 'Broker Location ID', 11),
      a(2, 'Security ID', 21),
      f(3, 'Security ID Source', 'u8'),
      a(4, 'Security Exchange', 5),
      a(5, 'Quote Message ID', 21, 'Y'),
      f(6, 'Quote Cancel Type', 'u8', 'Y'),
    ],
  },
  {
    msgType: M.QuoteStatusReport,
    name: 'Quote Status Report',
    fields: [
      a(0, 'Submitting Broker ID', 12, 'Y'),
      a(1, 'Broker Location ID', 11),
      a(2, 'Security ID', 21),
      f(3, 'Security ID Source', 'u8'),
      a(4, 'Security Exchange', 5),
      a(5, 'Quote Bid ID', 21),
      a(6, 'Quote Offer ID', 21),
      f(7, 'Quote Type', 'u8'),
      a(8, 'Transaction Time', TRANSACTION_TIME, 'Y'),
      a(9, 'Quote Message ID', 21),
      f(10, 'Quote Cancel Type', 'u8'),
      f(11, 'Quote Status', 'u8'),
      f(12, 'Quote Reject Code', 'u16'),
      v(13, 'Reason', 75),
    ],
  },
  // §5.10: union table; Y = bits required in every variant and both directions.
  {
    msgType: M.TradeCaptureReport,
    name: 'Trade Capture Report',
    fields: [
      a(0, 'Trade Report ID', 21),
      f(1, 'Trade Report Trans Type', 'u8'),
      f(2, 'Trade Report Type', 'u8', 'Y'),
      f(3, 'Trade Handling Instructions', 'u8'),
      a(4, 'Submitting Broker ID', 12, 'Y'),
      a(5, 'Counterparty Broker ID', 12),
      a(6, 'Broker Location ID', 11),
      a(7, 'Security ID', 21, 'Y'),
      f(8, 'Security ID Source', 'u8', 'Y'),
      a(9, 'Security Exchange', 5),
      f(10, 'Side', 'u8', 'Y'),
      a(11, 'Transaction Time', TRANSACTION_TIME, 'Y'),
      a(12, 'Trade ID', 25),
      f(13, 'Trade Type', 'u8'),
      f(14, 'Execution Quantity', 'dec', 'Y'),
      f(15, 'Execution Price', 'dec', 'Y'),
      f(16, 'Clearing Instruction', 'u8'),
      f(17, 'Position Effect', 'u8'),
      // 18 unassigned
      f(19, 'Order Capacity', 'u8'),
      f(20, 'Order Category', 'u8'),
      v(21, 'Text', 50),
      a(22, 'Execution Instructions', 21),
      f(23, 'Exec Type', 'byte'),
      f(24, 'Trade Report Status', 'u8'),
      f(25, 'Exchange Trade Type', 'byte'),
      // 26 unassigned
      a(27, 'Order ID', 21),
      // 28 unassigned
      a(29, 'Submitting BCAN Field', 21),
      // 30 unassigned
      a(31, 'Counterparty BCAN Field', 21),
    ],
  },
  {
    msgType: M.TradeCaptureReportAck,
    name: 'Trade Capture Report Ack',
    fields: [
      a(0, 'Trade Report ID', 21, 'Y'),
      f(1, 'Trade Report Trans Type', 'u8'),
      f(2, 'Trade Report Type', 'u8', 'Y'),
      f(3, 'Trade Handling Instructions', 'u8'),
      a(4, 'Submitting Broker ID', 12, 'Y'),
      a(5, 'Counterparty Broker ID', 12),
      a(6, 'Broker Location ID', 11),
      a(7, 'Security ID', 21, 'Y'),
      f(8, 'Security ID Source', 'u8', 'Y'),
      a(9, 'Security Exchange', 5),
      f(10, 'Side', 'u8', 'Y'),
      a(11, 'Transaction Time', TRANSACTION_TIME, 'Y'),
      a(12, 'Trade ID', 25),
      f(13, 'Trade Report Status', 'u8'),
      f(14, 'Trade Report Reject Code', 'u16'),
      v(15, 'Reason', 75),
    ],
  },
  // §5.6: Order ID and Owning Broker ID are mandatory in OBO cancels.
  {
    msgType: M.OboCancelRequest,
    name: 'OBO Cancel Request',
    fields: [...orderPrefix(), a(8, 'Original Client Order ID', 21), a(9, 'Order ID', 21, 'Y'), a(10, 'Owning Broker ID', 12, 'Y'), v(11, 'Text', 50)],
  },
  { msgType: M.OboMassCancelRequest, name: 'OBO Mass Cancel Request', fields: [...massCancelPrefix(), a(10, 'Owning Broker ID', 12, 'Y')] },
  // §3.9
  {
    msgType: M.ThrottleEntitlementRequest,
    name: 'Throttle Entitlement Request',
    fields: [a(0, 'User Request ID', 20, 'Y'), f(1, 'User Request Type', 'u8', 'Y'), a(2, 'User Name', 50, 'Y')],
  },
  {
    msgType: M.ThrottleEntitlementResponse,
    name: 'Throttle Entitlement Response',
    fields: [
      a(0, 'User Request ID', 20, 'Y'),
      a(1, 'User Name', 50, 'Y'),
      g(2, 'No Throttles', 'throttles', [
        f(0, 'Throttle Action', 'u8'),
        f(1, 'Throttle Type', 'u8'),
        f(2, 'Throttle No Messages', 'u32'), // UInt32 per S1 (§8 item 4)
        f(3, 'Throttle Time Interval', 'u16'),
        f(4, 'Throttle Time Unit', 'u8'),
      ]),
    ],
  },
  // §3.10
  { msgType: M.PartyEntitlementsRequest, name: 'Party Entitlements Request', fields: [a(0, 'Entitlement Request ID', 21, 'Y')] },
  {
    msgType: M.PartyEntitlementsReport,
    name: 'Party Entitlements Report',
    fields: [
      a(0, 'Entitlement Report ID', 21, 'Y'),
      a(1, 'Entitlement Request ID', 21),
      f(2, 'Request Result', 'u16'),
      f(3, 'Total No Party List', 'u16'),
      f(4, 'Last Fragment', 'u8'),
      a(5, 'Broker ID', 12),
      g(6, 'No Entitlements', 'entitlements', [
        f(0, 'Entitlement Type', 'u8'),
        f(1, 'Entitlement Indicator', 'u8'),
        g(2, 'No Entitlement Attributes', 'entitlementAttributes', [
          f(0, 'Entitlement Attribute Type', 'u16'),
          f(1, 'Entitlement Attribute Data Type', 'u8'),
          a(2, 'Entitlement Attribute Value', 21),
        ]),
        a(3, 'Entitlement ID', 21, 'Y'),
        g(4, 'No Instrument Scopes', 'instrumentScopes', [
          f(0, 'Instrument Scope Operator', 'u8'),
          a(1, 'Security ID', 21),
          f(2, 'Security ID Source', 'u8'),
          a(3, 'Security Exchange', 5),
        ]),
      ]),
    ],
  },
];

/** Spec by message type code (undefined for unassigned codes). */
export const MESSAGE_SPEC_BY_TYPE: readonly (MessageSpec | undefined)[] = (() => {
  const t: (MessageSpec | undefined)[] = new Array(256).fill(undefined);
  for (const s of MESSAGE_SPECS) t[s.msgType] = s;
  return t;
})();

/** The fields a message has under a profile (SMP fields only when enabled). */
export function fieldsOf(spec: MessageSpec, smp: boolean): FieldSpec[] {
  return smp && spec.smpFields ? [...spec.fields, ...spec.smpFields].sort((x, y) => x.bit - y.bit) : spec.fields;
}

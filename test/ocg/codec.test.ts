import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeFrame,
  decodeMessage,
  encodeMessage,
  encodeMessageInto,
  encodedLength,
  fieldNameOf,
  MESSAGE_SPECS,
  OcgFrameReader,
  OcgMsgType,
  OTP_C_PROFILE,
  OTP_CSC_PROFILE,
  peekHeader,
  restampFrame,
  toPrice,
  fromPrice,
  formatDecimal,
  formatTransactionTime,
  parseTransactionTime,
  transactionTimeFromMillis,
} from '../../src/ocg/index.ts';
import type { FieldSpec, OcgDecodeResult, OcgMessage, OcgProfile } from '../../src/ocg/index.ts';
import { SPEC_VECTORS, hexToBytes } from '../vectors/ocg/spec-vectors.ts';
import { HAND_VECTORS } from '../vectors/ocg/hand-vectors.ts';
import { crc32cReference, u32 } from '../vectors/ocg/bytes.ts';
import { SeededRandom } from '../../src/omd/index.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function ok(r: OcgDecodeResult | null) {
  assert.ok(r !== null, 'expected a result');
  if (!r.ok) assert.fail(`decode failed: ${r.kind}: ${r.detail}`);
  return r;
}

function errorOf(r: OcgDecodeResult | null) {
  assert.ok(r !== null, 'expected a result');
  if (r.ok) assert.fail('expected a decode error');
  return r;
}

/** Recompute the trailer after a test edits a frame (so the edit, not the CRC, is what fails). */
function fixCrc(b: Uint8Array): Uint8Array {
  b.set(u32(crc32cReference(b, 0, b.length - 4)), b.length - 4);
  return b;
}

describe('spec note §6 vectors', () => {
  for (const v of SPEC_VECTORS) {
    it(`${v.section} ${v.name}: CRC, decode, re-encode`, () => {
      const bytes = hexToBytes(v.hex);
      assert.equal(bytes.length, bytes[1]! | (bytes[2]! << 8), 'Length field equals the bytes');
      assert.equal(crc32cReference(bytes, 0, bytes.length - 4), v.crc, 'CRC the note states');
      const d = ok(decodeMessage(bytes));
      assert.deepEqual(d.header, v.header);
      assert.deepEqual(d.message, v.message);
      assert.equal(d.length, bytes.length);
      assert.equal(hex(encodeMessage(v.header, v.message)), hex(bytes));
    });
  }
});

describe('hand-derived vectors', () => {
  for (const v of HAND_VECTORS) {
    it(`${v.name}: decode and re-encode`, () => {
      const d = ok(decodeMessage(v.bytes));
      assert.deepEqual(d.header, v.header);
      assert.deepEqual(d.message, v.message);
      assert.equal(hex(encodeMessage(v.header, v.message)), hex(v.bytes));
    });
  }
});

describe('presence map and data types', () => {
  it('writes every present field, required ones included, MSB-first (bit 0 = 0x80 of byte 22)', () => {
    const b = encodeMessage({ seqNum: 1, compId: 'C1' }, { msgType: OcgMsgType.TestRequest, testRequestId: 0x1234 });
    assert.equal(b[22], 0x80);
    assert.deepEqual([...b.subarray(54, 56)], [0x34, 0x12]);
    assert.equal(b.length, 60);
  });

  it('encodes an empty Alphanumeric Variable as 01 00 00', () => {
    const b = encodeMessage({ seqNum: 1, compId: 'C1' }, { msgType: OcgMsgType.Logout, logoutText: '' });
    assert.deepEqual([...b.subarray(54, 57)], [1, 0, 0]);
    assert.equal(ok(decodeMessage(b)).message.msgType, OcgMsgType.Logout);
    assert.deepEqual(ok(decodeMessage(b)).message, { msgType: 6, logoutText: '' });
  });

  it('reads an Alnum Fixed without NUL as its first n−1 bytes and ignores bytes after the first NUL', () => {
    const v = HAND_VECTORS.find((x) => x.name.startsWith('Resend'))!;
    const b = encodeMessage({ seqNum: 1, compId: 'ABCDEFGHIJK' }, { msgType: OcgMsgType.Heartbeat });
    b[21] = 0x4c; // fill the Comp ID's NUL slot: 12 characters, no terminator
    fixCrc(b);
    assert.equal(ok(decodeMessage(b)).header.compId, 'ABCDEFGHIJK');
    const c = v.bytes.slice();
    c[13] = 0;
    c[15] = 0x5a; // "CO9" NUL ... garbage after the NUL
    fixCrc(c);
    assert.equal(ok(decodeMessage(c)).header.compId, 'CO9');
  });

  it('decimals are signed Int64 × 10^8, including values beyond 2^53', () => {
    const big = 9_999_999_900_000_000n; // 99 999 999 shares
    const msg: OcgMessage = {
      msgType: OcgMsgType.ExecutionReport,
      clientOrderId: '1',
      submittingBrokerId: '1',
      securityId: '1',
      securityIdSource: 8,
      transactionTime: 't',
      side: 1,
      orderId: '1',
      executionId: '1',
      orderStatus: 0,
      execType: '0',
      cumulativeQuantity: -1n,
      leavesQuantity: big,
      price: -(1n << 63n),
      orderQuantity: (1n << 63n) - 1n,
    };
    const d = ok(decodeMessage(encodeMessage({ seqNum: 3, compId: 'X' }, msg)));
    assert.deepEqual(d.message, msg);
  });

  it('decimals are right for a frame at an odd place in a view at an odd byteOffset, in a Uint8Array and in a Buffer', () => {
    const msg: OcgMessage = {
      msgType: OcgMsgType.ExecutionReport,
      clientOrderId: '7',
      submittingBrokerId: '1',
      securityId: '700',
      securityIdSource: 8,
      transactionTime: 't',
      side: 2,
      orderId: '9',
      executionId: 'E9',
      orderStatus: 0,
      execType: '0',
      cumulativeQuantity: 0n,
      leavesQuantity: 123_456_789n,
      price: -(1n << 62n) + 7n,
      orderQuantity: 40_000_000_000n,
    };
    const frame = encodeMessage({ seqNum: 4, compId: 'X' }, msg);
    for (const [viewAt, frameAt] of [
      [3, 5],
      [1, 0],
      [0, 7],
    ] as const) {
      const backing = new Uint8Array(viewAt + frameAt + frame.length + 9).fill(0xa5);
      const view = backing.subarray(viewAt);
      view.set(frame, frameAt);
      assert.deepEqual(ok(decodeFrame(view, frameAt, frame.length)).message, msg, `view at ${viewAt}, frame at ${frameAt}`);
      const buf = Buffer.from(view.buffer, view.byteOffset, view.byteLength); // what a socket hands over
      assert.deepEqual(ok(decodeFrame(buf, frameAt, frame.length)).message, msg, `Buffer: view at ${viewAt}, frame at ${frameAt}`);
    }
  });

  it('broker, stock and market texts end at the first NUL, or after n − 1 bytes, whatever follows', () => {
    const rnd = prng(0x5eed);
    const chars = (n: number) => Array.from({ length: n }, () => String.fromCharCode(0x21 + Math.floor(rnd() * 0x5e))).join(''); // 0x21..0x7e: ASCII (§2.5)
    const base: OcgMessage = {
      msgType: OcgMsgType.NewOrder,
      clientOrderId: 'C1',
      submittingBrokerId: '1',
      securityId: '700',
      securityIdSource: 8,
      securityExchange: 'XHKG',
      transactionTime: '20261128-02:10:45.123456',
      side: 1,
      orderType: 2,
      price: 100_000_000n,
      orderQuantity: 100_000_000n,
      disclosureInstructions: 1,
    };
    for (let i = 0; i < 400; i++) {
      const broker = chars(Math.floor(rnd() * 12)); // 0..11 characters in Fixed(12)
      const security = chars(1 + Math.floor(rnd() * 20));
      const market = chars(Math.floor(rnd() * 5)); // 0..4 in Fixed(5)
      const f = encodeMessage({ seqNum: i + 1, compId: 'X' }, { ...base, submittingBrokerId: broker, securityId: security, securityExchange: market });
      // Body: Client Order ID (21) at 54, Submitting Broker ID (12) at 75, Security ID (21) at 87,
      // Security ID Source (1) at 108, Security Exchange (5) at 109. Fill after each NUL with junk
      // (bytes ≥ 0x80 and NULs included); sometimes no NUL at all in the market (5 bytes, 4 read).
      const junk = (from: number, to: number) => {
        for (let k = from; k < to; k++) f[k] = Math.floor(rnd() * 256);
      };
      junk(75 + broker.length + 1, 87);
      junk(87 + security.length + 1, 108);
      let expectMarket = market;
      if (rnd() < 0.2) {
        const full = chars(5);
        for (let k = 0; k < 5; k++) f[109 + k] = full.charCodeAt(k);
        expectMarket = full.slice(0, 4);
      } else junk(109 + market.length + 1, 114);
      fixCrc(f);
      for (let k = 0; k < 2; k++) {
        const m = (k === 0 ? ok(decodeMessage(f)) : readOne(f)).message as { submittingBrokerId: string; securityId: string; securityExchange: string };
        assert.deepEqual([m.submittingBrokerId, m.securityId, m.securityExchange], [broker, security, expectMarket], `case ${i}`);
      }
    }
  });

  it('Client Order IDs and Transaction Times of every length, with junk after the NUL', () => {
    const rnd = prng(0x71e5);
    const chars = (n: number) => Array.from({ length: n }, () => String.fromCharCode(0x21 + Math.floor(rnd() * 0x5e))).join('');
    const heads = [chars(12), chars(12), chars(12), '20261128-02:', '20261128-03:'];
    const base: OcgMessage = {
      msgType: OcgMsgType.NewOrder,
      clientOrderId: 'C1',
      submittingBrokerId: '1',
      securityId: '700',
      securityIdSource: 8,
      securityExchange: 'XHKG',
      transactionTime: 't',
      side: 1,
      orderType: 2,
      price: 100_000_000n,
      orderQuantity: 100_000_000n,
      disclosureInstructions: 1,
    };
    for (let i = 0; i < 600; i++) {
      const id = chars(Math.floor(rnd() * 21)); // 0..20 in Fixed(21)
      const tl = Math.floor(rnd() * 25); // 0..24 in Fixed(25)
      const time = tl > 12 && rnd() < 0.7 ? heads[Math.floor(rnd() * heads.length)]! + chars(tl - 12) : chars(tl);
      const f = encodeMessage({ seqNum: i + 1, compId: 'X' }, { ...base, clientOrderId: id, transactionTime: time });
      // Client Order ID (21) at 54, Transaction Time (25) at 114 (no Broker Location ID).
      const junk = (from: number, to: number) => {
        for (let k = from; k < to; k++) f[k] = Math.floor(rnd() * 256);
      };
      junk(54 + id.length + 1, 75);
      let expectTime = time;
      if (rnd() < 0.15) {
        const full = (rnd() < 0.5 ? heads[3]! : chars(12)) + chars(13);
        for (let k = 0; k < 25; k++) f[114 + k] = full.charCodeAt(k);
        expectTime = full.slice(0, 24); // no NUL: the first n − 1 characters (§2.5)
      } else junk(114 + time.length + 1, 139);
      fixCrc(f);
      for (let k = 0; k < 2; k++) {
        const m = (k === 0 ? ok(decodeMessage(f)) : readOne(f)).message as { clientOrderId: string; transactionTime: string };
        assert.deepEqual([m.clientOrderId, m.transactionTime], [id, expectTime], `case ${i}`);
      }
    }
  });

  it('header flags PossDup and PossResend round-trip; restampFrame re-stamps with a fresh CRC', () => {
    const b = encodeMessage({ seqNum: 7, compId: 'CO1' }, { msgType: OcgMsgType.Heartbeat });
    const r = restampFrame(b, { possDup: true });
    assert.notEqual(hex(r), hex(b));
    assert.deepEqual(ok(decodeMessage(r)).header, { msgType: 0, seqNum: 7, possDup: true, possResend: false, compId: 'CO1' });
    const s = restampFrame(b, { seqNum: 70000, possResend: true });
    assert.deepEqual(peekHeader(s), { msgType: 0, seqNum: 70000, possDup: false, possResend: true, compId: 'CO1' });
    assert.equal(ok(decodeMessage(s)).header.seqNum, 70000);
    assert.equal(b[8], 0, 'input frame untouched');
  });

  it('encodeMessageInto writes at an offset and returns the length', () => {
    const msg: OcgMessage = { msgType: OcgMsgType.ResendRequest, startSequence: 5, endSequence: 9 };
    const out = new Uint8Array(200);
    const n = encodeMessageInto(out, 17, { seqNum: 2, compId: 'AB' }, msg);
    assert.equal(n, encodedLength(msg));
    assert.deepEqual(ok(decodeMessage(out.subarray(17, 17 + n))).message, msg);
  });

  it('the encoder refuses programmer errors with RangeError', () => {
    const h = { seqNum: 1, compId: 'C' };
    assert.throws(() => encodeMessage({ seqNum: 1, compId: 'TWELVE_CHARS' }, { msgType: 0 }), RangeError);
    assert.throws(() => encodeMessage(h, { msgType: OcgMsgType.TestRequest }), /required field Test Request ID/);
    assert.throws(() => encodeMessage(h, { msgType: OcgMsgType.TestRequest, testRequestId: 70000 }), RangeError);
    assert.throws(() => encodeMessage(h, { msgType: OcgMsgType.Logout, logoutText: 'x'.repeat(75) }), RangeError);
    assert.throws(() => encodeMessage(h, { msgType: 19 } as unknown as OcgMessage), RangeError);
    // skipRequiredCheck lets tests build a message the gateway must reject
    const b = encodeMessage(h, { msgType: OcgMsgType.TestRequest }, { skipRequiredCheck: true });
    assert.equal(errorOf(decodeMessage(b)).kind, 'requiredFieldMissing');
  });

  it('names fields by presence bit for Reject texts', () => {
    assert.equal(fieldNameOf(OcgMsgType.NewOrder, 9), 'Price');
    assert.equal(fieldNameOf(OcgMsgType.AmendRequest, 11), 'Price');
    assert.equal(fieldNameOf(OcgMsgType.ExecutionReport, 12), 'Price');
    assert.equal(fieldNameOf(OcgMsgType.NewOrder, 23), undefined);
    assert.equal(fieldNameOf(OcgMsgType.NewOrder, 23, { profile: { ...OTP_C_PROFILE, smp: true } }), 'SMP ID');
  });
});

describe('ASCII on the wire (§2.5): the encoder never writes a non-ASCII byte', () => {
  const order: OcgMessage = {
    msgType: OcgMsgType.NewOrder,
    clientOrderId: '1',
    submittingBrokerId: '1001',
    securityId: '700',
    securityIdSource: 8,
    securityExchange: 'XHKG',
    transactionTime: '20261128-02:10:45.123456',
    side: 1,
    orderType: 2,
    price: 100_000_000n,
    orderQuantity: 100_000_000n,
    disclosureInstructions: 1,
  };
  const cases: [string, OcgMessage, string][] = [
    ['Alnum Fixed (Client Order ID)', { ...order, clientOrderId: '1\u00e9' }, 'Client Order ID'],
    ['Alnum Variable (Text)', { ...order, text: 'caf\u00e9' }, 'Text'],
    [
      'Alnum Variable (Reason of a Reject), a section sign',
      { msgType: OcgMsgType.Reject, messageRejectCode: 3, reason: 'bit 31 (OCG-C \u00a72.3)', referenceSequenceNumber: 2 },
      'Reason',
    ],
    [
      'Byte (Exec Type)',
      {
        msgType: OcgMsgType.ExecutionReport,
        clientOrderId: '1',
        submittingBrokerId: '1',
        securityId: '700',
        securityIdSource: 8,
        transactionTime: 't',
        side: 1,
        orderId: '1',
        executionId: '1',
        orderStatus: 0,
        execType: '\u00e9',
        cumulativeQuantity: 0n,
        leavesQuantity: 0n,
      },
      'Exec Type',
    ],
    [
      'Alnum Fixed in a repeating block (table walk)',
      {
        msgType: OcgMsgType.ThrottleEntitlementResponse,
        userRequestId: 'R\u00fc',
        userName: 'X',
        throttles: [],
      },
      'User Request ID',
    ],
  ];
  for (const [what, m, field] of cases) {
    it(`refuses ${what}`, () => {
      assert.throws(
        () => encodeMessage({ seqNum: 1, compId: 'X' }, m),
        (e: Error) => e instanceof RangeError && e.message.includes(field),
      );
    });
  }

  it('refuses a non-ASCII Comp ID in the header', () => {
    assert.throws(() => encodeMessage({ seqNum: 1, compId: 'CO\u00a7' }, { msgType: OcgMsgType.Heartbeat }), RangeError);
    assert.throws(
      () =>
        encodeMessage({ seqNum: 1, compId: 'CO\u00a7' }, { msgType: OcgMsgType.ThrottleEntitlementResponse, userRequestId: 'R', userName: 'X', throttles: [] }),
      RangeError,
    );
  });
});

describe('bad input never throws and gets a typed error', () => {
  const good = () => HAND_VECTORS[0]!.bytes.slice();

  it('wrong start byte → badStartByte, fatal', () => {
    const b = good();
    b[0] = 0x03;
    const e = errorOf(decodeMessage(b));
    assert.equal(e.kind, 'badStartByte');
    assert.equal(e.fatal, true);
  });

  it('Length below 58 → badLength; Length disagreeing with the buffer → badLength / truncated', () => {
    const b = good();
    b[1] = 57;
    b[2] = 0;
    assert.equal(errorOf(decodeMessage(b)).kind, 'badLength');
    const longer = new Uint8Array(good().length + 1);
    longer.set(good());
    assert.equal(errorOf(decodeMessage(longer)).kind, 'badLength');
    assert.equal(errorOf(decodeMessage(good().subarray(0, 100))).kind, 'truncated');
    assert.equal(errorOf(decodeMessage(good().subarray(0, 2))).kind, 'truncated');
    assert.equal(errorOf(decodeMessage(new Uint8Array(0))).kind, 'truncated');
  });

  it('Length agreeing with the buffer but not with the fields the map names → bodyLengthMismatch, fatal', () => {
    // one extra byte before the CRC
    const g = good();
    const extra = new Uint8Array(g.length + 1);
    extra.set(g.subarray(0, g.length - 4));
    extra[1] = extra.length & 0xff;
    extra[2] = extra.length >> 8;
    const e1 = errorOf(decodeMessage(fixCrc(extra)));
    assert.equal(e1.kind, 'bodyLengthMismatch');
    assert.equal(e1.fatal, true);
    // body cut short: the last field (Lot Type) runs past the end
    const short = new Uint8Array(g.length - 1);
    short.set(g.subarray(0, g.length - 5));
    short[1] = short.length & 0xff;
    short[2] = short.length >> 8;
    const e2 = errorOf(decodeMessage(fixCrc(short)));
    assert.equal(e2.kind, 'bodyLengthMismatch');
    assert.equal(e2.fieldName, 'Lot Type');
    // a variable-length field whose L runs past the body
    const t = HAND_VECTORS.find((x) => x.name.startsWith('Logout'))!.bytes.slice();
    t[54] = 200;
    assert.equal(errorOf(decodeMessage(fixCrc(t))).kind, 'bodyLengthMismatch');
  });

  it('bad checksum → badChecksum, fatal (drop without Logout, §4.8)', () => {
    const b = good();
    b[60] ^= 0x01;
    const e = errorOf(decodeMessage(b));
    assert.equal(e.kind, 'badChecksum');
    assert.equal(e.fatal, true);
    assert.equal(e.header, undefined, 'nothing from a corrupt frame is trusted');
    const c = good();
    c[c.length - 1] ^= 0x80;
    assert.equal(errorOf(decodeMessage(c)).kind, 'badChecksum');
  });

  it('presence bit naming no field of the message → unknownPresenceBit with Reject code 3', () => {
    const b = good();
    b[22 + 2] |= 0x08; // New Order bit 20: unassigned (§5.2)
    const e = errorOf(decodeMessage(fixCrc(b)));
    assert.equal(e.kind, 'unknownPresenceBit');
    assert.equal(e.fatal, false);
    assert.equal(e.bit, 20);
    assert.equal(e.rejectCode, 3);
    assert.equal(e.header?.seqNum, 5);
    const c = good();
    c[22 + 31] = 0x01; // bit 255
    assert.equal(errorOf(decodeMessage(fixCrc(c))).bit, 255);
  });

  it('SMP ID (New Order bit 23) is unknown unless the profile enables v3.2 SMP', () => {
    const smp: OcgProfile = { ...OTP_C_PROFILE, smp: true };
    const msg: OcgMessage = { ...(HAND_VECTORS[0]!.message as OcgMessage & { msgType: 11 }), smpId: 'SMP1' };
    const b = encodeMessage({ seqNum: 1, compId: 'C' }, msg, { profile: smp });
    assert.equal(errorOf(decodeMessage(b)).bit, 23);
    assert.deepEqual(ok(decodeMessage(b, { profile: smp })).message, msg);
    assert.throws(() => encodeMessage({ seqNum: 1, compId: 'C' }, msg)); // no SMP in the default profile: smpId is not a field
  });

  it('unknown bit inside a repeating block → unknownPresenceBit naming the block', () => {
    const v = HAND_VECTORS.find((x) => x.name.startsWith('Throttle'))!;
    const b = v.bytes.slice();
    b[54 + 20 + 50 + 2] |= 0x04; // nested bit 5: not a throttle field
    const e = errorOf(decodeMessage(fixCrc(b)));
    assert.equal(e.kind, 'unknownPresenceBit');
    assert.equal(e.fieldName, 'No Throttles');
    assert.equal(e.bit, 2, "the block's bit in the message map");
    assert.equal(e.fatal, false);
  });

  it("inside nested blocks: the innermost block is named, the outermost block's bit given; a count past the body is fatal", () => {
    const h = { seqNum: 3, compId: 'C' };
    const report = (entitlements: unknown[]) => ({ msgType: OcgMsgType.PartyEntitlementsReport, entitlementReportId: 'R1', entitlements }) as OcgMessage;
    const missing = errorOf(decodeMessage(encodeMessage(h, report([{ entitlementId: 'E1' }, { entitlementType: 1 }]), { skipRequiredCheck: true })));
    assert.deepEqual(
      [missing.kind, missing.fieldName, missing.bit, missing.rejectCode, missing.fatal],
      ['requiredFieldMissing', 'No Entitlements', 6, 1, false],
    );
    const nested = encodeMessage(h, report([{ entitlementId: 'E1', entitlementAttributes: [{ entitlementAttributeType: 7 }] }]));
    // Body: Entitlement Report ID (21), count (2), entitlement map (2), attribute count (2), attribute map (2).
    nested[54 + 21 + 2 + 2 + 2 + 1] |= 0x01; // attribute bit 15: not a field
    const unknown = errorOf(decodeMessage(fixCrc(nested)));
    assert.deepEqual([unknown.kind, unknown.fieldName, unknown.bit], ['unknownPresenceBit', 'No Entitlement Attributes', 6]);
    const throttles = encodeMessage(h, {
      msgType: OcgMsgType.ThrottleEntitlementResponse,
      userRequestId: 'a',
      userName: 'b',
      throttles: [{ throttleType: 1 }],
    });
    throttles[54 + 20 + 50] = 3; // three repetitions announced, one there
    const overrun = errorOf(decodeMessage(fixCrc(throttles)));
    assert.deepEqual([overrun.kind, overrun.fieldName, overrun.fatal], ['bodyLengthMismatch', 'No Throttles', true]);
  });

  it('text bytes outside ASCII decode as Latin-1, one character a byte', () => {
    const f = encodeMessage({ seqNum: 1, compId: 'C' }, { msgType: OcgMsgType.PartyEntitlementsRequest, entitlementRequestId: 'AB' });
    f[55] = 0xe9;
    f[56] = 0x80; // 'A', 0xE9, 0x80, then the NUL
    fixCrc(f);
    assert.equal((ok(decodeMessage(f)).message as { entitlementRequestId?: string }).entitlementRequestId, 'A\u00e9\u0080');
  });

  it('required field absent → requiredFieldMissing with Reject code 1 and the dictionary name', () => {
    const msg = { ...(HAND_VECTORS[0]!.message as OcgMessage & { msgType: 11 }) };
    delete msg.orderQuantity;
    const b = encodeMessage({ seqNum: 9, compId: 'C' }, msg, { skipRequiredCheck: true });
    const e = errorOf(decodeMessage(b));
    assert.equal(e.kind, 'requiredFieldMissing');
    assert.equal(e.fieldName, 'Order Quantity');
    assert.equal(e.rejectCode, 1);
    assert.equal(e.fatal, false);
  });

  it('unknown message type → unknownMessageType (Reject 11), not fatal; CSC profile refuses Amend', () => {
    const b = encodeMessage({ seqNum: 1, compId: 'C' }, { msgType: OcgMsgType.Heartbeat });
    b[3] = 19;
    const e = errorOf(decodeMessage(fixCrc(b)));
    assert.equal(e.kind, 'unknownMessageType');
    assert.equal(e.rejectCode, 11);
    assert.equal(e.fatal, false);
    const amend = HAND_VECTORS.find((x) => x.name.startsWith('Amend'))!.bytes;
    const e2 = errorOf(decodeMessage(amend, { profile: OTP_CSC_PROFILE }));
    assert.equal(e2.kind, 'messageTypeNotAllowed');
    assert.equal(e2.rejectCode, 11);
    ok(decodeMessage(amend, { profile: OTP_C_PROFILE }));
  });

  it('decodeFrame with a range outside the buffer → truncated, no throw', () => {
    const b = good();
    assert.equal(errorOf(decodeFrame(b, 10, b.length)).kind, 'truncated');
    assert.equal(errorOf(decodeFrame(b, -1, 5)).kind, 'truncated');
    ok(decodeFrame(b, 0, b.length));
  });

  it('random garbage and random mutations of valid frames never throw', () => {
    const rnd = prng(99);
    for (let i = 0; i < 3000; i++) {
      const len = Math.floor(rnd() * 120);
      const junk = Uint8Array.from({ length: len }, () => Math.floor(rnd() * 256));
      if (len > 0 && rnd() < 0.5) junk[0] = 2;
      assert.doesNotThrow(() => decodeMessage(junk));
    }
    for (const v of [...HAND_VECTORS, ...SPEC_VECTORS.map((s) => ({ bytes: hexToBytes(s.hex) }))]) {
      for (let i = 0; i < 200; i++) {
        const b = v.bytes.slice();
        const flips = 1 + Math.floor(rnd() * 3);
        for (let k = 0; k < flips; k++) b[3 + Math.floor(rnd() * (b.length - 7))] = Math.floor(rnd() * 256);
        b[1] = b.length & 0xff;
        b[2] = b.length >> 8;
        fixCrc(b); // get past the checksum so the body parser meets the damage
        const r = decodeMessage(b);
        assert.ok(r.ok === true || typeof r.detail === 'string');
      }
    }
  });
});

describe('OcgFrameReader', () => {
  const frames = [...HAND_VECTORS.map((v) => v.bytes), ...SPEC_VECTORS.map((v) => hexToBytes(v.hex))];
  const stream = concat(frames);
  const expected = frames.map((f) => ok(decodeMessage(f)));

  function drain(reader: OcgFrameReader, into: OcgDecodeResult[]) {
    for (let r = reader.next(); r !== null; r = reader.next()) into.push(r);
  }

  it('decodes many messages from one chunk', () => {
    const reader = new OcgFrameReader();
    const got: OcgDecodeResult[] = [];
    reader.push(stream);
    drain(reader, got);
    assert.deepEqual(got, expected);
    assert.equal(reader.end(), null);
    assert.equal(reader.buffered, 0);
  });

  it('reassembles a stream split into two chunks at every byte boundary', () => {
    const two = concat(frames.slice(0, 3)); // keep it quick: 3 frames, every split point
    const want = expected.slice(0, 3);
    for (let cut = 0; cut <= two.length; cut++) {
      const reader = new OcgFrameReader();
      const got: OcgDecodeResult[] = [];
      reader.push(two.subarray(0, cut));
      drain(reader, got);
      reader.push(two.subarray(cut));
      drain(reader, got);
      assert.deepEqual(got, want, `split at ${cut}`);
      assert.equal(reader.end(), null);
    }
  });

  it('reassembles the whole stream fed one byte at a time and in random chunk sizes', () => {
    const reader = new OcgFrameReader();
    const got: OcgDecodeResult[] = [];
    for (let i = 0; i < stream.length; i++) {
      reader.push(stream.subarray(i, i + 1));
      drain(reader, got);
    }
    assert.deepEqual(got, expected);
    const rnd = prng(7);
    for (let round = 0; round < 20; round++) {
      const r2 = new OcgFrameReader();
      const got2: OcgDecodeResult[] = [];
      for (let i = 0; i < stream.length;) {
        const n = 1 + Math.floor(rnd() * 300);
        r2.push(stream.slice(i, i + n));
        drain(r2, got2);
        i += n;
      }
      assert.deepEqual(got2, expected);
    }
  });

  it('decodes from one reused read buffer, overwritten (and poisoned) between reads', () => {
    const shared = new Uint8Array(512);
    const rnd = prng(11);
    for (let round = 0; round < 20; round++) {
      const reader = new OcgFrameReader();
      const got: OcgDecodeResult[] = [];
      for (let i = 0; i < stream.length;) {
        const n = Math.min(1 + Math.floor(rnd() * shared.length), stream.length - i);
        shared.set(stream.subarray(i, i + n));
        reader.push(shared.subarray(0, n));
        drain(reader, got);
        shared.fill(0xee); // what the next read leaves behind: a partial frame must have been copied
        i += n;
      }
      assert.deepEqual(got, expected, `round ${round}`);
      assert.equal(reader.end(), null);
    }
  });

  it('push before draining keeps the unread bytes in order', () => {
    const reader = new OcgFrameReader();
    reader.push(stream.subarray(0, 500));
    reader.push(stream.subarray(500));
    const got: OcgDecodeResult[] = [];
    drain(reader, got);
    assert.deepEqual(got, expected);
  });

  it('a bad start byte between frames stops the reader (fatal), then yields null', () => {
    const bad = concat([frames[0]!, Uint8Array.of(0x05), frames[1]!]);
    const reader = new OcgFrameReader();
    reader.push(bad);
    ok(reader.next());
    const e = errorOf(reader.next());
    assert.equal(e.kind, 'badStartByte');
    assert.equal(reader.next(), null);
    assert.equal(reader.failure?.kind, 'badStartByte');
    reader.push(frames[2]!);
    assert.equal(reader.next(), null, 'nothing after a fatal error');
  });

  it('a Length below 58 split across chunks is caught once the Length is known', () => {
    const reader = new OcgFrameReader();
    reader.push(Uint8Array.of(2, 10));
    assert.equal(reader.next(), null);
    reader.push(Uint8Array.of(0, 0, 0));
    assert.equal(errorOf(reader.next()).kind, 'badLength');
  });

  it('a bad checksum is fatal; an unknown message type is not (the stream goes on)', () => {
    const corrupt = frames[1]!.slice();
    corrupt[70] ^= 0xff;
    const r1 = new OcgFrameReader();
    r1.push(concat([frames[0]!, corrupt, frames[2]!]));
    ok(r1.next());
    const e = errorOf(r1.next());
    assert.equal(e.kind, 'badChecksum');
    // the checksum is checked by decode, the frame boundary is still known: but §4.8 says drop.
    assert.equal(e.fatal, true);
    assert.equal(r1.next(), null, 'the reader stops after a fatal decode error');
    assert.equal(r1.failure?.kind, 'badChecksum');
    const unknown = encodeMessage({ seqNum: 1, compId: 'C' }, { msgType: OcgMsgType.Heartbeat });
    unknown[3] = 29;
    fixCrc(unknown);
    const r2 = new OcgFrameReader();
    r2.push(concat([unknown, frames[0]!]));
    assert.equal(errorOf(r2.next()).kind, 'unknownMessageType');
    assert.deepEqual(r2.next(), expected[0]);
  });

  it('two readers interleaving chunks both decode correctly', () => {
    const r1 = new OcgFrameReader(),
      r2 = new OcgFrameReader();
    const got1: OcgDecodeResult[] = [],
      got2: OcgDecodeResult[] = [];
    const reversed = concat([...frames].reverse());
    for (let i = 0; i < stream.length; i += 250) {
      r1.push(stream.subarray(i, i + 250));
      r2.push(reversed.subarray(i, i + 250));
      drain(r1, got1);
      drain(r2, got2);
    }
    assert.deepEqual(got1, expected);
    assert.deepEqual(got2, [...expected].reverse());
  });

  it('two readers interleaving nextFrame() + decodeFrame (as sessions do) both decode correctly', () => {
    const r1 = new OcgFrameReader(),
      r2 = new OcgFrameReader();
    const got1: OcgDecodeResult[] = [],
      got2: OcgDecodeResult[] = [];
    const reversed = concat([...frames].reverse());
    for (let i = 0; i < stream.length; i += 300) {
      r1.push(stream.subarray(i, i + 300));
      r2.push(reversed.subarray(i, i + 300));
      for (;;) {
        const f1 = r1.nextFrame();
        const f2 = r2.nextFrame();
        if (f1 === null && f2 === null) break;
        if (f1 instanceof Uint8Array) got1.push(decodeFrame(f1, 0, f1.length));
        if (f2 instanceof Uint8Array) got2.push(decodeFrame(f2, 0, f2.length));
      }
    }
    assert.deepEqual(got1, expected);
    assert.deepEqual(got2, [...expected].reverse());
  });

  it("nextFrameAt() + decodeFrame at the coordinates (the sessions' path): same results in any chunking, interleaved readers, frames split across chunks", () => {
    for (const size of [1, 7, 300, 4096]) {
      const r1 = new OcgFrameReader(),
        r2 = new OcgFrameReader();
      const got1: OcgDecodeResult[] = [],
        got2: OcgDecodeResult[] = [];
      const reversed = concat([...frames].reverse());
      for (let i = 0; i < stream.length; i += size) {
        r1.push(stream.subarray(i, i + size));
        r2.push(reversed.subarray(i, i + size));
        for (;;) {
          const f1 = r1.nextFrameAt();
          if (f1 === true) {
            assert.equal(r1.frame[r1.offset], 0x02, 'the coordinates point at a frame start');
            assert.equal(r1.frame[r1.offset + 1]! | (r1.frame[r1.offset + 2]! << 8), r1.length);
            got1.push(decodeFrame(r1.frame, r1.offset, r1.length));
          }
          const f2 = r2.nextFrameAt();
          if (f2 === true) got2.push(decodeFrame(r2.frame, r2.offset, r2.length));
          if (f1 === null && f2 === null) break;
          if (f1 !== null && f1 !== true) assert.fail(f1.detail);
          if (f2 !== null && f2 !== true) assert.fail(f2.detail);
        }
      }
      assert.deepEqual(got1, expected, `chunks of ${size}`);
      assert.deepEqual(got2, [...expected].reverse(), `chunks of ${size}`);
    }
  });

  it('nextFrameAt() reports a framing error and then nothing more', () => {
    const bad = stream.slice(0, 400);
    bad[frames[0]!.length] = 0x07; // the second frame's start byte
    const reader = new OcgFrameReader();
    reader.push(bad);
    assert.equal(reader.nextFrameAt(), true);
    const e = reader.nextFrameAt();
    assert.ok(e !== null && e !== true && e.kind === 'badStartByte' && e.fatal, JSON.stringify(e));
    assert.equal(reader.nextFrameAt(), null);
  });

  it('random bytes and damaged streams in random chunks never throw; a fatal error ends the reader', () => {
    const rnd = prng(4242);
    for (let round = 0; round < 300; round++) {
      const bytes =
        round % 2 === 0
          ? Uint8Array.from({ length: 1 + Math.floor(rnd() * 600) }, () => Math.floor(rnd() * 256))
          : (() => {
              const b = stream.slice(0, 2000);
              for (let k = 0; k < 3; k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
              return b;
            })();
      if (round % 4 === 0) bytes[0] = 2;
      const reader = new OcgFrameReader();
      let fatal = false;
      assert.doesNotThrow(() => {
        for (let i = 0; i < bytes.length;) {
          const n = 1 + Math.floor(rnd() * 200);
          reader.push(bytes.subarray(i, i + n));
          i += n;
          for (let r = reader.next(); r !== null; r = reader.next()) {
            assert.equal(fatal, false, 'nothing after a fatal error');
            if (!r.ok && r.fatal) fatal = true;
          }
        }
        reader.end();
      });
    }
  });

  it('end() inside a frame → truncated', () => {
    const reader = new OcgFrameReader();
    reader.push(frames[0]!.subarray(0, 40));
    assert.equal(reader.next(), null);
    const e = reader.end();
    assert.equal(e?.kind, 'truncated');
    assert.equal(e?.fatal, true);
  });

  it('nextFrame() returns raw frames for a store without decoding', () => {
    const reader = new OcgFrameReader();
    reader.push(stream.subarray(0, 300));
    reader.push(stream.subarray(300));
    const raw: Uint8Array[] = [];
    for (let f = reader.nextFrame(); f !== null; f = reader.nextFrame()) {
      if (!(f instanceof Uint8Array)) assert.fail(f.detail);
      raw.push(f.slice());
    }
    assert.deepEqual(raw.map(hex), frames.map(hex));
  });
});

describe('round trip over random valid messages of every type (seeded)', () => {
  const smp: OcgProfile = { ...OTP_C_PROFILE, smp: true };
  for (const spec of MESSAGE_SPECS) {
    it(`${spec.name} (${spec.msgType})`, () => {
      const rnd = prng(1000 + spec.msgType);
      for (let i = 0; i < 150; i++) {
        const useSmp = i % 2 === 1;
        const fields = useSmp && spec.smpFields ? [...spec.fields, ...spec.smpFields] : spec.fields;
        const msg = { msgType: spec.msgType, ...randomBody(fields, rnd, 0) } as OcgMessage;
        const header = { seqNum: Math.floor(rnd() * 0xffffffff), compId: randomText(rnd, 11), possDup: rnd() < 0.5, possResend: rnd() < 0.5 };
        const options = useSmp ? { profile: smp } : undefined;
        const bytes = encodeMessage(header, msg, options);
        assert.equal(bytes.length, bytes[1]! | (bytes[2]! << 8));
        assert.equal(
          crc32cReference(bytes, 0, bytes.length - 4),
          (bytes[bytes.length - 4]! | (bytes[bytes.length - 3]! << 8) | (bytes[bytes.length - 2]! << 16) | (bytes[bytes.length - 1]! << 24)) >>> 0,
        );
        const d = ok(decodeMessage(bytes, options));
        assert.deepEqual(d.message, msg);
        assert.deepEqual(d.header, { msgType: spec.msgType, ...header });
        assert.equal(hex(encodeMessage(d.header, d.message, options)), hex(bytes));
      }
    });
  }
});

describe('decimal and time helpers', () => {
  it('toPrice/fromPrice/formatDecimal are exact', () => {
    assert.equal(toPrice('395.8'), 39_580_000_000n);
    assert.equal(toPrice(395.8), 39_580_000_000n);
    assert.equal(toPrice(100), 10_000_000_000n);
    assert.equal(toPrice('-0.001'), -100_000n);
    assert.equal(toPrice('0.00000001'), 1n);
    assert.equal(toPrice(0.1 + 0.2), 30_000_000n); // numbers are rounded to 8 decimals
    assert.equal(toPrice(-2.5), -250_000_000n);
    assert.throws(() => toPrice('1.123456789'), RangeError);
    assert.throws(() => toPrice('abc'), RangeError);
    assert.equal(fromPrice(39_580_000_000n), 395.8);
    assert.equal(formatDecimal(39_580_000_000n), '395.8');
    assert.equal(formatDecimal(-100_000n), '-0.001');
    assert.equal(formatDecimal(9_999_999_900_000_000n), '99999999');
  });

  it('Transaction Time: UTC, microseconds, accepts 3 or 6 digits', () => {
    const us = Date.UTC(2024, 0, 2, 1, 30, 45) * 1000 + 123456;
    assert.equal(formatTransactionTime(us), '20240102-01:30:45.123456');
    assert.equal(parseTransactionTime('20240102-01:30:45.123456'), us);
    assert.equal(parseTransactionTime('20240102-01:30:45.123'), us - 456);
    assert.equal(parseTransactionTime('20240102 01:30:45.123'), null);
    assert.equal(parseTransactionTime('20240230-01:30:45.123'), null);
    assert.equal(transactionTimeFromMillis(Date.UTC(2026, 10, 28, 2, 0, 0, 5)), '20261128-02:00:00.005000');
  });
});

// ---------------------------------------------------------------------------------------------

/** One frame pushed to a reader as its own (small) chunk, decoded there. */
function readOne(frame: Uint8Array): OcgDecodeResult & { ok: true } {
  const r = new OcgFrameReader();
  r.push(frame);
  const d = r.next();
  assert.ok(d !== null && d.ok, `reader: ${d === null ? 'null' : d.ok ? '' : d.detail}`);
  return d as OcgDecodeResult & { ok: true };
}

/** The project's seeded mulberry32 (src/omd SeededRandom) as a () => [0, 1) function. */
function prng(seed: number): () => number {
  const r = new SeededRandom(seed);
  return () => r.next();
}

function randomText(rnd: () => number, max: number): string {
  const n = Math.floor(rnd() * (max + 1));
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(0x20 + Math.floor(rnd() * 0x5f));
  return s;
}

function randomBody(fields: readonly FieldSpec[], rnd: () => number, depth: number): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const f of fields) {
    if (!f.required && rnd() < 0.4) continue;
    switch (f.kind) {
      case 'u8':
        o[f.key] = Math.floor(rnd() * 256);
        break;
      case 'u16':
        o[f.key] = Math.floor(rnd() * 65536);
        break;
      case 'u32':
        o[f.key] = Math.floor(rnd() * 4294967296);
        break;
      case 'dec':
        o[f.key] =
          BigInt.asIntN(64, (BigInt(Math.floor(rnd() * 4294967296)) << 32n) | BigInt(Math.floor(rnd() * 4294967296))) >> BigInt(Math.floor(rnd() * 64));
        break;
      case 'byte':
        o[f.key] = String.fromCharCode(0x21 + Math.floor(rnd() * 0x5e));
        break;
      case 'alnum':
        o[f.key] = randomText(rnd, f.size - 1);
        break;
      case 'var':
        o[f.key] = randomText(rnd, f.size - 1);
        break;
      case 'group': {
        const n = depth > 2 ? 0 : Math.floor(rnd() * 4);
        o[f.key] = Array.from({ length: n }, () => randomBody(f.group!.fields, rnd, depth + 1));
        break;
      }
    }
  }
  return o;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe('open points of the note §8: the choice we made, pinned', () => {
  const h = { seqNum: 1, compId: 'CO99999902' };

  it('item 1: Lookup Status 0 = Accepted (S1), 1 = Rejected', async () => {
    const { LookupStatus } = await import('../../src/ocg/index.ts');
    assert.equal(LookupStatus.Accepted, 0);
    const v = SPEC_VECTORS.find((x) => x.name.startsWith('Lookup Response'))!;
    const d = ok(decodeMessage(hexToBytes(v.hex)));
    assert.equal((d.message as { status?: number }).status, 0);
  });

  it('item 2: Lookup Reject Code is UInt8 (S1), not UInt16 (S5)', () => {
    const b = encodeMessage(h, { msgType: OcgMsgType.LookupResponse, status: 1, lookupRejectCode: 3 });
    assert.equal(b.length, 58 + 1 + 1);
  });

  it("item 4: Throttle No Messages UInt32 and Throttle Time Interval UInt16 (S1), not the mock's UInt16/UInt8", () => {
    const one = encodeMessage(h, {
      msgType: OcgMsgType.ThrottleEntitlementResponse,
      userRequestId: 'a',
      userName: 'b',
      throttles: [{ throttleNoMessages: 70000, throttleTimeInterval: 300 }],
    });
    assert.equal(one.length, 58 + 20 + 50 + 2 + 2 + 4 + 2);
    const d = ok(decodeMessage(one));
    assert.deepEqual((d.message as { throttles?: unknown }).throttles, [{ throttleNoMessages: 70000, throttleTimeInterval: 300 }]);
  });

  it('item 11 [UNVERIFIED]: one 2-byte nested presence map per repetition', () => {
    const b = encodeMessage(h, {
      msgType: OcgMsgType.ThrottleEntitlementResponse,
      userRequestId: 'a',
      userName: 'b',
      throttles: [{ throttleAction: 2 }, { throttleType: 0 }],
    });
    const block = [...b.subarray(54 + 70, b.length - 4)];
    assert.deepEqual(block, [2, 0, /* rep 1 */ 0x80, 0x00, 2, /* rep 2 */ 0x40, 0x00, 0]);
  });

  it('item 12 [INF]: Disclosure Instructions "None" (bit 0) is the value 1, LSB first', async () => {
    const { DisclosureInstructions } = await import('../../src/ocg/index.ts');
    assert.equal(DisclosureInstructions.None, 1);
    const v = SPEC_VECTORS.find((x) => x.name.startsWith('New Order'))!;
    const bytes = hexToBytes(v.hex);
    assert.deepEqual([...bytes.subarray(0x9d, 0x9f)], [0x01, 0x00]);
  });

  it('item 16: unassigned bits (Execution Report 37/40/41, TCR 18/26/28/30, New Order 20/21) are unknown fields', () => {
    const cases: [number, number][] = [
      [10, 37],
      [10, 40],
      [10, 41],
      [21, 18],
      [21, 26],
      [21, 28],
      [21, 30],
      [11, 20],
      [11, 21],
    ];
    for (const [type, bit] of cases) {
      const b = encodeMessage(h, { msgType: type } as OcgMessage, { skipRequiredCheck: true });
      b[22 + (bit >> 3)] |= 0x80 >> (bit & 7);
      const e = errorOf(decodeMessage(fixCrc(b)));
      assert.equal(e.kind, 'unknownPresenceBit', `type ${type} bit ${bit}`);
      assert.equal(e.bit, bit);
    }
  });

  it('item 20: message types 19, 20 and 29 are not defined (S1)', () => {
    for (const t of [19, 20, 29, 255]) {
      const b = encodeMessage(h, { msgType: OcgMsgType.Heartbeat });
      b[3] = t;
      assert.equal(errorOf(decodeMessage(fixCrc(b))).kind, 'unknownMessageType');
    }
  });
});

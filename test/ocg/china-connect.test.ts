// China Connect (OTP-CSC) profile. The note (§5.14) could read only the CCCG spec's title page and
// contents: everything here is our working assumption, named [UNVERIFIED]/[INF] as in the note, so
// a test fails loudly the day the real tables change an assumption.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, encodeMessage, OcgMsgType, OTP_C_PROFILE, OTP_CSC_PROFILE, profileFor, toPrice, toQty } from '../../src/ocg/index.ts';
import type { OcgMessage } from '../../src/ocg/index.ts';

const h = { seqNum: 1, compId: 'CSC0001' };
const csc = { profile: OTP_CSC_PROFILE };

describe('OTP-CSC profile (spec note §5.14)', () => {
  it('[INF] same wire and session layer: session messages decode unchanged', () => {
    for (const m of [
      { msgType: OcgMsgType.Heartbeat },
      { msgType: OcgMsgType.TestRequest, testRequestId: 1 },
      { msgType: OcgMsgType.ResendRequest, startSequence: 1, endSequence: 0 },
      { msgType: OcgMsgType.Logon, password: 'x', nextExpectedMessageSequence: 1 },
      { msgType: OcgMsgType.Logout, sessionStatus: 4 },
      { msgType: OcgMsgType.LookupRequest, typeOfService: 1, protocolType: 1 },
    ] as OcgMessage[]) {
      const d = decodeMessage(encodeMessage(h, m, csc), csc);
      assert.ok(d.ok, `${m.msgType}`);
      assert.deepEqual(d.message, m);
    }
  });

  it('[UNVERIFIED] no Amend, no quotes, no trade reporting: refused as messageTypeNotAllowed (Reject 11)', () => {
    for (const t of [
      OcgMsgType.AmendRequest,
      OcgMsgType.Quote,
      OcgMsgType.QuoteCancel,
      OcgMsgType.QuoteStatusReport,
      OcgMsgType.TradeCaptureReport,
      OcgMsgType.TradeCaptureReportAck,
    ]) {
      const b = encodeMessage(h, { msgType: t } as OcgMessage, { skipRequiredCheck: true });
      const d = decodeMessage(b, csc);
      assert.ok(!d.ok && d.kind === 'messageTypeNotAllowed' && d.rejectCode === 11, `type ${t}`);
      const plain = decodeMessage(b, { profile: OTP_C_PROFILE });
      assert.ok(plain.ok || plain.kind === 'requiredFieldMissing', 'OTP-C accepts the type');
    }
  });

  it('[UNVERIFIED] mainland Security ID with a leading zero and a Stock Connect MIC round-trip', () => {
    const order: OcgMessage = {
      msgType: OcgMsgType.NewOrder,
      clientOrderId: '1',
      submittingBrokerId: '1001',
      securityId: '000001',
      securityIdSource: 8,
      securityExchange: 'XSEC',
      transactionTime: '20261128-01:30:00.000000',
      side: 2,
      orderType: 2,
      price: toPrice('11.5'),
      orderQuantity: toQty(100),
      disclosureInstructions: 1,
      submittingBcanField: 'ABC123.2568',
    };
    const d = decodeMessage(encodeMessage(h, order, csc), csc);
    assert.ok(d.ok);
    assert.deepEqual(d.message, order);
  });

  it('[UNVERIFIED] business rules the gateway applies: limit/Day only, no amend, sell-only odd lots, no-cancel windows', () => {
    const p = profileFor('OTP-CSC');
    assert.deepEqual(p.orderTypes, [2]);
    assert.deepEqual(p.timeInForce, [0]);
    assert.equal(p.amendAllowed, false);
    assert.equal(p.oddLotBuyAllowed, false);
    assert.equal(p.securityIdLeadingZeros, true);
    assert.deepEqual(p.securityExchanges, ['XSSC', 'XSEC']);
    assert.deepEqual(p.noCancelWindows, [
      ['09:20', '09:25'],
      ['14:57', '15:00'],
    ]);
    assert.ok(p.sides.includes(5), 'covered short selling (Side 5) assumed possible');
    assert.equal(profileFor('OTP-C').amendAllowed, true);
  });
});

// The OMD-C messages of the phases of the day (src/venue/phase-feed.ts), each checked against bytes
// written by hand from the layouts in spec/omd-c.md §5.2–5.5 (little-endian; offsets include the
// 4-byte MsgSize/MsgType prefix). Times: 2026-01-09 09:00:00 HKT = 1767920400 s.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, encodeMessage, messageSize } from '../../src/omd/index.ts';
import type { OmdMessage } from '../../src/omd/index.ts';
import { currentYield, feedTradeId, omdMessagesOf } from '../../src/venue/phase-feed.ts';
import type { MarketEvent } from '../../src/venue/index.ts';

const T0 = 1_767_920_400_000; // 09:00:00 HKT in ms
const hex = (s: string): Uint8Array =>
  Uint8Array.from(
    s
      .trim()
      .split(/\s+/)
      .map((b) => parseInt(b, 16)),
  );

function encode(m: OmdMessage): Uint8Array {
  const out = new Uint8Array(messageSize(m));
  assert.equal(encodeMessage(m, out, 0), out.length);
  return out;
}

/** One message: the bytes the feed sends, and that those bytes decode back to the same message. */
function check(m: OmdMessage | undefined, bytes: string): void {
  assert.ok(m !== undefined, 'a message');
  const want = hex(bytes);
  assert.deepEqual([...encode(m)], [...want]);
  assert.deepEqual(decodeMessage(want, 0), m);
}

function one(e: MarketEvent, opts = {}): OmdMessage {
  const msgs = omdMessagesOf(e, opts);
  assert.equal(msgs.length, 1);
  return msgs[0]!;
}

describe('OMD-C messages of the market phases, against hand-derived bytes', () => {
  it('Trading Session Status (20): pre-opening order input, 09:00 to 09:15', () => {
    const m = one({ kind: 'phase', phase: 'pos-order-input', previous: 'not-open', at: T0 + 123 }, { phaseEndMs: T0 + 900_000 });
    // MsgSize 32, MsgType 20 | MarketCode MAIN | Filler | SubID 1 order input | Status 20 pre-open |
    // ControlFlag '0' | Filler(4) | StartDateTime 1767920400 s (ms dropped) | EndDateTime 1767921300 s
    check(
      m,
      `
      20 00 14 00
      4d 41 49 4e
      00 01 14 30
      00 00 00 00
      00 a0 2a a9 3c ea 88 18
      00 c8 58 35 0e eb 88 18`,
    );
  });

  it('Trading Session Status (20): every phase maps to its sub-ID and status', () => {
    const codes = (
      [
        'pos-no-cancel',
        'pos-random-matching',
        'pos-matching',
        'pos-blocking',
        'continuous',
        'cas-reference-price',
        'cas-order-input',
        'cas-no-cancel',
        'cas-random-close',
        'cas-matching',
        'closed',
        'day-closed',
        'halted',
      ] as const
    )
      .map((phase) => one({ kind: 'phase', phase, previous: 'not-open', at: T0 }))
      .map((m) => (m.msgType === 20 ? [m.tradingSessionSubId, m.tradingSesStatus] : []));
    assert.equal(codes.length, 13);
    assert.deepEqual(codes, [
      [101, 20],
      [108, 20],
      [2, 20],
      [7, 20],
      [3, 30],
      [105, 40],
      [5, 40],
      [106, 40],
      [107, 40],
      [4, 40],
      [103, 50],
      [0, 100],
      [102, 10],
    ]);
  });

  it('Security Status (21): halt 2, resume 3', () => {
    check(one({ kind: 'securityStatus', securityId: '700', halted: true, at: T0 }), '0c 00 15 00  bc 02 00 00  02  00 00 00');
    check(one({ kind: 'securityStatus', securityId: '700', halted: false, at: T0 }), '0c 00 15 00  bc 02 00 00  03  00 00 00');
  });

  it('VCM Trigger (23): cooling-off 10:00:00 to 10:05:00, 400.000 ±10%', () => {
    const start = T0 + 3_600_000 + 456;
    check(
      one({ kind: 'vcm', securityId: '700', start, end: start + 300_000, reference: 400_000, lower: 360_000, upper: 440_000 }),
      `
      24 00 17 00  bc 02 00 00
      00 40 e3 d9 82 ed 88 18
      00 f8 47 b3 c8 ed 88 18
      80 1a 06 00  40 7e 05 00  c0 b6 06 00`,
    );
  });

  it('Indicative Equilibrium Price (41) and Order Imbalance (56), with and without an IEP', () => {
    const msgs = omdMessagesOf({ kind: 'iep', securityId: '700', price: 400_200, volume: 300, imbalanceDirection: 'B', imbalanceQuantity: 100 });
    assert.equal(msgs.length, 2);
    check(msgs[0], '14 00 29 00  bc 02 00 00  48 1b 06 00  2c 01 00 00 00 00 00 00');
    check(msgs[1], '14 00 38 00  bc 02 00 00  42 00  64 00 00 00 00 00 00 00  00 00');
    const none = omdMessagesOf({ kind: 'iep', securityId: '700', price: 0, volume: 0, imbalanceDirection: '', imbalanceQuantity: 0 });
    assert.equal(none.length, 2);
    check(none[0], '14 00 29 00  bc 02 00 00  00 00 00 00  00 00 00 00 00 00 00 00');
    check(none[1], '14 00 38 00  bc 02 00 00  20 00  00 00 00 00 00 00 00 00  00 00');
  });

  it('Reference Price (43): POS limits 399.800 / 400.200, and the reset to 0', () => {
    check(
      one({ kind: 'referencePrice', securityId: '700', reference: 400_000, lower: 399_800, upper: 400_200 }),
      '14 00 2b 00  bc 02 00 00  80 1a 06 00  b8 19 06 00  48 1b 06 00',
    );
    check(
      one({ kind: 'referencePrice', securityId: '700', reference: 0, lower: 0, upper: 0 }),
      '14 00 2b 00  bc 02 00 00  00 00 00 00  00 00 00 00  00 00 00 00',
    );
  });

  it('Closing Price (62): 400.000 after 2 trades', () => {
    check(one({ kind: 'closingPrice', securityId: '700', price: 400_000, trades: 2 }), '10 00 3e 00  bc 02 00 00  80 1a 06 00  02 00 00 00');
  });

  it('Trade Cancel (51): the feed Trade ID of engine trade 17', () => {
    assert.equal(feedTradeId('17'), 900_000_017);
    check(one({ kind: 'tradeCancel', securityId: '700', tradeId: '17', at: T0 }), '0c 00 33 00  bc 02 00 00  11 e9 a4 35');
  });

  it('Yield (44): a 3.5% coupon bond at 98.500 yields 3.553%', () => {
    const y = currentYield(3_500, 98_500);
    assert.equal(y, 3_553);
    assert.equal(currentYield(3_500, 0), 0);
    const m: OmdMessage = { msgType: 44, securityCode: 4253, yield: y };
    check(m, '0c 00 2c 00  9d 10 00 00  e1 0d 00 00');
  });

  it('Trade (50) of an auction: TrdType 103', () => {
    const m: OmdMessage = {
      msgType: 50,
      securityCode: 700,
      tradeId: feedTradeId('1'),
      price: 400_200,
      quantity: 200,
      trdType: 103,
      tradeTime: 1_767_921_720_000_000_000n,
    };
    // 1767921720 s = 09:22:00 HKT → ns 0x1888EB6FFF4C3000
    check(m, '20 00 32 00  bc 02 00 00  01 e9 a4 35  48 1b 06 00  c8 00 00 00  67 00  00 00  00 30 4c ff 6f eb 88 18');
  });

  it('a security code outside 1–99999 has no OMD-C message', () => {
    assert.equal(omdMessagesOf({ kind: 'securityStatus', securityId: '600519', halted: true, at: T0 }).length, 0);
  });
});

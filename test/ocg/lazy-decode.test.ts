import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeFrame, decodeMessage, encodeMessage, ExecType, materialiseMessage, OcgFrameReader, OcgMsgType, OrdStatus, OrdType, Side, toPrice, toQty,
} from '../../src/ocg/index.ts';
import type { OcgDecodeResult, OcgMessage } from '../../src/ocg/index.ts';
import { SPEC_VECTORS, hexToBytes } from '../vectors/ocg/spec-vectors.ts';
import { HAND_VECTORS } from '../vectors/ocg/hand-vectors.ts';
import { crc32cReference, u32 } from '../vectors/ocg/bytes.ts';

const LAZY = { lazy: true } as const;

function ok(r: OcgDecodeResult | null) {
  assert.ok(r !== null, 'expected a result');
  if (!r.ok) assert.fail(`decode failed: ${r.kind}: ${r.detail}`);
  return r;
}

const jsonOf = (m: unknown) => JSON.stringify(m, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

/** Every field read through the lazy message equals the eager one, and nothing else is there. */
function assertSameMessage(lazy: OcgMessage, eager: OcgMessage): void {
  assert.deepEqual(materialiseMessage(lazy), eager);
  for (const [k, v] of Object.entries(eager)) assert.deepEqual((lazy as unknown as Record<string, unknown>)[k], v, k);
  assert.equal(jsonOf(lazy), jsonOf(eager));
}

const NEW_ORDER: OcgMessage = {
  msgType: OcgMsgType.NewOrder, clientOrderId: 'C1LFMK', submittingBrokerId: '1001', securityId: '700', securityIdSource: 8,
  securityExchange: 'XHKG', transactionTime: '20261128-02:10:45.000011', side: Side.Buy, orderType: OrdType.Limit,
  price: toPrice('395.8'), orderQuantity: toQty(300), disclosureInstructions: 1, submittingBcanField: '962629.6998',
};
const FILL: OcgMessage = {
  msgType: OcgMsgType.ExecutionReport, clientOrderId: 'ORD12345678901234567', submittingBrokerId: '1001', securityId: '5', securityIdSource: 8,
  securityExchange: 'XHKG', transactionTime: '20261128-02:10:45.000271', side: Side.Sell, orderId: '50000003', orderType: OrdType.Limit,
  price: -(1n << 63n), orderQuantity: (1n << 63n) - 1n, executionId: 'E70000005', orderStatus: OrdStatus.PartiallyFilled, execType: ExecType.Trade,
  cumulativeQuantity: toQty(400), leavesQuantity: 0n, lotType: 2, matchType: 4, counterpartyBrokerId: '2002', executionQuantity: toQty(400),
  executionPrice: toPrice('98.45'), tradeMatchId: 'T80000021', aggressorIndicator: 1,
};
const frameOf = (m: OcgMessage, seqNum = 1) => encodeMessage({ seqNum, compId: 'CO99999902' }, m);

describe('lazy decode (OcgCodecOptions.lazy)', () => {
  it('gives the same typed values as the eager decoder for every vector', () => {
    for (const bytes of [...HAND_VECTORS.map((v) => v.bytes), ...SPEC_VECTORS.map((v) => hexToBytes(v.hex))]) {
      const eager = ok(decodeMessage(bytes));
      const lazy = ok(decodeMessage(bytes, LAZY));
      assert.deepEqual(lazy.header, eager.header);
      assert.equal(lazy.length, eager.length);
      assertSameMessage(lazy.message, eager.message);
    }
  });

  it('New Order and a fill with extreme decimals and a 20-character ID are views, read from the bytes', () => {
    for (const m of [NEW_ORDER, FILL]) {
      const lazy = ok(decodeMessage(frameOf(m), LAZY)).message;
      assert.notEqual(Object.getPrototypeOf(lazy), Object.prototype, 'a lazy view, not a plain object');
      assert.equal(lazy.msgType, m.msgType);
      assertSameMessage(lazy, m);
      assert.equal((lazy as { tif?: number }).tif, undefined, 'absent field');
      assert.deepEqual(Object.keys(lazy), ['msgType'], 'fields are getters: spread/keys need materialiseMessage');
      assert.deepEqual(Object.keys(materialiseMessage(lazy)), Object.keys(m));
    }
  });

  it('repeating fields (broker, stock, market) read the same through the value cache, bytes after the NUL ignored', () => {
    const frame = (broker: string, junk: number) => {
      const b = frameOf({ ...NEW_ORDER, submittingBrokerId: broker } as OcgMessage).slice();
      // Submitting Broker ID is Alnum Fixed(12) at body offset 21: junk after its NUL (§2.5)
      for (let i = 54 + 21 + broker.length + 1; i < 54 + 21 + 11; i++) b[i] = junk;
      b.set(u32(crc32cReference(b, 0, b.length - 4)), b.length - 4);
      return b;
    };
    for (const [broker, junk] of [['1001', 0], ['1001', 0x41], ['100', 0x31], ['10011', 0], ['1001', 0x7a], ['ABCDEFGH', 0x31], ['ABCDEFG', 0x48], ['', 0x31]] as const) {
      for (const options of [undefined, LAZY]) {
        const m = ok(decodeMessage(frame(broker, junk), options)).message as { submittingBrokerId?: string };
        assert.equal(m.submittingBrokerId, broker, `${broker} junk ${junk} ${options ? 'lazy' : 'eager'}`);
      }
    }
  });

  it('materialiseMessage returns a plain message as it is', () => {
    const eager = ok(decodeMessage(frameOf(NEW_ORDER))).message;
    assert.equal(materialiseMessage(eager), eager);
  });

  it('still checks the CRC: a flipped bit is fatal', () => {
    const b = frameOf(NEW_ORDER).slice();
    b[60] ^= 0x01;
    const r = decodeMessage(b, LAZY);
    assert.ok(!r.ok);
    assert.equal(r.kind, 'badChecksum');
    assert.equal(r.fatal, true);
  });

  it('a body longer than its presence map names is still an error, not a view', () => {
    const good = frameOf(NEW_ORDER);
    const b = new Uint8Array(good.length + 1);
    b.set(good.subarray(0, good.length - 4), 0); // one extra zero byte before the trailer
    b[1] = b.length & 0xff; b[2] = b.length >>> 8;
    b.set(u32(crc32cReference(b, 0, b.length - 4)), b.length - 4);
    const r = decodeMessage(b, LAZY);
    assert.ok(!r.ok);
    assert.equal(r.kind, 'bodyLengthMismatch');
  });

  it('a layout with a variable-length field (Text) is decoded eagerly', () => {
    const m: OcgMessage = { ...NEW_ORDER, text: 'hello' } as OcgMessage;
    const lazy = ok(decodeMessage(frameOf(m), LAZY)).message;
    assert.equal(Object.getPrototypeOf(lazy), Object.prototype);
    assert.deepEqual(lazy, m);
  });

  it('a frame view from nextFrame() and a reader with lazy: true agree with eager decoding, in any chunking', () => {
    const msgs: OcgMessage[] = [];
    for (let i = 0; i < 60; i++) {
      const base = i % 2 === 0 ? NEW_ORDER : FILL;
      msgs.push({ ...base, clientOrderId: `C${i}`, price: toPrice('395.8') + BigInt(i) * 20_000_000n } as OcgMessage);
    }
    const frames = msgs.map((m, i) => frameOf(m, i + 1));
    const stream = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
    let o = 0;
    for (const f of frames) { stream.set(f, o); o += f.length; }
    for (const chunk of [stream.length, 1000, 97, 1]) {
      const reader = new OcgFrameReader(LAZY);
      const got: OcgMessage[] = [];
      for (let i = 0; i < stream.length; i += chunk) {
        reader.push(stream.subarray(i, i + chunk));
        for (let r = reader.next(); r !== null; r = reader.next()) got.push(ok(r).message);
      }
      assert.equal(got.length, msgs.length);
      got.forEach((m, i) => assertSameMessage(m, msgs[i]!));
    }
    const reader = new OcgFrameReader();
    reader.push(stream);
    let i = 0;
    for (let f = reader.nextFrame(); f !== null; f = reader.nextFrame(), i++) {
      assert.ok(f instanceof Uint8Array);
      assertSameMessage(ok(decodeFrame(f, 0, f.length, LAZY)).message, msgs[i]!);
    }
    assert.equal(i, msgs.length);
  });
});

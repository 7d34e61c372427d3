// PacketCursor (lazy hot path) must agree with decodePacket on every packet, good or bad.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  PacketBuilder,
  PacketCursor,
  decodePacket,
  encodePacket,
  splitNews,
  type OmdMessage,
} from '../../src/omd/index.ts';
import { ALL_TYPES, Prng, randomAnyMessage, randomMessage } from './random-messages.ts';
import { SPEC_PACKET_VECTORS, hexToBytes } from '../vectors/omd/tv.vectors.ts';

/** The view the cursor offers for a type, if any. */
function viewOf(c: PacketCursor, type: number): { toMessage(): OmdMessage } | null {
  switch (type) {
    case 30: return c.addOrder;
    case 31: return c.modifyOrder;
    case 32: return c.deleteOrder;
    case 33: return c.addOddLotOrder;
    case 34: return c.deleteOddLotOrder;
    case 40: return c.nominalPrice;
    case 41: return c.indicativeEquilibriumPrice;
    case 43: return c.referencePrice;
    case 50: return c.trade;
    case 51: return c.tradeCancel;
    case 52: return c.tradeTicker;
    case 53: return c.aggregateOrderBookUpdate;
    case 54: return c.brokerQueue;
    case 56: return c.orderImbalance;
    case 60: return c.statistics;
    case 62: return c.closingPrice;
    case 21: return c.securityStatus;
    case 71: return c.indexData;
    case 655: return c.ccTopOfBook;
    case 660: return c.ccStatistics;
    default: return null;
  }
}

function walk(c: PacketCursor, pkt: Uint8Array): { err: string | null; msgs: OmdMessage[]; viewed: OmdMessage[]; seqs: number[] } {
  const err = c.reset(pkt);
  const msgs: OmdMessage[] = [];
  const viewed: OmdMessage[] = [];
  const seqs: number[] = [];
  while (c.next()) {
    const m = c.message();
    msgs.push(m);
    seqs.push(c.msgSeqNum);
    assert.equal(c.msgType, m.msgType);
    const v = viewOf(c, c.msgType);
    if (v) {
      viewed.push(v.toMessage());
      // every getter of the view equals the plain field
      for (const [k, val] of Object.entries(m)) {
        if (k === 'entries' || k === 'items') continue;
        assert.deepEqual((v as unknown as Record<string, unknown>)[k], val, `${m.msgType}.${k}`);
      }
    } else viewed.push(m);
  }
  return { err: err ? err.code : null, msgs, viewed, seqs };
}

describe('PacketCursor', () => {
  it('every view agrees with the plain decoder, for random messages of every type', () => {
    const r = new Prng(4242);
    const c = new PacketCursor();
    for (const type of ALL_TYPES) {
      for (let i = 0; i < 200; i++) {
        const m = randomMessage(r, type);
        const parts = m.msgType === 22 ? splitNews(m) : [m];
        const pkt = encodePacket(1000 + i, 5_000_000n, parts, 65535);
        const got = walk(c, pkt);
        assert.equal(got.err, null);
        assert.deepEqual(got.msgs, parts);
        assert.deepEqual(got.viewed, parts);
        assert.deepEqual(got.seqs, parts.map((_, k) => 1000 + i + k));
        assert.equal(c.seqNum, 1000 + i);
        assert.equal(c.sendTime, 5_000_000n);
        assert.equal(c.msgCount, parts.length);
      }
    }
  });

  it('walks packets built by PacketBuilder like decodePacket', () => {
    const r = new Prng(7);
    const c = new PacketCursor();
    const msgs: OmdMessage[] = [];
    for (let i = 0; i < 3000; i++) {
      const m = randomAnyMessage(r);
      if (m.msgType === 22) msgs.push(...splitNews(m));
      else msgs.push(m);
    }
    const b = new PacketBuilder();
    let seq = 1;
    b.start(seq, 0n);
    const out: OmdMessage[] = [];
    const flush = (): void => {
      const p = b.finish();
      const plain = decodePacket(p);
      assert.ok(plain.ok);
      const got = walk(c, p);
      assert.deepEqual(got.msgs, plain.messages);
      out.push(...got.viewed);
    };
    for (const m of msgs) {
      if (!b.add(m)) { flush(); seq += b.count; b.start(seq, 0n); b.add(m); }
    }
    flush();
    assert.deepEqual(out, msgs);
  });

  it('entry(i) and itemAt(i) read the groups in place', () => {
    const c = new PacketCursor();
    const pkt = hexToBytes(SPEC_PACKET_VECTORS[4]!.hex); // TV5
    assert.equal(c.reset(pkt), null);
    assert.ok(c.next());
    const v = c.aggregateOrderBookUpdate;
    assert.equal(v.securityCode, 5);
    assert.equal(v.entryCount, 2);
    assert.deepEqual([v.entry(0).price, v.entry(0).aggregateQuantity, v.entry(1).price, v.entry(1).updateAction], [61500, 20000n, 61550, 1]);
    assert.equal(c.next(), false);
  });

  it('skips and counts unknown types, keeping sequence numbers', () => {
    const pkt = encodePacket(50, 0n, [
      { msgType: 40, securityCode: 1, nominalPrice: 1 },
      { msgType: 40, securityCode: 2, nominalPrice: 2 },
    ]);
    pkt[16 + 2] = 0xe7; // first message becomes MsgType 999
    pkt[16 + 3] = 0x03;
    const c = new PacketCursor();
    assert.equal(c.reset(pkt), null);
    assert.ok(c.next());
    assert.equal(c.msgSeqNum, 51);
    assert.equal(c.nominalPrice.securityCode, 2);
    assert.equal(c.skippedUnknown, 1);
  });

  it('a bad packet yields nothing and the same error code as decodePacket', () => {
    const r = new Prng(99);
    const c = new PacketCursor();
    let bad = 0;
    for (let i = 0; i < 5000; i++) {
      const msgs = [randomAnyMessage(r), randomAnyMessage(r)].filter((m) => m.msgType !== 22);
      const pkt = encodePacket(r.u32(), 0n, msgs, 65535);
      for (let k = 1 + r.int(3); k > 0; k--) pkt[r.int(Math.min(pkt.length, 40))] = r.u8();
      const plain = decodePacket(pkt);
      const err = c.reset(pkt);
      if (plain.ok) {
        assert.equal(err, null);
        const got: OmdMessage[] = [];
        while (c.next()) got.push(c.message());
        assert.deepEqual(got, plain.messages);
      } else {
        bad++;
        assert.equal(err?.code, plain.code);
        assert.equal(c.next(), false);
      }
    }
    assert.ok(bad > 100);
  });
});

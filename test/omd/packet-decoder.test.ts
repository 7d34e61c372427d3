// ReusingPacketDecoder (hot path) must agree with decodePacket on every packet, good or bad.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  PacketBuilder,
  ReusingPacketDecoder,
  decodePacket,
  encodePacket,
  splitNews,
  type OmdMessage,
} from '../../src/omd/index.ts';
import { Prng, randomAnyMessage } from './random-messages.ts';
import { SPEC_PACKET_VECTORS, hexToBytes } from '../vectors/omd/tv.vectors.ts';

/** Deep copy, since the decoder's objects are reused after the callback returns. */
function clone(m: OmdMessage): OmdMessage {
  return structuredClone(m);
}

function viaHotPath(dec: ReusingPacketDecoder, pkt: Uint8Array): { err: string | null; msgs: OmdMessage[]; seqs: number[] } {
  const msgs: OmdMessage[] = [];
  const seqs: number[] = [];
  const err = dec.decode(pkt, (m, seq) => {
    msgs.push(clone(m));
    seqs.push(seq);
  });
  return { err: err ? err.code : null, msgs, seqs };
}

describe('ReusingPacketDecoder', () => {
  it('delivers the same messages as decodePacket for random packets of every type', () => {
    const r = new Prng(2024);
    const dec = new ReusingPacketDecoder();
    for (let round = 0; round < 300; round++) {
      const msgs: OmdMessage[] = [];
      for (let i = 0; i < 30; i++) {
        const m = randomAnyMessage(r);
        if (m.msgType === 22) msgs.push(...splitNews(m));
        else msgs.push(m);
      }
      const b = new PacketBuilder();
      let seq = 1 + r.int(1000);
      b.start(seq, 99_000_000n);
      const pkts: Uint8Array[] = [];
      for (const m of msgs) {
        if (!b.add(m)) { pkts.push(b.finish()); seq += b.count; b.start(seq, 99_000_000n); b.add(m); }
      }
      pkts.push(b.finish());
      for (const p of pkts) {
        const plain = decodePacket(p);
        assert.ok(plain.ok);
        const hot = viaHotPath(dec, p);
        assert.equal(hot.err, null);
        assert.deepEqual(hot.msgs, plain.messages);
        assert.deepEqual(hot.seqs, plain.messages.map((_, i) => plain.header.seqNum + i));
        assert.deepEqual(dec.header, plain.header);
        assert.equal(dec.skippedUnknown, 0);
      }
    }
  });

  it('matches the spec vectors TV1–TV8', () => {
    const dec = new ReusingPacketDecoder();
    for (const v of SPEC_PACKET_VECTORS) {
      const hot = viaHotPath(dec, hexToBytes(v.hex));
      assert.equal(hot.err, null, v.name);
      assert.deepEqual(hot.msgs, v.messages, v.name);
      assert.deepEqual(dec.header, v.header, v.name);
    }
  });

  it('a bad packet delivers nothing and reports the same error code as decodePacket', () => {
    const r = new Prng(31337);
    const dec = new ReusingPacketDecoder();
    let bad = 0;
    for (let i = 0; i < 5000; i++) {
      const msgs = [randomAnyMessage(r), randomAnyMessage(r), randomAnyMessage(r)].filter((m) => m.msgType !== 22);
      const pkt = encodePacket(r.u32(), 0n, msgs, 65535);
      for (let k = 1 + r.int(3); k > 0; k--) pkt[r.int(Math.min(pkt.length, 40))] = r.u8();
      const plain = decodePacket(pkt);
      const hot = viaHotPath(dec, pkt);
      if (plain.ok) {
        assert.equal(hot.err, null);
        assert.deepEqual(hot.msgs, plain.messages);
        assert.equal(dec.skippedUnknown, plain.skippedUnknown);
      } else {
        bad++;
        assert.equal(hot.err, plain.code);
        assert.deepEqual(hot.msgs, [], 'no message from a bad packet');
      }
    }
    assert.ok(bad > 100);
  });

  it('reuses one object per message type (consumers must copy what they keep)', () => {
    const dec = new ReusingPacketDecoder();
    const pkt = encodePacket(1, 0n, [
      { msgType: 40, securityCode: 1, nominalPrice: 10 },
      { msgType: 40, securityCode: 2, nominalPrice: 20 },
    ]);
    const seen: OmdMessage[] = [];
    const codes: number[] = [];
    dec.decode(pkt, (m) => { seen.push(m); if (m.msgType === 40) codes.push(m.securityCode); });
    assert.equal(seen[0], seen[1]);
    assert.deepEqual(codes, [1, 2]);
  });

  it('PacketBuilder.finishView returns the same bytes as finish without copying', () => {
    const b = new PacketBuilder();
    b.start(5, 1_000_000n);
    b.add({ msgType: 203, lastSeqNum: 4 });
    const v = b.finishView();
    assert.deepEqual(v, b.finish());
    assert.deepEqual(v, encodePacket(5, 1_000_000n, [{ msgType: 203, lastSeqNum: 4 }]));
  });
});

// Round-trip properties over random valid messages of every type, and packets built by PacketBuilder.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_MAX_PACKET_SIZE,
  MAX_MESSAGES_PER_PACKET,
  PACKET_HEADER_SIZE,
  PacketBuilder,
  decodeMessage,
  decodePacket,
  encodeMessage,
  messageSize,
  splitNews,
  type OmdMessage,
} from '../../src/omd/index.ts';
import { ALL_TYPES, Prng, randomAnyMessage, randomMessage } from './random-messages.ts';

const CASES_PER_TYPE = 1000;

describe('message round trip: decode(encode(m)) deep-equals m', () => {
  const buf = new Uint8Array(8192);
  for (const type of ALL_TYPES) {
    it(`MsgType ${type} × ${CASES_PER_TYPE}`, () => {
      const r = new Prng(0xc0dec + type);
      for (let i = 0; i < CASES_PER_TYPE; i++) {
        const m = randomMessage(r, type);
        const off = r.int(16);
        const n = encodeMessage(m, buf, off);
        assert.equal(n, messageSize(m));
        assert.equal(buf[off]! | (buf[off + 1]! << 8), n, 'MsgSize');
        assert.equal(buf[off + 2]! | (buf[off + 3]! << 8), type, 'MsgType');
        const d = decodeMessage(buf.subarray(0, off + n), off);
        assert.deepEqual(d, m);
      }
    });
  }
});

/** Packs msgs with a PacketBuilder the way a publisher does; returns the packets. */
function pack(msgs: OmdMessage[], firstSeq: number, sendTime: bigint, max: number): Uint8Array[] {
  const b = new PacketBuilder(max);
  const out: Uint8Array[] = [];
  let seq = firstSeq;
  b.start(seq, sendTime);
  for (const m of msgs) {
    if (!b.add(m)) {
      out.push(b.finish());
      seq += b.count;
      b.start(seq, sendTime);
      assert.ok(b.add(m), 'a message that does not fit a full packet fits an empty one');
    }
  }
  if (b.count > 0) out.push(b.finish());
  return out;
}

describe('PacketBuilder with random message mixes', () => {
  for (const max of [DEFAULT_MAX_PACKET_SIZE, 1400, 8972]) {
    it(`max packet size ${max}: size limit, header fields, greedy packing, messages in order`, () => {
      const r = new Prng(max);
      for (let round = 0; round < 20; round++) {
        const msgs: OmdMessage[] = [];
        for (let i = 0; i < 400; i++) {
          const m = randomAnyMessage(r);
          if (m.msgType === 22) msgs.push(...splitNews(m, max));
          else msgs.push(m);
        }
        const firstSeq = r.range(1, 1_000_000);
        const sendTime = BigInt(r.u32()) * 1_000_000n;
        const packets = pack(msgs, firstSeq, sendTime, max);
        let seq = firstSeq;
        let k = 0;
        for (let p = 0; p < packets.length; p++) {
          const pkt = packets[p]!;
          assert.ok(pkt.length <= max, `packet ${pkt.length} > ${max}`);
          const d = decodePacket(pkt);
          assert.ok(d.ok, d.ok ? '' : d.message);
          assert.equal(d.header.pktSize, pkt.length);
          assert.equal(d.header.seqNum, seq, 'SeqNum = previous SeqNum + previous MsgCount');
          assert.equal(d.header.sendTime, sendTime);
          assert.ok(d.header.msgCount >= 1 && d.header.msgCount <= MAX_MESSAGES_PER_PACKET);
          assert.equal(d.messages.length, d.header.msgCount);
          assert.equal(pkt[3], 0, 'header filler');
          for (const m of d.messages) assert.deepEqual(m, msgs[k++]);
          // greedy: the next message would not have fitted
          if (p < packets.length - 1) assert.ok(pkt.length + messageSize(msgs[k]!) > max || d.header.msgCount === 255);
          seq += d.header.msgCount;
        }
        assert.equal(k, msgs.length);
      }
    });
  }

  it('stops at 255 messages even when bytes remain (MsgCount is a u8)', () => {
    const msgs: OmdMessage[] = Array.from({ length: 600 }, (_, i) => ({ msgType: 21, securityCode: i, suspensionIndicator: 2 }));
    const packets = pack(msgs, 1, 0n, 65535);
    assert.deepEqual(
      packets.map((p) => p[2]),
      [255, 255, 90],
    );
    assert.deepEqual(
      packets.map((p) => p.length),
      [16 + 255 * 12, 16 + 255 * 12, 16 + 90 * 12],
    );
    const d = decodePacket(packets[1]!);
    assert.ok(d.ok);
    assert.equal(d.header.seqNum, 256);
  });

  it('count and size report the packet being built; finish returns a copy', () => {
    const b = new PacketBuilder();
    b.start(10, 5_000_000n);
    assert.equal(b.count, 0);
    assert.equal(b.size, PACKET_HEADER_SIZE);
    assert.ok(b.add({ msgType: 40, securityCode: 1, nominalPrice: 100 }));
    assert.equal(b.count, 1);
    assert.equal(b.size, PACKET_HEADER_SIZE + 12);
    const a = b.finish();
    const c = b.finish();
    assert.notEqual(a, c);
    assert.deepEqual(a, c);
    b.start(11, 6_000_000n);
    assert.equal(b.count, 0);
    assert.equal(a.length, 28, 'earlier packet unchanged by start()');
  });
});

// Hand-derived byte vectors (test/vectors/omd): decode → expected object, encode(expected) → same bytes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MESSAGE_VECTORS } from '../vectors/omd/messages.vectors.ts';
import { SPEC_PACKET_VECTORS, TV6_STREAM_HEX, hexToBytes } from '../vectors/omd/tv.vectors.ts';
import {
  MsgType,
  NULL_INT64,
  PacketStreamReader,
  decodeMessage,
  decodePacket,
  encodeHeartbeat,
  encodeMessage,
  encodePacket,
  messageSize,
} from '../../src/omd/index.ts';

describe('OMD message vectors (one or more per MsgType)', () => {
  for (const v of MESSAGE_VECTORS) {
    const bytes = hexToBytes(v.fields.map(([h]) => h).join(' '));
    it(`${v.name}${v.note ? ` — ${v.note}` : ''}`, () => {
      assert.equal(bytes[0]! | (bytes[1]! << 8), bytes.length, 'MsgSize field = vector length');
      assert.equal(bytes[2]! | (bytes[3]! << 8), v.msgType);
      assert.deepEqual(decodeMessage(bytes, 0), v.expected);
      assert.equal(messageSize(v.expected), bytes.length);
      const out = new Uint8Array(bytes.length + 8).fill(0xee);
      assert.equal(encodeMessage(v.expected, out, 4), bytes.length);
      assert.deepEqual(out.subarray(4, 4 + bytes.length), bytes);
      assert.equal(out[3], 0xee, 'nothing written before the offset');
      assert.equal(out[4 + bytes.length], 0xee, 'nothing written after the message');
    });
  }

  it('covers every MsgType the codec knows', () => {
    const covered = new Set(MESSAGE_VECTORS.map((v) => v.msgType));
    for (const t of [...SPEC_PACKET_VECTORS.flatMap((p) => p.messages.map((m) => m.msgType))]) covered.add(t);
    const missing = Object.entries(MsgType).filter(([, code]) => !covered.has(code));
    assert.deepEqual(missing, []);
  });

  it('a vector decoded inside a packet at a non-zero offset gives the same object', () => {
    const msgs = MESSAGE_VECTORS.filter((v) => v.msgType !== 22 && v.msgType !== 11).map((v) => v.expected);
    const pkt = encodePacket(42, 0n, msgs.slice(0, 20));
    const d = decodePacket(pkt);
    assert.ok(d.ok);
    assert.deepEqual(d.messages, msgs.slice(0, 20));
  });

  it('NULL_INT64 is -2^63 (0x8000000000000000, OMD-C 3.1.1)', () => {
    assert.equal(NULL_INT64, -9223372036854775808n);
    assert.equal(BigInt.asUintN(64, NULL_INT64), 0x8000000000000000n);
  });
});

describe('spec test vectors TV1–TV8 (omd-c.md §9)', () => {
  for (const v of SPEC_PACKET_VECTORS) {
    const bytes = hexToBytes(v.hex);
    it(v.name, () => {
      const d = decodePacket(bytes);
      assert.ok(d.ok, d.ok ? '' : d.message);
      assert.deepEqual(d.header, v.header);
      assert.deepEqual(d.messages, v.messages);
      assert.equal(d.skippedUnknown, 0);
      const enc = v.header.msgCount === 0 ? encodeHeartbeat(v.header.seqNum, v.header.sendTime) : encodePacket(v.header.seqNum, v.header.sendTime, v.messages);
      assert.deepEqual(enc, bytes);
    });
  }

  it('TV6 as one RTS stream frames into two packets, whatever the chunking', () => {
    const stream = hexToBytes(TV6_STREAM_HEX);
    for (const cut of [1, 2, 15, 16, 31, 32, 33, 50, 63]) {
      const r = new PacketStreamReader();
      const got = [...r.push(stream.subarray(0, cut)), ...r.push(stream.subarray(cut))];
      assert.equal(got.length, 2, `cut at ${cut}`);
      assert.deepEqual(got[0], stream.subarray(0, 32));
      assert.deepEqual(got[1], stream.subarray(32));
      assert.equal(r.buffered, 0);
      assert.equal(r.error, null);
    }
  });

  it('TV4: next expected sequence number after the packet is SeqNum + MsgCount = 1238', () => {
    const d = decodePacket(hexToBytes(SPEC_PACKET_VECTORS[3]!.hex));
    assert.ok(d.ok);
    assert.equal(d.header.seqNum + d.header.msgCount, 1238);
  });
});

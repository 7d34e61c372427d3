// Bad input from the network: typed errors, never a throw, never a wrong message (spec §2.2).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  FIXED_SIZE,
  PacketStreamReader,
  decodeMessage,
  decodePacket,
  encodePacket,
  isHeartbeatPacket,
  decodeSequencedPacket,
  UNKNOWN_MESSAGE,
  type DecodedPacket,
  type OmdDecodeError,
  type OmdMessage,
  type SequencedPacket,
} from '../../src/omd/index.ts';
import { Prng, randomAnyMessage } from './random-messages.ts';

const nominal: OmdMessage = { msgType: 40, securityCode: 700, nominalPrice: 385200 };
const trade: OmdMessage = { msgType: 50, securityCode: 700, tradeId: 1, price: 385200, quantity: 100, trdType: 0, tradeTime: 1n };

function expectError(r: DecodedPacket | SequencedPacket | OmdDecodeError, code: OmdDecodeError['code']): void {
  assert.ok('ok' in r && r.ok === false, 'expected an error, got a packet');
  if ('ok' in r && !r.ok) {
    assert.equal(r.code, code, r.message);
    assert.equal(typeof r.message, 'string');
  }
}

function u16(buf: Uint8Array, off: number, v: number): void {
  buf[off] = v & 0xff;
  buf[off + 1] = v >>> 8;
}

/** Builds a packet by hand from raw message byte arrays (so sizes can disagree). */
function rawPacket(msgCount: number, msgs: Uint8Array[], pktSize?: number): Uint8Array {
  const len = 16 + msgs.reduce((a, m) => a + m.length, 0);
  const buf = new Uint8Array(len);
  u16(buf, 0, pktSize ?? len);
  buf[2] = msgCount;
  buf[4] = 7; // SeqNum 7
  let o = 16;
  for (const m of msgs) {
    buf.set(m, o);
    o += m.length;
  }
  return buf;
}

function rawMessage(size: number, type: number, body: number[] = []): Uint8Array {
  const m = new Uint8Array(Math.max(size, 4));
  u16(m, 0, size);
  u16(m, 2, type);
  m.set(body.slice(0, m.length - 4), 4);
  return m;
}

describe('packet framing errors', () => {
  it('TRUNCATED: fewer than 16 bytes', () => {
    for (let n = 0; n < 16; n++) expectError(decodePacket(new Uint8Array(n)), 'TRUNCATED');
  });

  it('PKT_SIZE_MISMATCH: PktSize larger or smaller than the datagram', () => {
    const good = encodePacket(1, 0n, [nominal, trade]);
    expectError(decodePacket(good.subarray(0, good.length - 1)), 'PKT_SIZE_MISMATCH');
    const longer = new Uint8Array(good.length + 4);
    longer.set(good);
    expectError(decodePacket(longer), 'PKT_SIZE_MISMATCH');
    const lie = good.slice();
    u16(lie, 0, 15);
    expectError(decodePacket(lie), 'PKT_SIZE_MISMATCH');
  });

  it('PKT_SIZE_MISMATCH: bytes left over after MsgCount messages (16 + ΣMsgSize ≠ PktSize)', () => {
    const good = encodePacket(1, 0n, [nominal, trade]);
    good[2] = 1;
    expectError(decodePacket(good), 'PKT_SIZE_MISMATCH');
  });

  it('BAD_HEARTBEAT: MsgCount 0 is a heartbeat only as the bare 16-byte header (OMD-C 3.4.1)', () => {
    // TV1 (spec §9): the one heartbeat shape.
    const tv1 = Uint8Array.from([0x10, 0, 0, 0, 0xd2, 0x04, 0, 0, 0x00, 0xf0, 0x86, 0xc1, 0xdf, 0xeb, 0x88, 0x18]);
    assert.equal(isHeartbeatPacket(tv1), true);
    const ok = decodePacket(tv1);
    assert.equal(ok.ok, true);
    // 40 bytes, PktSize 40, MsgCount 0, SeqNum 1234: not a heartbeat, whatever the decoder.
    const forty = new Uint8Array(40);
    forty.set(tv1);
    forty[0] = 40;
    assert.equal(isHeartbeatPacket(forty), false);
    expectError(decodePacket(forty), 'BAD_HEARTBEAT');
    expectError(decodeSequencedPacket(forty), 'BAD_HEARTBEAT');
    // 16 bytes that claim PktSize 40 are truncated, not a heartbeat either.
    const liar = tv1.slice();
    liar[0] = 40;
    assert.equal(isHeartbeatPacket(liar), false);
  });

  it('MSG_COUNT_MISMATCH: MsgCount claims more messages than the packet holds', () => {
    const good = encodePacket(1, 0n, [nominal, trade]);
    good[2] = 3;
    expectError(decodePacket(good), 'MSG_COUNT_MISMATCH');
    const hb = encodePacket(1, 0n, []);
    hb[2] = 1;
    expectError(decodePacket(hb), 'MSG_COUNT_MISMATCH');
  });

  it('MSG_SIZE_INVALID: MsgSize < 4 (0 would loop forever)', () => {
    for (const size of [0, 1, 3]) {
      expectError(decodePacket(rawPacket(1, [rawMessage(size, 40, [0, 0, 0, 0, 0, 0, 0, 0])])), 'MSG_SIZE_INVALID');
      const buf = rawMessage(size, 40, [1, 2, 3, 4]);
      const r = decodeMessage(buf, 0);
      assert.ok(r && 'ok' in r && r.code === 'MSG_SIZE_INVALID');
    }
  });

  it('MSG_OVERRUN: a message runs past PktSize; a header split by the packet end', () => {
    const m = rawMessage(12, 40);
    u16(m, 0, 40); // claims 40 bytes, only 12 present
    expectError(decodePacket(rawPacket(1, [m])), 'MSG_OVERRUN');
    // second message's 4-byte header cut after 2 bytes
    expectError(decodePacket(rawPacket(2, [rawMessage(12, 40), new Uint8Array([12, 0])])), 'MSG_OVERRUN');
  });

  it('a packet with an error yields no messages, even when earlier messages were fine', () => {
    const bad = rawPacket(3, [rawMessage(12, 40), rawMessage(12, 40), rawMessage(8, 40)]);
    const r = decodePacket(bad);
    expectError(r, 'MSG_TRUNCATED');
    assert.equal('messages' in r, false);
  });
});

describe('message-level errors and tolerance', () => {
  it('unknown MsgType is skipped by MsgSize and counted; the rest decode', () => {
    for (const unknown of [0, 1, 12, 99, 103, 104, 200, 204, 300, 612, 999, 65535]) {
      const pkt = rawPacket(3, [
        rawMessage(12, 40, [0xbc, 0x02, 0, 0, 1, 0, 0, 0]),
        rawMessage(10, unknown, [9, 9, 9, 9, 9, 9]),
        rawMessage(12, 40, [5, 0, 0, 0, 2, 0, 0, 0]),
      ]);
      const r = decodePacket(pkt);
      assert.ok(r.ok, r.ok ? '' : r.message);
      assert.equal(r.skippedUnknown, 1);
      assert.deepEqual(r.messages, [
        { msgType: 40, securityCode: 700, nominalPrice: 1 },
        { msgType: 40, securityCode: 5, nominalPrice: 2 },
      ]);
      assert.equal(decodeMessage(rawMessage(10, unknown), 0), null);
    }
  });

  it('MSG_TRUNCATED: a known type whose MsgSize is shorter than its fixed layout', () => {
    for (const [typeStr, fixed] of Object.entries(FIXED_SIZE)) {
      const type = Number(typeStr);
      for (const size of [4, fixed - 1]) {
        const m = rawMessage(size, type);
        const r = decodeMessage(m, 0);
        assert.ok(r && 'ok' in r, `type ${type} size ${size}`);
        assert.equal(r.code, 'MSG_TRUNCATED');
        expectError(decodePacket(rawPacket(1, [m])), 'MSG_TRUNCATED');
      }
    }
  });

  it('a longer MsgSize than the layout is tolerated (future tail extension, spec §2.2)', () => {
    const r = new Prng(77);
    for (let i = 0; i < 300; i++) {
      const m = randomAnyMessage(r);
      if (m.msgType === 22) continue;
      const plain = encodePacket(0, 0n, [m], 65535);
      const body = plain.subarray(16);
      const extra = 1 + r.int(12);
      const ext = new Uint8Array(body.length + extra).fill(0xab);
      ext.set(body);
      u16(ext, 0, body.length + extra);
      const pkt = rawPacket(2, [ext, rawMessage(12, 40, [1, 0, 0, 0, 2, 0, 0, 0])]);
      const d = decodePacket(pkt);
      assert.ok(d.ok, d.ok ? '' : `${m.msgType}: ${d.message}`);
      assert.deepEqual(d.messages, [m, { msgType: 40, securityCode: 1, nominalPrice: 2 }]);
    }
  });

  it('BAD_FIELD: a repeating-group count that overruns MsgSize (11, 13, 22, 53, 54)', () => {
    const cases: Array<[number, number, number]> = [
      // [type, MsgSize, offset of the count field]
      [53, 12 + 24, 11], // NoEntries u8
      [54, 12 + 4, 8], // ItemCount u8
      [13, 10 + 2, 8], // NoLiquidityProviders u16
      [11, 544 + 8, 542], // NoUnderlyingSecurities u16
      [22, 356, 346], // NoMarketCodes u16
    ];
    for (const [type, size, at] of cases) {
      const m = rawMessage(size, type);
      m[at] = 2;
      const r = decodeMessage(m, 0);
      assert.ok(r && 'ok' in r, `type ${type}`);
      assert.equal(r.code, 'BAD_FIELD', `type ${type}`);
      expectError(decodePacket(rawPacket(1, [m])), 'BAD_FIELD');
    }
    // News: NoNewsLines 1 with no room for the 160-byte line
    const news = rawMessage(356, 22);
    news[354] = 1;
    expectError(decodePacket(rawPacket(1, [news])), 'BAD_FIELD');
  });

  it('decodeMessage outside the buffer reports TRUNCATED / MSG_OVERRUN instead of throwing', () => {
    const m = rawMessage(12, 40);
    for (const off of [-1, 9, 12, 100]) {
      const r = decodeMessage(m, off);
      assert.ok(r && 'ok' in r && r.code === 'TRUNCATED');
    }
    const r = decodeMessage(m.subarray(0, 8), 0);
    assert.ok(r && 'ok' in r && r.code === 'MSG_OVERRUN');
  });
});

describe('fuzz: mutated and random packets never throw', () => {
  it('10,000 mutated valid packets and 10,000 random byte strings', () => {
    const r = new Prng(12345);
    let errors = 0;
    for (let i = 0; i < 10_000; i++) {
      const msgs = [randomAnyMessage(r), randomAnyMessage(r)].filter((m) => m.msgType !== 22);
      const pkt = encodePacket(r.u32(), 0n, msgs, 65535);
      for (let k = 1 + r.int(4); k > 0; k--) pkt[r.int(pkt.length)] = r.u8();
      const d = decodePacket(pkt);
      const s = decodeSequencedPacket(pkt);
      if (!d.ok) {
        errors++;
        assert.ok('ok' in s && s.code === d.code, 'the feed handler sees the same error');
      } else {
        assert.ok(d.messages.length + d.skippedUnknown === d.header.msgCount);
        assert.ok(!('ok' in s));
        assert.equal(s.messages.length, d.header.msgCount);
        assert.deepEqual(
          s.messages.filter((m) => m !== UNKNOWN_MESSAGE),
          d.messages,
        );
      }
    }
    for (let i = 0; i < 10_000; i++) {
      const junk = new Uint8Array(r.int(80));
      for (let k = 0; k < junk.length; k++) junk[k] = r.u8();
      if (junk.length >= 2 && r.bool()) u16(junk, 0, junk.length);
      const d = decodePacket(junk);
      if (d.ok) assert.equal(d.messages.length + d.skippedUnknown, d.header.msgCount);
    }
    assert.ok(errors > 0);
  });
});

describe('PacketStreamReader bad input', () => {
  it('PktSize < 16 puts the reader in an error state and it yields nothing more', () => {
    const r = new PacketStreamReader();
    const good = encodePacket(1, 0n, [nominal]);
    const bad = new Uint8Array([8, 0, 1, 0]);
    const out = r.push(new Uint8Array([...good, ...bad, ...good]));
    assert.equal(out.length, 1);
    assert.deepEqual(out[0], good);
    assert.equal(r.error?.code, 'PKT_SIZE_MISMATCH');
    assert.deepEqual(r.push(good), []);
  });
});

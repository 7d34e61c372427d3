// Packet assembly details: heartbeats, News fragmentation, size limits, stream framing, time helpers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_MAX_PACKET_SIZE,
  FIXED_SIZE,
  UNKNOWN_MESSAGE,
  decodeMessage,
  decodeSequencedPacket,
  PacketBuilder,
  PacketStreamReader,
  decodePacket,
  decodePacketHeader,
  encodeHeartbeat,
  encodeMessage,
  encodePacket,
  epochMsToNsMicros,
  epochMsToNsSeconds,
  messageSize,
  nowSendTimeNs,
  priceFromRaw,
  priceToRaw,
  fromScaled,
  toScaled,
  splitNews,
  truncateNsToMicros,
  truncateNsToMs,
  truncateNsToSeconds,
  type News,
  type OmdMessage,
} from '../../src/omd/index.ts';
import { Prng, randomAnyMessage } from './random-messages.ts';

function bigNews(lines: number, markets = 0, securities = 0): News {
  return {
    msgType: 22,
    newsType: 'EXN',
    newsId: '007',
    headline: 'Headline',
    cancelFlag: 'N',
    lastFragment: 'Y',
    releaseTime: 1767922200000000000n,
    marketCodes: Array.from({ length: markets }, (_, i) => ['MAIN', 'GEM', 'NASD', 'ETS'][i]!),
    securityCodes: Array.from({ length: securities }, (_, i) => i + 1),
    newsLines: Array.from({ length: lines }, (_, i) => `line ${i}`),
  };
}

describe('heartbeat (OMD-C 3.4.1)', () => {
  it('is a bare 16-byte header with MsgCount 0 and the given SeqNum (§12 U3)', () => {
    const hb = encodeHeartbeat(1234, 1767922200000000000n);
    assert.equal(hb.length, 16);
    const d = decodePacket(hb);
    assert.ok(d.ok);
    assert.deepEqual(d.header, { pktSize: 16, msgCount: 0, seqNum: 1234, sendTime: 1767922200000000000n });
    assert.deepEqual(d.messages, []);
    assert.deepEqual(decodePacketHeader(hb), d.header);
    assert.equal(decodePacketHeader(hb.subarray(0, 15)), null);
  });
});

describe('size limits', () => {
  it('default maximum is 1472 (1500 minus IPv4 and UDP headers, §12 U5)', () => {
    assert.equal(DEFAULT_MAX_PACKET_SIZE, 1472);
    assert.equal(new PacketBuilder().maxPacketSize, 1472);
  });

  it('PacketBuilder fills exactly up to the limit', () => {
    const b = new PacketBuilder(16 + 3 * 52);
    b.start(1, 0n);
    const s = {
      msgType: 60,
      securityCode: 1,
      sharesTraded: 0n,
      turnover: 0n,
      highPrice: 0,
      lowPrice: 0,
      lastPrice: 0,
      vwap: 0,
      shortSellSharesTraded: 0,
      shortSellTurnover: 0n,
    } as const;
    assert.ok(b.add(s));
    assert.ok(b.add(s));
    assert.ok(b.add(s));
    assert.equal(b.size, 16 + 156);
    assert.equal(b.add({ msgType: 100, newSeqNo: 1 }), false);
    assert.equal(b.finish().length, 172);
  });

  it('a message that cannot fit even an empty packet is a programmer error (RangeError)', () => {
    const b = new PacketBuilder();
    b.start(1, 0n);
    assert.throws(() => b.add(bigNews(10)), RangeError);
    assert.throws(() => encodePacket(1, 0n, [bigNews(10)]), RangeError);
  });

  it('encodePacket refuses more than 255 messages or more than the size limit', () => {
    const m = { msgType: 100, newSeqNo: 1 } as const;
    assert.throws(() => encodePacket(1, 0n, Array(256).fill(m), 65535), RangeError);
    assert.throws(() => encodePacket(1, 0n, Array(200).fill(m)), RangeError); // 1616 > 1472
    assert.equal(encodePacket(1, 0n, Array(200).fill(m), 65535).length, 1616);
  });

  it('a string wider than its field is a programmer error, not silent truncation', () => {
    const out = new Uint8Array(64);
    assert.throws(() => encodeMessage({ msgType: 10, marketCode: 'MAINX', marketName: '', currencyCode: 'HKD', numberOfSecurities: 0 }, out, 0), RangeError);
    assert.throws(() => encodeMessage({ msgType: 101, username: 'THIRTEENCHARS' }, out, 0), RangeError);
    assert.throws(() => encodeMessage({ msgType: 40, securityCode: 1, nominalPrice: 1 }, out, 60), RangeError);
  });
});

describe('splitNews (OMD-C 3.12, §2.3)', () => {
  it('the largest News (2772 bytes) splits into fragments that each fit one packet', () => {
    const n = bigNews(10, 4, 200);
    assert.equal(messageSize(n), 2772);
    const frags = splitNews(n);
    assert.ok(frags.length > 1);
    for (const f of frags) assert.ok(16 + messageSize(f) <= 1472);
    assert.deepEqual(
      frags.flatMap((f) => f.newsLines),
      n.newsLines,
    );
    assert.deepEqual(
      frags.map((f) => f.lastFragment),
      [...Array(frags.length - 1).fill('N'), 'Y'],
    );
    assert.deepEqual(
      frags.map((f) => f.headline),
      ['Headline', ...Array(frags.length - 1).fill('')],
    );
    for (const f of frags) {
      assert.deepEqual(f.securityCodes, n.securityCodes);
      assert.equal(f.newsId, '007');
    }
  });

  it('with no market/security lists, ≤ 6 news lines per fragment (spec §2.3)', () => {
    const frags = splitNews(bigNews(10));
    assert.deepEqual(
      frags.map((f) => f.newsLines.length),
      [6, 4],
    );
    assert.equal(16 + messageSize(frags[0]!), 16 + 356 + 960);
  });

  it('news that fits, or has no lines, is one fragment marked last', () => {
    assert.equal(splitNews(bigNews(0)).length, 1);
    const one = splitNews(bigNews(3));
    assert.equal(one.length, 1);
    assert.equal(one[0]!.lastFragment, 'Y');
  });

  it('throws when the lists leave no room for one line', () => {
    assert.throws(() => splitNews(bigNews(2, 4, 200), 1300), RangeError);
  });
});

describe('PacketStreamReader (RTS TCP framing, spec §3.4)', () => {
  it('frames random packets split at random chunk boundaries', () => {
    const r = new Prng(99);
    const packets: Uint8Array[] = [];
    for (let i = 0; i < 200; i++) {
      const msgs = Array.from({ length: r.int(4) }, () => randomAnyMessage(r)).filter((m) => m.msgType !== 22);
      packets.push(msgs.length ? encodePacket(i, 0n, msgs, 65535) : encodeHeartbeat(i, 0n));
    }
    const stream = new Uint8Array(packets.reduce((a, p) => a + p.length, 0));
    let o = 0;
    for (const p of packets) {
      stream.set(p, o);
      o += p.length;
    }
    const reader = new PacketStreamReader();
    const got: Uint8Array[] = [];
    for (let at = 0; at < stream.length;) {
      const n = 1 + r.int(700);
      got.push(...reader.push(stream.subarray(at, at + n)));
      at += n;
    }
    assert.equal(reader.error, null);
    assert.equal(reader.buffered, 0);
    assert.deepEqual(got, packets);
  });

  it('keeps a partial packet until the rest arrives', () => {
    const p = encodePacket(1, 0n, [{ msgType: 203, lastSeqNum: 9 }]);
    const reader = new PacketStreamReader();
    assert.deepEqual(reader.push(p.subarray(0, 1)), []);
    assert.equal(reader.buffered, 1);
    assert.deepEqual(reader.push(p.subarray(1, 20)), []);
    assert.deepEqual(reader.push(p.subarray(20)), [p]);
  });
});

describe('time and price helpers (spec §1)', () => {
  it('SendTime has ms precision', () => {
    assert.equal(nowSendTimeNs(1767922200000.9), 1767922200000000000n);
    assert.equal(truncateNsToMs(1767922200123456789n), 1767922200123000000n);
  });
  it('TradeTime has µs precision; reference times second precision', () => {
    assert.equal(epochMsToNsMicros(1767922200123.4567), 1767922200123456000n);
    assert.equal(truncateNsToMicros(1767922200123456789n), 1767922200123456000n);
    assert.equal(epochMsToNsSeconds(1767922200999), 1767922200000000000n);
    assert.equal(truncateNsToSeconds(1767922200999999999n), 1767922200000000000n);
  });
  it('P3 prices and scaled values', () => {
    assert.equal(priceFromRaw(385200), 385.2);
    assert.equal(priceToRaw(385.2), 385200);
    assert.equal(fromScaled(906780, 4), 90.678);
    assert.equal(toScaled(10.22, 4), 102200);
    assert.equal(fromScaled(1945612340000n, 4), 194561234);
  });
});

describe('PacketBuilder after a rejected message', () => {
  it('a message that throws half-written leaves no bytes behind (fillers stay 0x00)', () => {
    const b = new PacketBuilder();
    b.start(1, 0n);
    // Headline too long: throws after NewsType/NewsID (offsets 4–9) were written
    const bad: News = { ...bigNews(0), headline: 'x'.repeat(321) };
    assert.throws(() => b.add(bad), RangeError);
    assert.equal(b.count, 0);
    // Currency Rate has a filler at offset 7, where the rejected NewsID was written
    const good = { msgType: 14, currencyCode: 'EUR', currencyFactor: 0, currencyRate: 102200 } as const;
    assert.ok(b.add(good));
    assert.deepEqual(b.finish(), encodePacket(1, 0n, [good]));
  });
});

describe("decodeSequencedPacket: the feed handler's decoder", () => {
  it('gives the messages of decodePacket, one entry per MsgCount, for PacketBuilder packets', () => {
    const r = new Prng(7);
    const msgs: OmdMessage[] = [];
    for (let i = 0; i < 3000; i++) {
      const m = randomAnyMessage(r);
      if (m.msgType === 22) msgs.push(...splitNews(m));
      else msgs.push(m);
    }
    const b = new PacketBuilder();
    const out: OmdMessage[] = [];
    const seqs: number[] = [];
    let seq = 1;
    const flush = (): void => {
      const p = b.finish();
      const plain = decodePacket(p);
      const s = decodeSequencedPacket(p);
      assert.ok(plain.ok && !('ok' in s));
      assert.equal(s.seq, plain.header.seqNum);
      assert.deepEqual(s.messages, plain.messages);
      out.push(...s.messages);
      seqs.push(s.seq);
    };
    b.start(seq, 0n);
    for (const m of msgs) {
      if (!b.add(m)) {
        flush();
        seq += b.count;
        b.start(seq, 0n);
        b.add(m);
      }
    }
    flush();
    assert.ok(seqs.length > 10, `${seqs.length} packets`);
    assert.deepEqual(out, msgs);
  });

  it("keeps an unknown message's place as UNKNOWN_MESSAGE", () => {
    const pkt = encodePacket(50, 0n, [
      { msgType: 40, securityCode: 1, nominalPrice: 1 },
      { msgType: 40, securityCode: 2, nominalPrice: 2 },
    ]);
    pkt[16 + 2] = 0xe7; // the first message becomes MsgType 999
    pkt[16 + 3] = 0x03;
    const s = decodeSequencedPacket(pkt);
    assert.ok(!('ok' in s));
    assert.equal(s.seq, 50);
    assert.deepEqual(s.messages, [UNKNOWN_MESSAGE, { msgType: 40, securityCode: 2, nominalPrice: 2 }]);
    assert.equal(s.skippedUnknown, 1);
    const plain = decodePacket(pkt);
    assert.ok(plain.ok);
    assert.deepEqual(plain.messages, [{ msgType: 40, securityCode: 2, nominalPrice: 2 }]);
  });

  it('decodes every known MsgType at exactly its fixed layout size', () => {
    const types = Object.keys(FIXED_SIZE).map(Number);
    assert.ok(types.length >= 40);
    for (const type of types) {
      const m = new Uint8Array(FIXED_SIZE[type]!);
      m[0] = m.length & 0xff;
      m[1] = m.length >> 8;
      m[2] = type & 0xff;
      m[3] = type >> 8;
      const d = decodeMessage(m, 0);
      assert.ok(d !== null && !('ok' in d), `MsgType ${type}`);
      assert.equal(d.msgType, type);
    }
  });
});

describe('PacketBuilder.finishView', () => {
  it('returns the same bytes as finish without copying', () => {
    const b = new PacketBuilder();
    b.start(5, 1_000_000n);
    b.add({ msgType: 203, lastSeqNum: 4 });
    const v = b.finishView();
    assert.deepEqual(v, b.finish());
    assert.deepEqual(v, encodePacket(5, 1_000_000n, [{ msgType: 203, lastSeqNum: 4 }]));
    v[16] = 0x77; // a view of the builder's buffer: finish() sees the change
    assert.equal(b.finish()[16], 0x77);
  });
});

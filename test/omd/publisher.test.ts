import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, createMulticastReceiver } from '../../src/wire/index.ts';
import {
  OmdPublisher,
  MarketGenerator,
  MarketImage,
  decodePacket,
  loopbackFeed,
  type DecodedPacket,
  type FeedConfig,
  type OmdMessage,
  type PublisherOptions,
  type OmdProduct,
  RefreshRecovery,
  type RefreshSnapshot,
} from '../../src/omd/index.ts';
import { waitFor } from '../helpers/wait.ts';

// Distinct groups/ports per test file (239.201.x.x, 531xx) so files may run in parallel.
const feed = (products: OmdProduct[] = ['SS', 'SF', 'Index'], service: 'OMD-C' | 'OMD-CC' = 'OMD-C'): FeedConfig =>
  loopbackFeed({ service, products, groupBase: 201, basePort: 53100, rtsPorts: [0, 0, 0, 0] });

interface Sent {
  line: string;
  channelId: number;
  group: string;
  port: number;
  p: DecodedPacket;
  bytes: Uint8Array;
}

function capture(extra: PublisherOptions = {}, cfg = feed()) {
  const clock = new ManualClock();
  const sent: Sent[] = [];
  const pub = new OmdPublisher(cfg, {
    clock,
    refreshIntervalMs: 0,
    rts: { users: ['TESTUSER01'] },
    ...extra,
    onDatagram: (line, channelId, dest, pkt) => {
      const p = decodePacket(pkt);
      assert.ok(p.ok, 'the publisher sends only decodable packets');
      sent.push({ line, channelId, group: dest.group, port: dest.port, p, bytes: pkt });
    },
  });
  return { clock, sent, pub, cfg };
}

const realtime = (sent: Sent[], channelId: number, line = 'A') => sent.filter((s) => s.line === line && s.channelId === channelId);
const dataSeqs = (xs: Sent[]) => xs.filter((s) => s.p.header.msgCount > 0).flatMap((s) => s.p.messages.map((_, i) => s.p.header.seqNum + i));

describe('OmdPublisher sequence numbering (OMD-C 2.2, 3.4.2, §12 U2)', () => {
  it('starts every channel (and the DR channel) with Sequence Reset as message 1 on lines A and B; the next message is 2', async () => {
    const { pub, sent, cfg } = capture();
    await pub.start();
    try {
      assert.equal(cfg.channels.length, 3);
      for (const ch of cfg.channels) {
        for (const line of ['A', 'B'] as const) {
          const first = realtime(sent, ch.channelId, line)[0]!;
          assert.equal(first.group, line === 'A' ? ch.lineA.group : ch.lineB.group);
          assert.equal(first.port, ch.lineA.port);
          assert.equal(first.p.header.seqNum, 1);
          assert.deepEqual(first.p.messages, [{ msgType: 100, newSeqNo: 1 }]);
        }
        assert.equal(pub.nextSeq(ch.channelId), 2);
      }
      const dr = sent.filter((s) => s.line === 'dr');
      assert.deepEqual(
        dr.map((s) => [s.group, s.p.header.seqNum, s.p.messages[0]?.msgType]),
        [
          [cfg.drChannel.lineA.group, 1, 100],
          [cfg.drChannel.lineB.group, 1, 100],
        ],
      );
      pub.publish(1, [{ msgType: 40, securityCode: 5, nominalPrice: 61_500 }]);
      assert.equal(realtime(sent, 1).at(-1)!.p.header.seqNum, 2);
      assert.equal(pub.nextSeq(1), 3);
    } finally {
      await pub.stop();
    }
  });

  it('packs consecutive sequence numbers into packets of at most maxPacketSize bytes and 255 messages, same on both lines', async () => {
    const { pub, sent } = capture({ maxPacketSize: 400 });
    await pub.start();
    try {
      const msgs: OmdMessage[] = Array.from({ length: 700 }, (_, i) => ({ msgType: 40, securityCode: i + 1, nominalPrice: i }));
      pub.publish(1, msgs);
      pub.publish(
        1,
        Array.from({ length: 300 }, (_, i): OmdMessage => ({ msgType: 21, securityCode: i + 1, suspensionIndicator: 3 })),
      );
      const a = realtime(sent, 1, 'A');
      const b = realtime(sent, 1, 'B');
      assert.ok(a.every((s) => s.bytes.length <= 400 && s.p.header.msgCount <= 255));
      assert.deepEqual(
        dataSeqs(a),
        Array.from({ length: 1001 }, (_, i) => i + 1),
      );
      assert.deepEqual(
        a.map((s) => s.bytes),
        b.map((s) => s.bytes),
      );
      for (let i = 1; i < a.length; i++) assert.equal(a[i]!.p.header.seqNum, a[i - 1]!.p.header.seqNum + a[i - 1]!.p.header.msgCount);
      // Full-size packets: 12-byte messages in 400 bytes → (400-16)/12 = 32 per packet.
      assert.equal(a[1]!.p.header.msgCount, 32);
      assert.equal(pub.counters.messages, 1001 + 2); // + the Sequence Resets of channels 2 and 3
    } finally {
      await pub.stop();
    }
  });

  it('caps a packet at 255 messages (MsgCount is a u8) and at 1472 bytes by default', async () => {
    const big = capture({ maxPacketSize: 4000 });
    await big.pub.start();
    const dflt = capture();
    await dflt.pub.start();
    try {
      big.pub.publish(
        1,
        Array.from({ length: 300 }, (_, i): OmdMessage => ({ msgType: 40, securityCode: i + 1, nominalPrice: i })),
      );
      assert.deepEqual(
        realtime(big.sent, 1).map((s) => s.p.header.msgCount),
        [1, 255, 45],
      );
      dflt.pub.publish(
        1,
        Array.from({ length: 300 }, (_, i): OmdMessage => ({ msgType: 32, securityCode: 1, orderId: BigInt(i), side: 0 })),
      );
      // 20-byte messages: (1472 - 16) / 20 = 72 per packet.
      assert.deepEqual(
        realtime(dflt.sent, 1).map((s) => s.p.header.msgCount),
        [1, 72, 72, 72, 72, 12],
      );
      assert.ok(realtime(dflt.sent, 1).every((s) => s.bytes.length <= 1472));
    } finally {
      await big.pub.stop();
      await dflt.pub.stop();
    }
  });

  it('splits a News item too large for one packet into fragments', async () => {
    const { pub, sent } = capture();
    await pub.start();
    try {
      pub.publish(1, [
        {
          msgType: 22,
          newsType: 'EXN',
          newsId: '001',
          headline: 'H',
          cancelFlag: 'N',
          lastFragment: 'Y',
          releaseTime: 0n,
          marketCodes: [],
          securityCodes: [],
          newsLines: Array.from({ length: 10 }, (_, i) => `line ${i}`),
        },
      ]);
      const news = realtime(sent, 1)
        .flatMap((s) => s.p.messages)
        .filter((m) => m.msgType === 22);
      assert.ok(news.length >= 2);
      assert.equal(news.at(-1)!.lastFragment, 'Y');
      assert.equal(news.flatMap((n) => n.newsLines).length, 10);
    } finally {
      await pub.stop();
    }
  });

  it('suppresses datagrams the lossFilter names, on that line only, without disturbing numbering', async () => {
    const { pub, sent } = capture({ lossFilter: (line, ch, first) => line === 'A' && ch === 1 && first === 3 });
    await pub.start();
    try {
      for (let i = 0; i < 3; i++) pub.publish(1, [{ msgType: 40, securityCode: 5, nominalPrice: i }]);
      assert.deepEqual(dataSeqs(realtime(sent, 1, 'A')), [1, 2, 4]);
      assert.deepEqual(dataSeqs(realtime(sent, 1, 'B')), [1, 2, 3, 4]);
      assert.equal(pub.counters.lineA.suppressed, 1);
      assert.ok(pub.window(1).covers(1, 4), 'the lost message is still retransmittable');
    } finally {
      await pub.stop();
    }
  });
});

describe('OmdPublisher heartbeats (OMD-C 3.4.1, §2.4)', () => {
  it('sends a heartbeat 2 s after the last datagram on idle real-time, refresh and DR channels with SeqNum = last sent', async () => {
    const { pub, sent, clock } = capture();
    await pub.start();
    try {
      const n0 = sent.length;
      clock.advance(1999);
      assert.equal(sent.length, n0, 'nothing before 2 s');
      pub.publish(1, [{ msgType: 40, securityCode: 5, nominalPrice: 1 }]); // channel 1 sends at 1.999 s
      clock.advance(1);
      const tick1 = sent.slice(n0 + 2);
      assert.ok(tick1.length > 0);
      assert.ok(tick1.every((s) => s.p.header.msgCount === 0 && s.bytes.length === 16));
      const hbOf = (xs: Sent[], line: string, ch: number) => xs.filter((s) => s.line === line && s.channelId === ch).map((s) => s.p.header.seqNum);
      // 2 s after the start-of-day Sequence Reset: channels 2 and 3, the refresh channels and the DR channel beat.
      assert.deepEqual(hbOf(tick1, 'A', 1), []);
      assert.deepEqual(hbOf(tick1, 'A', 2), [1]);
      assert.deepEqual(hbOf(tick1, 'refresh', 1), [0]);
      assert.deepEqual(hbOf(tick1, 'dr', 0), [1, 1]);
      assert.equal(tick1.length, 2 * 2 + 3 + 2);
      clock.advance(1999);
      const tick2 = sent.slice(n0 + 2 + tick1.length);
      // Channel 1: 2 s after its data, not at the next 2 s boundary.
      assert.deepEqual(hbOf(tick2, 'A', 1), [2]);
      assert.deepEqual(hbOf(tick2, 'B', 1), [2]);
      assert.equal(tick2.length, 2);
      clock.advance(1);
      assert.equal(sent.length - n0 - 2 - tick1.length - tick2.length, 2 * 2 + 3 + 2);
      clock.advance(2000 * 5);
      // Since 4 s: channels 2-3, refresh and DR beat at 4, 6, ... 14 s (6 × 9); channel 1 at 5.999 ... 13.999 s (5 × 2).
      assert.equal(sent.length - n0 - 2 - tick1.length - tick2.length, 6 * 9 + 5 * 2);
    } finally {
      await pub.stop();
    }
    assert.equal(clock.pending, 0, 'stop() cancels every timer');
  });

  it('data early in an interval never delays the next heartbeat: a line is never silent for more than 2 s', async () => {
    const { pub, sent, clock } = capture();
    await pub.start();
    const t0 = clock.now();
    const times: number[] = [];
    const n0 = sent.length;
    try {
      // Data at 0.1 s, 4.3 s and 4.35 s; idle otherwise, for 12 s.
      clock.advance(100);
      pub.publish(1, [{ msgType: 40, securityCode: 5, nominalPrice: 1 }]);
      clock.advance(4_200);
      pub.publish(1, [{ msgType: 40, securityCode: 5, nominalPrice: 2 }]);
      clock.advance(50);
      pub.publish(1, [{ msgType: 40, securityCode: 5, nominalPrice: 3 }]);
      clock.advance(12_000 - 4_350);
    } finally {
      await pub.stop();
    }
    // Every datagram of line A, channel 1, by its SendTime (the clock at ms precision), relative to the start.
    for (const s of sent.slice(n0)) if (s.line === 'A' && s.channelId === 1) times.push(Number(s.p.header.sendTime / 1_000_000n) - t0);
    assert.deepEqual(times, [100, 2_100, 4_100, 4_300, 4_350, 6_350, 8_350, 10_350]);
    const beats = sent.slice(n0).filter((s) => s.line === 'A' && s.channelId === 1 && s.p.header.msgCount === 0);
    assert.equal(beats.length, 5);
  });
});

describe('OmdPublisher refresh (OMD-C 4.4, §3.5)', () => {
  async function refreshProperty(products: OmdProduct[] | undefined, service: 'OMD-C' | 'OMD-CC') {
    const cfg = products ? feed(products, service) : loopbackFeed({ service, groupBase: 201, basePort: 53100, rtsPorts: [0, 0, 0, 0] });
    const { pub, sent, clock } = capture({ refreshIntervalMs: 5_000 }, cfg);
    const gen = new MarketGenerator({ seed: 99, securities: 15, service, channels: cfg.channels });
    await pub.start();
    try {
      for (const b of gen.startOfDay()) pub.publish(b.channelId, b.msgs);
      for (let i = 0; i < 3000; i++) {
        for (const b of gen.next()) pub.publish(b.channelId, b.msgs);
        if (i % 100 === 0) clock.advance(500); // a refresh cycle fires mid-stream
      }
      assert.ok(cfg.channels.length > 0);
      assert.ok(pub.counters.refreshCycles >= 2 * cfg.channels.length);
      for (const ch of cfg.channels) {
        const rt = realtime(sent, ch.channelId).filter((s) => s.p.header.msgCount > 0);
        const rf = sent.filter((s) => s.line === 'refresh' && s.channelId === ch.channelId && s.p.header.msgCount > 0);
        // Refresh numbering (§12 U6, ours): one sequence per refresh channel for the day.
        assert.deepEqual(
          dataSeqs(rf),
          Array.from({ length: dataSeqs(rf).length }, (_, i) => i + 1),
        );
        let snapshot = new MarketImage();
        let cycles = 0;
        for (const s of rf) {
          for (const m of s.p.messages) {
            if (m.msgType !== 203) {
              snapshot.apply(m);
              continue;
            }
            // Property: snapshot == state after real-time 1..LastSeqNum.
            const replay = new MarketImage();
            for (const r of rt)
              r.p.messages.forEach((msg, i) => {
                if (r.p.header.seqNum + i <= m.lastSeqNum) replay.apply(msg);
              });
            assert.equal(snapshot.digest(ch.product), replay.digest(ch.product), `channel ${ch.channelId} (${ch.product}) LastSeqNum ${m.lastSeqNum}`);
            assert.ok(m.lastSeqNum > 1);
            cycles++;
            snapshot = new MarketImage();
          }
        }
        assert.ok(cycles >= 2);
        // The publisher's own image is always in step with what it sent.
        const all = new MarketImage();
        for (const r of rt) for (const msg of r.p.messages) all.apply(msg);
        assert.equal(all.digest(), pub.image(ch.channelId).digest());
      }
    } finally {
      await pub.stop();
    }
  }
  it('OMD-C SS/SF/Index: every snapshot equals the state after real-time 1..LastSeqNum', () => refreshProperty(['SS', 'SF', 'Index'], 'OMD-C'));
  it('OMD-C SP: same property', () => refreshProperty(['SP'], 'OMD-C'));
  it('OMD-CC: same property', () => refreshProperty(['CC'], 'OMD-CC'));
  it('OMD-C with the odd-lot and Stock Connect feeds on their own channels: same property', () => refreshProperty(['SS', 'OddLot', 'StockConnect'], 'OMD-C'));
  it('OMD-CC with one channel per market (the default layout): same property', () => refreshProperty(undefined, 'OMD-CC'));

  it('a cycle ends with Refresh Complete carrying the last real-time SeqNum and holds books as New entries', async () => {
    const { pub, sent } = capture();
    await pub.start();
    try {
      pub.publish(1, [
        { msgType: 53, securityCode: 5, entries: [{ aggregateQuantity: 20_000n, price: 61_500, numberOfOrders: 3, side: 0, priceLevel: 1, updateAction: 0 }] },
        { msgType: 50, securityCode: 5, tradeId: 1, price: 61_500, quantity: 400, trdType: 0, tradeTime: 0n },
      ]);
      pub.refreshNow(1);
      const rf = sent.filter((s) => s.line === 'refresh' && s.channelId === 1).flatMap((s) => s.p.messages);
      assert.deepEqual(
        rf.map((m) => m.msgType),
        [53, 203],
      );
      assert.deepEqual(rf.at(-1), { msgType: 203, lastSeqNum: 3 });
    } finally {
      await pub.stop();
    }
  });
});

describe('OmdPublisher refresh pacing', () => {
  it('captures a cycle at one instant and sends it refreshPacketsPerMs per clock millisecond', async () => {
    const cfg = feed(['SS']);
    const { pub, sent, clock } = capture({ refreshPacketsPerMs: 2, maxPacketSize: 200 }, cfg);
    await pub.start();
    try {
      pub.publish(
        1,
        Array.from({ length: 60 }, (_, i): OmdMessage => ({ msgType: 40, securityCode: i + 1, nominalPrice: i + 1 })),
      );
      const refreshData = () => sent.filter((s) => s.line === 'refresh' && s.p.header.msgCount > 0);
      pub.refreshNow();
      assert.equal(refreshData().length, 2);
      pub.publish(1, [{ msgType: 40, securityCode: 1, nominalPrice: 999 }]); // after the capture: not in this cycle
      pub.refreshNow(); // ignored while the cycle is still going out
      clock.advance(1);
      assert.equal(refreshData().length, 4);
      clock.advance(20);
      const msgs = refreshData().flatMap((s) => s.p.messages);
      assert.equal(msgs.length, 61);
      assert.deepEqual(msgs.at(-1), { msgType: 203, lastSeqNum: 61 });
      assert.ok(msgs.some((m) => m.msgType === 40 && m.securityCode === 1 && m.nominalPrice === 1));
      assert.equal(pub.counters.refreshCycles, 1);
    } finally {
      await pub.stop();
    }
  });
});

describe('OmdPublisher disaster recovery (OMD-C 2.2.4, 3.4.3, §4.5)', () => {
  async function drRun(drNumbering: 'continue' | 'resetTo1WithSequenceReset') {
    const cfg = feed(['SS']);
    const clock = new ManualClock();
    const sent: Sent[] = [];
    const tap = (site: string) => (line: string, channelId: number, dest: { group: string; port: number }, pkt: Uint8Array) => {
      const p = decodePacket(pkt);
      assert.ok(p.ok);
      sent.push({ line: `${site}:${line}`, channelId, group: dest.group, port: dest.port, p, bytes: pkt });
    };
    const primary = new OmdPublisher(cfg, { clock, refreshIntervalMs: 0, rts: { users: ['U'] }, onDatagram: tap('p') });
    const backup = new OmdPublisher(cfg, { clock, site: 'backup', refreshIntervalMs: 0, rts: { users: ['U'] }, drNumbering, onDatagram: tap('b') });
    await primary.start();
    await backup.start();
    try {
      assert.equal(backup.mode, 'standby');
      assert.equal(sent.filter((s) => s.line.startsWith('b:')).length, 0, 'a standby site is silent');
      const gen = new MarketGenerator({ seed: 4, securities: 5, channels: [{ channelId: 1, product: 'SS' }] });
      for (const b of gen.startOfDay()) primary.publish(1, b.msgs);
      for (let i = 0; i < 200; i++) for (const b of gen.next()) primary.publish(1, b.msgs);
      const lastBefore = primary.nextSeq(1) - 1;
      const digestBefore = primary.image(1).digest();

      primary.beginDisasterRecovery();
      const mark = sent.length;
      primary.publish(1, [{ msgType: 40, securityCode: 5, nominalPrice: 1 }]);
      clock.advance(6_000);
      const during = sent.slice(mark);
      assert.ok(during.length > 0);
      assert.ok(
        during.every((s) => s.line === 'p:dr'),
        'real-time and refresh silent, heartbeats included',
      );
      const drSignals = (xs: Sent[]) =>
        xs
          .flatMap((s) => s.p.messages.map((m, i) => [s.p.header.seqNum + i, m] as const))
          .filter(([, m]) => m.msgType === 105)
          .map(([seq, m]) => [seq, (m as { drStatus: number }).drStatus]);
      assert.deepEqual(
        drSignals(during.filter((s) => s.group === cfg.drChannel.lineA.group)),
        [
          [3, 1],
          [4, 1],
          [5, 1],
        ],
        'DR Signal 1 repeated every 2 s, numbered on the DR channel',
      );
      assert.equal(primary.counters.notPublished, 1);

      const state = primary.exportState();
      await primary.stop();
      const mark2 = sent.length;
      backup.takeOver(state);
      const after = sent.slice(mark2);
      const rt = after.filter((s) => s.line === 'b:A' && s.channelId === 1 && s.p.header.msgCount > 0);
      const rf = after.filter((s) => s.line === 'b:refresh' && s.channelId === 1).flatMap((s) => s.p.messages);
      const lastSeqNum = (rf.at(-1) as { lastSeqNum: number }).lastSeqNum;
      const snapshot = new MarketImage();
      for (const m of rf) snapshot.apply(m);
      assert.equal(snapshot.digest('SS'), primary.image(1).digest('SS'), "the backup refreshes the primary's last state");
      assert.equal(backup.image(1).digest(), digestBefore);
      const drA = (xs: Sent[]) => drSignals(xs.filter((s) => s.line === 'b:dr' && s.group === cfg.drChannel.lineA.group));
      assert.deepEqual(drA(after), [[6, 2]], 'DR Signal 2 continues the DR channel numbering; no second DR Signal 1');
      const mark3 = sent.length;
      clock.advance(4_000);
      assert.deepEqual(
        drA(sent.slice(mark3)),
        [
          [7, 2],
          [8, 2],
        ],
        'DR Signal 2 repeated periodically',
      );
      backup.publish(1, [{ msgType: 40, securityCode: 5, nominalPrice: 2 }]);
      return { rt, lastBefore, lastSeqNum, backup, sent, clock };
    } finally {
      await primary.stop();
      await backup.stop();
      assert.equal(clock.pending, 0, 'every timer cancelled');
    }
  }

  it("drNumbering 'continue': real-time numbering and the retransmission window carry over", async () => {
    const r = await drRun('continue');
    assert.equal(r.rt.length, 0, 'no real-time data before the next publish');
    assert.equal(r.lastSeqNum, r.lastBefore);
    assert.equal(r.backup.nextSeq(1), r.lastBefore + 2);
    assert.ok(r.backup.window(1).covers(1, r.lastBefore + 1));
  });

  it("drNumbering 'resetTo1WithSequenceReset': Sequence Reset as message 1, refresh at LastSeqNum 1, books kept", async () => {
    const r = await drRun('resetTo1WithSequenceReset');
    assert.deepEqual(
      r.rt.map((s) => [s.p.header.seqNum, s.p.messages[0]!.msgType]),
      [[1, 100]],
    );
    assert.equal(r.lastSeqNum, 1);
    assert.equal(r.backup.nextSeq(1), 3);
    assert.ok(!r.backup.window(1).covers(1, 3) && r.backup.window(1).covers(1, 2));
  });

  it('a takeover without state (the primary lost) sends DR Signal 1 itself, resets numbering and then DR Signal 2', async () => {
    const { pub, sent } = capture({ site: 'backup' }, feed(['SS']));
    await pub.start();
    try {
      pub.takeOver();
      const seq = sent.flatMap((s) =>
        s.line === 'dr' && s.group.endsWith('.1') ? s.p.messages.map((m) => `${m.msgType}:${(m as { drStatus?: number }).drStatus ?? ''}`) : [],
      );
      assert.deepEqual(seq, ['105:1', '105:2']);
      assert.deepEqual(realtime(sent, 1)[0]!.p.messages, [{ msgType: 100, newSeqNo: 1 }]);
    } finally {
      await pub.stop();
    }
  });
});

describe('OmdPublisher on real loopback multicast', () => {
  it('a receiver joined to line A gets the Sequence Reset and the data', async () => {
    const cfg = loopbackFeed({ products: ['SS'], groupBase: 201, basePort: 53150, rtsPorts: [0, 0, 0, 0] });
    const got: DecodedPacket[] = [];
    const rx = await createMulticastReceiver(cfg.channels[0]!.lineA, (buf) => {
      const p = decodePacket(buf);
      if (p.ok) got.push(p);
    });
    const pub = new OmdPublisher(cfg, { refreshIntervalMs: 0 });
    try {
      await pub.start();
      pub.publish(1, [{ msgType: 40, securityCode: 700, nominalPrice: 385_200 }]);
      await waitFor('the Sequence Reset and the data on line A', () => got.length >= 2);
      assert.deepEqual(
        got.map((p) => [p.header.seqNum, p.messages[0]!.msgType]),
        [
          [1, 100],
          [2, 40],
        ],
      );
    } finally {
      await pub.stop();
      await rx.close();
    }
  });
});

describe('OmdPublisher + MarketGenerator determinism', () => {
  it('same seed and clock → byte-identical datagrams on every line', async () => {
    const runOnce = async (seed: number) => {
      const cfg = feed(['SS', 'SP', 'SF', 'Index']);
      const { pub, sent, clock } = capture({ refreshIntervalMs: 1_000 }, cfg);
      const gen = new MarketGenerator({ seed, securities: 10, channels: cfg.channels.map((c) => ({ channelId: c.channelId, product: c.product })) });
      await pub.start();
      for (const b of gen.startOfDay()) pub.publish(b.channelId, b.msgs);
      for (let i = 0; i < 1500; i++) {
        for (const b of gen.next(clock.now())) pub.publish(b.channelId, b.msgs);
        clock.advance(3);
      }
      await pub.stop();
      return sent.map((s) => `${s.line} ${s.group}:${s.port} ${Buffer.from(s.bytes).toString('hex')}`);
    };
    const a = await runOnce(21);
    assert.deepEqual(await runOnce(21), a);
    assert.notDeepEqual(await runOnce(22), a);
    assert.ok(a.length > 1000);
  });
});

describe('OmdPublisher start failure', () => {
  it('releases its sockets when an RTS port is taken, and reports the error', async () => {
    const first = new OmdPublisher(loopbackFeed({ products: ['SS'], groupBase: 201, basePort: 53170, rtsPorts: [53190, 0, 0, 0] }), {
      clock: new ManualClock(),
      refreshIntervalMs: 0,
    });
    await first.start();
    const clock = new ManualClock();
    const second = new OmdPublisher(loopbackFeed({ products: ['SS'], groupBase: 201, basePort: 53170, rtsPorts: [53190, 0, 0, 0] }), {
      clock,
      refreshIntervalMs: 0,
    });
    try {
      await assert.rejects(second.start(), /EADDRINUSE/);
      assert.equal(second.mode, 'stopped');
      assert.equal(clock.pending, 0);
    } finally {
      await first.stop();
    }
  });
});

describe('OmdPublisher refresh cadence after a takeover (§4.5 "restart refresh cycles", OMD-C 4.4)', () => {
  it('a handler that joins the refresh channel on DR Signal 2 has a whole snapshot within two fast cycles, then the normal period resumes', async () => {
    const cfg = feed(['SS']);
    const { pub, sent, clock } = capture({ site: 'backup', refreshIntervalMs: 1_000, heartbeatIntervalMs: 500, takeoverRefreshIntervalMs: 100 }, cfg);
    await pub.start();
    // The handler's refresh client; fed by hand with what the publisher sent on channel 1's refresh group
    // after DR Signal 2 (its own group is unused, so nothing arrives on the socket).
    const snaps: RefreshSnapshot[] = [];
    const rc = new RefreshRecovery({ endpoint: { group: '239.201.99.3', port: 53199 }, clock, onSnapshot: (x) => snaps.push(x) });
    try {
      pub.takeOver();
      const dr2 = sent.findIndex((s) => s.line === 'dr' && s.p.messages.some((m) => m.msgType === 105 && m.drStatus === 2));
      assert.ok(dr2 > 0);
      assert.ok(
        sent.slice(0, dr2).some((s) => s.line === 'refresh' && s.p.header.msgCount > 0),
        'a cycle right at takeover, before DR 2',
      );
      pub.publish(1, [{ msgType: 40, securityCode: 5, nominalPrice: 777 }]);
      await rc.start(); // joins on DR Signal 2: the takeover cycle has gone already
      let fed = sent.length;
      const feedRefresh = () => {
        for (const s of sent.slice(fed)) if (s.line === 'refresh' && s.channelId === 1) rc.onDatagram(s.bytes);
        fed = sent.length;
      };
      let at = 0;
      while (snaps.length === 0 && at < 2_500) {
        clock.advance(50);
        at += 50;
        feedRefresh();
      }
      // Without the fast cadence the next cycles come at 1,000 and 2,000 ms (discard to the first 203, collect the second).
      assert.equal(snaps.length, 1);
      assert.ok(at <= 200, `snapshot complete ${at} ms after DR 2`);
      assert.equal(snaps[0]!.lastSeqNum, pub.nextSeq(1) - 1);
      assert.equal(snaps[0]!.image.digest('SS'), pub.image(1).digest('SS'), "the snapshot equals the venue's image");
      // The fast cadence lasts one refresh period (here ≥ 2 heartbeats = 1,000 ms), then one cycle per period.
      clock.advance(1_000 - at);
      const cycles = () => pub.counters.refreshCycles;
      const before = cycles();
      clock.advance(2_000);
      assert.equal(cycles() - before, 2, 'back to one cycle per refresh period');
    } finally {
      await rc.stop();
      await pub.stop();
      assert.equal(clock.pending, 0, 'every timer cancelled');
    }
  });
});

// FeedHandler against a hand-driven feed on loopback multicast (spec/omd-c.md §3.5, §3.6, §4.1, §4.5, §12 U1):
// start-up refresh, Sequence Reset, DR state machine, renumbering, gap beyond the RTS window, bad input.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  encodePacket,
  FeedHandler,
  loopbackFeed,
  type DrEvent,
  type FeedHandlerOptions,
  type RecoveredEvent,
  type StaleEvent,
  type SuspectEvent,
} from '../../src/omd/index.ts';
import { ManualClock, SharedMulticastReceivers } from '../../src/wire/index.ts';
import { FakeFeed, imageOf, order, orders, until } from './fake-feed.ts';

let portSlot = 0;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A feed on its own groups and ports (55100+, 20 per test) so test files can run in parallel. */
async function setup(opts: Partial<FeedHandlerOptions> = {}) {
  const k = portSlot++;
  const cfg = loopbackFeed({ products: ['SF'], groupBase: 210 + k, basePort: 55100 + 20 * k, rtsPorts: [55100 + 20 * k + 10] });
  const feed = await new FakeFeed(cfg).open();
  const h = new FeedHandler(cfg, { rtsUsername: 'TEST', arbitrationTimeoutMs: 20, rts: { responseTimeoutMs: 200 }, ...opts });
  const events = { stale: [] as StaleEvent[], dr: [] as DrEvent[], recovered: [] as RecoveredEvent[], refreshes: 0 };
  h.on('stale', (e) => events.stale.push(e));
  h.on('dr', (e) => events.dr.push(e));
  h.on('recovered', (e) => events.recovered.push(e));
  h.on('refresh-complete', () => events.refreshes++);
  cleanups.push(
    () => feed.close(),
    () => h.stop(),
  );
  await h.start();
  return { cfg, feed, h, events, ch: cfg.channels[0]!.channelId };
}

/** Sends a full day up to `last` (reset at 1, orders after) and syncs the handler from refresh. */
async function syncAt(t: Awaited<ReturnType<typeof setup>>, last: number) {
  const ok = await until(
    () => t.h.synchronised,
    3000,
    () => t.feed.refresh(orders(2, last), last),
  );
  assert.ok(ok, 'handler synchronised from refresh');
}

describe('FeedHandler: start-up (OMD-C 2.2, 4.4)', () => {
  it('a late starter caches real-time, takes the refresh, drops SN ≤ LastSeqNum and continues', async () => {
    const t = await setup();
    const seen: number[] = [];
    t.h.on('message', (e) => seen.push(e.seq));
    assert.equal(t.h.synchronised, false);
    t.feed.send('AB', 11, orders(11, 12)); // cached while the refresh is awaited
    await t.feed.delivered();
    // Refresh reflects 12: cached 11-12 are dropped, not applied twice.
    await syncAt(t, 12);
    t.feed.send('A', 13, orders(13, 15));
    t.feed.send('B', 13, orders(13, 14));
    t.feed.send('B', 15, orders(15, 15));
    assert.ok(await until(() => t.h.status(t.ch).expected === 16));
    assert.equal(t.h.image(t.ch).digest('SF'), imageOf(orders(2, 15)).digest('SF'));
    assert.equal(t.h.counters.duplicates >= 3, true);
    assert.equal(t.h.counters.gapsSeen, 0);
    assert.equal(t.h.image(t.ch).anomalies.unknownOrder, 0);
    assert.deepEqual(seen, [13, 14, 15], "'message' events: the applied real-time messages, in order");
  });

  it('real-time beyond the snapshot is applied on top of it', async () => {
    const t = await setup();
    t.feed.send('AB', 8, orders(8, 10));
    await t.feed.delivered();
    await syncAt(t, 9);
    assert.equal(t.h.status(t.ch).expected, 11);
    assert.equal(t.h.image(t.ch).digest('SF'), imageOf(orders(2, 10)).digest('SF'));
  });
});

describe('FeedHandler: Sequence Reset (OMD-C 3.4.2, spec §4.1)', () => {
  it("clears the channel, refreshes, and counts one reset for both lines' copies", async () => {
    const t = await setup();
    await syncAt(t, 20);
    t.feed.send('AB', 1, [{ msgType: 100, newSeqNo: 1 }]);
    assert.ok(await until(() => t.h.counters.sequenceResets === 1 && !t.h.synchronised));
    await t.feed.delivered();
    assert.equal(t.h.counters.sequenceResets, 1);
    assert.deepEqual(t.h.image(t.ch).securities(), [], 'instruments cleared at once');
    t.feed.send('AB', 2, orders(2, 3));
    assert.ok(
      await until(
        () => t.h.synchronised,
        3000,
        () => t.feed.refresh(orders(2, 3), 3),
      ),
    );
    t.feed.send('AB', 4, orders(4, 4));
    assert.ok(await until(() => t.h.status(t.ch).expected === 5));
    assert.equal(t.h.image(t.ch).digest('SF'), imageOf(orders(2, 4)).digest('SF'));
  });
});

describe('FeedHandler: fault ignoreSequenceReset', () => {
  it('takes the new numbering but keeps the old instruments and does not refresh', async () => {
    const t = await setup({ ignoreSequenceReset: true });
    await syncAt(t, 20);
    const before = t.events.refreshes;
    t.feed.send('AB', 1, [{ msgType: 100, newSeqNo: 1 }, order(2)]);
    assert.ok(await until(() => t.h.status(t.ch).expected === 3));
    await t.feed.delivered();
    assert.equal(t.h.counters.sequenceResets, 1);
    assert.equal(t.events.refreshes, before);
    assert.equal(t.h.image(t.ch).orders(5).length, 19 + 0, 'orders 2-20 kept; order 2 re-added over the old one');
    assert.equal(t.h.synchronised, true);
  });
});

describe('FeedHandler: gap beyond what the RTS can give (spec §3.6)', () => {
  it('a hole older than the RTS window goes to refresh, reported as recovered via refresh', async () => {
    const t = await setup({ rts: { windowSize: 5 } });
    await syncAt(t, 10);
    t.feed.send('AB', 11, orders(11, 11));
    t.feed.send('AB', 20, orders(20, 30)); // 12-19 lost on both lines; 12 < 30 - 5 + 1
    assert.ok(await until(() => t.h.counters.gapsSeen === 1));
    assert.ok(
      await until(
        () => t.h.synchronised,
        3000,
        () => t.feed.refresh(orders(2, 25), 25),
      ),
    );
    assert.ok(await until(() => t.h.status(t.ch).expected === 31));
    assert.deepEqual(
      t.events.recovered.map((e) => [e.via, e.range.from, e.range.to]),
      [['refresh', 12, 19]],
    );
    assert.equal(t.h.counters.recoveredByRefresh, 1);
    assert.equal(t.h.counters.rtsRequests, 0, 'never asked the RTS for what it no longer keeps');
    assert.equal(t.h.image(t.ch).digest('SF'), imageOf(orders(2, 30)).digest('SF'));
  });

  it('no RTS endpoint answering: falls back to refresh', async () => {
    const t = await setup();
    await syncAt(t, 10);
    t.feed.send('AB', 13, orders(13, 14)); // 11-12 lost
    assert.ok(await until(() => t.h.counters.gapsSeen === 1));
    assert.ok(await until(() => t.h.status(t.ch).refreshing === 'gap'));
    assert.ok(
      await until(
        () => t.h.synchronised,
        3000,
        () => t.feed.refresh(orders(2, 14), 14),
      ),
    );
    assert.equal(t.h.image(t.ch).digest('SF'), imageOf(orders(2, 14)).digest('SF'));
    assert.deepEqual(
      t.events.recovered.map((e) => e.via),
      ['refresh'],
    );
  });
});

describe('FeedHandler: DR state machine (OMD-C 2.2.4, 3.4.3; spec §4.5)', () => {
  it('DR 1 clears and marks stale; repeats are no-ops; DR 2 rebuilds every channel from refresh', async () => {
    const t = await setup();
    await syncAt(t, 10);
    t.feed.dr(1, 1);
    assert.ok(await until(() => t.h.drState === 'DR_IN_PROGRESS'));
    assert.deepEqual(t.h.image(t.ch).securities(), []);
    assert.equal(t.h.synchronised, false);
    assert.ok(t.events.stale.some((e) => e.reason === 'dr-in-progress'));
    t.feed.dr(2, 1);
    // The backup site continues the numbering (drNumbering 'continue'); held until DR 2.
    t.feed.send('AB', 11, orders(11, 12));
    await t.feed.delivered();
    assert.deepEqual(t.h.image(t.ch).securities(), [], 'nothing applied while DR is in progress');
    t.feed.dr(3, 2);
    assert.ok(await until(() => t.h.drState === 'DR_COMPLETED'));
    assert.ok(
      await until(
        () => t.h.synchronised,
        3000,
        () => t.feed.refresh(orders(2, 11), 11),
      ),
    );
    t.feed.dr(4, 2);
    t.feed.dr(5, 2);
    await t.feed.delivered();
    assert.deepEqual(
      t.events.dr.map((e) => e.state),
      ['DR_IN_PROGRESS', 'DR_COMPLETED'],
    );
    assert.equal(t.h.counters.drSignals, 5);
    assert.equal(t.h.status(t.ch).expected, 13);
    assert.equal(t.h.image(t.ch).digest('SF'), imageOf(orders(2, 12)).digest('SF'));
  });

  it('DR 1 joins the refresh group already; a snapshot before DR 2 is not taken; after DR 2 a Refresh Complete then a whole snapshot', async () => {
    const t = await setup();
    await syncAt(t, 10);
    assert.ok(await until(() => !t.h.status(t.ch).refreshJoined), 'left the refresh group after the start-up refresh (OMD-C 4.4 step 4)');
    t.feed.dr(1, 1);
    assert.ok(await until(() => t.h.drState === 'DR_IN_PROGRESS'));
    // Without the early join the group is joined only on DR 2.
    assert.ok(await until(() => t.h.status(t.ch).refreshJoined), 'joined on DR Signal 1 (get ready, spec §4.5)');
    // Two whole cycles while DR is in progress (could be the failing site's): neither is taken.
    t.feed.refresh(orders(2, 20), 20);
    t.feed.refresh(orders(2, 20), 20);
    await t.feed.delivered();
    assert.equal(t.h.synchronised, false);
    assert.deepEqual(t.h.image(t.ch).securities(), []);
    t.feed.send('AB', 11, orders(11, 12));
    t.feed.dr(2, 2);
    assert.ok(await until(() => t.h.drState === 'DR_COMPLETED'));
    assert.equal(t.events.refreshes, 1, 'only the start-up refresh so far');
    // After DR 2: discard up to a Refresh Complete, then the next whole snapshot (spec §3.5).
    t.feed.refresh(orders(2, 10), 10); // its 203 is the marker; what precedes it is discarded
    await t.feed.delivered();
    assert.equal(t.h.synchronised, false, 'the first cycle after DR 2 only marks the start');
    t.feed.refresh(orders(2, 11), 11);
    assert.ok(await until(() => t.h.synchronised));
    assert.equal(t.events.refreshes, 2);
    assert.equal(t.h.status(t.ch).expected, 13);
    assert.equal(t.h.image(t.ch).digest('SF'), imageOf(orders(2, 12)).digest('SF'));
    assert.ok(await until(() => !t.h.status(t.ch).refreshJoined), 'left the refresh group again');
  });

  it('DR with numbering restarted at 1 by a Sequence Reset ends equal to the new site', async () => {
    const t = await setup();
    await syncAt(t, 50);
    t.feed.dr(1, 1);
    assert.ok(await until(() => t.h.drState === 'DR_IN_PROGRESS'));
    t.feed.send('AB', 1, [{ msgType: 100, newSeqNo: 1 }, order(2)]);
    t.feed.dr(2, 2);
    assert.ok(await until(() => t.h.drState === 'DR_COMPLETED'));
    assert.ok(
      await until(
        () => t.h.synchronised,
        3000,
        () => t.feed.refresh(orders(2, 2), 2),
      ),
    );
    t.feed.send('AB', 3, orders(3, 4));
    assert.ok(await until(() => t.h.status(t.ch).expected === 5));
    assert.equal(t.h.image(t.ch).digest('SF'), imageOf(orders(2, 4)).digest('SF'));
  });

  it('a late joiner that only sees DR 2 does its normal start-up refresh, nothing more', async () => {
    const t = await setup();
    t.feed.dr(7, 2);
    assert.ok(await until(() => t.h.drState === 'DR_COMPLETED'));
    await syncAt(t, 10);
    assert.equal(t.events.refreshes, 1);
    assert.deepEqual(
      t.events.dr.map((e) => [e.previous, e.state]),
      [['NORMAL', 'DR_COMPLETED']],
    );
  });

  it('a stale copy of DR 1 from the slower line after DR 2 does not restart the DR', async () => {
    const t = await setup();
    await syncAt(t, 5);
    t.feed.dr(1, 1, 'A');
    t.feed.dr(2, 2, 'A');
    assert.ok(await until(() => t.h.drState === 'DR_COMPLETED'));
    t.feed.dr(1, 1, 'B');
    t.feed.dr(2, 2, 'B');
    await t.feed.delivered();
    assert.equal(t.h.drState, 'DR_COMPLETED');
    assert.equal(t.events.dr.length, 2);
  });

  it('fault ignoreDisasterRecovery: counts the signals, keeps the old book (stale)', async () => {
    const t = await setup({ ignoreDisasterRecovery: true });
    await syncAt(t, 10);
    const before = t.h.image(t.ch).digest('SF');
    t.feed.dr(1, 1);
    t.feed.dr(2, 2);
    assert.ok(await until(() => t.h.counters.drSignals === 2));
    assert.equal(t.h.drState, 'NORMAL');
    assert.equal(t.h.image(t.ch).digest('SF'), before);
    assert.equal(t.events.dr.length, 2);
    assert.ok(t.events.dr.every((e) => e.ignored));
  });
});

describe('FeedHandler: defensive resync (spec §3.3, §12 U1)', () => {
  it('both lines restarting the numbering without a Sequence Reset trigger a refresh', async () => {
    const t = await setup();
    await syncAt(t, 100);
    t.feed.send('AB', 101, orders(101, 102));
    assert.ok(await until(() => t.h.status(t.ch).expected === 103));
    t.feed.send(
      'AB',
      1,
      orders(1, 3).map((m, i) => ({ ...m, orderId: BigInt(1000 + i) }) as typeof m),
    );
    assert.ok(await until(() => t.h.counters.resyncs === 1));
    assert.equal(t.h.synchronised, false);
    const snap = orders(2, 102);
    assert.ok(
      await until(
        () => t.h.synchronised,
        3000,
        () => t.feed.refresh(snap, 3),
      ),
    );
    assert.equal(t.h.status(t.ch).expected, 4);
  });
});

describe('FeedHandler: bad input never crashes (spec §2.2)', () => {
  it('counts undecodable packets, drops them, and carries on', async () => {
    const t = await setup();
    await syncAt(t, 4);
    t.feed.raw('A', new Uint8Array([1, 2, 3]));
    const bad = new Uint8Array(40);
    bad[0] = 40;
    bad[2] = 3;
    bad[4] = 5; // claims 3 messages, holds zeros
    t.feed.raw('A', bad);
    t.feed.raw('B', bad);
    t.feed.send('AB', 5, orders(5, 6));
    assert.ok(await until(() => t.h.status(t.ch).expected === 7));
    assert.equal(t.h.counters.decodeErrors, 3);
    assert.equal(t.h.image(t.ch).digest('SF'), imageOf(orders(2, 6)).digest('SF'));
  });
});

describe('FeedHandler: one forged datagram never holds a channel stale (ahead window)', () => {
  const T0 = 1767922200000000000n;

  it('a valid header one million ahead on line A is counted as suspect; no gap, no refresh, the channel stays live', async () => {
    const clock = new ManualClock();
    const t = await setup({ clock });
    await syncAt(t, 10);
    const suspects: SuspectEvent[] = [];
    t.h.on('suspect', (e) => suspects.push(e));
    const staleBefore = t.events.stale.length;
    t.feed.raw('A', encodePacket(1_000_011, T0, [order(1_000_011)]));
    t.feed.send('AB', 11, orders(11, 12));
    assert.ok(await until(() => t.h.status(t.ch).expected === 13 && suspects.length === 1));
    await t.feed.delivered();
    clock.advance(100); // well past the 20 ms arbitration timeout
    assert.equal(suspects.length, 1);
    assert.deepEqual(suspects[0], { channelId: t.ch, line: 'A', seq: 1_000_011, count: 1, expected: 11 });
    assert.equal(t.h.counters.suspect, 1);
    assert.equal(t.h.counters.gapsSeen, 0);
    assert.equal(t.events.stale.length, staleBefore);
    assert.equal(t.h.synchronised, true);
    assert.equal(t.h.image(t.ch).digest('SF'), imageOf(orders(2, 12)).digest('SF'));
  });

  it('a forged packet cached during the start-up refresh is dropped at the snapshot; no gap follows', async () => {
    const clock = new ManualClock();
    const t = await setup({ clock });
    t.feed.raw('A', encodePacket(1_000_000, T0, [order(1_000_000)]));
    t.feed.send('AB', 9, orders(9, 10));
    await t.feed.delivered();
    await syncAt(t, 10);
    t.feed.send('AB', 11, orders(11, 11));
    assert.ok(await until(() => t.h.status(t.ch).expected === 12));
    await t.feed.delivered();
    clock.advance(100); // well past the 20 ms arbitration timeout
    assert.equal(t.h.counters.suspect, 1);
    assert.equal(t.h.counters.gapsSeen, 0);
    assert.equal(t.events.refreshes, 1);
    assert.equal(t.h.synchronised, true);
  });
});

describe('FeedHandler: a heartbeat is exactly the 16-byte header (OMD-C 3.4.1)', () => {
  it('40 bytes with MsgCount 0 and PktSize 40 is a decode error, no heartbeat, no gap hint', async () => {
    const clock = new ManualClock();
    const t = await setup({ clock });
    await syncAt(t, 10);
    const errors: { channelId: number; code: string }[] = [];
    t.h.on('decode-error', (e) => errors.push(e));
    const heartbeats = t.h.counters.heartbeats;
    const bad = new Uint8Array(40);
    bad[0] = 40;
    bad[2] = 0;
    bad[4] = 15; // PktSize 40, MsgCount 0, SeqNum 15 (ahead of expected 11)
    t.feed.raw('A', bad);
    t.feed.raw('B', bad);
    assert.ok(await until(() => errors.length === 2));
    clock.advance(100); // well past the 20 ms arbitration timeout
    assert.deepEqual(errors, [
      { channelId: t.ch, code: 'BAD_HEARTBEAT' },
      { channelId: t.ch, code: 'BAD_HEARTBEAT' },
    ]);
    assert.equal(t.h.counters.heartbeats, heartbeats);
    assert.equal(t.h.counters.gapsSeen, 0);
    assert.equal(t.h.synchronised, true);
    t.feed.heartbeat('AB', 10); // a real one is still a heartbeat
    assert.ok(await until(() => t.h.counters.heartbeats === heartbeats + 2));
  });
});

describe('FeedHandler: handlers of one process sharing one socket per group', () => {
  it('each handler takes the refresh and every real-time packet on its own; one stopping leaves the other live', async () => {
    const pool = new SharedMulticastReceivers();
    const t = await setup({ join: pool.join });
    const other = new FeedHandler(t.cfg, { rtsUsername: 'TEST2', arbitrationTimeoutMs: 20, rts: { responseTimeoutMs: 200 }, join: pool.join });
    cleanups.push(() => other.stop());
    await other.start();
    // Lines A and B and the DR channel's two lines: one socket each for both handlers, and the
    // refresh group while the start-up refresh runs.
    assert.ok(await until(() => pool.sockets === 5), `five shared sockets, not ${pool.sockets}`);
    assert.equal(pool.listeners(t.cfg.channels[0]!.lineA), 2);
    assert.equal(pool.listeners(t.cfg.channels[0]!.refresh), 2);
    const ok = await until(
      () => t.h.synchronised && other.synchronised,
      3000,
      () => t.feed.refresh(orders(2, 12), 12),
    );
    assert.ok(ok, 'both handlers synchronised from the refresh');
    assert.ok(await until(() => pool.sockets === 4), 'the refresh group is left once both have their snapshot');
    t.feed.send('AB', 13, orders(13, 15));
    assert.ok(await until(() => t.h.status(t.ch).expected === 16 && other.status(t.ch).expected === 16));
    const want = imageOf(orders(2, 15)).digest('SF');
    assert.equal(t.h.image(t.ch).digest('SF'), want);
    assert.equal(other.image(t.ch).digest('SF'), want);
    assert.equal(t.h.counters.gapsSeen + other.counters.gapsSeen, 0);

    await other.stop();
    assert.equal(pool.listeners(t.cfg.channels[0]!.lineA), 1);
    t.feed.send('A', 16, orders(16, 16));
    assert.ok(await until(() => t.h.status(t.ch).expected === 17), 'the remaining handler still receives');
    assert.equal(other.status(t.ch).expected, 16);
    await t.h.stop();
    assert.equal(pool.sockets, 0, 'the last handler closes every shared socket');
  });
});

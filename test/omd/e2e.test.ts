// Publisher → loopback multicast lines A/B, refresh, RTS → FeedHandler, with the
// publisher's lossFilter test hook (spec/omd-c.md §3.3–3.6, §4.5). Ports 55500+.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  FeedHandler,
  MarketGenerator,
  OmdPublisher,
  loopbackFeed,
  type FeedConfig,
  type GapEvent,
  type PublisherLine,
  type RecoveredEvent,
  type RtsClientRequestEvent,
} from '../../src/omd/index.ts';
import { turn } from '../helpers/wait.ts';
import { until } from './fake-feed.ts';

let slot = 0;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type LossFilter = (line: PublisherLine, channelId: number, firstSeq: number, msgCount: number) => boolean;

interface StackOpts {
  loss?: LossFilter;
  pubWindow?: number;
  handlerWindow?: number;
  drNumbering?: 'continue' | 'resetTo1WithSequenceReset';
  backup?: boolean;
  backupLoss?: LossFilter;
  rtsHeartbeatMs?: number;
}

async function stack(o: StackOpts = {}) {
  const k = slot++;
  const base = 55500 + 20 * k;
  // RTS servers listen on ephemeral ports (fixed ones may be taken by someone's outgoing connection).
  const cfg: FeedConfig = loopbackFeed({ products: ['SS', 'SF', 'Index'], groupBase: 230 + k, basePort: base, rtsPorts: [0, 0, 0, 0] });
  const gen = new MarketGenerator({ seed: 11 + k, securities: 24, channels: cfg.channels.map((c) => ({ channelId: c.channelId, product: c.product })) });
  const common = {
    heartbeatIntervalMs: 50,
    refreshIntervalMs: 100,
    rts: {
      users: ['TESTUSER01'],
      ...(o.pubWindow ? { windowSize: o.pubWindow } : {}),
      ...(o.rtsHeartbeatMs ? { heartbeatIntervalMs: o.rtsHeartbeatMs, heartbeatResponseTimeoutMs: o.rtsHeartbeatMs } : {}),
    },
  };
  const pub = new OmdPublisher(cfg, { ...common, site: 'primary', ...(o.loss ? { lossFilter: o.loss } : {}) });
  const backup = o.backup
    ? new OmdPublisher(cfg, { ...common, site: 'backup', drNumbering: o.drNumbering ?? 'continue', ...(o.backupLoss ? { lossFilter: o.backupLoss } : {}) })
    : null;
  let h: FeedHandler | null = null;
  cleanups.push(async () => {
    await h?.stop();
    await pub.stop();
    await backup?.stop();
  });
  await pub.start();
  if (backup) await backup.start();
  h = new FeedHandler(
    { ...cfg, rts: [...pub.rtsEndpoints, ...(backup?.rtsEndpoints ?? [])] },
    {
      rtsUsername: 'TESTUSER01',
      arbitrationTimeoutMs: 20,
      rts: { responseTimeoutMs: 500, ...(o.handlerWindow ? { windowSize: o.handlerWindow } : {}) },
    },
  );
  const gaps: GapEvent[] = [];
  const recovered: RecoveredEvent[] = [];
  const rtsRequests: RtsClientRequestEvent[] = [];
  h.on('gap', (e) => gaps.push(e));
  h.on('recovered', (e) => recovered.push(e));
  h.on('rts-request', (e) => rtsRequests.push(e));
  await h.start();
  // The handler joins after the start-of-day reset: one start-up refresh, then everything is real-time.
  assert.ok(await until(() => h.synchronised, 5000), 'synchronised from the first refresh');
  let active = pub;
  /** Publishes `events` generator events synchronously (no timer can interleave). */
  const burst = (events: number) => {
    for (let i = 0; i < events; i++) for (const b of gen.next()) active.publish(b.channelId, b.msgs);
  };
  /** Publishes in slices, yielding so the receive buffers drain. */
  const pump = async (events: number) => {
    for (let i = 0; i < events; i += 50) {
      burst(Math.min(50, events - i));
      await turn();
    }
  };
  const caughtUp = () =>
    cfg.channels.every((c) => {
      const s = h.status(c.channelId);
      return s.mode === 'live' && !s.stale && s.expected === active.nextSeq(c.channelId);
    });
  const digests = (full: boolean) =>
    cfg.channels.map((c) => {
      const a = h.image(c.channelId);
      const b = active.image(c.channelId);
      return full ? [a.digest(), b.digest()] : [a.digest(c.product), b.digest(c.product)];
    });
  const start = async () => {
    for (const b of gen.startOfDay()) active.publish(b.channelId, b.msgs);
    assert.ok(await until(caughtUp), 'start of day received');
  };
  return {
    cfg,
    gen,
    pub,
    backup,
    h,
    gaps,
    recovered,
    rtsRequests,
    burst,
    pump,
    caughtUp,
    digests,
    start,
    switchTo: (p: OmdPublisher) => {
      active = p;
    },
  };
}

function assertBooksEqual(d: string[][]) {
  assert.equal(d.length, 3, 'one pair of digests per channel');
  for (const [mine, theirs] of d) assert.equal(mine, theirs);
}

describe('e2e: loss on one line only is invisible (OMD-C 4.1)', () => {
  it("drops a seventh of line A: no gap, books equal to the publisher's", async () => {
    const t = await stack({ loss: (line, _ch, first, n) => line === 'A' && n > 0 && first % 7 < 3 });
    await t.start();
    await t.pump(1500);
    assert.ok(await until(t.caughtUp), 'caught up');
    assert.ok(t.pub.counters.lineA.suppressed > 10, 'line A really lost packets');
    assert.deepEqual(t.gaps, []);
    assert.equal(t.h.counters.gapsSeen, 0);
    assert.equal(t.h.counters.rtsRequests, 0);
    assert.ok(t.h.counters.duplicates > 0);
    assertBooksEqual(t.digests(true));
  });
});

describe('e2e: loss on both lines is recovered by retransmission (OMD-C 4.3)', () => {
  it('recovers exactly the lost range from the RTS', async () => {
    let lose = false;
    const lost: { from: number; to: number }[] = [];
    const t = await stack({
      loss: (line, ch, first, n) => {
        if (!lose || ch !== 2 || line === 'refresh' || n === 0) return false;
        if (line === 'A') lost.push({ from: first, to: first + n - 1 });
        return true;
      },
    });
    await t.start();
    await t.pump(300);
    assert.ok(await until(t.caughtUp));
    lose = true;
    t.burst(200);
    lose = false;
    t.burst(50);
    await t.pump(200);
    assert.ok(await until(t.caughtUp, 5000), 'caught up');
    assert.ok(lost.length > 0);
    const range = { from: lost[0]!.from, to: lost[lost.length - 1]!.to };
    assert.equal(
      range.to - range.from + 1,
      lost.reduce((s, r) => s + r.to - r.from + 1, 0),
      'one contiguous hole',
    );
    assert.deepEqual(t.gaps, [{ channelId: 2, range }]);
    assert.deepEqual(
      t.recovered.map((e) => [e.channelId, e.via, e.range]),
      [[2, 'rts', range]],
    );
    assert.deepEqual(
      t.rtsRequests.map((r) => [r.channelId, r.begin, r.end, r.status]),
      [[2, range.from, range.to, 0]],
    );
    assert.equal(t.h.counters.recoveredByRts, 1);
    assert.equal(t.h.counters.recoveredByRefresh, 0);
    assertBooksEqual(t.digests(true));
  });
});

describe('e2e: the RTS session stays up (OMD-C 3.5 keep-alive)', () => {
  it('echoes the server heartbeat, so an idle session is not dropped and serves a later request', async () => {
    let lose = false;
    const t = await stack({ rtsHeartbeatMs: 40, loss: (line, ch, _f, n) => lose && ch === 3 && line !== 'refresh' && n > 0 });
    const drops: { reason: string }[] = [];
    t.pub.on('rts-disconnect', (e) => drops.push(e));
    let echoed = 0;
    t.h.on('rts-heartbeat', () => {
      echoed++;
    });
    await t.start();
    await t.pump(100);
    const lossOnce = async () => {
      lose = true;
      t.burst(80);
      lose = false;
      t.burst(80);
      await t.pump(50);
      assert.ok(await until(t.caughtUp, 5000));
    };
    await lossOnce();
    const before = echoed;
    assert.ok(await until(() => echoed >= before + 5), 'several server heartbeats echoed on the idle session');
    await lossOnce();
    assert.deepEqual(drops, []);
    assert.equal(t.h.counters.recoveredByRts, 2);
    assert.equal(t.rtsRequests.length, 2);
  });
});

describe('e2e: loss past the retransmission window is recovered by refresh (OMD-C 4.4)', () => {
  it('does not ask the RTS for what it no longer keeps, and rebuilds from refresh', async () => {
    let lose = false;
    const lost: number[] = [];
    const t = await stack({
      pubWindow: 300,
      handlerWindow: 300,
      loss: (line, ch, first, n) => {
        if (!lose || ch !== 1 || line === 'refresh' || n === 0) return false;
        if (line === 'A') lost.push(first, first + n - 1);
        return true;
      },
    });
    await t.start();
    await t.pump(200);
    assert.ok(await until(t.caughtUp));
    lose = true;
    t.burst(1200);
    lose = false;
    t.burst(20);
    await t.pump(100);
    assert.ok(await until(t.caughtUp, 5000), 'caught up');
    const range = { from: Math.min(...lost), to: Math.max(...lost) };
    assert.ok(range.to - range.from + 1 > 300, `the hole (${range.to - range.from + 1}) is wider than the window`);
    assert.deepEqual(
      t.recovered.map((e) => [e.channelId, e.via, e.range]),
      [[1, 'refresh', range]],
    );
    assert.equal(t.h.counters.rtsRequests, 0);
    assert.equal(t.h.counters.recoveredByRefresh, 1);
    assertBooksEqual(t.digests(false)); // refresh carries no last trade (OMD-C 4.4): compare what it carries
  });

  it('an RTS answering "not available" (status 2) sends the handler to refresh', async () => {
    let lose = false;
    const t = await stack({
      pubWindow: 100, // the server keeps less than the handler believes
      loss: (line, ch, _f, n) => lose && ch === 1 && line !== 'refresh' && n > 0,
    });
    await t.start();
    await t.pump(100);
    assert.ok(await until(t.caughtUp));
    lose = true;
    t.burst(400);
    lose = false;
    t.burst(20);
    await t.pump(100);
    assert.ok(await until(t.caughtUp, 5000), 'caught up');
    assert.deepEqual(
      t.rtsRequests.map((r) => r.status),
      [2],
    );
    assert.deepEqual(
      t.recovered.map((e) => e.via),
      ['refresh'],
    );
    assertBooksEqual(t.digests(false));
  });
});

for (const drNumbering of ['continue', 'resetTo1WithSequenceReset'] as const) {
  describe(`e2e: site failover, drNumbering ${drNumbering} (OMD-C 2.2.4, spec §4.5)`, () => {
    it("ends with the handler's books equal to the taking-over site's on every channel", async () => {
      let lose = false;
      const t = await stack({ backup: true, drNumbering, backupLoss: (line, ch, _f, n) => lose && ch === 2 && line !== 'refresh' && n > 0 });
      const states: string[] = [];
      t.h.on('dr', (e) => states.push(e.state));
      await t.start();
      await t.pump(600);
      assert.ok(await until(t.caughtUp), 'caught up with the primary');
      t.pub.beginDisasterRecovery();
      assert.ok(await until(() => t.h.drState === 'DR_IN_PROGRESS'));
      assert.ok(
        t.cfg.channels.every((c) => t.h.image(c.channelId).securities().length === 0),
        'books cleared on DR 1',
      );
      const state = t.pub.exportState();
      await t.pub.stop();
      t.backup!.takeOver(state);
      t.switchTo(t.backup!);
      await t.pump(300);
      assert.ok(await until(() => t.h.drState === 'DR_COMPLETED' && t.caughtUp(), 5000), 'caught up with the backup');
      assert.deepEqual(states, ['DR_IN_PROGRESS', 'DR_COMPLETED']);
      assertBooksEqual(t.digests(false));
      if (drNumbering === 'resetTo1WithSequenceReset')
        assert.equal(t.h.counters.sequenceResets, t.cfg.channels.length, 'one reset per channel at the takeover');

      // After the failover, retransmission comes from a backup-site endpoint (§12 U16).
      lose = true;
      t.burst(30);
      lose = false;
      t.burst(10);
      await t.pump(50);
      assert.ok(await until(t.caughtUp, 5000), 'caught up after a loss on the backup');
      assert.equal(t.recovered.at(-1)?.via, 'rts');
      assert.ok(t.rtsRequests.length >= 1 && t.rtsRequests.every((r) => r.endpoint.site === 'backup'));
      assertBooksEqual(t.digests(false));
    });
  });
}

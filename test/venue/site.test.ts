// Takeover and fail back of the two-site venue: the backup's lookup endpoints are closed
// before and open after, sessions log on at the backup with their sequence numbers continuing, the
// publishers take over with the DR signal and continuing numbering, the old primary is fenced
// (refuses connections, cannot be activated), and fail back returns the service to the primary.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Side } from '../../src/ocg/index.ts';
import { FeedHandler, RetransmissionClient } from '../../src/omd/index.ts';
import { SiteStateError, feedConfigOf, lookupEndpointsOf } from '../../src/venue/index.ts';
import { validateEvidenceEvent } from '../../src/evidence/index.ts';
import { embedded, ocgClient, testVenueConfig, waitFor, venueWithClient } from './site-harness.ts';

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** 'open' when a TCP connection is accepted, 'refused' when not. */
function probePort(host: string, port: number): Promise<'open' | 'refused'> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve('open');
    });
    s.once('error', () => resolve('refused'));
  });
}

describe('takeover by the backup site', () => {
  it('lookup closed before and open after, logon with continuing numbers, DR signal, fenced primary', async () => {
    const cfg = testVenueConfig();
    const v = await embedded(cfg);
    cleanup.push(() => v.stop());
    const [psPrimary, , bsPrimary, bsMirror] = lookupEndpointsOf(cfg, 'OTP-C');
    assert.equal(await probePort(bsPrimary!.host, bsPrimary!.port), 'refused', 'backup lookup closed while standby');
    assert.equal(await probePort(bsMirror!.host, bsMirror!.port), 'refused');
    assert.equal(await probePort(psPrimary!.host, psPrimary!.port), 'open');

    const feed = new FeedHandler(feedConfigOf(cfg, 'OMD-C'), { rtsUsername: 'F001MD' });
    cleanup.push(() => feed.stop());
    await feed.start();
    const dr: number[] = [];
    feed.on('dr', (e: { status: number }) => dr.push(e.status));

    const a = ocgClient(cfg, 'F001');
    cleanup.push(() => a.c.close());
    await a.c.start();
    assert.equal(a.c.site, 'primary');
    const first = await a.c.newOrder({ securityId: '700', side: Side.Buy, quantity: 100, price: '395.6' });
    assert.equal(first.execType, '0');
    await waitFor('feed synchronised', () => feed.synchronised);
    const before = { toSend: a.c.journal.nextToSend, expected: a.c.journal.nextExpected };
    await waitFor('journal caught up', () => v.primary.status().replication.ackedSeq === v.primary.status().replication.lastSeq);
    const gwNumbers = v.primary.sessionNumbers('OTP-C', 'F001T');
    assert.deepEqual(v.backup.sessionNumbers('OTP-C', 'F001T'), gwNumbers, 'the standby holds the session numbers');

    const iso = await v.primary.isolate({ mode: 'graceful' });
    assert.equal(iso.drSignalSent, true);
    assert.equal(v.primary.state, 'isolated');
    const seqAtLoss = v.primary.publisher('OMD-C').nextSeq(1);
    await waitFor('DR 1 journaled', () => v.backup.status().services['OMD-C'].drStatus === 1);
    const act = await v.backup.activate('test');
    assert.equal(act.changed, true);
    assert.equal(v.backup.state, 'active');
    await waitFor('primary fenced', () => v.primary.state === 'fenced');
    assert.equal(await probePort(bsPrimary!.host, bsPrimary!.port), 'open', 'backup lookup open after takeover');
    assert.equal(await probePort(psPrimary!.host, psPrimary!.port), 'refused', 'fenced primary lookup closed');
    assert.equal(await probePort(cfg.sites.primary.host, cfg.sites.primary.trading['OTP-C'].gateway), 'refused', 'fenced primary gateway closed');
    await assert.rejects(v.primary.activate(), SiteStateError, 'a fenced site is never activated again except by fail back');
    assert.equal(v.primary.publisher('OMD-C').mode, 'stopped', 'the fenced primary publishes nothing');

    // OMD: numbering continues at the backup (OMD-C §12 U1 'continue'), DR signal 1 was the primary's, 2 the backup's.
    assert.ok(v.backup.publisher('OMD-C').nextSeq(1) >= seqAtLoss);
    assert.equal(v.backup.status().services['OMD-C'].drStatus, 2);
    await waitFor('feed saw DR 1 and 2', () => dr.includes(1) && dr.includes(2));

    // OCG: the session continues at the backup with its numbers (no reset).
    await waitFor('logon at backup', () => a.c.loggedOn && a.c.site === 'backup', 15_000);
    assert.ok(a.c.journal.nextToSend >= before.toSend && a.c.journal.nextExpected >= before.expected);
    assert.ok(!a.events.some((e) => e.kind === 'logon-rejected'));
    const second = await a.c.newOrder({ securityId: '700', side: Side.Buy, quantity: 100, price: '395.4' });
    assert.equal(second.execType, '0');
    assert.notEqual(second.orderId, first.orderId);
    assert.ok(v.backup.engine('OTP-C').order(first.orderId!), 'the order acknowledged at the primary lives at the backup');
    const ev = v.backup.evidence(0).events.map((e) => e.event);
    assert.ok(ev.some((e) => e.kind === 'site-activated' && e.site === 'backup'));
    assert.ok(ev.some((e) => e.kind === 'logon' && e.identity === 'F001T' && e.subscriber === 'F001'));
    assert.ok(ev.some((e) => e.kind === 'lookup' && e.identity === 'F001T'));
    assert.ok(ev.some((e) => e.kind === 'ack' && e.identity === 'F001T' && e.site === 'backup'));
    for (const e of [...ev, ...v.primary.evidence(0).events.map((x) => x.event)]) {
      const r = validateEvidenceEvent(e);
      assert.ok(r.ok, JSON.stringify(r));
      assert.equal(e.source, 'venue');
    }
    const pev = v.primary.evidence(0).events.map((x) => x.event);
    assert.ok(pev.some((e) => e.kind === 'logon' && e.site === 'primary' && e.subscriber === 'F001'));
    assert.ok(pev.some((e) => e.kind === 'order' && e.identity === 'F001T'));
    assert.ok(pev.some((e) => e.kind === 'site-lost' && e.site === 'primary'));
  });

  it('fail back: the primary becomes standby, catches up, takes the service back; sessions reconnect to it', async () => {
    const { v, a } = await venueWithClient(cleanup);
    await a.c.newOrder({ securityId: '700', side: Side.Buy, quantity: 100, price: '395.6' });
    await v.primary.isolate({ mode: 'abrupt' });
    await v.backup.activate();
    await waitFor('primary fenced', () => v.primary.state === 'fenced');
    await waitFor('logon at backup', () => a.c.loggedOn && a.c.site === 'backup', 15_000);
    const atBackup = await a.c.newOrder({ securityId: '700', side: Side.Buy, quantity: 100, price: '395.2' });
    assert.equal(atBackup.execType, '0');

    const r = await v.primary.failback();
    assert.equal(r.ok, true);
    assert.equal(v.primary.state, 'active');
    await waitFor('backup standby again', () => v.backup.state === 'standby');
    assert.ok(v.primary.engine('OTP-C').order(atBackup.orderId!), 'the order taken at the backup is at the primary');
    await waitFor('logon back at primary', () => a.c.loggedOn && a.c.site === 'primary', 15_000);
    const back = await a.c.newOrder({ securityId: '700', side: Side.Buy, quantity: 100, price: '395.0' });
    assert.equal(back.execType, '0');
    await waitFor('backup is the standby of the primary again', () => v.primary.status().replication.connected && !v.primary.status().replication.alone);
    await waitFor('journal caught up', () => v.primary.status().replication.ackedSeq === v.primary.status().replication.lastSeq);
    assert.deepEqual(v.backup.sessionNumbers('OTP-C', 'F001T'), v.primary.sessionNumbers('OTP-C', 'F001T'));
  });

  it('the market continues at the backup from the same generator state (lockstep, also after a resync snapshot): no book anomalies', async () => {
    const cfg = testVenueConfig({ market: { eventsPerSecond: 2_000 } });
    const v = await embedded(cfg);
    cleanup.push(() => v.stop());
    const published = (site: typeof v.primary) => site.publisher('OMD-C').counters.messages;
    await waitFor('market flowing', () => published(v.primary) >= 300);
    v.backup.injectFault({ kind: 'tcp-reset' }); // the standby resyncs from a snapshot (generator replayed from its log)
    await waitFor('resynced', () => v.backup.status().replication.connected);
    const atResync = published(v.primary);
    await waitFor('market flowing after the resync', () => published(v.primary) >= atResync + 300);
    await v.primary.isolate({ mode: 'abrupt' });
    await v.backup.activate();
    const atTakeover = published(v.backup);
    await waitFor('market flowing at the backup', () => published(v.backup) >= atTakeover + 500);
    for (const svc of ['OMD-C', 'OMD-CC'] as const) {
      assert.ok(cfg.feeds[svc].channels.length > 0, svc);
      for (const ch of cfg.feeds[svc].channels) {
        // A generator out of step would delete or modify orders the image never had.
        assert.deepEqual(
          v.backup.publisher(svc).image(ch.channelId).anomalies,
          { badPriceLevel: 0, unknownOrder: 0, oversizedBrokerQueue: 0 },
          `${svc} channel ${ch.channelId}`,
        );
      }
    }
  });

  it('trades of the venue orders are published on OMD-C (Trade 50) and carried to the backup image', async () => {
    const cfg = testVenueConfig({ market: { eventsPerSecond: 0 } });
    const v = await embedded(cfg);
    cleanup.push(() => v.stop());
    const a = ocgClient(cfg, 'F001');
    const b = ocgClient(cfg, 'F002');
    cleanup.push(
      () => a.c.close(),
      () => b.c.close(),
    );
    await Promise.all([a.c.start(), b.c.start()]);
    const buy = await a.c.newOrder({ securityId: '700', side: Side.Buy, quantity: 200, price: '395.6' });
    const sell = await b.c.newOrder({ securityId: '700', side: Side.Sell, quantity: 200, price: '395.6' });
    // On the wall clock a site's Transaction Times carry microseconds (OCG-C §2.5), not a millisecond padded with 000.
    const times = [buy.transactionTime, sell.transactionTime].map(String);
    assert.equal(times.length, 2);
    for (const t of times) assert.match(t, /^\d{8}-\d{2}:\d{2}:\d{2}\.\d{6}$/);
    assert.ok(
      times.some((t) => !t.endsWith('000')),
      `microseconds filled: ${times.join(', ')}`,
    );
    const ss = cfg.feeds['OMD-C'].channels.find((c) => c.product === 'SS')!.channelId;
    await waitFor('trade published', () => v.primary.publisher('OMD-C').image(ss).security(700)?.lastTrade !== undefined);
    const t = v.primary.publisher('OMD-C').image(ss).security(700)!.lastTrade!;
    assert.equal(t.price, 395_600);
    assert.equal(t.quantity, 200);
    assert.ok(t.tradeId >= 900_000_000);
    await waitFor('journal caught up', () => v.primary.status().replication.ackedSeq === v.primary.status().replication.lastSeq);
    await v.primary.isolate({ mode: 'abrupt' });
    await v.backup.activate();
    assert.deepEqual(v.backup.publisher('OMD-C').image(ss).security(700)!.lastTrade, t);
  });

  it('retransmission requests are evidence (identity = RTS username, subscriber = firm); at the backup the window continues', async () => {
    const cfg = testVenueConfig();
    const v = await embedded(cfg);
    cleanup.push(() => v.stop());
    await waitFor('channel 1 past SN 20', () => v.primary.publisher('OMD-C').nextSeq(1) > 20);
    const feed = feedConfigOf(cfg, 'OMD-C');
    const rts = new RetransmissionClient({ endpoints: feed.rts, username: 'F002MD', onPacket: () => {} });
    cleanup.push(() => rts.close());
    const r = await rts.recover(1, 2, 20);
    assert.equal(r.outcome, 'recovered');
    const ev = v.primary.evidence(0).events.map((e) => e.event);
    const logon = ev.find((e) => e.kind === 'logon' && e.service === 'OMD-C');
    assert.equal(logon?.identity, 'F002MD');
    assert.equal(logon?.subscriber, 'F002');
    const req = ev.find((e) => e.kind === 'retransmission-request');
    assert.equal(req?.identity, 'F002MD');
    assert.deepEqual([req?.detail['beginSeqNum'], req?.detail['endSeqNum'], req?.detail['channelId']], [2, 20, 1]);
    await v.primary.isolate({ mode: 'abrupt' });
    await v.backup.activate();
    const again = new RetransmissionClient({ endpoints: feed.rts, username: 'F002MD', onPacket: () => {}, preferredSite: 'backup' });
    cleanup.push(() => again.close());
    assert.equal((await again.recover(1, 2, 20)).outcome, 'recovered', 'the backup serves the range the primary published');
    assert.ok(v.backup.evidence(0).events.some((e) => e.event.kind === 'retransmission-request' && e.event.site === 'backup'));
  });
});

describe('orderly stop of the active site (OCG-C §3.4: "OCG-C logs everyone out at service shutdown")', () => {
  it('a logged-on client receives Logout before its connection closes; the China Connect quota comes from the venue config', async () => {
    const cfg = testVenueConfig();
    cfg.chinaConnectDailyQuota = 1_000_000;
    const v = await embedded(cfg);
    cleanup.push(() => v.stop());
    assert.equal(v.primary.engine('OTP-CSC').quotaBalance, 1_000_000 * 1000, 'yuan in the config, P3 in the engine');
    const a = ocgClient(cfg, 'F001');
    cleanup.push(() => a.c.close());
    await a.c.start();
    const seen: string[] = [];
    a.c.on('session-event', (e: { type: string; text?: string; reason?: string }) => {
      if (e.type === 'logoutReceived') seen.push(`logout: ${e.text ?? ''}`);
      if (e.type === 'disconnected') seen.push(`disconnected: ${e.reason ?? ''}`);
    });
    await v.primary.stop();
    await waitFor('the client session ended', () => seen.some((s) => s.startsWith('disconnected')));
    assert.deepEqual(seen.slice(0, 2), ['logout: service shutdown', 'disconnected: logout by peer: service shutdown']);
  });
});

// A market day's phases end to end: both sites embedded on loopback, an OCG-C client sending
// orders, and our feed handler on the OMD-C multicast (loopback interface) seeing the pre-opening
// auction, a halt and resume, and a VCM trigger on the wire, books staying right throughout.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FeedHandler } from '../../src/omd/index.ts';
import type { OmdMessage } from '../../src/omd/index.ts';
import { feedConfigOf } from '../../src/venue/index.ts';
import { Side } from '../../src/ocg/index.ts';
import { embedded, ocgClient, testVenueConfig, waitFor } from './site-harness.ts';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

describe('market phases end to end over multicast', () => {
  it('pre-opening auction, halt and resume, VCM cooling-off: on the wire and in the books', { timeout: 60_000 }, async () => {
    // VCM reference = the trade just before (lookback 0), band ±10%
    const cfg = testVenueConfig({ market: { seed: 7, securities: 4, eventsPerSecond: 50, vcm: { bandPercent: 10, coolingOffMs: 60_000, lookbackMs: 0 } } });
    const v = await embedded(cfg);
    cleanup.push(() => v.stop());
    const feed = new FeedHandler(feedConfigOf(cfg, 'OMD-C'), { rtsUsername: 'F001MD' });
    cleanup.push(() => feed.stop());
    const seen: OmdMessage[] = [];
    feed.on('message', (e: { msg: OmdMessage }) => seen.push(e.msg));
    await feed.start();
    const a = ocgClient(cfg, 'F001');
    cleanup.push(() => a.c.close());
    await a.c.start();
    await waitFor('feed synchronised', () => feed.synchronised);
    const ss = cfg.feeds['OMD-C'].channels.find((c) => c.product === 'SS')!.channelId;
    const of = <T extends OmdMessage['msgType']>(t: T, code?: number) =>
      seen.filter(
        (m): m is Extract<OmdMessage, { msgType: T }> => m.msgType === t && (code === undefined || !('securityCode' in m) || m.securityCode === code),
      );

    // Pre-opening: order input now, the rest of the schedule far away
    const pos = v.primary.marketSession('pre-open');
    assert.equal(pos.phase, 'pos-order-input');
    assert.equal(pos.plan.length, 5);
    await waitFor('TSS pre-open on the wire', () => of(20).some((m) => m.tradingSessionSubId === 1 && m.tradingSesStatus === 20));
    const ioc = await a.c.newOrder({ securityId: '700', side: Side.Buy, quantity: 100, price: '395.8', tif: 3 });
    assert.equal(ioc.execType, '8', 'IOC refused in an auction');
    const mb = await a.c.newOrder({ securityId: '700', side: Side.Buy, quantity: 200 }); // at-auction order
    assert.equal(mb.execType, '0');
    const ls = await a.c.newOrder({ securityId: '700', side: Side.Sell, quantity: 300, price: '395.6' });
    assert.equal(ls.execType, '0');
    await waitFor('IEP 395.6 × 200 on the wire', () => of(41, 700).some((m) => m.price === 395_600 && m.aggregateQuantity === 200n));
    const imb = of(56, 700).at(-1)!;
    assert.deepEqual([imb.orderImbalanceDirection, imb.orderImbalanceQuantity], ['S', 100n]);
    assert.equal(feed.image(ss).security(700)?.iep?.price, 395_600, 'the image holds the IEP');

    // Continuous trading comes: the auction matches first (Trade TrdType 103), then TSS 3/30
    v.primary.marketSession('continuous-trading');
    await waitFor('auction trade', () => of(50, 700).some((m) => m.trdType === 103 && m.quantity === 200 && m.price === 395_600));
    await waitFor('TSS continuous', () => of(20).at(-1)!.tradingSessionSubId === 3);
    assert.equal(of(41, 700).at(-1)!.price, 0, 'no IEP after the auction');
    await waitFor('fill report', () => a.reports.some((r) => r.execType === 'F' && r.matchType === 5));

    // Halt and resume 388
    v.primary.securityStatus('388', true);
    await waitFor('Security Status halt', () => of(21, 388).some((m) => m.suspensionIndicator === 2));
    const refused = await a.c.newOrder({ securityId: '388', side: Side.Buy, quantity: 100, price: '297.4' });
    assert.equal(refused.execType, '8');
    assert.equal(feed.image(ss).security(388)?.status?.suspensionIndicator, 2);
    v.primary.securityStatus('388', false);
    await waitFor('Security Status resume', () => of(21, 388).some((m) => m.suspensionIndicator === 3));
    assert.equal((await a.c.newOrder({ securityId: '388', side: Side.Buy, quantity: 100, price: '297.4' })).execType, '0');

    // VCM: the remaining 100 @ 395.6 trades, then a buy reaching 440.0 (> +10%) triggers a cooling-off
    const t1 = await a.c.newOrder({ securityId: '700', side: Side.Buy, quantity: 100, price: '395.6' });
    assert.equal(t1.execType, '0');
    await waitFor('continuous trade at 395.6', () => of(50, 700).some((m) => m.trdType === 0 && m.price === 395_600));
    assert.equal((await a.c.newOrder({ securityId: '700', side: Side.Sell, quantity: 100, price: '440' })).execType, '0');
    const sweep = await a.c.newOrder({ securityId: '700', side: Side.Buy, quantity: 100, price: '440' });
    assert.equal(sweep.execType, '0');
    // The aggressor is cancelled (restatement 6), not traded beyond the band
    await waitFor('VCM cancel', () => a.reports.some((r) => r.clientOrderId === sweep.clientOrderId && r.execType === '4' && r.execRestatementReason === 6));
    assert.ok(!a.reports.some((r) => r.clientOrderId === sweep.clientOrderId && r.execType === 'F'));
    await waitFor('VCM Trigger on the wire', () => of(23, 700).length === 1);
    const vcm = of(23, 700)[0]!;
    assert.deepEqual([vcm.vcmReferencePrice, vcm.vcmLowerPrice, vcm.vcmUpperPrice], [395_600, 356_040, 435_160]);
    assert.equal(vcm.coolingOffEndTime - vcm.coolingOffStartTime, 60_000_000_000n);
    assert.equal(feed.image(ss).security(700)?.vcm?.vcmReferencePrice, 395_600);

    // The venue recorded each phase change and security event as evidence
    const ev = v.primary
      .evidence(0, 100_000)
      .events.map((e) => e.event)
      .filter((e) => e.kind === 'market-phase' && e.service === 'OTP-C');
    assert.deepEqual(
      ev.filter((e) => e.detail['scope'] === 'market').map((e) => e.detail['phase']),
      ['pos-order-input', 'continuous'],
    );
    assert.equal(ev.filter((e) => e.detail['scope'] === 'security').length, 3, 'halt, resume, VCM');

    // The standby followed: same phase, same books
    await waitFor(
      'standby caught up',
      () =>
        v.backup.engine('OTP-C').phase === 'continuous' &&
        v.backup.engine('OTP-C').book('700')!.offers.orderCount === v.primary.engine('OTP-C').book('700')!.offers.orderCount,
    );
  });
});

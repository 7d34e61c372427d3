// An acknowledged order the primary fills in its last moment (failover.lost_acked's rare `changed`):
// the fill's journal entry is still on the way to the standby when the primary dies, and its
// Execution Reports wait for the standby's acknowledgement, so they die too. The backup then holds
// the order as the client last heard of it (New), while the primary's memory had it Filled. That is
// no loss: the lost-acked check compares the backup with what the client was told.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { Side } from '../../src/ocg/index.ts';
import type { ExecutionReport } from '../../src/ocg/index.ts';
import { embedded, ocgClient, testVenueConfig, waitFor } from './site-harness.ts';
import { compareWithTold, progressAtVenue, progressOfReport } from './told-state.ts';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

describe('an order filled at the primary as it dies', () => {
  it('the client was never told of the fill; the backup holds what it was told, the check finds nothing lost', async () => {
    const cfg = testVenueConfig();
    // The journal link's distance: the fill's entry is still in it when the primary dies below.
    const v = await embedded(cfg, { journalLinkDelayMs: 200 });
    cleanup.push(() => v.stop());
    const a = ocgClient(cfg, 'F001');
    const b = ocgClient(cfg, 'F002');
    cleanup.push(
      () => a.c.close(),
      () => b.c.close(),
    );
    await waitFor('journal link', () => v.primary.status().replication.connected);
    await Promise.all([a.c.start(), b.c.start()]);

    const ack = await a.c.newOrder({ securityId: '700', side: Side.Buy, quantity: 100, price: '395.6' });
    assert.equal(ack.execType, '0');
    // The primary dies in the turn it matches the crossing sell: its journal batch is still held
    // for the link's 200 ms, the reports of the fill are held for the standby's acknowledgement.
    let crashed: Promise<void> | null = null;
    v.primary.engine('OTP-C').onTrade(() => {
      crashed ??= v.primary.crash();
    });
    b.c.newOrder({ securityId: '700', side: Side.Sell, quantity: 100, price: '395.6' }).catch(() => {});
    await waitFor('the crossing sell matched at the primary', () => crashed !== null);
    await crashed;

    const primary = v.primary.engine('OTP-C').exportState();
    const backup = v.backup.engine('OTP-C').exportState();
    assert.equal(primary.finishedOrders[ack.orderId!], 2, 'the primary had filled the buy');
    const held = backup.orders.filter((o) => o.orderId === ack.orderId);
    assert.equal(held.length, 1, 'the backup holds the buy live');
    assert.equal(held[0]!.cumQty, 0);
    const toA = a.reports.filter((er: ExecutionReport) => er.clientOrderId === ack.clientOrderId);
    assert.deepEqual(
      toA.map((er) => er.execType),
      ['0'],
      'the buyer heard of the acceptance only',
    );
    assert.equal(b.reports.length, 0, 'the seller heard nothing');

    // Against the primary's memory the order "changed"; against what the client was told it did not.
    assert.equal(compareWithTold(progressOfReport(toA[0]!), progressAtVenue(primary.finishedOrders[ack.orderId!]), []), 'ahead-never-told');
    assert.equal(compareWithTold(progressOfReport(toA[0]!), progressAtVenue(held[0]), []), 'same');
  });
});

describe('compareWithTold', () => {
  const live = (cumQty: number) => ({ finished: false as const, cumQty });
  const done = (ordStatus: number) => ({ finished: true as const, ordStatus });

  it('the backup holds what the client heard: same', () => {
    assert.equal(compareWithTold(live(0), live(0), []), 'same');
    assert.equal(compareWithTold(live(100), live(100), []), 'same');
    assert.equal(compareWithTold(done(2), done(2), []), 'same');
  });

  it('the client heard of a fill the backup does not hold: contradicts (acknowledged data lost)', () => {
    assert.equal(compareWithTold(done(2), live(0), []), 'contradicts');
    assert.equal(compareWithTold(live(100), live(0), [done(2)]), 'contradicts', 'hearing more later does not mend a loss');
    assert.equal(compareWithTold(done(4), done(2), []), 'contradicts');
  });

  it('the backup is further on: fine when the client hears of it after the failover, not when it never does', () => {
    assert.equal(compareWithTold(live(0), done(2), [done(2)]), 'ahead-told-later');
    assert.equal(compareWithTold(live(0), live(100), [live(100)]), 'ahead-told-later');
    assert.equal(compareWithTold(live(0), done(2), []), 'ahead-never-told');
    assert.equal(compareWithTold(live(0), live(200), [live(100)]), 'ahead-never-told');
  });

  it('the backup does not hold the order at all: missing', () => {
    assert.equal(compareWithTold(live(0), undefined, []), 'missing');
  });
});

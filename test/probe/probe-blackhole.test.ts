// A silent black hole at the primary site (no FIN, no RST, nothing arrives): the probe notices the
// loss only by its heartbeat / Test Request timers (OCG-C) and the backup's DR signal (OMD), and
// still recovers at the backup site and returns to the primary after the fail back.
import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { Probe } from '../../src/probe/index.ts';
import { startSiteVenue, siteProbeOptions, type SiteVenue } from './site-venue.ts';
import { caseTable, failedCases, waitFor } from './helpers.ts';

describe('Probe against the two-site venue: silent black hole at the primary', () => {
  let venue: SiteVenue;
  let probe: Probe | null = null;
  before(async () => {
    venue = await startSiteVenue(1);
  });
  after(async () => {
    await probe?.finish();
    await venue.stop();
  });

  it('notices the loss by its timers and recovers at the backup', async () => {
    probe = new Probe(siteProbeOptions(venue, 'F001', {}, { recoveryTimeoutMs: 8_000 }));
    const p = probe;
    await p.start();
    await waitFor(
      'at the primary, test orders done',
      () =>
        p
          .cases()
          .filter((c) => ['connect-primary', 'order-cancel-primary', 'feed-joined-primary'].includes(c.id))
          .every((c) => c.status === 'passed'),
      15_000,
    );

    const cutAt = Date.now();
    venue.primary.injectFault({ kind: 'blackhole' });
    await waitFor('the black hole swallowing the feed', () => venue.primary.publisher('OMD-C').counters.lineA.suppressed > 0);
    // The backup takes over; the old primary stays black-holed (active in its own eyes) until the probe recovered.
    await venue.backup.activate('primary lost (black hole)');
    assert.equal(await p.whenRecovered(10_000), true, `recovered\n${caseTable(p)}`);
    // The link comes back: the old primary hears the backup and is fenced (then it can fail back).
    venue.primary.injectFault({ kind: 'clear' });
    await waitFor('old primary fenced', () => venue.primary.state === 'fenced', 5_000);

    const trading = p.cases().find((c) => c.service === 'OTP-C' && c.id === 'reconnect-backup-via-lookup')!;
    const lost = trading.steps.find((s) => s.id === 'primary-lost')!;
    assert.equal(lost.status, 'passed');
    // Nothing closed the connection: the session's own timers ended it, some time after the cut.
    assert.ok(lost.at! - cutAt >= 300, `loss noticed ${lost.at! - cutAt} ms after the cut (heartbeat timers, not a FIN/RST)`);
    assert.match(lost.log.map((l) => l.text).join(' '), /test request not answered/);
    assert.doesNotMatch(lost.log.map((l) => l.text).join(' '), /reset|ECONNRESET/i);

    await waitFor(
      'traded and verified at the backup',
      () =>
        p
          .cases()
          .filter((c) => ['order-cancel-backup', 'sequence-continuity', 'book-rebuilt', 'data-from-backup', 'dr-followed'].includes(c.id))
          .every((c) => c.status === 'passed'),
      10_000,
    );

    await venue.primary.failback({ timeoutMs: 10_000 });
    p.failBack();
    await waitFor('back at the primary', () => p.rundownDone, 10_000);
    const report = await p.finish();
    assert.deepEqual(failedCases(p), [], caseTable(p));
    assert.equal(report.result, 'passed');
    const otpc = report.timings.find((t) => t.service === 'OTP-C')!;
    assert.ok(otpc.recoveryMs !== null && otpc.returnedToPrimaryAt !== null);
  });
});

// The other shapes of a backbone change, each against the two-site venue with a
// well-behaved probe: a flapping link, multicast stopping mid-stream, loss on line A only, and the
// primary process killed outright. The probe recovers from each (or, for line A, sees nothing).
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { Probe } from '../../src/probe/index.ts';
import { startSiteVenue, siteProbeOptions, type SiteVenue } from './site-venue.ts';
import { caseTable, failedCases, waitFor } from './helpers.ts';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function atPrimary(): Promise<{ venue: SiteVenue; p: Probe }> {
  const venue = await startSiteVenue(1);
  cleanup.push(() => venue.stop());
  const p = new Probe(siteProbeOptions(venue, 'F001', {}, { recoveryTimeoutMs: 8_000 }));
  cleanup.push(() => p.finish());
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
  return { venue, p };
}

async function recoveredAtBackup(p: Probe): Promise<void> {
  assert.equal(await p.whenRecovered(10_000), true, `recovered\n${caseTable(p)}`);
  await waitFor(
    'traded and verified at the backup',
    () =>
      p
        .cases()
        .filter((c) => ['order-cancel-backup', 'sequence-continuity', 'book-rebuilt', 'data-from-backup', 'dr-followed'].includes(c.id))
        .every((c) => c.status === 'passed'),
    10_000,
  );
}

describe('Probe through the other fault shapes', () => {
  it('flapping link (down, up, down), then the backup takes over', async () => {
    const { venue, p } = await atPrimary();
    venue.primary.injectFault({ kind: 'flap', downMs: 300, upMs: 400 });
    await waitFor('link up again', () => !venue.primary.faults.blackholed, 5_000);
    await waitFor('down again for good', () => venue.primary.faults.blackholed, 5_000);
    await venue.backup.activate('primary lost (flap)');
    await recoveredAtBackup(p);
    venue.primary.injectFault({ kind: 'clear' });
    await waitFor('old primary fenced', () => venue.primary.state === 'fenced', 5_000);
    await venue.primary.failback({ timeoutMs: 10_000 });
    await waitFor('back at the primary', () => p.rundownDone, 10_000);
    await p.finish();
    assert.deepEqual(failedCases(p), [], caseTable(p));
  });

  it('multicast stopping mid-stream, the primary isolated, the backup takes over', async () => {
    const { venue, p } = await atPrimary();
    venue.primary.injectFault({ kind: 'multicast-stop', afterPackets: 3 });
    await waitFor('multicast stopped', () => venue.primary.publisher('OMD-C').counters.lineB.suppressed > 0, 5_000);
    await venue.primary.isolate({ mode: 'abrupt', reason: 'multicast stopped' });
    await venue.backup.activate('primary lost (multicast stopped)');
    await recoveredAtBackup(p);
    await venue.primary.failback({ timeoutMs: 10_000 });
    await waitFor('back at the primary', () => p.rundownDone, 10_000);
    await p.finish();
    assert.deepEqual(failedCases(p), [], caseTable(p));
  });

  it('loss on line A only: line B fills in, no gap, books still equal to the venue', async () => {
    const { venue, p } = await atPrimary();
    const h = p.feedHandler('OMD-C')!;
    const before = { gaps: h.counters.gapsSeen, packets: h.counters.packets };
    venue.primary.injectFault({ kind: 'loss-line-a', ratio: 0.5, durationMs: 800 });
    await waitFor('line A lost datagrams', () => venue.primary.publisher('OMD-C').counters.lineA.suppressed > 0, 5_000);
    await waitFor('the loss over', () => !venue.primary.faults.active.includes('loss-line-a'), 5_000);
    assert.ok(h.counters.packets > before.packets, 'data kept coming');
    assert.equal(h.counters.gapsSeen, before.gaps, 'no gap: arbitration took line B');
    await waitFor(
      'books equal to the venue',
      () => venue.cfg.feeds['OMD-C'].channels.every((c) => h.image(c.channelId).digest(c.product) === venue.digest('OMD-C', c.channelId)),
      3_000,
    );
    await p.finish();
    assert.deepEqual(failedCases(p), [], caseTable(p));
    assert.equal(p.cases().find((c) => c.service === 'OMD-C' && c.id === 'gap-recovered')!.status, 'not tested');
  });

  it('primary process killed outright: the backup takes over; no fail back to a dead site', async () => {
    const { venue, p } = await atPrimary();
    venue.primary.injectFault({ kind: 'kill' });
    await waitFor('primary stopped', () => venue.primary.state === 'stopped');
    await venue.backup.activate('primary killed');
    await recoveredAtBackup(p);
    const report = await p.finish();
    assert.deepEqual(failedCases(p), [], caseTable(p));
    const back = p.cases().filter((c) => c.id === 'return-to-primary');
    assert.equal(back.length, 4, 'one return-to-primary case per service');
    assert.ok(
      back.every((c) => c.status === 'not tested' && /no fail back/.test(c.reason ?? '')),
      caseTable(p),
    );
    assert.equal(report.result, 'passed');
  });
  it('finish() during a verification lets it conclude: a books check still waiting for the venue passes, not "not observed"', async () => {
    let holdDigest = false; // while set, the venue's digest disagrees: the books check keeps waiting
    let finishing = false;
    let heldWhileFinishing = 0;
    const venue = await startSiteVenue(1);
    cleanup.push(() => venue.stop());
    const venueDigest = (s: Parameters<typeof venue.digest>[0], ch: number) => {
      if (holdDigest && finishing) heldWhileFinishing++;
      return holdDigest ? 'held' : venue.digest(s, ch);
    };
    const p = new Probe(siteProbeOptions(venue, 'F001', {}, { recoveryTimeoutMs: 8_000, venueDigest }));
    cleanup.push(() => p.finish());
    await p.start();
    await waitFor(
      'at the primary',
      () =>
        p
          .cases()
          .filter((c) => ['connect-primary', 'feed-joined-primary'].includes(c.id))
          .every((c) => c.status === 'passed'),
      15_000,
    );
    holdDigest = true;
    venue.primary.injectFault({ kind: 'kill' });
    await waitFor('primary stopped', () => venue.primary.state === 'stopped');
    await venue.backup.activate('primary killed');
    await waitFor(
      'data from the backup on both feeds',
      () =>
        p
          .cases()
          .filter((c) => c.id === 'data-from-backup')
          .every((c) => c.status === 'passed'),
      10_000,
    );
    // The venue agrees only after the books check has asked it again several times during finish().
    finishing = true;
    const released = waitFor('the books check asking during finish()', () => heldWhileFinishing >= 3, 3_000).then(() => {
      holdDigest = false;
    });
    await p.finish(); // the books check (up to verifyTimeoutMs, 3 s) is under way
    await released;
    const rebuilt = p.cases().filter((c) => c.id === 'book-rebuilt');
    assert.equal(rebuilt.length, 2);
    assert.ok(
      rebuilt.every((c) => c.status === 'passed'),
      caseTable(p),
    );
  });
});

// Probes against the real two-site venue (src/venue Site, both sites embedded on loopback): the
// primary lost by a TCP reset of every connection (then isolated), the backup activated, then the
// fail back. A well-behaved probe passes every case; each faulty switch fails exactly the case it
// breaks, and the cases that depend on it are `not tested` with the reason.
import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { MARKET_DATA_CASE_IDS, Probe, TRADING_CASE_IDS, formatProbeSummary, type ProbeFaults, type ProbeReport } from '../../src/probe/index.ts';
import { validateEvidenceEvent } from '../../src/evidence/index.ts';
import { startSiteVenue, siteProbeOptions, type SiteVenue } from './site-venue.ts';
import { caseTable, failedCases, waitFor } from './helpers.ts';

const FIRMS: { firm: string; faults: ProbeFaults }[] = [
  { firm: 'F001', faults: {} },
  { firm: 'F002', faults: { neverRelookup: true } },
  { firm: 'F003', faults: { ignoreDisasterRecovery: true } },
  { firm: 'F004', faults: { resetSequenceOnReconnect: true } },
];

describe('Probe against the two-site venue: TCP reset of the primary', () => {
  let venue: SiteVenue;
  const probes = new Map<string, Probe>();
  before(async () => {
    venue = await startSiteVenue(FIRMS.length);
  });
  after(async () => {
    for (const p of probes.values()) await p.finish();
    await venue.stop();
  });

  it('well-behaved passes every case; each fault fails exactly its case', async () => {
    for (const f of FIRMS) probes.set(f.firm, new Probe(siteProbeOptions(venue, f.firm, f.faults)));
    const all = [...probes.values()];
    await Promise.all(all.map((p) => p.start()));
    const good = probes.get('F001')!;

    await waitFor(
      'everyone at the primary, test orders done',
      () =>
        all.every((p) =>
          p
            .cases()
            .filter((c) => ['connect-primary', 'order-cancel-primary', 'feed-joined-primary'].includes(c.id))
            .every((c) => c.status === 'passed'),
        ),
      15_000,
    );
    // Multicast stops for a moment on both lines: a gap the feed handlers recover.
    const sequenced = () => (['OMD-C', 'OMD-CC'] as const).map((s) => venue.primary.publisher(s).counters.messages);
    const before = sequenced();
    venue.primary.injectFault({ kind: 'multicast-stop', afterPackets: 0 });
    await waitFor('messages lost on both lines of both feeds', () => sequenced().every((n, i) => n > before[i]!), 5_000);
    venue.primary.injectFault({ kind: 'clear' });
    await waitFor(
      'gaps recovered',
      () =>
        all.every((p) =>
          p
            .cases()
            .filter((c) => c.id === 'gap-recovered')
            .every((c) => c.steps[0]!.status === 'passed'),
        ),
      5_000,
    );

    // The primary site lost: every connection reset, then isolated; the backup takes over.
    venue.primary.injectFault({ kind: 'tcp-reset' });
    await venue.primary.isolate({ mode: 'abrupt', reason: 'backbone change' });
    for (const p of all) p.siteLost();
    await venue.backup.activate('primary lost');
    assert.equal(await good.whenRecovered(10_000), true, `recovered\n${caseTable(good)}`);
    await waitFor(
      'good probe traded and verified at the backup',
      () =>
        good
          .cases()
          .filter((c) => ['order-cancel-backup', 'drop-copy-recovered', 'book-rebuilt', 'data-from-backup', 'sequence-continuity'].includes(c.id))
          .every((c) => c.status === 'passed' || (c.status === 'not tested' && c.reason !== undefined)),
      10_000,
    );
    await waitFor(
      'faulty probes failed their case',
      () => failedCases(probes.get('F002')!).length >= 2 && failedCases(probes.get('F003')!).length >= 4 && failedCases(probes.get('F004')!).length >= 2,
      15_000,
    );

    // Services back to the primary site.
    await venue.primary.failback({ timeoutMs: 10_000 });
    for (const p of all) p.failBack();
    await waitFor('every probe through the rundown', () => all.every((p) => p.rundownDone), 10_000).catch((e: Error) => {
      throw new Error(
        `${e.message}\n${all
          .filter((p) => !p.rundownDone)
          .map((p) => `${p.config.firm}:\n${caseTable(p)}`)
          .join('\n')}`,
      );
    });

    const reports = new Map<string, ProbeReport>();
    for (const [firm, p] of probes) reports.set(firm, await p.finish());

    // Well-behaved: every case passed; OTP-CSC has no drop copy identity in the default venue.
    assert.equal(good.cases().length, 2 * TRADING_CASE_IDS.length + 2 * MARKET_DATA_CASE_IDS.length);
    for (const c of good.cases()) {
      if (c.service === 'OTP-CSC' && c.id === 'drop-copy-recovered') {
        assert.equal(c.status, 'not tested');
        assert.match(c.reason!, /no drop copy identity/);
        continue;
      }
      if (c.id === 'books-across-phases') {
        // The market stays in continuous trading here (test/probe/probe-phases.test.ts moves it).
        assert.equal(c.status, 'not tested');
        assert.match(c.reason!, /no market phase change/);
        continue;
      }
      assert.equal(c.status, 'passed', `${c.service} ${c.id}\n${caseTable(good)}`);
    }
    const g = reports.get('F001')!;
    assert.equal(g.result, 'passed', formatProbeSummary(g));
    assert.equal(g.services.length, 4);
    for (const s of g.services) assert.ok(s.recoveryMs !== null && s.recoveryMs > 0, `${s.service} recovery time`);

    assert.deepEqual(
      failedCases(probes.get('F002')!),
      ['OTP-C reconnect-backup-via-lookup', 'OTP-CSC reconnect-backup-via-lookup'],
      caseTable(probes.get('F002')!),
    );
    assert.deepEqual(
      failedCases(probes.get('F003')!),
      ['OMD-C dr-followed', 'OMD-C book-rebuilt', 'OMD-CC dr-followed', 'OMD-CC book-rebuilt'],
      caseTable(probes.get('F003')!),
    );
    assert.deepEqual(failedCases(probes.get('F004')!), ['OTP-C sequence-continuity', 'OTP-CSC sequence-continuity'], caseTable(probes.get('F004')!));
    assert.equal(reports.size, 4);
    for (const [firm, r] of reports) {
      assert.equal(r.result, firm === 'F001' ? 'passed' : 'failed');
      assert.ok(r.events.length > 0, `${firm} has evidence`);
      for (const e of r.events) assert.equal(validateEvidenceEvent(e).ok, true, JSON.stringify(e));
    }
    // The summary names the failed step and why.
    assert.match(
      formatProbeSummary(reports.get('F002')!),
      /reconnect-backup-via-lookup: relookup-trading: trading session never asked the lookup service again/,
    );
  });
});

// The probe through the phases of the day on the real venue (src/venue Site): a logon during the
// pre-opening holds the test orders until continuous trading, and the books are compared with the
// venue's after each Trading Session Status change on the feed.
import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { Probe, type CaseId } from '../../src/probe/index.ts';
import { isPhaseRefusal } from '../../src/probe/trading-run.ts';
import type { Service } from '../../src/evidence/index.ts';
import { startSiteVenue, siteProbeOptions, type SiteVenue } from './site-venue.ts';
import { caseTable, waitFor } from './helpers.ts';

describe('isPhaseRefusal', () => {
  it('tells a refusal for the market phase from one for the order itself', () => {
    for (const t of [
      'No order input in pre-opening: blocking',
      'No cancellation in closing auction: no cancellation',
      'Security halted',
      'Price outside the VCM band',
      'Market order not accepted in continuous trading',
    ]) {
      assert.equal(isPhaseRefusal(t), true, t);
    }
    for (const t of ['Quantity not a multiple of the board lot', 'Unknown security', 'no answer within 3000 ms', undefined])
      assert.equal(isPhaseRefusal(t), false, String(t));
  });
});

describe('Probe through the phases of the day', () => {
  let venue: SiteVenue;
  let probe: Probe | null = null;
  before(async () => {
    venue = await startSiteVenue(1);
  });
  after(async () => {
    await probe?.finish();
    await venue.stop();
  });

  it('test orders wait for continuous trading; the books are checked after each phase change', async () => {
    // The market's first messages out (they open in continuous trading), then the pre-opening runs
    // before the probe logs on; its timed sub-periods end in blocking, which lasts until the next session.
    await waitFor('the market started', () => venue.primary.publisher('OMD-C').counters.messages > 100, 5_000);
    venue.primary.marketSession('pre-open', 600);
    const p = new Probe(siteProbeOptions(venue, 'F001', {}, { continuousWaitMs: 60_000 }));
    probe = p;
    await p.start();
    const find = (service: Service, id: CaseId) => {
      const c = p.cases().find((x) => x.service === service && x.id === id);
      assert.ok(c, `${service} ${id}`);
      return c;
    };
    const logOf = (service: Service, id: CaseId) =>
      find(service, id)
        .steps.flatMap((s) => s.log.map((l) => l.text))
        .join('\n');

    await waitFor(
      'the test orders held back by the pre-opening',
      () => /not continuous trading: waiting|refused for the market phase/.test(logOf('OTP-C', 'order-cancel-primary')),
      15_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${caseTable(p)}\n${logOf('OTP-C', 'order-cancel-primary')}\n${logOf('OTP-C', 'connect-primary')}`);
    });
    assert.equal(find('OTP-C', 'order-cancel-primary').status, 'pending', caseTable(p));

    venue.primary.marketSession('continuous-trading');
    await waitFor('test orders done in continuous trading', () => find('OTP-C', 'order-cancel-primary').status === 'passed', 15_000).catch((e: Error) => {
      throw new Error(`${e.message}\n${caseTable(p)}\n${logOf('OTP-C', 'order-cancel-primary')}`);
    });
    await waitFor('books checked after the change to continuous trading', () => find('OMD-C', 'books-across-phases').status === 'passed', 15_000).catch(
      (e: Error) => {
        throw new Error(
          `${e.message}\n${caseTable(p)}\n${logOf('OMD-C', 'books-across-phases')}\n${logOf('OTP-C', 'order-cancel-primary')}\n${JSON.stringify(find('OMD-C', 'books-across-phases'))}`,
        );
      },
    );
    assert.match(logOf('OMD-C', 'books-across-phases'), /→ 30\/3 /);

    // The closing auction: more changes, the books checked again up to the close.
    venue.primary.marketSession('closing-auction', 600);
    await waitFor('the close seen on the feed', () => /→ 50\/103 /.test(logOf('OMD-C', 'books-across-phases')), 15_000);
    await waitFor('books checked after the close', () => find('OMD-C', 'books-across-phases').status === 'passed', 15_000).catch((e: Error) => {
      throw new Error(`${e.message}\n${logOf('OMD-C', 'books-across-phases')}`);
    });

    const report = await p.finish();
    const omdc = report.services.find((s) => s.service === 'OMD-C');
    assert.ok(omdc);
    const across = omdc.cases.find((c) => c.id === 'books-across-phases');
    assert.ok(across);
    assert.equal(across.status, 'passed', caseTable(p));
    assert.match(across.steps[1]!.log.at(-1)!.text, /books digest equal to the venue's on all \d+ channel\(s\)/);
    // The China Connect feed carries no phase of the securities market: nothing to check there.
    const cc = report.services.find((s) => s.service === 'OMD-CC')!.cases.find((c) => c.id === 'books-across-phases')!;
    assert.equal(cc.status, 'not tested');
    assert.match(cc.reason!, /no market phase change/);
    assert.equal(report.services.find((s) => s.service === 'OTP-C')!.cases.find((c) => c.id === 'order-cancel-primary')!.status, 'passed');
  });
});

// The drill's FIX subscribers: which firms get FIX identities, the desk's record of them, and the
// verdicts of their FIX lines (no lookup over FIX: neverRelookup does not apply; a sequence reset
// and an order left resting do). No network: report lines are built from the case definitions.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addFixIdentities, assignFaults, renderTable, subscriberOf, verdicts } from '../../src/drill/index.ts';
import { casesFor, type CaseId, type ProbeReport, type ServiceReport } from '../../src/probe/index.ts';
import { defaultVenueConfig } from '../../src/venue/index.ts';
import { generateVenueKeyPair } from '../../src/ocg/index.ts';
import type { Service } from '../../src/evidence/index.ts';

const KEY = generateVenueKeyPair().privateKeyPem;

function venue(n: number) {
  const v = defaultVenueConfig({ subscribers: n, privateKeyPem: KEY });
  addFixIdentities(v);
  return v;
}

/** A report line whose cases all passed but `failed`. */
function line(service: Service, identity: string, failed: CaseId[] = [], protocol?: 'FIX'): ServiceReport {
  const cases = casesFor(service, identity).map((c) => ({ ...c, status: failed.includes(c.id) ? ('failed' as const) : ('passed' as const) }));
  return { service, identity, ...(protocol ? { protocol } : {}), result: failed.length ? 'failed' : 'passed', recoveryMs: 100, cases };
}

function report(firm: string, services: ServiceReport[]): ProbeReport {
  return {
    session: 'PS2',
    firm,
    name: firm,
    startedAt: null,
    finishedAt: null,
    faults: {},
    identities: [],
    result: 'passed',
    services,
    timings: [],
    events: [],
  };
}

describe('FIX subscribers in the drill', () => {
  it('every third firm gets a FIX trading and drop copy identity; one of them has a sequence fault', () => {
    const fixFirms = (n: number) =>
      venue(n)
        .subscribers.filter((s) => s.fix)
        .map((s) => `${s.firm}:${s.fix!.trading}/${s.fix!.dropCopy}`);
    assert.deepEqual(fixFirms(12), ['F003:F003X/F003Y', 'F006:F006X/F006Y', 'F009:F009X/F009Y', 'F012:F012X/F012Y']);
    assert.deepEqual(fixFirms(8), ['F003:F003X/F003Y', 'F006:F006X/F006Y']);
    assert.deepEqual(fixFirms(2), []);
    const faults = assignFaults(venue(12).subscribers.map((s) => s.firm));
    assert.equal(faults.get('F009'), 'resetSequenceOnReconnect');
    assert.equal(assignFaults(venue(8).subscribers.map((s) => s.firm)).get('F006'), 'resetSequenceOnReconnect');
  });

  it("the desk's subscriber record lists the FIX identities as OTP-C trading and drop copy", () => {
    const sub = subscriberOf(venue(3).subscribers[2]!);
    assert.deepEqual(
      sub.identities.map((i) => `${i.service}:${i.identity}:${i.role}`),
      [
        'OTP-C:F003T:trading',
        'OTP-C:F003D:drop-copy',
        'OTP-C:F003X:trading',
        'OTP-C:F003Y:drop-copy',
        'OTP-CSC:F003C:trading',
        'OMD-C:F003MD:retransmission',
        'OMD-CC:F003MC:retransmission',
      ],
    );
    assert.ok(!subscriberOf(venue(3).subscribers[0]!).identities.some((i) => i.identity.endsWith('X')));
  });

  it('neverRelookup does not apply over FIX: its FIX line must pass every case', () => {
    const faults = new Map([['F003', 'neverRelookup' as const]]);
    const good = verdicts([report('F003', [line('OTP-C', 'F003T', ['reconnect-backup-via-lookup']), line('OTP-C', 'F003X', [], 'FIX')])], faults);
    assert.equal(good.length, 2);
    assert.deepEqual(
      good.map((v) => [v.identity, v.protocol ?? 'binary', v.expectation, v.asExpected]),
      [
        ['F003T', 'binary', 'fails reconnect-backup-via-lookup', true],
        ['F003X', 'FIX', 'passes every case', true],
      ],
    );
    const bad = verdicts([report('F003', [line('OTP-C', 'F003X', ['reconnect-backup-via-lookup'], 'FIX')])], faults);
    assert.equal(bad.length, 1);
    assert.equal(bad[0]!.asExpected, false, 'a FIX line failing the lookup case is not what the drill expects');
  });

  it('resetSequenceOnReconnect applies over FIX: its FIX line must fail sequence continuity', () => {
    const faults = new Map([['F009', 'resetSequenceOnReconnect' as const]]);
    const ok = verdicts([report('F009', [line('OTP-C', 'F009X', ['sequence-continuity'], 'FIX')])], faults);
    const missed = verdicts([report('F009', [line('OTP-C', 'F009X', [], 'FIX')])], faults);
    assert.equal(ok.length, 1);
    assert.equal(missed.length, 1);
    assert.deepEqual([ok[0]!.asExpected, ok[0]!.expectation], [true, 'fails sequence-continuity']);
    assert.equal(missed[0]!.asExpected, false);
  });

  it("leaveOrderResting over FIX: the venue's clean-up check must find the FIX CompID's order; the table names the protocol", () => {
    const faults = new Map([['F012', 'leaveOrderResting' as const]]);
    const rows = [report('F012', [line('OTP-C', 'F012T'), line('OTP-C', 'F012X', [], 'FIX')]), report('F006', [line('OTP-C', 'F006X', [], 'FIX')])];
    const found = verdicts(
      rows,
      faults,
      new Map([
        ['F012T', 1],
        ['F012X', 1],
      ]),
    );
    assert.deepEqual(
      found.map((v) => [v.identity, v.restingAtCleanUp, v.asExpected]),
      [
        ['F012T', 1, true],
        ['F012X', 1, true],
        ['F006X', 0, true],
      ],
    );
    const missed = verdicts(
      rows,
      faults,
      new Map([
        ['F012T', 1],
        ['F006X', 2],
      ]),
    );
    assert.deepEqual(
      missed.map((v) => [v.identity, v.asExpected]),
      [
        ['F012T', true],
        ['F012X', false],
        ['F006X', false],
      ],
    );
    const table = renderTable(found, 200).split('\n');
    assert.equal(table.length, 2 + 3);
    assert.match(table[3]!, /^F012 +leaveOrderResting +OTP-C FIX +F012X +passed .* 1 resting +yes/);
    assert.match(table[2]!, /^F012 +leaveOrderResting +OTP-C +F012T/);
  });
});

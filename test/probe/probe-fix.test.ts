// The probe's trading cases over FIX: a firm's FIX identities (trading + drop copy, fixed addresses
// of both sites) log on at the primary, trade and cancel the test orders, follow the failover to
// the backup with continuing numbers, trade there, and the drop copy holds every report; the
// lookup steps are skipped for FIX. A probe resetting its numbers fails sequence continuity; an
// order a FIX session leaves resting shows in the venue's clean-up check.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Probe, parseProbeConfig, probeConfigToYaml } from '../../src/probe/index.ts';
import type { ProbeFaults } from '../../src/probe/index.ts';
import { probeConfigFor } from '../../src/venue/index.ts';
import { embedded, testVenueConfig, waitFor } from '../venue/site-harness.ts';

const cleanup: Array<() => unknown> = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

async function fixProbe(faults: ProbeFaults) {
  const cfg = testVenueConfig();
  cfg.subscribers[0]!.fix = { trading: 'F001X', dropCopy: 'F001Y' };
  const v = await embedded(cfg);
  cleanup.push(() => v.stop());
  const config = probeConfigFor(cfg, 'F001');
  const fixIds = config.trading.filter((t) => t.protocol === 'FIX');
  assert.equal(fixIds.length, 2);
  assert.deepEqual(
    fixIds[0]!.addresses!.map((a) => a.site),
    ['primary', 'backup'],
  );
  const p = new Probe({ config: { ...config, trading: fixIds, feeds: [] }, faults, timeScale: 0.01, recoveryTimeoutMs: 7_000, verifyTimeoutMs: 3_000 });
  cleanup.push(() => p.finish());
  await p.start();
  const status = (id: string) => p.cases().find((c) => c.id === id)?.status;
  await waitFor('at the primary, test orders done', () => status('connect-primary') === 'passed' && status('order-cancel-primary') === 'passed', 15_000);
  await v.primary.isolate({ reason: 'failover test', mode: 'abrupt' });
  await v.backup.activate('failover test');
  return { p, status, v };
}

describe('Probe over FIX', () => {
  it('subscriber.yaml carries FIX identities (fixed addresses instead of lookup); a FIX identity without addresses is refused', () => {
    const cfg = testVenueConfig();
    cfg.subscribers[0]!.fix = { trading: 'F001X', dropCopy: 'F001Y' };
    const config = probeConfigFor(cfg, 'F001');
    const back = parseProbeConfig(probeConfigToYaml(config));
    const fix = back.trading.filter((t) => t.protocol === 'FIX');
    assert.equal(fix.length, 2);
    assert.deepEqual(
      fix.map((t) => [t.compId, t.role, t.service]),
      [
        ['F001X', 'trading', 'OTP-C'],
        ['F001Y', 'drop-copy', 'OTP-C'],
      ],
    );
    assert.deepEqual(fix[0]!.addresses, config.trading.find((t) => t.compId === 'F001X')!.addresses);
    const yaml = probeConfigToYaml({ ...config, trading: [{ ...fix[0]!, addresses: [] }] });
    assert.throws(() => parseProbeConfig(yaml), /trading\.0\.addresses: expected at least 1 entry/);
  });

  it('runs the trading cases for FIX identities through the failover', { timeout: 60_000 }, async () => {
    const { p, status } = await fixProbe({});
    assert.equal(await p.whenRecovered(10_000), true);
    await waitFor(
      'traded and verified at the backup',
      () => ['order-cancel-backup', 'sequence-continuity', 'drop-copy-recovered'].every((id) => status(id) === 'passed'),
      10_000,
    );
    const cases = p.cases();
    assert.equal(cases.length, 7);
    assert.ok(cases.every((c) => c.service === 'OTP-C' && c.identity === 'F001X'));
    const lookup = cases.find((c) => c.id === 'connect-primary')!.steps.find((s) => s.id === 'lookup-primary')!;
    assert.equal(lookup.status, 'not tested');
    assert.match(lookup.reason!, /FIX: fixed gateway addresses/);
    assert.equal(status('reconnect-backup-via-lookup'), 'passed');
    const copies = cases.find((c) => c.id === 'drop-copy-recovered')!.steps[0]!;
    assert.match(copies.answer!, /^(\d+) of \1$/);
    assert.ok(p.events.some((e) => e.kind === 'logon' && e.site === 'backup' && e.identity === 'F001X'));
  });

  it('a FIX session that resets its numbers after the loss fails sequence continuity', { timeout: 60_000 }, async () => {
    const { p, status } = await fixProbe({ resetSequenceOnReconnect: true });
    await waitFor('continuity failed', () => status('sequence-continuity') === 'failed', 10_000);
    const c = p.cases().find((x) => x.id === 'sequence-continuity')!;
    assert.match(c.reason!, /reset/);
  });

  it("an order a FIX session leaves resting is found by the venue's clean-up check, with the FIX sessions logged on", { timeout: 60_000 }, async () => {
    const { p, status, v } = await fixProbe({ leaveOrderResting: true });
    await waitFor('traded at the backup', () => status('order-cancel-backup') === 'passed', 15_000);
    const resting = () => v.backup.cleanUpReport().identities.find((x) => x.compId === 'F001X')?.restingOrders ?? 0;
    await waitFor('the order left resting', () => resting() > 0, 5_000);
    const ids = v.backup.cleanUpReport().identities.filter((x) => x.firm === 'F001' && x.service === 'OTP-C');
    assert.deepEqual(
      ids.map((x) => `${x.compId}:${x.dropCopy ? 'drop-copy' : 'trading'}:${x.restingOrders}:${x.loggedOn}`),
      ['F001T:trading:0:false', 'F001D:drop-copy:0:false', 'F001X:trading:1:true', 'F001Y:drop-copy:0:true'],
    );
    // The venue books the order before its acknowledgement reaches the probe: wait for the ack too.
    await waitFor(
      'the ack of the order left resting',
      () => p.events.some((e) => e.kind === 'ack' && e.identity === 'F001X' && e.detail['leftResting'] === true),
      5_000,
    );
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/wire/index.ts';
import { readEvidenceFile, type EvidenceEvent } from '../../src/evidence/index.ts';
import type { SiteStatus, EvidenceResponse } from '../../src/venue/index.ts';
import { Conductor, EvidenceCollector, SessionEvidence, loadRundown, type SiteControl } from '../../src/conductor/index.ts';

const ps2 = fileURLToPath(new URL('../../rundowns/ps2.yaml', import.meta.url));
const flush = async (n = 3) => {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
};

/** A site that records the control calls it gets and serves evidence from a list (the contract of src/venue control-api.ts). */
function recordingSite(role: 'primary' | 'backup', calls: string[], evidence: EvidenceEvent[]): SiteControl {
  const status = { role, state: 'active', orders: { 'OTP-C': 0, 'OTP-CSC': 0 } } as unknown as SiteStatus;
  return {
    status: async () => status,
    activate: async (req) => {
      calls.push(`${role}.activate(${req?.reason ?? ''})`);
      return { ok: true, changed: true, status, takeoverMs: 12 };
    },
    isolate: async (req) => {
      calls.push(`${role}.isolate(${req?.mode})`);
      return { ok: true, status: { ...status, state: 'isolated' }, drSignalSent: false };
    },
    failback: async () => {
      calls.push(`${role}.failback`);
      return { ok: true, status, caughtUpEntries: 42, takeoverMs: 7 };
    },
    fault: async (req) => {
      calls.push(`${role}.fault(${req.kind})`);
      return { ok: true, kind: req.kind, at: new Date().toISOString(), active: [req.kind] };
    },
    cleanUp: async () => {
      calls.push(`${role}.cleanUp`);
      return { site: role, at: new Date().toISOString(), identities: [] };
    },
    connectivityTest: async (req) => {
      calls.push(`${role}.connectivityTest(${'until' in req ? req.until : 'close'})`);
      return { ok: true, role, state: 'active', connectivityTest: { gated: true, open: true, until: 'until' in req ? req.until : null } };
    },
    evidence: async (after = 0): Promise<EvidenceResponse> => {
      const events = evidence.slice(after).map((event, i) => ({ cursor: after + i + 1, event }));
      return { events, next: after + events.length, truncated: false };
    },
  };
}

const venueEvent = (i: number, site: 'primary' | 'backup'): EvidenceEvent => ({
  id: `ps2t:${site}:${i}`,
  ts: new Date(Date.UTC(2026, 0, 9, 1, 30, 0, i)).toISOString(),
  session: 'ps2t',
  site,
  service: 'OTP-C',
  subscriber: 'F001',
  identity: 'F001T',
  kind: i === 0 ? 'lookup' : 'logon',
  detail: {},
  source: 'venue',
});

describe('Conductor', () => {
  it('plays PS2 accelerated against the sites in rundown order, writes their evidence once and its own failover marks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conductor-'));
    try {
      const rundown = await loadRundown(ps2);
      const clock = new ManualClock();
      const t0 = clock.now();
      const calls: string[] = [];
      const primaryEvidence = [venueEvent(0, 'primary'), venueEvent(1, 'primary')];
      const backupEvidence: EvidenceEvent[] = [];
      const sites = { primary: recordingSite('primary', calls, primaryEvidence), backup: recordingSite('backup', calls, backupEvidence) };
      const evidence = new SessionEvidence({ dataDir: dir, session: 'ps2t', clock });
      const collector = new EvidenceCollector({ sites, clock, pollMs: 100 });
      collector.addSink(evidence.write);
      const conductor = new Conductor({
        rundown,
        sites,
        session: 'ps2t',
        clock,
        accelerate: 150,
        collector,
        identities: [
          { subscriber: 'F001', service: 'OTP-C', identity: 'F001T' },
          { subscriber: 'F001', service: 'OMD-C', identity: 'F001MD' },
        ],
      });
      const done = conductor.run();
      for (let t = 0; t < 780; t++) {
        if (t === 480) backupEvidence.push(venueEvent(2, 'backup'));
        clock.advance(100);
        await flush();
      }
      const report = await done;
      const closed = await evidence.close();
      assert.equal(report.failedSteps, 0);
      assert.deepEqual(calls, [
        `primary.connectivityTest(${new Date(t0 + 6_000).toISOString()})`,
        `backup.connectivityTest(${new Date(t0 + 6_000).toISOString()})`,
        'primary.activate(PS2 step 2 open-primary)',
        'primary.fault(loss-line-a)',
        'primary.fault(multicast-stop)',
        'primary.fault(clear)',
        'primary.fault(tcp-reset)',
        'primary.isolate(abrupt)',
        'backup.activate(PS2 step 9 activate-backup)',
        'primary.isolate(abrupt)',
        'primary.failback',
        'primary.cleanUp',
      ]);
      assert.equal(report.failover.backupActiveAt! - report.failover.primaryLostAt!, 2000, '10:00 → 10:05 at 150x');
      assert.equal(report.failover.backupTakeoverMs, 12);
      const { events, errors } = await readEvidenceFile(evidence.path);
      assert.deepEqual(errors, []);
      assert.equal(closed.written, events.length);
      const ids = events.map((e) => e.id);
      assert.equal(new Set(ids).size, ids.length, 'every event written once');
      for (const id of ['ps2t:primary:0', 'ps2t:primary:1', 'ps2t:backup:2']) assert.ok(ids.includes(id), id);
      const marks = events.filter((e) => e.detail['conductor'] === true).map((e) => `${e.kind}@${e.site}:${e.service}:${e.identity}`);
      assert.deepEqual(marks, [
        'site-activated@primary:OTP-C:F001T',
        'site-activated@primary:OMD-C:F001MD',
        'site-lost@primary:OTP-C:F001T',
        'site-lost@primary:OMD-C:F001MD',
        'site-activated@backup:OTP-C:F001T',
        'site-activated@backup:OMD-C:F001MD',
        'site-activated@primary:OTP-C:F001T',
        'site-activated@primary:OMD-C:F001MD',
      ]);
      const activated = events.find((e) => e.kind === 'site-activated' && e.site === 'backup')!;
      assert.equal(activated.detail['sinceLossMs'], 2000);
      assert.equal(activated.detail['rundownAt'], '2023-11-25T10:05:00.000+08:00');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a black-holed primary is not isolated gracefully (no FIN, no DR signal from it); a failing step is reported and the rundown goes on', async () => {
    const rundown = await loadRundown(fileURLToPath(new URL('../../rundowns/ps1.yaml', import.meta.url)));
    const clock = new ManualClock();
    const calls: string[] = [];
    const sites = { primary: recordingSite('primary', calls, []), backup: recordingSite('backup', calls, []) };
    sites.primary.failback = async () => {
      throw new Error('primary unreachable');
    };
    const conductor = new Conductor({ rundown, sites, session: 'ps1t', clock, accelerate: 1000 });
    const done = conductor.run();
    for (let t = 0; t < 200; t++) {
      clock.advance(100);
      await flush();
    }
    const report = await done;
    assert.ok(calls.includes('primary.fault(blackhole)'));
    const activation = calls.indexOf('backup.activate(PS1 step 9 activate-backup)');
    assert.ok(activation > 0);
    assert.ok(!calls.slice(0, activation).some((c) => c.startsWith('primary.isolate')), calls.join(', '));
    // At fail back, the primary that never learned it was replaced is isolated first (still silent).
    assert.deepEqual(calls.slice(activation + 1), ['primary.isolate(abrupt)', 'primary.cleanUp']);
    assert.equal(report.failedSteps, 1);
    assert.equal(report.runs.find((r) => r.error)!.step.action, 'fail-back');
    assert.equal(report.runs.at(-1)!.step.action, 'clean-up');
  });
});

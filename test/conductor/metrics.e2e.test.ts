// The metrics as the accelerated PS2 plays: both sites' /metrics and the desk's are scraped at
// rundown steps, and their numbers follow the session (subscribers logged on at the primary
// before the loss and at the backup after it, the takeover and fail back timed, orders and
// multicast counted, the desk's evidence growing, Appendix A on file before and B after).
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDesk } from '../../src/desk/index.ts';
import { DrillPaperwork, runDrill, type DrillMetrics } from '../../src/drill/index.ts';
import type { StepEvent } from '../../src/conductor/index.ts';
import { getText, scrape, sum, type Sample } from '../helpers/prom-text.ts';

const dir = mkdtempSync(join(tmpdir(), 'fd-metrics-e2e-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Scrape {
  label: string;
  primary: Sample[];
  backup: Sample[];
  desk: Sample[];
}

describe('metrics during the accelerated PS2', () => {
  it('site and desk metrics follow the rundown', { timeout: 150_000 }, async () => {
    const desk = await startDesk({ db: join(dir, 'desk.sqlite'), port: 0, webRoot: null });
    try {
      const paperwork = new DrillPaperwork(desk, { password: 'metrics-test-password' });
      const deskMetrics = `${desk.url}/metrics`;
      assert.equal((await getText(deskMetrics)).status, 401, 'the desk wants its metrics token');
      assert.equal((await getText(deskMetrics, desk.evidenceToken)).status, 401, 'the evidence token is not the metrics token');

      const pending: Array<Promise<Scrape>> = [];
      const grab = (label: string, m: DrillMetrics, first?: () => Promise<void>) => {
        pending.push(
          (async () => {
            await first?.();
            const [primary, backup, d] = await Promise.all([scrape(m.primary, m.token), scrape(m.backup, m.token), scrape(deskMetrics, desk.metricsToken)]);
            return { label, primary, backup, desk: d };
          })(),
        );
      };
      // The fail back step ends when the primary is active; the backup becomes the standby after its
      // goodbye (DR Signal, publishers restarted), tens of ms later at most.
      const backupStandby = (m: DrillMetrics) => async () => {
        const end = Date.now() + 10_000;
        while (sum(await scrape(m.backup, m.token), 'failover_drill_site_state', { state: 'standby' }) !== 1 && Date.now() < end)
          await new Promise((r) => setTimeout(r, 20));
      };
      let trading = 0;
      const onStep = (e: StepEvent, m: DrillMetrics) => {
        const a = e.step.action;
        // First continuous trading: before the loss. Isolation: orders were taken. The second
        // continuous trading: after the takeover. Clean-up: after the fail back.
        if (e.phase === 'start' && a === 'continuous-trading') grab(trading++ === 0 ? 'before-loss' : 'after-takeover', m);
        if (e.phase === 'start' && a === 'isolate-primary') grab('at-loss', m);
        if (e.phase === 'start' && a === 'clean-up') grab('after-failback', m, backupStandby(m));
      };
      const r = await runDrill({
        subscribers: 4,
        accelerate: 250,
        dataDir: dir,
        basePort: 34_000,
        groupBase: 161,
        session: 'PS2-metrics',
        desk: { url: desk.url, token: desk.evidenceToken },
        beforeSession: paperwork.beforeSession,
        onStep,
      });
      const scrapes = await Promise.all(pending);
      assert.deepEqual(
        scrapes.map((s) => s.label),
        ['before-loss', 'at-loss', 'after-takeover', 'after-failback'],
      );
      assert.equal(r.conductor.failedSteps, 0);
      const [before, atLoss, afterTakeover, afterFailback] = scrapes as [Scrape, Scrape, Scrape, Scrape];

      // Before the loss: everyone at the primary, the backup a silent standby.
      assert.equal(sum(before.primary, 'failover_drill_site_state', { state: 'active' }), 1);
      assert.equal(sum(before.backup, 'failover_drill_site_state', { state: 'standby' }), 1);
      assert.ok(sum(before.primary, 'failover_drill_sessions_logged_on', { service: 'OTP-C' }) > 0);
      assert.equal(sum(before.backup, 'failover_drill_sessions_logged_on'), 0);
      assert.ok(sum(before.primary, 'failover_drill_omd_packets_total', { service: 'OMD-C', line: 'A' }) > 0);
      assert.ok(sum(before.primary, 'failover_drill_omd_messages_total', { service: 'OMD-CC', line: 'B' }) > 0);
      assert.equal(sum(before.backup, 'failover_drill_omd_packets_total'), 0);
      assert.equal(sum(before.backup, 'failover_drill_site_activation_duration_seconds_count'), 0);
      assert.ok(sum(atLoss.primary, 'failover_drill_orders_total') > 0, 'orders taken at the primary');
      assert.ok(sum(atLoss.primary, 'failover_drill_execution_reports_total') > 0);
      assert.ok(
        sum(atLoss.primary, 'failover_drill_omd_packets_total') > sum(before.primary, 'failover_drill_omd_packets_total'),
        'the multicast counters move',
      );

      // After the takeover: the backup active and timed, the subscribers logged on there.
      assert.equal(sum(afterTakeover.backup, 'failover_drill_site_state', { state: 'active' }), 1);
      assert.equal(sum(afterTakeover.backup, 'failover_drill_site_activation_duration_seconds_count', { kind: 'takeover' }), 1);
      assert.ok(sum(afterTakeover.backup, 'failover_drill_site_last_activation_seconds', { kind: 'takeover' }) > 0);
      assert.ok(sum(afterTakeover.backup, 'failover_drill_sessions_logged_on', { service: 'OTP-C' }) > 0, 'sessions at the backup');
      assert.equal(sum(afterTakeover.primary, 'failover_drill_sessions_logged_on'), 0);
      assert.ok(sum(afterTakeover.backup, 'failover_drill_omd_packets_total', { line: 'dr' }) > 0, 'the backup sent on the DR channel');

      // After the fail back: the primary active again, its fail back timed.
      assert.equal(sum(afterFailback.primary, 'failover_drill_site_state', { state: 'active' }), 1);
      assert.equal(sum(afterFailback.primary, 'failover_drill_site_activation_duration_seconds_count', { kind: 'failback' }), 1);
      assert.ok(sum(afterFailback.primary, 'failover_drill_site_last_activation_seconds', { kind: 'failback' }) > 0);
      assert.equal(sum(afterFailback.backup, 'failover_drill_site_state', { state: 'standby' }), 1);

      // The desk: Appendix A on file for the four firms before the session, evidence growing.
      const session = { session: 'PS2-metrics' };
      assert.equal(sum(before.desk, 'failover_drill_desk_forms_submitted', { ...session, appendix: 'A' }), 4);
      assert.equal(sum(before.desk, 'failover_drill_desk_forms_submitted', { ...session, appendix: 'B' }), 0);
      assert.equal(sum(before.desk, 'failover_drill_desk_forms_missing', { ...session, appendix: 'B' }), 4);
      const evidence = (s: Scrape) => sum(s.desk, 'failover_drill_desk_evidence_events_total', session);
      assert.ok(evidence(before) > 0);
      assert.ok(evidence(afterTakeover) > evidence(before), `evidence ${evidence(before)} → ${evidence(afterTakeover)}`);
      assert.ok(evidence(afterFailback) > evidence(afterTakeover));
      assert.ok(sum(afterFailback.desk, 'failover_drill_desk_evidence_events_total', { ...session, provenance: 'venue' }) > 0);

      // Appendix B from the evidence: the faulty firms declare a clean pass and are contradicted.
      await paperwork.fileResultForms();
      const end = await scrape(deskMetrics, desk.metricsToken);
      assert.equal(sum(end, 'failover_drill_desk_forms_submitted', { ...session, appendix: 'B' }), 4);
      assert.equal(sum(end, 'failover_drill_desk_forms_missing', { ...session, appendix: 'B' }), 0);
      assert.ok(sum(end, 'failover_drill_desk_contradictions_open', session) > 0);
      assert.equal(sum(end, 'failover_drill_desk_firms_with_contradictions', session), r.faults.size);
    } finally {
      await desk.close();
    }
  });
});

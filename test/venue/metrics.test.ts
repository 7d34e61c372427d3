// GET /metrics on each site's control API: who may scrape it, and that the numbers follow the
// venue through a session: logons at the primary, orders and reports, multicast per channel and
// line, retransmission requests and refusals, a fault in force, the takeover and the fail back.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DeskMetrics } from '../../src/desk/metrics.ts';
import type { DeskStore } from '../../src/desk/index.ts';
import { Side } from '../../src/ocg/index.ts';
import { RetransmissionClient } from '../../src/omd/index.ts';
import { SiteMetrics, feedConfigOf, startSiteControlServer, validateVenueConfig, venueConfigToPlain } from '../../src/venue/index.ts';
import { embedded, ocgClient, testVenueConfig, waitFor } from './site-harness.ts';
import { getText, has, parseExposition, scrape, sum } from '../helpers/prom-text.ts';

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const METRICS_TOKEN = 'test-metrics-token-0123456789';

async function venueWithScrapes() {
  const cfg = testVenueConfig();
  cfg.metricsToken = METRICS_TOKEN;
  const v = await embedded(cfg);
  cleanup.push(() => v.stop());
  const ps = await startSiteControlServer(v.primary);
  cleanup.push(() => ps.close());
  const bs = await startSiteControlServer(v.backup);
  cleanup.push(() => bs.close());
  return { cfg, v, primary: `${ps.url}/metrics`, backup: `${bs.url}/metrics`, controlUrl: ps.url };
}

describe('site /metrics', () => {
  it('takes the metrics token or the control token; the metrics token steers nothing', async () => {
    const { cfg, primary, controlUrl } = await venueWithScrapes();
    const anonymous = await getText(primary);
    assert.equal(anonymous.status, 401);
    assert.equal((JSON.parse(anonymous.text) as { error: { code: string } }).error.code, 'UNAUTHORIZED');
    assert.equal((await getText(primary, 'wrong-token-0123456789')).status, 401);
    const ok = await getText(primary, METRICS_TOKEN);
    assert.equal(ok.status, 200);
    assert.match(ok.type, /^text\/plain; version=0\.0\.4/);
    assert.equal((await getText(primary, cfg.controlToken)).status, 200);
    assert.equal((await getText(`${controlUrl}/status`, METRICS_TOKEN)).status, 401, 'the metrics token is not a control token');
    const samples = parseExposition(ok.text);
    assert.ok(samples.length > 20, `got ${samples.length} samples`);
    for (const s of samples) {
      assert.ok(s.name.startsWith('failover_drill_'), s.name);
      assert.equal(s.labels['site'], 'primary');
      assert.equal(s.labels['session'], cfg.session);
    }
  });

  it('venue.yaml metricsToken: at least 16 characters and not the control token', () => {
    const cfg = testVenueConfig();
    const plain = venueConfigToPlain(cfg);
    const short = validateVenueConfig({ ...plain, metricsToken: 'short' });
    assert.deepEqual(short.issues.map((i) => i.path.join('.')), ['metricsToken']);
    const same = validateVenueConfig({ ...plain, metricsToken: cfg.controlToken });
    assert.equal(same.issues.length, 1);
    assert.match(same.issues[0]!.message, /differ from controlToken/);
    const good = validateVenueConfig({ ...plain, metricsToken: METRICS_TOKEN });
    assert.equal(good.config?.metricsToken, METRICS_TOKEN);
  });

  it('follow logons, orders, multicast, retransmission, faults, takeover and fail back', async () => {
    const { cfg, v, primary, backup } = await venueWithScrapes();
    let p = await scrape(primary, METRICS_TOKEN);
    let b = await scrape(backup, METRICS_TOKEN);
    assert.equal(sum(p, 'failover_drill_site_state', { state: 'active' }), 1);
    assert.equal(sum(b, 'failover_drill_site_state', { state: 'standby' }), 1);
    assert.equal(sum(p, 'failover_drill_sessions_logged_on', { service: 'OTP-C' }), 0);
    assert.equal(sum(p, 'failover_drill_orders_total'), 0);
    assert.equal(sum(b, 'failover_drill_site_activation_duration_seconds_count'), 0);

    const a = ocgClient(cfg, 'F001');
    cleanup.push(() => a.c.close());
    await a.c.start();
    const ack = await a.c.newOrder({ securityId: '700', side: Side.Buy, quantity: 100, price: '395.6' });
    assert.equal(ack.execType, '0');
    // A refusal: SeqNum 0 is never available; then a range the window holds.
    const rts = new RetransmissionClient({ endpoints: feedConfigOf(cfg, 'OMD-C').rts, username: 'F002MD', onPacket: () => {} });
    cleanup.push(() => rts.close());
    assert.notEqual((await rts.recover(1, 0, 0)).outcome, 'recovered');
    assert.equal((await rts.recover(1, 2, 3)).outcome, 'recovered');
    v.primary.injectFault({ kind: 'loss-line-a', ratio: 0.5 });
    await waitFor('a refresh cycle', () => (v.primary.counters.refreshCycles.get('OMD-C')?.size ?? 0) > 0);

    p = await scrape(primary, METRICS_TOKEN);
    assert.equal(sum(p, 'failover_drill_sessions_logged_on', { service: 'OTP-C' }), 1, 'F001T is logged on at the primary');
    assert.equal(sum(p, 'failover_drill_logons_total', { service: 'OTP-C', result: 'accepted' }), 1);
    assert.equal(sum(p, 'failover_drill_orders_total', { service: 'OTP-C' }), 1);
    assert.equal(sum(p, 'failover_drill_execution_reports_total', { service: 'OTP-C', kind: 'ack' }), 1);
    assert.equal(sum(p, 'failover_drill_orders_resting', { service: 'OTP-C' }), 1);
    assert.ok(sum(p, 'failover_drill_journal_sequence') > 0);
    assert.equal(sum(p, 'failover_drill_journal_link_up'), 1);
    assert.equal(sum(p, 'failover_drill_retransmission_requests_total', { service: 'OMD-C' }), 2);
    assert.equal(sum(p, 'failover_drill_retransmission_refusals_total', { service: 'OMD-C' }), 1);
    assert.equal(sum(p, 'failover_drill_site_faults_active', { fault: 'loss-line-a' }), 1);
    assert.equal(sum(p, 'failover_drill_site_faults_active', { fault: 'blackhole' }), 0);
    assert.ok(sum(p, 'failover_drill_omd_refresh_cycles_total', { service: 'OMD-C' }) >= 1);
    // Every OMD-C channel on both lines, and messages in them.
    const channels = feedConfigOf(cfg, 'OMD-C').channels.map((c) => String(c.channelId));
    assert.ok(channels.length >= 3);
    for (const ch of channels) {
      for (const line of ['A', 'B']) {
        assert.ok(sum(p, 'failover_drill_omd_packets_total', { service: 'OMD-C', channel: ch, line }) > 0, `channel ${ch} line ${line}`);
      }
      assert.ok(sum(p, 'failover_drill_omd_messages_total', { service: 'OMD-C', channel: ch, line: 'B' }) > 0, `messages on channel ${ch}`);
    }
    assert.ok(has(p, 'failover_drill_omd_packets_total', { service: 'OMD-C', line: 'dr' }), 'the DR channel counts too');
    // Line A lost about half its datagrams while the fault was in force: line B sent more.
    assert.ok(sum(p, 'failover_drill_omd_packets_total', { line: 'B' }) > sum(p, 'failover_drill_omd_packets_total', { line: 'A' }));
    b = await scrape(backup, METRICS_TOKEN);
    assert.equal(sum(b, 'failover_drill_sessions_logged_on', { service: 'OTP-C' }), 0);
    assert.equal(sum(b, 'failover_drill_omd_packets_total', { line: 'A' }), 0, 'the standby sends nothing');

    // Takeover.
    await v.primary.isolate({ mode: 'abrupt' });
    await v.backup.activate();
    await waitFor('logon at the backup', () => a.c.loggedOn && a.c.site === 'backup', 15_000);
    b = await scrape(backup, METRICS_TOKEN);
    p = await scrape(primary, METRICS_TOKEN);
    assert.equal(sum(b, 'failover_drill_site_state', { state: 'active' }), 1);
    assert.ok(sum(p, 'failover_drill_site_state', { state: 'isolated' }) + sum(p, 'failover_drill_site_state', { state: 'fenced' }) === 1);
    assert.equal(sum(b, 'failover_drill_sessions_logged_on', { service: 'OTP-C' }), 1, 'F001T moved to the backup');
    assert.equal(sum(p, 'failover_drill_sessions_logged_on', { service: 'OTP-C' }), 0);
    assert.equal(sum(b, 'failover_drill_site_activation_duration_seconds_count', { kind: 'takeover' }), 1);
    assert.ok(sum(b, 'failover_drill_site_last_activation_seconds', { kind: 'takeover' }) > 0);
    assert.ok(sum(b, 'failover_drill_site_activated_timestamp_seconds') > 1_600_000_000);
    assert.equal(sum(b, 'failover_drill_site_generation'), 2);
    assert.equal(sum(b, 'failover_drill_orders_resting', { service: 'OTP-C' }), 1, 'the journal carried the order');
    // The backup is alone: its entries wait for a standby.
    await waitFor('backup journals', () => v.backup.status().replication.lastSeq > v.backup.status().replication.ackedSeq);
    b = await scrape(backup, METRICS_TOKEN);
    assert.ok(sum(b, 'failover_drill_journal_unacknowledged_entries') > 0);

    // Fail back.
    await v.primary.failback();
    await waitFor('logon back at the primary', () => a.c.loggedOn && a.c.site === 'primary', 15_000);
    p = await scrape(primary, METRICS_TOKEN);
    b = await scrape(backup, METRICS_TOKEN);
    assert.equal(sum(p, 'failover_drill_site_state', { state: 'active' }), 1);
    assert.equal(sum(p, 'failover_drill_site_activation_duration_seconds_count', { kind: 'failback' }), 1);
    assert.equal(sum(p, 'failover_drill_site_activation_duration_seconds_count', { kind: 'takeover' }), 0);
    assert.ok(sum(p, 'failover_drill_site_last_activation_seconds', { kind: 'failback' }) > 0);
    assert.equal(sum(p, 'failover_drill_site_faults_active'), 0, 'fail back cleared the fault');
    assert.equal(sum(p, 'failover_drill_sessions_logged_on', { service: 'OTP-C' }), 1);
    assert.equal(sum(p, 'failover_drill_logons_total', { service: 'OTP-C', result: 'accepted' }), 2, 'counted across the fail back');
    assert.equal(sum(b, 'failover_drill_site_state', { state: 'standby' }), 1);
    // The market keeps journaling every tick: with a standby acknowledging, the lag stays well under a second.
    await waitFor('the backup is the standby', () => v.primary.status().replication.connected && !v.primary.status().replication.alone, 10_000);
    assert.ok(sum(await scrape(primary, METRICS_TOKEN), 'failover_drill_journal_replication_lag_seconds') < 0.5);
  });
});

describe('deploy/grafana/failover-drill.json', () => {
  it('queries only metrics the sites and the desk serve, and every one of them', async () => {
    const cfg = testVenueConfig();
    const v = await embedded(cfg);
    cleanup.push(() => v.stop());
    // Names only: the desk's store is not read until a scrape.
    const served = new Set([
      ...new SiteMetrics(v.primary).registry.getMetricsAsArray().map((m) => m.name),
      ...new DeskMetrics({} as DeskStore).registry.getMetricsAsArray().map((m) => m.name),
    ]);
    assert.ok(served.size > 25, `${served.size} metrics`);
    const dashboard = JSON.parse(readFileSync(new URL('../../deploy/grafana/failover-drill.json', import.meta.url), 'utf8')) as { panels: Array<{ targets?: Array<{ expr: string }> }> };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    assert.ok(exprs.length > 20, `${exprs.length} queries`);
    const used = new Set(exprs.flatMap((e) => [...e.matchAll(/failover_drill_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, ''))));
    for (const name of used) assert.ok(served.has(name), `${name} is not served`);
    // The histogram is read through its gauge twin on the dashboard; the rest all have a panel.
    for (const name of served) if (name !== 'failover_drill_site_activation_duration_seconds' && name !== 'failover_drill_site_activated_timestamp_seconds') assert.ok(used.has(name), `${name} has no panel`);
  });
});

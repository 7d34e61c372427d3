// GET /metrics on each site's control API: who may scrape it, and that the numbers follow the
// venue through a session: logons at the primary, orders and reports, multicast per channel and
// line, retransmission requests and refusals, a fault in force, the takeover and the fail back.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { ManualClock } from '../../src/wire/index.ts';
import { DeskMetrics } from '../../src/desk/metrics.ts';
import type { DeskStore } from '../../src/desk/index.ts';
import { Side } from '../../src/ocg/index.ts';
import { RetransmissionClient } from '../../src/omd/index.ts';
import {
  JournalGate,
  JournalRecordReader,
  JournalRecordType,
  JournalSender,
  SiteMetrics,
  encodeRecord,
  feedConfigOf,
  journalProof,
  startSiteControlServer,
  validateVenueConfig,
  venueConfigToPlain,
} from '../../src/venue/index.ts';
import type { JournalEntry, SiteSnapshot } from '../../src/venue/index.ts';
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
    assert.deepEqual(
      short.issues.map((i) => i.path.join('.')),
      ['metricsToken'],
    );
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
    // The backup becomes the standby after its goodbye (DR Signal, publishers restarted), which may
    // be after the client is back at the primary.
    await waitFor('the backup is the standby again', () => v.backup.state === 'standby', 10_000);
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
    const dashboard = JSON.parse(readFileSync(new URL('../../deploy/grafana/failover-drill.json', import.meta.url), 'utf8')) as {
      panels: Array<{ targets?: Array<{ expr: string }> }>;
    };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    assert.ok(exprs.length > 20, `${exprs.length} queries`);
    const used = new Set(exprs.flatMap((e) => [...e.matchAll(/failover_drill_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, ''))));
    for (const name of used) assert.ok(served.has(name), `${name} is not served`);
    // The histogram is read through its gauge twin on the dashboard; the rest all have a panel.
    for (const name of served)
      if (name !== 'failover_drill_site_activation_duration_seconds' && name !== 'failover_drill_site_activated_timestamp_seconds')
        assert.ok(used.has(name), `${name} has no panel`);
  });
});

describe('journal replication lag', () => {
  it('counts from the first entry the standby lacks, or its last acknowledgement; 0 once it has every entry', async () => {
    // A standby that proves the secret, takes the snapshot and acknowledges only when told to.
    let link: net.Socket | null = null;
    let entries = 0;
    const server = net.createServer((c) => {
      const reader = new JournalRecordReader();
      c.on('error', () => {});
      c.on('data', (chunk: Buffer) => {
        reader.push(chunk);
        for (let r = reader.next(); r !== null; r = reader.next()) {
          if (r instanceof Error) return void c.destroy();
          if (r.type === JournalRecordType.Hello)
            c.write(
              encodeRecord(JournalRecordType.Challenge, {
                proof: journalProof('test', 'receiver', (r.body as { nonce: string }).nonce),
                nonce: 'e'.repeat(64),
              }),
            );
          if (r.type === JournalRecordType.Snapshot) link = c;
          if (r.type === JournalRecordType.Entry) entries++;
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => server.close(r)));
    const clock = new ManualClock();
    const sender: JournalSender = new JournalSender({
      peer: { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port },
      clock,
      heartbeatMs: 60_000,
      timeoutMs: 600_000,
      standbyWaitMs: 600_000,
      gate: new JournalGate(() => sender.seq),
      snapshot: () => ({}) as SiteSnapshot,
      secret: 'test',
      generation: () => 1,
      onFenced: () => {},
    });
    cleanup.push(() => sender.stop());
    sender.start();
    await waitFor('snapshot taken', () => link !== null && sender.connected);
    const entry: JournalEntry = { t: 'gen', service: 'OMD-C', nowMs: 0, count: 1 };
    const ack = async (seq: number) => {
      link!.write(encodeRecord(JournalRecordType.Ack, { seq }));
      await waitFor(`ack ${seq}`, () => sender.ackedSeq === seq);
    };

    clock.advance(5_000);
    assert.equal(sender.lagMs(), 0, 'nothing to replicate');
    sender.append(entry);
    clock.advance(300);
    assert.equal(sender.lagMs(), 300);
    await waitFor('entry 1 sent', () => entries === 1);
    await ack(1);
    assert.equal(sender.lagMs(), 0);

    // Idle for a while: the next entry's lag starts at its append, not at the last acknowledgement.
    clock.advance(10_000);
    sender.append(entry);
    sender.append(entry);
    clock.advance(200);
    assert.equal(sender.lagMs(), 200);
    await waitFor('entries 2, 3 sent', () => entries === 3);
    await ack(2);
    clock.advance(50);
    assert.equal(sender.lagMs(), 50, 'entry 3 still missing: counted from the acknowledgement of 2');
    await ack(3);
    assert.equal(sender.lagMs(), 0);
  });
});

// The readiness check against the real two-site venue: every row passes inside the
// connectivity-test window (twice: a firm may run it again), and bad input gives a clear
// failed row each: a wrong password, an unreachable lookup address, a firm outside the window.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Preflight, formatReadinessTable, type ReadinessReport, type ReadinessRow } from '../../src/probe/index.ts';
import { SiteControlClient, probeConfigFor, startSiteControlServer } from '../../src/venue/index.ts';
import type { SubscriberProbeConfig } from '../../src/probe/index.ts';
import type { EvidenceEvent } from '../../src/evidence/index.ts';
import { startSiteVenue, type SiteVenue } from './site-venue.ts';

let v: SiteVenue;

before(async () => {
  v = await startSiteVenue(3);
});

after(async () => {
  await v.stop();
});

function preflight(config: SubscriberProbeConfig, events: EvidenceEvent[] = []) {
  return new Preflight({
    config,
    connectTimeoutMs: 1_000,
    logonTimeoutMs: 5_000,
    heartbeatIntervalMs: 1_000,
    refreshTimeoutMs: 5_000,
    onEvidence: (e) => events.push(e),
  });
}

const rowsOf = (r: ReadinessReport, check: ReadinessRow['check']) => r.rows.filter((x) => x.check === check);

test('inside the window every check passes, the standby takes part, and a second run passes too', async () => {
  const until = Date.now() + 120_000;
  await v.primary.openConnectivityTest(until);
  await v.backup.openConnectivityTest(until);
  const cfg = probeConfigFor(v.cfg, v.cfg.subscribers[0]!.firm);
  const events: EvidenceEvent[] = [];
  const r = await preflight(cfg, events).run();
  assert.ok(r.passed, formatReadinessTable(r));
  const trading = cfg.trading.length,
    feeds = cfg.feeds.length;
  assert.ok(trading >= 2 && feeds >= 1);
  // Four lookup endpoints per trading identity, each answered; both sites' gateways reached.
  assert.equal(
    rowsOf(r, 'lookup').length,
    cfg.trading.reduce((n, t) => n + t.lookup.length, 0),
  );
  assert.ok(rowsOf(r, 'lookup').every((x) => x.verdict === 'pass'));
  const tcp = rowsOf(r, 'tcp');
  assert.equal(tcp.length, trading * 2);
  assert.deepEqual(new Set(tcp.map((x) => x.target.split(' ')[0])), new Set(['primary', 'backup']));
  assert.equal(rowsOf(r, 'logon').filter((x) => x.verdict === 'pass').length, trading);
  assert.match(rowsOf(r, 'password-expiry')[0]!.reason, /day\(s\) left/);
  const channels = cfg.feeds.reduce((n, f) => n + f.feed.channels.length, 0);
  assert.equal(rowsOf(r, 'line').filter((x) => x.verdict === 'pass').length, channels * 2);
  assert.equal(rowsOf(r, 'refresh').filter((x) => x.verdict === 'pass').length, channels);
  assert.equal(rowsOf(r, 'rts-logon').filter((x) => x.verdict === 'pass').length, feeds * 2);
  assert.equal(rowsOf(r, 'clock-offset').filter((x) => x.verdict === 'pass').length, feeds);
  // One readiness event per identity, self-reported, with the firm's verdict.
  assert.equal(events.length, trading + feeds);
  assert.ok(events.every((e) => e.kind === 'readiness' && e.source === 'probe' && e.detail['firmPassed'] === true));
  // Venue side: the logons were seen and the sessions start afresh after each test logon.
  await new Promise((res) => setTimeout(res, 50));
  const again = await preflight(cfg).run();
  assert.ok(again.passed, formatReadinessTable(again));
});

test('a wrong password and an unreachable lookup address are clear failed rows', async () => {
  const cfg = probeConfigFor(v.cfg, v.cfg.subscribers[1]!.firm);
  const bad: SubscriberProbeConfig = {
    ...cfg,
    password: 'not-the-password',
    feeds: [],
    trading: cfg.trading.slice(0, 1).map((t) => ({ ...t, lookup: [...t.lookup, { host: '127.0.0.1', port: 1, site: 'primary', name: 'PS-extra' }] })),
  };
  const r = await preflight(bad).run();
  assert.equal(r.passed, false);
  const logon = rowsOf(r, 'logon');
  assert.equal(logon.length, 1);
  assert.equal(logon[0]!.verdict, 'fail');
  assert.match(logon[0]!.reason, /Session Status 5 \(invalid username or password\)/);
  const extra = rowsOf(r, 'lookup').filter((x) => x.target.startsWith('PS-extra'));
  assert.equal(extra.length, 1);
  assert.equal(extra[0]!.verdict, 'fail');
  assert.match(extra[0]!.reason, /unreachable/);
  assert.match(formatReadinessTable(r), /NOT READY: 2 of \d+ check\(s\) failed/);
});

test('outside the window the venue refuses the logon with Session Status 7, until the session day opens', async () => {
  const server = await startSiteControlServer(v.primary, { token: v.cfg.controlToken });
  try {
    const control = new SiteControlClient({ baseUrl: server.url, token: v.cfg.controlToken });
    await assert.rejects(control.connectivityTest({ until: 'tomorrow' }), /until: expected an ISO time/);
    const closed = await control.connectivityTest({ close: true });
    assert.equal(closed.connectivityTest.gated, true);
    assert.equal(closed.connectivityTest.open, false);
    await v.backup.closeConnectivityTest();
    const cfg = probeConfigFor(v.cfg, v.cfg.subscribers[2]!.firm);
    const one: SubscriberProbeConfig = { ...cfg, feeds: [], trading: cfg.trading.slice(0, 1) };
    const r = await preflight(one).run();
    const logon = rowsOf(r, 'logon');
    assert.equal(logon.length, 1);
    assert.match(logon[0]!.reason, /Session Status 7 \(logons not allowed at this time: outside the connectivity-test window\)/);
    // The standby closed its lookup endpoints with the window.
    const backup = rowsOf(r, 'lookup').filter((x) => x.target.startsWith('BS-'));
    assert.equal(backup.length, 2);
    assert.ok(backup.every((x) => x.verdict === 'fail'));
    // open-primary: the primary (already active) opens the session day and takes logons again.
    await control.activate({ reason: 'open-primary' });
    assert.equal((await control.status()).connectivityTest?.gated, false);
    const later = await preflight(one).run();
    assert.equal(rowsOf(later, 'logon')[0]!.verdict, 'pass', formatReadinessTable(later));
  } finally {
    await server.close();
  }
});

test('a FIX identity gets a skipped logon row (the check logs on over binary OCG-C only), and the firm still passes', async () => {
  const cfg = probeConfigFor(v.cfg, v.cfg.subscribers[0]!.firm);
  const fix: SubscriberProbeConfig = {
    ...cfg,
    feeds: [],
    trading: [
      {
        service: 'OTP-C',
        compId: 'F001X',
        role: 'trading',
        lookup: [],
        securities: [],
        protocol: 'FIX',
        addresses: [{ host: v.cfg.sites.primary.host, port: 1, site: 'primary' }],
      },
    ],
  };
  const r = await preflight(fix).run();
  assert.equal(r.rows.length, 1, formatReadinessTable(r));
  assert.deepEqual([r.rows[0]!.identity, r.rows[0]!.check, r.rows[0]!.verdict], ['F001X', 'logon', 'skip']);
  assert.match(r.rows[0]!.reason, /FIX identity/);
  assert.ok(r.passed);
});

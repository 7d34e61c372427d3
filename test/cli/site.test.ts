// `failover-drill site`: each site in its own process from one venue.yaml; the control API drives
// them; the kill fault ends the primary's process with SIGKILL and the backup takes over.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { DEFAULT_CONTROL_TOKEN, SiteControlClient, SiteControlError, controlUrlOf, venueConfigToPlain, parseVenueConfig } from '../../src/venue/index.ts';
import { makeTestPki } from '../helpers/tls.ts';
import { getText, scrape, sum } from '../helpers/prom-text.ts';
import { main } from '../../src/cli/main.ts';
import { testVenueConfig, waitFor } from '../venue/site-harness.ts';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

function start(role: string, file: string): { p: ChildProcess; out: () => string; exit: Promise<{ code: number | null; signal: string | null }> } {
  const p = spawn(process.execPath, [MAIN, 'site', '--role', role, '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout!.on('data', (d) => {
    out += String(d);
  });
  p.stderr!.on('data', (d) => {
    out += String(d);
  });
  const exit = new Promise<{ code: number | null; signal: string | null }>((r) => p.on('exit', (code, signal) => r({ code, signal })));
  return { p, out: () => out, exit };
}

describe('failover-drill site', () => {
  it('--write-config writes a venue.yaml the loader accepts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'site-cli-'));
    try {
      const file = join(dir, 'venue.yaml');
      const log = console.log;
      console.log = () => {};
      try {
        assert.equal(await main(['site', '--write-config', file, '--subscribers', '2']), 0);
      } finally {
        console.log = log;
      }
      const cfg = parseVenueConfig(readFileSync(file, 'utf8'));
      assert.equal(cfg.subscribers.length, 2);
      assert.equal(
        await main(['site', '--role', 'primary'])
          .catch((e: Error) => e.message)
          .then((x) => (typeof x === 'string' ? 2 : x)),
        2,
      );
      // Each written config has its own random control token (the journal link's secret too).
      const file2 = join(dir, 'venue2.yaml');
      console.log = () => {};
      try {
        assert.equal(await main(['site', '--write-config', file2]), 0);
      } finally {
        console.log = log;
      }
      const cfg2 = parseVenueConfig(readFileSync(file2, 'utf8'));
      assert.notEqual(cfg.controlToken, DEFAULT_CONTROL_TOKEN);
      assert.ok(cfg.controlToken.length >= 40, cfg.controlToken);
      assert.notEqual(cfg.controlToken, cfg2.controlToken);
      // A read-only token for the Prometheus scrape, its own secret too.
      assert.ok(cfg.metricsToken !== undefined && cfg.metricsToken.length >= 40, cfg.metricsToken);
      assert.notEqual(cfg.metricsToken, cfg.controlToken);
      assert.notEqual(cfg.metricsToken, cfg2.metricsToken);
      assert.doesNotMatch(readFileSync(file, 'utf8').split('\n')[0]!, /issue|\(\d/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a site of its own refuses the embedded venue's well-known control token, with a clear reason", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'site-cli-'));
    try {
      const file = join(dir, 'venue.yaml');
      writeFileSync(file, stringify(venueConfigToPlain(testVenueConfig({ controlToken: DEFAULT_CONTROL_TOKEN }))));
      const errors: string[] = [];
      const err = console.error;
      console.error = (m: unknown) => {
        errors.push(String(m));
      };
      let code: number;
      try {
        code = await main(['site', '--role', 'primary', '--config', file]);
      } finally {
        console.error = err;
      }
      assert.equal(code, 2);
      assert.equal(errors.length, 1);
      assert.match(errors[0]!, /controlToken is the embedded venue's well-known default.*--write-config/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('primary and backup as two processes over TLS (journal and control API): kill the primary (SIGKILL), activate the backup', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'site-cli-'));
    const plainCfg = testVenueConfig();
    const pki = makeTestPki([plainCfg.sites.primary.host, plainCfg.sites.backup.host]);
    writeFileSync(join(dir, 'site.crt'), pki.cert);
    writeFileSync(join(dir, 'site.key'), pki.key);
    writeFileSync(join(dir, 'ca.crt'), pki.ca);
    const file = join(dir, 'venue.yaml');
    // Files named relative to venue.yaml.
    writeFileSync(
      file,
      stringify({ ...venueConfigToPlain(plainCfg), metricsToken: 'test-metrics-token-0123456789', tls: { cert: 'site.crt', key: 'site.key', ca: 'ca.crt' } }),
    );
    const cfg = parseVenueConfig(readFileSync(file, 'utf8'), { baseDir: dir });
    assert.equal(cfg.tls?.ca, pki.ca);
    assert.match(controlUrlOf(cfg, 'primary'), /^https:\/\//);
    const backup = start('backup', file);
    const primary = { p: null as ChildProcess | null, exit: null as Promise<unknown> | null };
    try {
      await waitFor('backup up', () => backup.out().includes('site backup standby'), 15_000);
      const pr = start('primary', file);
      primary.p = pr.p;
      primary.exit = pr.exit;
      await waitFor('primary up', () => pr.out().includes('site primary active'), 15_000);
      const pc = new SiteControlClient({ baseUrl: controlUrlOf(cfg, 'primary'), token: cfg.controlToken, ca: pki.ca });
      const bc = new SiteControlClient({ baseUrl: controlUrlOf(cfg, 'backup'), token: cfg.controlToken, ca: pki.ca });
      const untrusting = new SiteControlClient({ baseUrl: controlUrlOf(cfg, 'primary'), token: cfg.controlToken });
      await assert.rejects(untrusting.status(), (e: unknown) => e instanceof SiteControlError && e.code === 'NETWORK');
      // Polls the condition (each status call is a round trip), bounded.
      for (let i = 0; i < 500 && !(await pc.status()).replication.connected; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal((await pc.status()).replication.connected, true, 'the journal link is up over TLS');
      const st = await pc.status();
      assert.equal(st.state, 'active');
      assert.equal((await bc.status()).state, 'standby');
      // The scrape over HTTPS with the venue's CA and the metrics token (docs/operations.md, Metrics).
      assert.match(pr.out(), /metrics https:\/\/[\d.]+:\d+\/metrics/);
      const metrics = `${controlUrlOf(cfg, 'primary')}/metrics`;
      assert.equal(sum(await scrape(metrics, 'test-metrics-token-0123456789', pki.ca), 'failover_drill_site_state', { site: 'primary', state: 'active' }), 1);
      assert.equal((await getText(metrics, undefined, pki.ca)).status, 401);
      const k = await pc.fault({ kind: 'kill' });
      assert.equal(k.kind, 'kill');
      const ended = await pr.exit;
      assert.equal(ended.signal, 'SIGKILL');
      const act = await bc.activate({ reason: 'primary killed' });
      assert.equal(act.status.state, 'active');
      assert.equal(act.status.services['OTP-C'].open, true);
    } finally {
      primary.p?.kill('SIGKILL');
      backup.p.kill('SIGTERM');
      const b = await backup.exit;
      rmSync(dir, { recursive: true, force: true });
      assert.equal(b.code, 0, backup.out());
    }
  });
});

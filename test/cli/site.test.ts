// `failover-drill site`: each site in its own process from one venue.yaml; the control API drives
// them; the kill fault ends the primary's process with SIGKILL and the backup takes over.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { SiteControlClient, controlUrlOf, venueConfigToPlain, parseVenueConfig } from '../../src/venue/index.ts';
import { main } from '../../src/cli/main.ts';
import { testVenueConfig, waitFor } from '../venue/site-harness.ts';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

function start(role: string, file: string): { p: ChildProcess; out: () => string; exit: Promise<{ code: number | null; signal: string | null }> } {
  const p = spawn(process.execPath, [MAIN, 'site', '--role', role, '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout!.on('data', (d) => { out += String(d); });
  p.stderr!.on('data', (d) => { out += String(d); });
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
      assert.equal(await main(['site', '--role', 'primary']).catch((e: Error) => e.message).then((x) => typeof x === 'string' ? 2 : x), 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('primary and backup as two processes: kill the primary (SIGKILL), activate the backup', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'site-cli-'));
    const cfg = testVenueConfig();
    const file = join(dir, 'venue.yaml');
    writeFileSync(file, stringify(venueConfigToPlain(cfg)));
    const backup = start('backup', file);
    const primary = { p: null as ChildProcess | null, exit: null as Promise<unknown> | null };
    try {
      await waitFor('backup up', () => backup.out().includes('site backup standby'), 15_000);
      const pr = start('primary', file);
      primary.p = pr.p;
      primary.exit = pr.exit;
      await waitFor('primary up', () => pr.out().includes('site primary active'), 15_000);
      const pc = new SiteControlClient({ baseUrl: controlUrlOf(cfg, 'primary'), token: cfg.controlToken });
      const bc = new SiteControlClient({ baseUrl: controlUrlOf(cfg, 'backup'), token: cfg.controlToken });
      const st = await pc.status();
      assert.equal(st.state, 'active');
      assert.equal((await bc.status()).state, 'standby');
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

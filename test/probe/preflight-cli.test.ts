// `failover-drill preflight` as a subscriber runs it: a child process against the two-site venue in
// this test process. Inside the window it prints READY and exits 0; a wrong password gives a failed
// row and exit 1 (no stack trace); a bad config exits 2 naming the field.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeConfigFor } from '../../src/venue/index.ts';
import { probeConfigToYaml } from '../../src/probe/index.ts';
import { readEvidenceFile } from '../../src/evidence/index.ts';
import { startSiteVenue, type SiteVenue } from './site-venue.ts';

const MAIN = join(import.meta.dirname, '../../src/cli/main.ts');

function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '',
    err = '';
  child.stdout.on('data', (b) => {
    out += b;
  });
  child.stderr.on('data', (b) => {
    err += b;
  });
  const kill = setTimeout(() => child.kill('SIGKILL'), 25_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(kill);
      resolve({ code, out, err });
    }),
  );
}

describe('failover-drill preflight', () => {
  let venue: SiteVenue;
  let dir: string;
  before(async () => {
    venue = await startSiteVenue(2);
    dir = mkdtempSync(join(tmpdir(), 'preflight-cli-'));
    const until = Date.now() + 120_000;
    await venue.primary.openConnectivityTest(until);
    await venue.backup.openConnectivityTest(until);
  });
  after(async () => {
    await venue.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('inside the window: a READY table, exit 0, the readiness evidence written', async () => {
    writeFileSync(join(dir, 'F001.yaml'), probeConfigToYaml(probeConfigFor(venue.cfg, 'F001')));
    const r = await run([
      'preflight',
      '--config',
      join(dir, 'F001.yaml'),
      '--heartbeat-interval',
      '1',
      '--refresh-timeout',
      '5',
      '--evidence',
      join(dir, 'ev.jsonl'),
    ]);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /^verdict\s+service\s+identity\s+check\s+target\s+reason$/m);
    assert.match(r.out, /^PASS\s+OTP-C\s+F001T\s+logon\s/m);
    assert.match(r.out, /READY: \d+ check\(s\), none failed/);
    const { events, errors } = await readEvidenceFile(join(dir, 'ev.jsonl'));
    assert.deepEqual(errors, []);
    assert.ok(events.length >= 2);
    assert.ok(events.every((e) => e.kind === 'readiness' && e.subscriber === 'F001' && e.detail['firmPassed'] === true));
  });

  it('a wrong password: a FAIL row with the Session Status, exit 1, no stack trace; a bad config exits 2', async () => {
    const cfg = probeConfigFor(venue.cfg, 'F002');
    writeFileSync(join(dir, 'F002.yaml'), probeConfigToYaml({ ...cfg, password: 'wrong-password', feeds: [] }));
    const r = await run(['preflight', '--config', join(dir, 'F002.yaml')]);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, /^FAIL\s+OTP-C\s+F002T\s+logon\s.*Session Status 5 \(invalid username or password\)/m);
    assert.match(r.out, /NOT READY/);
    assert.doesNotMatch(r.out + r.err, /\n\s+at /);
    writeFileSync(join(dir, 'bad.yaml'), 'session: PS2\nfirm: F001\nlocalAddress: 300.1.1.1\n');
    const b = await run(['preflight', '--config', join(dir, 'bad.yaml')]);
    assert.equal(b.code, 2);
    assert.match(b.err, /line 3: localAddress: "300.1.1.1" is not an IP address/);
  });
});

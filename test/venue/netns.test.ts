// Sites, conductor and a probe in separate Linux network namespaces joined by veth links to a
// bridge: "the backbone goes down" is `ip link set … down` on the primary
// site's link, not a flag in memory. Each process runs `node src/cli/main.ts …` under
// `ip netns exec`. Addresses 10.213.x.0/24 exist only inside the namespaces this test creates
// (unique names per process), and every namespace is removed in `after`, even on failure.
// Skips with a message when not root or when `ip netns` is unavailable.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { defaultVenueConfig, newControlToken, venueConfigToPlain, type VenueConfig } from '../../src/venue/index.ts';
import { profileFor } from '../../src/ocg/index.ts';
import { readEvidenceFile } from '../../src/evidence/index.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const tag = `fd${process.pid % 100_000}`;
const NS = { hub: `${tag}-hub`, primary: `${tag}-pri`, backup: `${tag}-bak`, conductor: `${tag}-cond`, probe: `${tag}-sub` } as const;
const LINK = { primary: `${tag}p`, backup: `${tag}b`, conductor: `${tag}c`, probe: `${tag}s` } as const;
const NET = `10.213.${process.pid % 250}`;
const ADDR = { primary: `${NET}.2`, backup: `${NET}.3`, conductor: `${NET}.4`, probe: `${NET}.5` } as const;

function unavailable(): string | null {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'network namespaces need root (run as root to include this test)';
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'pipe' });
  } catch (e) {
    return `\`ip netns\` is unavailable (${(e as Error).message.split('\n')[0]})`;
  }
  return null;
}
const skip = unavailable();

/**
 * The test runs on the wall clock, and in the mainland no-cancellation windows (Hong Kong time)
 * the venue refuses OTP-CSC cancels, as it should: a run that may reach one leaves OTP-CSC out.
 */
function inNoCancelWindowSoon(now: number, withinMs: number): boolean {
  const hk = (t: number) => Math.floor(((t + 8 * 3_600_000) % 86_400_000) / 60_000);
  const windows = profileFor('OTP-CSC').noCancelWindows.map(([a, b]) => [a, b].map((x) => Number(x.slice(0, 2)) * 60 + Number(x.slice(3))) as [number, number]);
  for (let t = now; t <= now + withinMs; t += 30_000) if (windows.some(([a, b]) => hk(t) >= a && hk(t) < b)) return true;
  return false;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' }).toString();
const created: string[] = [];
const children: ChildProcess[] = [];
let dir = '';

function setUpNetwork(): void {
  for (const ns of Object.values(NS)) {
    ip('netns', 'add', ns);
    created.push(ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
  // A bridge in the hub namespace is the backbone; every other namespace hangs off it by a veth pair.
  ip('-n', NS.hub, 'link', 'add', 'br0', 'type', 'bridge');
  ip('-n', NS.hub, 'link', 'set', 'br0', 'type', 'bridge', 'mcast_snooping', '0');
  ip('-n', NS.hub, 'link', 'set', 'br0', 'up');
  for (const who of ['primary', 'backup', 'conductor', 'probe'] as const) {
    const ns = NS[who],
      hubEnd = `${LINK[who]}1`,
      end = `${LINK[who]}0`;
    ip('-n', NS.hub, 'link', 'add', hubEnd, 'type', 'veth', 'peer', 'name', end, 'netns', ns);
    ip('-n', NS.hub, 'link', 'set', hubEnd, 'master', 'br0');
    ip('-n', NS.hub, 'link', 'set', hubEnd, 'up');
    ip('-n', ns, 'addr', 'add', `${ADDR[who]}/24`, 'dev', end);
    ip('-n', ns, 'link', 'set', end, 'up');
    // Multicast leaves by the veth (the feed config's interface also pins it there).
    ip('-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', end);
  }
}

function tearDown(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const ns of created.splice(0).reverse()) {
    try {
      ip('netns', 'del', ns);
    } catch {
      /* already gone */
    }
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** Runs `failover-drill …` inside a namespace; resolves the child, collects its output. */
function run(
  ns: string,
  args: string[],
): { child: ChildProcess; out: () => string; exited: Promise<number | null>; waitFor: (re: RegExp, ms: number) => Promise<void> } {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, join(repo, 'src/cli/main.ts'), ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let text = '';
  const listeners = new Set<() => void>();
  const on = (b: Buffer) => {
    text += b.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on('data', on);
  child.stderr!.on('data', on);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const waitFor = (re: RegExp, ms: number) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (re.test(text)) {
          listeners.delete(check);
          clearTimeout(t);
          resolve();
        }
      };
      const t = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`timed out waiting for ${re} in ${ns}:\n${text.slice(-3000)}`));
      }, ms);
      listeners.add(check);
      void exited.then(() => {
        if (!re.test(text)) {
          listeners.delete(check);
          clearTimeout(t);
          reject(new Error(`${ns} exited before ${re}:\n${text.slice(-3000)}`));
        }
      });
      check();
    });
  return { child, out: () => text, exited, waitFor };
}

/** The venue config as one process sees it: multicast on its own veth address. */
function venueFileFor(cfg: VenueConfig, iface: string, name: string): string {
  const plain = venueConfigToPlain(cfg) as { feeds: Record<string, { interface: string }> };
  for (const f of Object.values(plain.feeds)) f.interface = iface;
  const file = join(dir, name);
  writeFileSync(file, stringify(plain), { mode: 0o600 });
  return file;
}

// A short rundown at 100x (20 rundown minutes in 12 s): the test itself cuts the primary's link when the conductor announces it.
const RUNDOWN = `rundown: PSNS
date: "2023-11-25"
title: { en: Namespace rehearsal, zh: 網絡命名空間演練 }
steps:
  - { at: "08:30", action: open-primary, text: { en: The primary site is open., zh: 主數據中心開放連接。 } }
  - { at: "08:32", action: continuous-trading, text: { en: Continuous trading at the primary site., zh: 主數據中心持續交易。 } }
  - { at: "08:35", action: announce, text: { en: The backbone goes down now., zh: 骨幹網絡現在中斷。 } }
  - { at: "08:37", action: activate-backup, text: { en: The backup site is activated., zh: 後備數據中心啟動。 } }
  - { at: "08:45", action: continuous-trading, text: { en: Continuous trading at the backup site., zh: 後備數據中心持續交易。 } }
  - { at: "08:50", action: close, text: { en: The session closes., zh: 演練時段結束。 } }
`;

describe('sites, conductor and probe in separate network namespaces', { skip: skip ?? false }, () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'netns-'));
    try {
      setUpNetwork();
    } catch (e) {
      tearDown();
      throw e;
    }
  });
  after(() => tearDown());

  it('the primary link goes down; the probe follows to the backup through the lookup service', { timeout: 90_000 }, async (t) => {
    const withCsc = !inNoCancelWindowSoon(Date.now(), 120_000);
    if (!withCsc) t.diagnostic('OTP-CSC left out: this run may reach a mainland no-cancellation window (09:20–09:25 or 14:57–15:00 Hong Kong time)');
    const cfg = defaultVenueConfig({
      subscribers: 1,
      session: 'PS-NETNS',
      primaryHost: ADDR.primary,
      backupHost: ADDR.backup,
      subscriberIp: ADDR.probe,
      controlToken: newControlToken(),
      timing: { omdHeartbeatMs: 200, refreshIntervalMs: 1_000 },
      market: { eventsPerSecond: 50, securities: 5 },
    });
    for (const s of cfg.subscribers) if (s['OTP-CSC']) s['OTP-CSC'].dropCopy = `${s.firm}E`;
    if (!withCsc) for (const s of cfg.subscribers) delete s['OTP-CSC'];
    const files = {
      primary: venueFileFor(cfg, ADDR.primary, 'venue-primary.yaml'),
      backup: venueFileFor(cfg, ADDR.backup, 'venue-backup.yaml'),
      conductor: venueFileFor(cfg, ADDR.conductor, 'venue-conductor.yaml'),
      probe: venueFileFor(cfg, ADDR.probe, 'venue-probe.yaml'),
    };
    writeFileSync(join(dir, 'rundown.yaml'), RUNDOWN);

    const backup = run(NS.backup, ['site', '--role', 'backup', '--config', files.backup]);
    await backup.waitFor(/site backup standby/, 20_000);
    const primary = run(NS.primary, ['site', '--role', 'primary', '--config', files.primary]);
    await primary.waitFor(/site primary active/, 20_000);

    const reportFile = join(dir, 'probe-report.json');
    const probe = run(NS.probe, [
      'probe',
      '--venue',
      files.probe,
      '--firm',
      'F001',
      '--time-scale',
      '0.01',
      '--recovery-timeout',
      '20',
      '--duration',
      '22',
      '--report',
      reportFile,
    ]);
    // Orders and cancels done at the primary and both feeds joined, as the probe's progress lines show.
    await probe.waitFor(/OTP-C +F001T +[2-7]\/7 passed/, 20_000);
    await probe.waitFor(/OMD-C +\S+ +[1-7]\/7 passed/, 20_000);
    await probe.waitFor(/OMD-CC +\S+ +[1-7]\/7 passed/, 20_000);

    const conductor = run(NS.conductor, [
      'conduct',
      '--rundown',
      join(dir, 'rundown.yaml'),
      '--venue',
      files.conductor,
      '--accelerate',
      '100',
      '--data',
      dir,
      '--poll',
      '200',
      '--control-timeout',
      '3000',
    ]);
    await conductor.waitFor(/Sat 08:35 \(x100\) announce/, 30_000);
    // The backbone change: the primary's link goes down. No RST, no FIN: only timers reveal it.
    ip('-n', NS.hub, 'link', 'set', `${LINK.primary}1`, 'down');
    await conductor.waitFor(/backup site active/, 20_000);

    const conductorCode = await conductor.exited;
    assert.equal(conductorCode, 0, `conductor failed:\n${conductor.out().slice(-3000)}`);
    const probeCode = await probe.exited;
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
      services: Array<{ service: string; cases: Array<{ id: string; status: string; reason?: string; failedStep?: string }> }>;
    };
    const status = (service: string, id: string) => report.services.find((s) => s.service === service)?.cases.find((c) => c.id === id);
    const table = report.services
      .flatMap((s) => s.cases.map((c) => `${s.service} ${c.id}: ${c.status}${c.failedStep ? ` at ${c.failedStep}` : ''} ${c.reason ?? ''}`))
      .join('\n');
    for (const service of withCsc ? ['OTP-C', 'OTP-CSC'] : ['OTP-C']) {
      for (const id of ['connect-primary', 'order-cancel-primary', 'reconnect-backup-via-lookup', 'sequence-continuity', 'order-cancel-backup']) {
        assert.equal(status(service, id)?.status, 'passed', `${service} ${id}\n${table}\n--- probe output ---\n${probe.out().slice(-2000)}`);
      }
    }
    for (const service of ['OMD-C', 'OMD-CC']) {
      for (const id of ['feed-joined-primary', 'dr-followed', 'data-from-backup']) {
        assert.equal(status(service, id)?.status, 'passed', `${service} ${id}\n${table}`);
      }
    }
    assert.ok(probeCode === 0 || probeCode === 1, `probe exit ${probeCode}`);
    // The conductor collected what the backup site saw: F001's logon there.
    const { events } = await readEvidenceFile(join(dir, 'PS-NETNS', 'evidence.jsonl'));
    assert.ok(
      events.some((e) => e.site === 'backup' && e.kind === 'logon' && e.identity === 'F001T'),
      'no logon of F001T at the backup in the evidence',
    );
    for (const c of [primary, backup]) c.child.kill('SIGTERM');
    await Promise.race([Promise.all([primary.exited, backup.exited]), new Promise((r) => setTimeout(r, 5_000))]);
  });
});

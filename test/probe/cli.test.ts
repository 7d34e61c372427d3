// `failover-drill probe` as a subscriber runs it: a child process against the two-site venue
// running in this test process. Without a TTY the progress is plain lines; the run ends once every
// identity is back at the primary; the exit code is 1 exactly when a case failed.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { venueConfigToPlain, probeConfigFor } from '../../src/venue/index.ts';
import { parseProbeConfig } from '../../src/probe/index.ts';
import { startSiteVenue, type SiteVenue } from './site-venue.ts';
import { waitFor } from './helpers.ts';

const MAIN = join(import.meta.dirname, '../../src/cli/main.ts');

interface Run {
  done: Promise<{ code: number | null; out: string; err: string }>;
  /** Resolves once every pattern has appeared in the output (the progress lines). */
  printed(what: string, patterns: RegExp[]): Promise<void>;
}

// Children still running when a test fails are stopped before the folder they write into is removed.
const running = new Set<{ stop: () => void; done: Promise<unknown> }>();

function run(args: string[]): Run {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '',
    err = '';
  child.stdout.on('data', (b) => {
    out += b;
  });
  child.stderr.on('data', (b) => {
    err += b;
  });
  const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) => child.on('close', (code) => resolve({ code, out, err })));
  const kill = setTimeout(() => child.kill('SIGKILL'), 25_000);
  const entry = { stop: () => child.kill('SIGKILL'), done };
  running.add(entry);
  void done.then(() => {
    clearTimeout(kill);
    running.delete(entry);
  });
  const printed = (what: string, patterns: RegExp[]) =>
    waitFor(what, () => patterns.every((re) => re.test(out)), 30_000).catch((e: Error) => {
      throw new Error(`${e.message}\n${out}${err}`);
    });
  return { done, printed };
}

describe('failover-drill probe', () => {
  let venue: SiteVenue;
  let dir: string;
  before(async () => {
    venue = await startSiteVenue(2);
    dir = mkdtempSync(join(tmpdir(), 'probe-cli-'));
    writeFileSync(join(dir, 'venue.yaml'), stringify(venueConfigToPlain(venue.cfg)));
  });

  it('--write-config derives subscriber.yaml from the venue config', async () => {
    const w = await run(['probe', '--venue', join(dir, 'venue.yaml'), '--firm', 'F001', '--write-config', join(dir, 'F001.yaml')]).done;
    assert.equal(w.code, 0, w.err);
    assert.deepEqual(parseProbeConfig(readFileSync(join(dir, 'F001.yaml'), 'utf8')), probeConfigFor(venue.cfg, 'F001'));
    const u = await run(['probe', '--venue', join(dir, 'venue.yaml'), '--firm', 'NOPE', '--write-config', join(dir, 'x.yaml')]).done;
    assert.equal(u.code, 2);
    assert.match(u.err, /no subscriber NOPE/);
  });

  after(async () => {
    for (const r of running) r.stop();
    await Promise.all([...running].map((r) => r.done));
    await venue.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('usage and config errors exit 2 with the reason', async () => {
    const a = await run(['probe']).done;
    assert.equal(a.code, 2);
    assert.match(a.err, /--config FILE \(or --venue FILE --firm ID\) is required/);
    writeFileSync(join(dir, 'bad.yaml'), 'session: PS2\nfirm: F001\nlocalAddress: 300.1.1.1\n');
    const b = await run(['probe', '--config', join(dir, 'bad.yaml')]).done;
    assert.equal(b.code, 2);
    assert.match(b.err, /line 3: localAddress: "300.1.1.1" is not an IP address/);
    const c = await run(['probe', '--config', join(dir, 'F001.yaml'), '--fault', 'bogus']).done;
    assert.equal(c.code, 2);
    assert.match(c.err, /--fault: expected one of never-relookup, ignore-dr, reset-sequence/);
  });

  it('follows the failover and the fail back; exit 0 for the well-behaved, 1 for the faulty', async () => {
    // A stand-in for the desk's evidence ingestion (src/desk/API.md: POST /api/evidence, Bearer token).
    const received: { auth: string | undefined; ids: string[] }[] = [];
    const desk = http.createServer((req, res) => {
      let body = '';
      req.on('data', (b) => {
        body += b;
      });
      req.on('end', () => {
        const events = (JSON.parse(body) as { events: { id: string }[] }).events;
        received.push({ auth: req.headers.authorization, ids: events.map((e) => e.id) });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ accepted: events.length, duplicates: 0, rejected: [] }));
      });
    });
    await new Promise<void>((r) => desk.listen(0, '127.0.0.1', () => r()));
    const deskUrl = `http://127.0.0.1:${(desk.address() as { port: number }).port}`;
    const common = ['--time-scale', '0.01', '--recovery-timeout', '5', '--duration', '20'];
    const good = run([
      'probe',
      '--config',
      join(dir, 'F001.yaml'),
      '--report',
      join(dir, 'F001.json'),
      '--evidence',
      join(dir, 'F001.jsonl'),
      '--desk',
      deskUrl,
      '--desk-token',
      'tok-123',
      ...common,
    ]);
    const faulty = run([
      'probe',
      '--venue',
      join(dir, 'venue.yaml'),
      '--firm',
      'F002',
      '--fault',
      'reset-sequence',
      '--report',
      join(dir, 'F002.json'),
      ...common,
    ]);
    // Logged on, test orders traded and feeds joined at the primary, as the progress lines show.
    const atPrimary = (firm: string) => [
      new RegExp(`OTP-C +${firm}T +[2-7]/7 passed`),
      new RegExp(`OTP-CSC +${firm}C +[2-7]/7 passed`),
      new RegExp(`OMD-C +${firm}MD +[1-7]/7 passed`),
      new RegExp(`OMD-CC +${firm}MC +[1-7]/7 passed`),
    ];
    await good.printed('F001 at the primary', atPrimary('F001'));
    await faulty.printed('F002 at the primary', atPrimary('F002'));
    venue.primary.injectFault({ kind: 'tcp-reset' });
    await venue.primary.isolate({ mode: 'abrupt', reason: 'backbone change' });
    await venue.backup.activate('primary lost');
    // Every service recovered at the backup with nothing pending; the faulty trading logon refused there.
    await good.printed(
      'F001 recovered at the backup',
      ['OTP-C +F001T', 'OTP-CSC +F001C', 'OMD-C +F001MD', 'OMD-CC +F001MC'].map((s) => new RegExp(`${s} +[4-7]/[67] passed {2,}\\S.*recovered in`)),
    );
    await faulty.printed('F002 refused at the backup', [
      /OTP-C +F002T +\d\/7 passed 1 FAILED/,
      /OMD-C +F002MD .*recovered in/,
      /OMD-CC +F002MC .*recovered in/,
    ]);
    await venue.primary.failback({ timeoutMs: 10_000 });
    const [g, f] = await Promise.all([good.done, faulty.done]);

    assert.equal(g.code, 0, g.out + g.err);
    assert.doesNotMatch(g.out, /\x1b\[/, 'no ANSI control codes without a TTY');
    assert.match(g.out, /OTP-C +F001T +\d\/7 passed/);
    assert.match(g.out, /Probe F001 \(Simulated Broker 1\), session PS-PROBE: passed/);
    const report = JSON.parse(readFileSync(join(dir, 'F001.json'), 'utf8'));
    assert.equal(report.result, 'passed');
    const otpc = report.services.find((s: { service: string }) => s.service === 'OTP-C');
    assert.equal(otpc.cases.length, 7);
    assert.ok(
      otpc.cases.every((c: { status: string }) => c.status === 'passed'),
      JSON.stringify(otpc.cases.map((c: { id: string; status: string; reason?: string }) => [c.id, c.status, c.reason])),
    );
    const lines = readFileSync(join(dir, 'F001.jsonl'), 'utf8').trim().split('\n');
    assert.ok(lines.length > 10 && lines.every((l) => JSON.parse(l).source === 'probe'));
    desk.close();
    assert.ok(received.length > 0, 'the desk received evidence');
    assert.ok(received.every((r) => r.auth === 'Bearer tok-123'));
    assert.deepEqual(received.flatMap((r) => r.ids).sort(), lines.map((l) => JSON.parse(l).id as string).sort(), 'the desk got every evidence event');

    assert.equal(f.code, 1, f.out + f.err);
    assert.match(f.out, /sequence-continuity: logon-backup-trading: logon refused at the backup site/);
    const fr = JSON.parse(readFileSync(join(dir, 'F002.json'), 'utf8'));
    assert.deepEqual(fr.faults, { resetSequenceOnReconnect: true });
  });
});

// `npm start`: the accelerated PS2 with the service desk in
// the same process. Run it short (4 subscribers, rundown at 300x, about 35 s) in a
// child process on the pinned runtime with --exit-after-session, then open the
// desk's SQLite file and its API: Appendix A on file before the session for every
// firm, evidence from the venue and the probes, Appendix B from the evidence, and
// the three faulty firms flagged on the dashboard, the well-behaved one recovered on every service;
// F003 also trades over FIX: its FIX identities are on the desk, in its Appendix B and its OTP-C cell.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { findContradictions, openStore, prefillResultForm, startDesk, type IntentionForm, type ResultForm } from '../../src/desk/index.ts';

const SESSION = 'PS2-drill';
const PASSWORD = 'drill-test-password';
const data = mkdtempSync(join(tmpdir(), 'fd-drill-'));
after(() => rmSync(data, { recursive: true, force: true }));

function runDrillCli(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['src/cli/main.ts', 'drill', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '',
      stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('failover-drill drill (npm start) with the embedded desk', () => {
  it('files Appendix A before the session, streams the evidence, files Appendix B from it and flags the faulty firms', { timeout: 120_000 }, async () => {
    const r = await runDrillCli(
      [
        '--subscribers',
        '4',
        '--accelerate',
        '300',
        '--base-port',
        '38000',
        '--desk-port',
        '0',
        '--data',
        data,
        '--demo-password',
        PASSWORD,
        '--exit-after-session',
      ],
      110_000,
    );
    assert.equal(r.code, 0, r.stderr + r.stdout.slice(-4000));
    // The dashboard URL and the accounts are printed.
    assert.match(r.stdout, /service desk: dashboard http:\/\/127\.0\.0\.1:\d+\/sessions\/PS2-drill/);
    // Where Prometheus scrapes the two sites and the desk, with their tokens.
    assert.match(r.stdout, /metrics: primary http:\/\/127\.0\.0\.2:\d+\/metrics, backup http:\/\/127\.0\.0\.3:\d+\/metrics \(Bearer \S+/);
    assert.match(r.stdout, /desk metrics: http:\/\/127\.0\.0\.1:\d+\/metrics \(Bearer \S+\)/);
    for (const u of ['desk', 'f001.user', 'f002.user', 'f003.user', 'f004.user'])
      assert.match(r.stdout, new RegExp(`account ${u.replace('.', '\\.')} +password ${PASSWORD}`));
    assert.match(r.stdout, /F002 +v1 +ignoreDisasterRecovery: .*contradictions: .*DR_NOT_FOLLOWED OMD-C, DR_NOT_FOLLOWED OMD-CC/);
    // F003 (every third firm) also trades OTP-C over FIX; its sequence fault fails the FIX line too.
    assert.match(r.stdout, /F003 +resetSequenceOnReconnect +OTP-C FIX +F003X +failed .* yes +sequence-continuity/);
    // The readiness check before 08:30: F001 uses a wrong password in its preflight only.
    assert.match(r.stdout, /readiness F001: NOT READY \(F001T logon: refused with Session Status 5/);
    assert.match(r.stdout, /readiness before 08:30: 3\/4 firms ready; not ready: F001 \(F001 uses a wrong password on purpose\) — as expected/);

    const store = openStore(join(data, SESSION, 'desk.sqlite'));
    try {
      const session = (await store.getSession(SESSION))!;
      assert.ok(session, 'the session is on the desk');
      assert.equal(session.code, 'PS2');
      assert.deepEqual(session.services, ['OTP-C', 'OTP-CSC', 'OMD-C', 'OMD-CC']);
      assert.match(session.rundown, /action: activate-backup/);
      assert.match(session.intentionDeadline, /\+08:00$/);
      const notice = (await store.getNotice(session.noticeId!))!;
      assert.ok(notice.titleEn && notice.titleZh && notice.issuer.hotline && notice.issuer.email && notice.refersTo.length > 0);
      const subs = await store.listSubscribers();
      assert.deepEqual(subs.map((s) => s.id).sort(), ['F001', 'F002', 'F003', 'F004']);
      // Identities as the venue knows them, so the evidence maps to the firm.
      assert.deepEqual(
        subs.find((s) => s.id === 'F004')!.identities.map((i) => `${i.service}:${i.identity}:${i.role}`),
        [
          'OTP-C:F004T:trading',
          'OTP-C:F004D:drop-copy',
          'OTP-CSC:F004C:trading',
          'OTP-CSC:F004E:drop-copy',
          'OMD-C:F004MD:retransmission',
          'OMD-CC:F004MC:retransmission',
        ],
      );
      const f003 = subs.find((s) => s.id === 'F003')!;
      assert.deepEqual(
        f003.identities.filter((i) => i.service === 'OTP-C').map((i) => `${i.identity}:${i.role}`),
        ['F003T:trading', 'F003D:drop-copy', 'F003X:trading', 'F003Y:drop-copy'],
      );

      const evidence = await store.listEvidence({ session: SESSION });
      const firstEvidence = Math.min(...evidence.map((e) => Date.parse(e.ts)));
      const intentions = await store.latestForms(SESSION, 'intention');
      assert.deepEqual(intentions.map((f) => f.subscriberId).sort(), ['F001', 'F002', 'F003', 'F004']);
      for (const f of intentions) {
        assert.equal(f.late, false, `${f.subscriberId}'s Appendix A on time`);
        assert.ok(Date.parse(f.submittedAt) < firstEvidence, `${f.subscriberId}'s Appendix A before the session's first evidence`);
        assert.equal((f.content as IntentionForm).participate, true);
      }

      for (const firm of ['F001', 'F002', 'F003', 'F004']) {
        const mine = evidence.filter((e) => e.subscriber === firm);
        assert.ok(
          mine.some((e) => e.source === 'venue' && e.kind === 'logon'),
          `${firm}: venue evidence`,
        );
        assert.ok(
          mine.some((e) => e.source === 'probe' && e.kind === 'feed-joined'),
          `${firm}: probe evidence`,
        );
      }

      const results = await store.latestForms(SESSION, 'result');
      assert.deepEqual(results.map((f) => f.subscriberId).sort(), ['F001', 'F002', 'F003', 'F004']);
      // The well-behaved firm's Appendix B is the pre-fill: same answers as the evidence suggests, every section passed.
      const good = results.find((f) => f.subscriberId === 'F004')!.content as ResultForm;
      const prefill = prefillResultForm(
        session,
        subs.find((s) => s.id === 'F004')!,
        evidence,
      );
      assert.equal(good.sections.length, 6);
      for (const [i, s] of good.sections.entries()) {
        const p = prefill[i]!;
        assert.equal(s.identity, p.identity);
        assert.deepEqual(s.connectedToPrimary, p.connectedToPrimary);
        assert.deepEqual(s.reconnectedToBackup, p.reconnectedToBackup);
        assert.equal(s.reconnectedToBackup.value, true, `${s.identity} reconnected to the backup`);
        assert.equal(s.overall, 'passed', `${s.identity}: ${JSON.stringify(s.problems)}`);
      }
      // F003's Appendix B has a section per FIX identity too; the pre-fill has the venue's FIX logon at the primary,
      // and the clean pass it declared for F003X is contradicted by the evidence.
      const f003Form = results.find((f) => f.subscriberId === 'F003')!.content as ResultForm;
      assert.equal(f003Form.sections.length, 8);
      assert.deepEqual(
        f003Form.sections.filter((x) => ['F003X', 'F003Y'].includes(x.identity)).map((x) => `${x.service}:${x.identity}`),
        ['OTP-C:F003X', 'OTP-C:F003Y'],
      );
      const f003Prefill = prefillResultForm(session, f003, evidence);
      const fixSection = f003Prefill.find((x) => x.identity === 'F003X')!;
      assert.ok(fixSection, 'a pre-fill section for the FIX trading identity');
      assert.equal(fixSection.role, 'trading');
      assert.equal(fixSection.connectedToPrimary.value, true, JSON.stringify(fixSection.basis));
      assert.equal(fixSection.basis.connectedToPrimary!.provenance, 'venue');
      assert.ok(
        evidence.some((e) => e.identity === 'F003X' && e.source === 'venue' && e.kind === 'clean-up'),
        'the clean-up check covers the FIX CompID',
      );
      const f003Flags = findContradictions(
        f003Form,
        'F003',
        evidence.filter((e) => e.subscriber === 'F003'),
      );
      assert.ok(
        f003Flags.some((c) => c.identity === 'F003X'),
        JSON.stringify(f003Flags.map((c) => `${c.code} ${c.identity}`)),
      );
      // The dashboard's OTP-C cell of F003 folds its FIX identities with the binary ones.
      const cells = await store.listEvidenceCells(SESSION, ['F003']);
      const otpc = cells.find((c) => c.service === 'OTP-C')!;
      assert.ok(otpc, 'an OTP-C cell for F003');
      assert.deepEqual(otpc.summary.identities.map(([id]) => id).sort(), ['F003D', 'F003T', 'F003X', 'F003Y']);
      // The firm that ignored the DR signal declared market data recovered on both feeds: the probe's evidence contradicts it.
      const drIgnored = results.find((f) => f.subscriberId === 'F002')!.content as ResultForm;
      const flags = findContradictions(
        drIgnored,
        'F002',
        evidence.filter((e) => e.subscriber === 'F002'),
      );
      assert.deepEqual(
        flags.filter((c) => c.code === 'DR_NOT_FOLLOWED').map((c) => `${c.service} ${c.identity}`),
        ['OMD-C F002MD', 'OMD-CC F002MC'],
        JSON.stringify(flags),
      );
    } finally {
      await store.close();
    }

    // The dashboard (the desk's API on the same file): every form on file, the faulty firms flagged.
    const desk = await startDesk({ db: join(data, SESSION, 'desk.sqlite'), port: 0, webRoot: null });
    try {
      const login = await fetch(`${desk.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'desk', password: PASSWORD }),
      });
      assert.equal(login.status, 200);
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const res = await fetch(`${desk.url}/api/sessions/${SESSION}/dashboard`, { headers: { cookie } });
      assert.equal(res.status, 200);
      const dash = (await res.json()) as {
        rows: { subscriber: { id: string }; cells: Record<string, string>; intention: unknown; result: unknown; contradictions: number }[];
        missing: { intention: number; result: number };
      };
      assert.deepEqual(dash.missing, { intention: 0, result: 0 });
      const row = (id: string) => dash.rows.find((x) => x.subscriber.id === id)!;
      // n = 4: F001 never asks the lookup again, F002 ignores the DR signal, F003 resets its sequence numbers.
      assert.equal(row('F001').cells['OTP-C'], 'failed', JSON.stringify(row('F001')));
      assert.equal(row('F001').cells['OTP-CSC'], 'failed');
      assert.ok(row('F001').contradictions > 0, 'F001 declared a reconnection the venue never saw');
      assert.equal(row('F002').cells['OMD-C'], 'failed', JSON.stringify(row('F002')));
      assert.equal(row('F002').cells['OMD-CC'], 'failed');
      assert.equal(row('F003').cells['OTP-C'], 'failed', JSON.stringify(row('F003')));
      assert.equal(row('F003').cells['OTP-CSC'], 'failed');
      assert.ok(row('F002').contradictions >= 2, 'F002 declared market data recovered with the DR signal ignored');
      // Each fault breaks only its own services: the others recovered.
      for (const [firm, svc] of [
        ['F001', 'OMD-C'],
        ['F001', 'OMD-CC'],
        ['F002', 'OTP-C'],
        ['F002', 'OTP-CSC'],
        ['F003', 'OMD-C'],
        ['F003', 'OMD-CC'],
      ] as const) {
        assert.equal(row(firm).cells[svc], 'recovered', `${firm} ${svc}: ${JSON.stringify(row(firm))}`);
      }
      // The well-behaved firm recovered on every service: trading by its acknowledgements at the backup, the drop copy
      // (no gap) once the first one was seen, market data by the backup's refresh and the books equal to the venue's.
      assert.deepEqual(
        row('F004').cells,
        { 'OTP-C': 'recovered', 'OTP-CSC': 'recovered', 'OMD-C': 'recovered', 'OMD-CC': 'recovered' },
        JSON.stringify(row('F004')),
      );
      assert.equal(row('F004').contradictions, 0);
      // Readiness: F001 said it will take part and never passed its check: flagged; the others passed.
      const ready = dash.rows as unknown as { subscriber: { id: string }; readiness: { state: string }; notReady: boolean }[];
      assert.deepEqual(
        ready.map((x) => `${x.subscriber.id}:${x.readiness.state}${x.notReady ? ':not-ready' : ''}`),
        ['F001:failed:not-ready', 'F002:passed', 'F003:passed', 'F004:passed'],
      );
    } finally {
      await desk.close();
    }
  });

  it('a second start on a desk port in use says so, without a stack trace', { timeout: 30_000 }, async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    try {
      const port = (blocker.address() as AddressInfo).port;
      const r = spawnSync(process.execPath, ['src/cli/main.ts', 'drill', '--desk-port', String(port), '--data', data, '--exit-after-session'], {
        encoding: 'utf8',
        timeout: 25_000,
      });
      assert.equal(r.status, 1, r.stderr + r.stdout);
      assert.match(r.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use`));
      assert.match(r.stderr, /another `npm start`/);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    } finally {
      blocker.close();
    }
  });
});

// `failover-drill drill` (what `npm start` runs): the embedded default — an
// accelerated PS2 with both sites in this process on 127.0.0.2 / 127.0.0.3,
// the conductor, simulated subscribers (three deliberately faulty) and the
// service desk on 127.0.0.1 with the session's paperwork. Ends with a table
// per subscriber and service; evidence under --data; the desk keeps serving
// until Ctrl-C unless --exit-after-session.
import { once } from 'node:events';
import { rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Command } from '../command.ts';
import { UsageError, numberOption } from '../command.ts';
import { runDrill, renderTable, summaryPath, FAULT_BREAKS, DrillPaperwork, type AppendixBOutcome } from '../../drill/index.ts';
import { ensureWebBuilt, startDesk, type RunningDesk } from '../../desk/index.ts';
import { loadRundown } from '../../conductor/index.ts';

const DESK_HOST = '127.0.0.1';

/** Resolves to null when the port is free, else the error code (EADDRINUSE…); the probe server is closed again. */
async function portProblem(port: number): Promise<string | null> {
  if (port === 0) return null;
  const server = createServer();
  try {
    server.listen(port, DESK_HOST);
    await once(server, 'listening');
    return null;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? String(e);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function portInUse(port: number): string {
  return `failover-drill drill: port ${port} on ${DESK_HOST} is in use — is another \`npm start\` (or \`failover-drill desk\`) running? Stop it, or pass --desk-port <other port> (0 = any free port).`;
}

const command: Command = {
  name: 'drill',
  summary: 'Accelerated PS2 on loopback: two sites, the conductor, simulated subscribers and the service desk (npm start)',
  details: [
    'Plays rundowns/ps2.yaml about 150 times faster than real time (08:30–11:10 in about a minute).',
    'The primary site runs on 127.0.0.2, the backup on 127.0.0.3; every subscriber is a probe in this process.',
    'Four subscribers are faulty on purpose: one never asks the lookup service again after the loss,',
    'one ignores the disaster-recovery signal (stale book), one resets its sequence numbers, one leaves an order resting.',
    'Every third subscriber (F003, F006, …) also trades OTP-C over FIX: its FIX lines show in the table as "OTP-C FIX".',
    'The service desk serves on 127.0.0.1:--desk-port with a fresh SQLite file DIR/<session>/desk.sqlite:',
    'the notice, the session, one firm and one user per subscriber and a desk officer (accounts printed).',
    "Each firm's Appendix A is filed before the session, the evidence streams in as it happens, and each",
    'Appendix B is submitted from the evidence after it (the faulty firms declare a clean pass: contradicted).',
    'The desk keeps serving until Ctrl-C; --exit-after-session stops after the session. With --desk URL',
    'the evidence goes to that desk instead and none is started here.',
    'Exit code 0 when every well-behaved subscriber passed and every faulty one failed exactly the case its fault breaks.',
  ].join('\n'),
  options: {
    subscribers: { type: 'string', default: '12', value: 'N', description: 'Simulated subscribers (firms F001…)' },
    accelerate: { type: 'string', default: '150', value: 'N', description: 'Rundown time runs N times faster than real time' },
    rundown: { type: 'string', value: 'FILE', description: 'Another rundown instead of rundowns/ps2.yaml' },
    data: { type: 'string', default: './data', value: 'DIR', description: "Evidence, summary and the desk's SQLite file go to DIR/<session>/" },
    session: { type: 'string', value: 'ID', description: 'Practice-session id (default <rundown code>-drill: PS2-drill)' },
    'base-port': { type: 'string', value: 'PORT', description: "First port of each site's block (default the venue's)" },
    'desk-port': { type: 'string', default: '8780', value: 'PORT', description: 'Port of the embedded desk on 127.0.0.1 (0 = any free port)' },
    'demo-password': { type: 'string', value: 'PASSWORD', description: 'One password for every demo account instead of random ones (10+ characters)' },
    desk: { type: 'string', value: 'URL', description: 'Stream the evidence to this desk (POST /api/evidence) instead of starting one' },
    'desk-token': { type: 'string', value: 'T', description: "The desk's evidence Bearer token" },
    'exit-after-session': { type: 'boolean', default: false, description: 'Exit once the session is over and Appendix B filed (scripts, tests)' },
  },
  async run(values) {
    const subscribers = numberOption(values, 'subscribers', { integer: true, min: 1, max: 200 });
    const accelerate = numberOption(values, 'accelerate', { min: 1, max: 2_000 });
    const deskPort = numberOption(values, 'desk-port', { integer: true, min: 0, max: 65_535 });
    const basePort = values['base-port'] === undefined ? undefined : numberOption(values, 'base-port', { integer: true, min: 1_024, max: 60_000 });
    const dataDir = String(values['data']);
    const password = typeof values['demo-password'] === 'string' ? values['demo-password'] : undefined;
    if (password !== undefined && password.length < 10) throw new UsageError('--demo-password: at least 10 characters');
    if ((values['desk'] === undefined) !== (values['desk-token'] === undefined)) throw new UsageError('--desk and --desk-token go together');
    const external =
      typeof values['desk'] === 'string' && typeof values['desk-token'] === 'string' ? { url: values['desk'], token: values['desk-token'] } : null;
    // The default session is named after the rundown played (PS1-drill for rundowns/ps1.yaml), as runDrill names it.
    const session =
      typeof values['session'] === 'string'
        ? values['session']
        : typeof values['rundown'] === 'string'
          ? `${(await loadRundown(values['rundown'])).code}-drill`
          : 'PS2-drill';
    const t0 = Date.now();
    const log = (s: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${s}`);

    let desk: RunningDesk | null = null;
    let paperwork: DrillPaperwork | null = null;
    // Ctrl-C during the session: close the desk (its SQLite file) and leave; the venue's sockets go with the process.
    let stopping = false;
    const abort = (signal: string) => {
      if (stopping) return;
      stopping = true;
      console.log(`\n${signal}: stopping`);
      void (desk ? desk.close() : Promise.resolve()).finally(() => process.exit(130));
    };
    const onSigint = () => abort('SIGINT');
    const onSigterm = () => abort('SIGTERM');
    if (!external) {
      // A second `npm start` must say so before it touches the first one's files.
      const problem = await portProblem(deskPort);
      if (problem === 'EADDRINUSE') {
        console.error(portInUse(deskPort));
        return 1;
      }
      if (problem) {
        console.error(`failover-drill drill: cannot listen on ${DESK_HOST}:${deskPort} (${problem})`);
        return 1;
      }
      const ui = ensureWebBuilt({ quiet: true });
      // Fresh per run, beside the run's evidence file.
      const db = join(dataDir, session, 'desk.sqlite');
      mkdirSync(join(dataDir, session), { recursive: true });
      for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
      try {
        desk = await startDesk({ db, port: deskPort, host: DESK_HOST });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          console.error(portInUse(deskPort));
          return 1;
        }
        throw e;
      }
      process.on('SIGINT', onSigint);
      process.on('SIGTERM', onSigterm);
      paperwork = new DrillPaperwork(desk, password !== undefined ? { password } : {});
      log(`desk: ${desk.url} (SQLite ${db})${ui ? '' : ' — API only: the web UI is not built (npm run build:web)'}`);
      log(`desk metrics: ${desk.url}/metrics (Bearer ${desk.metricsToken})`);
    }

    let result: Awaited<ReturnType<typeof runDrill>>;
    try {
      result = await runDrill({
        subscribers,
        accelerate,
        dataDir,
        log,
        progressMs: 5_000,
        session,
        ...(typeof values['rundown'] === 'string' ? { rundownPath: values['rundown'] } : {}),
        ...(basePort !== undefined ? { basePort } : {}),
        ...(external ? { desk: external } : {}),
        ...(desk && paperwork
          ? {
              desk: { url: desk.url, token: desk.evidenceToken },
              beforeSession: async (ctx) => {
                await paperwork!.beforeSession(ctx);
                printAccounts(desk!, paperwork!);
                log(`Appendix A on file for ${paperwork!.subscribers.length} subscribers; the session starts`);
              },
            }
          : {}),
      });
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { address?: string; port?: number };
      if (err.code === 'EADDRINUSE')
        console.error(
          `failover-drill drill: the venue cannot listen on ${err.address ?? '?'}:${err.port ?? '?'} (in use) — is another drill or site running? Pass --base-port <other block>.`,
        );
      else console.error(err instanceof Error ? (err.stack ?? err.message) : err);
      // A venue that failed half-way through its start leaves sockets this command does not hold: leave.
      if (desk) await desk.close().catch(() => {});
      process.exit(1);
    }
    try {
      console.log('');
      console.log(renderTable(result.verdicts, process.stdout.columns || 160));
      console.log('');
      const faulty = [...result.faults]
        .map(([firm, f]) => `${firm} ${f} (${FAULT_BREAKS[f] ? `must fail ${FAULT_BREAKS[f].mustFail}` : 'the clean-up check must find its order'})`)
        .join('; ');
      console.log(`faulty on purpose: ${faulty || 'none'}`);
      if (result.readiness.length) {
        const ready = result.readiness.filter((r) => r.passed).map((r) => r.firm);
        console.log(
          `readiness before 08:30: ${ready.length}/${result.readiness.length} firms ready; not ready: ${
            result.readiness
              .filter((r) => !r.passed)
              .map((r) => r.firm)
              .join(', ') || 'none'
          } (${result.preflightFaulty} uses a wrong password on purpose) — ${result.readinessAsExpected ? 'as expected' : 'NOT as expected'}`,
        );
      }
      const f = result.conductor.failover;
      if (f.primaryLostAt !== null && f.backupActiveAt !== null)
        console.log(`backup active ${f.backupActiveAt - f.primaryLostAt} ms after the primary was lost (site takeover ${f.backupTakeoverMs} ms)`);
      const summary = summaryPath(dataDir, result.session);
      let appendixB: AppendixBOutcome[] = [];
      if (paperwork) {
        appendixB = await paperwork.fileResultForms();
        console.log('');
        console.log(renderAppendixB(appendixB));
      }
      writeFileSync(
        summary,
        JSON.stringify(
          {
            session: result.session,
            asExpected: result.asExpected,
            faults: Object.fromEntries(result.faults),
            failover: f,
            verdicts: result.verdicts,
            readiness: result.readiness.map((r) => ({ firm: r.firm, passed: r.passed, failed: r.rows.filter((x) => x.verdict === 'fail') })),
            readinessAsExpected: result.readinessAsExpected,
            reports: result.reports.map(({ events: _e, ...r }) => r),
            ...(desk ? { desk: { url: desk.url, appendixB: appendixB.map((o) => ({ ...o, contradictions: o.contradictions.map((c) => c.code) })) } } : {}),
          },
          null,
          2,
        ),
      );
      console.log(`evidence: ${result.evidenceCount} events in ${result.evidencePath}; summary ${summary}`);
      console.log(
        result.asExpected
          ? 'drill as expected: every well-behaved subscriber passed, every faulty one failed what its fault breaks'
          : 'drill NOT as expected (see the lines marked NO)',
      );
      const code = result.asExpected ? 0 : 1;
      if (!desk || values['exit-after-session']) return code;
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
      console.log('');
      console.log(`desk still serving: dashboard ${desk.url}/sessions/${result.session} — press Ctrl-C to stop`);
      const signal = await new Promise<string>((resolve) => {
        process.once('SIGINT', () => resolve('SIGINT'));
        process.once('SIGTERM', () => resolve('SIGTERM'));
      });
      console.log(`\n${signal}: closing the desk`);
      return code;
    } finally {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
      if (desk && !stopping) await desk.close();
    }
  },
};

function printAccounts(desk: RunningDesk, paperwork: DrillPaperwork): void {
  const session = paperwork.session!;
  console.log('');
  console.log(`service desk: dashboard ${desk.url}/sessions/${session.id}  (sign in at ${desk.url}/)`);
  console.log(
    `  session ${session.id} (${session.code}) on ${session.date}; Appendix A due ${session.intentionDeadline}, Appendix B due ${session.resultDeadline}`,
  );
  for (const a of paperwork.accounts)
    console.log(`  account ${a.username.padEnd(12)} password ${a.password}  (${a.role === 'desk' ? 'desk officer' : `subscriber ${a.subscriberId}`})`);
  console.log('  (passwords are generated for this run only; --demo-password sets one for all)');
  console.log('');
}

function renderAppendixB(rows: readonly AppendixBOutcome[]): string {
  const lines = ['Appendix B submitted from the evidence (faulty firms declare a clean pass):'];
  for (const r of rows) {
    const failed = Object.entries(r.cells)
      .filter(([, s]) => s === 'failed')
      .map(([svc]) => svc);
    const codes = [...new Set(r.contradictions.map((c) => `${c.code} ${c.service}`))];
    lines.push(
      `  ${r.firm}  v${r.version}  ${r.fault ?? 'well-behaved'}: declared ${r.sections - r.notPassed}/${r.sections} sections passed; dashboard failed: ${failed.join(', ') || 'none'}; contradictions: ${codes.length ? codes.join(', ') : 'none'}`,
    );
  }
  return lines.join('\n');
}

export default command;

// `failover-drill drill` (what `npm start` runs): the embedded default — an
// accelerated PS2 with both sites in this process on 127.0.0.2 / 127.0.0.3,
// the conductor, and simulated subscribers (three deliberately faulty). Ends
// with a table per subscriber and service; evidence under --data.
import { writeFileSync } from 'node:fs';
import type { Command } from '../command.ts';
import { UsageError, numberOption } from '../command.ts';
import { runDrill, renderTable, summaryPath, FAULT_BREAKS } from '../../drill/index.ts';

const command: Command = {
  name: 'drill',
  summary: 'Accelerated PS2 on loopback: two sites, the conductor and simulated subscribers (npm start)',
  details: [
    'Plays rundowns/ps2.yaml about 150 times faster than real time (08:30–11:10 in about a minute).',
    'The primary site runs on 127.0.0.2, the backup on 127.0.0.3; every subscriber is a probe in this process.',
    'Three subscribers are faulty on purpose: one never asks the lookup service again after the loss,',
    'one ignores the disaster-recovery signal (stale book), one resets its sequence numbers.',
    'Exit code 0 when every well-behaved subscriber passed and every faulty one failed exactly the case its fault breaks.',
  ].join('\n'),
  options: {
    'subscribers': { type: 'string', default: '12', value: 'N', description: 'Simulated subscribers (firms F001…)' },
    'accelerate': { type: 'string', default: '150', value: 'N', description: 'Rundown time runs N times faster than real time' },
    'rundown': { type: 'string', value: 'FILE', description: 'Another rundown instead of rundowns/ps2.yaml' },
    'data': { type: 'string', default: './data', value: 'DIR', description: 'Evidence and summary go to DIR/<session>/' },
    'session': { type: 'string', value: 'ID', description: 'Practice-session id (default PS2-drill)' },
    'desk': { type: 'string', value: 'URL', description: 'Also stream the evidence to this desk (POST /api/evidence)' },
    'desk-token': { type: 'string', value: 'T', description: 'The desk\'s evidence Bearer token' },
    'exit-after-session': { type: 'boolean', default: true, description: 'Exit once the session is over (the only mode for now)' },
  },
  async run(values) {
    const subscribers = numberOption(values, 'subscribers', { integer: true, min: 1, max: 200 });
    const accelerate = numberOption(values, 'accelerate', { min: 1, max: 2_000 });
    const dataDir = String(values['data']);
    if ((values['desk'] === undefined) !== (values['desk-token'] === undefined)) throw new UsageError('--desk and --desk-token go together');
    const t0 = Date.now();
    const log = (s: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${s}`);
    const result = await runDrill({
      subscribers, accelerate, dataDir, log, progressMs: 5_000,
      ...(typeof values['rundown'] === 'string' ? { rundownPath: values['rundown'] } : {}),
      ...(typeof values['session'] === 'string' ? { session: values['session'] } : {}),
      ...(typeof values['desk'] === 'string' && typeof values['desk-token'] === 'string' ? { desk: { url: values['desk'], token: values['desk-token'] } } : {}),
    });
    console.log('');
    console.log(renderTable(result.verdicts, process.stdout.columns || 160));
    console.log('');
    const faulty = [...result.faults].map(([firm, f]) => `${firm} ${f} (must fail ${FAULT_BREAKS[f].mustFail})`).join('; ');
    console.log(`faulty on purpose: ${faulty || 'none'}`);
    const f = result.conductor.failover;
    if (f.primaryLostAt !== null && f.backupActiveAt !== null) console.log(`backup active ${f.backupActiveAt - f.primaryLostAt} ms after the primary was lost (site takeover ${f.backupTakeoverMs} ms)`);
    const summary = summaryPath(dataDir, result.session);
    writeFileSync(summary, JSON.stringify({ session: result.session, asExpected: result.asExpected, faults: Object.fromEntries(result.faults), failover: f, verdicts: result.verdicts, reports: result.reports.map(({ events: _e, ...r }) => r) }, null, 2));
    console.log(`evidence: ${result.evidenceCount} events in ${result.evidencePath}; summary ${summary}`);
    console.log(result.asExpected ? 'drill as expected: every well-behaved subscriber passed, every faulty one failed what its fault breaks' : 'drill NOT as expected (see the lines marked NO)');
    return result.asExpected ? 0 : 1;
  },
};

export default command;

// The accelerated PS1 end to end: the primary is black-holed (no FIN, no RST, no DR signal: only
// heartbeats reveal it), the backup is activated, and after the close the service fails back to
// the primary while it is still black-holed. Both sites in this process, the conductor over the
// control API, 8 simulated subscribers (F003 and F006 also over FIX) of which four are faulty on
// purpose. Regression for two bugs: the drill compared the books with the black-holed primary (which still believes it is
// active and keeps trading alone), so every OMD book-rebuilt failed; and fail back timed out
// (the primary was fenced mid fail back by the backup's FENCE flushed out of the black hole).
// About 30 s (rundown at 400x).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readEvidenceFile } from '../../src/evidence/index.ts';
import { renderTable, runDrill } from '../../src/drill/index.ts';
import { assertVerdicts } from './drill-verdicts.ts';

const PS1 = fileURLToPath(new URL('../../rundowns/ps1.yaml', import.meta.url));

describe('accelerated PS1 end to end (black hole)', () => {
  it(
    '8 subscribers: the well-behaved pass every case (books rebuilt, return to the primary), each faulty one fails exactly what its fault breaks',
    { timeout: 120_000 },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ps1-e2e-'));
      try {
        const r = await runDrill({ rundownPath: PS1, subscribers: 8, accelerate: 400, dataDir: dir, basePort: 31_000, groupBase: 151, session: 'PS1-e2e' });
        const table = renderTable(r.verdicts, 200);
        assert.equal(
          r.conductor.failedSteps,
          0,
          `a rundown step failed:\n${r.conductor.runs
            .filter((x) => x.error)
            .map((x) => `${x.step.action}: ${x.error!.message}`)
            .join('\n')}`,
        );
        const isolation = r.conductor.runs.find((x) => x.step.action === 'isolate-primary');
        assert.equal(isolation?.step.isolation, 'blackhole', 'the rundown black-holes the primary');
        assert.deepEqual([...r.faults.entries()].sort(), [
          ['F002', 'neverRelookup'],
          ['F004', 'ignoreDisasterRecovery'],
          ['F006', 'resetSequenceOnReconnect'],
          ['F008', 'leaveOrderResting'],
        ]);
        // Every third firm also trades OTP-C over FIX: one more line each.
        assert.equal(r.verdicts.length, 8 * 4 + 2, `one line per subscriber and service, and per FIX identity:\n${table}`);
        assert.deepEqual(
          r.verdicts.filter((v) => v.protocol === 'FIX').map((v) => `${v.firm} ${v.identity}`),
          ['F003 F003X', 'F006 F006X'],
        );
        assert.match(table, /F006 +resetSequenceOnReconnect +OTP-C FIX +F006X +failed/);
        assertVerdicts(r, table);
        // The venue's clean-up check finds the order F008 left resting, on both trading services, and nothing else.
        const checked = r.verdicts.filter((v) => v.restingAtCleanUp !== null);
        assert.equal(checked.length, 8 * 2 + 2, `every trading line has the clean-up check:\n${table}`);
        assert.deepEqual(
          checked.filter((v) => v.restingAtCleanUp! > 0).map((v) => `${v.firm} ${v.service}`),
          ['F008 OTP-C', 'F008 OTP-CSC'],
          table,
        );
        assert.ok(r.asExpected);
        const f = r.conductor.failover;
        assert.ok(f.primaryLostAt! < f.backupActiveAt! && f.backupActiveAt! < f.failedBackAt!, 'lost, backup active, failed back, in that order');
        const final = r.conductor.finalStatus;
        assert.equal(typeof final.primary === 'object' ? final.primary.state : final.primary, 'active', 'the primary serves again');
        assert.deepEqual(typeof final.primary === 'object' ? final.primary.faults : null, [], 'the black hole cleared by the fail back');
        assert.equal(typeof final.backup === 'object' ? final.backup.state : final.backup, 'standby');
        const { events, errors } = await readEvidenceFile(r.evidencePath);
        assert.deepEqual(errors, []);
        assert.equal(new Set(events.map((e) => e.id)).size, events.length);
        assert.ok(
          events.some((e) => e.detail['conductor'] === true && e.kind === 'site-activated' && e.detail['failback'] === true),
          'conductor mark of the fail back',
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

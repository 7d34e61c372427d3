// The accelerated PS2 end to end: both sites in this process on 127.0.0.2 /
// 127.0.0.3, the conductor over the control API, 20 simulated subscribers (every third also over
// FIX) of which four are faulty on purpose, F015's fault over FIX too. Every well-behaved one
// passes every case; every faulty one fails exactly the case its fault breaks. About 30 s
// (rundown at 250x).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEvidenceFile } from '../../src/evidence/index.ts';
import { renderTable, runDrill } from '../../src/drill/index.ts';
import { assertVerdicts } from './drill-verdicts.ts';

describe('accelerated PS2 end to end', () => {
  it('20 subscribers: the well-behaved pass every case, each faulty one fails exactly what its fault breaks', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ps2-e2e-'));
    try {
      const r = await runDrill({ subscribers: 20, accelerate: 250, dataDir: dir, basePort: 26_000, groupBase: 121, session: 'PS2-e2e' });
      const table = renderTable(r.verdicts, 200);
      assert.equal(
        r.conductor.failedSteps,
        0,
        `a rundown step failed:\n${r.conductor.runs
          .filter((x) => x.error)
          .map((x) => `${x.step.action}: ${x.error!.message}`)
          .join('\n')}`,
      );
      assert.deepEqual([...r.faults.entries()].sort(), [
        ['F005', 'neverRelookup'],
        ['F010', 'ignoreDisasterRecovery'],
        ['F015', 'resetSequenceOnReconnect'],
        ['F020', 'leaveOrderResting'],
      ]);
      // Every third firm also trades OTP-C over FIX: one more line each.
      assert.equal(r.verdicts.length, 20 * 4 + 6, `one line per subscriber and service, and per FIX identity:\n${table}`);
      assert.deepEqual(
        r.verdicts.filter((v) => v.protocol === 'FIX').map((v) => `${v.firm} ${v.identity}`),
        ['F003 F003X', 'F006 F006X', 'F009 F009X', 'F012 F012X', 'F015 F015X', 'F018 F018X'],
      );
      assert.match(table, /F015 +resetSequenceOnReconnect +OTP-C FIX +F015X +failed/);
      assertVerdicts(r, table);
      assert.ok(r.asExpected);
      // The evidence file holds what the venue saw, what the probes saw and the conductor's marks, once each.
      const { events, errors } = await readEvidenceFile(r.evidencePath);
      assert.deepEqual(errors, []);
      assert.equal(events.length, r.evidenceCount);
      assert.equal(new Set(events.map((e) => e.id)).size, events.length);
      const has = (pred: (e: (typeof events)[number]) => boolean, what: string) => assert.ok(events.some(pred), `no ${what} in the evidence`);
      has((e) => e.source === 'venue' && e.site === 'backup' && e.kind === 'logon' && e.subscriber === 'F001', 'logon of F001 at the backup site');
      has((e) => e.source === 'venue' && e.kind === 'lookup' && e.site === 'backup', 'lookup answered by the backup site');
      has((e) => e.source === 'probe' && e.kind === 'failover-followed' && e.subscriber === 'F002', 'failover followed by F002');
      has(
        (e) => e.detail['conductor'] === true && e.kind === 'site-lost' && e.subscriber === 'F003' && e.service === 'OMD-CC',
        'conductor mark of the loss for F003 OMD-CC',
      );
      const f = r.conductor.failover;
      assert.ok(f.primaryLostAt! < f.backupActiveAt! && f.backupActiveAt! < f.failedBackAt!);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

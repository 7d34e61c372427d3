// The market-data failover demo that `npm start` runs: run it short, in a child
// process on the pinned runtime, and read its final table.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('failover-drill demo', () => {
  it('passes every well-behaved subscriber and fails the one that ignores the DR signal', () => {
    const data = mkdtempSync(join(tmpdir(), 'fd-demo-'));
    const r = spawnSync(process.execPath, ['src/cli/main.ts', 'demo', '--seconds', '1', '--rate', '1000', '--subscribers', '2', '--data', data], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const summary = JSON.parse(readFileSync(join(data, 'omd-demo-summary.json'), 'utf8')) as { rows: { subscriber: string; service: string; result: string; reason: string; faulty: string | null; byRts: number }[] };
    assert.deepEqual(summary.rows.map((x) => [x.subscriber, x.result]), [
      ['MD-SUB1', 'passed'], ['MD-SUB2', 'failed'], ['CC-SUB1', 'passed'], ['CC-SUB2', 'passed'],
    ]);
    assert.equal(summary.rows[1]!.reason, 'did not follow the DR signal');
    assert.match(r.stdout, /MD-SUB2 +OMD-C +failed/);
    assert.match(r.stdout, /phase 5: backup site active/);
  });
});

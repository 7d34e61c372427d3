// The market-data failover demo that `npm start` runs: run it short, in a child
// process on the pinned runtime, and read its final table.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('failover-drill demo', () => {
  it('passes every well-behaved subscriber and fails the one that ignores the DR signal', (t) => {
    const data = mkdtempSync(join(tmpdir(), 'fd-demo-'));
    t.after(() => rmSync(data, { recursive: true, force: true }));
    const r = spawnSync(process.execPath, ['src/cli/main.ts', 'demo', '--seconds', '1', '--rate', '1000', '--subscribers', '2', '--data', data], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const summary = JSON.parse(readFileSync(join(data, 'omd-demo-summary.json'), 'utf8')) as {
      rows: { subscriber: string; service: string; result: string; reason: string; faulty: string | null; byRts: number }[];
    };
    assert.deepEqual(
      summary.rows.map((x) => [x.subscriber, x.result]),
      [
        ['MD-SUB1', 'passed'],
        ['MD-SUB2', 'failed'],
        ['CC-SUB1', 'passed'],
        ['CC-SUB2', 'passed'],
      ],
    );
    assert.equal(summary.rows[1]!.reason, 'did not follow the DR signal');
    assert.match(r.stdout, /MD-SUB2 +OMD-C +failed/);
    assert.match(r.stdout, /phase 5: backup site active/);
  });

  it('stops at once on SIGTERM in the middle of a phase, closing its sockets', async (t) => {
    const data = mkdtempSync(join(tmpdir(), 'fd-demo-'));
    t.after(() => rmSync(data, { recursive: true, force: true }));
    const child = spawn(process.execPath, ['src/cli/main.ts', 'demo', '--seconds', '120', '--rate', '1000', '--subscribers', '1', '--data', data], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    const phase1 = new Promise<void>((resolve) =>
      child.stdout.on('data', (d: string) => {
        out += d;
        if (out.includes('phase 1:')) resolve();
      }),
    );
    await phase1;
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 130, out);
    assert.match(out, /SIGTERM: stopping/);
    assert.doesNotMatch(out, /phase 2:/, 'the 120 s phase was cut short');
  });
});

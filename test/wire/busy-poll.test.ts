import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

describe('busy polling (src/wire/busy-poll.ts)', () => {
  it('the loop never sleeps while polling (a core busy with nothing to do), timers still fire, and stop() lets the process end', async () => {
    const { spawnSync } = await import('node:child_process');
    const code = `import { startBusyPoll } from './src/wire/index.ts';
      const idle = (ms) => new Promise((r) => setTimeout(r, ms));
      let c = process.cpuUsage(); await idle(300); const sleeping = process.cpuUsage(c);
      const p = startBusyPoll();
      c = process.cpuUsage(); await idle(300); const polling = process.cpuUsage(c);
      p.stop();
      console.log(Math.round((sleeping.user + sleeping.system) / 1000), Math.round((polling.user + polling.system) / 1000));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(r.status, 0, `exited by itself after stop(): ${r.stderr}`);
    const [sleepingMs, pollingMs] = r.stdout.trim().split(' ').map(Number);
    assert.ok(sleepingMs! < 45, `idle without polling: ${sleepingMs} ms CPU in 300 ms`);
    assert.ok(pollingMs! > 90 && pollingMs! > 2 * sleepingMs!, `polling: ${pollingMs} ms CPU in 300 ms (sleeping ${sleepingMs})`);
  });
});

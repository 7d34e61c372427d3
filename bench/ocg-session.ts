// What both OCG-C order benchmarks share: the venue in its own process
// (bench/ocg.venue.ts), a watchdog so a lost session or a dead venue ends the
// run instead of hanging it, one logged-on client, resting price ladders, and
// the run of each benchmark once per profile (default and low-latency).
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { OcgClient, type OcgRuntimeHooks } from '../src/ocg/index.ts';
import { relaunchWithFlags } from '../src/lowlatency/index.ts';

export const BUY_PX = Array.from({ length: 20 }, (_, k) => 38_500_000_000n - BigInt(k) * 20_000_000n);
export const SELL_PX = Array.from({ length: 20 }, (_, k) => 38_540_000_000n + BigInt(k) * 20_000_000n);

export type BenchProfile = 'default' | 'low-latency';

/**
 * The profile this run measures (OCG_BENCH_PROFILE; the venue child inherits it). Without one, the
 * benchmark file is run once per profile, each in a process of its own, and this process exits.
 * A low-latency run starts again with the profile's V8 flags (the venue child inherits them).
 */
export function benchProfile(benchFile: string): BenchProfile {
  const p = process.env['OCG_BENCH_PROFILE'];
  if (p === undefined || p === '') {
    let failed = 0;
    for (const profile of ['default', 'low-latency'] as const) {
      const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(benchFile)], {
        stdio: 'inherit',
        env: { ...process.env, OCG_BENCH_PROFILE: profile },
      });
      if (r.status !== 0) failed++;
    }
    process.exit(failed === 0 ? 0 : 1);
  }
  if (p !== 'default' && p !== 'low-latency') throw new Error(`OCG_BENCH_PROFILE: expected default or low-latency, got ${p}`);
  if (p === 'low-latency') {
    const code = relaunchWithFlags();
    if (code !== null) process.exit(code);
  }
  return p;
}

export async function startBenchSession(execArgv?: string[], hooks?: OcgRuntimeHooks): Promise<{ child: ChildProcess; client: OcgClient }> {
  const child = fork(fileURLToPath(new URL('./ocg.venue.ts', import.meta.url)), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    ...(execArgv ? { execArgv: [...process.execArgv, ...execArgv] } : {}),
  });
  const ready = await new Promise<{ lookupPort: number; publicKeyPem: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { lookupPort: number; publicKeyPem: string }));
    child.once('exit', (code) => reject(new Error(`venue process exited with ${code} before it was ready`)));
  });
  const watchdog = setTimeout(() => {
    console.error('ocg bench: watchdog fired (60 s)');
    child.kill();
    process.exit(1);
  }, 60_000);
  watchdog.unref();
  child.on('exit', (code) => {
    if (code !== 0) {
      console.error(`ocg bench: venue process exited with ${code}`);
      process.exit(1);
    }
  });
  const client = new OcgClient({
    compId: 'BENCH0001',
    password: 'Bench1234',
    publicKeyPem: ready.publicKeyPem,
    brokerId: '1001',
    bcan: 'ABC123.2568',
    lookup: [{ host: '127.0.0.1', port: ready.lookupPort }],
    firstClientOrderId: 1,
    ...(hooks !== undefined ? { hooks } : {}),
  });
  await client.start();
  return { child, client };
}

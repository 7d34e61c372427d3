// What both OCG-C order benchmarks share: the venue in its own process
// (bench/ocg.venue.ts), a watchdog so a lost session or a dead venue ends the
// run instead of hanging it, one logged-on client, and resting price ladders.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { OcgClient } from '../src/ocg/index.ts';

export const BUY_PX = Array.from({ length: 20 }, (_, k) => 38_500_000_000n - BigInt(k) * 20_000_000n);
export const SELL_PX = Array.from({ length: 20 }, (_, k) => 38_540_000_000n + BigInt(k) * 20_000_000n);

export async function startBenchSession(execArgv?: string[]): Promise<{ child: ChildProcess; client: OcgClient }> {
  const child = fork(fileURLToPath(new URL('./ocg.venue.ts', import.meta.url)), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'], ...(execArgv ? { execArgv } : {}),
  });
  const ready = await new Promise<{ lookupPort: number; publicKeyPem: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { lookupPort: number; publicKeyPem: string }));
    child.once('exit', (code) => reject(new Error(`venue process exited with ${code} before it was ready`)));
  });
  const watchdog = setTimeout(() => { console.error('ocg bench: watchdog fired (60 s)'); child.kill(); process.exit(1); }, 60_000);
  watchdog.unref();
  child.on('exit', (code) => { if (code !== 0) { console.error(`ocg bench: venue process exited with ${code}`); process.exit(1); } });
  const client = new OcgClient({
    compId: 'BENCH0001', password: 'Bench1234', publicKeyPem: ready.publicKeyPem, brokerId: '1001', bcan: 'ABC123.2568',
    lookup: [{ host: '127.0.0.1', port: ready.lookupPort }], firstClientOrderId: 1,
  });
  await client.start();
  return { child, client };
}

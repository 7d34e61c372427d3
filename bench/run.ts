// Runs every bench/*.bench.ts in its own process, one after the other (the
// machine has 2 cores; benchmarks must not compete), and passes their
// `BENCH name=… value=… unit=…` lines through. `npm run bench -- omd` runs only
// the files whose name contains "omd".
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const dir = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? '';
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && f.includes(filter))
  .sort();
let failed = 0;
for (const f of files) {
  const r = spawnSync(process.execPath, ['--expose-gc', join(dir, f)], { stdio: 'inherit', timeout: 10 * 60_000 });
  if (r.status !== 0) {
    failed++;
    console.error(`bench ${f} failed (status ${r.status}, signal ${r.signal})`);
  }
}
process.exitCode = failed ? 1 : 0;

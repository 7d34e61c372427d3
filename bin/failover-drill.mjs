#!/usr/bin/env node
// The project runs on Node 24 (pinned by the devDependency `node`). When this
// bin is started by an older system Node, re-exec under the pinned runtime.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(root, 'src', 'cli', 'main.ts');
const major = Number(process.versions.node.split('.')[0]);
if (major >= 24) {
  const mod = await import(main);
  process.exitCode = await mod.main(process.argv.slice(2));
} else {
  const pinned = join(root, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(pinned)) {
    console.error(`failover-drill needs Node.js 24 (found ${process.version}); run npm ci first`);
    process.exit(1);
  }
  const r = spawnSync(pinned, [main, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

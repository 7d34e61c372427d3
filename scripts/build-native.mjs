#!/usr/bin/env node
// Builds the optional native addons at `npm ci` time (package.json "postinstall"), each
// native/NAME.c -> native/build/NAME.node: busypoll (the low-latency profile's polling,
// src/lowlatency/busy-poll.ts). Optional on purpose: without a C compiler or the headers the
// project still works with its JS fallback (busyPollKind says which is in use). Never fails the install.
// No node-gyp: one compiler call per file; Node-API is ABI-stable across Node versions, and
// libuv (busypoll) is exported by every Node binary with a stable 1.x ABI.
import { execFileSync } from 'node:child_process';
import { cCompiler } from './c-compiler.ts';
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ADDONS = ['busypoll'];

function headerDir() {
  const candidates = [
    join(dirname(realpathSync(process.execPath)), '..', 'include', 'node'),
    join(root, 'node_modules', 'node', 'node_modules', `node-${process.platform}-${process.arch}`, 'include', 'node'),
    '/usr/include/node',
    '/usr/local/include/node',
  ];
  return candidates.find((d) => existsSync(join(d, 'node_api.h')) && existsSync(join(d, 'uv.h')));
}

const skip = (why) => {
  console.log(`failover-drill: native addons not built (${why}); the JS fallbacks are used instead.`);
  process.exit(0);
};
if (process.env.FAILOVER_DRILL_NATIVE === '0') skip('FAILOVER_DRILL_NATIVE=0');
const include = headerDir();
if (include === undefined) skip('no Node-API / libuv headers (node_api.h, uv.h) found');
const cc = cCompiler();
if (cc === undefined) skip('no C compiler (cc, gcc or clang)');
mkdirSync(join(root, 'native', 'build'), { recursive: true });
for (const name of ADDONS) {
  const out = join(root, 'native', 'build', `${name}.node`);
  const flags = ['-O2', '-fPIC', '-shared', '-DNAPI_VERSION=8', '-I', include, join(root, 'native', `${name}.c`), '-o', out];
  if (process.platform === 'darwin') flags.push('-undefined', 'dynamic_lookup');
  try {
    execFileSync(cc, flags, { stdio: ['ignore', 'inherit', 'inherit'] });
    console.log(`failover-drill: built ${out} with ${cc}`);
  } catch (e) {
    console.log(
      `failover-drill: native addon ${name} not built (${cc} failed: ${e instanceof Error ? e.message.split('\n')[0] : e}); its fallback is used instead.`,
    );
  }
}

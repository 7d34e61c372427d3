#!/usr/bin/env node
// Builds the optional native CRC-32C kernel (native/crc32c.c -> native/build/crc32c.node) at
// `npm ci` time (package.json "postinstall"). Optional on purpose: without a C compiler, Node-API
// headers or an x86-64 CPU the project still works, with the WebAssembly kernel
// (src/wire/crc32c.ts says which kernel is in use: crc32cKernel). Never fails the install.
// No node-gyp: one C file, one compiler call; the Node-API headers come with the node@24 package
// (or the system's Node), and Node-API is ABI-stable across Node versions.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'native', 'crc32c.c');
const out = join(root, 'native', 'build', 'crc32c.node');

function headerDir() {
  const candidates = [
    join(dirname(realpathSync(process.execPath)), '..', 'include', 'node'),
    join(root, 'node_modules', 'node', 'node_modules', `node-${process.platform}-${process.arch}`, 'include', 'node'),
    '/usr/include/node',
    '/usr/local/include/node',
  ];
  return candidates.find((d) => existsSync(join(d, 'node_api.h')));
}

function compiler() {
  for (const cc of [process.env.CC, 'cc', 'gcc', 'clang'].filter(Boolean)) {
    try {
      execFileSync(cc, ['--version'], { stdio: 'ignore' });
      return cc;
    } catch { /* next */ }
  }
  return undefined;
}

const skip = (why) => {
  console.log(`failover-drill: native CRC-32C kernel not built (${why}); the WebAssembly kernel is used instead.`);
  process.exit(0);
};
if (process.env.FAILOVER_DRILL_NATIVE === '0') skip('FAILOVER_DRILL_NATIVE=0');
const include = headerDir();
if (include === undefined) skip('no Node-API headers (node_api.h) found');
const cc = compiler();
if (cc === undefined) skip('no C compiler (cc, gcc or clang)');
mkdirSync(dirname(out), { recursive: true });
const flags = ['-O2', '-fPIC', '-shared', '-DNAPI_VERSION=8', '-I', include, source, '-o', out];
if (process.platform === 'darwin') flags.push('-undefined', 'dynamic_lookup');
try {
  execFileSync(cc, flags, { stdio: ['ignore', 'inherit', 'inherit'] });
  console.log(`failover-drill: built ${out} with ${cc}`);
} catch (e) {
  skip(`${cc} failed: ${e instanceof Error ? e.message.split('\n')[0] : e}`);
}

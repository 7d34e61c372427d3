// The C compiler for the project's optional native code: the addons (scripts/build-native.mjs),
// the host reference benchmark (bench/host.reference.bench.ts) and the tests that expect the
// addons built. $CC, cc, gcc or clang, the first that runs; undefined when none does.
import { execFileSync } from 'node:child_process';

export function cCompiler(): string | undefined {
  for (const cc of [process.env['CC'], 'cc', 'gcc', 'clang']) {
    if (cc === undefined || cc === '') continue;
    try {
      execFileSync(cc, ['--version'], { stdio: 'ignore' });
      return cc;
    } catch {
      // not installed or not runnable: try the next one
    }
  }
  return undefined;
}

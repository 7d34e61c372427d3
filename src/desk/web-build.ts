// The desk's web UI is built by Vite into web/dist (`npm run build:web`). A
// fresh clone has no build, so whatever serves the desk (the desk command,
// `npm start`, the browser tests) builds it first when missing or stale.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const WEB_SOURCE = join(ROOT, 'web');
export const WEB_DIST = join(WEB_SOURCE, 'dist');

function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((m, name) => Math.max(m, newest(join(path, name))), 0);
}

/** True when web/dist/index.html exists and is newer than every source of the UI. */
export function webBuildIsFresh(): boolean {
  const built = join(WEB_DIST, 'index.html');
  if (!existsSync(built)) return false;
  const sources = ['src', 'index.html', 'vite.config.ts'].map((p) => join(WEB_SOURCE, p)).filter(existsSync);
  return statSync(built).mtimeMs >= Math.max(...sources.map(newest));
}

/**
 * Builds web/dist with the project's own Vite when it is missing or stale.
 * Returns false (and builds nothing) when this checkout has no UI sources or no Vite.
 */
export function ensureWebBuilt(opts: { quiet?: boolean } = {}): boolean {
  if (webBuildIsFresh()) return true;
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(join(WEB_SOURCE, 'index.html')) || !existsSync(vite)) return existsSync(join(WEB_DIST, 'index.html'));
  execFileSync(process.execPath, [vite, 'build', '--config', join(WEB_SOURCE, 'vite.config.ts'), '--logLevel', opts.quiet ? 'error' : 'warn'], {
    cwd: ROOT,
    stdio: ['ignore', opts.quiet ? 'ignore' : 'inherit', 'inherit'],
  });
  return true;
}

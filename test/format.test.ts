// One formatter for the whole tree: `npm run format` writes what Prettier (.prettierrc.json)
// makes of it, and this check fails on any file it would still change.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('formatting', () => {
  it('every file is as Prettier formats it (npm run format)', () => {
    const r = spawnSync(process.execPath, [fileURLToPath(new URL('../node_modules/prettier/bin/prettier.cjs', import.meta.url)), '--list-different', '.'], {
      cwd: root,
      encoding: 'utf8',
    });
    assert.equal(r.error, undefined);
    const files = r.stdout.split('\n').filter(Boolean);
    assert.deepEqual(files, [], `not formatted (run npm run format):\n${files.join('\n')}\n${r.stderr}`);
    assert.equal(r.status, 0, r.stderr);
  });
});

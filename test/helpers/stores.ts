// Parametrises a test over both stores: every desk test runs on SQLite and on PostgreSQL.
import { after, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POSTGRES_MISSING, findPostgresBin, postgresSkipReason, startPostgres, stopPostgres } from './postgres.ts';

export interface StoreVariant {
  name: 'sqlite' | 'postgres';
  /** A skip reason (local run without PostgreSQL), or false. */
  skip: string | false;
  /** A fresh, empty database: a SQLite file path or a postgres:// URL. */
  freshDb(): Promise<string>;
}

const tempDirs: string[] = [];
let registered = false;

function cleanupOnce() {
  if (registered) return;
  registered = true;
  after(async () => {
    await stopPostgres();
    for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  });
}

let reportedMissing = false;

export function storeVariants(): StoreVariant[] {
  cleanupOnce();
  const pgSkip = postgresSkipReason();
  if (!pgSkip && !findPostgresBin() && !reportedMissing) {
    // CI: a missing PostgreSQL is a failure with its own line, not only cancelled tests.
    reportedMissing = true;
    test('PostgreSQL is installed for the PostgreSQL store variant', () => {
      throw new Error(POSTGRES_MISSING);
    });
  }
  return [
    {
      name: 'sqlite',
      skip: false,
      async freshDb() {
        const d = mkdtempSync(join(tmpdir(), 'fd-sqlite-'));
        tempDirs.push(d);
        return join(d, 'desk.sqlite');
      },
    },
    {
      name: 'postgres',
      skip: pgSkip ?? false,
      async freshDb() {
        return (await startPostgres()).createDatabase();
      },
    },
  ];
}

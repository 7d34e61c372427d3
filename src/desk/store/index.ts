// The desk's stores: SQLite (default, a file under ./data) or PostgreSQL.
import { SqlDeskStore, type DeskStore } from './desk-store.ts';
import { PostgresRunner } from './postgres-runner.ts';
import { SqliteRunner } from './sqlite-runner.ts';
import { openPostgresLiveRelay } from './postgres-live.ts';

export type { DeskStore, AuthSessionRecord, FormSubmission, EvidenceQuery, EvidenceCell, EvidenceIngest, ReminderRecord } from './desk-store.ts';
export { EVIDENCE_CHUNK } from './desk-store.ts';
export { MIGRATIONS } from './migrations.ts';
export const DEFAULT_SQLITE_PATH = 'data/desk.sqlite';

export class SqliteStore extends SqlDeskStore {
  constructor(path: string = DEFAULT_SQLITE_PATH) {
    super(new SqliteRunner(path));
  }
}

export class PostgresStore extends SqlDeskStore {
  readonly connectionString: string;

  constructor(connectionString: string, opts: { max?: number } = {}) {
    super(new PostgresRunner(connectionString, opts));
    this.connectionString = connectionString;
  }

  openLiveRelay() {
    return openPostgresLiveRelay(this.connectionString, async (channel, payload) => { await this.db.all('SELECT pg_notify(?, ?)', [channel, payload]); });
  }
}

/** `postgres://…` / `postgresql://…` → PostgreSQL; anything else is a SQLite file path. Not migrated yet. */
export function openStore(db: string = DEFAULT_SQLITE_PATH): DeskStore {
  if (/^postgres(ql)?:\/\//.test(db)) return new PostgresStore(db);
  return new SqliteStore(db.replace(/^sqlite:(\/\/)?/, ''));
}

// The desk's stores: SQLite (default, a file under ./data) or PostgreSQL.
import { SqlDeskStore, type DeskStore } from './desk-store.ts';
import { PostgresRunner } from './postgres-runner.ts';
import { SqliteRunner } from './sqlite-runner.ts';
import { openPostgresLiveRelay } from './postgres-live.ts';
import { TickBatch } from './tick-batch.ts';

export type {
  DeskStore,
  LiveRelay,
  AuthSessionRecord,
  FormSubmission,
  LatestFormsQuery,
  LatestFormFacts,
  EvidenceQuery,
  EvidenceCell,
  EvidenceIngest,
  ReadinessEventRow,
  ReminderRecord,
  AuditQuery,
  SentReminder,
} from './desk-store.ts';
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
    // Updates published in one turn (500 submissions at once) go out in one statement, in array order.
    // (PostgreSQL folds identical payloads sent in one transaction into one notification.)
    const notify = new TickBatch<{ channel: string; payload: string }, void>(async (items) => {
      const channel = items[0]!.channel;
      await this.db.all('SELECT pg_notify(?, p.value) FROM jsonb_array_elements_text(?::jsonb) AS p', [channel, JSON.stringify(items.map((x) => x.payload))]);
      return items.map(() => undefined);
    });
    return openPostgresLiveRelay(this.connectionString, (channel, payload) => notify.add({ channel, payload }));
  }
}

/** `postgres://…` / `postgresql://…` → PostgreSQL; anything else is a SQLite file path. Not migrated yet. */
export function openStore(db: string = DEFAULT_SQLITE_PATH): DeskStore {
  if (/^postgres(ql)?:\/\//.test(db)) return new PostgresStore(db);
  return new SqliteStore(db.replace(/^sqlite:(\/\/)?/, ''));
}

// The little SQL surface both stores need, so one DeskStore implementation
// serves SQLite and PostgreSQL. Placeholders are written `?`; the PostgreSQL
// runner numbers them.
export type SqlValue = string | number | null;
export type Row = Record<string, unknown>;

export interface SqlTx {
  all(sql: string, params?: SqlValue[]): Promise<Row[]>;
  run(sql: string, params?: SqlValue[]): Promise<{ changes: number }>;
}

export const DIALECTS = ['sqlite', 'postgres'] as const;
export type Dialect = (typeof DIALECTS)[number];

export interface SqlRunner extends SqlTx {
  readonly dialect: Dialect;
  /** Runs fn in one transaction; rejects (and rolls back) if fn throws. Resolves only after COMMIT is durable. */
  transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T>;
  /** Serialises schema migration across processes. */
  withMigrationLock<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Unique-constraint violation, in either dialect. */
export function isUniqueViolation(e: unknown): boolean {
  const x = e as { code?: string; errcode?: number; message?: string };
  return x?.code === '23505' || x?.errcode === 2067 || x?.errcode === 1555 || /UNIQUE constraint failed/.test(x?.message ?? '');
}

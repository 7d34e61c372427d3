// PostgreSQL through a pg Pool. BIGINT columns come back as numbers (our
// values are epoch milliseconds and counters, far below 2^53).
import pg from 'pg';
import type { Row, SqlRunner, SqlTx, SqlValue } from './sql.ts';

const INT8_OID = 20;
const placeholderCache = new Map<string, string>();

/** `?` → `$1, $2, …` (our SQL has no literal question marks). */
function numbered(sql: string): string {
  let out = placeholderCache.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`);
    placeholderCache.set(sql, out);
  }
  return out;
}

export class PostgresRunner implements SqlRunner {
  readonly dialect = 'postgres' as const;
  #pool: pg.Pool;

  constructor(connectionString: string, opts: { max?: number } = {}) {
    this.#pool = new pg.Pool({
      connectionString,
      max: opts.max ?? 10,
      types: {
        getTypeParser: ((oid: number, format?: string) =>
          oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as never,
      },
    });
    // An idle client losing its server must not crash the process.
    this.#pool.on('error', () => {});
  }

  async all(sql: string, params: SqlValue[] = []): Promise<Row[]> {
    return (await this.#pool.query(numbered(sql), params)).rows as Row[];
  }

  async run(sql: string, params: SqlValue[] = []): Promise<{ changes: number }> {
    return { changes: (await this.#pool.query(numbered(sql), params)).rowCount ?? 0 };
  }

  async transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    const tx: SqlTx = {
      all: async (s, p = []) => (await client.query(numbered(s), p)).rows as Row[],
      run: async (s, p = []) => ({ changes: (await client.query(numbered(s), p)).rowCount ?? 0 }),
    };
    try {
      await client.query('BEGIN');
      const value = await fn(tx);
      await client.query('COMMIT');
      client.release();
      return value;
    } catch (e) {
      try {
        await client.query('ROLLBACK');
        client.release();
      } catch {
        client.release(true);
      }
      throw e;
    }
  }

  async withMigrationLock<T>(fn: () => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock(7471001)');
      return await fn();
    } finally {
      await client.query('SELECT pg_advisory_unlock(7471001)').catch(() => {});
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

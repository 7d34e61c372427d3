// PostgreSQL through a pg Pool. BIGINT columns come back as numbers (our
// values are epoch milliseconds and counters, far below 2^53).
import pg from 'pg';
import type { Row, SqlRunner, SqlTx, SqlValue } from './sql.ts';

const INT8_OID = 20;

interface Statement {
  text: string;
  /** Set for statements with parameters: each pooled connection parses and plans them once. */
  name?: string;
}

export class PostgresRunner implements SqlRunner {
  readonly dialect = 'postgres' as const;
  #pool: pg.Pool;
  #statements = new Map<string, Statement>();

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

  /** `?` → `$1, $2, …` (our SQL has no literal question marks), and a statement name when it takes parameters. */
  #statement(sql: string, params: SqlValue[]): pg.QueryConfig<SqlValue[]> {
    let st = this.#statements.get(sql);
    if (st === undefined) {
      let n = 0;
      const text = sql.replace(/\?/g, () => `$${++n}`);
      // Not `SELECT *`: a prepared plan whose columns a newer replica's migration changes fails
      // ("cached plan must not change result type") until the connection is replaced.
      st = n > 0 && !/\*\s+FROM/i.test(sql) ? { text, name: `fd_${this.#statements.size + 1}` } : { text };
      this.#statements.set(sql, st);
    }
    return st.name === undefined ? { text: st.text, values: params } : { name: st.name, text: st.text, values: params };
  }

  async all(sql: string, params: SqlValue[] = []): Promise<Row[]> {
    return (await this.#pool.query(this.#statement(sql, params))).rows as Row[];
  }

  async run(sql: string, params: SqlValue[] = []): Promise<{ changes: number }> {
    return { changes: (await this.#pool.query(this.#statement(sql, params))).rowCount ?? 0 };
  }

  async transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    const tx: SqlTx = {
      all: async (s, p = []) => (await client.query(this.#statement(s, p))).rows as Row[],
      run: async (s, p = []) => ({ changes: (await client.query(this.#statement(s, p))).rowCount ?? 0 }),
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

// SQLite through the built-in node:sqlite. WAL with synchronous=FULL: a
// transaction is on disk when COMMIT returns, so an acknowledged write survives
// kill -9 (and power loss). One connection; write transactions are queued and
// committed in groups (one fsync for all that arrived together) so concurrent
// submissions do not each wait for their own fsync.
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Row, SqlRunner, SqlTx, SqlValue } from './sql.ts';

interface Job {
  fn: (tx: SqlTx) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

const MAX_GROUP = 256;

export class SqliteRunner implements SqlRunner {
  readonly dialect = 'sqlite' as const;
  readonly path: string;
  #db: DatabaseSync;
  #statements = new Map<string, StatementSync>();
  #queue: Job[] = [];
  #draining = false;
  #closed = false;
  #checkpointer: Worker | null = null;

  constructor(path: string, opts: { checkpointInWorker?: boolean } = {}) {
    this.path = path;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    // The busy timeout first: another process may be switching the file to WAL right now.
    this.#db.exec('PRAGMA busy_timeout = 5000');
    this.#db.exec('PRAGMA journal_mode = WAL');
    this.#db.exec('PRAGMA synchronous = FULL');
    this.#db.exec('PRAGMA foreign_keys = ON');
    if (path !== ':memory:' && opts.checkpointInWorker !== false) {
      // Checkpoints move to a worker; the automatic one stays only as a far-off safety net.
      this.#db.exec('PRAGMA wal_autocheckpoint = 50000');
      this.#checkpointer = new Worker(new URL('./sqlite-checkpointer.ts', import.meta.url), { workerData: { path, everyMs: 250 } });
      this.#checkpointer.unref();
      this.#checkpointer.on('error', () => {
        // Without the worker, SQLite's own checkpointing takes over again.
        this.#checkpointer = null;
        try { this.#db.exec('PRAGMA wal_autocheckpoint = 1000'); } catch { /* closed */ }
      });
    }
  }

  #prepare(sql: string): StatementSync {
    let st = this.#statements.get(sql);
    if (!st) {
      st = this.#db.prepare(sql);
      this.#statements.set(sql, st);
    }
    return st;
  }

  #all(sql: string, params: SqlValue[] = []): Row[] {
    return this.#prepare(sql).all(...params) as Row[];
  }

  #run(sql: string, params: SqlValue[] = []): { changes: number } {
    const r = this.#prepare(sql).run(...params);
    return { changes: Number(r.changes) };
  }

  async all(sql: string, params?: SqlValue[]): Promise<Row[]> {
    return this.#all(sql, params);
  }

  async run(sql: string, params?: SqlValue[]): Promise<{ changes: number }> {
    return this.transaction((tx) => tx.run(sql, params));
  }

  transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.#draining) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    const tx: SqlTx = { all: async (s, p) => this.#all(s, p), run: async (s, p) => this.#run(s, p) };
    try {
      while (this.#queue.length) {
        // Let requests that arrived in this turn of the event loop join the group.
        await new Promise((r) => setImmediate(r));
        const group = this.#queue.splice(0, MAX_GROUP);
        const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
        try {
          this.#db.exec('BEGIN IMMEDIATE');
        } catch (error) {
          for (const j of group) j.reject(error);
          continue;
        }
        for (const job of group) {
          // Each job in its own savepoint: one failing job does not undo the others.
          this.#db.exec('SAVEPOINT job');
          try {
            const value = await job.fn(tx);
            this.#db.exec('RELEASE job');
            outcomes.push({ ok: true, value });
          } catch (error) {
            this.#db.exec('ROLLBACK TO job');
            this.#db.exec('RELEASE job');
            outcomes.push({ ok: false, error });
          }
        }
        try {
          this.#db.exec('COMMIT');
        } catch (error) {
          try { this.#db.exec('ROLLBACK'); } catch { /* already rolled back */ }
          for (const j of group) j.reject(error);
          continue;
        }
        group.forEach((j, i) => {
          const o = outcomes[i]!;
          if (o.ok) j.resolve(o.value);
          else j.reject(o.error);
        });
      }
    } finally {
      this.#draining = false;
    }
  }

  async withMigrationLock<T>(fn: () => Promise<T>): Promise<T> {
    // One connection per process and BEGIN IMMEDIATE per migration: enough for SQLite.
    return fn();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    while (this.#draining || this.#queue.length) await new Promise((r) => setTimeout(r, 5));
    const w = this.#checkpointer;
    this.#checkpointer = null;
    if (w) {
      const exited = new Promise((r) => w.once('exit', r));
      w.ref(); // keep the process alive until the worker has closed its connection
      w.postMessage('stop');
      await exited;
    }
    this.#statements.clear();
    this.#db.close();
  }
}

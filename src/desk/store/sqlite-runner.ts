// SQLite through the built-in node:sqlite. WAL, and a transaction is on disk
// before it is acknowledged, so an acknowledged write survives kill -9 and power
// loss. One connection; write transactions are queued and committed in groups
// (all that arrived while the previous group was being flushed), and the WAL is
// flushed to disk (fdatasync) on libuv's thread pool: the event loop keeps
// serving requests while the disk works.
// (synchronous = NORMAL leaves that flush to us; SQLite still syncs around
// checkpoints, so the file stays consistent.)
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
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
  /** The WAL file, opened at the first flush; null for an in-memory database. */
  #wal: Promise<FileHandle> | null = null;
  #flushing = false;
  /** Groups committed since the running flush started: the next flush covers them. */
  #flushWaiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  #flushesPending = 0;

  constructor(path: string, opts: { checkpointInWorker?: boolean } = {}) {
    this.path = path;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    // The busy timeout first: another process may be switching the file to WAL right now.
    this.#db.exec('PRAGMA busy_timeout = 5000');
    this.#db.exec('PRAGMA journal_mode = WAL');
    this.#db.exec(path === ':memory:' ? 'PRAGMA synchronous = FULL' : 'PRAGMA synchronous = NORMAL');
    this.#db.exec('PRAGMA foreign_keys = ON');
    if (path !== ':memory:' && opts.checkpointInWorker !== false) {
      // Checkpoints move to a worker; the automatic one stays only as a far-off safety net.
      this.#db.exec('PRAGMA wal_autocheckpoint = 50000');
      this.#checkpointer = new Worker(new URL('./sqlite-checkpointer.ts', import.meta.url), { workerData: { path, everyMs: 250 } });
      this.#checkpointer.unref();
      this.#checkpointer.on('error', () => {
        // Without the worker, SQLite's own checkpointing takes over again.
        this.#checkpointer = null;
        try {
          this.#db.exec('PRAGMA wal_autocheckpoint = 1000');
        } catch {
          /* closed */
        }
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
          try {
            this.#db.exec('ROLLBACK');
          } catch {
            /* already rolled back */
          }
          for (const j of group) j.reject(error);
          continue;
        }
        const settle = () =>
          group.forEach((j, i) => {
            const o = outcomes[i]!;
            if (o.ok) j.resolve(o.value);
            else j.reject(o.error);
          });
        // Acknowledged only once on disk. The next group waits for this flush, so what
        // arrives meanwhile commits together (fewer, larger commits); the event loop
        // keeps parsing and validating requests while the disk works.
        try {
          await this.#flush();
        } catch (error) {
          for (const j of group) j.reject(error);
          continue;
        }
        settle();
      }
    } finally {
      this.#draining = false;
    }
  }

  /** Resolves after an fdatasync of the WAL that started after this call. */
  #flush(): Promise<void> {
    if (this.path === ':memory:') return Promise.resolve();
    this.#flushesPending++;
    return new Promise<void>((resolve, reject) => {
      this.#flushWaiters.push({ resolve, reject });
      if (!this.#flushing) void this.#flushLoop();
    }).finally(() => {
      this.#flushesPending--;
    });
  }

  async #flushLoop(): Promise<void> {
    this.#flushing = true;
    try {
      while (this.#flushWaiters.length) {
        const waiters = this.#flushWaiters;
        this.#flushWaiters = [];
        try {
          // The WAL lives as long as this connection, so one handle serves every flush.
          this.#wal ??= open(`${this.path}-wal`, 'r+');
          await (await this.#wal).datasync();
          for (const w of waiters) w.resolve();
        } catch (e) {
          this.#wal = null;
          for (const w of waiters) w.reject(e);
        }
      }
    } finally {
      this.#flushing = false;
    }
  }

  async withMigrationLock<T>(fn: () => Promise<T>): Promise<T> {
    // One connection per process and BEGIN IMMEDIATE per migration: enough for SQLite.
    return fn();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    while (this.#draining || this.#queue.length || this.#flushesPending) await new Promise((r) => setTimeout(r, 5));
    const wal = this.#wal;
    this.#wal = null;
    if (wal) await (await wal.catch(() => null))?.close();
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

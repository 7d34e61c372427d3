// desk.evidence.ingest: evidence events per second into a session of 500
// firms over HTTP (goal >= 50,000/s), and the p99 of the desk's dashboard GET
// while that ingestion runs (goal < 100 ms), on SQLite and PostgreSQL.
// The desk runs in its own process (the CLI), as in production; this process
// is the conductor, posting the session's evidence in time order in batches of
// 10,000 (the documented limit), one batch at a time as its forwarder does, and
// a desk officer loading the dashboard every DASHBOARD_EVERY_MS (open loop).
// Load model (ours): per firm, the venue's and the probe's record of a failover
// with EXTRA order/ack pairs per trading session and EXTRA gap/recovery pairs
// per market-data identity, so every cell keeps growing during the run.
// floor_rows_per_s: the host's floor for the same rows, inserted straight into
// the store's evidence table with the store's own statement shape (250-row
// INSERT … ON CONFLICT DO NOTHING RETURNING, 1,000 a transaction), without
// HTTP, validation or folding: the desk cannot ingest faster than that.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'node:http';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { bench } from './report.ts';
import { demoEvidence, openStore, seedDemo, type PracticeSession, type Subscriber } from '../src/desk/index.ts';
import type { EvidenceEvent } from '../src/evidence/index.ts';
import { findPostgresBin, startPostgres, stopPostgres } from '../test/helpers/postgres.ts';

const FIRMS = Number(process.env.FD_BENCH_FIRMS ?? 500);
const EXTRA = Number(process.env.FD_BENCH_EXTRA ?? 40);
const BATCH = 10_000;
const DASHBOARD_EVERY_MS = Number(process.env.FD_BENCH_DASHBOARD_MS ?? 50);
const STORES = (process.env.FD_BENCH_STORES ?? 'sqlite,postgres').split(',');
const PW = 'bench-password';
const TOKEN = 'bench-evidence-token';
const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

function startServer(db: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        ...(process.env.FD_BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.FD_BENCH_PROF] : []),
        MAIN,
        'desk',
        '--db',
        db,
        '--port',
        '0',
        '--evidence-token',
        TOKEN,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /desk: (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.on('exit', (code) => reject(new Error(`desk exited ${code}: ${out}`)));
  });
}

function call(
  agent: Agent,
  url: string,
  method: string,
  path: string,
  body: string | null,
  headers: Record<string, string>,
): Promise<{ status: number; text: string; cookie?: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path,
        method,
        agent,
        headers: { ...(body !== null ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}), ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text, ...(res.headers['set-cookie'] ? { cookie: res.headers['set-cookie'][0]!.split(';')[0]! } : {}) }),
        );
      },
    );
    req.on('error', reject);
    req.end(body ?? undefined);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The session's evidence, all firms, in time order. */
function sessionEvidence(session: PracticeSession, firms: Subscriber[]): EvidenceEvent[] {
  const all: EvidenceEvent[] = [];
  const backup = Date.parse(`${session.date}T02:31:00.000Z`); // 10:31 HKT, after every firm's backup logon
  for (const f of firms) {
    const base = demoEvidence(session, f);
    all.push(...base);
    for (const i of f.identities.filter((x) => session.services.includes(x.service))) {
      for (let k = 0; k < EXTRA; k++) {
        const at = (ms: number) => new Date(backup + k * 1000 + ms).toISOString();
        const e = (kind: EvidenceEvent['kind'], ms: number, source: EvidenceEvent['source'], detail: Record<string, unknown>): EvidenceEvent => ({
          id: `${session.id}:${f.id}:${i.identity}:x${k}:${kind}`,
          ts: at(ms),
          session: session.id,
          site: 'backup',
          service: i.service,
          subscriber: f.id,
          identity: i.identity,
          kind,
          detail,
          source,
        });
        if (i.role === 'retransmission') {
          all.push(
            e('gap', 100, 'probe', { channel: 1 + (k % 4), from: k * 10, to: k * 10 + 3 }),
            e('gap-recovered', 300, 'probe', { channel: 1 + (k % 4), from: k * 10, to: k * 10 + 3, by: 'retransmission' }),
          );
        } else {
          all.push(e('order', 100, 'venue', { clOrdId: `X${k}` }), e('ack', 200, 'venue', { clOrdId: `X${k}` }));
        }
      }
    }
  }
  return all
    .map((e) => [Date.parse(e.ts), e] as const)
    .sort((a, b) => a[0] - b[0] || (a[1].id < b[1].id ? -1 : 1))
    .map((x) => x[1]);
}

async function run(db: string) {
  const seedStore = openStore(db);
  await seedStore.migrate(Date.now());
  const seed = await seedDemo(seedStore, { now: Date.now(), password: PW, scryptCost: 1024, subscribers: FIRMS });
  await seedStore.close();
  const events = sessionEvidence(seed.session, seed.subscribers);
  const batches: string[] = [];
  for (let i = 0; i < events.length; i += BATCH) batches.push(JSON.stringify({ events: events.slice(i, i + BATCH) }));
  const { child, url } = await startServer(db);
  const conductor = new Agent({ keepAlive: true, maxSockets: 1 });
  const officer = new Agent({ keepAlive: true, maxSockets: 8 });
  try {
    const login = await call(officer, url, 'POST', '/api/auth/login', JSON.stringify({ username: 'desk', password: PW }), {});
    if (login.status !== 200) throw new Error(`login: ${login.status} ${login.text}`);
    const headers = { cookie: login.cookie! };
    const dashboard = async () => {
      const t = performance.now();
      const r = await call(officer, url, 'GET', `/api/sessions/${seed.session.id}/dashboard`, null, headers);
      if (r.status !== 200) throw new Error(`dashboard: ${r.status} ${r.text}`);
      return performance.now() - t;
    };
    await dashboard();
    const idle = await dashboard();
    if (process.env.FD_BENCH_VERBOSE) console.error(`${events.length} events to post; dashboard idle ${idle.toFixed(1)} ms`);
    // Dashboards at a steady rate while the conductor posts, each measured on its own.
    const lat: number[] = [];
    const pending: Promise<void>[] = [];
    let ingesting = true;
    const ticker = (async () => {
      while (ingesting) {
        pending.push(
          dashboard().then((ms) => {
            lat.push(ms);
          }),
        );
        await new Promise((r) => setTimeout(r, DASHBOARD_EVERY_MS));
      }
    })();
    let accepted = 0;
    const t0 = performance.now();
    try {
      for (const body of batches) {
        const r = await call(conductor, url, 'POST', '/api/evidence', body, { authorization: `Bearer ${TOKEN}` });
        if (r.status !== 200) throw new Error(`ingest: ${r.status} ${r.text.slice(0, 300)}`);
        accepted += (JSON.parse(r.text) as { accepted: number }).accepted;
        if (process.env.FD_BENCH_VERBOSE) console.error(`${accepted} events, ${((performance.now() - t0) / 1000).toFixed(1)} s, ${lat.length} dashboards`);
      }
    } finally {
      ingesting = false;
    }
    const seconds = (performance.now() - t0) / 1000;
    await ticker;
    await Promise.all(pending);
    if (accepted !== events.length) throw new Error(`accepted ${accepted} of ${events.length}`);
    const after = await call(officer, url, 'GET', `/api/sessions/${seed.session.id}/dashboard`, null, headers);
    const d = JSON.parse(after.text) as { rows: { cells: Record<string, string> }[] };
    const recovered = d.rows.filter((r) => Object.values(r.cells).every((c) => c === 'recovered' || c === 'not-in-scope')).length;
    if (recovered !== FIRMS) throw new Error(`${recovered} of ${FIRMS} firms recovered on the dashboard after ingestion`);
    lat.sort((a, b) => a - b);
    return {
      rate: Math.round(events.length / seconds),
      events: events.length,
      seconds,
      p99: percentile(lat, 99),
      p50: percentile(lat, 50),
      max: lat.at(-1)!,
      samples: lat.length,
      idle,
    };
  } finally {
    conductor.destroy();
    officer.destroy();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const FLOOR_ROWS = 100_000;
const FLOOR_SQL = (n: number, ph: (i: number) => string) =>
  `INSERT INTO evidence_events (posted_by, id, session_id, subscriber_id, service, site, identity, kind, source, ts, ts_ms, detail, received_at) VALUES ${Array.from({ length: n }, (_, r) => `(${Array.from({ length: 13 }, (_, c) => ph(r * 13 + c + 1)).join(', ')})`).join(', ')} ON CONFLICT (posted_by, id) DO NOTHING RETURNING id`;
const floorRow = (j: number) => [
  'conductor',
  `floor:conductor:step${j % 40}:logon:F${String(j % FIRMS).padStart(3, '0')}:${j}`,
  'floor',
  `F${String(j % FIRMS).padStart(3, '0')}`,
  'OTP-C',
  'backup',
  `F${j % FIRMS}T`,
  'logon',
  'venue',
  new Date(1.8e12 + j).toISOString(),
  1.8e12 + j,
  JSON.stringify({ seqNum: j, clientSeq: j }),
  1.8e12,
];

/** Rows per second of the bare insert into a migrated store (see the header). */
async function floor(db: string): Promise<number> {
  const store = openStore(db);
  await store.migrate(Date.now());
  await store.close();
  const t0 = performance.now();
  if (db.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: db });
    await client.connect();
    try {
      for (let c = 0; c < FLOOR_ROWS; c += 1000) {
        await client.query('BEGIN');
        for (let i = c; i < c + 1000; i += 250)
          await client.query({ name: 'floor', text: FLOOR_SQL(250, (k) => `$${k}`), values: Array.from({ length: 250 }, (_, r) => floorRow(i + r)).flat() });
        await client.query('COMMIT');
      }
    } finally {
      await client.end();
    }
  } else {
    const sqlite = new DatabaseSync(db);
    sqlite.exec('PRAGMA journal_mode = WAL');
    sqlite.exec('PRAGMA synchronous = NORMAL');
    const st = sqlite.prepare(FLOOR_SQL(250, () => '?'));
    for (let c = 0; c < FLOOR_ROWS; c += 1000) {
      sqlite.exec('BEGIN');
      for (let i = c; i < c + 1000; i += 250) st.all(...Array.from({ length: 250 }, (_, r) => floorRow(i + r)).flat());
      sqlite.exec('COMMIT');
    }
    sqlite.close();
  }
  return Math.round(FLOOR_ROWS / ((performance.now() - t0) / 1000));
}

function report(store: string, r: Awaited<ReturnType<typeof run>>, floorRowsPerS: number) {
  bench('desk.evidence.ingest', r.rate, 'events/s', {
    store,
    floor_rows_per_s: floorRowsPerS,
    dashboard_p99_ms: r.p99.toFixed(1),
    dashboard_p50_ms: r.p50.toFixed(1),
    dashboard_max_ms: r.max.toFixed(1),
    dashboard_samples: r.samples,
    dashboard_idle_ms: r.idle.toFixed(1),
    firms: FIRMS,
    events: r.events,
    seconds: r.seconds.toFixed(2),
  });
}

const dir = mkdtempSync(join(tmpdir(), 'fd-bench-'));
try {
  if (STORES.includes('sqlite')) {
    const f = await floor(join(dir, 'floor.sqlite'));
    report('sqlite', await run(join(dir, 'desk.sqlite')), f);
  }
  if (!STORES.includes('postgres')) {
    // skipped on request
  } else if (findPostgresBin()) {
    const cluster = await startPostgres();
    try {
      const f = await floor(await cluster.createDatabase('bench_evidence_floor'));
      report('postgres', await run(await cluster.createDatabase('bench_evidence')), f);
    } finally {
      await stopPostgres();
    }
  } else {
    console.log('desk.evidence.ingest store=postgres: skipped, PostgreSQL binaries not found');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

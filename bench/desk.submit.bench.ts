// desk.submit_p99: p99 latency (ms) of result-form submissions over HTTP with
// 500 concurrent subscribers, on SQLite (goal < 50 ms) and PostgreSQL.
// The desk runs in its own process (the CLI), as in production; this process
// is the 500 subscribers, each its own logged-in user with its own connection,
// each submitting a full Appendix B (five sections).
// Load model of the headline figure (ours; the issue does not fix one): a
// deadline rush: every subscriber submits ROUNDS times at random moments within
// WINDOW_S seconds (open loop, 500 x 4 in 4 s = 500 submissions/s on average,
// one at a time per subscriber). Extra fields: `burst_p99_ms`, all 500 submitting
// at the same instant (the last one waits for the 499 before it), and the
// saturated throughput `max_per_s` (500 in flight back to back).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent } from 'node:http';
import { request } from 'node:http';
import { bench } from './report.ts';
import { openStore, sampleResultForm, seedDemo } from '../src/desk/index.ts';
import { findPostgresBin, startPostgres, stopPostgres } from '../test/helpers/postgres.ts';

const SUBSCRIBERS = Number(process.env.FD_BENCH_SUBSCRIBERS ?? 500);
const ROUNDS = Number(process.env.FD_BENCH_ROUNDS ?? 4);
const WINDOW_S = Number(process.env.FD_BENCH_WINDOW_S ?? 4);
// For development: FD_BENCH_STORES=sqlite or postgres runs only that one.
const STORES = (process.env.FD_BENCH_STORES ?? 'sqlite,postgres').split(',');
const PW = 'bench-password';
const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

function startServer(db: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(process.env.FD_BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.FD_BENCH_PROF] : []), MAIN, 'desk', '--db', db, '--port', '0', '--evidence-token', 'bench'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /desk: (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.on('exit', (code) => reject(new Error(`desk exited ${code}: ${out}`)));
  });
}

function post(agent: Agent, url: string, path: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; text: string; cookie?: string }> {
  const data = JSON.stringify(body);
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, ...(res.headers['set-cookie'] ? { cookie: res.headers['set-cookie'][0]!.split(';')[0]! } : {}) }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function run(db: string) {
  const seedStore = openStore(db);
  await seedStore.migrate(Date.now());
  const seed = await seedDemo(seedStore, { now: Date.now(), password: PW, scryptCost: 1024, subscribers: SUBSCRIBERS });
  await seedStore.close();
  const { child, url } = await startServer(db);
  try {
    const users = await Promise.all(seed.subscribers.map(async (s) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const r = await post(agent, url, '/api/auth/login', { username: `${s.id}.user`, password: PW }, {});
      if (r.status !== 200) throw new Error(`login ${s.id}: ${r.status} ${r.text}`);
      return { s, agent, headers: { cookie: r.cookie!, 'x-csrf-token': JSON.parse(r.text).csrfToken as string } };
    }));
    const forms = new Map(seed.subscribers.map((s) => [s.id, sampleResultForm(seed.session, s)]));
    // Warm-up: one submission each, not measured.
    const once = (u: (typeof users)[number], id: string) => post(u.agent, url, `/api/sessions/${seed.session.id}/forms/result/${u.s.id}`, { submissionId: id, form: forms.get(u.s.id) }, u.headers);
    await Promise.all(users.map((u) => once(u, `warm-${u.s.id}`)));
    // Burst: all at once.
    const burst: number[] = [];
    await Promise.all(users.map(async (u) => {
      const t = performance.now();
      const r = await once(u, `burst-${u.s.id}`);
      burst.push(performance.now() - t);
      if (r.status !== 201) throw new Error(`submit ${u.s.id}: ${r.status} ${r.text}`);
    }));
    // Saturation: 500 in flight back to back.
    let sat = 0;
    const ts = performance.now();
    await Promise.all(users.map(async (u) => {
      for (let i = 0; i < 2; i++) {
        const r = await once(u, `sat-${u.s.id}-${i}`);
        if (r.status !== 201) throw new Error(`submit ${u.s.id}: ${r.status} ${r.text}`);
        sat++;
      }
    }));
    const maxRate = Math.round(sat / ((performance.now() - ts) / 1000));
    // Deadline rush (the headline): random moments within the window, open loop.
    const lat: number[] = [];
    const t0 = performance.now();
    await Promise.all(users.map(async (u) => {
      const at = Array.from({ length: ROUNDS }, () => Math.random() * WINDOW_S * 1000).sort((a, b) => a - b);
      for (let i = 0; i < ROUNDS; i++) {
        const wait = t0 + at[i]! - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const t = performance.now();
        const r = await once(u, `b-${u.s.id}-${i}`);
        lat.push(performance.now() - t);
        if (r.status !== 201) throw new Error(`submit ${u.s.id}: ${r.status} ${r.text}`);
      }
    }));
    for (const u of users) u.agent.destroy();
    lat.sort((a, b) => a - b);
    burst.sort((a, b) => a - b);
    return { p99: percentile(lat, 99), p50: percentile(lat, 50), n: lat.length, burstP99: percentile(burst, 99), maxRate };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const dir = mkdtempSync(join(tmpdir(), 'fd-bench-'));
try {
  const s = STORES.includes('sqlite') ? await run(join(dir, 'desk.sqlite')) : null;
  if (s) bench('desk.submit_p99', s.p99, 'ms', { store: 'sqlite', subscribers: SUBSCRIBERS, submissions: s.n, window_s: WINDOW_S, p50_ms: s.p50.toFixed(1), burst_p99_ms: s.burstP99.toFixed(0), max_per_s: s.maxRate });
  if (!STORES.includes('postgres')) {
    // skipped on request
  } else if (findPostgresBin()) {
    const pg = await startPostgres();
    try {
      const p = await run(await pg.createDatabase('bench'));
      bench('desk.submit_p99_postgres', p.p99, 'ms', { store: 'postgres', subscribers: SUBSCRIBERS, submissions: p.n, window_s: WINDOW_S, p50_ms: p.p50.toFixed(1), burst_p99_ms: p.burstP99.toFixed(0), max_per_s: p.maxRate });
    } finally {
      await stopPostgres();
    }
  } else {
    console.log('desk.submit_p99_postgres: skipped, PostgreSQL binaries not found');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

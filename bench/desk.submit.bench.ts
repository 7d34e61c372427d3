// desk.submit_p99: p99 latency (ms) of result-form submissions over HTTP with
// 500 concurrent subscribers, on SQLite (goal < 50 ms) and PostgreSQL.
// The desk runs in its own process (the CLI), as in production; this process
// is the 500 subscribers, each its own logged-in user with its own connection,
// each submitting a full Appendix B (five sections).
// Load model of the headline figure (ours; the goal does not fix one): a
// deadline rush: every subscriber submits ROUNDS times at random moments within
// WINDOW_S seconds (open loop, 500 x 4 in 4 s = 500 submissions/s on average,
// one at a time per subscriber). Extra fields: `burst_p99_ms`, all 500 submitting
// at the same instant (the last one waits for the 499 before it), and the
// saturated throughput `max_per_s` (500 in flight back to back). `floor_*`: the
// same load against a bare node:http echo on this host, measured just before.
// `cpu_ms`: the desk process's CPU time per submission (user + system), which a
// busy host inflates far less than it does the latencies; `pg_cpu_ms`: the
// PostgreSQL server's (postmaster and backends), which shares the same cores.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent } from 'node:http';
import { request } from 'node:http';
import { bench } from './report.ts';
import { demoSession, demoSubscriber, openStore, sampleResultForm, seedDemo } from '../src/desk/index.ts';
import { findPostgresBin, startPostgres, stopPostgres } from '../test/helpers/postgres.ts';

const SUBSCRIBERS = Number(process.env.FD_BENCH_SUBSCRIBERS ?? 500);
const ROUNDS = Number(process.env.FD_BENCH_ROUNDS ?? 4);
const WINDOW_S = Number(process.env.FD_BENCH_WINDOW_S ?? 4);
// For development: FD_BENCH_STORES=sqlite or postgres runs only that one.
const STORES = (process.env.FD_BENCH_STORES ?? 'sqlite,postgres').split(',');
const PW = 'bench-password';
const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

function startServer(args: string[], main = true): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const prof = process.env.FD_BENCH_PROF && main ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.FD_BENCH_PROF] : [];
    const child = spawn(process.execPath, [...prof, ...(main ? [MAIN] : []), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /desk: (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

function post(
  agent: Agent,
  url: string,
  path: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<{ status: number; text: string; cookie?: string }> {
  const data = JSON.stringify(body);
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...headers },
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
    req.end(data);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Submitter {
  id: string;
  agent: Agent;
  send(submissionId: string): Promise<{ status: number; text: string }>;
}

/** CPU time (user + system, ms) a process has used: what a submission costs the server, however busy the host. */
function cpuMs(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime, stime in USER_HZ (100 on Linux)
  } catch {
    return NaN;
  }
}

/** CPU time (ms) of a PostgreSQL cluster: the postmaster, its live backends, and the backends it reaped. */
function postgresCpuMs(dataDir: string): number {
  const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const f = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ');
      const pid = Number(entry),
        ppid = Number(f[1]);
      if (pid === postmaster) total += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      else if (ppid === postmaster) total += Number(f[11]) + Number(f[12]);
    } catch {
      /* gone meanwhile */
    }
  }
  return (total * 1000) / 100;
}

/** Warm-up, burst, saturation, deadline rush: the figures of one server. */
async function load(users: Submitter[], pid: number, serverCpu: () => number = () => 0) {
  const cpu0 = cpuMs(pid);
  const serverCpu0 = serverCpu();
  let sent = 0;
  for (const u of users) {
    const send = u.send;
    u.send = (id) => {
      sent++;
      return send(id);
    };
  }
  // Warm-up: one submission each, not measured.
  await Promise.all(users.map((u) => u.send(`warm-${u.id}`)));
  const check = (u: Submitter, r: { status: number; text: string }) => {
    if (r.status !== 201) throw new Error(`submit ${u.id}: ${r.status} ${r.text}`);
  };
  // Burst: all at once.
  const burst: number[] = [];
  await Promise.all(
    users.map(async (u) => {
      const t = performance.now();
      const r = await u.send(`burst-${u.id}`);
      burst.push(performance.now() - t);
      check(u, r);
    }),
  );
  // Saturation: 500 in flight back to back.
  let sat = 0;
  const ts = performance.now();
  await Promise.all(
    users.map(async (u) => {
      for (let i = 0; i < 2; i++) {
        check(u, await u.send(`sat-${u.id}-${i}`));
        sat++;
      }
    }),
  );
  const maxRate = Math.round(sat / ((performance.now() - ts) / 1000));
  // Deadline rush (the headline): random moments within the window, open loop.
  const lat: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    users.map(async (u) => {
      const at = Array.from({ length: ROUNDS }, () => Math.random() * WINDOW_S * 1000).sort((a, b) => a - b);
      for (let i = 0; i < ROUNDS; i++) {
        const wait = t0 + at[i]! - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const t = performance.now();
        const r = await u.send(`b-${u.id}-${i}`);
        lat.push(performance.now() - t);
        check(u, r);
      }
    }),
  );
  const cpuPerSubmission = (cpuMs(pid) - cpu0) / sent;
  const serverCpuPerSubmission = (serverCpu() - serverCpu0) / sent;
  for (const u of users) u.agent.destroy();
  lat.sort((a, b) => a - b);
  burst.sort((a, b) => a - b);
  return {
    p99: percentile(lat, 99),
    p50: percentile(lat, 50),
    n: lat.length,
    burstP99: percentile(burst, 99),
    maxRate,
    cpuPerSubmission,
    serverCpuPerSubmission,
  };
}

async function stop(child: ChildProcess) {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

async function run(db: string, serverCpu?: () => number) {
  const seedStore = openStore(db);
  await seedStore.migrate(Date.now());
  const seed = await seedDemo(seedStore, { now: Date.now(), password: PW, scryptCost: 1024, subscribers: SUBSCRIBERS });
  await seedStore.close();
  const { child, url } = await startServer(['desk', '--db', db, '--port', '0', '--evidence-token', 'bench']);
  try {
    return await load(
      await Promise.all(
        seed.subscribers.map(async (s) => {
          const agent = new Agent({ keepAlive: true, maxSockets: 1 });
          const r = await post(agent, url, '/api/auth/login', { username: `${s.id}.user`, password: PW }, {});
          if (r.status !== 200) throw new Error(`login ${s.id}: ${r.status} ${r.text}`);
          const headers = { cookie: r.cookie!, 'x-csrf-token': JSON.parse(r.text).csrfToken as string };
          const form = sampleResultForm(seed.session, s);
          // Each submission signs under its own name: a form equal to the latest version is answered without storing anything.
          const send = (id: string) =>
            post(
              agent,
              url,
              `/api/sessions/${seed.session.id}/forms/result/${s.id}`,
              { submissionId: id, form: { ...form, signatory: { ...form.signatory, name: `Signer ${id}` } } },
              headers,
            );
          return { id: s.id, agent, send };
        }),
      ),
      child.pid!,
      serverCpu,
    );
  } finally {
    await stop(child);
  }
}

// The host's floor: the same load against a bare node:http process that parses each
// body and answers it back (no Fastify, no validation, no store). On a busy machine the
// desk cannot beat this; printed beside the desk's figures.
const FLOOR_SERVER = `
import { createServer } from 'node:http';
const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    const x = JSON.parse(body);
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ version: { submissionId: x.submissionId, content: x.form }, created: true }));
  });
});
server.listen(0, '127.0.0.1', () => console.log('desk: http://127.0.0.1:' + server.address().port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

async function floor() {
  const { child, url } = await startServer(['--input-type=module', '-e', FLOOR_SERVER], false);
  try {
    const session = demoSession();
    return await load(
      Array.from({ length: SUBSCRIBERS }, (_, n) => {
        const s = demoSubscriber(n);
        const agent = new Agent({ keepAlive: true, maxSockets: 1 });
        const form = sampleResultForm(session, s);
        return {
          id: s.id,
          agent,
          send: (id: string) =>
            post(agent, url, '/submit', { submissionId: id, form: { ...form, signatory: { ...form.signatory, name: `Signer ${id}` } } }, {}),
        };
      }),
      child.pid!,
    );
  } finally {
    await stop(child);
  }
}

const floorFields = (f: Awaited<ReturnType<typeof floor>>) => ({
  floor_p99_ms: f.p99.toFixed(1),
  floor_burst_p99_ms: f.burstP99.toFixed(0),
  floor_max_per_s: f.maxRate,
  floor_cpu_ms: f.cpuPerSubmission.toFixed(3),
});

const dir = mkdtempSync(join(tmpdir(), 'fd-bench-'));
try {
  if (STORES.includes('sqlite')) {
    const f = await floor();
    const s = await run(join(dir, 'desk.sqlite'));
    bench('desk.submit_p99', s.p99, 'ms', {
      store: 'sqlite',
      subscribers: SUBSCRIBERS,
      submissions: s.n,
      window_s: WINDOW_S,
      p50_ms: s.p50.toFixed(1),
      burst_p99_ms: s.burstP99.toFixed(0),
      max_per_s: s.maxRate,
      cpu_ms: s.cpuPerSubmission.toFixed(3),
      ...floorFields(f),
    });
  }
  if (!STORES.includes('postgres')) {
    // skipped on request
  } else if (findPostgresBin()) {
    const pg = await startPostgres();
    try {
      const f = await floor();
      const p = await run(await pg.createDatabase('bench'), () => postgresCpuMs(join(pg.dir, 'data')));
      bench('desk.submit_p99_postgres', p.p99, 'ms', {
        store: 'postgres',
        subscribers: SUBSCRIBERS,
        submissions: p.n,
        window_s: WINDOW_S,
        p50_ms: p.p50.toFixed(1),
        burst_p99_ms: p.burstP99.toFixed(0),
        max_per_s: p.maxRate,
        cpu_ms: p.cpuPerSubmission.toFixed(3),
        pg_cpu_ms: p.serverCpuPerSubmission.toFixed(3),
        ...floorFields(f),
      });
    } finally {
      await stopPostgres();
    }
  } else {
    console.log('desk.submit_p99_postgres: skipped, PostgreSQL binaries not found');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

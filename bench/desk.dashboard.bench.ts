// desk.dashboard_p99: p99 latency (ms) of the dashboard GET for 500 firms in the second session of
// a three-session series (each row with its series history and retake mark), with 100,000
// evidence events in the session, among them every firm's readiness checks (a failed run, then
// for most a passed one), on SQLite, in-process, one request at a time. Goal: < 100 ms.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench } from './report.ts';
import { seedSeriesDesk } from './desk-series-seed.ts';
import { startDesk } from '../src/desk/index.ts';
import { SERVICES, type EvidenceEvent, type EvidenceKind } from '../src/evidence/index.ts';
import { ManualClock } from '../src/wire/index.ts';

const FIRMS = Number(process.env.FD_BENCH_FIRMS ?? 500);
const EVENTS = Number(process.env.FD_BENCH_EVENTS ?? 100_000);
const SAMPLES = Number(process.env.FD_BENCH_SAMPLES ?? 200);
const PW = 'bench-password';
const KINDS: EvidenceKind[] = ['lookup', 'logon', 'order', 'ack', 'cancel', 'feed-joined', 'gap', 'gap-recovered', 'logout'];

const dir = mkdtempSync(join(tmpdir(), 'fd-bench-dashboard-'));
const clock = new ManualClock();
const desk = await startDesk({ db: join(dir, 'desk.sqlite'), clock, evidenceToken: 'bench-token', webRoot: null });
try {
  const store = desk.store;
  const now = clock.now();
  const seeded = await seedSeriesDesk(store, FIRMS, PW, now);
  const ps2 = seeded.sessions[1];
  const firms = seeded.firms;
  // The session's evidence: readiness runs first (before the session), then the day's events.
  const t0 = Date.parse('2026-01-10T00:10:00.000Z');
  const events: EvidenceEvent[] = [];
  firms.forEach((f, n) => {
    for (const [run, passed] of n % 10 === 9
      ? ([[1, false]] as const)
      : ([
          [1, false],
          [2, true],
        ] as const)) {
      for (const service of SERVICES) {
        events.push({
          id: `readiness:${f.id}:${run}:${service}`,
          ts: new Date(t0 + run * 60_000 + n).toISOString(),
          session: ps2!.id,
          site: 'primary',
          service,
          subscriber: f.id,
          identity: `${f.id}-${service}`,
          kind: 'readiness',
          source: 'probe',
          detail: {
            run: `${f.id}-${run}`,
            passed,
            firmPassed: passed,
            rows: [
              { check: 'logon', target: service, verdict: passed ? 'pass' : 'fail', reason: passed ? 'logged on and off' : 'refused with Session Status 5' },
            ],
          },
        });
      }
    }
  });
  const readinessEvents = events.length;
  for (let i = 0; events.length < EVENTS; i++) {
    const f = firms[i % FIRMS]!;
    const service = SERVICES[Math.floor(i / FIRMS) % SERVICES.length]!;
    events.push({
      id: `ev-${i}`,
      ts: new Date(t0 + 20 * 60_000 + i * 10).toISOString(),
      session: ps2!.id,
      site: i % 3 === 0 ? 'backup' : 'primary',
      service,
      subscriber: f.id,
      identity: `${f.id}-${service}`,
      kind: KINDS[i % KINDS.length]!,
      source: i % 2 === 0 ? 'venue' : 'probe',
      detail: { n: i },
    });
  }
  for (let i = 0; i < events.length; i += 5_000) await store.ingestEvidence(events.slice(i, i + 5_000), 'conductor', now);
  const login = await fetch(desk.url + '/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'desk', password: PW }),
  });
  const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
  const lat: number[] = [];
  let notReady = 0;
  for (let i = 0; i < SAMPLES + 10; i++) {
    const t = performance.now();
    const r = await fetch(`${desk.url}/api/sessions/${ps2!.id}/dashboard`, { headers: { cookie } });
    const body = (await r.json()) as { rows: unknown[]; notReady: number; readiness: { passed: number } };
    if (r.status !== 200 || body.rows.length !== FIRMS || body.readiness.passed !== FIRMS - Math.floor(FIRMS / 10))
      throw new Error(`dashboard: ${r.status} ${JSON.stringify(body.readiness)}`);
    notReady = body.notReady;
    if (i >= 10) lat.push(performance.now() - t);
  }
  // The readiness read alone (the part this dashboard adds for the readiness column): the standings kept at ingestion.
  const rl: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    await store.listReadiness(ps2!.id);
    rl.push(performance.now() - t);
  }
  rl.sort((a, b) => a - b);
  lat.sort((a, b) => a - b);
  const p = (q: number) => lat[Math.min(lat.length - 1, Math.floor(lat.length * q))]!;
  bench('desk.dashboard_p99', p(0.99), 'ms', {
    store: 'sqlite',
    firms: FIRMS,
    events: events.length,
    readiness_events: readinessEvents,
    not_ready: notReady,
    sessions_in_series: 3,
    p50_ms: p(0.5).toFixed(1),
    readiness_read_p50_ms: rl[25]!.toFixed(1),
    samples: SAMPLES,
    goal_ms: 100,
  });
} finally {
  await desk.close();
  rmSync(dir, { recursive: true, force: true });
}

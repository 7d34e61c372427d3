// desk.dashboard_p99: p99 latency (ms) of the dashboard GET for 500 firms in the second session of
// a three-session series (each row with its series history and retake mark), with 100,000
// evidence events in the session, among them every firm's readiness checks (a failed run, then
// for most a passed one), on SQLite, in-process, one request at a time. Goal: < 100 ms.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench } from './report.ts';
import {
  demoSession,
  demoSubscriber,
  sampleIntentionForm,
  sampleResultForm,
  startDesk,
  hashPassword,
  type PracticeSession,
  type ResultForm,
} from '../src/desk/index.ts';
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
  const [ps1, ps2, ps3]: PracticeSession[] = [1, 2, 3].map((n) => ({
    ...demoSession({ id: `ps${n}-bench`, noticeId: null, date: `2026-01-${String(3 + 7 * (n - 1)).padStart(2, '0')}` }),
    code: `PS${n}`,
    series: { id: 'bench-series', order: n },
  }));
  for (const s of [ps1!, ps2!, ps3!]) await store.createSession(s, 'seed', now);
  await store.createUser(
    { id: 'desk-1', username: 'desk', displayName: 'Desk', role: 'desk', subscriberId: null, passwordHash: await hashPassword(PW, 1024) },
    'seed',
    now,
  );
  const firms = [];
  for (let n = 0; n < FIRMS; n++) {
    const f = demoSubscriber(n);
    firms.push(f);
    await store.putSubscriber(f, 'seed', now);
    const submit = (s: PracticeSession, kind: 'intention' | 'result', content: object) =>
      store.submitForm({
        sessionId: s.id,
        subscriberId: f.id,
        kind,
        submissionId: `b-${s.id}-${f.id}-${kind}`,
        content: content as ResultForm,
        submittedBy: 'desk-1',
        submittedAt: now,
        late: false,
      });
    await submit(ps1!, 'intention', sampleIntentionForm(ps1!, f));
    if (n % 8 !== 7) {
      const r = sampleResultForm(ps1!, f);
      if (n % 4 === 0) {
        r.sections[0]!.overall = 'failed';
        r.sections[0]!.problems = [{ time: '10:10', description: 'no ack', reference: 'x' }];
      }
      await submit(ps1!, 'result', r);
    }
    await submit(ps2!, 'intention', sampleIntentionForm(ps2!, f));
    if (n % 2 === 0) await submit(ps2!, 'result', sampleResultForm(ps2!, f));
  }
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

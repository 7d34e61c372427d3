// desk.dashboard_series_p99: p99 latency (ms) of the dashboard GET for 500 firms
// in the second session of a three-session series, every firm with forms in
// PS1 and PS2 (so each row carries its series history and retake mark), on
// SQLite, in-process, one request at a time. `alone_p99_ms`: the same session
// and forms taken out of the series, to show what the series history costs.
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
import { ManualClock } from '../src/wire/index.ts';

const FIRMS = Number(process.env.FD_BENCH_FIRMS ?? 500);
const SAMPLES = Number(process.env.FD_BENCH_SAMPLES ?? 200);
const PW = 'bench-password';

const dir = mkdtempSync(join(tmpdir(), 'fd-bench-series-'));
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
  for (let n = 0; n < FIRMS; n++) {
    const f = demoSubscriber(n);
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
    // One firm in four failed PS1, one in eight sent no Appendix B.
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
  const login = await fetch(desk.url + '/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'desk', password: PW }),
  });
  const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
  const measure = async (sessionId: string) => {
    const lat: number[] = [];
    for (let i = 0; i < SAMPLES + 10; i++) {
      const t0 = performance.now();
      const r = await fetch(`${desk.url}/api/sessions/${sessionId}/dashboard`, { headers: { cookie } });
      const body = (await r.json()) as { rows: unknown[]; retake: number };
      if (r.status !== 200 || body.rows.length !== FIRMS) throw new Error(`dashboard: ${r.status}`);
      if (i >= 10) lat.push(performance.now() - t0);
    }
    lat.sort((a, b) => a - b);
    return { p50: lat[Math.floor(lat.length * 0.5)]!, p99: lat[Math.min(lat.length - 1, Math.floor(lat.length * 0.99))]! };
  };
  const series = await measure(ps2!.id);
  await store.updateSession({ ...ps2!, series: null }, 'seed', now);
  const alone = await measure(ps2!.id);
  bench('desk.dashboard_series_p99', series.p99, 'ms', {
    store: 'sqlite',
    firms: FIRMS,
    sessions_in_series: 3,
    p50_ms: series.p50.toFixed(1),
    alone_p99_ms: alone.p99.toFixed(1),
    alone_p50_ms: alone.p50.toFixed(1),
    samples: SAMPLES,
  });
} finally {
  await desk.close();
  rmSync(dir, { recursive: true, force: true });
}

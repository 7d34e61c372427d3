// desk.dashboard_series_p99: p99 latency (ms) of the dashboard GET for 500 firms
// in the second session of a three-session series, every firm with forms in
// PS1 and PS2 (so each row carries its series history and retake mark), on
// SQLite, in-process, one request at a time. `alone_p99_ms`: the same session
// and forms taken out of the series, to show what the series history costs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench } from './report.ts';
import { seedSeriesDesk } from './desk-series-seed.ts';
import { startDesk } from '../src/desk/index.ts';
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
  const ps2 = (await seedSeriesDesk(store, FIRMS, PW, now)).sessions[1];
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

// Practice sessions in a series: the retake rule, the series on a session in
// both stores, and the dashboard, firm history, reminders and CSV exports that
// show or filter the firms to retake.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/wire/index.ts';
import {
  MIGRATIONS,
  demoNotice,
  formFacts,
  demoSession,
  demoSubscriber,
  mustRetake,
  openStore,
  renderMessage,
  resultVerdict,
  sampleIntentionForm,
  sampleResultForm,
  seedDemo,
  sessionOutcome,
  startDesk,
  validatePracticeSession,
  type DeskStore,
  type PracticeSession,
  type ReminderMessage,
  type ResultForm,
  type RunningDesk,
  type Subscriber,
} from '../../src/desk/index.ts';
import type { SqlDeskStore } from '../../src/desk/store/desk-store.ts';
import { DeskClient } from '../helpers/desk-client.ts';
import { storeVariants } from '../helpers/stores.ts';

const T0 = Date.UTC(2026, 0, 9, 1, 30);
const PW = 'series-password-for-tests';
const SERIES = 'fw-2026';

/** PS1, PS2, PS3 of one series, a week apart; PS1 covers the trading services only. */
function seriesSessions(): [PracticeSession, PracticeSession, PracticeSession] {
  const ps1 = { ...demoSession({ id: 'ps1-2026', date: '2026-01-03', services: ['OTP-C', 'OTP-CSC'] }), code: 'PS1', series: { id: SERIES, order: 1 } };
  const ps2 = { ...demoSession({ id: 'ps2-2026', date: '2026-01-10' }), series: { id: SERIES, order: 2 } };
  const ps3 = { ...demoSession({ id: 'ps3-2026', date: '2026-01-17' }), code: 'PS3', series: { id: SERIES, order: 3 } };
  return [ps1, ps2, ps3];
}

/** A result form whose first section has this overall result (with the problem such a result needs). */
function resultWith(session: PracticeSession, firm: Subscriber, overall: ResultForm['sections'][number]['overall']): ResultForm {
  const f = sampleResultForm(session, firm);
  f.sections[0]!.overall = overall;
  if (overall === 'failed' || overall === 'passed-with-issues')
    f.sections[0]!.problems = [{ time: '10:10', description: 'no acknowledgement at the backup', reference: 'P-1' }];
  return f;
}

describe('the retake rule', () => {
  const [ps1] = seriesSessions();
  const firm = demoSubscriber(0);

  it('a result form is as good as its worst section', () => {
    const f = sampleResultForm(ps1, firm);
    assert.ok(f.sections.length >= 2);
    assert.equal(resultVerdict(f), 'passed');
    assert.equal(resultVerdict(resultWith(ps1, firm, 'passed-with-issues')), 'passed-with-issues');
    assert.equal(resultVerdict(resultWith(ps1, firm, 'not-tested')), 'not-tested');
    const mixed = resultWith(ps1, firm, 'failed');
    mixed.sections[1]!.overall = 'not-tested';
    assert.equal(resultVerdict(mixed), 'failed');
    assert.equal(resultVerdict({ ...f, sections: [] }), 'not-tested');
  });

  it('the outcome in a session: the Appendix B decides, else a declined Appendix A, else no result', () => {
    const declined = { ...sampleIntentionForm(ps1, firm), participate: false };
    assert.equal(sessionOutcome(ps1, firm, undefined), 'no-result');
    assert.equal(sessionOutcome(ps1, firm, formFacts(sampleIntentionForm(ps1, firm), undefined)), 'no-result');
    assert.equal(sessionOutcome(ps1, firm, formFacts(declined, undefined)), 'declined');
    assert.equal(sessionOutcome(ps1, firm, formFacts(declined, resultWith(ps1, firm, 'failed'))), 'failed');
    const marketDataOnly = { ...firm, identities: firm.identities.filter((i) => i.service === 'OMD-C') };
    assert.equal(sessionOutcome(ps1, marketDataOnly, undefined), 'not-in-scope');
  });

  it('retake: in scope of an earlier session and passed none of them; later sessions do not count', () => {
    const h = (...outcomes: Parameters<typeof mustRetake>[0][number]['outcome'][]) => outcomes.map((outcome, i) => ({ order: i + 1, outcome }));
    assert.equal(mustRetake(h('failed', 'no-result'), 2), true);
    assert.equal(mustRetake(h('declined', 'no-result'), 2), true);
    assert.equal(mustRetake(h('no-result', 'no-result'), 2), true);
    assert.equal(mustRetake(h('not-tested', 'no-result'), 2), true);
    assert.equal(mustRetake(h('passed', 'no-result'), 2), false);
    assert.equal(mustRetake(h('passed-with-issues', 'no-result'), 2), false);
    assert.equal(mustRetake(h('not-in-scope', 'no-result'), 2), false, 'nothing earlier to retake');
    assert.equal(mustRetake(h('no-result'), 1), false, "the first session of a series is nobody's retake");
    assert.equal(mustRetake(h('failed', 'passed', 'no-result'), 3), false, 'passed once: done');
    assert.equal(mustRetake(h('failed', 'declined', 'no-result'), 3), true);
    assert.equal(mustRetake(h('failed', 'no-result', 'passed'), 2), true, "a later pass does not clear an earlier session's retake");
  });

  it("validates a session's place in a series, naming the field", () => {
    const ok = validatePracticeSession({ ...demoSession(), series: { id: SERIES, order: 2 } });
    assert.ok(ok.ok);
    assert.deepEqual(ok.value.series, { id: SERIES, order: 2 });
    const alone = validatePracticeSession(demoSession());
    assert.ok(alone.ok);
    assert.equal(alone.value.series, null);
    for (const [series, field] of [
      [{ id: SERIES, order: 0 }, 'series.order'],
      [{ id: SERIES, order: 1.5 }, 'series.order'],
      [{ id: SERIES, order: '2' }, 'series.order'],
      [{ id: 'has space', order: 1 }, 'series.id'],
      [{ order: 1 }, 'series.id'],
      ['fw-2026', 'series'],
    ] as const) {
      const v = validatePracticeSession({ ...demoSession(), series });
      assert.ok(!v.ok, JSON.stringify(series));
      assert.equal(v.errors.length, 1);
      assert.equal(v.errors[0]!.field, field);
    }
    const bad = validatePracticeSession({ ...demoSession(), series: { id: SERIES, order: 100 } });
    assert.ok(!bad.ok);
    assert.equal(renderMessage(bad.errors[0]!.text, 'en'), 'Order in the series must be a whole number from 1 to 99 (got 100).');
    assert.equal(renderMessage(bad.errors[0]!.text, 'zh-Hant'), '系列中的次序必須是 1 至 99 的整數（收到 100）。');
  });
});

for (const variant of storeVariants()) {
  describe(`sessions in a series, store on ${variant.name}`, { skip: variant.skip }, () => {
    let store: DeskStore;
    const [ps1, ps2, ps3] = seriesSessions();
    const a = demoSubscriber(0);
    const b = demoSubscriber(1);

    before(async () => {
      store = openStore(await variant.freshDb());
      assert.deepEqual(
        await store.migrate(T0),
        MIGRATIONS.map((m) => m.version),
      );
      await store.createNotice(demoNotice(), 'desk-1', T0);
      // Created out of order: the series is read in its own order.
      for (const s of [ps3, ps1, ps2]) await store.createSession(s, 'desk-1', T0);
      await store.createSession(demoSession({ id: 'alone' }), 'desk-1', T0);
      await store.putSubscriber(a, 'desk-1', T0);
      await store.putSubscriber(b, 'desk-1', T0);
    });
    after(async () => {
      await store?.close();
    });

    it('lists a series in order and keeps the place on the session', async () => {
      assert.deepEqual(
        (await store.listSeriesSessions(SERIES)).map((s) => [s.id, s.series?.order]),
        [
          ['ps1-2026', 1],
          ['ps2-2026', 2],
          ['ps3-2026', 3],
        ],
      );
      assert.deepEqual((await store.getSession(ps2.id))!.series, { id: SERIES, order: 2 });
      assert.deepEqual(await store.listSeriesSessions('no-such-series'), []);
      const audit = await store.listAudit({ entity: 'session', entityId: ps1.id });
      assert.equal(audit.length, 1);
      assert.deepEqual(audit[0]!.detail.series, { id: SERIES, order: 1 });
    });

    it('one session per place: creating or moving onto a taken place is refused, naming the other session', async () => {
      await assert.rejects(
        store.createSession({ ...demoSession({ id: 'ps2-again' }), series: { id: SERIES, order: 2 } }, 'desk-1', T0),
        (e: { status: number; code: string; field: string; message: string }) => {
          assert.equal(e.status, 409);
          assert.equal(e.code, 'SERIES_ORDER_TAKEN');
          assert.equal(e.field, 'series.order');
          assert.match(e.message, /ps2-2026 is already number 2 of series fw-2026/);
          return true;
        },
      );
      assert.equal(await store.getSession('ps2-again'), null);
      await assert.rejects(store.updateSession({ ...ps3, series: { id: SERIES, order: 1 } }, 'desk-1', T0), { code: 'SERIES_ORDER_TAKEN' });
      // Saving a session in its own place is no conflict; the same order in another series neither.
      await store.updateSession({ ...ps3, rundown: ps3.rundown + '\n' }, 'desk-1', T0);
      await store.createSession({ ...demoSession({ id: 'other-series-1' }), series: { id: 'other-series', order: 1 } }, 'desk-1', T0);
    });

    it('moving a session out of its series frees its place', async () => {
      await store.updateSession({ ...ps3, series: null }, 'desk-1', T0 + 1);
      assert.deepEqual(
        (await store.listSeriesSessions(SERIES)).map((s) => s.id),
        ['ps1-2026', 'ps2-2026'],
      );
      await store.updateSession({ ...ps2, series: { id: SERIES, order: 3 } }, 'desk-1', T0 + 2);
      assert.deepEqual(
        (await store.listSeriesSessions(SERIES)).map((s) => [s.id, s.series?.order]),
        [
          ['ps1-2026', 1],
          ['ps2-2026', 3],
        ],
      );
      await store.updateSession(ps2, 'desk-1', T0 + 3);
      await store.updateSession(ps3, 'desk-1', T0 + 4);
      assert.deepEqual(
        (await store.listSeriesSessions(SERIES)).map((s) => [s.id, s.series?.order]),
        [
          ['ps1-2026', 1],
          ['ps2-2026', 2],
          ['ps3-2026', 3],
        ],
      );
    });

    it('reads the latest forms of several sessions, or of one firm, in one call', async () => {
      const sub = (session: PracticeSession, firm: Subscriber, kind: 'intention' | 'result', n: number, content: object) =>
        store.submitForm({
          sessionId: session.id,
          subscriberId: firm.id,
          kind,
          submissionId: `series-${session.id}-${firm.id}-${kind}-${n}`,
          content: content as ResultForm,
          submittedBy: 'u',
          submittedAt: T0 + n,
          late: false,
        });
      await sub(ps1, a, 'result', 1, resultWith(ps1, a, 'failed'));
      await sub(ps1, a, 'result', 2, sampleResultForm(ps1, a));
      await sub(ps1, b, 'intention', 3, { ...sampleIntentionForm(ps1, b), participate: false });
      await sub(ps2, a, 'intention', 4, sampleIntentionForm(ps2, a));
      const got = await store.latestFormFacts({ sessions: [ps1.id, ps3.id] });
      assert.equal(got.length, 2);
      const key = (x: { sessionId: string; subscriberId: string; kind: string }) => `${x.sessionId}/${x.subscriberId}/${x.kind}`;
      const byKey = new Map(got.map((x) => [key(x), x]));
      assert.equal(byKey.get('ps1-2026/firm-a/result')!.verdict, 'passed', 'the latest version, not the first');
      assert.equal(byKey.get('ps1-2026/firm-b/intention')!.participate, false);
      const mine = await store.latestFormFacts({ subscriber: a.id });
      assert.deepEqual(mine.map(key).sort(), ['ps1-2026/firm-a/result', 'ps2-2026/firm-a/intention']);
      assert.equal(mine.find((x) => x.kind === 'intention')!.participate, true);
      // The verdict read by the database is the worst section, as resultVerdict has it.
      for (const [n, overall] of (['passed-with-issues', 'not-tested', 'failed'] as const).entries()) {
        await sub(ps3, b, 'result', 10 + n, resultWith(ps3, b, overall));
        assert.equal((await store.latestFormFacts({ sessions: [ps3.id] }))[0]!.verdict, overall);
      }
      assert.deepEqual(await store.latestFormFacts({ sessions: [] }), []);
    });
  });
}

for (const variant of storeVariants()) {
  describe(`sessions in a series, API on ${variant.name}`, { skip: variant.skip }, () => {
    let desk: RunningDesk;
    let clock: ManualClock;
    let firms: Subscriber[];
    const mail: ReminderMessage[] = [];
    const [ps1, ps2, ps3] = seriesSessions();
    const officer = () => new DeskClient(desk.url);
    let d: DeskClient;

    before(async () => {
      clock = new ManualClock();
      desk = await startDesk({
        db: await variant.freshDb(),
        clock,
        evidenceToken: 'series-token',
        mailer: {
          async send(m) {
            mail.push(m);
          },
        },
      });
      const seed = await seedDemo(desk.store, { now: clock.now(), password: PW, scryptCost: 1024, subscribers: 5, session: ps2 });
      // firm-f trades on no service of PS1: nothing to retake.
      const f: Subscriber = { ...demoSubscriber(5), identities: demoSubscriber(5).identities.filter((i) => i.service === 'OMD-C') };
      await desk.store.putSubscriber(f, 'seed', clock.now());
      firms = [...seed.subscribers, f];
      d = officer();
      assert.equal((await d.login('desk', PW)).status, 200);
      for (const s of [ps1, ps3]) assert.equal((await d.post('/api/sessions', s)).status, 201);
      const put = async (s: PracticeSession, firm: Subscriber, kind: 'intention' | 'result', content: object) => {
        const r = await desk.service.submitForm({
          user: { id: 'desk-x', username: 'desk', displayName: 'Desk', role: 'desk', subscriberId: null },
          sessionId: s.id,
          subscriberId: firm.id,
          kind,
          submissionId: `api-${s.id}-${firm.id}-${kind}`,
          form: content,
          onBehalfReason: 'typed in from paper',
        });
        assert.equal(r.created, true);
      };
      const [a, b, c, , e] = firms as [Subscriber, Subscriber, Subscriber, Subscriber, Subscriber];
      // PS1: a passed, b failed, c declined, d sent nothing, e passed with issues.
      await put(ps1, a, 'result', sampleResultForm(ps1, a));
      await put(ps1, b, 'result', resultWith(ps1, b, 'failed'));
      await put(ps1, c, 'intention', { ...sampleIntentionForm(ps1, c), participate: false, services: [] });
      await put(ps1, e, 'result', resultWith(ps1, e, 'passed-with-issues'));
      // PS2: b passes; c's Appendix A is in.
      await put(ps2, b, 'result', sampleResultForm(ps2, b));
      await put(ps2, c, 'intention', sampleIntentionForm(ps2, c));
    });
    after(async () => {
      await desk?.close();
    });

    it("the dashboard shows every firm's outcome in each session of the series and marks the retakes", async () => {
      const r = await d.get(`/api/sessions/${ps2.id}/dashboard`);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body.series, { id: SERIES, sessions: [ps1, ps2, ps3].map((s) => ({ id: s.id, code: s.code, date: s.date, order: s.series!.order })) });
      assert.equal(r.body.rows.length, 6);
      const row = (id: string) => r.body.rows.find((x: { subscriber: { id: string } }) => x.subscriber.id === id);
      const outcomes = (id: string) =>
        row(id)
          .series.map((x: { session: string; outcome: string }) => `${x.session}:${x.outcome}`)
          .join(' ');
      assert.equal(outcomes('firm-a'), 'ps1-2026:passed ps2-2026:no-result ps3-2026:no-result');
      assert.equal(outcomes('firm-b'), 'ps1-2026:failed ps2-2026:passed ps3-2026:no-result');
      assert.equal(outcomes('firm-c'), 'ps1-2026:declined ps2-2026:no-result ps3-2026:no-result');
      assert.equal(outcomes('firm-f'), 'ps1-2026:not-in-scope ps2-2026:no-result ps3-2026:no-result');
      assert.deepEqual(
        r.body.rows.filter((x: { retake: boolean }) => x.retake).map((x: { subscriber: { id: string } }) => x.subscriber.id),
        ['firm-b', 'firm-c', 'firm-d'],
      );
      assert.equal(r.body.retake, 3);
      // PS3: b passed PS2; c and d passed nothing yet, nor f, in scope of PS2 only.
      const r3 = await d.get(`/api/sessions/${ps3.id}/dashboard`);
      assert.deepEqual(
        r3.body.rows.filter((x: { retake: boolean }) => x.retake).map((x: { subscriber: { id: string } }) => x.subscriber.id),
        ['firm-c', 'firm-d', 'firm-f'],
      );
      // PS1 is nobody's retake; a session on its own has no series.
      const r1 = await d.get(`/api/sessions/${ps1.id}/dashboard`);
      assert.equal(r1.body.retake, 0);
      assert.equal((await d.post('/api/sessions', demoSession({ id: 'alone-1' }))).status, 201);
      const alone = await d.get('/api/sessions/alone-1/dashboard');
      assert.equal(alone.body.series, null);
      assert.equal(alone.body.retake, 0);
      assert.ok(alone.body.rows.every((x: { series: unknown[] }) => x.series.length === 0));
    });

    it("a firm's history: its outcome in every session, the retake marks, for the desk and the firm itself", async () => {
      const own = new DeskClient(desk.url);
      assert.equal((await own.login('firm-c.user', PW)).status, 200);
      const r = await own.get('/api/subscribers/firm-c/sessions');
      assert.equal(r.status, 200, r.text);
      const got = r.body.sessions.map(
        (x: { session: { id: string; series: { order: number } | null }; outcome: string; retake: boolean }) =>
          `${x.session.id}:${x.session.series?.order ?? '-'}:${x.outcome}${x.retake ? ':retake' : ''}`,
      );
      assert.deepEqual(got, ['ps1-2026:1:declined', 'ps2-2026:2:no-result:retake', 'ps3-2026:3:no-result:retake', 'alone-1:-:no-result']);
      assert.equal((await own.get('/api/subscribers/firm-b/sessions')).status, 403);
      const b = await d.get('/api/subscribers/firm-b/sessions');
      assert.deepEqual(
        b.body.sessions.filter((x: { retake: boolean }) => x.retake).map((x: { session: { id: string } }) => x.session.id),
        ['ps2-2026'],
      );
      assert.equal((await d.get('/api/subscribers/nobody/sessions')).status, 404);
    });

    it('reminders can go to the firms to retake only', async () => {
      const all = await d.get(`/api/sessions/${ps2.id}/reminders/overview`);
      assert.ok(all.body.preview.intention.length > 3);
      const only = await d.get(`/api/sessions/${ps2.id}/reminders/overview?only=retake`);
      assert.equal(only.status, 200, only.text);
      assert.deepEqual(
        only.body.preview.intention.map((p: { subscriberId: string }) => p.subscriberId),
        ['firm-b', 'firm-d'],
        'c has sent its Appendix A',
      );
      assert.deepEqual(
        only.body.preview.result.map((p: { subscriberId: string }) => p.subscriberId),
        ['firm-c', 'firm-d'],
        'b has sent its Appendix B',
      );
      assert.equal((await d.get(`/api/sessions/${ps2.id}/reminders/overview?only=everyone`)).status, 400);
      mail.length = 0;
      const sent = await d.post(`/api/sessions/${ps2.id}/reminders`, { kind: 'result', only: 'retake' });
      assert.equal(sent.status, 200, sent.text);
      assert.deepEqual(
        sent.body.sent.map((x: { subscriberId: string }) => x.subscriberId),
        ['firm-c', 'firm-d'],
      );
      assert.equal(mail.length, 2);
      assert.deepEqual(mail.map((m) => m.to[0]).sort(), ['ops@c.example', 'ops@d.example']);
      assert.equal((await d.post(`/api/sessions/${ps2.id}/reminders`, { kind: 'result', only: 'nobody' })).status, 400);
    });

    it('the CSV exports say who retakes, and can be filtered to them', async () => {
      const rows = (text: string) =>
        text
          .replace(/^\uFEFF/, '')
          .trim()
          .split('\n')
          .map((l) => l.split(','));
      const intentions = rows((await d.get(`/api/sessions/${ps2.id}/export/intentions.csv`)).text);
      const col = intentions[0]!.indexOf('retake');
      assert.equal(col, intentions[0]!.length - 1);
      assert.deepEqual(
        intentions
          .slice(1)
          .filter((r) => r[col] === 'retake')
          .map((r) => r[1]),
        ['firm-b', 'firm-c', 'firm-d'],
      );
      const only = await d.get(`/api/sessions/${ps2.id}/export/intentions.csv?only=retake`);
      assert.match(only.headers.get('content-disposition') ?? '', /appendix-a-retake\.csv/);
      assert.deepEqual(
        rows(only.text)
          .slice(1)
          .map((r) => r[1]),
        ['firm-b', 'firm-c', 'firm-d'],
      );
      // Appendix B lines: only b sent one for PS2, and b retakes.
      const results = rows((await d.get(`/api/sessions/${ps2.id}/export/results.csv?only=retake`)).text);
      assert.ok(results.length > 1);
      assert.ok(results.slice(1).every((r) => r[1] === 'firm-b' && r.at(-1) === 'retake'));
      const ps3Results = rows((await d.get(`/api/sessions/${ps3.id}/export/results.csv?only=retake`)).text);
      assert.equal(ps3Results.length, 1, 'the header alone: nobody to retake has sent an Appendix B');
      assert.equal((await d.get(`/api/sessions/${ps2.id}/export/results.csv?only=x`)).status, 400);
    });

    it("a session's series is set and changed through the API, with clear refusals", async () => {
      const clash = await d.post('/api/sessions', { ...demoSession({ id: 'ps2-clash' }), series: { id: SERIES, order: 2 } });
      assert.equal(clash.status, 409);
      assert.equal(clash.body.error.code, 'SERIES_ORDER_TAKEN');
      assert.equal(clash.body.error.field, 'series.order');
      assert.equal(renderMessage(clash.body.error.text, 'zh-Hant'), '演習 ps2-2026 已是系列 fw-2026 的第 2 次：請選擇另一個次序。');
      const bad = await d.post('/api/sessions', { ...demoSession({ id: 'ps-bad' }), series: { id: SERIES, order: 0 } });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.field, 'series.order');
      const moved = await d.put('/api/sessions/alone-1', { ...demoSession({ id: 'alone-1' }), series: { id: SERIES, order: 4 } });
      assert.equal(moved.status, 200, moved.text);
      assert.deepEqual(moved.body.session.series, { id: SERIES, order: 4 });
      const dash = await d.get('/api/sessions/alone-1/dashboard');
      assert.equal(dash.body.series.sessions.length, 4);
      const audit = (await d.get('/api/audit?entity=session&entityId=alone-1')).body.entries;
      assert.deepEqual(audit[0].detail.changed, ['series']);
    });

    it('the dashboard reads the same number of times for 6 firms as for 40 (no read per firm)', async () => {
      const runner = (desk.store as SqlDeskStore).db;
      const all = runner.all.bind(runner);
      let reads = 0;
      runner.all = (sql, params) => {
        reads++;
        return all(sql, params);
      };
      try {
        const count = async () => {
          reads = 0;
          assert.equal((await d.get(`/api/sessions/${ps2.id}/dashboard`)).status, 200);
          return reads;
        };
        const few = await count();
        for (let n = 6; n < 40; n++) await desk.store.putSubscriber(demoSubscriber(n), 'seed', clock.now());
        const many = await count();
        assert.ok(few > 0);
        assert.equal(many, few);
      } finally {
        runner.all = all;
      }
    });
  });
}

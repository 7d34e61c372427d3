// The desk's HTTP API on both stores: who may and who may not call each route,
// validation naming fields, deadlines, versions, idempotency, CSRF, login rate
// limiting, server-sent events.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/wire/index.ts';
import {
  demoEvidence,
  demoSession,
  renderMessage,
  sampleIntentionForm,
  sampleResultForm,
  seedDemo,
  startDesk,
  type RunningDesk,
  type Subscriber,
  type PracticeSession,
} from '../../src/desk/index.ts';
import { formatEvidenceLine } from '../../src/evidence/index.ts';
import { DeskClient } from '../helpers/desk-client.ts';
import { storeVariants } from '../helpers/stores.ts';
import { waitFor } from '../helpers/wait.ts';

const TOKEN = 'conductor-token-for-tests';
const PW = 'password-for-tests';
type Who = 'desk' | 'own' | 'other' | 'anon';
const WHO: Who[] = ['desk', 'own', 'other', 'anon'];

interface RouteCase {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  body?: (who: Who, n: number) => unknown;
  raw?: string;
  contentType?: string;
  expect: Record<Who, number>;
}

/** Reads server-sent events until `want` returns true for one (bounded by timeoutMs). */
async function readEvents(url: string, cookie: string, want: (ev: { event: string; data: any }) => boolean, start: () => Promise<void>, timeoutMs = 5000) {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  const seen: { event: string; data: any }[] = [];
  try {
    const res = await fetch(url, { headers: { cookie }, signal: ac.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    let started = false;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (!event) continue;
        const ev = { event, data: data ? JSON.parse(data) : null };
        seen.push(ev);
        if (event === 'hello' && !started) {
          started = true;
          await start();
        }
        if (want(ev)) return seen;
      }
    }
    return seen;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}

for (const variant of storeVariants()) {
  describe(`desk API on ${variant.name}`, { skip: variant.skip }, () => {
    let desk: RunningDesk;
    let clock: ManualClock;
    let session: PracticeSession;
    let firmA: Subscriber, firmB: Subscriber;
    const c = {} as Record<Who, DeskClient>;
    let seq = 0;
    let dbPath = '';
    const sid = () => `sub-${variant.name}-${++seq}-${Date.now()}`;
    // A form that differs from every earlier one (a form equal to the latest version is stored as nothing new).
    const signed = <F extends { signatory: { name: string; title: string } }>(f: F): F => ({ ...f, signatory: { ...f.signatory, name: `Signer ${++seq}` } });
    const REASON = 'The firm emailed its form; the desk typed it in';

    before(async () => {
      clock = new ManualClock(); // 2026-01-09 09:30 HKT, before the intention deadline
      dbPath = await variant.freshDb();
      desk = await startDesk({ db: dbPath, clock, evidenceToken: TOKEN, sessionTtlMs: 7 * 86_400_000 });
      const seed = await seedDemo(desk.store, { now: clock.now(), password: PW, scryptCost: 1024, subscribers: 3 });
      session = seed.session;
      [firmA, firmB] = seed.subscribers as [Subscriber, Subscriber];
      for (const w of WHO) c[w] = new DeskClient(desk.url);
      assert.equal((await c.desk.login('desk', PW)).status, 200);
      assert.equal((await c.own.login('firm-a.user', PW)).status, 200);
      assert.equal((await c.other.login('firm-b.user', PW)).status, 200);
    });
    after(async () => {
      await desk?.close();
    });

    describe('who may and who may not', () => {
      const S = 'ps2-2026';
      const cases: RouteCase[] = [
        { method: 'GET', path: '/api/health', expect: { desk: 200, own: 200, other: 200, anon: 200 } },
        { method: 'GET', path: '/api/auth/me', expect: { desk: 200, own: 200, other: 200, anon: 401 } },
        { method: 'GET', path: '/api/users', expect: { desk: 200, own: 403, other: 403, anon: 401 } },
        {
          method: 'POST',
          path: '/api/users',
          body: (w, n) => ({ username: `new-${w}-${n}`, password: 'long-enough-pw', displayName: 'New', role: 'subscriber', subscriberId: 'firm-a' }),
          expect: { desk: 201, own: 403, other: 403, anon: 401 },
        },
        { method: 'GET', path: '/api/notices', expect: { desk: 200, own: 200, other: 200, anon: 401 } },
        { method: 'GET', path: '/api/notices/hs-notice-ps2', expect: { desk: 200, own: 200, other: 200, anon: 401 } },
        {
          method: 'POST',
          path: '/api/notices',
          body: (w, n) => ({
            id: `notice-${w}-${n}`,
            references: ['X/1'],
            titleEn: 'T',
            titleZh: '通告',
            issuedOn: '2026-01-01',
            issuer: { name: 'Desk', hotline: '+852 3000 0000', email: 'd@x.example' },
            refersTo: [],
            englishPrevails: true,
          }),
          expect: { desk: 201, own: 403, other: 403, anon: 401 },
        },
        { method: 'GET', path: '/api/sessions', expect: { desk: 200, own: 200, other: 200, anon: 401 } },
        { method: 'GET', path: `/api/sessions/${S}`, expect: { desk: 200, own: 200, other: 200, anon: 401 } },
        { method: 'POST', path: '/api/sessions', body: (w, n) => demoSession({ id: `s-${w}-${n}` }), expect: { desk: 201, own: 403, other: 403, anon: 401 } },
        { method: 'PUT', path: `/api/sessions/${S}`, body: () => demoSession(), expect: { desk: 200, own: 403, other: 403, anon: 401 } },
        { method: 'GET', path: '/api/audit', expect: { desk: 200, own: 403, other: 403, anon: 401 } },
        { method: 'GET', path: '/api/subscribers', expect: { desk: 200, own: 200, other: 200, anon: 401 } },
        { method: 'GET', path: '/api/subscribers/firm-a', expect: { desk: 200, own: 200, other: 403, anon: 401 } },
        {
          method: 'PUT',
          path: '/api/subscribers/firm-c',
          body: () => ({ ...firmA, id: 'firm-c', name: 'C Securities Limited' }),
          expect: { desk: 200, own: 403, other: 403, anon: 401 },
        },
        {
          method: 'POST',
          path: '/api/subscribers/import',
          contentType: 'text/csv',
          raw: 'id,name,participantCode,hsnPorts,identities,primaryName,primaryPhone,primaryMobile,primaryEmail\nfirm-z,Z Ltd,Z1,P1;P2,OTP-C:Z1T:trading;OMD-C:z-rts:retransmission,Zed,+852 1234 5678,+852 9876 5432,z@z.example\n',
          expect: { desk: 200, own: 403, other: 403, anon: 401 },
        },
        {
          method: 'POST',
          path: `/api/sessions/${S}/forms/intention/firm-a`,
          body: (w) => ({ submissionId: sid(), form: signed(sampleIntentionForm(session, firmA)), ...(w === 'desk' ? { onBehalfReason: REASON } : {}) }),
          expect: { desk: 201, own: 201, other: 403, anon: 401 },
        },
        {
          method: 'POST',
          path: `/api/sessions/${S}/forms/result/firm-a`,
          body: (w) => ({ submissionId: sid(), form: signed(sampleResultForm(session, firmA)), ...(w === 'desk' ? { onBehalfReason: REASON } : {}) }),
          expect: { desk: 201, own: 201, other: 403, anon: 401 },
        },
        { method: 'GET', path: `/api/sessions/${S}/forms/intention/firm-a`, expect: { desk: 200, own: 200, other: 403, anon: 401 } },
        { method: 'GET', path: `/api/sessions/${S}/forms/intention/firm-a/versions/1`, expect: { desk: 200, own: 200, other: 403, anon: 401 } },
        { method: 'GET', path: `/api/sessions/${S}/forms/intention/firm-a/pdf`, expect: { desk: 200, own: 200, other: 403, anon: 401 } },
        { method: 'GET', path: `/api/sessions/${S}/forms/result/firm-a/pdf?version=1`, expect: { desk: 200, own: 200, other: 403, anon: 401 } },
        { method: 'GET', path: `/api/sessions/${S}/forms/result/firm-a/prefill`, expect: { desk: 200, own: 200, other: 403, anon: 401 } },
        { method: 'GET', path: `/api/sessions/${S}/forms/result/firm-a/contradictions`, expect: { desk: 200, own: 200, other: 403, anon: 401 } },
        { method: 'GET', path: `/api/sessions/${S}/evidence?subscriber=firm-a`, expect: { desk: 200, own: 200, other: 403, anon: 401 } },
        { method: 'POST', path: '/api/evidence', body: () => ({ events: [] }), expect: { desk: 200, own: 200, other: 200, anon: 401 } },
        { method: 'GET', path: `/api/sessions/${S}/dashboard`, expect: { desk: 200, own: 403, other: 403, anon: 401 } },
        { method: 'GET', path: `/api/sessions/${S}/export/results.csv`, expect: { desk: 200, own: 403, other: 403, anon: 401 } },
      ];
      for (const rc of cases) {
        it(`${rc.method} ${rc.path}: ${WHO.map((w) => `${w} ${rc.expect[w]}`).join(', ')}`, async () => {
          let n = 0;
          for (const w of WHO) {
            const body = rc.body?.(w, ++n);
            const r = await c[w].request(rc.method, rc.path, body, {
              ...(rc.raw !== undefined ? { raw: rc.raw, headers: { 'content-type': rc.contentType! } } : {}),
            });
            assert.equal(r.status, rc.expect[w], `${w}: ${r.text.slice(0, 300)}`);
            if (r.status >= 400) {
              assert.equal(typeof r.body?.error?.code, 'string', `${w}: error has a code`);
              const code = { 401: 'UNAUTHENTICATED', 403: w === 'desk' ? '' : rc.expect.own === 403 ? 'FORBIDDEN_ROLE' : 'FORBIDDEN_FIRM' }[
                r.status as 401 | 403
              ];
              if (code) assert.equal(r.body.error.code, code, `${w}`);
            }
          }
        });
      }

      it('a subscriber user sees only its own firm in the subscriber list', async () => {
        assert.deepEqual(
          (await c.own.get('/api/subscribers')).body.subscribers.map((s: Subscriber) => s.id),
          ['firm-a'],
        );
        assert.ok((await c.desk.get('/api/subscribers')).body.subscribers.length >= 3);
      });

      it("a subscriber cannot read another firm's evidence by leaving the filter out", async () => {
        await c.desk.post('/api/evidence', {
          events: [
            ...demoEvidence(session, firmA),
            ...demoEvidence(session, firmB)
              .slice(0, 1)
              .map((e) => ({ ...e, id: `own-${variant.name}` })),
          ],
        });
        const r = await c.other.get(`/api/sessions/${session.id}/evidence`);
        assert.equal(r.status, 200);
        assert.ok(r.body.events.length > 0, "its own firm's evidence is listed");
        assert.ok(r.body.events.every((e: { subscriber: string }) => e.subscriber === 'firm-b'));
        const d = await c.desk.get(`/api/sessions/${session.id}/evidence`);
        assert.ok(d.body.events.some((e: { subscriber: string }) => e.subscriber === 'firm-a'));
      });

      it('a subscriber may upload only its own probe evidence', async () => {
        const ev = demoEvidence(session, firmB).map((e, i) => ({ ...e, id: `up-${variant.name}-${i}` }));
        const probe = ev.filter((e) => e.source === 'probe');
        const venue = ev.filter((e) => e.source === 'venue');
        const r = await c.own.post('/api/evidence', { events: [probe[0], venue[0]] });
        assert.equal(r.status, 200);
        assert.equal(r.body.accepted, 0);
        assert.deepEqual(
          r.body.rejected.map((x: { code: string }) => x.code),
          ['FORBIDDEN_FIRM', 'FORBIDDEN_FIRM'],
        );
        const mine = await c.other.post('/api/evidence', { events: [probe[0], venue[0]] });
        assert.equal(mine.body.accepted, 1);
        assert.deepEqual(
          mine.body.rejected.map((x: { code: string; index: number }) => [x.code, x.index]),
          [['FORBIDDEN_SOURCE', 1]],
        );
      });

      it("the conductor's bearer token ingests; a wrong token is refused", async () => {
        const anon = new DeskClient(desk.url);
        const ok = await anon.post('/api/evidence', { events: [] }, { headers: { authorization: `Bearer ${TOKEN}` } });
        assert.equal(ok.status, 200);
        const bad = await anon.post('/api/evidence', { events: [] }, { headers: { authorization: 'Bearer guess' } });
        assert.equal(bad.status, 401);
        assert.equal(bad.body.error.code, 'EVIDENCE_TOKEN_INVALID');
        // The token opens only the evidence route.
        const other = await anon.get('/api/sessions', { headers: { authorization: `Bearer ${TOKEN}` } });
        assert.equal(other.status, 401);
      });

      it('unknown ids are 404 with a stable code; unknown routes too', async () => {
        assert.equal((await c.desk.get('/api/sessions/nope')).body.error.code, 'SESSION_NOT_FOUND');
        assert.equal((await c.desk.get(`/api/sessions/nope/forms/result/firm-a`)).body.error.code, 'SESSION_NOT_FOUND');
        assert.equal((await c.desk.get(`/api/sessions/${session.id}/forms/result/ghost`)).body.error.code, 'SUBSCRIBER_NOT_FOUND');
        // For a subscriber user another firm's unknown id is 403, not 404: existence does not leak.
        assert.equal((await c.own.get(`/api/sessions/${session.id}/forms/result/ghost`)).body.error.code, 'FORBIDDEN_FIRM');
        const nf = await c.desk.get('/api/nothing-here');
        assert.equal(nf.status, 404);
        assert.equal(nf.body.error.code, 'NOT_FOUND');
      });
    });

    describe('validation names the field', () => {
      it('a form field: 400 with the field path', async () => {
        const form = sampleResultForm(session, firmA);
        form.sections[0]!.reconnectedToBackup = { value: true, time: null };
        const r = await c.own.post(`/api/sessions/${session.id}/forms/result/firm-a`, { submissionId: sid(), form });
        assert.equal(r.status, 400);
        assert.equal(r.body.error.code, 'VALIDATION_FAILED');
        assert.equal(r.body.error.field, 'form.sections[0].reconnectedToBackup.time');
        assert.match(
          r.body.error.message,
          /^form\.sections\[0\]\.reconnectedToBackup\.time: Time reconnected to the backup site \(OTP-C B1000T1\) is required/,
        );
        // The same as a message the UI renders in its language, the field's label a message too.
        assert.deepEqual(r.body.error.text, {
          code: 'validation.time-required',
          params: { field: { code: 'field.of', params: { field: { code: 'field.sections.reconnectedToBackup.time' }, of: 'OTP-C B1000T1' } } },
        });
        assert.deepEqual(r.body.error.issues[0].text, r.body.error.text);
        assert.equal(renderMessage(r.body.error.text, 'zh-Hant'), '答案為「是」時必須填寫重新連接後備站的時間（OTP-C B1000T1）。');
      });

      it('every problem is listed in issues', async () => {
        const form = { ...sampleIntentionForm(session, firmA), contactOnDay: { name: '', mobile: 'x', email: 'y' } };
        const r = await c.own.post(`/api/sessions/${session.id}/forms/intention/firm-a`, { submissionId: sid(), form });
        assert.deepEqual(
          r.body.error.issues.map((i: { field: string }) => i.field),
          ['form.contactOnDay.name', 'form.contactOnDay.mobile', 'form.contactOnDay.email'],
        );
      });

      it('the request shape: a missing property is named', async () => {
        const r = await c.own.post(`/api/sessions/${session.id}/forms/result/firm-a`, { form: {} });
        assert.equal(r.status, 400);
        assert.equal(r.body.error.field, 'submissionId');
        assert.match(r.body.error.message, /submissionId: required/);
        const l = await new DeskClient(desk.url).post('/api/auth/login', { username: 'desk' });
        assert.equal(l.body.error.field, 'password');
        const p = await c.own.get(`/api/sessions/${session.id}/forms/appendix-c/firm-a`);
        assert.equal(p.status, 400);
        assert.equal(p.body.error.field, 'kind');
      });

      it('a session with a bad deadline names it', async () => {
        const r = await c.desk.post('/api/sessions', { ...demoSession({ id: 'bad-deadline' }), resultDeadline: '27 Nov' });
        assert.equal(r.status, 400);
        assert.equal(r.body.error.field, 'resultDeadline');
      });

      it('a CSV import with a bad row imports nothing and names row and field', async () => {
        const csv =
          'id,name,participantCode,hsnPorts,identities,primaryName,primaryPhone,primaryMobile,primaryEmail\nfirm-y,Y Ltd,Y1,,OTP-C:Y1T:trading,Y,+852 1234 5678,+852 9876 5432,y@y.example\nfirm-x,X Ltd,X1,,OTP-C:X1T:market-data,X,+852 1234 5678,+852 9876 5432,not-an-email\n';
        const r = await c.desk.post('/api/subscribers/import', undefined, { raw: csv, headers: { 'content-type': 'text/csv' } });
        assert.equal(r.status, 400);
        assert.deepEqual(
          r.body.error.issues.map((i: { field: string }) => i.field),
          ['rows[3].identities[0].role', 'rows[3].contacts.primary.email'],
        );
        assert.equal((await c.desk.get('/api/subscribers/firm-y')).status, 404);
      });

      it('names with NUL or bidirectional overrides are refused in a CSV import and in a new session', async () => {
        const csv =
          'id,name,participantCode,hsnPorts,identities,primaryName,primaryPhone,primaryMobile,primaryEmail\nfirm-w,W \u202ESecurities,W1,,OTP-C:W1T:trading,W\u0000,+852 1234 5678,+852 9876 5432,w@w.example\n';
        const r = await c.desk.post('/api/subscribers/import', undefined, { raw: csv, headers: { 'content-type': 'text/csv' } });
        assert.equal(r.status, 400);
        assert.deepEqual(
          r.body.error.issues.map((i: { field: string; text: { params: { detail: { code: string } } } }) => [i.field, i.text.params.detail.code]),
          [
            ['rows[2].name', 'validation.unsafe.bidi-control'],
            ['rows[2].contacts.primary.name', 'validation.unsafe.control-character'],
          ],
        );
        assert.match(renderMessage(r.body.error.issues[0].text, 'en'), /^Row 2: Firm name contains an invisible bidirectional-override character/);
        assert.equal((await c.desk.get('/api/subscribers/firm-w')).status, 404);
        const s = await c.desk.post('/api/sessions', {
          ...demoSession({ id: 'bidi-session' }),
          participation: 'mandatory',
          mandatoryFor: 'firms \u2067that failed PS1',
        });
        assert.equal(s.status, 400);
        assert.equal(s.body.error.field, 'mandatoryFor');
        assert.equal(s.body.error.text.code, 'validation.unsafe.bidi-control');
      });
    });

    describe('bad input never breaks the desk', () => {
      it('malformed bodies get a 4xx with a stable code, never a 500', async () => {
        const path = `/api/sessions/${session.id}/forms/result/firm-a`;
        const cases: [string, string, string][] = [
          ['{"submissionId": "abc', 'application/json', 'MALFORMED_BODY'],
          ['', 'application/json', 'MALFORMED_BODY'],
          ['hello', 'application/xml', 'UNSUPPORTED_MEDIA_TYPE'],
          ['[1,2,3]', 'application/json', 'VALIDATION_FAILED'],
          ['{"submissionId":"abcdefgh1","form":{"sections":"all of them"}}', 'application/json', 'VALIDATION_FAILED'],
          ['{"submissionId":"abcdefgh2","form":{"sections":[null, 7, {"service":"OTP-C","identity":{"x":1}}]}}', 'application/json', 'VALIDATION_FAILED'],
          ['{"submissionId":"../../etc","form":{}}', 'application/json', 'VALIDATION_FAILED'],
          ['{"__proto__":{"admin":true},"submissionId":"abcdefgh3","form":{}}', 'application/json', 'MALFORMED_BODY'], // prototype poisoning refused by the parser
        ];
        for (const [raw, type, code] of cases) {
          const r = await c.own.post(path, undefined, { raw, headers: { 'content-type': type } });
          assert.ok(r.status >= 400 && r.status < 500, `${raw}: ${r.status} ${r.text}`);
          assert.equal(r.body.error.code, code, raw);
        }
        const big = await c.own.post(path, undefined, {
          raw: JSON.stringify({ submissionId: 'abcdefgh4', form: { x: 'y'.repeat(9 * 1024 * 1024) } }),
          headers: { 'content-type': 'application/json' },
        });
        assert.equal(big.status, 413);
        assert.equal(big.body.error.code, 'BODY_TOO_LARGE');
        assert.equal((await c.own.get('/api/auth/me')).status, 200);
      });

      it('random form values are refused field by field', async () => {
        const junk = [null, 0, -1, 1e308, '', ' ', 'x'.repeat(5000), [], {}, true, '25:61', '2026-02-30'];
        const base = sampleResultForm(session, firmA);
        let n = 0;
        for (const key of Object.keys(base.sections[0]!) as (keyof (typeof base.sections)[0])[]) {
          for (const v of junk) {
            const section = { ...base.sections[0]!, [key]: v };
            const r = await c.own.post(`/api/sessions/${session.id}/forms/result/firm-a`, {
              submissionId: sid(),
              form: signed({ ...base, sections: [section] }),
            });
            assert.ok(r.status === 201 || r.status === 400, `${key}=${JSON.stringify(v)}: ${r.status}`);
            if (r.status === 400) {
              assert.ok(r.body.error.field.startsWith(`form.sections[0]`), `${key}: ${r.body.error.field}`);
              n++;
            }
          }
        }
        assert.ok(n > 100);
      });
    });

    describe('forms: versions, idempotency, deadlines', () => {
      it('keeps every version and serves each one', async () => {
        const s = firmB;
        const f1 = sampleIntentionForm(session, s);
        const f2 = { ...f1, connectFrom: { primary: true, backup: true } };
        const r1 = await c.other.post(`/api/sessions/${session.id}/forms/intention/${s.id}`, { submissionId: sid(), form: f1 });
        const r2 = await c.other.post(`/api/sessions/${session.id}/forms/intention/${s.id}`, { submissionId: sid(), form: f2 });
        assert.deepEqual([r1.status, r2.status], [201, 201]);
        const list = await c.other.get(`/api/sessions/${session.id}/forms/intention/${s.id}`);
        assert.deepEqual(
          list.body.versions.map((v: { version: number }) => v.version),
          [1, 2],
        );
        assert.deepEqual(list.body.latest.content.connectFrom, { primary: true, backup: true });
        const v1 = await c.desk.get(`/api/sessions/${session.id}/forms/intention/${s.id}/versions/1`);
        assert.deepEqual(v1.body.version.content.connectFrom, { primary: true, backup: false });
        assert.equal((await c.desk.get(`/api/sessions/${session.id}/forms/intention/${s.id}/versions/9`)).body.error.code, 'FORM_VERSION_NOT_FOUND');
      });

      it('a second submission of the same version is idempotent', async () => {
        const id = sid();
        const body = { submissionId: id, form: signed(sampleResultForm(session, firmB)) };
        const first = await c.other.post(`/api/sessions/${session.id}/forms/result/${firmB.id}`, body);
        const again = await c.other.post(`/api/sessions/${session.id}/forms/result/${firmB.id}`, body);
        assert.equal(first.status, 201);
        assert.equal(again.status, 200);
        assert.equal(again.body.created, false);
        assert.deepEqual(again.body.version, first.body.version);
        const changed = await c.other.post(`/api/sessions/${session.id}/forms/result/${firmB.id}`, { ...body, form: { ...body.form, signedOn: '2026-01-12' } });
        assert.equal(changed.status, 409);
        assert.equal(changed.body.error.code, 'SUBMISSION_ID_REUSED');
      });

      it('after the deadline a submission is accepted and marked late', async () => {
        const before = await c.own.post(`/api/sessions/${session.id}/forms/intention/firm-a`, {
          submissionId: sid(),
          form: signed(sampleIntentionForm(session, firmA)),
        });
        assert.equal(before.body.version.late, false);
        clock.advance(15 * 3600_000); // 2026-01-10 00:30 HKT: past the intention deadline (Friday 23:59)
        const late = await c.own.post(`/api/sessions/${session.id}/forms/intention/firm-a`, {
          submissionId: sid(),
          form: signed(sampleIntentionForm(session, firmA)),
        });
        assert.equal(late.status, 201);
        assert.equal(late.body.version.late, true);
        const dash = await c.desk.get(`/api/sessions/${session.id}/dashboard`);
        const row = dash.body.rows.find((r: { subscriber: { id: string } }) => r.subscriber.id === 'firm-a');
        assert.equal(row.intention.late, true);
        assert.ok(dash.body.late.intention >= 1);
        // The result deadline is later: a result form now is on time.
        const res = await c.own.post(`/api/sessions/${session.id}/forms/result/firm-a`, {
          submissionId: sid(),
          form: signed(sampleResultForm(session, firmA)),
        });
        assert.equal(res.body.version.late, false);
      });
    });

    describe("forms: on a firm's behalf, and unchanged resubmissions", () => {
      const path = () => `/api/sessions/${session.id}/forms/result/${firmB.id}`;

      it('a desk officer must say why it submits for a firm; the reason is kept with the version and in the audit', async () => {
        const form = signed(sampleResultForm(session, firmB));
        const none = await c.desk.post(path(), { submissionId: sid(), form });
        assert.equal(none.status, 400);
        assert.deepEqual([none.body.error.code, none.body.error.field], ['ON_BEHALF_REASON_REQUIRED', 'onBehalfReason']);
        const blank = await c.desk.post(path(), { submissionId: sid(), form, onBehalfReason: '   ' });
        assert.deepEqual([blank.status, blank.body.error.code], [400, 'ON_BEHALF_REASON_REQUIRED']);
        const long = await c.desk.post(path(), { submissionId: sid(), form, onBehalfReason: 'x'.repeat(501) });
        assert.deepEqual([long.status, long.body.error.field], [400, 'onBehalfReason']);
        const bidi = await c.desk.post(path(), { submissionId: sid(), form, onBehalfReason: 'typed in \u202Edrawkcab' });
        assert.deepEqual([bidi.status, bidi.body.error.code], [400, 'ON_BEHALF_REASON_INVALID']);
        const ok = await c.desk.post(path(), { submissionId: sid(), form, onBehalfReason: ` ${REASON} ` });
        assert.equal(ok.status, 201, ok.text);
        assert.deepEqual([ok.body.version.onBehalfReason, ok.body.version.submittedByRole, ok.body.version.submittedByName], [REASON, 'desk', 'Desk Officer']);
        const list = (await c.other.get(path())).body;
        const meta = list.versions.find((v: { version: number }) => v.version === ok.body.version.version);
        assert.deepEqual([meta.onBehalfReason, meta.submittedByRole, meta.submittedBy], [REASON, 'desk', ok.body.version.submittedBy]);
        const audit = (await c.desk.get(`/api/audit?entity=form.result&entityId=${session.id}/${firmB.id}&limit=5`)).body.entries;
        assert.equal(audit[0].detail.version, ok.body.version.version);
        assert.equal(audit[0].detail.onBehalfReason, REASON);
      });

      it("a firm's own user gives no reason, and is named on its versions", async () => {
        const refused = await c.other.post(path(), { submissionId: sid(), form: signed(sampleResultForm(session, firmB)), onBehalfReason: REASON });
        assert.deepEqual([refused.status, refused.body.error.code, refused.body.error.field], [400, 'ON_BEHALF_REASON_NOT_ALLOWED', 'onBehalfReason']);
        const ok = await c.other.post(path(), { submissionId: sid(), form: signed(sampleResultForm(session, firmB)) });
        assert.equal(ok.status, 201);
        assert.deepEqual(
          [ok.body.version.submittedByRole, ok.body.version.onBehalfReason, ok.body.version.submittedByName],
          ['subscriber', null, `${firmB.name} user`],
        );
      });

      it('the same content as the latest version stores nothing: 200, created false, unchanged true', async () => {
        const form = signed(sampleResultForm(session, firmB));
        const events: number[] = [];
        const off = desk.live.subscribe((e) => {
          if (e.type === 'form' && e.subscriber === firmB.id) events.push(e.version);
        });
        // On PostgreSQL live updates travel through NOTIFY: wait for them, bounded.
        const seen = (version: number) => waitFor(`live update of version ${version}`, () => events.includes(version), 2_000);
        try {
          const first = await c.other.post(path(), { submissionId: sid(), form });
          assert.equal(first.status, 201);
          const same = await c.other.post(path(), { submissionId: sid(), form: JSON.parse(JSON.stringify(form)) });
          assert.equal(same.status, 200, same.text);
          assert.deepEqual([same.body.created, same.body.unchanged], [false, true]);
          assert.deepEqual(same.body.version, first.body.version);
          // A desk officer re-sending it changes nothing either (its reason is not stored).
          const byDesk = await c.desk.post(path(), { submissionId: sid(), form, onBehalfReason: REASON });
          assert.deepEqual([byDesk.status, byDesk.body.unchanged, byDesk.body.version.version], [200, true, first.body.version.version]);
          const list = (await c.other.get(path())).body;
          assert.equal(list.latest.version, first.body.version.version);
          assert.equal(list.versions.at(-1).submissionId, first.body.version.submissionId);
          // created:true answers do not carry the flag.
          const changed = await c.other.post(path(), { submissionId: sid(), form: signed(form) });
          assert.deepEqual([changed.status, changed.body.created, 'unchanged' in changed.body], [201, true, false]);
          await seen(changed.body.version.version);
          // Live updates only for what was stored (earlier tests' updates may still be arriving through NOTIFY).
          assert.deepEqual(
            events.filter((v) => v >= first.body.version.version),
            [first.body.version.version, changed.body.version.version],
          );
        } finally {
          off();
        }
      });
    });

    describe('evidence', () => {
      it('ingestion is idempotent on event id', async () => {
        const s = demoSession();
        const ev = demoEvidence(s, { ...firmB, id: 'firm-c' });
        const h = { authorization: `Bearer ${TOKEN}` };
        const anon = new DeskClient(desk.url);
        const r1 = await anon.post('/api/evidence', { events: ev }, { headers: h });
        const r2 = await anon.post('/api/evidence', { events: ev }, { headers: h });
        assert.deepEqual([r1.body.accepted, r1.body.duplicates], [ev.length, 0]);
        assert.deepEqual([r2.body.accepted, r2.body.duplicates], [0, ev.length]);
        assert.equal((await c.desk.get(`/api/sessions/${s.id}/evidence?subscriber=firm-c`)).body.events.length, ev.length);
      });

      it('accepts a JSON-lines file and reports bad lines by number', async () => {
        const ev = demoEvidence(session, firmB)
          .slice(0, 2)
          .map((e, i) => ({ ...e, id: `nd-${variant.name}-${i}` }));
        const text = formatEvidenceLine(ev[0]!) + '{broken\n' + formatEvidenceLine(ev[1]!) + JSON.stringify({ ...ev[1], id: 'x', site: 'moon' }) + '\n';
        const r = await new DeskClient(desk.url).post('/api/evidence', undefined, {
          raw: text,
          headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${TOKEN}` },
        });
        assert.equal(r.status, 200);
        assert.equal(r.body.accepted, 2);
        assert.deepEqual(
          r.body.rejected.map((x: { line?: number; index: number }) => x.line ?? x.index),
          [2, 4],
        );
      });

      it('reports events for a session the desk does not know', async () => {
        const e = { ...demoEvidence(session, firmB)[0]!, id: `u-${variant.name}`, session: 'ps9-unknown' };
        const r = await new DeskClient(desk.url).post('/api/evidence', { events: [e] }, { headers: { authorization: `Bearer ${TOKEN}` } });
        assert.deepEqual(r.body.unknownSessions, ['ps9-unknown']);
      });

      it('the dashboard derives states and flags contradictions', async () => {
        // firm-a declared a clean failover (sampleResultForm) but its market data gap was never recovered.
        const s = demoSession({ id: 'ps2-dash' });
        assert.equal((await c.desk.post('/api/sessions', s)).status, 201);
        await new DeskClient(desk.url).post(
          '/api/evidence',
          { events: demoEvidence(s, firmA, { unrecoveredGap: true }) },
          { headers: { authorization: `Bearer ${TOKEN}` } },
        );
        await c.own.post(`/api/sessions/${s.id}/forms/result/firm-a`, { submissionId: sid(), form: sampleResultForm(s, firmA) });
        const d = (await c.desk.get(`/api/sessions/${s.id}/dashboard`)).body;
        const a = d.rows.find((r: { subscriber: { id: string } }) => r.subscriber.id === 'firm-a');
        assert.deepEqual(a.cells, { 'OTP-C': 'recovered', 'OTP-CSC': 'recovered', 'OMD-C': 'reconnected-to-backup', 'OMD-CC': 'reconnected-to-backup' });
        assert.equal(a.contradictions, 2);
        assert.equal(d.missing.result, d.rows.length - 1);
        assert.equal(d.missing.intention, d.rows.length);
        const flags = (await c.own.get(`/api/sessions/${s.id}/forms/result/firm-a/contradictions`)).body.contradictions;
        assert.deepEqual(
          flags.map((f: { code: string }) => f.code),
          ['UNRECOVERED_GAP', 'UNRECOVERED_GAP'],
        );
        const pre = (await c.own.get(`/api/sessions/${s.id}/forms/result/firm-a/prefill`)).body;
        assert.equal(pre.sections.find((x: { service: string }) => x.service === 'OMD-C').retransmissionOrRefreshOk, false);
        const csv = await c.desk.get(`/api/sessions/${s.id}/export/results.csv`);
        assert.match(csv.headers.get('content-type')!, /text\/csv/);
        const lines = csv.text
          .replace(/^\uFEFF/, '')
          .trim()
          .split('\n');
        assert.match(lines[0]!, /^session,subscriber,subscriberName/);
        assert.equal(lines.length, 1 + 5);
        assert.match(
          lines.find((l) => l.includes(',OMD-C,'))!,
          /,UNRECOVERED_GAP,venue,"UNRECOVERED_GAP \(self-reported\): the probe reported 1 gap\(s\) never recovered/,
        );
      });
    });

    describe('security', () => {
      it('state-changing requests need the CSRF token', async () => {
        const body = { submissionId: sid(), form: sampleIntentionForm(session, firmA) };
        const none = await c.own.post(`/api/sessions/${session.id}/forms/intention/firm-a`, body, { csrf: false });
        assert.equal(none.status, 403);
        assert.equal(none.body.error.code, 'CSRF_TOKEN_INVALID');
        const wrong = await c.own.post(`/api/sessions/${session.id}/forms/intention/firm-a`, body, { csrf: false, headers: { 'x-csrf-token': c.other.csrf } });
        assert.equal(wrong.status, 403);
        assert.equal((await c.desk.post('/api/sessions', demoSession({ id: 'csrf-less' }), { csrf: false })).status, 403);
        assert.equal((await c.desk.get('/api/sessions/csrf-less')).status, 404);
      });

      it('the session cookie is HttpOnly and SameSite', async () => {
        const cl = new DeskClient(desk.url);
        const r = await cl.login('firm-a.user', PW);
        const set = r.headers.getSetCookie().find((x) => x.startsWith('fd_session='))!;
        assert.match(set, /HttpOnly/i);
        assert.match(set, /SameSite=Lax/i);
        assert.equal(r.body.user.username, 'firm-a.user');
        assert.equal(r.body.user.passwordHash, undefined);
      });

      it('login is rate limited per user and address; the limit lifts after the window', async () => {
        await c.desk.post('/api/users', {
          username: 'limited.user',
          password: 'the-right-password',
          displayName: 'L',
          role: 'subscriber',
          subscriberId: 'firm-a',
        });
        const cl = new DeskClient(desk.url);
        for (let i = 0; i < 5; i++) {
          const r = await cl.login('limited.user', 'wrong-password');
          assert.equal(r.status, 401);
          assert.equal(r.body.error.code, 'INVALID_CREDENTIALS');
        }
        const blocked = await cl.login('limited.user', 'the-right-password');
        assert.equal(blocked.status, 429);
        assert.equal(blocked.body.error.code, 'LOGIN_RATE_LIMITED');
        assert.ok(Number(blocked.headers.get('retry-after')) > 0);
        // Another user from the same address is not affected.
        assert.equal((await new DeskClient(desk.url).login('firm-b.user', PW)).status, 200);
        clock.advance(15 * 60_000 + 1);
        assert.equal((await cl.login('limited.user', 'the-right-password')).status, 200);
        // Failures are counted in the store: a second replica on the same database refuses too.
        for (let i = 0; i < 5; i++) await cl.login('limited.user', 'wrong-password');
        const other = await startDesk({ db: dbPath, clock, evidenceToken: TOKEN });
        try {
          assert.equal((await new DeskClient(other.url).login('limited.user', 'the-right-password')).status, 429);
        } finally {
          await other.close();
        }
        const audit = (await c.desk.get('/api/audit?entity=user&limit=100')).body.entries;
        assert.ok(audit.some((e: { action: string }) => e.action === 'auth.login-failed'));
      });

      it('an unknown username fails like a wrong password', async () => {
        const r = await new DeskClient(desk.url).login('nobody.here', 'whatever-pw');
        assert.equal(r.status, 401);
        assert.equal(r.body.error.code, 'INVALID_CREDENTIALS');
      });

      it('logout needs a session and the CSRF token', async () => {
        assert.equal((await new DeskClient(desk.url).post('/api/auth/logout')).status, 401);
        const cl = new DeskClient(desk.url);
        await cl.login('firm-b.user', PW);
        assert.equal((await cl.post('/api/auth/logout', undefined, { csrf: false })).body.error.code, 'CSRF_TOKEN_INVALID');
        assert.equal((await cl.get('/api/auth/me')).status, 200);
      });

      it('logout ends the session', async () => {
        const cl = new DeskClient(desk.url);
        await cl.login('firm-b.user', PW);
        assert.equal((await cl.post('/api/auth/logout')).status, 204);
        assert.equal((await cl.get('/api/auth/me')).status, 401);
      });
    });

    describe('server-sent events', () => {
      it('a desk officer receives evidence arrivals and form submissions live', async () => {
        const ev = demoEvidence(session, firmB).map((e, i) => ({ ...e, id: `sse-${variant.name}-${i}` }));
        const seen = await readEvents(
          `${desk.url}/api/sessions/${session.id}/live`,
          c.desk.cookie,
          (e) => e.event === 'form',
          async () => {
            await new DeskClient(desk.url).post('/api/evidence', { events: ev.slice(0, 2) }, { headers: { authorization: `Bearer ${TOKEN}` } });
            await c.other.post(`/api/sessions/${session.id}/forms/result/${firmB.id}`, { submissionId: sid(), form: signed(sampleResultForm(session, firmB)) });
          },
        );
        const evidence = seen.find((e) => e.event === 'evidence');
        assert.ok(evidence, JSON.stringify(seen));
        assert.equal(evidence.data.subscriber, 'firm-b');
        assert.equal(evidence.data.service, ev[0]!.service);
        assert.equal(evidence.data.state, 'connected-to-primary');
        const form = seen.find((e) => e.event === 'form')!;
        assert.deepEqual([form.data.subscriber, form.data.kind], ['firm-b', 'result']);
      });

      it("a subscriber user receives only its own firm's updates", async () => {
        const seen = await readEvents(
          `${desk.url}/api/sessions/${session.id}/live`,
          c.other.cookie,
          (e) => e.event === 'form',
          async () => {
            await c.own.post(`/api/sessions/${session.id}/forms/result/firm-a`, { submissionId: sid(), form: signed(sampleResultForm(session, firmA)) });
            await c.other.post(`/api/sessions/${session.id}/forms/result/firm-b`, { submissionId: sid(), form: signed(sampleResultForm(session, firmB)) });
          },
        );
        assert.deepEqual(
          seen.filter((e) => e.event === 'form').map((e) => e.data.subscriber),
          ['firm-b'],
        );
      });

      it('in-process submissions and evidence (the embedded demo) reach the live feed too', async () => {
        const got: string[] = [];
        const off = desk.live.subscribe((e) => got.push(`${e.type}:${e.subscriber}`));
        try {
          const ev = demoEvidence(session, firmB).map((e, i) => ({ ...e, id: `inproc-${variant.name}-${i}` }));
          const r = await desk.service.ingestEvidence(ev.slice(0, 1), { actor: 'conductor' });
          assert.equal(r.accepted, 1);
          const user = (await desk.store.getUserByUsername('firm-b.user'))!;
          await desk.service.submitForm({
            user,
            sessionId: session.id,
            subscriberId: 'firm-b',
            kind: 'intention',
            submissionId: sid(),
            form: signed(sampleIntentionForm(session, firmB)),
          });
          await assert.rejects(
            desk.service.submitForm({
              user,
              sessionId: session.id,
              subscriberId: 'firm-a',
              kind: 'intention',
              submissionId: sid(),
              form: sampleIntentionForm(session, firmA),
            }),
            { code: 'FORBIDDEN_FIRM' },
          );
          // On PostgreSQL the update travels through NOTIFY: wait for it, bounded.
          await waitFor('two live updates', () => got.length >= 2, 2_000);
          assert.deepEqual(got, ['evidence:firm-b', 'form:firm-b']);
        } finally {
          off();
        }
      });

      it('anonymous callers cannot listen', async () => {
        assert.equal((await new DeskClient(desk.url).get(`/api/sessions/${session.id}/live`)).status, 401);
      });
    });
  });
}

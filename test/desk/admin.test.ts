// The desk officer's administration on both stores: users (create, disable,
// enable, reset a password), editing a session with its audit, the audit log
// by entity and actor a page at a time, the reminder overview on a desk
// without a mail server, and the Appendix A export.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/wire/index.ts';
import {
  MESSAGES,
  renderMessage,
  sampleIntentionForm,
  seedDemo,
  startDesk,
  type PracticeSession,
  type RunningDesk,
  type Subscriber,
} from '../../src/desk/index.ts';
import { DeskClient } from '../helpers/desk-client.ts';
import { storeVariants } from '../helpers/stores.ts';

const PW = 'admin-test-password';

for (const variant of storeVariants()) {
  describe(`desk administration on ${variant.name}`, { skip: variant.skip }, () => {
    let desk: RunningDesk;
    let clock: ManualClock;
    let session: PracticeSession;
    let subscribers: Subscriber[];
    const desk1 = new DeskClient(''),
      firm = new DeskClient('');
    let deskId = '';

    before(async () => {
      clock = new ManualClock();
      desk = await startDesk({ db: await variant.freshDb(), clock, evidenceToken: 'admin-token', sessionTtlMs: 7 * 86_400_000 });
      const seed = await seedDemo(desk.store, { now: clock.now(), password: PW, scryptCost: 1024, subscribers: 3 });
      session = seed.session;
      subscribers = seed.subscribers;
      Object.assign(desk1, { base: desk.url });
      Object.assign(firm, { base: desk.url });
      const r = await desk1.login('desk', PW);
      assert.equal(r.status, 200);
      deskId = r.body.user.id;
      assert.equal((await firm.login('firm-a.user', PW)).status, 200);
    });
    after(async () => {
      await desk?.close();
    });

    async function userId(username: string): Promise<string> {
      const u = (await desk1.get('/api/users')).body.users.find((x: { username: string }) => x.username === username);
      assert.ok(u, username);
      return u.id;
    }

    describe('users', () => {
      it('a firm user reaches none of it (403), an anonymous caller is asked to sign in (401)', async () => {
        const id = await userId('firm-b.user');
        const anon = new DeskClient(desk.url);
        const calls: [string, string, unknown][] = [
          ['GET', '/api/users', undefined],
          ['POST', '/api/users', { username: 'sneaky', password: 'long-enough-pw', displayName: 'S', role: 'desk' }],
          ['POST', `/api/users/${id}/disable`, undefined],
          ['POST', `/api/users/${id}/enable`, undefined],
          ['POST', `/api/users/${id}/password`, { password: 'another-long-password' }],
          ['GET', '/api/audit', undefined],
          ['GET', `/api/sessions/${session.id}/reminders/overview`, undefined],
          ['GET', `/api/sessions/${session.id}/intentions`, undefined],
          ['GET', `/api/sessions/${session.id}/export/intentions.csv`, undefined],
        ];
        assert.equal(calls.length, 9);
        for (const [method, path, body] of calls) {
          assert.equal((await firm.request(method, path, body)).status, 403, `${method} ${path}`);
          assert.equal((await anon.request(method, path, body)).status, 401, `${method} ${path}`);
        }
        assert.equal(await desk.store.getUserByUsername('sneaky'), null);
        assert.equal((await desk.store.getUserAccount(id))?.disabled, false);
      });

      it('lists every user with whether it is disabled', async () => {
        const r = await desk1.get('/api/users');
        assert.equal(r.status, 200);
        assert.equal(r.body.users.length, 4); // desk and three firms' users
        for (const u of r.body.users) {
          assert.equal(u.disabled, false);
          assert.equal(u.disabledAt, null);
          assert.equal(u.passwordHash, undefined);
        }
      });

      it('creates a desk officer and a firm user; the new firm user signs in with its first password', async () => {
        const d = await desk1.post('/api/users', { username: 'officer2', password: 'officer-two-password', displayName: 'Officer Two', role: 'desk' });
        assert.equal(d.status, 201);
        assert.equal(d.body.user.role, 'desk');
        assert.equal(d.body.user.subscriberId, null);
        const f = await desk1.post('/api/users', {
          username: 'firm-a.second',
          password: 'firm-a-second-pw',
          displayName: 'A Second',
          role: 'subscriber',
          subscriberId: 'firm-a',
        });
        assert.equal(f.status, 201);
        assert.equal(f.body.user.subscriberId, 'firm-a');
        const c = new DeskClient(desk.url);
        assert.equal((await c.login('firm-a.second', 'firm-a-second-pw')).status, 200);
        const audit = (await desk1.get(`/api/audit?entity=user&entityId=${f.body.user.id}`)).body.entries;
        assert.ok(audit.some((e: { action: string; actor: string }) => e.action === 'user.create' && e.actor === deskId));
      });

      it('refuses bad users with the field and a message in both languages', async () => {
        const short = await desk1.post('/api/users', { username: 'shorty', password: 'short', displayName: 'S', role: 'desk' });
        assert.equal(short.status, 400);
        assert.equal(short.body.error.field, 'password');
        assert.equal(short.body.error.issues[0].text.code, 'user.invalid.password');
        assert.match(renderMessage(short.body.error.issues[0].text, 'zh-Hant'), /密碼須為10至200個字元/);
        const noFirm = await desk1.post('/api/users', { username: 'nofirm', password: 'long-enough-pw', displayName: 'N', role: 'subscriber' });
        assert.equal(noFirm.body.error.field, 'subscriberId');
        assert.equal(noFirm.body.error.text.code, 'user.invalid.subscriberId');
        const ghost = await desk1.post('/api/users', {
          username: 'ghost',
          password: 'long-enough-pw',
          displayName: 'G',
          role: 'subscriber',
          subscriberId: 'firm-zz',
        });
        assert.equal(ghost.status, 400);
        assert.deepEqual(ghost.body.error.text, { code: 'user.unknownFirm', params: { id: 'firm-zz' } });
        const taken = await desk1.post('/api/users', {
          username: 'firm-b.user',
          password: 'long-enough-pw',
          displayName: 'B',
          role: 'subscriber',
          subscriberId: 'firm-b',
        });
        assert.equal(taken.status, 409);
        assert.equal(taken.body.error.field, 'username');
        assert.equal(renderMessage(taken.body.error.text, 'zh-Hant'), '用戶名稱 firm-b.user 已被使用。');
      });

      it('a disabled user cannot sign in and its signed-in sessions end; enabled again, it can', async () => {
        const b = new DeskClient(desk.url);
        assert.equal((await b.login('firm-b.user', PW)).status, 200);
        assert.equal((await b.get('/api/auth/me')).status, 200);
        const id = await userId('firm-b.user');
        const off = await desk1.post(`/api/users/${id}/disable`);
        assert.equal(off.status, 200);
        assert.equal(off.body.user.disabled, true);
        assert.ok(off.body.user.disabledAt);
        assert.equal((await b.get('/api/auth/me')).status, 401, 'the open session ended');
        const refused = await new DeskClient(desk.url).login('firm-b.user', PW);
        assert.equal(refused.status, 403);
        assert.equal(refused.body.error.code, 'ACCOUNT_DISABLED');
        assert.match(renderMessage(refused.body.error.text, 'zh-Hant'), /帳戶已停用/);
        // A wrong password still gets the usual answer, so the state of an account is not told to guessers.
        assert.equal((await new DeskClient(desk.url).login('firm-b.user', 'not-the-password')).status, 401);
        assert.equal((await desk1.get('/api/users')).body.users.find((u: { id: string }) => u.id === id).disabled, true);

        const on = await desk1.post(`/api/users/${id}/enable`);
        assert.equal(on.body.user.disabled, false);
        assert.equal((await b.login('firm-b.user', PW)).status, 200);
        const actions = (await desk1.get(`/api/audit?entity=user&entityId=${id}&limit=20`)).body.entries.map((e: { action: string }) => e.action);
        assert.ok(actions.includes('user.disable') && actions.includes('user.enable'), actions.join(','));
      });

      it("a disabled user's open event stream ends at the next keep-alive", async () => {
        const e = new DeskClient(desk.url);
        assert.equal((await e.login('firm-a.second', 'firm-a-second-pw')).status, 200);
        const id = await userId('firm-a.second');
        const ac = new AbortController();
        const timer = setTimeout(() => ac.abort(), 5000);
        let buf = '';
        let ended = false;
        try {
          const res = await fetch(`${desk.url}/api/sessions/${session.id}/live`, { headers: { cookie: e.cookie }, signal: ac.signal });
          assert.equal(res.status, 200);
          const reader = res.body!.getReader();
          const dec = new TextDecoder();
          while (!buf.includes('event: hello')) {
            const r = await reader.read();
            if (r.done) break;
            buf += dec.decode(r.value, { stream: true });
          }
          assert.match(buf, /event: hello/);
          assert.equal((await desk1.post(`/api/users/${id}/disable`)).status, 200);
          clock.advance(15_000);
          for (;;) {
            const r = await reader.read();
            if (r.done) {
              ended = true;
              break;
            }
            buf += dec.decode(r.value, { stream: true });
          }
        } catch (err) {
          if (!ac.signal.aborted) throw err;
        } finally {
          clearTimeout(timer);
        }
        assert.ok(ended, 'the stream ended by itself, before the 5 s bound');
        assert.doesNotMatch(buf, /keep-alive/, 'no keep-alive went to the disabled user');
      });

      it('a desk officer cannot disable itself; an unknown user is 404', async () => {
        const r = await desk1.post(`/api/users/${deskId}/disable`);
        assert.equal(r.status, 409);
        assert.equal(r.body.error.text.code, 'user.cannotDisableSelf');
        const gone = await desk1.post('/api/users/no-such-user/disable');
        assert.equal(gone.status, 404);
        assert.deepEqual(gone.body.error.text, { code: 'user.notFound', params: { id: 'no-such-user' } });
      });

      it('a password reset: the old one stops working, open sessions end, the rules of a first password apply', async () => {
        const c = new DeskClient(desk.url);
        assert.equal((await c.login('firm-c.user', PW)).status, 200);
        const id = await userId('firm-c.user');
        const bad = await desk1.post(`/api/users/${id}/password`, { password: 'short' });
        assert.equal(bad.status, 400);
        assert.equal(bad.body.error.field, 'password');
        assert.equal(bad.body.error.text.code, 'user.invalid.password');
        const ok = await desk1.post(`/api/users/${id}/password`, { password: 'a-brand-new-password' });
        assert.equal(ok.status, 200);
        assert.equal((await c.get('/api/auth/me')).status, 401);
        assert.equal((await new DeskClient(desk.url).login('firm-c.user', PW)).status, 401);
        assert.equal((await new DeskClient(desk.url).login('firm-c.user', 'a-brand-new-password')).status, 200);
        const e = (await desk1.get(`/api/audit?entity=user&entityId=${id}&limit=5`)).body.entries.find(
          (x: { action: string }) => x.action === 'user.password-reset',
        );
        assert.ok(e);
        assert.equal(e.actor, deskId);
        assert.equal(JSON.stringify(e.detail).includes('a-brand-new-password'), false);
      });
    });

    describe('editing a session', () => {
      it('extends a deadline and changes the rundown; the audit keeps before and after', async () => {
        const current = (await desk1.get(`/api/sessions/${session.id}`)).body.session as PracticeSession;
        const edited = { ...current, resultDeadline: '2026-01-14T18:00', rundown: current.rundown + '\n  - at: "11:30"\n    action: failback' };
        const { id: _, ...body } = edited;
        const r = await desk1.put(`/api/sessions/${session.id}`, body);
        assert.equal(r.status, 200);
        assert.equal(r.body.session.resultDeadline, '2026-01-14T18:00:00.000+08:00');
        const e = (await desk1.get(`/api/audit?entity=session&entityId=${session.id}&limit=1`)).body.entries[0];
        assert.equal(e.action, 'session.update');
        assert.deepEqual(e.detail.changed.sort(), ['resultDeadline', 'rundown']);
        assert.equal(e.detail.before.resultDeadline, current.resultDeadline);
        assert.equal(e.detail.after.resultDeadline, '2026-01-14T18:00:00.000+08:00');
        assert.equal(e.detail.before.rundown, current.rundown);
        assert.match(e.detail.after.rundown, /failback/);
      });
    });

    describe('the audit log', () => {
      it('filters by actor and entity, newest first, a page at a time', async () => {
        const all = (await desk1.get(`/api/audit?actor=${deskId}&limit=5000`)).body;
        assert.ok(all.entries.length >= 7, String(all.entries.length)); // more than two pages of 3
        assert.equal(all.more, false);
        for (const e of all.entries) assert.equal(e.actor, deskId);
        const ids = all.entries.map((e: { id: number }) => e.id);
        assert.deepEqual(
          ids,
          [...ids].sort((a: number, b: number) => b - a),
          'newest first',
        );

        const seen: number[] = [];
        let before = '';
        for (let page = 0; page < 100; page++) {
          const r = (await desk1.get(`/api/audit?actor=${deskId}&limit=3${before}`)).body;
          assert.ok(r.entries.length <= 3);
          seen.push(...r.entries.map((e: { id: number }) => e.id));
          if (!r.more) {
            assert.equal(r.next, null);
            break;
          }
          assert.equal(r.next, r.entries.at(-1).id);
          before = `&before=${r.next}`;
        }
        assert.deepEqual(seen, ids, 'the pages together are the whole list, once each');

        const users = (await desk1.get(`/api/audit?actor=${deskId}&entity=user&limit=5000`)).body.entries;
        assert.ok(users.length > 0);
        assert.ok(users.every((e: { entity: string; actor: string }) => e.entity === 'user' && e.actor === deskId));
        assert.equal((await desk1.get('/api/audit?before=abc')).status, 400);
      });
    });

    describe('reminders on a desk without a mail server', () => {
      it('previews who would be reminded of which form at which addresses; a firm that declined is left out of Appendix B', async () => {
        const [a, b] = subscribers as [Subscriber, Subscriber];
        await desk.store.submitForm({
          sessionId: session.id,
          subscriberId: a.id,
          kind: 'intention',
          submissionId: 'admin-a-intention-1',
          content: sampleIntentionForm(session, a),
          submittedBy: 'x',
          submittedAt: clock.now(),
          late: false,
        });
        // firm-b first says yes, then declines: the latest version counts.
        await desk.store.submitForm({
          sessionId: session.id,
          subscriberId: b.id,
          kind: 'intention',
          submissionId: 'admin-b-intention-1',
          content: sampleIntentionForm(session, b),
          submittedBy: 'x',
          submittedAt: clock.now(),
          late: false,
        });
        await desk.store.submitForm({
          sessionId: session.id,
          subscriberId: b.id,
          kind: 'intention',
          submissionId: 'admin-b-intention-2',
          content: { ...sampleIntentionForm(session, b), participate: false, services: [] },
          submittedBy: 'x',
          submittedAt: clock.now(),
          late: false,
        });
        const r = await desk1.get(`/api/sessions/${session.id}/reminders/overview`);
        assert.equal(r.status, 200);
        assert.equal(r.body.mailer, false);
        assert.equal(r.body.note.code, 'reminder.mailerNotConfigured');
        assert.deepEqual(
          r.body.preview.intention.map((p: { subscriberId: string }) => p.subscriberId),
          ['firm-c'],
        );
        assert.deepEqual(r.body.preview.intention[0].recipients, ['ops@c.example', 'it@c.example']);
        assert.equal(r.body.preview.intention[0].name, 'C Securities Limited');
        assert.deepEqual(
          r.body.preview.result.map((p: { subscriberId: string }) => p.subscriberId),
          ['firm-a', 'firm-c'],
        );
        assert.deepEqual(r.body.sent, []);
        const send = await desk1.post(`/api/sessions/${session.id}/reminders`, { kind: 'result' });
        assert.equal(send.status, 503);
        assert.equal(send.body.error.code, 'MAILER_NOT_CONFIGURED');
        assert.match(renderMessage(send.body.error.text, 'zh-Hant'), /未設定郵件伺服器/);
        const unknown = await desk1.get('/api/sessions/no-such-session/reminders/overview');
        assert.equal(unknown.status, 404);
        assert.equal(unknown.body.error.text.code, 'session.notFound');
      });
    });

    describe('the Appendix A export', () => {
      it('one line per firm in scope: who takes part, who to call on the day, formulas neutralised', async () => {
        // A firm whose name would be a formula in a spreadsheet.
        await desk.store.putSubscriber({ ...subscribers[2]!, name: '=HYPERLINK("http://x.example","C")' }, 'test', clock.now());
        const r = await desk1.get(`/api/sessions/${session.id}/export/intentions.csv`);
        assert.equal(r.status, 200);
        assert.match(r.headers.get('content-type') ?? '', /text\/csv/);
        assert.match(r.headers.get('content-disposition') ?? '', /appendix-a\.csv/);
        const lines = r.text
          .replace(/^\uFEFF/, '')
          .trim()
          .split('\n');
        assert.equal(lines.length, 4);
        assert.match(lines[0]!, /^session,subscriber,subscriberName,participantCode,status,version,submittedAtHKT,participate,/);
        const head = lines[0]!.split(',');
        const at = (line: string, col: string) => line.split(',')[head.indexOf(col)];
        const [a, b, c] = [lines[1]!, lines[2]!, lines[3]!];
        assert.equal(at(a, 'subscriber'), 'firm-a');
        assert.equal(at(a, 'participate'), 'yes');
        assert.equal(at(a, 'contactOnDayName'), sampleIntentionForm(session, subscribers[0]!).contactOnDay.name);
        assert.equal(at(a, 'firmPrimaryEmail'), 'ops@a.example');
        assert.equal(at(b, 'participate'), 'no');
        assert.equal(at(b, 'version'), '2');
        assert.match(c, /ps2-2026,firm-c,"'=HYPERLINK/);
        assert.match(c, /,missing,/);
        const json = (await desk1.get(`/api/sessions/${session.id}/intentions`)).body.rows;
        assert.deepEqual(
          json.map((x: { subscriber: { id: string }; declined: boolean }) => [x.subscriber.id, x.declined]),
          [
            ['firm-a', false],
            ['firm-b', true],
            ['firm-c', false],
          ],
        );
        assert.equal((await desk1.get('/api/sessions/nope/export/intentions.csv')).status, 404);
      });
    });
  });
}

describe('the administration texts', () => {
  it('every code has an English and a Chinese template with the same parameters', () => {
    const codes = Object.keys(MESSAGES).filter((c) => /^(user|reminder|session)\./.test(c));
    assert.ok(codes.length >= 14, String(codes.length));
    const params = (s: string) => [...s.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]).sort();
    for (const c of codes) {
      const t = MESSAGES[c]!;
      assert.ok(t.en.trim() && t['zh-Hant'].trim(), c);
      assert.deepEqual(params(t['zh-Hant']), params(t.en), c);
      assert.match(t['zh-Hant'], /[\u4e00-\u9fff]/, `${c} is written in Chinese`);
    }
  });
});

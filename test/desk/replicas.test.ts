// Several stateless API replicas on one PostgreSQL database: a session cookie
// from one works on another, and live updates reach clients of every replica.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/wire/index.ts';
import { demoEvidence, sampleResultForm, seedDemo, serviceCell, startDesk, type RunningDesk, type Subscriber } from '../../src/desk/index.ts';
import { DeskClient } from '../helpers/desk-client.ts';
import { storeVariants } from '../helpers/stores.ts';

const pg = storeVariants().find((v) => v.name === 'postgres')!;

describe('two desk replicas on one PostgreSQL database', { skip: pg.skip }, () => {
  let a: RunningDesk, b: RunningDesk;
  let firms: Subscriber[];
  before(async () => {
    const db = await pg.freshDb();
    const clock = new ManualClock();
    a = await startDesk({ db, clock, evidenceToken: 'r' });
    b = await startDesk({ db, clock, evidenceToken: 'r' });
    firms = (await seedDemo(a.store, { now: clock.now(), password: 'replica-password', scryptCost: 1024, subscribers: 2 })).subscribers;
  });
  after(async () => {
    await a?.close();
    await b?.close();
  });

  it('a session opened on one replica is valid on the other', async () => {
    const onA = new DeskClient(a.url);
    await onA.login('desk', 'replica-password');
    const onB = new DeskClient(b.url);
    onB.cookie = onA.cookie;
    onB.csrf = onA.csrf;
    assert.equal((await onB.get('/api/auth/me')).body.user.username, 'desk');
  });

  it('a form submitted through replica B reaches a dashboard listening on replica A', async () => {
    const desk = new DeskClient(a.url);
    await desk.login('desk', 'replica-password');
    const firm = new DeskClient(b.url);
    await firm.login('firm-a.user', 'replica-password');
    const session = (await firm.get('/api/sessions/ps2-2026')).body.session;
    const subscriber = (await firm.get('/api/subscribers/firm-a')).body.subscriber;

    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 5000);
    try {
      const res = await fetch(`${a.url}/api/sessions/ps2-2026/live`, { headers: { cookie: desk.cookie }, signal: ac.signal });
      const reader = res.body!.getReader();
      const dec = new TextDecoder();
      let buf = '';
      let submitted = false;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) assert.fail('stream ended');
        buf += dec.decode(value, { stream: true });
        if (!submitted && buf.includes('event: hello')) {
          submitted = true;
          const r = await firm.post('/api/sessions/ps2-2026/forms/result/firm-a', {
            submissionId: 'replica-sub-1',
            form: sampleResultForm(session, subscriber),
          });
          assert.equal(r.status, 201);
        }
        const m = /event: form\ndata: (.*)\n/.exec(buf);
        if (m) {
          assert.deepEqual(JSON.parse(m[1]!), { type: 'form', session: 'ps2-2026', subscriber: 'firm-a', kind: 'result', version: 1, late: false });
          break;
        }
      }
    } finally {
      clearTimeout(timer);
      ac.abort();
    }
  });

  it('evidence posted through both replicas at once folds into the same cells as all of it at once', async () => {
    const session = (await a.store.getSession('ps2-2026'))!;
    // Each replica gets every other event, in chunks that overlap in time, so both fold the same cells concurrently.
    const events = firms.flatMap((f) => demoEvidence(session, f)).map((e, i) => ({ ...e, id: `replica-${i}` }));
    const post = (url: string, part: unknown[]) =>
      fetch(`${url}/api/evidence`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer r' },
        body: JSON.stringify({ events: part }),
      }).then((r) => r.json());
    const toA = events.filter((_, i) => i % 2 === 0),
      toB = events.filter((_, i) => i % 2 === 1);
    const replies = await Promise.all([
      ...[0, 1, 2, 3].map((k) =>
        post(
          a.url,
          toA.filter((_, i) => i % 4 === k),
        ),
      ),
      ...[0, 1, 2, 3].map((k) =>
        post(
          b.url,
          toB.filter((_, i) => i % 4 === k),
        ),
      ),
    ]);
    assert.equal(
      replies.reduce((n, r) => n + (r as { accepted: number }).accepted, 0),
      events.length,
    );
    const desk = new DeskClient(b.url);
    await desk.login('desk', 'replica-password');
    const d = (await desk.get('/api/sessions/ps2-2026/dashboard')).body;
    const stored = await a.store.listEvidence({ session: 'ps2-2026' });
    assert.equal(stored.length, events.length);
    for (const f of firms) {
      const row = d.rows.find((r: { subscriber: { id: string } }) => r.subscriber.id === f.id);
      assert.equal(row.evidenceCount, stored.filter((e) => e.subscriber === f.id).length);
      for (const svc of session.services)
        assert.deepEqual({ state: row.cells[svc], provenance: row.provenance[svc] }, serviceCell(stored, f.id, svc), `${f.id} ${svc}`);
    }
  });
});

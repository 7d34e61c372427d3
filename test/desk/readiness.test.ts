// Readiness per firm before the session: the preflight's 'readiness' evidence folded by firm on
// the dashboard (a column and counts), the flag of a firm that will take part without a passed
// check, the reminders to it (only=not-ready), the CSV exports and the evidence bundle.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/wire/index.ts';
import {
  sampleIntentionForm,
  seedDemo,
  startDesk,
  type PracticeSession,
  type ReminderMessage,
  type RunningDesk,
  type Subscriber,
} from '../../src/desk/index.ts';
import { VENUE_OBSERVES, type EvidenceEvent } from '../../src/evidence/index.ts';
import { foldReadiness } from '../../src/desk/readiness.ts';
import { DeskClient } from '../helpers/desk-client.ts';
import { storeVariants } from '../helpers/stores.ts';

const PW = 'readiness-password-for-tests';
const TOKEN = 'readiness-evidence-token';

function readiness(session: string, firm: string, run: string, passed: boolean, at: string): EvidenceEvent {
  return {
    id: `readiness:${run}:OTP-C:${firm}T`,
    ts: at,
    session,
    site: 'primary',
    service: 'OTP-C',
    subscriber: firm,
    identity: `${firm}T`,
    kind: 'readiness',
    source: 'probe',
    detail: {
      run,
      passed,
      firmPassed: passed,
      rows: [
        {
          check: 'logon',
          target: `trading ${firm}T`,
          verdict: passed ? 'pass' : 'fail',
          reason: passed ? 'logged on and off' : 'refused with Session Status 5 (invalid username or password)',
        },
      ],
    },
  };
}

describe('readiness fold', () => {
  it("a firm is ready once a run passed; the latest run's failed rows are kept; self-reported", () => {
    const m = foldReadiness([
      {
        subscriber: 'a',
        service: 'OTP-C',
        identity: 'aT',
        source: 'probe',
        ts: '2026-01-09T00:10:00.000Z',
        detail: readiness('s', 'a', 'r1', false, '').detail,
      },
      {
        subscriber: 'a',
        service: 'OTP-C',
        identity: 'aT',
        source: 'probe',
        ts: '2026-01-09T00:12:00.000Z',
        detail: readiness('s', 'a', 'r2', true, '').detail,
      },
      {
        subscriber: 'b',
        service: 'OTP-C',
        identity: 'bT',
        source: 'probe',
        ts: '2026-01-09T00:11:00.000Z',
        detail: readiness('s', 'b', 'r3', false, '').detail,
      },
    ]);
    assert.equal(m.size, 2);
    assert.deepEqual(m.get('a'), { state: 'passed', at: '2026-01-09T00:12:00.000Z', failed: [], provenance: 'self-reported' });
    assert.equal(m.get('b')!.state, 'failed');
    assert.deepEqual(m.get('b')!.failed, ['OTP-C bT logon trading bT: refused with Session Status 5 (invalid username or password)']);
    assert.equal(VENUE_OBSERVES.readiness, false);
  });
});

for (const variant of storeVariants()) {
  describe(`readiness on the desk, ${variant.name}`, { skip: variant.skip }, () => {
    let desk: RunningDesk;
    let d: DeskClient;
    let session: PracticeSession;
    let firms: Subscriber[];
    const mail: ReminderMessage[] = [];

    before(async () => {
      const clock = new ManualClock();
      desk = await startDesk({
        db: await variant.freshDb(),
        clock,
        evidenceToken: TOKEN,
        mailer: {
          async send(m) {
            mail.push(m);
          },
        },
      });
      const seed = await seedDemo(desk.store, { now: clock.now(), password: PW, scryptCost: 1024, subscribers: 4 });
      session = seed.session;
      firms = seed.subscribers;
      d = new DeskClient(desk.url);
      assert.equal((await d.login('desk', PW)).status, 200);
      const [a, b, c, e] = firms as [Subscriber, Subscriber, Subscriber, Subscriber];
      // a, b, c will take part; e declines. a passed (after a failed run), b failed, c never ran it.
      for (const [f, participate] of [
        [a, true],
        [b, true],
        [c, true],
        [e, false],
      ] as const) {
        const form = participate ? sampleIntentionForm(session, f) : { ...sampleIntentionForm(session, f), participate: false, services: [] };
        const r = await desk.service.submitForm({
          user: { id: 'desk-x', username: 'desk', displayName: 'Desk', role: 'desk', subscriberId: null },
          sessionId: session.id,
          subscriberId: f.id,
          kind: 'intention',
          submissionId: `ready-${f.id}`,
          form,
          onBehalfReason: 'typed in from paper',
        });
        assert.equal(r.created, true);
      }
      const events = [
        readiness(session.id, a.id, 'r1', false, '2026-01-09T00:10:00.000Z'),
        readiness(session.id, a.id, 'r2', true, '2026-01-09T00:12:00.000Z'),
        readiness(session.id, b.id, 'r3', false, '2026-01-09T00:11:00.000Z'),
      ];
      const r = await new DeskClient(desk.url).post('/api/evidence', { events }, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(r.status, 200, r.text);
    });
    after(async () => {
      await desk?.close();
    });

    it('the dashboard has a readiness column and flags the firms that will take part without a passed check', async () => {
      const r = await d.get(`/api/sessions/${session.id}/dashboard`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.rows.length, 4);
      const row = (id: string) => r.body.rows.find((x: { subscriber: { id: string } }) => x.subscriber.id === id);
      const [a, b, c, e] = firms.map((f) => f.id) as [string, string, string, string];
      assert.deepEqual([row(a).readiness.state, row(b).readiness.state, row(c).readiness.state, row(e).readiness.state], ['passed', 'failed', 'none', 'none']);
      assert.equal(row(a).readiness.provenance, 'self-reported');
      assert.deepEqual([row(a).notReady, row(b).notReady, row(c).notReady, row(e).notReady], [false, true, true, false], 'e declined: nothing to be ready for');
      assert.deepEqual(r.body.readiness, { passed: 1, failed: 1, none: 2 });
      assert.equal(r.body.notReady, 2);
    });

    it("a firm's readiness on its own (the line on its Appendix A page)", async () => {
      const [a, b, c, e] = firms as [Subscriber, Subscriber, Subscriber, Subscriber];
      const one = async (f: Subscriber) => {
        const r = await d.get(`/api/sessions/${session.id}/readiness/${f.id}`);
        assert.equal(r.status, 200, r.text);
        return r.body;
      };
      assert.deepEqual(await one(a), {
        readiness: { state: 'passed', at: '2026-01-09T00:12:00.000Z', failed: [], provenance: 'self-reported' },
        notReady: false,
      });
      const rb = await one(b);
      assert.equal(rb.readiness.state, 'failed');
      assert.deepEqual(rb.readiness.failed, [`OTP-C ${b.id}T logon trading ${b.id}T: refused with Session Status 5 (invalid username or password)`]);
      assert.equal(rb.notReady, true);
      assert.deepEqual(await one(c), { readiness: { state: 'none', at: null, failed: [], provenance: 'none' }, notReady: true });
      assert.deepEqual(await one(e), { readiness: { state: 'none', at: null, failed: [], provenance: 'none' }, notReady: false });
      assert.equal((await d.get(`/api/sessions/${session.id}/readiness/no-such-firm`)).status, 404);
      assert.equal((await d.get(`/api/sessions/no-such-session/readiness/${a.id}`)).status, 404);
      // A firm's user sees its own, not another firm's.
      const u = new DeskClient(desk.url);
      assert.equal((await u.login(`${c.id}.user`, PW)).status, 200);
      assert.equal((await u.get(`/api/sessions/${session.id}/readiness/${c.id}`)).body.notReady, true);
      assert.equal((await u.get(`/api/sessions/${session.id}/readiness/${a.id}`)).status, 403);
    });

    it('reminders can go to the firms not ready, asking them to run the readiness check', async () => {
      const [, b, c] = firms as [Subscriber, Subscriber, Subscriber];
      const o = await d.get(`/api/sessions/${session.id}/reminders/overview?only=not-ready`);
      assert.equal(o.status, 200, o.text);
      assert.deepEqual(
        o.body.preview.result.map((p: { subscriberId: string }) => p.subscriberId),
        [b.id, c.id],
      );
      mail.length = 0;
      const sent = await d.post(`/api/sessions/${session.id}/reminders`, { kind: 'result', only: 'not-ready' });
      assert.equal(sent.status, 200, sent.text);
      assert.deepEqual(
        sent.body.sent.map((x: { subscriberId: string }) => x.subscriberId),
        [b.id, c.id],
      );
      assert.equal(mail.length, 2);
      assert.match(mail[0]!.subject, /readiness check/);
      assert.match(mail[0]!.text, /your readiness check failed/);
      assert.match(mail[0]!.text, /Session Status 5/);
      assert.match(mail[1]!.text, /your readiness check has not been run/);
    });

    it('the CSV exports carry readiness; Appendix A filters to the firms not ready; the bundle has readiness.json', async () => {
      const rows = (text: string) =>
        text
          .replace(/^\uFEFF/, '')
          .trim()
          .split('\n')
          .map((l) => l.split(','));
      const all = rows((await d.get(`/api/sessions/${session.id}/export/intentions.csv`)).text);
      const [col, flag] = [all[0]!.indexOf('readiness'), all[0]!.indexOf('notReady')];
      assert.ok(col > 0 && flag > 0);
      assert.equal(all.length, 5);
      assert.deepEqual(
        all.slice(1).map((r) => `${r[col]}/${r[flag]}`),
        ['passed/', 'failed/not-ready', 'none/not-ready', 'none/'],
      );
      const only = await d.get(`/api/sessions/${session.id}/export/intentions.csv?only=not-ready`);
      assert.equal(only.status, 200);
      assert.deepEqual(
        rows(only.text)
          .slice(1)
          .map((r) => r[1]),
        [firms[1]!.id, firms[2]!.id],
      );
      const results = rows((await d.get(`/api/sessions/${session.id}/export/results.csv`)).text);
      assert.ok(results[0]!.includes('readiness'));
      const tar = await fetch(`${desk.url}/api/sessions/${session.id}/subscribers/${firms[0]!.id}/evidence-bundle.tar`, {
        headers: { cookie: (d as unknown as { cookie: string }).cookie },
      });
      assert.equal(tar.status, 200);
      const body = Buffer.from(await tar.arrayBuffer()).toString('latin1');
      assert.match(body, /readiness\.json/);
      assert.match(body, /"state": "passed"/);
    });
  });
}

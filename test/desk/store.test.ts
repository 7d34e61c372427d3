// The same store suite on SQLite and PostgreSQL.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  demoEvidence,
  demoNotice,
  demoSession,
  demoSubscriber,
  openStore,
  sampleIntentionForm,
  sampleResultForm,
  MIGRATIONS,
  type DeskStore,
} from '../../src/desk/index.ts';
import { storeVariants } from '../helpers/stores.ts';
import { SUBMIT_FORMS_FUNCTION } from '../../src/desk/store/postgres-submit.ts';
import { waitFor } from '../helpers/wait.ts';

const T0 = Date.UTC(2026, 0, 9, 1, 30);

for (const variant of storeVariants()) {
  describe(`desk store on ${variant.name}`, { skip: variant.skip }, () => {
    let store: DeskStore;
    let dbUrl: string;
    const session = demoSession();
    const a = demoSubscriber(0);
    const b = demoSubscriber(1);

    before(async () => {
      dbUrl = await variant.freshDb();
      store = openStore(dbUrl);
      assert.deepEqual(
        await store.migrate(T0),
        MIGRATIONS.map((m) => m.version),
      );
      await store.createNotice(demoNotice(), 'desk-1', T0);
      await store.createSession(session, 'desk-1', T0);
      await store.putSubscriber(a, 'desk-1', T0);
      await store.putSubscriber(b, 'desk-1', T0);
    });
    after(async () => {
      await store?.close();
    });

    it('applies migrations once: a second start applies none', async () => {
      const again = openStore(dbUrl);
      try {
        assert.deepEqual(await again.migrate(T0 + 1), []);
      } finally {
        await again.close();
      }
    });

    it('round-trips notices, sessions, subscribers; refuses a duplicate id', async () => {
      assert.deepEqual(await store.getNotice('hs-notice-ps2'), demoNotice());
      assert.deepEqual(await store.getSession(session.id), session);
      assert.deepEqual(await store.listSubscribers(), [a, b]);
      await assert.rejects(store.createSession(session, 'desk-1', T0), { code: 'ALREADY_EXISTS' });
      await assert.rejects(store.createSession({ ...session, id: 'other', noticeId: 'nope' }, 'desk-1', T0), { code: 'UNKNOWN_NOTICE' });
      assert.equal((await store.putSubscriber({ ...a, name: 'A Renamed Ltd' }, 'desk-1', T0)).created, false);
      assert.equal((await store.getSubscriber(a.id))!.name, 'A Renamed Ltd');
      await store.putSubscriber(a, 'desk-1', T0);
    });

    it('keeps every version of a form, numbered densely, with late marks', async () => {
      const form = sampleIntentionForm(session, a);
      const r1 = await store.submitForm({
        sessionId: session.id,
        subscriberId: a.id,
        kind: 'intention',
        submissionId: 'v-a-1',
        content: form,
        submittedBy: 'u-a',
        submittedAt: T0,
        late: false,
      });
      const r2 = await store.submitForm({
        sessionId: session.id,
        subscriberId: a.id,
        kind: 'intention',
        submissionId: 'v-a-2',
        content: { ...form, willCheckOtherHsn: false },
        submittedBy: 'u-a',
        submittedAt: T0 + 1000,
        late: true,
      });
      assert.deepEqual([r1.version.version, r1.created, r2.version.version, r2.created], [1, true, 2, true]);
      const versions = await store.listFormVersions(session.id, a.id, 'intention');
      assert.deepEqual(
        versions.map((v) => [v.version, v.late, (v.content as typeof form).willCheckOtherHsn]),
        [
          [1, false, true],
          [2, true, false],
        ],
      );
      assert.deepEqual(
        (await store.latestForms(session.id, 'intention')).map((v) => [v.subscriberId, v.version]),
        [[a.id, 2]],
      );
    });

    it('a repeated submission id returns the stored version instead of a new one', async () => {
      const form = sampleResultForm(session, b);
      const s = {
        sessionId: session.id,
        subscriberId: b.id,
        kind: 'result' as const,
        submissionId: 'res-b-1',
        content: form,
        submittedBy: 'u-b',
        submittedAt: T0,
        late: false,
      };
      const first = await store.submitForm(s);
      const again = await store.submitForm({ ...s, submittedAt: T0 + 5000 });
      assert.equal(first.created, true);
      assert.equal(again.created, false);
      assert.deepEqual(again.version, first.version);
      assert.equal((await store.listFormVersions(session.id, b.id, 'result')).length, 1);
      await assert.rejects(store.submitForm({ ...s, content: { ...form, signedOn: '2026-01-12' } }), { code: 'SUBMISSION_ID_REUSED' });
      await assert.rejects(store.submitForm({ ...s, subscriberId: a.id }), { code: 'SUBMISSION_ID_REUSED' });
    });

    it('concurrent submissions of one form get distinct, dense versions; concurrent repeats store once', async () => {
      const form = sampleResultForm(session, a);
      const base = { sessionId: session.id, subscriberId: a.id, kind: 'result' as const, content: form, submittedBy: 'u-a', submittedAt: T0, late: false };
      // Each submission id with its own content (content equal to the latest version would store nothing).
      const rs = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.submitForm({ ...base, content: { ...form, signatory: { ...form.signatory, name: `Signer ${i % 10}` } }, submissionId: `conc-${i % 10}` }),
        ),
      );
      assert.equal(rs.filter((r) => r.created).length, 10);
      const versions = await store.listFormVersions(session.id, a.id, 'result');
      assert.deepEqual(
        versions.map((v) => v.version),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      );
      assert.equal(new Set(versions.map((v) => v.submissionId)).size, 10);
    });

    it('ingests evidence idempotently on event id', async () => {
      const ev = demoEvidence(session, a);
      const first = await store.ingestEvidence(ev, 'conductor', T0);
      assert.equal(first.inserted.length, ev.length);
      const second = await store.ingestEvidence([...ev.slice(0, 5), { ...ev[0]!, id: 'brand-new' }], 'conductor', T0);
      assert.deepEqual([second.inserted.map((e) => e.id), second.duplicates], [['brand-new'], 5]);
      const back = await store.listEvidence({ session: session.id, subscriber: a.id, service: 'OTP-C' });
      assert.ok(back.length > 0 && back.every((e) => e.service === 'OTP-C'));
      assert.deepEqual(
        back.find((e) => e.id === ev[1]!.id),
        { ...ev[1], postedBy: 'conductor', provenance: 'venue' },
      );
      // Ordered by time.
      const all = await store.listEvidence({ session: session.id });
      assert.ok(all.length > back.length);
      assert.ok(all.every((e, i) => i === 0 || Date.parse(all[i - 1]!.ts) <= Date.parse(e.ts)));
    });

    it('reads the cells as folded after the latest events; a summary is parsed again only when its cell grew, and shared frozen', async () => {
      const cells = async () => new Map((await store.listEvidenceCells(session.id, [a.id])).map((c) => [c.service, c.summary]));
      const before = await cells();
      assert.ok(before.size > 0);
      const otp = before.get('OTP-C')!;
      assert.equal((await cells()).get('OTP-C'), otp, 'unchanged: the same object');
      assert.ok(Object.isFrozen(otp) && Object.isFrozen(otp.states) && Object.isFrozen(otp.identities));
      const next = { ...demoEvidence(session, a).find((e) => e.service === 'OTP-C')!, id: 'cells-later', ts: new Date(T0 + 3_600_000).toISOString() };
      assert.equal((await store.ingestEvidence([next], 'conductor', T0)).inserted.length, 1);
      const after = await cells();
      assert.equal(after.get('OTP-C')!.events, otp.events + 1);
      for (const [service, summary] of before) if (service !== 'OTP-C') assert.equal(after.get(service), summary);
    });

    it('writes an audit entry for every change, with who and when', async () => {
      const entries = await store.listAudit({ limit: 1000 });
      const actions = new Set(entries.map((e) => e.action));
      for (const a of [
        'notice.create',
        'session.create',
        'subscriber.create',
        'subscriber.update',
        'form.intention.submit',
        'form.result.submit',
        'evidence.ingest',
      ])
        assert.ok(actions.has(a), a);
      const sub = entries.find((e) => e.action === 'form.intention.submit' && e.detail.version === 2)!;
      assert.equal(sub.actor, 'u-a');
      assert.equal(sub.entityId, `${session.id}/${a.id}`);
      assert.equal(sub.at, new Date(T0 + 1000).toISOString());
      assert.equal(sub.detail.late, true);
      // A refused (duplicate) submission leaves no trace.
      assert.equal(entries.filter((e) => e.action === 'form.result.submit' && e.entityId === `${session.id}/${b.id}`).length, 1);
    });

    it('users: unique usernames, a subscriber user must name a known firm', async () => {
      await store.createUser({ id: 'u1', username: 'alice', displayName: 'Alice', role: 'subscriber', subscriberId: a.id, passwordHash: 'x' }, 'desk-1', T0);
      await assert.rejects(
        store.createUser({ id: 'u2', username: 'alice', displayName: 'Alice 2', role: 'desk', subscriberId: null, passwordHash: 'x' }, 'desk-1', T0),
        { code: 'ALREADY_EXISTS', field: 'username' },
      );
      await assert.rejects(
        store.createUser({ id: 'u3', username: 'bob', displayName: 'Bob', role: 'subscriber', subscriberId: 'ghost', passwordHash: 'x' }, 'desk-1', T0),
        { code: 'UNKNOWN_SUBSCRIBER' },
      );
      assert.deepEqual(await store.getUser('u1'), { id: 'u1', username: 'alice', displayName: 'Alice', role: 'subscriber', subscriberId: a.id });
      assert.equal((await store.getUserByUsername('alice'))!.passwordHash, 'x');
    });

    it('reminders are recorded once per subscriber, session and form', async () => {
      const r = { sessionId: session.id, subscriberId: b.id, kind: 'intention' as const, sentAt: T0, recipients: ['ops@b.example'] };
      assert.equal(await store.recordReminder(r, 'reminders'), true);
      assert.equal(await store.recordReminder({ ...r, sentAt: T0 + 1 }, 'reminders'), false);
      assert.deepEqual(await store.listReminders(session.id), [r]);
    });

    it('content deep-equal to the latest version stores nothing and answers with the latest', async () => {
      const form = sampleIntentionForm(session, b);
      const base = { sessionId: session.id, subscriberId: b.id, kind: 'intention' as const, submittedBy: 'u-b', submittedAt: T0, late: false };
      const first = await store.submitForm({ ...base, submissionId: 'same-1', content: form });
      assert.deepEqual([first.created, first.unchanged, first.version.version], [true, false, 1]);
      // A version stored before content hashes existed (migration 5) is compared by its content.
      await (store as unknown as { db: { run(sql: string, p: string[]): Promise<unknown> } }).db.run(
        'UPDATE form_versions SET content_hash = NULL WHERE submission_id = ?',
        ['same-1'],
      );
      // The same values in another key order are still the same form.
      const reordered = Object.fromEntries(Object.entries(form).reverse()) as typeof form;
      const again = await store.submitForm({ ...base, submissionId: 'same-2', content: reordered, submittedAt: T0 + 1000 });
      assert.deepEqual([again.created, again.unchanged], [false, true]);
      assert.deepEqual(again.version, first.version);
      assert.equal((await store.listFormVersions(session.id, b.id, 'intention')).length, 1);
      assert.equal(await store.getFormBySubmissionId('same-2'), null);
      // A real change is a new version; going back to the first content is a new version too.
      const changed = await store.submitForm({ ...base, submissionId: 'same-3', content: { ...form, willCheckOtherHsn: false } });
      const back = await store.submitForm({ ...base, submissionId: 'same-4', content: form });
      assert.deepEqual([changed.version.version, changed.created, back.version.version, back.created], [2, true, 3, true]);
      const audits = (await store.listAudit({ entity: 'form.intention', entityId: `${session.id}/${b.id}` })).map((e) => e.detail.version);
      assert.deepEqual(audits, [3, 2, 1]);
    });

    it('a version records who submitted it: name, role and the reason given for a firm', async () => {
      await store.createUser(
        { id: 'desk-officer-1', username: 'officer.one', displayName: 'Officer One', role: 'desk', subscriberId: null, passwordHash: 'x' },
        'seed',
        T0,
      );
      await store.createUser(
        { id: 'firm-b-user-1', username: 'firm-b.one', displayName: 'B Ops', role: 'subscriber', subscriberId: b.id, passwordHash: 'x' },
        'seed',
        T0,
      );
      const form = sampleResultForm(session, b);
      const base = { sessionId: session.id, subscriberId: b.id, kind: 'result' as const, submittedAt: T0, late: false };
      const byDesk = await store.submitForm({
        ...base,
        submissionId: 'obo-1',
        content: { ...form, signedOn: '2026-01-13' },
        submittedBy: 'desk-officer-1',
        onBehalfReason: 'Firm B faxed the form; typed in by the desk',
      });
      const byFirm = await store.submitForm({ ...base, submissionId: 'obo-2', content: { ...form, signedOn: '2026-01-14' }, submittedBy: 'firm-b-user-1' });
      assert.deepEqual(
        [byDesk.version.submittedByName, byDesk.version.submittedByRole, byDesk.version.onBehalfReason],
        ['Officer One', 'desk', 'Firm B faxed the form; typed in by the desk'],
      );
      assert.deepEqual([byFirm.version.submittedByName, byFirm.version.submittedByRole, byFirm.version.onBehalfReason], ['B Ops', 'subscriber', null]);
      const stored = await store.listFormVersions(session.id, b.id, 'result');
      const meta = (v: { submissionId: string; submittedByName: string; submittedByRole: string; onBehalfReason: string | null }) => [
        v.submissionId,
        v.submittedByName,
        v.submittedByRole,
        v.onBehalfReason,
      ];
      assert.deepEqual(stored.filter((v) => v.submissionId.startsWith('obo-')).map(meta), [meta(byDesk.version), meta(byFirm.version)]);
      assert.deepEqual(meta((await store.getFormBySubmissionId('obo-1'))!), meta(byDesk.version));
      assert.deepEqual(meta((await store.latestForms(session.id, 'result')).find((v) => v.subscriberId === b.id)!), meta(byFirm.version));
      // A repeat answers with the stored version, reason included.
      const again = await store.submitForm({
        ...base,
        submissionId: 'obo-1',
        content: { ...form, signedOn: '2026-01-13' },
        submittedBy: 'desk-officer-1',
        onBehalfReason: 'Firm B faxed the form; typed in by the desk',
      });
      assert.deepEqual([again.created, meta(again.version)], [false, meta(byDesk.version)]);
      const entry = (await store.listAudit({ entity: 'form.result', entityId: `${session.id}/${b.id}`, limit: 1000 })).find(
        (e) => e.detail.submissionId === 'obo-1',
      )!;
      assert.equal(entry.actor, 'desk-officer-1');
      assert.equal(entry.detail.onBehalfReason, 'Firm B faxed the form; typed in by the desk');
    });

    it(
      'PostgreSQL: submissions and sign-in lookups arriving together cost one round trip each kind',
      { skip: variant.name !== 'postgres' && 'SQLite answers in-process' },
      async () => {
        const db = (store as unknown as { db: { all: (...a: unknown[]) => Promise<unknown> } }).db;
        const all = db.all;
        const statements: string[] = [];
        db.all = function (this: unknown, ...a: unknown[]) {
          statements.push(String(a[0]));
          return all.apply(this, a);
        };
        try {
          const s3 = { ...session, id: 'ps2-one-trip' };
          await store.createSession(s3, 'desk-1', T0);
          statements.length = 0;
          const form = sampleResultForm(s3, a);
          const rs = await Promise.all(
            Array.from({ length: 50 }, (_, i) =>
              store.submitForm({
                sessionId: s3.id,
                subscriberId: i % 2 ? a.id : b.id,
                kind: 'result',
                submissionId: `trip-${i}`,
                content: { ...(i % 2 ? form : sampleResultForm(s3, b)), signedOn: `2026-02-${String(1 + (i >> 1)).padStart(2, '0')}` },
                submittedBy: 'u-a',
                submittedAt: T0,
                late: false,
              }),
            ),
          );
          assert.equal(rs.filter((r) => r.created).length, 50);
          assert.equal(statements.length, 1, statements.join('\n'));
          statements.length = 0;
          const found = await Promise.all([
            ...Array.from({ length: 30 }, (_, i) => store.getAuthSessionUser(`no-such-token-${i}`)),
            ...Array.from({ length: 30 }, () => store.getFormContext(s3.id, a.id)),
          ]);
          assert.equal(found.filter((x) => x === null).length, 30);
          assert.equal(statements.length, 2, statements.join('\n'));
        } finally {
          db.all = all;
        }
        assert.deepEqual(
          (await store.listFormVersions('ps2-one-trip', a.id, 'result')).map((v) => v.version),
          Array.from({ length: 25 }, (_, i) => i + 1),
        );
      },
    );

    it('submissions arriving together: new, repeated, unchanged and refused ones each get their own answer', async () => {
      const s2 = { ...session, id: 'ps2-together' };
      await store.createSession(s2, 'desk-1', T0);
      const form = sampleResultForm(s2, a);
      const base = { sessionId: s2.id, subscriberId: a.id, kind: 'result' as const, submittedBy: 'u-a', submittedAt: T0, late: false };
      await store.submitForm({ ...base, submissionId: 'tog-0', content: form });
      const signed = (n: number) => ({ ...form, signatory: { ...form.signatory, name: `Signer ${n}` } });
      const outcomes = await Promise.allSettled([
        store.submitForm({ ...base, submissionId: 'tog-1', content: signed(1) }),
        store.submitForm({ ...base, submissionId: 'tog-0', content: form }),
        store.submitForm({ ...base, submissionId: 'tog-0', content: signed(9) }),
        store.submitForm({ ...base, subscriberId: b.id, submissionId: 'tog-b', content: sampleResultForm(s2, b) }),
        store.submitForm({ ...base, sessionId: 'no-such-session', submissionId: 'tog-x', content: form }),
        store.submitForm({ ...base, submissionId: 'tog-2', content: signed(2) }),
      ]);
      const got = outcomes.map((o) =>
        o.status === 'fulfilled'
          ? `${o.value.created ? 'created' : o.value.unchanged ? 'unchanged' : 'replay'} v${o.value.version.version}`
          : `refused ${(o.reason as { code?: string }).code ?? ''}`,
      );
      assert.deepEqual(got.slice(0, 4), ['created v2', 'replay v1', 'refused SUBMISSION_ID_REUSED', 'created v1']);
      assert.match(got[4]!, /^refused/);
      assert.equal(got[5], 'created v3');
      assert.deepEqual(
        (await store.listFormVersions(s2.id, a.id, 'result')).map((v) => v.submissionId),
        ['tog-0', 'tog-1', 'tog-2'],
      );
    });
  });
}

for (const variant of storeVariants()) {
  describe(`migration 9 on ${variant.name}: readiness standings and form answers of a desk stored before it`, { skip: variant.skip }, () => {
    it("builds the standings from the stored readiness events and reads each version's answers out of its JSON", async () => {
      const url = await variant.freshDb();
      const session = demoSession();
      const [a, b, c] = [demoSubscriber(0), demoSubscriber(1), demoSubscriber(2)];
      const check = (firm: string, run: string, passed: boolean, ts: string) => ({
        id: `m9:${firm}:${run}`,
        ts,
        session: session.id,
        site: 'primary' as const,
        service: 'OTP-C' as const,
        subscriber: firm,
        identity: `${firm}T`,
        kind: 'readiness' as const,
        source: 'probe' as const,
        detail: {
          run,
          passed,
          firmPassed: passed,
          rows: [{ check: 'logon', target: 'gateway', verdict: passed ? 'pass' : 'fail', reason: passed ? 'ok' : 'refused' }],
        },
      });
      const old = openStore(url);
      const sql = (old as unknown as { db: { run(sql: string, p?: string[]): Promise<unknown> } }).db;
      try {
        await old.migrate(T0);
        await old.createNotice(demoNotice(), 'desk-1', T0);
        await old.createSession(session, 'desk-1', T0);
        for (const f of [a, b, c]) await old.putSubscriber(f, 'desk-1', T0);
        const submit = (f: typeof a, kind: 'intention' | 'result', n: number, content: object) =>
          old.submitForm({
            sessionId: session.id,
            subscriberId: f.id,
            kind,
            submissionId: `m9-${f.id}-${kind}-${n}`,
            content: content as never,
            submittedBy: 'u',
            submittedAt: T0 + n,
            late: false,
          });
        await submit(a, 'intention', 1, sampleIntentionForm(session, a));
        await submit(b, 'intention', 2, { ...sampleIntentionForm(session, b), participate: false, services: [] });
        const failed = sampleResultForm(session, a);
        failed.sections[1]!.overall = 'failed';
        await submit(a, 'result', 3, failed);
        await submit(c, 'result', 4, sampleResultForm(session, c));
        await old.ingestEvidence(
          [
            check(a.id, 'r1', false, '2026-01-09T00:10:00.000Z'),
            check(a.id, 'r2', true, '2026-01-09T00:11:00.000Z'),
            check(b.id, 'r3', false, '2026-01-09T00:12:00.000Z'),
          ],
          'conductor',
          T0,
        );
        // Back to the schema before migration 9, keeping the data.
        await sql.run('DROP TABLE readiness_standings');
        await sql.run('DROP INDEX form_versions_answers');
        await sql.run('ALTER TABLE form_versions DROP COLUMN participate');
        await sql.run('ALTER TABLE form_versions DROP COLUMN verdict');
        if (variant.name === 'postgres') await sql.run(SUBMIT_FORMS_FUNCTION);
        await sql.run('DELETE FROM schema_migrations WHERE version = 9');
      } finally {
        await old.close();
      }
      const store = openStore(url);
      try {
        assert.deepEqual(await store.migrate(T0 + 10), [9]);
        const facts = await store.latestFormFacts({ sessions: [session.id] });
        assert.equal(facts.length, 4);
        const fact = (f: typeof a, kind: string) => facts.find((x) => x.subscriberId === f.id && x.kind === kind)!;
        assert.deepEqual([fact(a, 'intention').participate, fact(b, 'intention').participate], [true, false]);
        assert.deepEqual([fact(a, 'result').verdict, fact(c, 'result').verdict], ['failed', 'passed']);
        assert.deepEqual([fact(a, 'result').version, fact(a, 'result').submittedAtMs, fact(a, 'result').late], [1, T0 + 3, false]);
        const ready = await store.listReadiness(session.id);
        assert.equal(ready.size, 2);
        assert.deepEqual(ready.get(a.id), { state: 'passed', at: '2026-01-09T00:11:00.000Z', failed: [], provenance: 'self-reported' });
        assert.deepEqual(ready.get(b.id), {
          state: 'failed',
          at: '2026-01-09T00:12:00.000Z',
          failed: [`OTP-C ${b.id}T logon gateway: refused`],
          provenance: 'self-reported',
        });
        assert.deepEqual([...(await store.listReadiness(session.id, b.id)).keys()], [b.id]);
        // New versions store their answers as they are submitted (on PostgreSQL through the replaced function).
        const again = sampleResultForm(session, c);
        again.sections[0]!.overall = 'passed-with-issues';
        const r = await store.submitForm({
          sessionId: session.id,
          subscriberId: c.id,
          kind: 'result',
          submissionId: 'm9-c-result-5',
          content: again,
          submittedBy: 'u',
          submittedAt: T0 + 5,
          late: true,
        });
        assert.equal(r.created, true);
        const latest = (await store.latestFormFacts({ sessions: [session.id], subscriber: c.id }))[0]!;
        assert.deepEqual([latest.verdict, latest.version, latest.late], ['passed-with-issues', 2, true]);
        // A later readiness run of b folds into its standing at ingestion.
        await store.ingestEvidence([check(b.id, 'r4', true, '2026-01-09T00:13:00.000Z')], 'conductor', T0 + 20);
        assert.equal((await store.listReadiness(session.id, b.id)).get(b.id)!.state, 'passed');
      } finally {
        await store.close();
      }
    });
  });
}

describe('migrations on SQLite from two processes at once', () => {
  it('both start; each version is applied exactly once', async () => {
    const { spawn } = await import('node:child_process');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'fd-mig-'));
    try {
      const db = join(dir, 'desk.sqlite');
      const code = `import { openStore } from ${JSON.stringify(new URL('../../src/desk/index.ts', import.meta.url).href)}; const s = openStore(${JSON.stringify(db)}); console.log(JSON.stringify(await s.migrate(Date.now()))); await s.close();`;
      const run = () =>
        new Promise<string>((resolve, reject) => {
          const c = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
          let out = '',
            err = '';
          c.stdout.on('data', (d) => {
            out += d;
          });
          c.stderr.on('data', (d) => {
            err += d;
          });
          c.on('exit', (status) => (status === 0 ? resolve(out.trim()) : reject(new Error(err))));
        });
      const [x, y] = await Promise.all([run(), run()]);
      const applied = [...JSON.parse(x), ...JSON.parse(y)].sort();
      assert.deepEqual(
        applied,
        MIGRATIONS.map((m) => m.version),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SQLite WAL checkpoints in a worker thread', () => {
  it('copies committed pages into the database file without the writer checkpointing', async () => {
    const { mkdtempSync, rmSync, statSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'fd-ckpt-'));
    const path = join(dir, 'desk.sqlite');
    const store = openStore(path);
    try {
      await store.migrate(T0);
      const before = statSync(path).size;
      // In WAL mode only a checkpoint grows the main file; the writer's own is pushed far off.
      await store.ingestEvidence(
        Array.from({ length: 200 }, (_, i) => ({ ...demoEvidence(demoSession(), demoSubscriber(0))[0]!, id: `ck-${i}`, detail: { pad: 'x'.repeat(2000) } })),
        'conductor',
        T0,
      );
      await waitFor('the checkpoint to grow the database file', () => statSync(path).size > before + 100_000, 2_000);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

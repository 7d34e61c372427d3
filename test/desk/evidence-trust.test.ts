// Trust in evidence: the venue's record decides what the venue can see, a
// firm's own probe evidence is self-reported and never clears a venue finding;
// event ids belong to the principal that posts them; big uploads are bounded
// and never hold other requests.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/wire/index.ts';
import {
  MIGRATIONS,
  demoEvidence,
  demoSession,
  demoSubscriber,
  openStore,
  sampleIntentionForm,
  sampleResultForm,
  seedDemo,
  serviceCell,
  startDesk,
  type PostgresStore,
  type PracticeSession,
  type RunningDesk,
  type SqliteStore,
  type Subscriber,
} from '../../src/desk/index.ts';
import type { EvidenceEvent } from '../../src/evidence/index.ts';
import { DeskClient } from '../helpers/desk-client.ts';
import { storeVariants } from '../helpers/stores.ts';

const PW = 'evidence-trust-password';
const TOKEN = 'evidence-trust-token';

for (const variant of storeVariants()) {
  describe(`trust in evidence on ${variant.name}`, { skip: variant.skip }, () => {
    let desk: RunningDesk;
    let firmA: Subscriber, firmB: Subscriber;
    let own: DeskClient, officer: DeskClient;
    let n = 0;
    const conductor = () => new DeskClient(desk.url);
    const asConductor = (body: unknown) => conductor().post('/api/evidence', body, { headers: { authorization: `Bearer ${TOKEN}` } });
    const newSession = async (): Promise<PracticeSession> => {
      const s = demoSession({ id: `trust-${variant.name}-${++n}` });
      await desk.store.createSession(s, 'test', desk.service.clock.now());
      return s;
    };
    const ev = (s: PracticeSession, over: Partial<EvidenceEvent>): EvidenceEvent => ({
      id: `e-${++n}`,
      ts: '2026-01-10T02:06:00.000Z',
      session: s.id,
      site: 'backup',
      service: 'OTP-C',
      subscriber: 'firm-a',
      identity: 'B1000T1',
      kind: 'logon',
      detail: {},
      source: 'probe',
      ...over,
    });

    before(async () => {
      desk = await startDesk({ db: await variant.freshDb(), clock: new ManualClock(), evidenceToken: TOKEN });
      const seed = await seedDemo(desk.store, { now: desk.service.clock.now(), password: PW, scryptCost: 1024, subscribers: 3 });
      [firmA, firmB] = seed.subscribers as [Subscriber, Subscriber];
      own = new DeskClient(desk.url);
      assert.equal((await own.login('firm-a.user', PW)).status, 200);
      officer = new DeskClient(desk.url);
      assert.equal((await officer.login('desk', PW)).status, 200);
    });
    after(async () => {
      await desk?.close();
    });

    it("a firm's own probe logon and ack at the backup clear neither the venue's finding nor the dashboard cell", async () => {
      const s = await newSession();
      assert.equal((await asConductor({ events: demoEvidence(s, firmA, { neverOnBackup: true }) })).status, 200);
      const form = sampleResultForm(s, firmA);
      assert.equal((await own.post(`/api/sessions/${s.id}/forms/result/firm-a`, { submissionId: `submission-${variant.name}-${++n}`, form })).status, 201);
      const flags = async () =>
        (await own.get(`/api/sessions/${s.id}/forms/result/firm-a/contradictions`)).body.contradictions as {
          code: string;
          field: string;
          evidence: string;
          provenance: string;
        }[];
      const before = await flags();
      const codes = (c: { code: string }[]) => c.map((x) => x.code).sort();
      assert.deepEqual(
        codes(before).filter((c) => c === 'NO_BACKUP_ACK' || c === 'NO_BACKUP_LOGON'),
        ['NO_BACKUP_ACK', 'NO_BACKUP_ACK', 'NO_BACKUP_LOGON', 'NO_BACKUP_LOGON', 'NO_BACKUP_LOGON', 'NO_BACKUP_LOGON', 'NO_BACKUP_LOGON'],
      );

      // The firm claims, as its probe, a logon and an ack at the backup for every identity.
      const claims = firmA.identities.flatMap((i) => [
        ev(s, { service: i.service, identity: i.identity, kind: 'logon', ts: '2026-01-10T02:06:00.000Z' }),
        ev(s, { service: i.service, identity: i.identity, kind: 'ack', ts: '2026-01-10T02:30:00.000Z' }),
      ]);
      const up = await own.post('/api/evidence', { events: claims });
      assert.equal(up.status, 200);
      assert.equal(up.body.accepted, claims.length);

      const after = await flags();
      assert.deepEqual(codes(after), codes(before));
      const logon = after.find((c) => c.code === 'NO_BACKUP_LOGON' && c.field === 'sections[0].reconnectedToBackup')!;
      assert.equal(logon.provenance, 'venue');
      assert.match(
        logon.evidence,
        /^no logon at the backup site was seen; the firm's probe reports logon at backup 10:06 \(self-reported\), which the venue did not see and which does not count$/,
      );

      const d = (await officer.get(`/api/sessions/${s.id}/dashboard`)).body;
      const row = d.rows.find((r: { subscriber: { id: string } }) => r.subscriber.id === 'firm-a');
      assert.equal(row.cells['OTP-C'], 'lost');
      assert.equal(row.cells['OTP-CSC'], 'lost');
      assert.equal(row.provenance['OTP-C'], 'venue');
      assert.equal(row.contradictions, before.length);

      // The pre-fill keeps the venue's answer and names the uncounted claim as self-reported.
      const pre = (await own.get(`/api/sessions/${s.id}/forms/result/firm-a/prefill`)).body.sections;
      const t = pre.find((x: { identity: string }) => x.identity === 'B1000T1');
      assert.deepEqual(t.reconnectedToBackup, { value: false, time: null });
      assert.equal(t.basis.reconnectedToBackup.provenance, 'self-reported');
      assert.match(t.basis.reconnectedToBackup.text, /logon at backup 10:06 \(self-reported\)/);
      assert.equal(t.basis.reconnectedToBackup.message.code, 'evidence.selfClaimNotCounted');
    });

    it('a firm cannot post venue evidence, nor evidence of another firm', async () => {
      const s = await newSession();
      const r = await own.post('/api/evidence', { events: [ev(s, { source: 'venue' }), ev(s, { subscriber: 'firm-b' }), ev(s, {})] });
      assert.equal(r.status, 200);
      assert.equal(r.body.accepted, 1);
      assert.deepEqual(
        r.body.rejected.map((x: { index: number; code: string }) => `${x.index} ${x.code}`),
        ['0 FORBIDDEN_SOURCE', '1 FORBIDDEN_FIRM'],
      );
      const stored = (await officer.get(`/api/sessions/${s.id}/evidence`)).body.events;
      assert.equal(stored.length, 1);
      assert.equal(stored[0].provenance, 'self-reported');
      assert.equal(stored[0].postedBy, (await own.get('/api/auth/me')).body.user.id);
    });

    it("an id a firm posts first never shadows the venue's event, and duplicates reveal nothing of other senders' ids", async () => {
      const s = await newSession();
      // The conductor's ids are predictable: the firm posts one of a future venue event.
      const id = `${s.id}:conductor:step-7:logon:B1000T1`;
      const squat = await own.post('/api/evidence', { events: [ev(s, { id, kind: 'logon', source: 'probe' })] });
      assert.deepEqual([squat.body.accepted, squat.body.duplicates], [1, 0]);
      const venue = ev(s, { id, kind: 'logon', source: 'venue', ts: '2026-01-10T02:06:30.000Z' });
      const real = await asConductor({ events: [venue] });
      assert.deepEqual([real.body.accepted, real.body.duplicates], [1, 0]);
      const stored = (await officer.get(`/api/sessions/${s.id}/evidence?subscriber=firm-a`)).body.events.filter((e: { id: string }) => e.id === id);
      assert.deepEqual(stored.map((e: { postedBy: string; provenance: string }) => e.provenance).sort(), ['self-reported', 'venue']);
      // The venue's logon counts: the cell moved on the venue's word.
      const d = (await officer.get(`/api/sessions/${s.id}/dashboard`)).body;
      const row = d.rows.find((r: { subscriber: { id: string } }) => r.subscriber.id === 'firm-a');
      assert.equal(row.cells['OTP-C'], 'reconnected-to-backup');
      assert.equal(row.provenance['OTP-C'], 'venue');
      // Duplicates count only the caller's own ids: its own repeat is one, the conductor's other id none.
      await asConductor({ events: [ev(s, { id: 'conductor-only', source: 'venue' })] });
      const again = await own.post('/api/evidence', { events: [ev(s, { id }), ev(s, { id: 'conductor-only' })] });
      assert.deepEqual([again.body.accepted, again.body.duplicates], [1, 1]);
      // The conductor re-sending is a duplicate in its own space.
      const resend = await asConductor({ events: [venue] });
      assert.deepEqual([resend.body.accepted, resend.body.duplicates], [0, 1]);
    });

    it('4,000 gap and recovery events of one identity fold to the right state, in any upload order', async () => {
      const s = await newSession();
      const base = Date.parse('2026-01-10T02:05:00.000Z');
      const gaps: EvidenceEvent[] = [
        ev(s, { service: 'OMD-C', identity: 'a-rts', kind: 'feed-joined', site: 'primary', ts: new Date(base - 3600_000).toISOString() }),
        ev(s, { service: 'OMD-C', identity: 'a-rts', kind: 'feed-joined', site: 'backup', ts: new Date(base - 1000).toISOString() }),
      ];
      for (let i = 0; i < 2000; i++) {
        const channel = 1 + (i % 7);
        gaps.push(
          ev(s, {
            service: 'OMD-C',
            identity: 'a-rts',
            kind: 'gap',
            ts: new Date(base + i * 100).toISOString(),
            detail: { channel, from: i * 10, to: i * 10 + 5 },
          }),
        );
        gaps.push(
          ev(s, {
            service: 'OMD-C',
            identity: 'a-rts',
            kind: 'gap-recovered',
            ts: new Date(base + i * 100 + 50).toISOString(),
            detail: { channel, from: i * 10, to: i * 10 + 5 },
          }),
        );
      }
      const open = ev(s, {
        service: 'OMD-C',
        identity: 'a-rts',
        kind: 'gap',
        ts: new Date(base + 250_000).toISOString(),
        detail: { channel: 3, from: 1, to: 2 },
      });
      // Out of order: later chunks first, so the stored fold is rebuilt as well as extended.
      const all = [...gaps, open];
      const chunks = [all.slice(3000), all.slice(0, 1500), all.slice(1500, 3000)];
      for (const c of chunks) {
        const r = await own.post('/api/evidence', { events: c });
        assert.equal(r.body.accepted, c.length);
      }
      const d = (await officer.get(`/api/sessions/${s.id}/dashboard`)).body;
      const row = d.rows.find((r: { subscriber: { id: string } }) => r.subscriber.id === 'firm-a');
      const stored = (await officer.get(`/api/sessions/${s.id}/evidence?subscriber=firm-a`)).body.events;
      assert.equal(stored.length, 4003);
      assert.deepEqual({ state: row.cells['OMD-C'], provenance: row.provenance['OMD-C'] }, serviceCell(stored, 'firm-a', 'OMD-C'));
      assert.equal(row.cells['OMD-C'], 'recovered');
      assert.equal(row.provenance['OMD-C'], 'self-reported');
      const pre = (await own.get(`/api/sessions/${s.id}/forms/result/firm-a/prefill`)).body.sections.find((x: { identity: string }) => x.identity === 'a-rts');
      assert.equal(pre.retransmissionOrRefreshOk, false);
      assert.equal(pre.basis.retransmissionOrRefreshOk.text, '2001 gap(s), 1 not recovered');
      assert.equal(pre.basis.retransmissionOrRefreshOk.provenance, 'self-reported');
    });

    it('refuses more than 10,000 events (400) and a body over the limit (413), with codes', async () => {
      const many = await asConductor({ events: Array.from({ length: 10_001 }, () => ({})) });
      assert.equal(many.status, 400);
      assert.equal(many.body.error.code, 'TOO_MANY_EVENTS');
      const lines = await conductor().post('/api/evidence', undefined, {
        raw: '{}\n'.repeat(10_001),
        headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${TOKEN}` },
      });
      assert.equal(lines.status, 400);
      assert.equal(lines.body.error.code, 'TOO_MANY_EVENTS');
      const big = await conductor().post('/api/evidence', undefined, {
        raw: 'x'.repeat(9 * 1024 * 1024),
        headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${TOKEN}` },
      });
      assert.equal(big.status, 413);
      assert.equal(big.body.error.code, 'BODY_TOO_LARGE');
    });

    it('answers other requests while a 10,000-event upload is being ingested', async () => {
      const s = await newSession();
      const events: EvidenceEvent[] = [];
      const base = Date.parse('2026-01-10T02:05:00.000Z');
      for (let i = 0; i < 5000; i++) {
        events.push(
          ev(s, { service: 'OMD-C', identity: 'a-rts', kind: 'gap', ts: new Date(base + i * 10).toISOString(), detail: { channel: 1, from: i, to: i } }),
        );
        events.push(
          ev(s, {
            service: 'OMD-C',
            identity: 'a-rts',
            kind: 'gap-recovered',
            ts: new Date(base + i * 10 + 5).toISOString(),
            detail: { channel: 1, from: i, to: i },
          }),
        );
      }
      // Once the store starts on the upload, ask for the health page; it must answer before the upload does.
      const store = desk.store;
      const original = store.ingestEvidence;
      let healthAnswered: Promise<number> | null = null;
      const order: string[] = [];
      store.ingestEvidence = function (this: typeof store, ...args: Parameters<typeof original>) {
        healthAnswered ??= fetch(`${desk.url}/api/health`).then((r) => {
          order.push('health');
          return r.status;
        });
        return original.apply(this, args);
      };
      try {
        const up = await own.post('/api/evidence', { events }).then((r) => {
          order.push('upload');
          return r;
        });
        assert.equal(up.status, 200);
        assert.equal(up.body.accepted, 10_000);
        assert.ok(healthAnswered, 'the upload reached the store');
        assert.equal(await healthAnswered, 200);
        assert.deepEqual(order, ['health', 'upload']);
      } finally {
        store.ingestEvidence = original;
      }
    });

    it('the dashboard names the firms that declined, and does not count their Appendix B as missing', async () => {
      const s = await newSession();
      const declined = { ...sampleIntentionForm(s, firmB), participate: false, services: [], software: [], willJoin: false, hasReadRundown: false };
      const other = new DeskClient(desk.url);
      assert.equal((await other.login('firm-b.user', PW)).status, 200);
      assert.equal(
        (await other.post(`/api/sessions/${s.id}/forms/intention/firm-b`, { submissionId: `submission-${variant.name}-${++n}`, form: declined })).status,
        201,
      );
      const d = (await officer.get(`/api/sessions/${s.id}/dashboard`)).body;
      assert.equal(d.declined, 1);
      const rows = d.rows as { subscriber: { id: string }; declined: boolean; result: unknown }[];
      assert.deepEqual(
        rows.filter((r) => r.declined).map((r) => r.subscriber.id),
        ['firm-b'],
      );
      assert.equal(d.missing.result, rows.filter((r) => !r.result).length - 1);
    });
  });
}

for (const variant of storeVariants()) {
  describe(`evidence stored before ids were per sender, on ${variant.name}`, { skip: variant.skip }, () => {
    it("joins the conductor's id space and is folded into cells at the upgrade", async () => {
      const db = await variant.freshDb();
      const old = openStore(db) as SqliteStore | PostgresStore;
      const session = demoSession();
      const sub = demoSubscriber(0);
      const events = demoEvidence(session, sub);
      // The schema as version 3 left it, with evidence in it.
      await old.db.transaction(async (tx) => {
        await tx.run('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
        for (const m of MIGRATIONS.filter((x) => x.version <= 3)) {
          for (const sql of m.statements(old.dialect)) await tx.run(sql);
          await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, 0]);
        }
        for (const e of events) {
          await tx.run(
            'INSERT INTO evidence_events (id, session_id, subscriber_id, service, site, identity, kind, source, ts, ts_ms, detail, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
            [e.id, e.session, e.subscriber, e.service, e.site, e.identity, e.kind, e.source, e.ts, Date.parse(e.ts), JSON.stringify(e.detail), 0],
          );
        }
      });
      assert.deepEqual(
        await old.migrate(1),
        MIGRATIONS.filter((m) => m.version > 3).map((m) => m.version),
      );
      try {
        const stored = await old.listEvidence({ session: session.id });
        assert.equal(stored.length, events.length);
        assert.ok(stored.every((e) => e.postedBy === 'conductor'));
        const cells = await old.listEvidenceCells(session.id);
        assert.equal(cells.length, 4);
        assert.equal(
          cells.reduce((n, c) => n + c.summary.events, 0),
          events.length,
        );
        // The conductor re-sending an old event is still a duplicate.
        const again = await old.ingestEvidence([events[0]!], 'conductor', 2);
        assert.deepEqual([again.inserted.length, again.duplicates], [0, 1]);
      } finally {
        await old.close();
      }
    });
  });
}

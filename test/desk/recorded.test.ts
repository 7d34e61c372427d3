// Replaying a recorded evidence file into the desk, as the conductor would.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '../../src/wire/index.ts';
import { readEvidenceFile } from '../../src/evidence/index.ts';
import { prefillResultForm, sampleResultForm, seedDemo, startDesk, type RunningDesk } from '../../src/desk/index.ts';
import { DeskClient } from '../helpers/desk-client.ts';
import { storeVariants } from '../helpers/stores.ts';

const FILE = fileURLToPath(new URL('./fixtures/ps2-2026-firm-a.evidence.jsonl', import.meta.url));

describe('recorded evidence file', () => {
  it('reads cleanly: 30 events of firm-a in ps2-2026, unique ids', async () => {
    const { events, errors } = await readEvidenceFile(FILE);
    assert.deepEqual(errors, []);
    assert.equal(events.length, 30);
    assert.equal(new Set(events.map((e) => e.id)).size, 30);
    assert.ok(events.every((e) => e.session === 'ps2-2026' && e.subscriber === 'firm-a'));
  });
});

for (const variant of storeVariants()) {
  describe(`replaying a recorded evidence file on ${variant.name}`, { skip: variant.skip }, () => {
    let desk: RunningDesk;
    before(async () => {
      const clock = new ManualClock(Date.UTC(2026, 0, 10, 4, 0)); // after the session, Saturday 12:00 HKT
      desk = await startDesk({ db: await variant.freshDb(), clock, evidenceToken: 'replay' });
      await seedDemo(desk.store, { now: clock.now(), password: 'replay-password', scryptCost: 1024, subscribers: 2 });
    });
    after(async () => {
      await desk?.close();
    });

    it('pre-fills from the recording, flags the contradicted declaration, and replays idempotently', async () => {
      const text = readFileSync(FILE, 'utf8');
      const conductor = new DeskClient(desk.url);
      const post = () =>
        conductor.post('/api/evidence', undefined, { raw: text, headers: { 'content-type': 'application/x-ndjson', authorization: 'Bearer replay' } });
      const first = await post();
      assert.deepEqual([first.body.accepted, first.body.duplicates, first.body.rejected], [30, 0, []]);
      const again = await post();
      assert.deepEqual([again.body.accepted, again.body.duplicates], [0, 30]);

      const firm = new DeskClient(desk.url);
      await firm.login('firm-a.user', 'replay-password');
      const pre = (await firm.get('/api/sessions/ps2-2026/forms/result/firm-a/prefill')).body;
      const session = (await firm.get('/api/sessions/ps2-2026')).body.session;
      const subscriber = (await firm.get('/api/subscribers/firm-a')).body.subscriber;
      const { events } = await readEvidenceFile(FILE);
      // The API's pre-fill is the pure function's over the same evidence.
      assert.deepEqual(pre.sections, prefillResultForm(session, subscriber, events));
      assert.deepEqual(
        pre.sections.map((s: { identity: string; overall: string }) => `${s.identity}:${s.overall}`),
        ['B1000T1:passed', 'B1000DC:passed', 'B1000C1:passed', 'a-rts:passed-with-issues', 'a-cc-rts:passed-with-issues'],
      );

      // The firm declares everything passed anyway: the desk sees the two contradictions.
      const r = await firm.post('/api/sessions/ps2-2026/forms/result/firm-a', { submissionId: 'replay-0001', form: sampleResultForm(session, subscriber) });
      assert.equal(r.status, 201);
      const desk1 = new DeskClient(desk.url);
      await desk1.login('desk', 'replay-password');
      const dash = (await desk1.get('/api/sessions/ps2-2026/dashboard')).body;
      const row = dash.rows.find((x: { subscriber: { id: string } }) => x.subscriber.id === 'firm-a');
      assert.equal(row.contradictions, 2);
      assert.equal(row.evidenceCount, 30);
    });
  });
}

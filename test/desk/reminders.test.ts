// Reminder emails through a real SMTP conversation with a sink on loopback.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SMTPServer } from 'smtp-server';
import { ManualClock } from '../../src/wire/index.ts';
import {
  createSmtpMailer,
  reminderMessage,
  sampleIntentionForm,
  seedDemo,
  startDesk,
  demoSession,
  demoSubscriber,
  type RunningDesk,
} from '../../src/desk/index.ts';
import { DeskClient } from '../helpers/desk-client.ts';
import { storeVariants } from '../helpers/stores.ts';
import { waitFor } from '../helpers/wait.ts';

// Runs are driven by hand below; the timer's own tick is checked last.
const CHECK_MS = 30 * 86_400_000;

interface Mail {
  from: string;
  to: string[];
  data: string;
}

/** An SMTP sink on 127.0.0.1 that keeps every message. */
async function startSink(): Promise<{ port: number; mails: Mail[]; next(n: number): Promise<Mail[]>; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      let data = '';
      stream.setEncoding('utf8');
      stream.on('data', (c: string) => {
        data += c;
      });
      stream.on('end', () => {
        mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), data });
        done();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    mails,
    async next(n) {
      await waitFor(`${n} mails`, () => mails.length >= n);
      return mails;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Decodes the (possibly quoted-printable / encoded-word) subject enough to search it. */
function headerOf(data: string, name: string): string {
  const m = new RegExp(`^${name}: (.*(?:\\r?\\n[ \\t].*)*)`, 'mi').exec(data);
  const raw = m ? m[1]!.replace(/\r?\n[ \t]/g, ' ') : '';
  // RFC 2047 encoded words (Q and B); whitespace between adjacent ones is dropped.
  return raw.replace(/\?=\s+=\?/g, '?==?').replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(
          text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
          'latin1',
        ).toString('utf8'),
  );
}

describe('reminder message', () => {
  it('is bilingual, names the form and the Hong Kong deadline, goes to both contacts', () => {
    const m = reminderMessage(demoSession(), demoSubscriber(0), 'intention');
    assert.deepEqual(m.to, ['ops@a.example', 'it@a.example']);
    assert.match(m.subject, /^\[PS2\] Reminder: Appendix A \(intention form\) due 2026-01-09 23:59 HKT \/ 提示：附錄A（意向表格）截止時間 2026-01-09 23:59/);
    assert.match(m.text, /recorded as late/);
    assert.match(m.text, /逾期/);
  });
});

for (const variant of storeVariants()) {
  describe(`reminder emails on ${variant.name}`, { skip: variant.skip }, () => {
    let sink: Awaited<ReturnType<typeof startSink>>;
    let desk: RunningDesk;
    let clock: ManualClock;

    before(async () => {
      sink = await startSink();
      clock = new ManualClock(Date.UTC(2026, 0, 8, 1, 0)); // Thursday 09:00 HKT: 39 h before the intention deadline
      desk = await startDesk({
        db: await variant.freshDb(),
        clock,
        evidenceToken: 't',
        mailer: createSmtpMailer({ host: '127.0.0.1', port: sink.port, from: 'desk@exchange.example' }),
        reminderLeadMs: 24 * 3600_000,
        reminderCheckMs: CHECK_MS,
      });
      const seed = await seedDemo(desk.store, { now: clock.now(), password: 'reminder-password', scryptCost: 1024, subscribers: 3 });
      // firm-a returns Appendix A in time; firm-b and firm-c do not.
      await desk.store.submitForm({
        sessionId: seed.session.id,
        subscriberId: 'firm-a',
        kind: 'intention',
        submissionId: 'rem-a-1',
        content: sampleIntentionForm(seed.session, seed.subscribers[0]!),
        submittedBy: 'x',
        submittedAt: clock.now(),
        late: false,
      });
    });
    after(async () => {
      await desk?.close();
      await sink?.close();
    });

    it('sends nothing before the lead time, then once to each firm without the form', async () => {
      clock.advance(60_000);
      assert.equal((await desk.reminders!.runDue()).sent.length, 0);
      assert.equal(sink.mails.length, 0);
      clock.advance(15 * 3600_000); // Friday 00:01 HKT: inside the 24 h before the deadline
      const run = await desk.reminders!.runDue();
      assert.deepEqual(run.sent.map((s) => s.subscriberId).sort(), ['firm-b', 'firm-c']);
      const mails = await sink.next(2);
      assert.equal(mails.length, 2);
      assert.deepEqual(mails.flatMap((m) => m.to).sort(), ['it@b.example', 'it@c.example', 'ops@b.example', 'ops@c.example']);
      assert.match(headerOf(mails[0]!.data, 'Subject'), /^\[PS2\] Reminder: Appendix A \(intention form\) due 2026-01-09 23:59 HKT \/ 提示：附錄A/);
      assert.equal(mails[0]!.from, 'desk@exchange.example');
      // The next tick finds them already reminded.
      clock.advance(60_000);
      assert.equal((await desk.reminders!.runDue()).sent.length, 0);
      const recorded = await desk.store.listReminders('ps2-2026');
      assert.deepEqual(
        recorded.map((r) => r.subscriberId),
        ['firm-b', 'firm-c'],
      );
    });

    it('a desk officer can send reminders by hand; subscribers may not', async () => {
      const d = new DeskClient(desk.url);
      await d.login('desk', 'reminder-password');
      const before = sink.mails.length;
      const r = await d.post('/api/sessions/ps2-2026/reminders', { kind: 'result' });
      assert.equal(r.status, 200);
      assert.deepEqual(
        r.body.sent.map((s: { subscriberId: string }) => s.subscriberId),
        ['firm-a', 'firm-b', 'firm-c'],
      );
      assert.equal((await sink.next(before + 3)).length, before + 3);
      const bad = await d.post('/api/sessions/ps2-2026/reminders', { kind: 'appendix-c' });
      assert.equal(bad.body.error.field, 'kind');
      const s = new DeskClient(desk.url);
      await s.login('firm-a.user', 'reminder-password');
      assert.equal((await s.post('/api/sessions/ps2-2026/reminders', { kind: 'result' })).status, 403);
      assert.equal((await s.get('/api/sessions/ps2-2026/reminders')).status, 403);
      assert.equal((await new DeskClient(desk.url).get('/api/sessions/ps2-2026/reminders')).status, 401);
      assert.equal((await d.get('/api/sessions/ps2-2026/reminders')).body.reminders.length, 2);
    });

    it('a firm that declined gets no Appendix B reminder; the overview lists every reminder sent, by hand too', async () => {
      const session = demoSession();
      await desk.store.submitForm({
        sessionId: session.id,
        subscriberId: 'firm-c',
        kind: 'intention',
        submissionId: 'rem-c-declines',
        content: { ...sampleIntentionForm(session, demoSubscriber(2)), participate: false, services: [] },
        submittedBy: 'x',
        submittedAt: clock.now(),
        late: false,
      });
      const d = new DeskClient(desk.url);
      await d.login('desk', 'reminder-password');
      const overview = (await d.get('/api/sessions/ps2-2026/reminders/overview')).body;
      assert.equal(overview.mailer, true);
      assert.equal(overview.note, undefined);
      assert.deepEqual(
        overview.preview.result.map((p: { subscriberId: string }) => p.subscriberId),
        ['firm-a', 'firm-b'],
      );
      const before = sink.mails.length;
      const r = await d.post('/api/sessions/ps2-2026/reminders', { kind: 'result' });
      assert.deepEqual(
        r.body.sent.map((s: { subscriberId: string }) => s.subscriberId),
        ['firm-a', 'firm-b'],
      );
      const mails = await sink.next(before + 2);
      assert.equal(mails.length, before + 2);
      assert.equal(
        mails.slice(before).some((m) => m.to.includes('ops@c.example')),
        false,
      );
      const sent = (await d.get('/api/sessions/ps2-2026/reminders/overview')).body.sent as {
        subscriberId: string;
        kind: string;
        manual: boolean;
        actor: string;
        recipients: string[];
        sentAt: string;
      }[];
      // Two automatic Appendix A reminders, three by hand earlier and two now.
      assert.equal(sent.length, 7);
      assert.deepEqual(
        sent
          .filter((x) => !x.manual)
          .map((x) => `${x.subscriberId}/${x.kind}/${x.actor}`)
          .sort(),
        ['firm-b/intention/reminders', 'firm-c/intention/reminders'],
      );
      const manual = sent.filter((x) => x.manual);
      assert.equal(manual.length, 5);
      assert.ok(manual.every((x) => x.kind === 'result' && x.actor !== 'reminders' && x.recipients.length === 2));
      assert.ok(Date.parse(sent[0]!.sentAt) >= Date.parse(sent.at(-1)!.sentAt), 'newest first');
      const audit = (await d.get('/api/audit?entity=session&entityId=ps2-2026&limit=1')).body.entries[0];
      assert.equal(audit.action, 'reminder.result.manual');
      assert.deepEqual(audit.detail, { sent: ['firm-a', 'firm-b'], failed: [] });
    });

    it('the scheduler runs by itself on its clock', async () => {
      const ran = new Promise((r) => {
        desk.reminders!.onRun = r;
      });
      clock.advance(CHECK_MS);
      const run = (await ran) as { sent: unknown[] };
      assert.deepEqual(run.sent, []); // past every deadline by now: nothing due
    });
  });
}

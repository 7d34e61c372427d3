// The printable PDF of Appendix A / B, and the web UI served beside the API
// (static files, the SPA fallback, API 404s kept as API errors).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/wire/index.ts';
import {
  demoNotice,
  demoSession,
  demoSubscriber,
  findCjkFont,
  renderFormPdf,
  sampleIntentionForm,
  sampleResultForm,
  seedDemo,
  startDesk,
  type FormVersion,
  type RunningDesk,
} from '../../src/desk/index.ts';
import { DeskClient } from '../helpers/desk-client.ts';

const PW = 'password-for-pdf-tests';

describe('renderFormPdf', () => {
  const session = demoSession();
  const sub = demoSubscriber(0);
  const version = (kind: 'intention' | 'result', late: boolean): FormVersion => ({
    sessionId: session.id,
    subscriberId: sub.id,
    kind,
    version: 2,
    submissionId: 'sub-00000001',
    submittedBy: 'u1',
    submittedByName: 'A user',
    submittedByRole: 'subscriber',
    onBehalfReason: null,
    submittedAt: '2026-01-11T02:00:00.000Z',
    late,
    content: kind === 'intention' ? sampleIntentionForm(session, sub) : sampleResultForm(session, sub),
  });

  it('names the firm and the form in the document information', async () => {
    const pdf = await renderFormPdf({ kind: 'result', session, notice: demoNotice(), subscriber: sub, version: version('result', true), contradictions: [] });
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.ok(pdf.includes('A Securities Limited'));
    assert.ok(pdf.includes('Appendix B'));
    assert.ok(pdf.subarray(-8).toString('latin1').includes('%%EOF'));
  });

  it('embeds a Debian CJK font when one is installed, and falls back to English-only without one', async (t) => {
    const english = await renderFormPdf({
      kind: 'intention',
      session,
      notice: demoNotice(),
      subscriber: sub,
      version: version('intention', false),
      contradictions: [],
      cjkFont: null,
    });
    assert.ok(english.includes('/Helvetica'));
    assert.ok(!english.includes('CJK'));
    const font = findCjkFont();
    if (!font) {
      t.diagnostic('no CJK font installed here: only the English fallback was checked');
      return;
    }
    const bilingual = await renderFormPdf({
      kind: 'intention',
      session,
      notice: demoNotice(),
      subscriber: sub,
      version: version('intention', false),
      contradictions: [],
    });
    assert.ok(bilingual.includes(font.face ?? 'Type0'), 'the CJK face is embedded');
  });

  it('finds no font when none of the candidates exists', () => {
    assert.equal(findCjkFont([{ path: '/nonexistent/font.ttc' }]), null);
  });

  it('renders a form never submitted as a page that says so', async () => {
    const pdf = await renderFormPdf({ kind: 'result', session, notice: null, subscriber: sub, version: null, contradictions: [], cjkFont: null });
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  });
});

describe('desk serves the PDF and the web UI', () => {
  let dir: string;
  let desk: RunningDesk;
  let apiOnly: RunningDesk;
  const own = () => new DeskClient(desk.url);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fd-pdf-'));
    const web = join(dir, 'web');
    mkdirSync(join(web, 'assets'), { recursive: true });
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>desk ui</title><div id="root"></div>');
    writeFileSync(join(web, 'assets', 'app.js'), 'console.log(1)');
    const clock = new ManualClock();
    desk = await startDesk({ db: join(dir, 'a.sqlite'), clock, webRoot: web });
    apiOnly = await startDesk({ db: join(dir, 'b.sqlite'), clock, webRoot: null });
    await seedDemo(desk.store, { now: clock.now(), password: PW, scryptCost: 1024, subscribers: 2 });
    const s = demoSession();
    await desk.service.submitForm({
      user: (await desk.store.getUserByUsername('firm-a.user'))!,
      sessionId: s.id,
      subscriberId: 'firm-a',
      kind: 'intention',
      submissionId: 'pdf-test-0001',
      form: sampleIntentionForm(s, demoSubscriber(0)),
    });
  });
  after(async () => {
    await desk?.close();
    await apiOnly?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('GET …/forms/:kind/:sub/pdf: the latest version, or ?version=N; 404 for a version that does not exist', async () => {
    const c = own();
    assert.equal((await c.login('firm-a.user', PW)).status, 200);
    const res = await fetch(`${desk.url}/api/sessions/ps2-2026/forms/intention/firm-a/pdf`, { headers: { cookie: c.cookie } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    assert.match(res.headers.get('content-disposition') ?? '', /ps2-2026-firm-a-intention-v1\.pdf/);
    const pdf = Buffer.from(await res.arrayBuffer());
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.ok(pdf.includes('A Securities Limited'));
    const missing = await c.get('/api/sessions/ps2-2026/forms/intention/firm-a/pdf?version=7');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'FORM_VERSION_NOT_FOUND');
    const other = await c.get('/api/sessions/ps2-2026/forms/intention/firm-b/pdf');
    assert.equal(other.body.error.code, 'FORBIDDEN_FIRM');
  });

  it('serves the UI to anyone, falls back to index.html for page addresses, keeps API 404s as API errors', async () => {
    const anon = new DeskClient(desk.url);
    const root = await anon.get('/');
    assert.equal(root.status, 200);
    assert.match(root.text, /desk ui/);
    assert.equal((await anon.get('/assets/app.js')).status, 200);
    const page = await anon.get('/sessions/ps2-2026/forms/result/firm-a');
    assert.equal(page.status, 200);
    assert.match(page.text, /desk ui/);
    assert.equal((await anon.get('/assets/missing.js')).status, 404);
    const api = await anon.get('/api/nothing-here');
    assert.equal(api.status, 401, 'the API still asks for a sign-in first');
    assert.equal((await anon.get('/api/sessions')).body.error.code, 'UNAUTHENTICATED');
    // Encoded paths that reach an API route are still checked.
    const encoded = await anon.get('/%61pi/sessions');
    assert.ok(!encoded.text.includes('"sessions"'), `${encoded.status} ${encoded.text.slice(0, 100)}`);
    assert.notEqual(encoded.status, 200);
  });

  it('without a built UI the desk serves the API only', async () => {
    const anon = new DeskClient(apiOnly.url);
    const r = await anon.get('/');
    assert.equal(r.status, 404);
    assert.equal(r.body.error.code, 'NOT_FOUND');
  });
});

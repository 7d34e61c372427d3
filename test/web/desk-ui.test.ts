// The desk's web UI in Debian's Chromium, driven by playwright-core, against a
// desk on SQLite (the API tests cover PostgreSQL): a
// subscriber submits Appendix A, then B pre-filled from a recorded evidence
// file; a desk officer sees the dashboard update live, a contradiction flagged,
// a late form marked, and downloads the CSV and a PDF; the Chinese UI shows
// Chinese labels. FD_SCREENSHOTS=DIR saves a PNG of each main screen.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { chromiumSkip, launchChromium, settableClock, hk } from '../helpers/browser.ts';
import { demoEvidence, demoSession, demoSubscriber, ensureWebBuilt, sampleResultForm, seedDemo, startDesk, type RunningDesk } from '../../src/desk/index.ts';
import { readEvidenceFile } from '../../src/evidence/index.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = join(ROOT, 'test/desk/fixtures/ps2-2026-firm-a.evidence.jsonl');
const TOKEN = 'conductor-token-for-browser-tests';
const PW = 'browser-test-password';
const SHOTS = process.env.FD_SCREENSHOTS;

describe('desk web UI in Chromium', { skip: chromiumSkip, timeout: 90_000 }, () => {
  let dir: string;
  let desk: RunningDesk;
  let browser: Browser;
  const clock = settableClock(hk('2026-01-08T10:00')); // before the Appendix A deadline (2026-01-09 23:59 HKT)
  const session = demoSession(); // ps2-2026 on 2026-01-10, as in the recorded evidence

  before(async () => {
    assert.ok(ensureWebBuilt({ quiet: true }), 'web/dist built');
    dir = mkdtempSync(join(tmpdir(), 'fd-web-'));
    desk = await startDesk({ db: join(dir, 'desk.sqlite'), clock, evidenceToken: TOKEN, sessionTtlMs: 30 * 86_400_000 });
    await seedDemo(desk.store, { now: clock.now(), password: PW, scryptCost: 1024, subscribers: 3, session });
    // launch() gives Chromium a fresh empty profile of its own (it refuses --user-data-dir).
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await desk?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function signIn(username: string, opts: { lang?: 'zh-Hant' } = {}): Promise<Page> {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(desk.url + '/');
    if (opts.lang) await page.getByRole('button', { name: '中文' }).click();
    await page.getByLabel(opts.lang ? '用戶名稱' : 'Username').fill(username);
    await page.getByLabel(opts.lang ? '密碼' : 'Password').fill(PW);
    await page.getByRole('button', { name: opts.lang ? '登入' : 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: opts.lang ? '演習' : 'Practice sessions' }).waitFor();
    return page;
  }

  const shot = async (page: Page, name: string) => {
    if (SHOTS) await page.screenshot({ path: join(SHOTS, name + '.png'), fullPage: true });
  };
  const field = (page: Page, path: string) => page.locator(`[data-path="${path}"]`);

  it('a subscriber submits Appendix A, then Appendix B pre-filled from the recorded evidence', async () => {
    const page = await signIn('firm-a.user');
    await shot(page, '01-subscriber-sessions');
    await page.getByRole('link', { name: /PS2/ }).click();
    await page.getByRole('heading', { name: /Practice Session 2/ }).waitFor();
    await page.getByText('Rundown', { exact: true }).click();
    assert.match(await page.locator('pre.rundown').innerText(), /lose-primary/);
    await shot(page, '02-subscriber-session');

    // Appendix A: submitted without the required ticks, the server's messages sit next to those fields.
    await page.getByRole('link', { name: 'Appendix A: Intention form' }).click();
    await page.getByRole('button', { name: 'Submit' }).click();
    await field(page, 'form.willJoin').locator('.field-error').waitFor();
    assert.match(await field(page, 'form.hasReadRundown').locator('.field-error').innerText(), /"We have read the rundown" must be ticked when participating/);
    assert.match(await field(page, 'form.software[0].name').locator('.field-error').innerText(), /^Software name \(OTP-C\) must not be empty\.$/);
    await shot(page, '03-appendix-a-errors');
    await page.getByLabel('We will join the session').check();
    await page.getByLabel('We have read the rundown').check();
    const names = page.getByLabel('Software name');
    for (let i = 0; i < (await names.count()); i++) {
      await names.nth(i).fill('OrderGateway');
      await page.getByLabel('Version', { exact: true }).nth(i).fill('4.2');
    }
    await page.getByLabel('Signatory name').fill('Chan Tai Man');
    await page.getByLabel('Signatory title').fill('Head of IT');
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('status').filter({ hasText: 'Submitted: version 1' }).waitFor();
    assert.equal(await page.locator('.versions tr[data-version="1"] .badge.late').count(), 0, 'on time');

    // The session happens: the recorded evidence arrives; the day after, Appendix B.
    const recorded = await readEvidenceFile(FIXTURE);
    assert.equal(recorded.errors.length, 0);
    const ing = await desk.service.ingestEvidence(recorded.events, { actor: 'conductor' });
    assert.equal(ing.accepted, recorded.events.length);
    clock.set(hk('2026-01-11T09:00'));

    await page.goto(`${desk.url}/sessions/ps2-2026/forms/result/firm-a`);
    const trading = page.locator('[data-section="OTP-C:B1000T1"]');
    await trading.waitFor();
    // Pre-filled from the evidence, each answer beside the evidence behind it.
    assert.equal(await trading.locator('select[name="form.sections[0].reconnectedToBackup.value"]').inputValue(), 'yes');
    assert.equal(await trading.locator('input[name="form.sections[0].reconnectedToBackup.time"]').inputValue(), '10:06');
    assert.match(await trading.locator('[data-evidence-for="reconnectedToBackup"]').innerText(), /logon at backup 10:06 \(venue\)/);
    const md = page.locator('[data-section="OMD-C:a-rts"]');
    assert.equal(await md.locator('select[name$=".retransmissionOrRefreshOk"]').inputValue(), 'no', 'the unrecovered gap pre-fills "no"');
    assert.match(await md.locator('[data-evidence-for="retransmissionOrRefreshOk"]').innerText(), /1 gap\(s\), 1 not recovered/);
    // The evidence itself, in Hong Kong time.
    await page.getByText('All evidence for this firm (time order)').click();
    await page
      .locator('.evidence-log tbody tr')
      .nth(recorded.events.length - 1)
      .waitFor();
    assert.equal(await page.locator('.evidence-log tbody tr').count(), recorded.events.length);
    assert.match(await page.locator('.evidence-log tbody tr').first().innerText(), /2026-01-10 08:35:00 HKT/);
    await shot(page, '04-appendix-b-prefilled');

    // Confirm or correct: the subscriber answers what the evidence cannot know, signs, submits.
    const sections = page.locator('fieldset.section');
    const n = await sections.count();
    assert.equal(n, 5);
    for (let i = 0; i < n; i++) {
      await page.locator(`select[name="form.sections[${i}].returnedToPrimary"]`).selectOption('yes');
      await page.locator(`select[name="form.sections[${i}].testDataCleaned"]`).selectOption('yes');
    }
    await page.getByLabel('Signatory name').fill('Chan Tai Man');
    await page.getByLabel('Signatory title').fill('Head of IT');
    await page.getByLabel('I confirm the answers above and sign this form').check();
    await page.getByRole('button', { name: 'Submit' }).click();
    // "Passed with issues" on the market-data sections needs a problem: the error is shown on that field.
    const problems = field(page, 'form.sections[3].problems');
    await problems.locator('.field-error').waitFor();
    assert.match(await problems.locator('.field-error').innerText(), /at least one problem/);
    for (let i = 0; i < n; i++) {
      if ((await page.locator(`select[name="form.sections[${i}].overall"]`).inputValue()) !== 'passed-with-issues') continue;
      await field(page, `form.sections[${i}].problems`).getByRole('button', { name: 'Add a problem' }).click();
      await page.locator(`input[name="form.sections[${i}].problems[0].time"]`).fill('10:05');
      await page.locator(`input[name="form.sections[${i}].problems[0].description"]`).fill('Gap on channel 11 not recovered');
    }
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('status').filter({ hasText: 'Submitted: version 1' }).waitFor();
    const stored = await desk.store.listFormVersions('ps2-2026', 'firm-a', 'result');
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.late, false);
    await page.context().close();
  });

  it('a desk officer sees the dashboard update live, a contradiction, a late form, and downloads the CSV and a PDF', async () => {
    const page = await signIn('desk');
    await shot(page, '05-desk-sessions');
    await page.getByRole('link', { name: /PS2/ }).click();
    const firmA = page.locator('tr[data-subscriber="firm-a"]');
    const firmB = page.locator('tr[data-subscriber="firm-b"]');
    await firmA.waitFor();
    await page.locator('.live.on').waitFor();
    assert.equal(await firmA.locator('td[data-service="OTP-C"]').getAttribute('data-state'), 'recovered');
    assert.equal(await firmB.locator('td[data-service="OTP-C"]').getAttribute('data-state'), 'not-connected');
    // firm-a's declaration that market data came from the backup is contradicted by the unrecovered gap.
    assert.ok(Number(await firmA.locator('td[data-contradictions]').getAttribute('data-contradictions')) > 0);
    assert.equal(await firmA.locator('td.contradiction').count(), 1);

    // Evidence posted by the conductor while the page is open: the cell moves without a reload.
    const b = demoSubscriber(1);
    const res = await fetch(desk.url + '/api/evidence', {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: demoEvidence(session, b, { neverOnBackup: true }) }),
    });
    assert.equal(res.status, 200);
    await firmB.locator('td[data-service="OTP-C"][data-state="lost"]').waitFor();
    await firmB.locator('td[data-service="OMD-C"][data-state="lost"]').waitFor();

    // After the result deadline firm-b returns Appendix B: accepted, marked late, live.
    clock.set(hk('2026-01-13T09:00'));
    const r = await desk.service.submitForm({
      user: (await desk.store.getUserByUsername('firm-b.user'))!,
      sessionId: session.id,
      subscriberId: b.id,
      kind: 'result',
      submissionId: 'late-firm-b-0001',
      form: sampleResultForm(session, b),
    });
    assert.equal(r.version.late, true);
    await firmB.locator('td[data-form="result"] .badge.late').waitFor();
    assert.match(await page.locator('[data-count="missing-result"]').innerText(), /Not returned: 1, Late: 1/);
    await shot(page, '06-desk-dashboard');

    // Downloads: the results CSV and firm-a's Appendix B as PDF.
    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export results (CSV)' }).click()]);
    const csv = readFileSync((await csvDownload.path())!, 'utf8');
    assert.ok(csv.startsWith('\uFEFFsession,subscriber,'));
    assert.match(csv, /ps2-2026,firm-a,A Securities Limited,B1000,1,/);
    assert.match(csv, /ps2-2026,firm-b,B Securities Limited,B1001,1,[^,]+,late,/);
    const [pdfDownload] = await Promise.all([page.waitForEvent('download'), firmA.getByRole('link', { name: 'Appendix B PDF' }).click()]);
    const pdf = readFileSync((await pdfDownload.path())!);
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.ok(pdf.includes('A Securities Limited'), 'the PDF names the firm');

    // The evidence bundle: downloaded, handed back intact, then with one byte changed.
    const [tarDownload] = await Promise.all([page.waitForEvent('download'), firmA.getByRole('link', { name: 'Evidence bundle' }).click()]);
    const tar = readFileSync((await tarDownload.path())!);
    const upload = page.getByLabel('Evidence bundle (.tar) to check');
    await upload.setInputFiles({ name: 'bundle.tar', mimeType: 'application/x-tar', buffer: tar });
    await page.locator('[data-bundle-ok="true"]').waitFor();
    const at = tar.indexOf('"source":"venue"');
    assert.ok(at > 0);
    const altered = Buffer.from(tar);
    altered.write('"source":"probe"', at, 'latin1');
    await upload.setInputFiles({ name: 'altered.tar', mimeType: 'application/x-tar', buffer: altered });
    await page.locator('[data-bundle-ok="false"]').waitFor();
    assert.match(await page.locator('[data-bundle-ok="false"]').innerText(), /Altered files: evidence\.jsonl/);

    // The contradiction on the form itself, highlighted on the declared field.
    await firmA.locator('td[data-form="result"] a').click();
    await page.locator('.banner.contradiction').waitFor();
    assert.ok((await page.locator('.field.contradicted').count()) >= 1);
    assert.match(await page.locator('.field.contradicted .field-flag').first().innerText(), /never recovered/);
    await shot(page, '07-desk-contradiction');
    await page.context().close();
  });

  it('the Chinese UI shows Chinese labels', async () => {
    // A refused sign-in, in Chinese, from the error code the API returns.
    const context = await browser.newContext();
    const login = await context.newPage();
    await login.goto(desk.url + '/');
    await login.getByRole('button', { name: '中文' }).click();
    await login.getByLabel('用戶名稱').fill('firm-c.user');
    await login.getByLabel('密碼').fill('not-the-password');
    await login.getByLabel('密碼').press('Enter');
    await login.getByRole('alert').filter({ hasText: '用戶名稱或密碼不正確' }).waitFor();
    await context.close();

    const page = await signIn('firm-a.user', { lang: 'zh-Hant' });
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-Hant');
    await page.getByRole('link', { name: /PS2/ }).click();
    await page.getByRole('heading', { name: /骨幹網絡韌體升級第二次演習/ }).waitFor();
    assert.ok(await page.getByText('附錄甲截止時間').isVisible());
    assert.match(await page.locator('dl.facts').innerText(), /香港時間/);
    await page.getByRole('link', { name: '附錄乙：結果表格' }).click();
    await page.getByRole('heading', { name: '附錄乙：結果表格' }).waitFor();
    assert.ok(await page.getByText('已重新連接後備站').first().isVisible());
    assert.ok(await page.getByRole('button', { name: '提交' }).isVisible());
    await shot(page, '08-zh-appendix-b');
    // And back to English with the same toggle.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Appendix B: Result form' }).waitFor();
    await page.context().close();
  });

  it('a desk officer creates a session from a new notice (rundown uploaded) and imports subscribers from CSV', async () => {
    const page = await signIn('desk');
    await page.getByRole('link', { name: 'Create a session from a notice' }).click();
    await page.getByLabel('Notice', { exact: true }).selectOption('__new');
    await page.getByLabel('Id', { exact: true }).fill('hs-notice-ps3');
    await page.getByLabel('Reference numbers (comma-separated)').fill('HS/PS/2026/003, MD/PS/2026/003');
    await page.getByLabel('Title (English)').fill('Practice Session 3: failover of trading and market data');
    await page.getByLabel('Title (Chinese)').fill('第三次演習：交易及市場數據切換');
    await page.getByLabel('Date of issue').fill('2026-01-20');
    await page.getByLabel('Hotline').fill('+852 3000 0000');
    await page.getByLabel('Email', { exact: true }).fill('hosting-desk@exchange.example');
    await page.getByLabel(/Circulars referred to/).fill('HS/PS/2026/002 | Practice Session 2 | Hosting Services | 2025-12-29');
    await page.getByLabel('Session id').fill('ps3-2026');
    await page.getByLabel('Session code (PS1, PS2…)').fill('PS3');
    await page.getByLabel('Session date (Hong Kong)').fill('2026-02-07');
    await page.getByLabel('OTP-CSC').uncheck();
    await page
      .getByLabel('Upload the rundown file')
      .setInputFiles({ name: 'ps3.yaml', mimeType: 'text/plain', buffer: Buffer.from('steps:\n  - at: "10:00"\n    action: lose-primary\n') });
    // The page reads the file asynchronously: wait for the text to land before reading it.
    const rundown = page.getByLabel('Rundown', { exact: true });
    await page
      .waitForFunction((el) => (el as HTMLTextAreaElement).value.includes('lose-primary'), await rundown.elementHandle(), { timeout: 10_000 })
      .catch(() => undefined);
    assert.match(await rundown.inputValue(), /lose-primary/);
    // Deadlines left empty: the server names both fields, shown beside them.
    await page.getByRole('button', { name: 'Create' }).click();
    await field(page, 'session.intentionDeadline').locator('.field-error').waitFor();
    assert.match(
      await field(page, 'session.intentionDeadline').locator('.field-error').innerText(),
      /^Appendix A deadline must not be empty\.$/,
      'the field is named by its label, not its path',
    );
    await page.getByLabel(/Appendix A deadline/).fill('2026-02-06T17:00');
    await page.getByLabel(/Appendix B deadline/).fill('2026-02-10T18:00');
    // The notice was stored by the first attempt, and is now the one chosen.
    assert.equal(await page.getByLabel('Notice', { exact: true }).inputValue(), 'hs-notice-ps3');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Practice Session 3: failover of trading and market data' }).waitFor();
    const facts = await page.locator('dl.facts').innerText();
    assert.match(facts, /2026-02-06 17:00 HKT/);
    assert.match(facts, /OTP-C, OMD-C, OMD-CC/);
    const stored = await desk.store.getSession('ps3-2026');
    assert.equal(stored?.intentionDeadline, '2026-02-06T17:00:00.000+08:00');
    assert.match(stored?.rundown ?? '', /lose-primary/);

    await page.goto(desk.url + '/subscribers/import');
    const header = 'id,name,participantCode,hsnPorts,identities,primaryName,primaryPhone,primaryMobile,primaryEmail';
    await page
      .getByLabel('CSV text')
      .fill(`${header}\nfirm-z,Z Securities Limited,B1900,P1;P2,OTP-C:B1900T1:trading,Zed,+852 1234 5678,+852 9876 5432,not-an-email\n`);
    await page.getByRole('button', { name: 'Import' }).click();
    assert.match(await page.locator('#csv-errors').innerText(), /^Row 2: Primary contact's email is not an email address/);
    await page
      .getByLabel('CSV text')
      .fill(`${header}\nfirm-z,Z Securities Limited,B1900,P1;P2,OTP-C:B1900T1:trading,Zed,+852 1234 5678,+852 9876 5432,z@z.example\n`);
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByRole('status').filter({ hasText: 'Imported 1 rows: 1 new, 0 updated.' }).waitFor();
    assert.equal((await desk.store.getSubscriber('firm-z'))?.name, 'Z Securities Limited');
    await page.context().close();
  });
});

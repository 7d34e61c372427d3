// The desk officer's administration in Debian's Chromium (playwright-core), in
// English and Traditional Chinese, against a desk on SQLite without a mail
// server: users (create, disable, enable, reset a password), editing a session
// and reading its audit, the audit log a page at a time, the reminder preview
// and the reminders sent, a firm's contacts, the Appendix A export, and the
// dashboard's declined and self-reported marks.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromiumSkip, launchChromium, settableClock, hk } from '../helpers/browser.ts';
import { demoSession, ensureWebBuilt, sampleIntentionForm, seedDemo, startDesk, type RunningDesk, type Subscriber } from '../../src/desk/index.ts';

const PW = 'admin-browser-password';

describe('desk administration in Chromium', { skip: chromiumSkip, timeout: 120_000 }, () => {
  let dir: string;
  let desk: RunningDesk;
  let browser: Browser;
  let firms: Subscriber[];
  let deskId = '';
  const clock = settableClock(hk('2026-01-08T10:00'));
  const session = demoSession();

  before(async () => {
    assert.ok(ensureWebBuilt({ quiet: true }), 'web/dist built');
    dir = mkdtempSync(join(tmpdir(), 'fd-admin-web-'));
    desk = await startDesk({ db: join(dir, 'desk.sqlite'), clock, evidenceToken: 'admin-web-token', sessionTtlMs: 30 * 86_400_000 });
    const seed = await seedDemo(desk.store, { now: clock.now(), password: PW, scryptCost: 1024, subscribers: 3, session });
    firms = seed.subscribers;
    deskId = (await desk.store.getUserByUsername('desk'))!.id;
    // firm-a takes part; firm-b declined; firm-c has returned nothing.
    await desk.store.submitForm({
      sessionId: session.id,
      subscriberId: 'firm-a',
      kind: 'intention',
      submissionId: 'web-admin-a-1',
      content: sampleIntentionForm(session, firms[0]!),
      submittedBy: 'x',
      submittedAt: clock.now(),
      late: false,
    });
    await desk.store.submitForm({
      sessionId: session.id,
      subscriberId: 'firm-b',
      kind: 'intention',
      submissionId: 'web-admin-b-1',
      content: { ...sampleIntentionForm(session, firms[1]!), participate: false, services: [] },
      submittedBy: 'x',
      submittedAt: clock.now(),
      late: false,
    });
    // An automatic reminder sent earlier, on a desk that had a mail server then.
    await desk.store.recordReminder(
      { sessionId: session.id, subscriberId: 'firm-c', kind: 'intention', sentAt: clock.now() - 3600_000, recipients: ['ops@c.example', 'it@c.example'] },
      'reminders',
    );
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await desk?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(lang?: 'zh-Hant'): Promise<Page> {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(desk.url + '/');
    if (lang) await page.getByRole('button', { name: '中文' }).click();
    return page;
  }

  async function signIn(username: string, opts: { lang?: 'zh-Hant'; password?: string } = {}): Promise<Page> {
    const page = await open(opts.lang);
    await page.getByLabel(opts.lang ? '用戶名稱' : 'Username').fill(username);
    await page.getByLabel(opts.lang ? '密碼' : 'Password').fill(opts.password ?? PW);
    await page.getByRole('button', { name: opts.lang ? '登入' : 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: opts.lang ? '演習' : 'Practice sessions' }).waitFor();
    return page;
  }

  /** A sign-in that is refused: the alert's text. */
  async function refusedSignIn(username: string, password: string, lang?: 'zh-Hant'): Promise<string> {
    const page = await open(lang);
    await page.getByLabel(lang ? '用戶名稱' : 'Username').fill(username);
    await page.getByLabel(lang ? '密碼' : 'Password').fill(password);
    await page.getByRole('button', { name: lang ? '登入' : 'Sign in', exact: true }).click();
    const alert = page.getByRole('alert').first();
    await alert.waitFor();
    const text = await alert.innerText();
    await page.context().close();
    return text;
  }

  it('users: create with the password rules, disable (the user is refused and signed out), enable, reset a password', async () => {
    const firmB = await signIn('firm-b.user');
    const page = await signIn('desk');
    await page.getByRole('navigation', { name: 'Desk pages' }).getByRole('link', { name: 'Users' }).click();
    await page.locator('tr[data-user="desk"]').waitFor();
    assert.equal(await page.locator('table.users tbody tr').count(), 4);

    await page.getByLabel('Username', { exact: true }).fill('firm-a.ops');
    await page.getByLabel('Display name').fill('A Operations');
    await page.getByLabel('Firm', { exact: true }).selectOption('firm-a');
    await page.getByLabel('Initial password (10 to 200 characters)').fill('short');
    await page.getByRole('button', { name: 'Create the user' }).click();
    assert.equal(await page.locator('[data-path="user.password"] .field-error').innerText(), 'A password is 10 to 200 characters.');
    await page.getByLabel('Initial password (10 to 200 characters)').fill('a-long-first-password');
    await page.getByRole('button', { name: 'Create the user' }).click();
    await page.getByRole('status').filter({ hasText: 'User firm-a.ops created.' }).waitFor();
    await page.locator('tr[data-user="firm-a.ops"]').waitFor();
    assert.equal(await page.locator('table.users tbody tr').count(), 5);
    assert.equal((await desk.store.getUserByUsername('firm-a.ops'))?.subscriberId, 'firm-a');

    // Disable firm-b.user: its open page is signed out, a new sign-in is refused in either language.
    const b = page.locator('tr[data-user="firm-b.user"]');
    await b.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('status').filter({ hasText: 'firm-b.user is disabled and signed out everywhere.' }).waitFor();
    await page.locator('tr[data-user="firm-b.user"][data-disabled="true"]').waitFor();
    assert.match(await b.innerText(), /disabled since 2026-01-08 10:00 HKT/);
    await firmB.reload();
    await firmB.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await firmB.context().close();
    assert.equal(await refusedSignIn('firm-b.user', PW), 'This account is disabled: ask the service desk to enable it.');
    assert.equal(await refusedSignIn('firm-b.user', PW, 'zh-Hant'), '此帳戶已停用：請聯絡服務台重新啟用。');
    // A desk officer cannot disable itself: no button on its own row.
    assert.equal(await page.locator('tr[data-user="desk"]').getByRole('button', { name: 'Disable' }).count(), 0);
    await b.getByRole('button', { name: 'Enable' }).click();
    await page.locator('tr[data-user="firm-b.user"][data-disabled="false"]').waitFor();
    await (await signIn('firm-b.user')).context().close();

    // A new password for firm-c.user; the old one stops working.
    await page.getByLabel('New password for firm-c.user').fill('firm-c-new-password');
    await page.locator('tr[data-user="firm-c.user"]').getByRole('button', { name: 'Reset the password' }).click();
    await page.getByRole('status').filter({ hasText: 'The password of firm-c.user is reset' }).waitFor();
    assert.match(await refusedSignIn('firm-c.user', PW), /Wrong username or password/);
    await (await signIn('firm-c.user', { password: 'firm-c-new-password' })).context().close();
    await page.context().close();
  });

  it('users in Chinese: the password rule and a taken username, in Chinese', async () => {
    const page = await signIn('desk', { lang: 'zh-Hant' });
    await page.getByRole('navigation', { name: '服務台頁面' }).getByRole('link', { name: '用戶帳戶' }).click();
    await page.getByLabel('用戶名稱', { exact: true }).fill('firm-a.user');
    await page.getByLabel('顯示名稱').fill('重複');
    await page.getByLabel('公司', { exact: true }).selectOption('firm-a');
    await page.getByLabel('初始密碼（10至200個字元）').fill('short');
    await page.getByRole('button', { name: '建立用戶' }).click();
    assert.equal(await page.locator('[data-path="user.password"] .field-error').innerText(), '密碼須為10至200個字元。');
    await page.getByLabel('初始密碼（10至200個字元）').fill('a-long-first-password');
    await page.getByRole('button', { name: '建立用戶' }).click();
    await page.locator('[data-path="user.username"] .field-error').filter({ hasText: '用戶名稱 firm-a.user 已被使用。' }).waitFor();
    await page.context().close();
  });

  it('a firm user sees none of the desk pages', async () => {
    const page = await signIn('firm-a.user');
    assert.equal(await page.getByRole('navigation', { name: 'Desk pages' }).count(), 0);
    for (const path of ['/users', '/audit', '/subscribers', `/sessions/${session.id}/edit`]) {
      await page.goto(desk.url + path);
      await page.getByText('Page not found.').waitFor();
    }
    await page.context().close();
  });

  it('edits a session (a later Appendix B deadline, a longer rundown) and shows the change in its audit', async () => {
    const page = await signIn('desk');
    await page.getByRole('link', { name: /PS2/ }).click();
    await page.getByRole('link', { name: 'Edit the session' }).click();
    const deadline = page.getByLabel(/Appendix B deadline/);
    assert.equal(await deadline.inputValue(), '2026-01-12T18:00');
    await deadline.fill('2026-01-14T18:00');
    const rundown = page.getByLabel('Rundown', { exact: true });
    await rundown.fill((await rundown.inputValue()) + '\n  - at: "11:30"\n    action: failback');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Session saved.' }).waitFor();
    assert.match(await page.locator('dl.facts').innerText(), /2026-01-14 18:00 HKT/);
    assert.equal((await desk.store.getSession(session.id))?.resultDeadline, '2026-01-14T18:00:00.000+08:00');

    await page.getByRole('link', { name: 'Changes to this session' }).click();
    const entry = page.locator('tr[data-action="session.update"]').first();
    await entry.waitFor();
    assert.equal(await page.locator('tr[data-action]').first().getAttribute('data-action'), 'session.update', 'newest first');
    assert.match(await entry.locator('[data-field="resultDeadline"] .before').innerText(), /2026-01-12T18:00/);
    assert.match(await entry.locator('[data-field="resultDeadline"] .after').innerText(), /2026-01-14T18:00/);
    assert.doesNotMatch(await entry.locator('[data-field="rundown"] .before').innerText(), /failback/);
    assert.match(await entry.locator('[data-field="rundown"] .after').innerText(), /failback/);
    assert.match(await entry.locator('td[data-actor]').innerText(), /\(desk\)/);
    await page.context().close();
  });

  it('in Chinese: edits a session, reads its audit, finds the Appendix A export', async () => {
    const page = await signIn('desk', { lang: 'zh-Hant' });
    await page.getByRole('link', { name: /PS2/ }).click();
    await page.getByRole('link', { name: '匯出附錄甲（CSV）' }).waitFor();
    await page.getByRole('link', { name: '修改演習' }).click();
    const deadline = page.getByLabel(/附錄甲截止時間/);
    assert.equal(await deadline.inputValue(), '2026-01-09T23:59');
    await deadline.fill('2026-01-10T08:00');
    await page.getByRole('button', { name: '儲存' }).click();
    await page.getByRole('status').filter({ hasText: '已儲存演習。' }).waitFor();
    assert.match(await page.locator('dl.facts').innerText(), /2026-01-10 08:00 香港時間/);
    await page.getByRole('link', { name: '此演習的修改記錄' }).click();
    await page.getByRole('heading', { name: '審計記錄' }).waitFor();
    assert.ok(await page.getByLabel('執行者').isVisible());
    const entry = page.locator('tr[data-action="session.update"]').first();
    await entry.waitFor();
    assert.match(await entry.locator('[data-field="intentionDeadline"] .before').innerText(), /2026-01-09T23:59/);
    assert.match(await entry.locator('[data-field="intentionDeadline"] .after').innerText(), /2026-01-10T08:00/);
    await page.context().close();
  });

  it('the audit log: filtered by actor, newest first, a page at a time', async () => {
    for (let i = 0; i < 60; i++) await desk.store.appendAudit(deskId, 'subscriber.update', 'subscriber', `firm-page-${i}`, { n: i }, clock.now() + i);
    await desk.store.appendAudit('conductor', 'evidence.ingest', 'evidence', session.id, { inserted: 1 }, clock.now() + 100);
    const page = await signIn('desk');
    await page.getByRole('navigation', { name: 'Desk pages' }).getByRole('link', { name: 'Audit log' }).click();
    // Unfiltered, the conductor's entry is the newest; filtered by the desk officer, it is gone.
    await page.locator('table.audit td[data-actor="conductor"]').first().waitFor();
    await page.getByLabel('Actor').selectOption(deskId);
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('table.audit td[data-actor="conductor"]').first().waitFor({ state: 'detached' });
    const rows = page.locator('table.audit tbody tr');
    await page.locator('tr[data-action="subscriber.update"]').first().waitFor();
    assert.equal(await rows.count(), 50);
    const actors = await page.locator('table.audit td[data-actor]').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-actor')));
    assert.equal(actors.length, 50);
    assert.ok(actors.every((a) => a === deskId));
    const first = await page.locator('table.audit tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-audit-id'))));
    assert.deepEqual(
      first,
      [...first].sort((a, b) => b - a),
    );
    assert.ok(await page.getByRole('button', { name: 'Newer' }).isDisabled());
    await page.getByRole('button', { name: 'Older' }).click();
    await page.waitForFunction((top) => Number(document.querySelector('table.audit tbody tr')?.getAttribute('data-audit-id')) < top, first.at(-1)!);
    const second = await page.locator('table.audit tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-audit-id'))));
    assert.ok(second.length > 0);
    assert.ok(second[0]! < first.at(-1)!, 'the older page starts below the newer one');
    await page.getByRole('button', { name: 'Newer' }).click();
    await page.waitForFunction((top) => Number(document.querySelector('table.audit tbody tr')?.getAttribute('data-audit-id')) === top, first[0]!);
    await page.context().close();
  });

  it('reminders without a mail server: the note, who would be reminded of which form and where, the reminders sent; no Appendix B for a firm that declined', async () => {
    const page = await signIn('desk');
    await page.getByRole('link', { name: /PS2/ }).click();
    const panel = page.locator('section.reminders');
    await panel.locator('[data-reminder-note]').waitFor();
    assert.match(await panel.locator('[data-reminder-note]').innerText(), /no mail server/);
    const a = panel.locator('[data-kind="intention"]');
    assert.deepEqual(await a.locator('tr[data-preview]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-preview'))), ['firm-c']);
    assert.match(await a.locator('tr[data-preview="firm-c"]').innerText(), /C Securities Limited.*Appendix A.*ops@c\.example, it@c\.example/s);
    assert.ok(await a.getByRole('button', { name: 'Send reminders for Appendix A' }).isDisabled());
    const bPreview = panel.locator('[data-kind="result"]');
    assert.deepEqual(await bPreview.locator('tr[data-preview]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-preview'))), ['firm-a', 'firm-c']);
    const sent = panel.locator('table.reminders-sent tbody tr');
    assert.equal(await sent.count(), 1);
    assert.match(await sent.first().innerText(), /C Securities Limited\s+Appendix A\s+ops@c\.example, it@c\.example\s+automatic/);

    // The same in Chinese.
    await page.getByRole('button', { name: '中文' }).click();
    await panel.locator('[data-reminder-note]').filter({ hasText: '未設定郵件伺服器' }).waitFor();
    assert.match(await a.locator('tr[data-preview="firm-c"]').innerText(), /附錄甲/);
    assert.match(await sent.first().innerText(), /自動/);
    await page.context().close();
  });

  it('contacts: from the dashboard to the firm page; who to call on the day; the Appendix A export', async () => {
    const page = await signIn('desk');
    await page.getByRole('link', { name: /PS2/ }).click();
    const call = page.locator('table.who-to-call');
    await call.locator('tr[data-call="firm-a"]').waitFor();
    const dayContact = sampleIntentionForm(session, firms[0]!).contactOnDay;
    assert.match(await call.locator('tr[data-call="firm-a"]').innerText(), new RegExp(`${dayContact.name}.*${dayContact.mobile.replace(/[+]/g, '\\+')}`, 's'));
    assert.match(await call.locator('tr[data-call="firm-b"]').innerText(), /declined/);
    assert.match(await call.locator('tr[data-call="firm-c"]').innerText(), /missing.*ops@c\.example/s);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export Appendix A (CSV)' }).click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    assert.ok(csv.startsWith('\uFEFFsession,subscriber,subscriberName,participantCode,status,'));
    const lines = csv.trim().split('\n');
    assert.equal(lines.length, 4);
    assert.match(lines[1]!, /^ps2-2026,firm-a,A Securities Limited,B1000,returned,1,[^,]+,yes,/);
    assert.match(lines[2]!, /^ps2-2026,firm-b,B Securities Limited,B1001,returned,1,[^,]+,no,/);
    assert.match(lines[3]!, /^ps2-2026,firm-c,C Securities Limited,B1002,missing,,,,/);

    await page.locator('tr[data-subscriber="firm-a"]').getByRole('link', { name: 'A Securities Limited' }).click();
    await page.getByRole('heading', { name: 'A Securities Limited' }).waitFor();
    const primary = page.locator('[data-contact="primary"]');
    assert.match(await primary.innerText(), /A Operations/);
    assert.match(await primary.innerText(), /ops@a\.example/);
    assert.equal(await primary.getByRole('link', { name: 'ops@a.example' }).getAttribute('href'), 'mailto:ops@a.example');
    assert.match(await page.locator('[data-contact="alternate"]').innerText(), /it@a\.example/);
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('heading', { name: '聯絡人', exact: true }).waitFor();
    assert.ok(await page.getByRole('heading', { name: '主要聯絡人' }).isVisible());
    await page.context().close();
  });

  it('the dashboard marks the firms that declined and the cells backed only by self-reported evidence, in both languages', async () => {
    const page = await signIn('desk');
    // What the dashboard says about provenance and declining, when the desk sends it: firm-c declined, one self-reported cell.
    await page.route('**/api/sessions/*/dashboard', async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      for (const r of body.rows) {
        r.provenance = Object.fromEntries(
          body.session.services.map((s: string) => [s, r.subscriber.id === 'firm-a' && s === 'OMD-C' ? 'self-reported' : 'none']),
        );
        r.declined = r.subscriber.id === 'firm-b' || r.subscriber.id === 'firm-c';
      }
      body.declined = 2;
      await route.fulfill({ response: res, json: body });
    });
    await page.getByRole('link', { name: /PS2/ }).click();
    await page.locator('tr[data-subscriber="firm-a"]').waitFor();
    assert.equal(await page.locator('tr[data-subscriber="firm-c"]').getAttribute('data-declined'), 'true');
    assert.equal(await page.locator('tr[data-subscriber="firm-a"]').getAttribute('data-declined'), 'false');
    assert.match(await page.locator('[data-count="declined"]').innerText(), /Declined: 2/);
    const cell = page.locator('tr[data-subscriber="firm-a"] td[data-service="OMD-C"]');
    assert.equal(await cell.getAttribute('data-provenance'), 'self-reported');
    assert.equal(await cell.locator('.badge.self-reported').innerText(), 'self-reported');
    assert.equal(await page.locator('td .badge.self-reported').count(), 1);
    await page.getByRole('button', { name: '中文' }).click();
    await page.locator('tr[data-subscriber="firm-c"] .badge.declined').filter({ hasText: '不參與' }).waitFor();
    assert.equal(await cell.locator('.badge.self-reported').innerText(), '自行申報');
    await page.context().close();

    // Without those fields (a desk that does not send them yet), the latest Appendix A still tells who declined.
    const plain = await signIn('desk');
    await plain.getByRole('link', { name: /PS2/ }).click();
    await plain.locator('tr[data-subscriber="firm-b"][data-declined="true"]').waitFor();
    assert.equal(await plain.locator('tr[data-subscriber="firm-b"] .badge.declined').innerText(), 'declined');
    assert.equal(await plain.locator('tr[data-subscriber="firm-c"]').getAttribute('data-declined'), 'false');
    assert.equal(await plain.locator('td .badge.self-reported').count(), 0);
    await plain.context().close();
  });
});

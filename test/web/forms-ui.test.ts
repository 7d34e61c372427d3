// The appendices in Chromium (playwright-core), in English and Traditional
// Chinese: validation messages name the field by its label and put the focus
// on it, unsafe text is refused, a firm may decline or leave a service out,
// an expired sign-in loses nothing typed, a desk officer submits on a firm's
// behalf with a reason, every contradiction is highlighted on its field, no
// answer is suggested without evidence, dates are typed YYYY-MM-DD whatever
// the browser's locale, and the first load asks for nothing that is missing.
// Where the desk's answer comes from parts built elsewhere (who submitted a
// version, "unchanged", evidence messages), the test serves the contract's shape.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromiumSkip, launchChromium, settableClock, hk } from '../helpers/browser.ts';
import {
  demoEvidence,
  demoSession,
  ensureWebBuilt,
  findContradictions,
  sampleResultForm,
  seedDemo,
  startDesk,
  type RunningDesk,
  type Subscriber,
} from '../../src/desk/index.ts';

const PW = 'browser-test-password';

const domId = (path: string) => 'f-' + path.replace(/[^A-Za-z0-9_-]/g, '_');
type Lang = 'en' | 'zh-Hant';
const L = {
  en: {
    signIn: 'Sign in',
    user: 'Username',
    pw: 'Password',
    sessions: 'Practice sessions',
    submit: 'Submit',
    participate: 'We will participate',
    softwareName: 'Software name',
    version: 'Version',
    signatory: 'Signatory name',
    title: 'Signatory title',
    willJoin: 'We will join the session',
    read: 'We have read the rundown',
    confirm: 'I confirm the answers above and sign this form',
  },
  'zh-Hant': {
    signIn: '登入',
    user: '用戶名稱',
    pw: '密碼',
    sessions: '演習',
    submit: '提交',
    participate: '我們將參與',
    softwareName: '軟件名稱',
    version: '版本',
    signatory: '簽署人姓名',
    title: '簽署人職銜',
    willJoin: '我們將參與演習',
    read: '我們已閱讀流程',
    confirm: '本人確認以上答案並簽署本表格',
  },
} as const;

describe('the appendices in Chromium', { skip: chromiumSkip, timeout: 120_000 }, () => {
  let dir: string;
  let desk: RunningDesk;
  let browser: Browser;
  let firms: Subscriber[];
  const clock = settableClock(hk('2026-01-08T10:00')); // before the Appendix A deadline
  const session = demoSession();
  const intentionPath = (firm: string) => `/sessions/${session.id}/forms/intention/${firm}`;
  const resultPath = (firm: string) => `/sessions/${session.id}/forms/result/${firm}`;

  before(async () => {
    assert.ok(ensureWebBuilt({ quiet: true }), 'web/dist built');
    dir = mkdtempSync(join(tmpdir(), 'fd-forms-web-'));
    desk = await startDesk({ db: join(dir, 'desk.sqlite'), clock, evidenceToken: 'conductor-token-for-forms-tests', sessionTtlMs: 30 * 86_400_000 });
    firms = (await seedDemo(desk.store, { now: clock.now(), password: PW, scryptCost: 1024, subscribers: 8, session })).subscribers;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await desk?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Signs in on the sign-in form the page shows, in `lang`. */
  async function signInHere(page: Page, username: string, lang: Lang) {
    await page.getByLabel(L[lang].user).fill(username);
    await page.getByLabel(L[lang].pw).fill(PW);
    await page.getByRole('button', { name: L[lang].signIn, exact: true }).click();
  }

  async function open(username: string, lang: Lang, path: string, opts: { locale?: string } = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: opts.locale ?? 'en-US' });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(desk.url + '/');
    if (lang === 'zh-Hant') await page.getByRole('button', { name: '中文' }).click();
    await signInHere(page, username, lang);
    await page.getByRole('heading', { name: L[lang].sessions }).waitFor();
    await page.goto(desk.url + path);
    await page.getByRole('button', { name: L[lang].submit }).waitFor();
    return page;
  }

  const field = (page: Page, path: string) => page.locator(`[data-path="${path}"]`);
  /** Waits until the element with `id` has the focus (focus moves right after the errors are shown). */
  const focused = (page: Page, id: string) => page.waitForFunction((x) => document.activeElement?.id === x, id, { timeout: 5_000 });

  for (const [lang, firm, texts] of [
    [
      'en',
      'firm-a',
      {
        software: 'Software name (OTP-C) must not be empty.',
        bidi: /^Signatory name contains an invisible bidirectional-override character/,
        nul: /^Software version \(OMD-C\) contains a control character \(such as NUL\)/,
      },
    ],
    [
      'zh-Hant',
      'firm-b',
      { software: '軟件名稱（OTP-C）不可留空。', bidi: /^簽署人姓名含有隱形的雙向文字控制字元/, nul: /^軟件版本（OMD-C）含有無法儲存的控制字元/ },
    ],
  ] as const) {
    it(`${lang}: a refused submission names each field by its label in a sentence, focuses the first bad field, and refuses NUL and bidirectional overrides`, async () => {
      const page = await open(`${firm}.user`, lang, intentionPath(firm));
      await page.getByRole('button', { name: L[lang].submit }).click();
      const nameError = field(page, 'form.software[0].name').locator('.field-error');
      await nameError.waitFor();
      assert.equal(await nameError.innerText(), texts.software);
      const summary = await page.locator('.error-summary').innerText();
      assert.doesNotMatch(summary, /form\.|\[\d\]|validation\./, 'no internal path or code in what a person reads');
      // The first bad field in page order has the focus, not the summary.
      await focused(page, domId('form.software[0].name'));

      // Typed text that would display as something else, or carries a NUL, is refused with a clear message.
      const names = page.getByLabel(L[lang].softwareName);
      assert.equal(await names.count(), 4);
      for (let i = 0; i < 4; i++) {
        await names.nth(i).fill('OrderGateway');
        await page
          .getByLabel(L[lang].version, { exact: true })
          .nth(i)
          .fill(i === 2 ? '4.2\u0000' : '4.2');
      }
      await page.getByLabel(L[lang].willJoin).check();
      await page.getByLabel(L[lang].read).check();
      await page.getByLabel(L[lang].signatory).fill('Chan \u202EnaM iaT');
      await page.getByLabel(L[lang].title).fill('Head of IT');
      await page.getByRole('button', { name: L[lang].submit }).click();
      // The first submission's "must not be empty" is still shown until this answer replaces it: wait for the new text.
      await field(page, 'form.signatory.name').locator('.field-error', { hasText: texts.bidi }).waitFor();
      assert.match(await field(page, 'form.signatory.name').locator('.field-error').innerText(), texts.bidi);
      assert.match(await field(page, 'form.software[2].version').locator('.field-error').innerText(), texts.nul);
      await focused(page, domId('form.software[2].version'));
      assert.equal((await desk.store.listFormVersions(session.id, firm, 'intention')).length, 0);
      await page.context().close();
    });
  }

  it('a message follows the language switch: shown again in the other language without submitting again', async () => {
    const page = await open('firm-a.user', 'en', intentionPath('firm-a'));
    await page.getByRole('button', { name: 'Submit' }).click();
    await field(page, 'form.willJoin').locator('.field-error').waitFor();
    assert.equal(await field(page, 'form.willJoin').locator('.field-error').innerText(), '"We will join the session" must be ticked when participating.');
    await page.getByRole('button', { name: '中文' }).click();
    await field(page, 'form.willJoin').locator('.field-error').filter({ hasText: '參與演習時必須剔選「我們將參與演習」。' }).waitFor();
    await page.context().close();
  });

  for (const [lang, firm, banner] of [
    ['en', 'firm-c', 'C Securities Limited declined this practice session in Appendix A: no result form is expected.'],
    ['zh-Hant', 'firm-d', 'D Securities Limited 已在附錄甲表示不參與本次演習：毋須提交結果表格。'],
  ] as const) {
    it(`${lang}: declining hides the participation part and needs only a signature; Appendix B then says no result form is expected`, async () => {
      const page = await open(`${firm}.user`, lang, intentionPath(firm));
      assert.equal(await page.getByLabel(L[lang].softwareName).count(), 4);
      await page.getByLabel(L[lang].participate, { exact: true }).uncheck();
      await page.locator('[data-declining]').waitFor();
      assert.equal(await page.getByLabel(L[lang].softwareName).count(), 0, 'no software asked of a firm that declines');
      assert.equal(await page.getByLabel(L[lang].willJoin).count(), 0);
      await page.getByLabel(L[lang].signatory).fill('Chan Tai Man');
      await page.getByLabel(L[lang].title).fill('Head of IT');
      await page.getByRole('button', { name: L[lang].submit }).click();
      await page
        .getByRole('status')
        .filter({ hasText: lang === 'en' ? 'Submitted: version 1' : '已提交：版本 1' })
        .waitFor();
      const stored = await desk.store.listFormVersions(session.id, firm, 'intention');
      assert.equal(stored.length, 1);
      assert.equal((stored[0]!.content as { participate: boolean }).participate, false);
      // Coming back to take part after all: the usual answers return, ready to fill in.
      await page.reload();
      await page.locator('[data-declining]').waitFor();
      await page.getByLabel(L[lang].participate, { exact: true }).check();
      assert.equal(await page.getByLabel(L[lang].softwareName).count(), 4);
      assert.equal(await page.locator('input[name="form.contactOnDay.name"]').inputValue(), `${firm.slice(-1).toUpperCase()} Operations`);
      assert.equal(await page.getByLabel(L[lang].signatory).inputValue(), 'Chan Tai Man');

      await page.goto(desk.url + resultPath(firm));
      await page.locator('[data-declined]').waitFor();
      assert.match(await page.locator('[data-declined]').innerText(), new RegExp('^' + banner.replace(/[.()]/g, '\\$&')));
      await page.context().close();
    });
  }

  it('a participating firm leaves one service out of Appendix A', async () => {
    const page = await open('firm-e.user', 'en', intentionPath('firm-e'));
    await page.getByLabel('Test OMD-CC').uncheck();
    assert.equal(await page.getByLabel('Software name').count(), 3, 'its software line goes with it');
    const names = page.getByLabel('Software name');
    for (let i = 0; i < 3; i++) {
      await names.nth(i).fill('OrderGateway');
      await page.getByLabel('Version', { exact: true }).nth(i).fill('4.2');
    }
    await page.getByLabel('We will join the session').check();
    await page.getByLabel('We have read the rundown').check();
    await page.getByLabel('Signatory name').fill('Chan Tai Man');
    await page.getByLabel('Signatory title').fill('Head of IT');
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('status').filter({ hasText: 'Submitted: version 1' }).waitFor();
    const stored = (await desk.store.listFormVersions(session.id, 'firm-e', 'intention'))[0]!.content as { services: { service: string }[] };
    assert.deepEqual(
      stored.services.map((s) => s.service),
      ['OTP-C', 'OTP-CSC', 'OMD-C'],
    );
    await page.context().close();
  });

  for (const [lang, firm, expired] of [
    ['en', 'firm-f', 'Your sign-in has expired. Your answers are kept on this computer: sign in again, then submit.'],
    ['zh-Hant', 'firm-g', '登入已逾時。您的答案已保存在此電腦：請重新登入，然後提交。'],
  ] as const) {
    it(`${lang}: the sign-in expires while the form is open: signing in again brings back every answer typed`, async () => {
      const page = await open(`${firm}.user`, lang, intentionPath(firm));
      await page.context().clearCookies();
      const names = page.getByLabel(L[lang].softwareName);
      for (let i = 0; i < 4; i++) {
        await names.nth(i).fill(`Gateway ${i}`);
        await page.getByLabel(L[lang].version, { exact: true }).nth(i).fill('7.1');
      }
      await page.getByLabel(L[lang].willJoin).check();
      await page.getByLabel(L[lang].read).check();
      await page.getByLabel(L[lang].signatory).fill('Wong Siu Ming');
      await page.getByLabel(L[lang].title).fill('IT Manager');
      await page.getByRole('button', { name: L[lang].submit }).click();
      await page.locator('.error-summary').filter({ hasText: expired }).waitFor();
      await page.getByRole('button', { name: lang === 'en' ? 'Sign in again' : '重新登入' }).click();
      await signInHere(page, `${firm}.user`, lang);
      await page.locator('[data-draft-restored]').waitFor();
      assert.equal(await page.getByLabel(L[lang].signatory).inputValue(), 'Wong Siu Ming');
      assert.equal(await page.getByLabel(L[lang].softwareName).nth(3).inputValue(), 'Gateway 3');
      assert.equal(await page.getByLabel(L[lang].willJoin).isChecked(), true);
      await page.getByRole('button', { name: L[lang].submit }).click();
      await page
        .getByRole('status')
        .filter({ hasText: lang === 'en' ? 'Submitted: version 1' : '已提交：版本 1' })
        .waitFor();
      const stored = (await desk.store.listFormVersions(session.id, firm, 'intention'))[0]!.content as { signatory: { name: string } };
      assert.equal(stored.signatory.name, 'Wong Siu Ming');
      assert.deepEqual(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('fd.draft:'))), [], 'the draft is gone once submitted');
      await page.context().close();
    });
  }

  it('a desk officer submits on a firm\'s behalf only with a reason, and the versions say who submitted each; the same answers again are "nothing changed"', async () => {
    const firm = 'firm-h';
    const reason = 'Paper form received by fax';
    const page = await open('desk', 'en', intentionPath(firm));
    // Who submitted (FormVersion.submittedByName/Role, onBehalfReason), as the desk answers once it stores them.
    const formUrl = `${desk.url}/api/sessions/${session.id}/forms/intention/${firm}`;
    await page.route(formUrl, async (route) => {
      if (route.request().method() !== 'GET') return route.fallback();
      const body = (await (await route.fetch()).json()) as { versions: Record<string, unknown>[] };
      body.versions = body.versions.map((v) => ({ ...v, submittedByName: 'Desk Officer', submittedByRole: 'desk', onBehalfReason: reason }));
      return route.fulfill({ json: body });
    });
    assert.equal(await page.locator('[data-on-behalf] [role="note"]').innerText(), 'You are submitting on behalf of H Securities Limited.');
    const names = page.getByLabel('Software name');
    for (let i = 0; i < 4; i++) {
      await names.nth(i).fill('OrderGateway');
      await page.getByLabel('Version', { exact: true }).nth(i).fill('4.2');
    }
    await page.getByLabel('We will join the session').check();
    await page.getByLabel('We have read the rundown').check();
    await page.getByLabel('Signatory name').fill('Chan Tai Man');
    await page.getByLabel('Signatory title').fill('Head of IT');
    await page.getByRole('button', { name: 'Submit' }).click();
    await field(page, 'onBehalfReason').locator('.field-error').waitFor();
    assert.equal(await field(page, 'onBehalfReason').locator('.field-error').innerText(), "Give the reason for submitting on the firm's behalf.");
    await focused(page, domId('onBehalfReason'));
    assert.equal((await desk.store.listFormVersions(session.id, firm, 'intention')).length, 0, 'nothing sent without a reason');

    await page.getByLabel("Reason for submitting on the firm's behalf (required)").fill(reason);
    const [request] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'POST' && r.url() === formUrl),
      page.getByRole('button', { name: 'Submit' }).click(),
    ]);
    assert.equal((request.postDataJSON() as { onBehalfReason: string }).onBehalfReason, reason);
    await page.getByRole('status').filter({ hasText: 'Submitted: version 1' }).waitFor();
    const row = page.locator('.versions tr[data-version="1"] td[data-submitted-by]');
    await row.waitFor();
    assert.equal(await row.innerText(), `Desk Officer, desk officer, on behalf of the firm; reason: ${reason}`);

    // The same answers again: the desk stores nothing and says so; the page stays on version 1.
    const v1 = (await desk.store.listFormVersions(session.id, firm, 'intention'))[0]!;
    await page.route(formUrl, (route) =>
      route.request().method() === 'POST' ? route.fulfill({ json: { version: v1, created: false, unchanged: true } }) : route.fallback(),
    );
    await page.getByLabel("Reason for submitting on the firm's behalf (required)").fill(reason);
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('status').filter({ hasText: 'Nothing changed since version 1: nothing was submitted.' }).waitFor();
    assert.equal(await page.getByText('Submitted: version').count(), 0);

    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('status').filter({ hasText: '自版本 1 以來沒有更改：未有提交。' }).waitFor();
    assert.equal(await page.locator('[data-on-behalf] [role="note"]').innerText(), '您正代表 H Securities Limited 提交。');
    assert.equal(await row.innerText(), `Desk Officer，服務台人員，代表該公司; 原因: ${reason}`);
    await page.context().close();
  });

  it('every contradiction is highlighted on its field; server texts follow the language, self-reported evidence is labelled, and no answer is suggested without evidence', async () => {
    const firm = firms.find((f) => f.id === 'firm-e')!;
    // A result form declaring a clean failover with no evidence at all: every declared connection is contradicted.
    clock.set(hk('2026-01-11T09:00'));
    const user = (await desk.store.getUserByUsername(`${firm.id}.user`))!;
    await desk.service.submitForm({
      user,
      sessionId: session.id,
      subscriberId: firm.id,
      kind: 'result',
      submissionId: 'contradicted-0001',
      form: sampleResultForm(session, firm),
    });
    const expected = findContradictions(sampleResultForm(session, firm), firm.id, []);
    assert.equal(expected.length, 12);

    const page = await open('desk', 'en', resultPath(firm.id));
    await page.locator('.banner.contradiction').waitFor();
    await page.locator('.field.contradicted').first().waitFor();
    assert.equal(await page.locator('.field.contradicted').count(), expected.length);
    for (const c of expected) {
      const path = /\.(connectedToPrimary|reconnectedToBackup)$/.test(c.field) ? `form.${c.field}.value` : `form.${c.field}`;
      assert.equal(await page.locator(`.field.contradicted[data-path="${path}"]`).count(), 1, `${c.code} on ${path}`);
    }
    assert.doesNotMatch(await page.locator('.banner.contradiction').innerText(), /NO_BACKUP_LOGON|NO_PRIMARY_LOGON/, 'codes are for machines');
    // With no evidence, the hint says so and suggests no answer.
    assert.equal(
      await page.locator('[data-section="OTP-C:B1004T1"] [data-evidence-for="connectedToPrimary"]').innerText(),
      'Evidence: no evidence for this answer',
    );
    await page.context().close();

    // The evidence side as messages with provenance (the contract's shape), in Chinese.
    const zh = await open('desk', 'zh-Hant', intentionPath(firm.id));
    const base = `${desk.url}/api/sessions/${session.id}/forms/result/${firm.id}`;
    await zh.route(base + '/contradictions', async (route) => {
      const body = (await (await route.fetch()).json()) as { contradictions: Record<string, unknown>[] };
      body.contradictions = body.contradictions.map((c) => ({
        ...c,
        message: { code: 'field.sections.reconnectedToBackup' },
        declaredMessage: { code: 'field.sections.connectedToPrimary' },
        provenance: 'self-reported',
      }));
      return route.fulfill({ json: body });
    });
    await zh.route(base + '/prefill', async (route) => {
      const body = (await (await route.fetch()).json()) as { sections: { basis: Record<string, unknown> }[] };
      body.sections[0]!.basis.connectedToPrimary = {
        text: 'logon at primary 08:35 (probe)',
        message: { code: 'field.sections.orderAndCancelAcked' },
        provenance: 'self-reported',
      };
      return route.fulfill({ json: body });
    });
    await zh.goto(desk.url + resultPath(firm.id));
    await zh.locator('.field.contradicted').first().waitFor();
    assert.equal(await zh.locator('.field.contradicted').count(), expected.length);
    assert.match(await zh.locator('.field.contradicted .field-flag').first().innerText(), /申報: 切換前已連接主要站 — 已重新連接後備站 自行申報/);
    const hint = await zh.locator('[data-section="OTP-C:B1004T1"] [data-evidence-for="connectedToPrimary"]').innerText();
    assert.match(hint, /^證據: 否 — 切換後測試訂單及取消已獲確認 自行申報$/);
    assert.match(await zh.locator('[data-section="OTP-C:B1004DC"] [data-evidence-for="connectedToPrimary"]').innerText(), /^證據: 此答案沒有證據$/);
    await zh.context().close();
    clock.set(hk('2026-01-08T10:00'));
  });

  it("zh-Hant: the evidence log names sites, who saw each event and the market phase in Chinese, the probe's word as self-reported", async () => {
    const firm = firms.find((f) => f.id === 'firm-f')!;
    const events = demoEvidence(session, firm);
    assert.ok(events.some((e) => e.source === 'probe') && events.some((e) => e.source === 'venue'));
    assert.equal((await desk.service.ingestEvidence(events, { actor: 'conductor' })).accepted, events.length);
    // The venue's phase changes, recorded for every firm at once: pre-opening at 08:30, continuous trading at 09:30.
    const phases = (
      [
        ['08:30', 'pos-order-input'],
        ['09:30', 'continuous'],
      ] as const
    ).map(([hhmm, phase]) => ({
      id: `phase-${phase}`,
      ts: new Date(hk(`${session.date}T${hhmm}`)).toISOString(),
      session: session.id,
      site: 'primary' as const,
      service: 'OTP-C' as const,
      subscriber: '*',
      identity: '*',
      kind: 'market-phase' as const,
      detail: { scope: 'market', phase },
      source: 'venue' as const,
    }));
    assert.equal((await desk.service.ingestEvidence(phases, { actor: 'conductor' })).accepted, phases.length);
    const page = await open('firm-f.user', 'zh-Hant', resultPath('firm-f'));
    await page.getByText('貴公司的全部證據（按時間排序）').click();
    const rows = page.locator('.evidence-log tbody tr');
    await rows.nth(events.length - 1).waitFor();
    assert.equal(await rows.count(), events.length);
    const all = await page.locator('.evidence-log tbody').innerText();
    assert.match(all, /主要站/);
    assert.match(all, /後備站/);
    assert.match(all, /交易所/);
    assert.match(all, /探測程式（自行申報）/);
    assert.doesNotMatch(all, /\b(primary|backup|venue|probe)\b/);
    // The firm's own rows only, each with the phase the venue was in at the time: 08:35 in the pre-opening, 10:00 on in continuous trading.
    assert.match(await page.locator('.evidence-log thead').innerText(), /市場時段/);
    const cells = page.locator('.evidence-log tbody td.market-phase');
    assert.equal(await cells.count(), events.length);
    assert.equal(await cells.first().innerText(), '開市前時段：輸入買賣盤');
    assert.equal(await cells.last().innerText(), '持續交易時段');
    await page.context().close();
  });

  it("the date signed is typed YYYY-MM-DD whatever the browser's locale", async () => {
    for (const [lang, locale] of [
      ['en', 'en-US'],
      ['zh-Hant', 'zh-TW'],
    ] as const) {
      const page = await open('firm-a.user', lang, intentionPath('firm-a'), { locale });
      const date = page.locator('input[name="form.signedOn"]');
      assert.equal(await date.getAttribute('type'), 'text');
      assert.equal(await date.getAttribute('placeholder'), 'YYYY-MM-DD');
      assert.match(await date.inputValue(), /^\d{4}-\d{2}-\d{2}$/);
      await date.fill('2026-01-09');
      assert.equal(await date.inputValue(), '2026-01-09');
      assert.match(await page.locator(`label[for="${domId('form.signedOn')}"]`).innerText(), /\(YYYY-MM-DD\)$/);
      await page.context().close();
    }
  });

  it('the first load asks for nothing that is missing and logs no error', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const missing: string[] = [];
    const refused: string[] = [];
    const errors: string[] = [];
    page.on('response', (r) => {
      if (r.status() === 404) missing.push(r.url());
      if (r.status() === 401) refused.push(new URL(r.url()).pathname);
    });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(desk.url + '/', { waitUntil: 'networkidle' });
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.deepEqual(missing, []);
    // Asking who is signed in is refused before sign-in (API.md), and Chromium logs every refusal;
    // that one line is the API's answer, not a fault of the page.
    assert.deepEqual(refused, ['/api/auth/me']);
    assert.deepEqual(
      errors.filter((e) => e !== 'Failed to load resource: the server responded with a status of 401 (Unauthorized)'),
      [],
    );
    assert.match((await page.locator('link[rel="icon"]').getAttribute('href')) ?? '', /^data:image\/svg\+xml,/);
    await context.close();
  });
});

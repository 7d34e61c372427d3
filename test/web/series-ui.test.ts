// Sessions in a series in Debian's Chromium (playwright-core), against a desk on
// SQLite: a desk officer puts PS2 into the series of PS1 (a taken number is
// refused beside the field), then the dashboard shows each firm's PS1 result and
// marks the firms to retake, a firm's page lists its results by session, and the
// reminder preview narrows to the firms to retake; in English and Chinese.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromiumSkip, launchChromium, settableClock, hk } from '../helpers/browser.ts';
import {
  demoSession,
  ensureWebBuilt,
  sampleIntentionForm,
  sampleResultForm,
  seedDemo,
  startDesk,
  type PracticeSession,
  type RunningDesk,
  type Subscriber,
} from '../../src/desk/index.ts';

const PW = 'series-browser-password';

describe('sessions in a series in Chromium', { skip: chromiumSkip, timeout: 120_000 }, () => {
  let dir: string;
  let desk: RunningDesk;
  let browser: Browser;
  const clock = settableClock(hk('2026-01-08T10:00'));
  const ps2 = demoSession();
  const ps1: PracticeSession = { ...demoSession({ id: 'ps1-2026', date: '2026-01-03' }), code: 'PS1', series: { id: 'fw-2026', order: 1 } };

  before(async () => {
    assert.ok(ensureWebBuilt({ quiet: true }), 'web/dist built');
    dir = mkdtempSync(join(tmpdir(), 'fd-series-web-'));
    desk = await startDesk({ db: join(dir, 'desk.sqlite'), clock, evidenceToken: 'series-web-token', sessionTtlMs: 30 * 86_400_000 });
    const seed = await seedDemo(desk.store, { now: clock.now(), password: PW, scryptCost: 1024, subscribers: 4, session: ps2 });
    await desk.store.createSession(ps1, 'seed', clock.now());
    const [a, b, c] = seed.subscribers as [Subscriber, Subscriber, Subscriber];
    const submit = (firm: Subscriber, kind: 'intention' | 'result', content: object) =>
      desk.store.submitForm({
        sessionId: ps1.id,
        subscriberId: firm.id,
        kind,
        submissionId: `series-web-${firm.id}-${kind}`,
        content: content as never,
        submittedBy: 'x',
        submittedAt: clock.now(),
        late: false,
      });
    // PS1: firm-a passed, firm-b failed, firm-c declined, firm-d returned nothing.
    await submit(a, 'result', sampleResultForm(ps1, a));
    const failed = sampleResultForm(ps1, b);
    failed.sections[0]!.overall = 'failed';
    failed.sections[0]!.problems = [{ time: '10:12', description: 'no logon at the backup', reference: 'B-1' }];
    await submit(b, 'result', failed);
    await submit(c, 'intention', { ...sampleIntentionForm(ps1, c), participate: false, services: [] });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await desk?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function signIn(lang?: 'zh-Hant'): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(desk.url + '/');
    if (lang) await page.getByRole('button', { name: '中文' }).click();
    await page.getByLabel(lang ? '用戶名稱' : 'Username').fill('desk');
    await page.getByLabel(lang ? '密碼' : 'Password').fill(PW);
    await page.getByRole('button', { name: lang ? '登入' : 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: lang ? '演習' : 'Practice sessions' }).waitFor();
    return page;
  }

  it("puts PS2 into the series, then shows the PS1 results, the retake marks and the firm's history", async () => {
    const page = await signIn();
    await page.getByRole('link', { name: /PS2/ }).click();
    // A session on its own: no series column, no retake count.
    await page.locator('tr[data-subscriber="firm-a"]').waitFor();
    assert.equal(await page.locator('[data-count="retake"]').count(), 0);
    await page.getByRole('link', { name: 'Edit the session' }).click();
    await page.getByLabel(/^Series id/).fill('fw-2026');
    await page.getByLabel(/^Number in the series/).fill('1');
    await page.getByRole('button', { name: 'Save' }).click();
    const taken = page.locator('[data-path="session.series.order"] .field-error');
    await taken.waitFor();
    assert.equal(await taken.innerText(), 'Session ps1-2026 is already number 1 of series fw-2026: choose another number.');
    await page.getByLabel(/^Number in the series/).fill('2');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Session saved.' }).waitFor();
    assert.deepEqual((await desk.store.getSession(ps2.id))?.series, { id: 'fw-2026', order: 2 });

    await page.locator('[data-count="retake"]').waitFor();
    assert.match(await page.locator('[data-count="retake"]').innerText(), /To retake: 3/);
    const outcome = (firm: string, session: string) => page.locator(`tr[data-subscriber="${firm}"] [data-series-session="${session}"]`);
    assert.equal(await page.locator('tr[data-subscriber]').count(), 4);
    assert.equal(await outcome('firm-a', 'ps1-2026').innerText(), 'PS1: Passed');
    assert.equal(await outcome('firm-b', 'ps1-2026').innerText(), 'PS1: Failed');
    assert.equal(await outcome('firm-c', 'ps1-2026').innerText(), 'PS1: Declined');
    assert.equal(await outcome('firm-d', 'ps1-2026').innerText(), 'PS1: No Appendix B');
    assert.equal(await outcome('firm-b', 'ps2-2026').innerText(), 'PS2: No Appendix B');
    const retakes = await page.locator('tr[data-subscriber]:has([data-retake])').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-subscriber')));
    assert.deepEqual(retakes, ['firm-b', 'firm-c', 'firm-d']);
    await page.getByRole('link', { name: 'Export results of the firms to retake (CSV)' }).waitFor();

    // The reminder preview, narrowed to the firms to retake (firm-a has nothing to retake).
    const preview = page.locator('.reminder-kind[data-kind="intention"] tr[data-preview]');
    await page.locator('.reminder-kind[data-kind="intention"] tr[data-preview="firm-a"]').waitFor();
    assert.equal(await preview.count(), 4);
    await page.getByLabel('Only the firms to retake').check();
    await page.locator('.reminder-kind[data-kind="intention"] tr[data-preview="firm-a"]').waitFor({ state: 'detached' });
    assert.deepEqual(await preview.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-preview'))), ['firm-b', 'firm-c', 'firm-d']);

    // The firm's page: its result in each session of the series, PS2 marked to retake.
    await page.locator('tr[data-subscriber="firm-b"] th a').click();
    await page.getByRole('heading', { name: 'Results by session' }).waitFor();
    const rows = page.locator('tr[data-firm-session]');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 2);
    assert.match(await rows.nth(0).innerText(), /fw-2026 #1\s+PS1 \(ps1-2026\)\s+2026-01-03\s+Failed/);
    assert.match(await rows.nth(1).innerText(), /fw-2026 #2\s+PS2 \(ps2-2026\)\s+2026-01-10\s+No Appendix B\s+Retake/);
    assert.equal(await rows.nth(1).getAttribute('data-retake'), 'true');
    await page.context().close();
  });

  it('in Chinese: the series results and the retake mark', async () => {
    const page = await signIn('zh-Hant');
    await page.getByRole('link', { name: /PS2/ }).click();
    const b = page.locator('tr[data-subscriber="firm-b"]');
    await b.locator('[data-retake]').waitFor();
    assert.equal(await b.locator('[data-retake]').innerText(), '須重考');
    assert.equal(await b.locator('[data-series-session="ps1-2026"]').innerText(), 'PS1: 失敗');
    assert.equal(await page.locator('tr[data-subscriber="firm-a"] [data-retake]').count(), 0);
    await page.context().close();
  });
});

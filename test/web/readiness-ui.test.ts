// Readiness before the session in Debian's Chromium (playwright-core), against a desk on SQLite:
// the dashboard's readiness column (passed / failed with the failed checks / not run) and the
// "not ready" flag of firms that will take part without a passed check, the reminder panel
// narrowed to them, and the readiness line on a firm's Appendix A page, for a desk officer and
// for the firm's own user; in English and Chinese.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromiumSkip, launchChromium, settableClock, hk } from '../helpers/browser.ts';
import { ensureWebBuilt, sampleIntentionForm, seedDemo, startDesk, type PracticeSession, type RunningDesk, type Subscriber } from '../../src/desk/index.ts';
import type { EvidenceEvent } from '../../src/evidence/index.ts';

const PW = 'readiness-browser-password';

function check(session: string, firm: string, run: string, passed: boolean, at: string): EvidenceEvent {
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
          reason: passed ? 'logged on and off' : 'refused with Session Status 5',
        },
      ],
    },
  };
}

describe('readiness on the desk in Chromium', { skip: chromiumSkip, timeout: 120_000 }, () => {
  let dir: string;
  let desk: RunningDesk;
  let browser: Browser;
  let session: PracticeSession;
  const clock = settableClock(hk('2026-01-08T10:00'));

  before(async () => {
    assert.ok(ensureWebBuilt({ quiet: true }), 'web/dist built');
    dir = mkdtempSync(join(tmpdir(), 'fd-readiness-web-'));
    desk = await startDesk({ db: join(dir, 'desk.sqlite'), clock, evidenceToken: 'readiness-web-token', sessionTtlMs: 30 * 86_400_000 });
    const seed = await seedDemo(desk.store, { now: clock.now(), password: PW, scryptCost: 1024, subscribers: 4 });
    session = seed.session;
    const [a, b, c, d] = seed.subscribers as [Subscriber, Subscriber, Subscriber, Subscriber];
    // a, b and c will take part, d declines. a passed its second run, b failed, c and d never ran one.
    for (const [f, participate] of [
      [a, true],
      [b, true],
      [c, true],
      [d, false],
    ] as const) {
      const form = participate ? sampleIntentionForm(session, f) : { ...sampleIntentionForm(session, f), participate: false, services: [] };
      const r = await desk.store.submitForm({
        sessionId: session.id,
        subscriberId: f.id,
        kind: 'intention',
        submissionId: `ready-web-${f.id}`,
        content: form,
        submittedBy: 'seed',
        submittedAt: clock.now(),
        late: false,
      });
      assert.equal(r.created, true);
    }
    const ingest = await desk.store.ingestEvidence(
      [
        check(session.id, a.id, 'r1', false, '2026-01-09T00:10:00.000Z'),
        check(session.id, a.id, 'r2', true, '2026-01-09T00:12:00.000Z'),
        check(session.id, b.id, 'r3', false, '2026-01-09T00:11:00.000Z'),
      ],
      'conductor',
      clock.now(),
    );
    assert.equal(ingest.inserted.length, 3);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await desk?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function signIn(username: string, lang?: 'zh-Hant'): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(desk.url + '/');
    if (lang) await page.getByRole('button', { name: '中文' }).click();
    await page.getByLabel(lang ? '用戶名稱' : 'Username').fill(username);
    await page.getByLabel(lang ? '密碼' : 'Password').fill(PW);
    await page.getByRole('button', { name: lang ? '登入' : 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: lang ? '演習' : 'Practice sessions' }).waitFor();
    return page;
  }

  it('shows the readiness column, flags the firms not ready and reminds only them', async () => {
    const page = await signIn('desk');
    await page.getByRole('link', { name: /PS2/ }).click();
    await page.locator('tr[data-subscriber="firm-a"] [data-readiness]').waitFor();
    assert.equal(await page.locator('tr[data-subscriber]').count(), 4);
    const states = await page
      .locator('tr[data-subscriber] td[data-readiness]')
      .evaluateAll((cells) => cells.map((c) => `${c.closest('tr')!.getAttribute('data-subscriber')}=${c.getAttribute('data-readiness')}`));
    assert.deepEqual(states, ['firm-a=passed', 'firm-b=failed', 'firm-c=none', 'firm-d=none']);
    assert.match(await page.locator('tr[data-subscriber="firm-a"] td[data-readiness]').innerText(), /^passed\s+latest run 2026-01-09 08:12 HKT$/);
    // The failed run's checks, one a line.
    const failed = page.locator('tr[data-subscriber="firm-b"] td[data-readiness] details');
    await failed.locator('summary').click();
    assert.equal(await failed.locator('li').count(), 1);
    assert.equal(await failed.locator('li').innerText(), 'OTP-C firm-bT logon trading firm-bT: refused with Session Status 5');
    assert.equal(await page.locator('tr[data-subscriber="firm-c"] td[data-readiness]').innerText(), 'not run');
    // Flagged: will take part (Appendix A) and never passed; firm-d declined, so it is not.
    const flagged = await page.locator('tr[data-subscriber]:has([data-not-ready])').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-subscriber')));
    assert.deepEqual(flagged, ['firm-b', 'firm-c']);
    assert.equal(await page.locator('tr[data-subscriber="firm-b"] [data-not-ready]').innerText(), 'Not ready');
    assert.equal(await page.locator('[data-count="readiness"]').innerText(), 'Readiness checks — passed: 1, failed: 1, not run: 2');
    assert.match(await page.locator('[data-count="not-ready"]').innerText(), /Not ready: 2/);
    await page.getByRole('link', { name: 'Export Appendix A of the firms not ready (CSV)' }).waitFor();

    // The reminder panel: all the forms owed, then only the firms not ready, of the check.
    await page.locator('.reminder-kind[data-kind="result"]').waitFor();
    assert.equal(await page.locator('.reminder-kind[data-kind="not-ready"]').count(), 0);
    await page.getByLabel('Only the firms not ready').check();
    const preview = page.locator('.reminder-kind[data-kind="not-ready"] tr[data-preview]');
    await preview.first().waitFor();
    assert.deepEqual(await preview.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-preview'))), ['firm-b', 'firm-c']);
    assert.equal(await page.locator('.reminder-kind[data-kind="result"]').count(), 0, 'one reminder, of the check, not one per form');
    await page.getByRole('button', { name: 'Remind them to run the readiness check' }).waitFor();
    await page.getByLabel('Only the firms not ready').uncheck();
    await page.locator('.reminder-kind[data-kind="result"]').waitFor();

    // A firm's Appendix A page carries its readiness line.
    await page.locator('tr[data-subscriber="firm-b"] td[data-form="intention"] a').click();
    const line = page.locator('.banner[data-readiness]');
    await line.waitFor();
    assert.equal(await line.getAttribute('data-readiness'), 'failed');
    assert.equal(await line.getAttribute('data-not-ready'), 'true');
    assert.match(
      await line.innerText(),
      /^Readiness check: failed: OTP-C firm-bT logon trading firm-bT: refused with Session Status 5\n+Not ready This firm will take part but has not passed a readiness check/,
    );
    await page.goto(`${desk.url}/sessions/${session.id}/forms/intention/firm-a`);
    await page.locator('.banner[data-readiness="passed"]').waitFor();
    assert.equal(await page.locator('.banner[data-readiness]').innerText(), 'Readiness check: passed at 2026-01-09 08:12 HKT');
    await page.context().close();
  });

  it("shows the firm's own user its line, and nothing of another firm", async () => {
    const page = await signIn('firm-c.user');
    await page.goto(`${desk.url}/sessions/${session.id}/forms/intention/firm-c`);
    const line = page.locator('.banner[data-readiness]');
    await line.waitFor();
    assert.match(await line.innerText(), /^Readiness check: not run\n+Not ready/);
    const other = await page.evaluate(async (url) => (await fetch(url)).status, `/api/sessions/${session.id}/readiness/firm-a`);
    assert.equal(other, 403);
    await page.context().close();
  });

  it('in Chinese: the column, the flag and the line', async () => {
    const page = await signIn('desk', 'zh-Hant');
    await page.getByRole('link', { name: /PS2/ }).click();
    const b = page.locator('tr[data-subscriber="firm-b"]');
    await b.locator('[data-not-ready]').waitFor();
    assert.equal(await b.locator('[data-not-ready]').innerText(), '未準備就緒');
    assert.equal(await page.getByRole('columnheader', { name: '連線準備檢查' }).count(), 1);
    assert.match(await b.locator('td[data-readiness]').innerText(), /^未能通過/);
    assert.equal(await page.locator('tr[data-subscriber="firm-c"] td[data-readiness]').innerText(), '尚未進行');
    await page.getByLabel('只限未準備就緒的公司').waitFor();
    await page.goto(`${desk.url}/sessions/${session.id}/forms/intention/firm-a`);
    await page.locator('.banner[data-readiness="passed"]').waitFor();
    assert.equal(await page.locator('.banner[data-readiness]').innerText(), '連線準備檢查：已於 2026-01-09 08:12 香港時間 通過');
    await page.context().close();
  });
});

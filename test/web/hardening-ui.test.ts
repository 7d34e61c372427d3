// The desk's UI under its content security policy, in Debian's Chromium: the
// built UI signs in and shows the dashboard without a single policy violation,
// and another site cannot frame the desk (clickjacking).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { chromiumSkip, launchChromium } from '../helpers/browser.ts';
import { demoSession, ensureWebBuilt, seedDemo, startDesk, type RunningDesk } from '../../src/desk/index.ts';
import { ManualClock } from '../../src/wire/index.ts';
import { waitFor } from '../helpers/wait.ts';

const PW = 'browser-hardening-password';

describe('desk UI under its browser hardening', { skip: chromiumSkip, timeout: 90_000 }, () => {
  let dir: string;
  let desk: RunningDesk;
  let browser: Browser;
  let framer: Server;
  let framerUrl = '';

  before(async () => {
    assert.ok(ensureWebBuilt({ quiet: true }), 'web/dist built');
    dir = mkdtempSync(join(tmpdir(), 'fd-web-hardening-'));
    const clock = new ManualClock();
    desk = await startDesk({ db: join(dir, 'desk.sqlite'), clock, evidenceToken: 'hardening-ui-token' });
    await seedDemo(desk.store, { now: clock.now(), password: PW, scryptCost: 1024, subscribers: 2, session: demoSession() });
    // Another origin (another port) that tries to show the desk in a frame.
    framer = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><iframe id="desk" src="${desk.url}/" width="800" height="600"></iframe>`);
    });
    await new Promise<void>((r) => framer.listen(0, '127.0.0.1', r));
    framerUrl = `http://127.0.0.1:${(framer.address() as { port: number }).port}/`;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await new Promise((r) => (framer ? framer.close(r) : r(null)));
    await desk?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('signs in and shows the dashboard with no content security policy violation', async () => {
    const page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(10_000);
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', () => {
        const g = globalThis as unknown as { __cspViolations?: number };
        g.__cspViolations = (g.__cspViolations ?? 0) + 1;
      });
    });
    const res = await page.goto(desk.url + '/');
    assert.match(res!.headers()['content-security-policy'] ?? '', /script-src 'self'/);
    await page.getByLabel('Username').fill('desk');
    await page.getByLabel('Password').fill(PW);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Practice sessions' }).waitFor();
    await page.getByRole('link', { name: /PS2/ }).click();
    await page.locator('tr[data-subscriber="firm-a"]').waitFor();
    // The live event stream connects under connect-src 'self'.
    await page.locator('.live.on').waitFor();
    // Policy violations are also reported to the page itself.
    const reported = await page.evaluate(() => (globalThis as unknown as { __cspViolations?: number }).__cspViolations ?? 0);
    assert.equal(reported, 0);
    assert.deepEqual(violations, []);
  });

  it('another site cannot show the desk in a frame', async () => {
    const page = await (await browser.newContext()).newPage();
    const refused: string[] = [];
    page.on('console', (m) => {
      if (/frame-ancestors|Refused to (display|frame)/i.test(m.text())) refused.push(m.text());
    });
    await page.goto(framerUrl);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    assert.ok(frame, 'the iframe exists');
    // Chromium replaces a refused frame with its error page: the desk's login form never appears in it.
    await waitFor('Chromium to report the refusal', () => refused.length > 0, 2_000);
    assert.equal(await frame.locator('input').count(), 0);
    assert.ok(refused.length > 0, 'Chromium reports the refusal');
  });
});

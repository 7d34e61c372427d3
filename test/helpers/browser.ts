// What the desk's browser tests share: Debian's Chromium (never a downloaded browser),
// launched headless with the flags a host without outside network access needs, and a wall
// clock the test sets (deadlines are judged by it) whose timers stay real.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { systemClock, type Clock } from '../../src/wire/index.ts';

export const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);

/** The `skip` option of a describe() that needs Chromium. */
export const chromiumSkip: false | string = haveChromium ? false : `${CHROMIUM} not installed (apt-get install chromium)`;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Wall time the test sets; timers stay real, for the event stream's keep-alive. */
export function settableClock(start: number): Clock & { set(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    set: (ms: number) => {
      now = ms;
    },
    setTimeout: systemClock.setTimeout,
    setInterval: systemClock.setInterval,
  };
}

/** "2026-01-08T10:00" in Hong Kong time, as epoch ms. */
export const hk = (s: string) => Date.parse(s + ':00+08:00');

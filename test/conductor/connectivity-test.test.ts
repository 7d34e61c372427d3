// The rundown step open-connectivity-test: its `until` resolved in Hong Kong time, and clear
// errors for a missing or early `until` and for `until` on another action.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRundown, toHongKongIso } from '../../src/conductor/index.ts';

const doc = (steps: string) => `rundown: PS9
date: "2026-01-10"
title: { en: Test, zh: 測試 }
steps:
${steps}`;
const text = 'text: { en: Window, zh: 連線測試 }';

describe('open-connectivity-test', () => {
  it('takes until as a clock time or an offset after the step', () => {
    const r = parseRundown(
      doc(`  - { at: "08:10", action: open-connectivity-test, until: "08:25", ${text} }
  - { at: "08:30", action: open-connectivity-test, until: "+00:05", ${text} }`),
    );
    assert.ok(r.ok, JSON.stringify(!r.ok && r.issues));
    assert.equal(r.rundown.steps.length, 2);
    assert.equal(toHongKongIso(r.rundown.steps[0]!.untilMs!), '2026-01-10T08:25:00.000+08:00');
    assert.equal(toHongKongIso(r.rundown.steps[1]!.untilMs!), '2026-01-10T08:35:00.000+08:00');
  });

  it('names the line of a missing, unreadable or early until, and until on another action', () => {
    const r = parseRundown(
      doc(`  - { at: "08:10", action: open-connectivity-test, ${text} }
  - { at: "08:20", action: open-connectivity-test, until: "soon", ${text} }
  - { at: "08:30", action: open-connectivity-test, until: "08:00", ${text} }
  - { at: "08:40", action: open-primary, until: "09:00", ${text} }`),
    );
    assert.ok(!r.ok);
    assert.deepEqual(
      r.issues.map((i) => `${i.line}:${i.path}`),
      ['5:steps[0].until', '6:steps[1].until', '7:steps[2].until', '8:steps[3].until'],
    );
    assert.match(r.issues[0]!.message, /needs until/);
    assert.match(r.issues[2]!.message, /not after the step's time/);
    assert.match(r.issues[3]!.message, /only open-connectivity-test takes until/);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadRundown, parseRundown, parseRundownOrThrow, RundownError, parseStepTime, rundownOnDate, toHongKongIso } from '../../src/conductor/index.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

const base = (steps: string) => `rundown: PS9
date: "2023-11-25"
title: { en: Test session, zh: 測試演練 }
steps:
${steps}`;

function issues(text: string) {
  const r = parseRundown(text);
  assert.equal(r.ok, false, 'expected the rundown to be refused');
  return (r as { issues: { line: number; col: number; path: string; message: string }[] }).issues;
}

describe('rundown time parsing (Hong Kong, UTC+8, no DST)', () => {
  it('reads an absolute Hong Kong time as UTC-8h', () => {
    const t = parseStepTime('2023-11-25T10:00');
    assert.deepEqual(t, { kind: 'absolute', ms: Date.UTC(2023, 10, 25, 2, 0) });
    assert.equal(toHongKongIso(Date.UTC(2023, 10, 25, 2, 0)), '2023-11-25T10:00:00.000+08:00');
  });
  it('reads a clock time and an offset', () => {
    assert.deepEqual(parseStepTime('09:30'), { kind: 'clock', minutes: 570 });
    assert.deepEqual(parseStepTime('+00:20'), { kind: 'offset', ms: 20 * 60_000 });
    assert.deepEqual(parseStepTime('+1:05:30'), { kind: 'offset', ms: (65 * 60 + 30) * 1000 });
  });
  it('refuses impossible times', () => {
    for (const s of ['24:00', '10:60', '2023-02-30T10:00', '2023-11-25 10:00', '+00:75', '10', '-00:20', '2023-11-25T10:00Z']) {
      assert.equal(parseStepTime(s), null, s);
    }
  });
  it('places clock times on the session date and offsets after the previous step', () => {
    const r = parseRundownOrThrow(
      base(`  - { at: "2023-11-24T17:00", action: announce, text: { en: prep, zh: 準備 } }
  - { at: "08:30", action: open-primary, text: { en: open, zh: 開放 } }
  - { at: "+00:30", action: pre-open, text: { en: pre, zh: 開市前 } }
  - { at: "+01:30", action: isolate-primary, fault: flap, text: { en: lost, zh: 中斷 } }
`),
    );
    assert.deepEqual(
      r.steps.map((s) => toHongKongIso(s.atMs)),
      ['2023-11-24T17:00:00.000+08:00', '2023-11-25T08:30:00.000+08:00', '2023-11-25T09:00:00.000+08:00', '2023-11-25T10:30:00.000+08:00'],
    );
    assert.equal(r.steps[3]!.isolation, 'flap');
  });
});

describe('rundown schema errors name the line and column', () => {
  it('unknown action, at its own line', () => {
    const is = issues(
      base(`  - at: "08:30"
    action: open-primary
    text: { en: a, zh: 開放 }
  - at: "09:00"
    action: open-the-gates
    text: { en: a, zh: 開放 }
`),
    );
    assert.equal(is.length, 1);
    assert.deepEqual([is[0]!.line, is[0]!.col, is[0]!.path], [9, 13, 'steps[1].action']);
    assert.match(is[0]!.message, /unknown action "open-the-gates"/);
  });
  it('a bad time, a missing Chinese text, a fault on the wrong action, an unknown field: all reported', () => {
    const is = issues(
      base(`  - at: "25:00"
    action: open-primary
    text: { en: a }
  - at: "09:00"
    action: pre-open
    fault: kill
    colour: red
    text: { en: a, zh: b }
`),
    );
    const where = is.map((i) => `${i.line}:${i.path}`);
    assert.deepEqual(where, ['5:steps[0].at', '7:steps[0].text.zh', '10:steps[1].fault', '11:steps[1].colour', '12:steps[1].text.zh']);
    assert.match(is[4]!.message, /Chinese/);
  });
  it('isolate-primary needs a known fault; inject-fault needs a kind', () => {
    const is = issues(
      base(`  - at: "10:00"
    action: isolate-primary
    text: { en: a, zh: 中斷 }
  - at: "10:01"
    action: isolate-primary
    fault: unplug
    text: { en: a, zh: 中斷 }
  - at: "10:02"
    action: inject-fault
    fault: { kind: loss-line-b, site: primary }
    text: { en: a, zh: 故障 }
`),
    );
    assert.deepEqual(
      is.map((i) => `${i.line}:${i.col}:${i.path}`),
      ['5:5:steps[0].fault', '10:12:steps[1].fault', '14:20:steps[2].fault.kind'],
    );
  });
  it('steps out of time order and a leading offset', () => {
    const is = issues(
      base(`  - at: "+00:10"
    action: announce
    text: { en: a, zh: 公告 }
  - at: "10:00"
    action: announce
    text: { en: a, zh: 公告 }
  - at: "09:00"
    action: announce
    text: { en: a, zh: 公告 }
`),
    );
    assert.deepEqual(
      is.map((i) => `${i.line}:${i.path}`),
      ['5:steps[0].at', '11:steps[2].at'],
    );
    assert.match(is[1]!.message, /earlier than the previous step/);
  });
  it('YAML syntax errors carry their position; the thrown error lists FILE:LINE:COL', () => {
    const is = issues('rundown: PS2\ndate: "2023-11-25"\nsteps: [\n');
    assert.ok(is.length >= 1);
    assert.ok(is[0]!.line >= 3, `line ${is[0]!.line}`);
    assert.throws(
      () => parseRundownOrThrow(base(`  - { at: "08:30", action: nope, text: { en: a, zh: 開 } }\n`), 'x.yaml'),
      (e: unknown) => e instanceof RundownError && /x\.yaml:5:\d+ steps\[0\]\.action/.test(e.message),
    );
  });
  it('inject-fault passes its parameters through', () => {
    const r = parseRundownOrThrow(
      base(`  - at: "10:00"
    action: inject-fault
    fault: { kind: loss-line-a, site: backup, lossRate: 0.3, durationMs: 2000 }
    text: { en: a, zh: 故障 }
`),
    );
    assert.deepEqual(r.steps[0]!.fault, { kind: 'loss-line-a', site: 'backup', params: { lossRate: 0.3, durationMs: 2000 } });
  });
});

describe('shipped rundowns', () => {
  for (const name of ['ps1', 'ps2']) {
    it(`${name}.yaml is valid, bilingual, in time order, with a loss, a backup activation and a fail-back`, async () => {
      const r = await loadRundown(`${root}rundowns/${name}.yaml`);
      assert.equal(r.code, name.toUpperCase());
      const actions = r.steps.map((s) => s.action);
      for (const a of ['open-primary', 'pre-open', 'continuous-trading', 'isolate-primary', 'activate-backup', 'close', 'fail-back', 'clean-up'] as const) {
        assert.ok(actions.includes(a), `${name} lacks ${a}`);
      }
      assert.ok(actions.indexOf('isolate-primary') < actions.indexOf('activate-backup'));
      for (const s of r.steps) assert.match(s.text.zh, /[\u4e00-\u9fff]/);
    });
  }
  it('ps2 follows the practice-session table (Hong Kong times)', async () => {
    const r = await loadRundown(`${root}rundowns/ps2.yaml`);
    const hk = (a: string) => toHongKongIso(r.steps.find((s) => s.action === a)!.atMs).slice(0, 16);
    assert.equal(hk('announce'), '2023-11-24T17:00'); // Friday after 17:00
    assert.equal(hk('open-primary'), '2023-11-25T08:30');
    assert.equal(hk('pre-open'), '2023-11-25T09:00');
    assert.equal(hk('continuous-trading'), '2023-11-25T09:30');
    assert.equal(hk('isolate-primary'), '2023-11-25T10:00');
    assert.ok(hk('activate-backup') >= '2023-11-25T10:00' && hk('activate-backup') <= '2023-11-25T10:20');
    assert.equal(hk('close'), '2023-11-25T11:00');
    assert.equal(hk('fail-back'), '2023-11-25T11:00');
  });
  it('rundownOnDate moves PS2 to another Saturday, Friday preparation included', async () => {
    const r = rundownOnDate(await loadRundown(`${root}rundowns/ps2.yaml`), '2026-11-28');
    assert.equal(r.date, '2026-11-28');
    assert.equal(toHongKongIso(r.steps[0]!.atMs), '2026-11-27T17:00:00.000+08:00');
    assert.equal(toHongKongIso(r.steps.find((s) => s.action === 'isolate-primary')!.atMs), '2026-11-28T10:00:00.000+08:00');
    assert.throws(() => rundownOnDate(r, '2026-02-30'), /not a calendar date/);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  demoEvidence,
  demoSession,
  demoSubscriber,
  findContradictions,
  hongKongClock,
  identityState,
  parseHongKongTime,
  prefillResultForm,
  sampleIntentionForm,
  sampleResultForm,
  serviceState,
  toHongKongIso,
  unrecoveredGaps,
  validateIntentionForm,
  validateNotice,
  validatePracticeSession,
  validateResultForm,
  validateSubscriber,
  demoNotice,
  hashPassword,
  verifyPassword,
  nextSaturday,
  renderMessage,
  MESSAGES,
  unsafeText,
} from '../../src/desk/index.ts';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EvidenceEvent } from '../../src/evidence/index.ts';
import type { Subscriber } from '../../src/desk/index.ts';

const session = demoSession();
const sub = demoSubscriber(0);
const ctx = { session, subscriber: sub };

describe('Hong Kong time (UTC+8, no daylight saving)', () => {
  it('reads a wall-clock deadline as +08:00 and prints it back', () => {
    const t = parseHongKongTime('2026-01-09T23:59');
    assert.equal(t, Date.UTC(2026, 0, 9, 15, 59));
    assert.equal(toHongKongIso(t!), '2026-01-09T23:59:00.000+08:00');
    assert.equal(hongKongClock(Date.UTC(2026, 0, 10, 2, 6)), '10:06');
  });
  it('accepts instants with a zone and refuses impossible dates', () => {
    assert.equal(parseHongKongTime('2026-01-09T15:59:00Z'), Date.UTC(2026, 0, 9, 15, 59));
    assert.equal(parseHongKongTime('2026-02-30T10:00'), null);
    assert.equal(parseHongKongTime('2026-01-09T24:00'), null);
    assert.equal(parseHongKongTime('tomorrow'), null);
  });
});

describe('demo session date', () => {
  it('is the next Saturday in Hong Kong', () => {
    assert.equal(nextSaturday(Date.UTC(2026, 0, 9, 1, 30)), '2026-01-10'); // Friday 09:30 HKT
    assert.equal(nextSaturday(Date.UTC(2026, 0, 9, 17, 0)), '2026-01-17'); // Saturday 01:00 HKT (still Friday in UTC)
    assert.equal(nextSaturday(Date.UTC(2026, 0, 10, 16, 30)), '2026-01-17'); // Sunday 00:30 HKT
  });
});

describe('validation names the field', () => {
  it('accepts the demo notice, session and subscriber', () => {
    assert.equal(validateNotice(demoNotice()).ok, true);
    assert.equal(validatePracticeSession(session).ok, true);
    assert.equal(validateSubscriber(sub).ok, true);
  });

  it('session: deadlines in Hong Kong time, result after intention, mandatory says for whom', () => {
    const v = validatePracticeSession({
      ...session,
      participation: 'mandatory',
      mandatoryFor: null,
      intentionDeadline: '2026-01-12T10:00',
      resultDeadline: '2026-01-11T10:00',
      services: ['OTP-C', 'OTP-C'],
    });
    assert.equal(v.ok, false);
    if (!v.ok) assert.deepEqual(v.errors.map((e) => e.field).sort(), ['mandatoryFor', 'resultDeadline', 'services']);
    const w = validatePracticeSession({ ...session, intentionDeadline: '2026-01-09T23:59' });
    assert.ok(w.ok && w.value.intentionDeadline === '2026-01-09T23:59:00.000+08:00');
  });

  it('subscriber: roles fit the service, emails and phones are checked', () => {
    const v = validateSubscriber({
      ...sub,
      identities: [{ service: 'OMD-C', identity: 'x', role: 'trading' }],
      contacts: { primary: { ...sub.contacts.primary, email: 'nope' }, alternate: null },
    });
    assert.equal(v.ok, false);
    if (!v.ok) {
      assert.deepEqual(
        v.errors.map((e) => e.field),
        ['identities[0].role', 'contacts.primary.email'],
      );
      assert.match(v.errors[1]!.message, /^contacts\.primary\.email: Primary contact's email is not an email address/);
    }
  });

  it("Appendix A: identities must be the firm's, services in scope, boxes ticked when participating", () => {
    const form = sampleIntentionForm(session, sub);
    assert.equal(validateIntentionForm(form, ctx).ok, true);
    const bad = {
      ...form,
      hasReadRundown: false,
      services: [{ service: 'OTP-C', identities: ['NOT-MINE'] }],
      contactOnDay: { ...form.contactOnDay, mobile: 'call me' },
    };
    const v = validateIntentionForm(bad, ctx);
    assert.equal(v.ok, false);
    if (!v.ok) {
      const fields = v.errors.map((e) => e.field);
      assert.ok(fields.includes('services[0].identities[0]'));
      assert.ok(fields.includes('hasReadRundown'));
      assert.ok(fields.includes('contactOnDay.mobile'));
      assert.match(v.errors.find((e) => e.field === 'services[0].identities[0]')!.message, /NOT-MINE is not one of A Securities Limited's OTP-C identities/);
    }
    const notIn = validateIntentionForm(form, { session: { ...session, services: ['OTP-C'] }, subscriber: sub });
    assert.ok(!notIn.ok && notIn.errors.some((e) => e.field === 'services[1].service' && /not in scope of PS2/.test(e.message)));
  });

  it('Appendix A: a firm that declines needs no services', () => {
    const form = { ...sampleIntentionForm(session, sub), participate: false, services: [], software: [], willJoin: false, hasReadRundown: false };
    assert.equal(validateIntentionForm(form, ctx).ok, true);
  });

  it('Appendix B: times required with yes, role-specific questions, problems with issues', () => {
    const form = sampleResultForm(session, sub);
    assert.equal(validateResultForm(form, ctx).ok, true);
    const s0 = form.sections[0]!; // OTP-C trading
    const s3 = form.sections[3]!; // OMD-C retransmission
    const bad = {
      ...form,
      sections: [
        { ...s0, reconnectedToBackup: { value: true, time: null }, orderAndCancelAcked: null, marketDataFromBackup: true },
        { ...s3, overall: 'passed-with-issues', problems: [], noticedLossAt: '25:00' },
      ],
    };
    const v = validateResultForm(bad, ctx);
    assert.equal(v.ok, false);
    if (!v.ok) {
      assert.deepEqual(v.errors.map((e) => e.field).sort(), [
        'sections[0].marketDataFromBackup',
        'sections[0].orderAndCancelAcked',
        'sections[0].reconnectedToBackup.time',
        'sections[1].noticedLossAt',
        'sections[1].problems',
      ]);
      assert.match(
        v.errors.find((e) => e.field === 'sections[0].reconnectedToBackup.time')!.message,
        /Time reconnected to the backup site \(OTP-C B1000T1\) is required when the answer is yes/,
      );
    }
  });

  it('Appendix B: two sections for one identity are refused', () => {
    const form = sampleResultForm(session, sub);
    const v = validateResultForm({ ...form, sections: [form.sections[0], form.sections[0]] }, ctx);
    assert.ok(!v.ok && v.errors.some((e) => e.field === 'sections[1].identity'));
  });
});

describe('validation messages a person reads', () => {
  const form = sampleIntentionForm(session, sub);

  it('name the field by its label and the entry it belongs to, in English and Traditional Chinese, never by its path', () => {
    const v = validateIntentionForm({ ...form, software: form.software.map((x, i) => (i === 0 ? { ...x, name: '' } : x)) }, ctx);
    assert.ok(!v.ok);
    assert.equal(v.errors.length, 1);
    const e = v.errors[0]!;
    assert.equal(e.field, 'software[0].name');
    assert.equal(e.text.code, 'validation.empty');
    assert.equal(renderMessage(e.text, 'en'), `Software name (${form.software[0]!.service}) must not be empty.`);
    assert.equal(renderMessage(e.text, 'zh-Hant'), `軟件名稱（${form.software[0]!.service}）不可留空。`);
    assert.equal(
      e.message,
      `software[0].name: Software name (${form.software[0]!.service}) must not be empty.`,
      'the English text for API clients keeps the path',
    );
  });

  it('every error of both appendices has a catalogued rule and label in both languages', () => {
    const a = validateIntentionForm(
      {
        ...form,
        services: [{ service: 'OTP-C', identities: [] }],
        connectFrom: { primary: false, backup: false },
        willJoin: false,
        signatory: { name: '', title: 7 },
        signedOn: '10/01/2026',
      },
      ctx,
    );
    const r = sampleResultForm(session, sub);
    const b = validateResultForm(
      {
        ...r,
        sections: [
          { ...r.sections[0]!, reconnectedToBackup: { value: true, time: null }, orderAndCancelAcked: null, overall: 'failed', problems: [] },
          { ...r.sections[3]!, problems: [{ time: '9am', description: '', reference: '' }] },
        ],
      },
      ctx,
    );
    assert.ok(!a.ok && !b.ok);
    const errors = [...a.errors, ...b.errors];
    assert.ok(errors.length >= 10);
    for (const e of errors) {
      for (const lang of ['en', 'zh-Hant'] as const) {
        const text = renderMessage(e.text, lang);
        assert.ok(MESSAGES[e.text.code], `${e.text.code} is catalogued`);
        assert.doesNotMatch(text, /\[\d+\]|validation\.|field\.|\{/, `${e.field} (${lang}): ${text}`);
      }
    }
  });
});

describe('typed text with control or bidirectional-override characters is refused', () => {
  const form = sampleIntentionForm(session, sub);
  it('in both appendices, with a clear message', () => {
    const a = validateIntentionForm(
      {
        ...form,
        signatory: { name: 'Chan\u0000Tai Man', title: 'Head of IT' },
        software: form.software.map((x, i) => (i === 1 ? { ...x, name: 'Gate\u202Eyawe' } : x)),
      },
      ctx,
    );
    assert.ok(!a.ok);
    assert.deepEqual(
      a.errors.map((e) => [e.field, e.text.code]),
      [
        ['software[1].name', 'validation.unsafe.bidi-control'],
        ['signatory.name', 'validation.unsafe.control-character'],
      ],
    );
    assert.match(renderMessage(a.errors[0]!.text, 'en'), /bidirectional-override character/);
    const r = sampleResultForm(session, sub);
    const withProblem = (description: string) => ({
      ...r,
      sections: r.sections.map((x, i) => (i === 0 ? { ...x, problems: [{ time: '10:05', description, reference: '\u2066REF' }] } : x)),
    });
    const b = validateResultForm(withProblem('line one\nline two'), ctx);
    assert.ok(!b.ok);
    assert.deepEqual(
      b.errors.map((e) => [e.field, e.text.code]),
      [['sections[0].problems[0].reference', 'validation.unsafe.bidi-control']],
      'a description may span lines',
    );
    assert.match(renderMessage(b.errors[0]!.text, 'en'), /^Reference number of the problem \(OTP-C B1000T1, problem 1\) contains/);
  });
  it('in subscriber names and session texts', () => {
    const s = validateSubscriber({ ...sub, name: 'A Securities\u202E Limited' });
    assert.ok(!s.ok && s.errors[0]!.field === 'name' && s.errors[0]!.text.code === 'validation.unsafe.bidi-control');
    const p = validatePracticeSession({ ...session, participation: 'mandatory', mandatoryFor: 'firms\u0000 that failed PS1' });
    assert.ok(!p.ok && p.errors[0]!.field === 'mandatoryFor' && p.errors[0]!.text.code === 'validation.unsafe.control-character');
    const n = validateNotice({ ...demoNotice(), titleEn: 'Practice\nSession' });
    assert.ok(!n.ok && n.errors[0]!.field === 'titleEn' && n.errors[0]!.text.code === 'validation.unsafe.line-break');
    assert.ok(validatePracticeSession({ ...session, rundown: 'steps:\n  - at: "10:00"\n\taction: lose-primary\n' }).ok, 'a rundown spans lines');
  });
  it('a message quoting what was typed shows such characters as visible escapes, never as themselves', () => {
    const v = validateSubscriber({ ...sub, identities: [{ service: 'OTP-C\u202E', identity: 'B1000T1\u2066', role: 'trading' }] });
    assert.ok(!v.ok);
    assert.deepEqual(
      v.errors.map((e) => e.field),
      ['identities[0].service', 'identities[0].identity'],
    );
    for (const e of v.errors)
      for (const lang of ['en', 'zh-Hant'] as const) assert.ok(unsafeText(renderMessage(e.text, lang)) === null, renderMessage(e.text, lang));
    assert.match(
      renderMessage(v.errors[0]!.text, 'en'),
      /^Service of the identity \(OTP-C\\u202E B1000T1\\u2066\) must be one of OTP-C, OTP-CSC, OMD-C, OMD-CC \(got "OTP-C\\u202E"\)\.$/,
    );
  });
});

describe('Appendix A: declining, and leaving services out', () => {
  const form = sampleIntentionForm(session, sub);
  it('a firm that declines fills in nothing of the participation part, and none of it is stored', () => {
    const declined = {
      ...form,
      participate: false,
      software: form.software.map((x) => ({ ...x, name: '', version: '' })),
      contactOnDay: { name: '', mobile: '', email: '' },
    };
    const v = validateIntentionForm(declined, ctx);
    assert.ok(v.ok, JSON.stringify(!v.ok && v.errors.map((e) => e.message)));
    assert.deepEqual(v.value.services, []);
    assert.deepEqual(v.value.software, []);
    assert.equal(v.value.willJoin, false);
    assert.deepEqual(v.value.signatory, form.signatory, 'the signature stays');
    const unsigned = validateIntentionForm({ ...declined, signatory: { name: '', title: '' } }, ctx);
    assert.ok(!unsigned.ok && unsigned.errors.map((e) => e.field).join() === 'signatory.name,signatory.title');
  });
  it('a participating firm may leave a service out, but tests at least one, each with an identity', () => {
    const one = { ...form, services: form.services.slice(0, 1), software: form.software.slice(0, 1) };
    assert.equal(validateIntentionForm(one, ctx).ok, true);
    const none = validateIntentionForm({ ...form, services: [], software: [] }, ctx);
    assert.ok(!none.ok);
    assert.deepEqual(
      none.errors.map((e) => [e.field, e.text.code]),
      [['services', 'validation.choose-service']],
    );
    const noId = validateIntentionForm({ ...one, services: [{ ...one.services[0]!, identities: [] }] }, ctx);
    assert.ok(!noId.ok && noId.errors[0]!.text.code === 'validation.choose-identity');
    assert.match(renderMessage(noId.errors[0]!.text, 'zh-Hant'), /請為 OTP-C 最少選擇一個測試識別碼/);
  });
});

describe('verification against evidence', () => {
  const clean = demoEvidence(session, sub);

  it('pre-fills Appendix B from a clean failover', () => {
    const p = prefillResultForm(session, sub, clean);
    assert.equal(p.length, 5);
    const trading = p.find((x) => x.identity === 'B1000T1')!;
    assert.deepEqual(trading.connectedToPrimary, { value: true, time: '08:35' });
    assert.equal(trading.noticedLossAt, '10:00');
    assert.deepEqual(trading.reconnectedToBackup, { value: true, time: '10:06' });
    assert.equal(trading.orderAndCancelAcked, true);
    assert.equal(trading.logonSequenceOk, true);
    assert.equal(trading.overall, 'passed');
    const dc = p.find((x) => x.identity === 'B1000DC')!;
    assert.equal(dc.dropCopyGapRecovered, true);
    assert.equal(dc.orderAndCancelAcked, null);
    const md = p.find((x) => x.service === 'OMD-C')!;
    assert.equal(md.marketDataFromBackup, true);
    assert.equal(md.retransmissionOrRefreshOk, true);
    assert.match(md.basis.retransmissionOrRefreshOk!.text, /1 gap\(s\), 0 not recovered/);
  });

  it('pre-fills "not tested" without evidence and "failed" when the backup was never reached', () => {
    const blank = prefillResultForm(session, sub, []);
    assert.equal(blank.length, 5);
    assert.ok(blank.every((x) => x.overall === 'not-tested'));
    const stuck = prefillResultForm(session, sub, demoEvidence(session, sub, { neverOnBackup: true }));
    assert.equal(stuck.length, 5);
    assert.ok(stuck.every((x) => x.overall === 'failed' && x.reconnectedToBackup.value === false));
  });

  it('finds no contradiction when declarations match the evidence', () => {
    assert.deepEqual(findContradictions(sampleResultForm(session, sub), sub.id, clean), []);
  });

  it('flags "reconnected to backup" with no logon at the backup site', () => {
    const ev = demoEvidence(session, sub, { neverOnBackup: true });
    const c = findContradictions(sampleResultForm(session, sub), sub.id, ev);
    const backup = c.filter((x) => x.code === 'NO_BACKUP_LOGON');
    assert.equal(backup.length, 5);
    assert.equal(backup[0]!.field, 'sections[0].reconnectedToBackup');
    assert.match(backup[0]!.evidence, /no logon at the backup site/);
    assert.ok(c.some((x) => x.code === 'NO_BACKUP_ACK' && x.identity === 'B1000T1'));
  });

  it('flags "market data recovered" against an unrecovered probe gap', () => {
    const ev = demoEvidence(session, sub, { unrecoveredGap: true });
    const c = findContradictions(sampleResultForm(session, sub), sub.id, ev);
    assert.deepEqual(
      c.map((x) => `${x.code} ${x.field}`),
      ['UNRECOVERED_GAP sections[3].retransmissionOrRefreshOk', 'UNRECOVERED_GAP sections[4].retransmissionOrRefreshOk'],
    );
    assert.match(c[0]!.evidence, /1 gap\(s\) never recovered, first on channel 11 at 10:05/);
  });

  it('the venue\'s clean-up check pre-fills "test data cleaned up" and "returned to primary", and contradicts a false yes; a probe cannot clear it', () => {
    const cleanUp = (
      identity: string,
      service: 'OTP-C' | 'OTP-CSC',
      restingOrders: number,
      loggedOnAtPrimary: boolean,
      source: 'venue' | 'probe' = 'venue',
    ): EvidenceEvent => ({
      id: `cu:${source}:${identity}`,
      ts: '2026-01-10T03:10:00.000Z',
      session: session.id,
      site: 'primary',
      service,
      subscriber: sub.id,
      identity,
      kind: 'clean-up',
      detail: { restingOrders, loggedOnAtPrimary, dropCopy: identity === 'B1000DC' },
      source,
    });
    const ev = [
      ...clean,
      cleanUp('B1000T1', 'OTP-C', 2, false),
      cleanUp('B1000DC', 'OTP-C', 0, false),
      cleanUp('B1000C1', 'OTP-CSC', 0, true),
      cleanUp('B1000T1', 'OTP-C', 0, true, 'probe'),
    ];
    const pre = prefillResultForm(session, sub, ev);
    assert.deepEqual(
      pre.map((x) => `${x.identity} ${x.testDataCleaned} ${x.returnedToPrimary}`),
      ['B1000T1 false false', 'B1000DC true false', 'B1000C1 true true', 'a-rts null null', 'a-cc-rts null null'],
    );
    assert.match(pre[0]!.basis.testDataCleaned!.text, /2 order\(s\) still resting at the clean-up check at 11:10/);
    assert.equal(pre[0]!.basis.testDataCleaned!.provenance, 'venue');
    assert.match(pre[2]!.basis.returnedToPrimary!.text, /logged on at the primary site at the clean-up check/);
    const c = findContradictions(sampleResultForm(session, sub), sub.id, ev);
    assert.deepEqual(
      c.map((x) => `${x.code} ${x.field} ${x.provenance}`),
      [
        'ORDERS_RESTING sections[0].testDataCleaned venue',
        'NOT_BACK_AT_PRIMARY sections[0].returnedToPrimary venue',
        'NOT_BACK_AT_PRIMARY sections[1].returnedToPrimary venue',
      ],
    );
    assert.match(c[0]!.evidence, /still held 2 order\(s\) of this identity at the clean-up check at 11:10/);
    assert.match(renderMessage(c[0]!.message, 'zh-Hant'), /清理檢查/);
    // Without the venue's check nothing is suggested and nothing contradicted.
    assert.deepEqual(findContradictions(sampleResultForm(session, sub), sub.id, [...clean, cleanUp('B1000T1', 'OTP-C', 3, false, 'probe')]), []);
  });

  it('matches gap recoveries by channel and range', () => {
    const base = clean.find((e) => e.kind === 'gap')!;
    const g = (id: string, kind: EvidenceEvent['kind'], channel: number, from: number, to: number, s: number): EvidenceEvent => ({
      ...base,
      id,
      kind,
      ts: new Date(Date.parse(base.ts) + s * 1000).toISOString(),
      detail: { channel, from, to },
    });
    const ev = [g('1', 'gap', 11, 10, 20, 0), g('2', 'gap', 12, 10, 20, 1), g('3', 'gap-recovered', 12, 5, 25, 2), g('4', 'gap-recovered', 11, 15, 20, 3)];
    assert.deepEqual(
      unrecoveredGaps(ev).map((e) => e.id),
      ['1'],
    );
  });
});

describe('dashboard state from evidence', () => {
  const ev = demoEvidence(session, sub);
  const upTo = (hhmm: string) => ev.filter((e) => Date.parse(e.ts) < parseHongKongTime(`${session.date}T${hhmm}`)!);

  it('walks connected → lost → reconnected → recovered', () => {
    const t = (hhmm: string) => serviceState(upTo(hhmm), sub.id, 'OTP-C');
    assert.equal(t('08:00'), 'not-connected');
    assert.equal(t('09:00'), 'connected-to-primary');
    assert.equal(t('10:03'), 'lost');
    // Trading identity still waits for its ack; the drop copy has recovered: the cell shows the slower one.
    assert.equal(t('10:10'), 'reconnected-to-backup');
    assert.equal(t('11:00'), 'recovered');
  });

  it('shows failed when the probe says it could not follow', () => {
    const failed: EvidenceEvent = { ...ev[0]!, id: 'f', kind: 'failover-failed', site: 'backup', ts: '2026-01-10T02:20:00.000Z', source: 'probe' };
    assert.equal(identityState([...upTo('10:03').filter((e) => e.identity === ev[0]!.identity), failed]), 'failed');
  });

  it('stays failed when later evidence follows (the drill: DR ignored, then the feed joined at the backup; no relookup, then the fail back)', () => {
    const failed: EvidenceEvent = { ...ev[0]!, id: 'f', kind: 'failover-failed', site: 'primary', ts: '2026-01-10T02:01:00.000Z', source: 'probe' };
    const mine = ev.filter((e) => e.identity === ev[0]!.identity);
    assert.equal(identityState([...mine, failed]), 'failed');
    const back: EvidenceEvent = { ...ev[1]!, id: 'r2', identity: ev[0]!.identity, kind: 'logon', site: 'primary', ts: '2026-01-10T03:05:00.000Z' };
    assert.equal(identityState([...upTo('10:03').filter((e) => e.identity === ev[0]!.identity), failed, back]), 'failed');
  });

  it('a return to the primary after the backup phase is not a regression', () => {
    const back: EvidenceEvent = { ...ev[1]!, id: 'r', kind: 'logon', site: 'primary', ts: '2026-01-10T03:05:00.000Z' };
    assert.equal(identityState([...ev.filter((e) => e.identity === 'B1000T1'), back]), 'recovered');
  });
});

describe('passwords', () => {
  it('hash with scrypt and verify; a wrong password or mangled hash fails', async () => {
    const h = await hashPassword('correct horse battery', 1024);
    assert.match(h, /^scrypt\$1024\$8\$1\$/);
    assert.equal(await verifyPassword('correct horse battery', h), true);
    assert.equal(await verifyPassword('wrong horse battery', h), false);
    assert.equal(await verifyPassword('correct horse battery', 'md5$abc'), false);
  });
});

// A real run of the accelerated PS2 (fixtures/README.md): the order and details of the events are the venue's and the probe's.
describe('dashboard state and contradictions from a recorded drill', () => {
  const FILE = fileURLToPath(new URL('./fixtures/ps2-drill-f001-f004.evidence.jsonl', import.meta.url));
  const drill: EvidenceEvent[] = readFileSync(FILE, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as EvidenceEvent);
  const of = (identity: string) => drill.filter((e) => e.identity === identity);
  const firm = (id: string, identities: Subscriber['identities']): Subscriber => ({ ...demoSubscriber(0), id, identities });
  const f001 = firm('F001', [
    { service: 'OTP-C', identity: 'F001T', role: 'trading' },
    { service: 'OTP-C', identity: 'F001D', role: 'drop-copy' },
    { service: 'OTP-CSC', identity: 'F001C', role: 'trading' },
    { service: 'OTP-CSC', identity: 'F001E', role: 'drop-copy' },
    { service: 'OMD-C', identity: 'F001MD', role: 'retransmission' },
    { service: 'OMD-CC', identity: 'F001MC', role: 'retransmission' },
  ]);
  const f004 = firm('F004', [
    { service: 'OMD-C', identity: 'F004MD', role: 'retransmission' },
    { service: 'OMD-CC', identity: 'F004MC', role: 'retransmission' },
  ]);
  const drillSession = { ...session, id: 'PS2-drill' };
  const first = (events: readonly EvidenceEvent[], kind: EvidenceEvent['kind'], site: EvidenceEvent['site'] = 'backup') =>
    [...events].sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts)).find((e) => e.kind === kind && e.site === site)!;
  const before = (events: readonly EvidenceEvent[], e: EvidenceEvent) => events.filter((x) => Date.parse(x.ts) < Date.parse(e.ts));
  const upToIncluding = (events: readonly EvidenceEvent[], e: EvidenceEvent) => events.filter((x) => Date.parse(x.ts) <= Date.parse(e.ts));

  it('the well-behaved firm ends "recovered" on every service', () => {
    assert.equal(drillSession.services.length, 4);
    for (const svc of drillSession.services) assert.equal(serviceState(drill, 'F001', svc), 'recovered', svc);
    // Same with the roles known (the subscriber's record) instead of inferred.
    for (const svc of drillSession.services) assert.equal(serviceState(drill, 'F001', svc, f001.identities), 'recovered', svc);
  });

  it('drop copy with no gap at the backup: recovered at the first acknowledgement after the failover, not before', () => {
    const otpc = drill.filter((e) => e.service === 'OTP-C');
    const dc = of('F001D');
    // The drop copy's own evidence has no ack (the copies are not evidence): on its own it can only be reconnected.
    assert.ok(!dc.some((e) => e.kind === 'ack' || e.kind === 'gap' || e.kind === 'resend-request'));
    assert.equal(identityState(dc), 'reconnected-to-backup');
    const ack = first(
      otpc.filter((e) => e.identity === 'F001T'),
      'ack',
    );
    assert.equal(ack.detail.firstAfterFailover, ack.source === 'probe' ? true : undefined);
    assert.equal(identityState(before(dc, ack), { service: before(otpc, ack) }), 'reconnected-to-backup');
    assert.equal(identityState(upToIncluding(dc, ack), { service: upToIncluding(otpc, ack) }), 'recovered');
    assert.equal(identityState(dc, { service: otpc }), 'recovered');
    assert.equal(identityState(dc, { role: 'drop-copy', service: otpc }), 'recovered');
    // The primary phase's acks do not count: before the backup logon the cell says lost.
    const logon = first(dc, 'logon');
    assert.equal(identityState(before(dc, logon), { service: before(otpc, logon) }), 'lost');
  });

  it('drop copy: a gap left open at the backup, or a logon that reset the sequence numbers, is not recovered', () => {
    const otpc = drill.filter((e) => e.service === 'OTP-C');
    const dc = of('F001D');
    const logon = first(
      dc.filter((e) => e.source === 'probe'),
      'logon',
    );
    const later = (s: number) => new Date(Date.parse(logon.ts) + s).toISOString();
    const gap: EvidenceEvent = { ...logon, id: 'dc-gap', kind: 'gap', ts: later(1), detail: { from: 50, to: 52, gateway: logon.detail.gateway } };
    assert.equal(identityState([...dc, gap], { service: otpc }), 'reconnected-to-backup');
    const resent: EvidenceEvent = { ...gap, id: 'dc-gap-recovered', kind: 'gap-recovered', ts: later(60_000), detail: { from: 50, to: 52, via: 'resend' } };
    assert.equal(identityState([...dc, gap, resent], { service: otpc }), 'recovered');
    // The drill's own logons continue (primary 1, backup 134); one at 1 again is the reset the venue should have refused.
    const reset = dc.map((e) => (e.site === 'backup' && e.kind === 'logon' ? { ...e, detail: { ...e.detail, seqNum: 1, clientSeq: 1 } } : e));
    assert.equal(identityState(reset, { service: otpc }), 'reconnected-to-backup');
  });

  it('a trading session still counts only its own acknowledgements', () => {
    const t = of('F001T');
    const ack = first(t, 'ack');
    assert.equal(identityState(before(t, ack), { role: 'trading', service: drill.filter((e) => e.service === 'OTP-C') }), 'reconnected-to-backup');
    assert.equal(identityState(upToIncluding(t, ack)), 'recovered');
  });

  it('market data: the backup refresh counts even when it is recorded before the feed join', () => {
    const md = of('F001MD');
    const refresh = first(md, 'refresh-used');
    const joined = first(md, 'feed-joined');
    assert.equal(refresh.detail.reason, 'dr');
    assert.ok(Date.parse(refresh.ts) < Date.parse(joined.ts), 'the recording has the refresh first');
    // Without the probe's failover-followed and book check, the refresh and the join alone: recovered.
    const bare = md.filter((e) => e.kind !== 'failover-followed' && e.kind !== 'book-verified');
    assert.equal(identityState(upToIncluding(bare, refresh)), 'lost');
    assert.equal(identityState(upToIncluding(bare, joined)), 'recovered');
  });

  it("market data: the probe's books equal to the venue's at the backup count as recovered; different books do not", () => {
    const md = of('F001MD').filter((e) => !(e.kind === 'refresh-used' && e.site === 'backup'));
    const verified = first(md, 'book-verified');
    assert.equal(verified.detail.equal, true);
    assert.equal(identityState(before(md, verified)), 'reconnected-to-backup');
    assert.equal(identityState(upToIncluding(md, verified)), 'recovered');
    const differ = of('F001MD').map((e) =>
      e.kind === 'book-verified' ? { ...e, detail: { equal: false, differ: ['channel 1: eed70a001161… ≠ venue 0a1b2c3d4e5f…'] } } : e,
    );
    assert.equal(identityState(differ), 'reconnected-to-backup', 'a refresh used does not outweigh books found different');
  });

  it('the firm that ignored the DR signal is failed on market data, recovered on nothing it did not do', () => {
    assert.equal(serviceState(drill, 'F004', 'OMD-C'), 'failed');
    assert.equal(serviceState(drill, 'F004', 'OMD-CC'), 'failed');
    assert.equal(serviceState(drill, 'F004', 'OTP-C'), 'not-connected', 'the fixture holds only its feeds');
  });

  it('flags a market-data recovery declared while the probe saw the DR signal ignored (DR_NOT_FOLLOWED)', () => {
    const pre = prefillResultForm(drillSession, f004, drill);
    // The pre-fill itself does not suggest the answer the desk would flag.
    assert.deepEqual(
      pre.map((p) => [p.identity, p.marketDataFromBackup, p.retransmissionOrRefreshOk]),
      [
        ['F004MD', true, false],
        ['F004MC', true, false],
      ],
    );
    assert.match(
      pre[0]!.basis.retransmissionOrRefreshOk!.text,
      /^DR signal 1 ignored, dr-signal at primary \d\d:\d\d \(self-reported\); 2 gap\(s\), 0 not recovered$/,
    );
    // What the firm declared in the drill: everything yes (it did not notice its handler kept the stale book).
    const declared = sampleResultForm(drillSession, f004);
    for (const s of declared.sections) {
      s.marketDataFromBackup = true;
      s.retransmissionOrRefreshOk = true;
    }
    const c = findContradictions(declared, 'F004', drill);
    assert.deepEqual(
      c.map((x) => `${x.code} ${x.identity} ${x.field}`),
      ['DR_NOT_FOLLOWED F004MD sections[0].retransmissionOrRefreshOk', 'DR_NOT_FOLLOWED F004MC sections[1].retransmissionOrRefreshOk'],
    );
    assert.match(c[0]!.evidence, /^the probe saw DR signal 1 ignored at \d\d:\d\d \(primary site\)$/);
    // Declaring only "market data received from the backup" is flagged on that field.
    for (const s of declared.sections) s.retransmissionOrRefreshOk = false;
    assert.deepEqual(
      findContradictions(declared, 'F004', drill).map((x) => `${x.code} ${x.field}`),
      ['DR_NOT_FOLLOWED sections[0].marketDataFromBackup', 'DR_NOT_FOLLOWED sections[1].marketDataFromBackup'],
    );
    // Without the ignored signals and the probe's failure, the same declaration stands.
    const followed = drill.filter((e) => !(e.subscriber === 'F004' && (e.kind === 'failover-failed' || (e.kind === 'dr-signal' && e.detail.ignored === true))));
    for (const s of declared.sections) s.retransmissionOrRefreshOk = true;
    assert.deepEqual(findContradictions(declared, 'F004', followed), []);
  });

  it("books found different from the venue's contradict a declared refresh too", () => {
    const f001md = firm('F001', [{ service: 'OMD-C', identity: 'F001MD', role: 'retransmission' }]);
    const differ = drill.map((e) => (e.identity === 'F001MD' && e.kind === 'book-verified' ? { ...e, detail: { equal: false, differ: ['channel 2'] } } : e));
    const declared = sampleResultForm(drillSession, f001md);
    declared.sections[0]!.retransmissionOrRefreshOk = true;
    assert.deepEqual(findContradictions(declared, 'F001', drill), []);
    const c = findContradictions(declared, 'F001', differ);
    assert.deepEqual(
      c.map((x) => x.code),
      ['DR_NOT_FOLLOWED'],
    );
    assert.match(c[0]!.evidence, /books different from the venue's .* \(backup site\)/);
  });

  it("the well-behaved firm's pre-fill is passed everywhere and its declaration raises no contradiction", () => {
    const pre = prefillResultForm(drillSession, f001, drill);
    assert.deepEqual(
      pre.map((p) => p.overall),
      ['passed', 'passed', 'passed', 'passed', 'passed', 'passed'],
    );
    const declared = sampleResultForm(drillSession, f001);
    assert.deepEqual(findContradictions(declared, 'F001', drill), []);
  });
});

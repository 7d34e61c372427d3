// Evidence as people read it: messages in English and Traditional Chinese,
// every suggested answer with its basis, and "self-reported" wherever the
// firm's own probe is what backs a text (pre-fill, contradictions, cells, PDF,
// evidence bundle).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import {
  buildEvidenceBundle,
  demoEvidence,
  demoSession,
  demoSubscriber,
  describeEvidence,
  findContradictions,
  prefillResultForm,
  readTar,
  renderFormPdf,
  renderMessage,
  sampleResultForm,
  serviceCell,
  MESSAGES,
} from '../../src/desk/index.ts';
import { EVIDENCE_KINDS, VENUE_OBSERVES, type EvidenceEvent } from '../../src/evidence/index.ts';

const session = demoSession();
const sub = demoSubscriber(0);

/** The text a PDF draws with a standard font: its content streams inflated, the hex strings of its text operators decoded. */
function pdfText(pdf: Buffer): string {
  const out: string[] = [];
  const raw = pdf.toString('latin1');
  const re = /stream\r?\n/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(raw))) {
    const start = m.index + m[0].length;
    const end = raw.indexOf('endstream', start);
    let body: string;
    try {
      body = inflateSync(pdf.subarray(start, end)).toString('latin1');
    } catch {
      continue;
    }
    for (const t of body.matchAll(/\[([^\]]*)\]\s*TJ|<([0-9a-fA-F]+)>\s*Tj/g)) {
      const parts = t[1] !== undefined ? [...t[1].matchAll(/<([0-9a-fA-F]+)>/g)].map((x) => x[1]!) : [t[2]!];
      out.push(parts.map((h) => Buffer.from(h, 'hex').toString('latin1')).join(''));
    }
  }
  return out.join('\n');
}

describe('evidence messages', () => {
  const logon: EvidenceEvent = {
    id: 'x',
    ts: '2026-01-10T00:35:00.000Z',
    session: session.id,
    site: 'primary',
    service: 'OTP-C',
    subscriber: sub.id,
    identity: 'B1000T1',
    kind: 'logon',
    detail: {},
    source: 'venue',
  };

  it('describe an event in English and in Traditional Chinese', () => {
    assert.equal(renderMessage(describeEvidence(logon), 'en'), 'logon at primary 08:35 (venue)');
    assert.equal(renderMessage(describeEvidence(logon), 'zh-Hant'), '08:35 主要站登入（交易所記錄）');
    assert.equal(
      renderMessage(describeEvidence({ ...logon, kind: 'feed-joined', site: 'backup', source: 'probe' }), 'zh-Hant'),
      '08:35 後備站接收數據流（自行申報）',
    );
  });

  it('have both templates for every kind and every code they use', () => {
    for (const k of EVIDENCE_KINDS) assert.ok(MESSAGES[`evidence.kind.${k}`]?.['zh-Hant'], k);
    const c = findContradictions(sampleResultForm(session, sub), sub.id, demoEvidence(session, sub, { neverOnBackup: true }));
    assert.ok(c.length > 0);
    for (const x of c) {
      for (const m of [x.message, x.declaredMessage, { code: `contradiction.${x.code}` }]) {
        assert.ok(MESSAGES[m.code], m.code);
        assert.doesNotMatch(renderMessage(m, 'zh-Hant'), /evidence\.|contradiction\./);
      }
      assert.equal(x.evidence, renderMessage(x.message, 'en'));
    }
    assert.equal(renderMessage(c.find((x) => x.code === 'NO_BACKUP_LOGON' && x.service === 'OTP-C')!.message, 'zh-Hant'), '未見於後備站登入');
  });

  it('the table of what the venue observes covers every kind', () => {
    assert.deepEqual(Object.keys(VENUE_OBSERVES).sort(), [...EVIDENCE_KINDS].sort());
    assert.equal(VENUE_OBSERVES.logon, true);
    assert.equal(VENUE_OBSERVES['feed-joined'], false);
  });
});

describe('pre-fill bases agree with the answers', () => {
  const positive = (s: Record<string, unknown>, field: string) => {
    const v = s[field];
    return v === true || (typeof v === 'object' && v !== null && (v as { value?: unknown }).value === true);
  };
  const FIELDS = [
    'connectedToPrimary',
    'reconnectedToBackup',
    'logonSequenceOk',
    'orderAndCancelAcked',
    'dropCopyGapRecovered',
    'marketDataFromBackup',
    'retransmissionOrRefreshOk',
    'returnedToPrimary',
  ];
  const NEGATIVE = /^no |never|, [1-9]\d* not recovered|refusal/;

  for (const [name, evidence] of [
    ['clean', demoEvidence(session, sub)],
    ['never on the backup', demoEvidence(session, sub, { neverOnBackup: true })],
    ['gap left open', demoEvidence(session, sub, { unrecoveredGap: true })],
  ] as const) {
    it(`every answer has a basis, and a Yes never a "no evidence" one (${name})`, () => {
      const pre = prefillResultForm(session, sub, evidence);
      assert.equal(pre.length, 5);
      for (const s of pre) {
        for (const f of FIELDS) {
          const v = (s as unknown as Record<string, unknown>)[f];
          if (v === null) continue;
          const b = s.basis[f];
          assert.ok(b, `${s.identity} ${f} has a basis`);
          assert.equal(b.text, renderMessage(b.message, 'en'));
          if (positive(s as unknown as Record<string, unknown>, f)) assert.doesNotMatch(b.text, NEGATIVE, `${s.identity} ${f}: yes with "${b.text}"`);
        }
        assert.ok(s.basis.overall, `${s.identity} overall`);
      }
    });
  }
});

describe('without any venue evidence (a rehearsal without the conductor)', () => {
  const probeOnly = demoEvidence(session, sub).map((e) => ({ ...e, source: 'probe' as const }));

  it("shows the probe's states, labelled self-reported, and still lets no contradiction be cleared", () => {
    assert.deepEqual(serviceCell(probeOnly, sub.id, 'OTP-C'), { state: 'recovered', provenance: 'self-reported' });
    const pre = prefillResultForm(session, sub, probeOnly).find((x) => x.identity === 'B1000T1')!;
    assert.equal(pre.reconnectedToBackup.value, true);
    assert.equal(pre.basis.reconnectedToBackup!.provenance, 'self-reported');
    assert.match(pre.basis.reconnectedToBackup!.text, /\(self-reported\)$/);
    const c = findContradictions(sampleResultForm(session, sub), sub.id, probeOnly);
    assert.ok(c.some((x) => x.code === 'NO_BACKUP_LOGON' && x.identity === 'B1000T1' && x.provenance === 'venue'));
    assert.ok(c.some((x) => x.code === 'NO_BACKUP_ACK' && x.identity === 'B1000T1'));
    // Multicast is invisible to the venue: the feed joins still count, so market data is not flagged.
    assert.ok(!c.some((x) => x.service === 'OMD-C' && x.code === 'NO_BACKUP_LOGON'));
  });
});

describe('self-reported is labelled in the documents', () => {
  it('in the PDF of Appendix B, beside a contradiction resting on the probe', async () => {
    const form = sampleResultForm(session, sub);
    const contradictions = findContradictions(form, sub.id, demoEvidence(session, sub, { unrecoveredGap: true }));
    assert.ok(contradictions.length > 0 && contradictions.every((c) => c.provenance === 'self-reported'));
    const pdf = await renderFormPdf({
      kind: 'result',
      session,
      notice: null,
      subscriber: sub,
      contradictions,
      cjkFont: null,
      version: {
        sessionId: session.id,
        subscriberId: sub.id,
        kind: 'result',
        version: 1,
        submissionId: 'sub-00000001',
        submittedBy: 'u',
        submittedByName: 'Firm user',
        submittedByRole: 'subscriber',
        onBehalfReason: null,
        submittedAt: '2026-01-11T02:00:00.000Z',
        late: false,
        content: form,
      },
    });
    const text = pdfText(pdf);
    assert.match(text, /Contradicted by evidence \(self-reported\)/);
    assert.match(text, /the probe reported 1 gap\(s\)\s+never recovered/);
  });

  it('in the evidence bundle, on every event line', () => {
    const evidence = demoEvidence(session, sub);
    const b = buildEvidenceBundle({ session, subscriber: sub, evidence, intention: [], result: [], contradictions: [], createdAt: '2026-01-12T02:00:00.000Z' });
    const lines = readTar(b.tar)
      .find((f) => f.name === 'evidence.jsonl')!
      .content.toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, evidence.length);
    assert.ok(lines.every((l) => l.provenance === (l.source === 'venue' ? 'venue' : 'self-reported')));
    assert.ok(lines.some((l) => l.provenance === 'self-reported'));
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVIDENCE_KINDS, EvidenceWriter, parseEvidenceLines, readEvidenceFile, validateEvidenceEvent, type EvidenceEvent } from '../../src/evidence/index.ts';

const good: EvidenceEvent = {
  id: 'ev-1',
  ts: '2026-01-10T02:06:01.123Z',
  session: 'ps2-2026',
  site: 'backup',
  service: 'OTP-C',
  subscriber: 'firm-a',
  identity: 'B1000T1',
  kind: 'logon',
  detail: { nextExpected: 5 },
  source: 'venue',
};

describe('evidence event validation', () => {
  it('accepts a complete event and keeps only the contract fields', () => {
    const v = validateEvidenceEvent({ ...good, extra: 'dropped' });
    assert.equal(v.ok, true);
    if (v.ok) assert.deepEqual(v.event, good);
  });

  it('names every bad field', () => {
    const v = validateEvidenceEvent({ ...good, site: 'tertiary', service: 'OTP-X', ts: '2026-01-10T02:06:01Z', detail: [], id: '' });
    assert.equal(v.ok, false);
    if (!v.ok) {
      assert.deepEqual(v.errors.map((e) => e.field).sort(), ['detail', 'id', 'service', 'site', 'ts']);
      assert.match(v.errors.find((e) => e.field === 'site')!.message, /site must be one of primary, backup, got "tertiary"/);
      assert.match(v.errors.find((e) => e.field === 'ts')!.message, /milliseconds/);
    }
  });

  it('requires the milliseconds and a zone in ts', () => {
    for (const ts of ['2026-01-10T02:06:01.123', '2026-01-10 02:06:01.123Z', '2026-13-10T02:06:01.123Z']) {
      assert.equal(validateEvidenceEvent({ ...good, ts }).ok, false, ts);
    }
    assert.equal(validateEvidenceEvent({ ...good, ts: '2026-01-10T10:06:01.123+08:00' }).ok, true);
  });

  it('refuses a kind that is not in the list, and accepts every listed kind', () => {
    assert.equal(validateEvidenceEvent({ ...good, kind: 'teleport' }).ok, false);
    for (const kind of EVIDENCE_KINDS) assert.equal(validateEvidenceEvent({ ...good, kind }).ok, true, kind);
  });

  it('refuses non-objects without throwing', () => {
    for (const x of [null, 42, 'x', [good]]) assert.equal(validateEvidenceEvent(x).ok, false);
  });
});

describe('evidence JSON lines', () => {
  it('reports bad lines with their number and keeps the good ones', () => {
    const text = [
      JSON.stringify(good),
      '{not json',
      '',
      JSON.stringify({ ...good, id: 'ev-2', site: 'moon' }),
      JSON.stringify({ ...good, id: 'ev-3' }) + '\r',
    ].join('\n');
    const p = parseEvidenceLines(text);
    assert.deepEqual(
      p.events.map((e) => e.id),
      ['ev-1', 'ev-3'],
    );
    assert.deepEqual(
      p.errors.map((e) => e.line),
      [2, 4],
    );
    assert.match(p.errors[0]!.message, /^line 2: not JSON/);
    assert.match(p.errors[1]!.message, /^line 4: site must be one of/);
    assert.equal(p.errors[1]!.errors![0]!.field, 'site');
  });

  it('writes one event per line and reads them back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-ev-'));
    try {
      const path = join(dir, 'evidence.jsonl');
      const w = new EvidenceWriter(path);
      w.write(good);
      w.write({ ...good, id: 'ev-2', kind: 'ack', detail: { clOrdId: 'T1' } });
      assert.throws(() => w.write({ ...good, site: 'nowhere' } as unknown as EvidenceEvent), /invalid evidence event/);
      await w.close();
      assert.equal(readFileSync(path, 'utf8').split('\n').length, 3);
      const back = await readEvidenceFile(path);
      assert.deepEqual(back.errors, []);
      assert.deepEqual(
        back.events.map((e) => e.id),
        ['ev-1', 'ev-2'],
      );
      assert.deepEqual(back.events[0], good);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

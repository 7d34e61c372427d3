// The phase of the market day at each evidence event (src/desk/domain/market-phase.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EvidenceEvent } from '../../src/evidence/index.ts';
import {
  KNOWN_MARKET_PHASES,
  MESSAGES,
  marketPhaseAt,
  marketPhaseMessage,
  marketPhaseTimeline,
  renderMessage,
  withMarketPhases,
} from '../../src/desk/domain/index.ts';
import { MARKET_PHASES } from '../../src/venue/index.ts';

let n = 0;
function ev(ts: string, kind: EvidenceEvent['kind'], detail: Record<string, unknown> = {}, over: Partial<EvidenceEvent> = {}): EvidenceEvent {
  return { id: `e${n++}`, ts, session: 's', site: 'primary', service: 'OTP-C', subscriber: '*', identity: '*', kind, detail, source: 'venue', ...over };
}
const phase = (ts: string, p: string, over: Partial<EvidenceEvent> = {}) => ev(ts, 'market-phase', { scope: 'market', phase: p }, over);

describe('market phase at each evidence event', () => {
  const timeline = marketPhaseTimeline([
    // Out of order on purpose, with a security event and a probe's claim that must not count.
    phase('2026-01-10T01:30:00.000Z', 'continuous'),
    phase('2026-01-10T01:00:00.000Z', 'pos-order-input'),
    ev('2026-01-10T01:40:00.000Z', 'market-phase', { scope: 'security', securityId: '5', halted: true, phase: 'halted' }),
    phase('2026-01-10T01:45:00.000Z', 'halted', { source: 'probe', subscriber: 'firm-a' }),
    phase('2026-01-10T07:50:00.000Z', 'cas-reference-price'),
    ev('2026-01-10T02:00:00.000Z', 'logon'),
  ]);

  it("keeps only the venue's market-wide phase changes, in time order", () => {
    assert.deepEqual(
      timeline.map((m) => m.phase),
      ['pos-order-input', 'continuous', 'cas-reference-price'],
    );
  });

  it('gives the latest change at or before the event, none before the first', () => {
    assert.equal(marketPhaseAt(timeline, '2026-01-10T00:59:59.999Z'), null);
    assert.equal(marketPhaseAt(timeline, '2026-01-10T01:00:00.000Z'), 'pos-order-input');
    assert.equal(marketPhaseAt(timeline, '2026-01-10T01:29:59.999Z'), 'pos-order-input');
    assert.equal(marketPhaseAt(timeline, '2026-01-10T01:30:00.000Z'), 'continuous');
    // The security halt and the probe's claim do not change the market's phase.
    assert.equal(marketPhaseAt(timeline, '2026-01-10T01:46:00.000Z'), 'continuous');
    assert.equal(marketPhaseAt(timeline, '2026-01-10T09:00:00.000Z'), 'cas-reference-price');
    assert.equal(marketPhaseAt(timeline, 'not a time'), null);
    assert.equal(marketPhaseAt([], '2026-01-10T01:30:00.000Z'), null);
  });

  it('a stored probe claim (provenance self-reported) does not count either', () => {
    const stored = { ...phase('2026-01-10T01:00:00.000Z', 'halted'), postedBy: 'u1', provenance: 'self-reported' };
    assert.equal(marketPhaseTimeline([stored]).length, 0);
  });

  it('annotates each event without changing it', () => {
    const events = [ev('2026-01-10T00:35:00.000Z', 'lookup'), ev('2026-01-10T02:30:00.000Z', 'order', { clOrdId: 'T1' })];
    const out = withMarketPhases(events, timeline);
    assert.equal(out.length, 2);
    assert.deepEqual(
      out.map((e) => e.marketPhase),
      [null, 'continuous'],
    );
    assert.deepEqual(out[1]!.detail, { clOrdId: 'T1' });
    assert.equal('marketPhase' in events[1]!, false);
  });

  it('names every phase of the venue in English and Traditional Chinese, an unknown one as sent', () => {
    assert.deepEqual([...KNOWN_MARKET_PHASES], [...MARKET_PHASES]);
    for (const p of KNOWN_MARKET_PHASES) {
      const m = marketPhaseMessage(p);
      assert.ok(MESSAGES[m.code], `no message for ${p}`);
      assert.notEqual(renderMessage(m, 'en'), renderMessage(m, 'zh-Hant'));
    }
    assert.equal(renderMessage(marketPhaseMessage('continuous'), 'en'), 'continuous trading');
    assert.equal(renderMessage(marketPhaseMessage('continuous'), 'zh-Hant'), '持續交易時段');
    assert.equal(renderMessage(marketPhaseMessage('lunch-break'), 'zh-Hant'), 'lunch-break');
    assert.equal(renderMessage(marketPhaseMessage(null), 'en'), 'no phase recorded yet');
  });
});

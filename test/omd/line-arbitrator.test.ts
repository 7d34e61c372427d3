// Line arbitration and gap detection (spec/omd-c.md §3.3, §4.1, §12 U1–U3) with hand-made packets.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/wire/index.ts';
import { LineArbitrator, type ArbitrationSink, type SeqRange, type FeedLine } from '../../src/omd/line-arbitrator.ts';
import type { OmdMessage } from '../../src/omd/index.ts';

/** A message whose TradeID tells which sequence number it was published as. */
const m = (sn: number): OmdMessage => ({ msgType: 51, securityCode: 1, tradeId: sn });
const reset = (): OmdMessage => ({ msgType: 100, newSeqNo: 1 });
/** Messages for SN from..to inclusive. */
const run = (from: number, to: number): OmdMessage[] => Array.from({ length: to - from + 1 }, (_, i) => m(from + i));

function setup(timeoutMs = 20) {
  const clock = new ManualClock();
  const delivered: number[] = [];
  const tags: number[] = [];
  const gaps: SeqRange[][] = [];
  const resets: { sn: number; line: FeedLine }[] = [];
  const renumbered: number[] = [];
  const sink: ArbitrationSink = {
    deliver: (sn, msg) => {
      delivered.push(sn);
      if (msg.msgType === 51) tags.push(msg.tradeId);
    },
    sequenceReset: (sn, _n, line) => resets.push({ sn, line }),
    gap: (holes) => gaps.push(holes),
    renumbered: (_line, seq) => renumbered.push(seq),
  };
  const arb = new LineArbitrator(sink, { clock, arbitrationTimeoutMs: timeoutMs });
  return { clock, arb, delivered, tags, gaps, resets, renumbered };
}

describe('LineArbitrator: first copy wins (OMD-C 4.1)', () => {
  it('delivers each SN once when lines A and B group messages differently', () => {
    const t = setup();
    t.arb.anchor(1);
    t.arb.onPacket('A', 1, run(1, 3));
    t.arb.onPacket('B', 1, run(1, 2));
    t.arb.onPacket('B', 3, run(3, 6)); // B: SN 3 with 4 messages where A sends 4 with 3
    t.arb.onPacket('A', 4, run(4, 6));
    t.clock.advance(1000);
    assert.deepEqual(t.delivered, [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(t.tags, [1, 2, 3, 4, 5, 6]);
    assert.equal(t.arb.duplicates, 6);
    assert.equal(t.arb.expected, 7);
    assert.deepEqual(t.gaps, []);
  });

  it('dropIfSeen recognises a whole copy from the header alone', () => {
    const t = setup();
    t.arb.anchor(1);
    t.arb.onPacket('A', 1, run(1, 4));
    assert.equal(t.arb.dropIfSeen('B', 1, 4, 51), true);
    assert.equal(t.arb.dropIfSeen('B', 3, 3, 51), false, 'partly new: must be decoded');
    assert.equal(t.arb.dropIfSeen('B', 1, 1, 100), false, 'a Sequence Reset is never dropped blind');
    assert.equal(t.arb.duplicates, 4);
  });

  it('a hole on line A filled by line B before the timeout is no gap', () => {
    const t = setup(20);
    t.arb.anchor(1);
    t.arb.onPacket('A', 1, run(1, 2));
    t.arb.onPacket('A', 5, run(5, 6)); // 3-4 lost on A
    assert.deepEqual(t.delivered, [1, 2]);
    assert.equal(t.arb.buffered, 2);
    t.clock.advance(10);
    t.arb.onPacket('B', 1, run(1, 4)); // B fills 3-4 within the timeout
    assert.deepEqual(t.delivered, [1, 2, 3, 4, 5, 6]);
    t.arb.onPacket('B', 5, run(5, 6));
    t.clock.advance(100);
    assert.deepEqual(t.gaps, []);
    assert.equal(t.arb.buffered, 0);
    assert.equal(t.arb.duplicates, 2 + 2);
  });

  it('a hole on both lines becomes a gap after the timeout, and retransmitted data close it', () => {
    const t = setup(20);
    t.arb.anchor(1);
    t.arb.onPacket('A', 1, run(1, 2));
    t.arb.onPacket('B', 1, run(1, 2));
    t.arb.onPacket('A', 5, run(5, 7));
    t.arb.onPacket('B', 5, run(5, 7));
    t.clock.advance(19);
    assert.deepEqual(t.gaps, []);
    t.clock.advance(1);
    assert.deepEqual(t.gaps, [[{ from: 3, to: 4 }]]);
    t.clock.advance(100);
    assert.equal(t.gaps.length, 1, 'a declared hole is not declared again');
    t.arb.onPacket('R', 3, run(3, 4));
    assert.deepEqual(t.delivered, [1, 2, 3, 4, 5, 6, 7]);
  });

  it('waits past the timeout for a line that is still delivering but lags behind the hole', () => {
    const t = setup(20);
    t.arb.anchor(1);
    t.arb.onPacket('B', 1, run(1, 2)); // B alive, slow
    t.arb.onPacket('A', 1, run(1, 2));
    t.arb.onPacket('A', 6, run(6, 9)); // A lost 3-5 and ran ahead
    t.clock.advance(20);
    assert.deepEqual(t.gaps, [], 'B has not got past 5 yet');
    t.clock.advance(40);
    t.arb.onPacket('B', 3, run(3, 6));
    assert.deepEqual(t.delivered, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    t.clock.advance(1000);
    assert.deepEqual(t.gaps, []);
  });

  it('declares as soon as the lagging line gets past the hole without filling it', () => {
    const t = setup(20);
    t.arb.anchor(1);
    t.arb.onPacket('B', 1, run(1, 2));
    t.arb.onPacket('A', 1, run(1, 2));
    t.arb.onPacket('A', 6, run(6, 9));
    t.clock.advance(30);
    t.arb.onPacket('B', 7, run(7, 9)); // B passed the hole and lost 3-6 too
    t.clock.advance(20);
    assert.deepEqual(t.gaps, [[{ from: 3, to: 5 }]]);
  });

  it('does not wait for ever: a lagging line gets at most maxArbitrationWaitMs', () => {
    const t = setup(20);
    t.arb.anchor(1);
    t.arb.onPacket('A', 1, run(1, 2));
    t.arb.onPacket('B', 1, run(1, 2));
    t.arb.onPacket('A', 6, run(6, 9));
    for (let i = 0; i < 12; i++) {
      t.clock.advance(20);
      t.arb.onHeartbeat('B', 2);
    } // B alive, stuck at 2
    assert.deepEqual(t.gaps, []);
    for (let i = 0; i < 3; i++) {
      t.clock.advance(20);
      t.arb.onHeartbeat('B', 2);
    } // past 250 ms
    assert.deepEqual(t.gaps, [[{ from: 3, to: 5 }]]);
  });

  it('lists every hole between expected and the highest SN seen', () => {
    const t = setup(20);
    t.arb.anchor(10);
    t.arb.onPacket('A', 12, run(12, 13));
    t.arb.onPacket('B', 16, run(16, 16));
    t.arb.onPacket('A', 20, run(20, 21));
    t.arb.onPacket('B', 20, run(20, 21));
    t.clock.advance(20);
    assert.deepEqual(t.gaps, [
      [
        { from: 10, to: 11 },
        { from: 14, to: 15 },
        { from: 17, to: 19 },
      ],
    ]);
  });

  it('a hole that opens while the timer runs gets its own full timeout', () => {
    const t = setup(20);
    t.arb.anchor(1);
    t.arb.onPacket('A', 3, run(3, 3)); // hole 1-2, timer until t=20
    t.clock.advance(15);
    t.arb.onPacket('A', 6, run(6, 6)); // hole 4-5 opens at t=15
    t.clock.advance(5);
    assert.deepEqual(t.gaps, [[{ from: 1, to: 2 }]]);
    t.clock.advance(19);
    assert.equal(t.gaps.length, 1);
    t.clock.advance(1);
    assert.deepEqual(t.gaps[1], [{ from: 4, to: 5 }]);
  });
});

describe('LineArbitrator: heartbeats are only a gap hint (§12 U3)', () => {
  it('a heartbeat beyond expected declares the SNs strictly below its SeqNum after the timeout', () => {
    const t = setup(20);
    t.arb.anchor(1);
    t.arb.onPacket('A', 1, run(1, 5));
    t.arb.onHeartbeat('A', 9);
    t.clock.advance(20);
    // SeqNum 9 may be "last sent" or "next to send": 9 itself is never asked for.
    assert.deepEqual(t.gaps, [[{ from: 6, to: 8 }]]);
  });

  it('a heartbeat equal to expected, or below it, is no gap (one-off tolerance)', () => {
    const t = setup(20);
    t.arb.anchor(1);
    t.arb.onPacket('A', 1, run(1, 5));
    t.arb.onHeartbeat('A', 5);
    t.arb.onHeartbeat('B', 6);
    t.clock.advance(100);
    assert.deepEqual(t.gaps, []);
    assert.equal(t.arb.expected, 6);
  });

  it('never advances expected', () => {
    const t = setup(20);
    t.arb.anchor(1);
    t.arb.onHeartbeat('A', 100);
    assert.equal(t.arb.expected, 1);
  });
});

describe('LineArbitrator: Sequence Reset (OMD-C 3.4.2, §12 U2)', () => {
  it('applies the reset once, from whichever line is first; the next expected is 2', () => {
    const t = setup();
    t.arb.onPacket('A', 1, [reset(), m(2), m(3)]);
    assert.deepEqual(t.resets, [{ sn: 1, line: 'A' }]);
    assert.equal(t.arb.expected, 4);
    t.arb.onPacket('B', 1, [reset(), m(2)]);
    t.arb.onPacket('B', 3, [m(3), m(4)]);
    assert.equal(t.resets.length, 1, 'the copy on line B is not a second reset');
    assert.deepEqual(t.delivered, [2, 3, 4]);
  });

  it("a second reset later in the day is applied again; the lagging line's old numbering is ignored", () => {
    const t = setup();
    t.arb.anchor(1);
    t.arb.onPacket('A', 1, run(1, 50));
    t.arb.onPacket('B', 1, run(1, 40));
    t.arb.onPacket('A', 1, [reset()]); // A: new numbering
    t.arb.onPacket('B', 41, run(41, 50)); // B still sends the old numbering
    t.arb.onPacket('A', 2, run(2, 3));
    t.arb.onPacket('B', 1, [reset()]);
    t.arb.onPacket('B', 2, run(2, 4));
    assert.deepEqual(
      t.resets.map((r) => r.line),
      ['A'],
    );
    assert.deepEqual(t.delivered.slice(50), [2, 3, 4]);
    assert.deepEqual(t.renumbered, [], 'a reset is not a renumbering');
  });

  it('a retransmitted copy of an old reset is a duplicate', () => {
    const t = setup();
    t.arb.onPacket('A', 1, [reset(), m(2)]);
    t.arb.onPacket('R', 1, [reset(), m(2)]);
    assert.equal(t.resets.length, 1);
  });
});

describe('LineArbitrator: caching while a refresh runs (OMD-C 4.4)', () => {
  it('anchor() drops cached SN ≤ LastSeqNum and delivers the rest in order', () => {
    const t = setup();
    t.arb.onPacket('A', 10, run(10, 14));
    t.arb.onPacket('B', 12, run(12, 20));
    assert.deepEqual(t.delivered, []);
    t.arb.anchor(16); // Refresh Complete LastSeqNum 15
    assert.deepEqual(t.delivered, [16, 17, 18, 19, 20]);
    assert.equal(t.arb.mode, 'live');
  });

  it('a snapshot ahead of the cache leaves a hole that becomes a gap', () => {
    const t = setup(20);
    t.arb.onPacket('A', 30, run(30, 35));
    t.arb.anchor(25);
    t.clock.advance(20);
    assert.deepEqual(t.gaps, [[{ from: 25, to: 29 }]]);
  });

  it('with trust, SNs below expected stay duplicates while caching', () => {
    const t = setup();
    t.arb.anchor(1);
    t.arb.onPacket('A', 1, run(1, 10));
    t.arb.beginCaching(true, false);
    t.arb.onPacket('B', 5, run(5, 12));
    assert.equal(t.arb.buffered, 2);
    t.arb.anchor(12);
    assert.deepEqual(t.delivered.slice(10), [12]);
  });
});

describe('LineArbitrator: numbering restarted without a Sequence Reset (§12 U1)', () => {
  it('reports a renumbering only when both lines went backwards', () => {
    const t = setup();
    t.arb.anchor(1);
    t.arb.onPacket('A', 1, run(1, 1000));
    t.arb.onPacket('B', 1, run(1, 1000));
    t.arb.onPacket('A', 1, run(1, 10)); // A restarted
    assert.deepEqual(t.renumbered, []);
    t.arb.onPacket('B', 1, run(1, 5)); // B too
    assert.deepEqual(t.renumbered, [1]);
  });

  it('packets far below expected on both lines count too, even right after a refresh', () => {
    const clock = new ManualClock();
    const seen: number[] = [];
    const arb = new LineArbitrator(
      { deliver: () => {}, sequenceReset: () => {}, gap: () => {}, renumbered: (_l, s) => seen.push(s) },
      { clock, renumberDistance: 100 },
    );
    arb.anchor(500);
    arb.onPacket('A', 450, run(450, 460)); // within the distance: ordinary copies
    arb.onPacket('B', 450, run(450, 460));
    assert.deepEqual(seen, []);
    arb.onPacket('A', 1, run(1, 3));
    arb.onPacket('B', 1, run(1, 3));
    assert.deepEqual(seen, [1]);
  });

  it('duplicates of the slower line are not a renumbering', () => {
    const t = setup();
    t.arb.anchor(1);
    t.arb.onPacket('A', 1, run(1, 100));
    t.arb.onPacket('B', 1, run(1, 50));
    t.arb.onPacket('B', 51, run(51, 100));
    assert.deepEqual(t.renumbered, []);
    assert.equal(t.arb.duplicates, 100);
  });
});

describe('LineArbitrator: ahead window (one forged header never holds a channel)', () => {
  function windowed(aheadWindow = 1_000) {
    const clock = new ManualClock();
    const delivered: number[] = [];
    const gaps: SeqRange[][] = [];
    const suspects: { line: FeedLine; seq: number; count: number }[] = [];
    const arb = new LineArbitrator(
      {
        deliver: (sn) => delivered.push(sn),
        sequenceReset: () => {},
        gap: (h) => gaps.push(h),
        renumbered: () => {},
        suspect: (line, seq, count) => suspects.push({ line, seq, count }),
      },
      { clock, arbitrationTimeoutMs: 20, aheadWindow },
    );
    return { clock, arb, delivered, gaps, suspects };
  }

  it('a packet one million ahead on line A is suspect: counted, not buffered, no gap; the live numbering carries on', () => {
    const t = windowed();
    t.arb.anchor(1);
    t.arb.onPacket('A', 1, run(1, 10));
    t.arb.onPacket('A', 1_000_011, run(1_000_011, 1_000_011));
    assert.equal(t.arb.suspect, 1);
    assert.equal(t.arb.buffered, 0);
    assert.deepEqual(t.suspects, [{ line: 'A', seq: 1_000_011, count: 1 }]);
    t.clock.advance(1_000);
    assert.deepEqual(t.gaps, []);
    t.arb.onPacket('B', 11, run(11, 20));
    t.arb.onPacket('A', 11, run(11, 20));
    t.clock.advance(1_000);
    assert.equal(t.delivered.length, 20);
    assert.equal(t.delivered.at(-1), 20);
    assert.deepEqual(t.gaps, []);
  });

  it('a heartbeat beyond the window is no gap hint', () => {
    const t = windowed();
    t.arb.anchor(1);
    t.arb.onPacket('A', 1, run(1, 5));
    t.arb.onHeartbeat('A', 1_000_000);
    t.clock.advance(1_000);
    assert.deepEqual(t.gaps, []);
    assert.equal(t.arb.suspect, 1);
    assert.deepEqual(t.suspects, [{ line: 'A', seq: 1_000_000, count: 0 }]);
  });

  it('up to the window a packet is buffered and its hole is a gap as before', () => {
    const t = windowed(1_000);
    t.arb.anchor(1);
    t.arb.onPacket('A', 1, run(1, 5));
    t.arb.onPacket('A', 1_006, run(1_006, 1_006)); // expected 6 + window 1,000
    t.clock.advance(20);
    assert.equal(t.arb.suspect, 0);
    assert.deepEqual(t.gaps, [[{ from: 6, to: 1_005 }]]);
  });

  it('line B at the same far position confirms it: the jump is taken and the hole declared', () => {
    const t = windowed();
    t.arb.anchor(1);
    t.arb.onPacket('A', 1, run(1, 5));
    t.arb.onPacket('B', 1, run(1, 5));
    t.arb.onPacket('A', 500_000, run(500_000, 500_004));
    t.arb.onPacket('B', 500_002, run(500_002, 500_006));
    assert.equal(t.arb.suspect, 1);
    t.clock.advance(300);
    assert.deepEqual(t.gaps, [[{ from: 6, to: 500_001 }]]);
    // Later packets of the confirmed numbering are trusted.
    t.arb.onPacket('A', 500_007, run(500_007, 500_008));
    assert.equal(t.arb.suspect, 1);
  });

  it('the same line continuing its far position with nothing in-window between confirms it too (line B silent)', () => {
    const t = windowed();
    t.arb.anchor(1);
    t.arb.onPacket('A', 1, run(1, 5));
    t.arb.onPacket('A', 500_000, run(500_000, 500_004));
    t.arb.onPacket('A', 500_005, run(500_005, 500_006));
    t.clock.advance(300);
    assert.equal(t.arb.suspect, 1);
    assert.deepEqual(t.gaps, [[{ from: 6, to: 500_004 }]]);
  });

  it('two forged packets with live traffic between them are both suspect', () => {
    const t = windowed();
    t.arb.anchor(1);
    t.arb.onPacket('A', 1, run(1, 5));
    t.arb.onPacket('A', 500_000, run(500_000, 500_000));
    t.arb.onPacket('A', 6, run(6, 7));
    t.arb.onPacket('A', 500_001, run(500_001, 500_001));
    t.arb.onHeartbeat('B', 7);
    t.arb.onPacket('B', 500_002, run(500_002, 500_002));
    t.clock.advance(1_000);
    assert.equal(t.arb.suspect, 3);
    assert.deepEqual(t.gaps, []);
    assert.equal(t.arb.expected, 8);
  });

  it('a forged packet cached during a refresh is dropped when the snapshot sets the position, so no gap follows', () => {
    const t = windowed();
    t.arb.onPacket('A', 40, run(40, 45)); // start-up: everything is cached
    t.arb.onPacket('A', 1_000_000, run(1_000_000, 1_000_000));
    assert.equal(t.arb.buffered, 7);
    t.arb.anchor(43);
    assert.equal(t.arb.droppedAhead, 1);
    assert.equal(t.arb.buffered, 0);
    assert.deepEqual(t.delivered, [43, 44, 45]);
    t.clock.advance(1_000);
    assert.deepEqual(t.gaps, []);
  });
});

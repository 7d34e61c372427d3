// FIXT.1.1 acceptor session without sockets: the test plays the client, building messages with the
// codec and reading what the session sends; time on a ManualClock.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/wire/index.ts';
import { MemorySessionStore } from '../../src/ocg/index.ts';
import type { SessionJournal } from '../../src/ocg/index.ts';
import { FixSession, decodeMessage, encodeMessage, fieldOf, fixJournalKey, journalFixMessage, msgTypeOf, sendingTime } from '../../src/fix/index.ts';
import type { FixField, FixMessage, FixSessionEvent } from '../../src/fix/index.ts';

const GW = 'HKEX',
  CL = 'CO99999902';

function harness(opts: { journal?: SessionJournal; clock?: ManualClock } = {}) {
  const clock = opts.clock ?? new ManualClock();
  const journal = opts.journal ?? new MemorySessionStore().journal(fixJournalKey(CL));
  const out: FixMessage[] = [];
  const app: { m: FixMessage; seq: number; possDup: boolean }[] = [];
  const events: FixSessionEvent[] = [];
  let closed: string | null = null;
  const session = new FixSession({
    gatewayCompId: GW,
    clientCompId: CL,
    journal,
    clock,
    appMsgTypes: new Set(['D', 'F', 'G', 'q']),
    send: (b) => {
      const r = decodeMessage(b);
      assert.equal(r.ok, true);
      if (r.ok) out.push(r.message);
    },
    disconnect: (reason) => {
      closed = reason;
    },
    onMessage: (m, seq, possDup) => app.push({ m, seq, possDup }),
    onEvent: (e) => events.push(e),
  });
  let seq = 1;
  const msg = (body: FixField[], o: { seq?: number; possDup?: boolean; sender?: string; beginString?: string } = {}) => {
    const s = o.seq ?? seq++;
    const f: FixField[] = [body[0]!, [49, o.sender ?? CL], [56, GW], [34, String(s)]];
    if (o.possDup === true) f.push([43, 'Y'], [122, sendingTime(clock.now())]);
    f.push([52, sendingTime(clock.now())], ...body.slice(1));
    const r = decodeMessage(encodeMessage({ fields: f }, o.beginString));
    if (!r.ok) throw new Error('bad test message');
    session.onMessage(r.beginString, r.message);
  };
  return {
    clock,
    journal,
    session,
    out,
    app,
    events,
    msg,
    closed: () => closed,
    setSeq: (n: number) => {
      seq = n;
    },
  };
}

const types = (ms: FixMessage[]) => ms.map(msgTypeOf).join(',');
const f = (m: FixMessage | undefined, tag: number) => (m === undefined ? undefined : fieldOf(m, tag));

describe('FIX acceptor session', () => {
  it('accepts a first logon, replies with 789 and 1409, heartbeats and answers a TestRequest', () => {
    const h = harness();
    const r = h.session.acceptLogon({ seq: 1, nextExpected: 1, heartBtIntS: 20 }, 0);
    h.setSeq(2);
    assert.deepEqual(r, { ok: true });
    assert.equal(h.out.length, 1);
    assert.equal(msgTypeOf(h.out[0]!), 'A');
    assert.equal(f(h.out[0], 34), '1');
    assert.equal(f(h.out[0], 789), '2');
    assert.equal(f(h.out[0], 1409), '0');
    assert.equal(f(h.out[0], 1137), '9');
    assert.equal(f(h.out[0], 49), GW);
    h.clock.advance(20_000);
    assert.equal(types(h.out), 'A,0');
    h.msg([
      [35, '1'],
      [112, 'abc'],
    ]);
    assert.equal(types(h.out), 'A,0,0');
    assert.equal(f(h.out[2], 112), 'abc');
    assert.equal(h.journal.nextExpected, 3);
  });

  it('passes application messages in order, and replays them with PossDupFlag and gap fills', () => {
    const h = harness();
    h.session.acceptLogon({ seq: 1, heartBtIntS: 30 }, 0);
    h.setSeq(2);
    h.msg([
      [35, 'D'],
      [11, '1'],
    ]);
    assert.equal(h.app.length, 1);
    assert.equal(h.app[0]!.seq, 2);
    h.session.send([
      [35, '8'],
      [17, 'E1'],
    ]); // seq 2
    h.session.send([
      [35, '8'],
      [17, 'E2'],
    ]); // seq 3
    h.msg([[35, '0']]);
    h.msg([
      [35, '2'],
      [7, '1'],
      [16, '0'],
    ]);
    const replay = h.out.slice(3);
    assert.equal(types(replay), '4,8,8');
    assert.equal(f(replay[0], 123), 'Y');
    assert.equal(f(replay[0], 34), '1');
    assert.equal(f(replay[0], 36), '2');
    assert.equal(f(replay[1], 43), 'Y');
    assert.equal(f(replay[1], 17), 'E1');
    assert.ok(f(replay[1], 122) !== undefined);
    assert.equal(f(replay[2], 34), '3');
    assert.equal(h.journal.nextToSend, 4);
  });

  it('asks for a gap with ResendRequest and processes the held messages once it is filled', () => {
    const h = harness();
    h.session.acceptLogon({ seq: 1, heartBtIntS: 30 }, 0);
    h.msg(
      [
        [35, 'D'],
        [11, 'B'],
      ],
      { seq: 3 },
    );
    assert.equal(types(h.out), 'A,2');
    assert.equal(f(h.out[1], 7), '2');
    assert.equal(f(h.out[1], 16), '0');
    assert.equal(h.app.length, 0);
    assert.equal(h.session.state, 'awaitingResend');
    h.msg(
      [
        [35, 'D'],
        [11, 'A'],
      ],
      { seq: 2, possDup: true },
    );
    assert.equal(h.app.length, 2);
    assert.deepEqual(
      h.app.map((a) => f(a.m, 11)),
      ['A', 'B'],
    );
    assert.equal(h.session.state, 'active');
    h.msg(
      [
        [35, '4'],
        [123, 'Y'],
        [36, '10'],
      ],
      { seq: 4 },
    );
    assert.equal(h.journal.nextExpected, 10);
  });

  it('logs out on a MsgSeqNum too low, ignores one with PossDupFlag', () => {
    const h = harness();
    h.session.acceptLogon({ seq: 1, heartBtIntS: 30 }, 0);
    h.msg([[35, '0']], { seq: 2 });
    h.msg([[35, '0']], { seq: 2, possDup: true });
    assert.equal(h.closed(), null);
    h.msg([[35, '0']], { seq: 2 });
    assert.equal(types(h.out), 'A,5');
    assert.equal(f(h.out[1], 1409), '9');
    assert.match(h.closed() ?? '', /too low/);
  });

  it('rejects a wrong CompID (373=9) and logs out; an unknown MsgType (373=11) and goes on', () => {
    const h = harness();
    h.session.acceptLogon({ seq: 1, heartBtIntS: 30 }, 0);
    h.setSeq(2);
    h.msg([[35, 'ZZ']]);
    assert.equal(types(h.out), 'A,3');
    assert.equal(f(h.out[1], 373), '11');
    assert.equal(f(h.out[1], 45), '2');
    assert.equal(h.closed(), null);
    h.msg([
      [35, '4'],
      [36, '9'],
    ]); // SequenceReset-Reset from a client
    assert.equal(f(h.out[2], 373), '5');
    h.msg([[35, 'D']], { sender: 'OTHER' });
    assert.equal(types(h.out), 'A,3,3,3,5');
    assert.equal(f(h.out[3], 373), '9');
    assert.ok(h.closed() !== null);
  });

  it('logs out a peer on another BeginString', () => {
    const h = harness();
    h.session.acceptLogon({ seq: 1, heartBtIntS: 30 }, 0);
    h.msg([[35, '0']], { beginString: 'FIX.4.4' });
    assert.equal(types(h.out), 'A,5');
    assert.ok(h.closed() !== null);
  });

  it('continues a session at the next logon: 789 below our number replays, above it logs out', () => {
    const store = new MemorySessionStore();
    const journal = store.journal(fixJournalKey(CL));
    const a = harness({ journal });
    a.session.acceptLogon({ seq: 1, heartBtIntS: 30 }, 0);
    a.session.send([
      [35, '8'],
      [17, 'E1'],
    ]);
    a.session.onTransportClosed();
    journalFixMessage(
      journal,
      GW,
      CL,
      [
        [35, '8'],
        [17, 'E2'],
      ],
      a.clock.now(),
    ); // while away: seq 3
    const b = harness({ journal, clock: a.clock });
    b.session.acceptLogon({ seq: 2, nextExpected: 2, heartBtIntS: 30 }, 0);
    assert.equal(types(b.out), 'A,8,8');
    assert.equal(f(b.out[0], 34), '4');
    assert.equal(f(b.out[0], 789), '3');
    assert.deepEqual(
      b.out.slice(1).map((m) => [f(m, 34), f(m, 43), f(m, 17)]),
      [
        ['2', 'Y', 'E1'],
        ['3', 'Y', 'E2'],
      ],
    );
    b.session.onTransportClosed();
    const c = harness({ journal, clock: a.clock });
    const r = c.session.acceptLogon({ seq: 3, nextExpected: 99, heartBtIntS: 30 }, 0);
    assert.equal(r.ok, false);
    assert.equal(f(c.out[0], 1409), '10');
    const d = harness({ journal, clock: a.clock });
    assert.equal(d.session.acceptLogon({ seq: 2, heartBtIntS: 30 }, 0).ok, false);
    assert.equal(f(d.out[0], 1409), '9');
    const fresh = harness();
    assert.equal(fresh.session.acceptLogon({ seq: 5, heartBtIntS: 30 }, 0).ok, false);
    assert.equal(fresh.out.length, 0);
  });

  it('a logon above the expected number: the gap filled by the replay counts the Logon too, a second fill is ignored', () => {
    const store = new MemorySessionStore();
    const journal = store.journal(fixJournalKey(CL));
    const a = harness({ journal });
    a.session.acceptLogon({ seq: 1, heartBtIntS: 30 }, 0);
    a.msg([[35, '0']], { seq: 2 });
    a.session.onTransportClosed();
    // The client sent 3–5 where nobody received them (a black-holed site), then logs on with 6.
    const b = harness({ journal, clock: a.clock });
    assert.deepEqual(b.session.acceptLogon({ seq: 6, nextExpected: 2, heartBtIntS: 30 }, 0), { ok: true });
    assert.equal(types(b.out), 'A,2');
    assert.equal(f(b.out[0], 789), '3');
    assert.equal(f(b.out[1], 7), '3');
    assert.equal(b.session.state, 'awaitingResend');
    // The client's replay by 789: a gap fill of 3–5, up to its Logon.
    b.msg(
      [
        [35, '4'],
        [123, 'Y'],
        [36, '6'],
      ],
      { seq: 3, possDup: true },
    );
    assert.equal(b.session.state, 'active');
    assert.equal(journal.nextExpected, 7);
    // Its answer to the ResendRequest fills 3–6 again: a duplicate, ignored.
    b.msg(
      [
        [35, '4'],
        [123, 'Y'],
        [36, '7'],
      ],
      { seq: 3, possDup: true },
    );
    assert.equal(b.closed(), null);
    b.msg(
      [
        [35, 'D'],
        [11, 'A'],
      ],
      { seq: 7 },
    );
    assert.equal(b.app.length, 1);
    assert.equal(b.app[0]!.seq, 7);
    assert.equal(b.session.state, 'active', 'no resend left waiting');
    assert.equal(b.closed(), null);
  });

  it('sends a TestRequest after three silent intervals and logs out when it is not answered', () => {
    const h = harness();
    h.session.acceptLogon({ seq: 1, heartBtIntS: 10 }, 0);
    h.clock.advance(30_000);
    assert.ok(types(h.out).includes('1'));
    h.clock.advance(30_000);
    assert.equal(msgTypeOf(h.out[h.out.length - 1]!), '5');
    assert.match(h.closed() ?? '', /test request/);
    assert.equal(h.clock.pending, 0);
  });
});

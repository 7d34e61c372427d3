// OCG-C session state machine without sockets (spec note §1.3, §3.12, §3.13): a gateway-role and a
// client-role OcgSession wired back to back through queues, time driven by a ManualClock.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/wire/index.ts';
import { OcgMsgType, decodeMessage, encodeMessage, peekHeader, toPrice, toQty, SessionStatus } from '../../src/ocg/index.ts';
import type { OcgMessage, OcgHeader, Logon } from '../../src/ocg/index.ts';
import { OcgSession, journalMessage } from '../../src/ocg/session.ts';
import type { OcgSessionEvent } from '../../src/ocg/session.ts';
import { MemorySessionStore } from '../../src/ocg/session-store.ts';
import type { SessionJournal } from '../../src/ocg/session-store.ts';

const COMP = 'CO99999902';

function execReport(n: number): OcgMessage {
  return {
    msgType: OcgMsgType.ExecutionReport,
    clientOrderId: String(n),
    submittingBrokerId: '1001',
    securityId: '700',
    securityIdSource: 8,
    securityExchange: 'XHKG',
    transactionTime: '20260109-01:30:00.000000',
    side: 1,
    orderId: `O${n}`,
    executionId: `E${n}`,
    orderStatus: 0,
    execType: '0',
    cumulativeQuantity: 0n,
    leavesQuantity: toQty(100),
    price: toPrice(395.8),
  };
}

interface Side {
  session: OcgSession;
  journal: SessionJournal;
  inbox: Uint8Array[];
  received: { message: OcgMessage; header: OcgHeader }[];
  events: OcgSessionEvent[];
  closed: string | null;
  /** Frames this side sent (all of them, also the dropped ones). */
  sent: Uint8Array[];
  drop: (frame: Uint8Array) => boolean;
}

function makePair(opts: { clock?: ManualClock; gwJournal?: SessionJournal; clJournal?: SessionJournal } = {}) {
  const clock = opts.clock ?? new ManualClock();
  const gwStore = new MemorySessionStore(),
    clStore = new MemorySessionStore();
  const mk = (role: 'gateway' | 'client', journal: SessionJournal, peerInbox: () => Uint8Array[]): Side => {
    const side = { inbox: [] as Uint8Array[], received: [], events: [], closed: null, sent: [], drop: () => false, journal } as unknown as Side;
    side.session = new OcgSession({
      role,
      compId: COMP,
      journal,
      clock,
      send: (f) => {
        side.sent.push(f);
        if (!side.drop(f)) peerInbox().push(f);
      },
      disconnect: (reason) => {
        side.closed = reason;
      },
      onMessage: (message, header) => side.received.push({ message, header }),
      onEvent: (e) => side.events.push(e),
    });
    return side;
  };
  const pair = {} as { gw: Side; cl: Side; clock: ManualClock; pump: () => void; logon: () => void };
  pair.clock = clock;
  pair.gw = mk('gateway', opts.gwJournal ?? gwStore.journal(COMP), () => pair.cl.inbox);
  pair.cl = mk('client', opts.clJournal ?? clStore.journal(COMP), () => pair.gw.inbox);
  pair.pump = () => {
    for (let i = 0; i < 10_000 && (pair.gw.inbox.length > 0 || pair.cl.inbox.length > 0); i++) {
      const g = pair.gw.inbox.shift();
      if (g !== undefined) {
        // The gateway authenticates the first Logon itself, then hands it to acceptLogon.
        const h = peekHeader(g)!;
        if (h.msgType === OcgMsgType.Logon && pair.gw.session.state === 'connecting') {
          const d = decodeMessage(g);
          assert.ok(d.ok);
          pair.gw.session.acceptLogon(d.header, d.message as Logon, { sessionStatus: SessionStatus.SessionActive });
        } else pair.gw.session.onFrame(g);
      }
      const c = pair.cl.inbox.shift();
      if (c !== undefined) pair.cl.session.onFrame(c);
    }
  };
  pair.logon = () => {
    pair.cl.session.startLogon({ password: 'x' });
    pair.pump();
  };
  return pair;
}

const types = (frames: Uint8Array[]) => frames.map((f) => peekHeader(f)!.msgType);

describe('logon handshake (§3.12)', () => {
  it('first logon of the day: both at seq 1, reply Next Expected 2, both active', () => {
    const p = makePair();
    p.logon();
    assert.equal(p.cl.session.state, 'active');
    assert.equal(p.gw.session.state, 'active');
    const reply = decodeMessage(p.gw.sent[0]!);
    assert.ok(reply.ok);
    assert.equal(reply.header.seqNum, 1);
    assert.equal((reply.message as Logon).nextExpectedMessageSequence, 2);
    assert.deepEqual([p.cl.journal.nextToSend, p.cl.journal.nextExpected], [2, 2]);
    assert.deepEqual([p.gw.journal.nextToSend, p.gw.journal.nextExpected], [2, 2]);
    assert.ok(p.cl.events.some((e) => e.type === 'logonAccepted'));
  });

  it('first logon of the day with seq > 1 is closed without any message', () => {
    const p = makePair();
    p.cl.journal.setNextToSend(5);
    p.logon();
    assert.equal(p.gw.sent.length, 0);
    assert.match(p.gw.closed ?? '', /first logon/);
  });

  it('logon seq lower than expected: Logout, inbound counter kept, outbound advanced', () => {
    const store = new MemorySessionStore();
    const gj = store.journal(COMP);
    gj.setNextExpected(10);
    gj.setNextToSend(4);
    const p = makePair({ gwJournal: gj });
    p.cl.journal.setNextToSend(7);
    p.cl.journal.setNextExpected(4);
    p.cl.session.startLogon({ password: 'x' });
    p.pump();
    assert.deepEqual(types(p.gw.sent), [OcgMsgType.Logout]);
    const lo = decodeMessage(p.gw.sent[0]!);
    assert.ok(lo.ok && lo.message.msgType === OcgMsgType.Logout);
    assert.match(lo.message.logoutText ?? '', /too low: expected 10, received 7/);
    assert.equal(gj.nextExpected, 10);
    assert.equal(gj.nextToSend, 5);
    assert.ok(p.cl.events.some((e) => e.type === 'logonRefused'));
    assert.equal(p.cl.session.state, 'disconnected');
  });

  it('client Next Expected beyond the gateway sequence: Logout and terminate', () => {
    const p = makePair();
    p.gw.journal.setNextToSend(3);
    p.gw.journal.setNextExpected(1);
    p.cl.journal.setNextExpected(9);
    p.logon();
    assert.match(p.gw.closed ?? '', /beyond/);
  });

  it('N < S: the gateway replays missed business messages with PossDup and gap-fills session seqs and its Logon', () => {
    const p = makePair();
    const gj = p.gw.journal;
    // Gateway history: 1 Logon reply, 2 ER, 3 Heartbeat (session, not stored), 4 ER; the client saw only 1.
    gj.setNextExpected(2);
    gj.setNextToSend(2);
    journalMessage(gj, COMP, execReport(2));
    gj.setNextToSend(gj.nextToSend + 1); // a heartbeat went out under seq 3
    journalMessage(gj, COMP, execReport(4));
    p.cl.journal.setNextToSend(2);
    p.cl.journal.setNextExpected(2);
    p.logon();
    // Reply at 5, then 2 (ER), gap fill 3→4, 4 (ER), gap fill 5→6.
    const sent = p.gw.sent.map((f) => decodeMessage(f)).map((d) => (assert.ok(d.ok), d));
    assert.deepEqual(
      sent.map((d) => [d.header.seqNum, d.message.msgType, d.header.possDup]),
      [
        [5, OcgMsgType.Logon, false],
        [2, OcgMsgType.ExecutionReport, true],
        [3, OcgMsgType.SequenceReset, true],
        [4, OcgMsgType.ExecutionReport, true],
        [5, OcgMsgType.SequenceReset, true],
      ],
    );
    assert.equal((sent[2]!.message as { newSequenceNumber: number }).newSequenceNumber, 4);
    assert.equal((sent[4]!.message as { newSequenceNumber: number }).newSequenceNumber, 6);
    assert.deepEqual(
      p.cl.received.map((r) => (r.message as { executionId: string }).executionId),
      ['E2', 'E4'],
    );
    assert.equal(p.cl.journal.nextExpected, 6);
    assert.equal(p.cl.session.state, 'active');
    assert.ok(p.cl.events.some((e) => e.type === 'gapRecovered'));
    // Step 6: no Resend Request from the client for the Logon's high seq.
    assert.ok(!types(p.cl.sent).includes(OcgMsgType.ResendRequest));
  });

  it('gateway Next Expected < client seq: the client replays its own messages and gap-fills its Logon', () => {
    const p = makePair();
    const cj = p.cl.journal;
    cj.setNextToSend(2);
    cj.setNextExpected(2);
    journalMessage(cj, COMP, {
      msgType: OcgMsgType.CancelRequest,
      clientOrderId: '7',
      submittingBrokerId: '1001',
      securityId: '700',
      securityIdSource: 8,
      transactionTime: '20260109-01:30:00.000000',
      side: 1,
      originalClientOrderId: '6',
    });
    p.gw.journal.setNextExpected(2);
    p.gw.journal.setNextToSend(2);
    p.logon();
    // Client Logon at 3 not consumed by the gateway; client replays 2, gap-fills 3→4.
    assert.deepEqual(
      p.gw.received.map((r) => [r.header.seqNum, r.header.possDup, r.message.msgType]),
      [[2, true, OcgMsgType.CancelRequest]],
    );
    assert.equal(p.gw.journal.nextExpected, 4);
    assert.equal(p.gw.session.state, 'active');
  });
});

describe('heartbeat and test request (§1.3, driven clock)', () => {
  it('each side sends a Heartbeat after 20 s of not sending', () => {
    const p = makePair();
    p.logon();
    const before = p.gw.sent.length;
    p.clock.advance(19_000);
    p.pump();
    assert.equal(p.gw.sent.length, before);
    p.clock.advance(1_000);
    p.pump();
    assert.deepEqual(types(p.gw.sent.slice(before)), [OcgMsgType.Heartbeat]);
    assert.ok(types(p.cl.sent).includes(OcgMsgType.Heartbeat));
    assert.equal(p.gw.session.state, 'active');
  });

  it('silence for 60 s ⇒ Test Request; the echo keeps the session', () => {
    const p = makePair();
    p.logon();
    // From here the gateway alone: nothing arrives from the client for 60 s.
    p.clock.advance(59_000);
    assert.ok(!types(p.gw.sent).includes(OcgMsgType.TestRequest));
    p.clock.advance(1_000);
    const tr = p.gw.sent.map((f) => decodeMessage(f)).find((d) => d.ok && d.message.msgType === OcgMsgType.TestRequest);
    assert.ok(tr !== undefined && tr.ok && tr.message.msgType === OcgMsgType.TestRequest);
    const id = tr.message.testRequestId!;
    p.gw.session.onFrame(encodeMessage({ seqNum: 2, compId: COMP }, { msgType: OcgMsgType.Heartbeat, referenceTestRequestId: id }));
    p.clock.advance(59_000);
    assert.equal(p.gw.session.state, 'active');
    // And the client answers a Test Request with a Heartbeat echoing the id.
    p.cl.session.onFrame(encodeMessage({ seqNum: 2, compId: COMP }, { msgType: OcgMsgType.TestRequest, testRequestId: 4242 }));
    const echo = decodeMessage(p.cl.sent.at(-1)!);
    assert.ok(echo.ok && echo.message.msgType === OcgMsgType.Heartbeat);
    assert.equal(echo.message.referenceTestRequestId, 4242);
  });

  it('test request unanswered for 60 s ⇒ Logout and drop', () => {
    const p = makePair();
    p.logon();
    p.cl.drop = () => true; // the client's frames are lost
    p.clock.advance(60_000);
    p.pump();
    assert.ok(p.gw.events.some((e) => e.type === 'testRequestSent'));
    assert.equal(p.gw.closed, null);
    p.clock.advance(59_000);
    p.pump();
    assert.equal(p.gw.closed, null);
    p.clock.advance(1_000);
    p.pump();
    assert.match(p.gw.closed ?? '', /test request/);
    assert.equal(types(p.gw.sent).at(-1), OcgMsgType.Logout);
    assert.equal(p.gw.session.state, 'disconnected');
  });

  it('no Logon reply within 60 s ⇒ the client drops', () => {
    const p = makePair();
    p.cl.drop = () => true;
    p.cl.session.startLogon({ password: 'x' });
    p.clock.advance(60_000);
    assert.match(p.cl.closed ?? '', /logon timeout/);
  });
});

describe('gap and resend (§3.12, §3.13)', () => {
  it('a lost message is detected, requested open-ended and replayed with PossDup; session messages gap-filled', () => {
    const p = makePair();
    p.logon();
    let dropSeq = 3;
    p.gw.drop = (f) => peekHeader(f)!.seqNum === dropSeq && !peekHeader(f)!.possDup;
    p.gw.session.sendMessage(execReport(2)); // seq 2
    p.gw.session.sendMessage(execReport(3)); // seq 3 (lost)
    p.clock.advance(20_000); // heartbeat seq 4 from the gateway
    p.gw.session.sendMessage(execReport(5)); // seq 5
    dropSeq = -1;
    p.pump();
    const rr = p.cl.sent.map((f) => decodeMessage(f)).find((d) => d.ok && d.message.msgType === OcgMsgType.ResendRequest);
    assert.ok(rr !== undefined && rr.ok && rr.message.msgType === OcgMsgType.ResendRequest);
    assert.deepEqual([rr.message.startSequence, rr.message.endSequence], [3, 0]);
    assert.deepEqual(
      p.cl.received.map((r) => [(r.message as { executionId: string }).executionId, r.header.possDup]),
      [
        ['E2', false],
        ['E3', true],
        ['E5', false],
      ],
    );
    const replay = p.gw.sent.map((f) => decodeMessage(f)).filter((d) => d.ok && d.header.possDup);
    assert.deepEqual(
      replay.map((d) => d.ok && [d.header.seqNum, d.message.msgType]),
      [
        [3, OcgMsgType.ExecutionReport],
        [4, OcgMsgType.SequenceReset],
        [5, OcgMsgType.ExecutionReport],
      ],
    );
    assert.equal(p.cl.session.state, 'active');
    assert.equal(p.cl.journal.nextExpected, p.gw.journal.nextToSend);
    assert.ok(p.cl.events.some((e) => e.type === 'gapRecovered'));
  });

  it('a Resend Request left unanswered for 60 s ⇒ Logout and drop [INF timeout]', () => {
    const p = makePair();
    p.logon();
    p.cl.session.onFrame(encodeMessage({ seqNum: 5, compId: COMP }, execReport(5)));
    assert.equal(p.cl.session.state, 'awaitingResend');
    p.cl.drop = () => true; // the resend request never arrives
    p.clock.advance(59_000);
    assert.equal(p.cl.session.state, 'awaitingResend');
    p.clock.advance(1_000);
    assert.equal(p.cl.closed, 'resend from 2 not answered: 2 still missing');
  });

  const resendStarts = (frames: Uint8Array[]) =>
    frames.map((f) => decodeMessage(f)).flatMap((d) => (d.ok && d.message.msgType === OcgMsgType.ResendRequest ? [d.message.startSequence] : []));
  /** A frame with a corrupt high seq under a valid CRC. */
  const bogus = () => encodeMessage({ seqNum: 1_000_000, compId: COMP }, execReport(99));

  it('a corrupt high seq is requested, then abandoned at the next original in sequence; a later real gap is requested anew', () => {
    const p = makePair();
    p.logon();
    p.gw.session.onFrame(bogus());
    assert.equal(p.gw.session.state, 'awaitingResend');
    p.pump(); // the client answers Resend Request(2, 0): it has nothing from 2 on
    p.cl.session.sendMessage(execReport(2)); // seq 2, original, in sequence
    p.pump();
    assert.equal(p.gw.session.state, 'active', 'the wait for the bogus range ended');
    p.cl.drop = (f) => peekHeader(f)!.seqNum === 3 && !peekHeader(f)!.possDup;
    p.cl.session.sendMessage(execReport(3)); // lost
    p.cl.session.sendMessage(execReport(4));
    p.pump();
    assert.deepEqual(resendStarts(p.gw.sent), [2, 3]);
    assert.deepEqual(
      p.gw.received.map((r) => (r.message as { executionId: string }).executionId),
      ['E2', 'E3', 'E4'],
    );
    assert.equal(p.gw.session.state, 'active');
    assert.equal(p.gw.journal.nextExpected, 5);
  });

  it('a real gap right behind a corrupt high seq: the later original shows the bogus one, the gap is requested again', () => {
    const p = makePair();
    p.logon();
    p.gw.session.onFrame(bogus());
    p.pump(); // Resend Request(2, 0) answered with nothing
    p.cl.drop = (f) => peekHeader(f)!.seqNum === 2 && !peekHeader(f)!.possDup;
    p.cl.session.sendMessage(execReport(2)); // lost
    p.cl.session.sendMessage(execReport(3));
    p.pump();
    assert.deepEqual(resendStarts(p.gw.sent), [2, 2]);
    assert.deepEqual(
      p.gw.received.map((r) => (r.message as { executionId: string }).executionId),
      ['E2', 'E3'],
    );
    assert.equal(p.gw.session.state, 'active');
  });

  it('an unanswered Resend Request ends the session with a reason naming the request actually sent', () => {
    const p = makePair();
    p.logon();
    p.gw.session.onFrame(bogus());
    p.pump();
    for (const n of [2, 3, 4]) p.cl.session.sendMessage(execReport(n));
    p.pump();
    p.cl.drop = () => true; // from here the client is silent: its seq 5 is lost, 6 arrives by hand
    p.gw.session.onFrame(encodeMessage({ seqNum: 6, compId: COMP }, execReport(6)));
    assert.deepEqual(resendStarts(p.gw.sent), [2, 5]);
    p.clock.advance(60_000);
    assert.equal(p.gw.session.state, 'disconnected');
    const lo = decodeMessage(p.gw.sent.at(-1)!);
    assert.ok(lo.ok && lo.message.msgType === OcgMsgType.Logout);
    assert.equal(lo.message.logoutText, 'resend from 5 not answered: 5 still missing');
  });

  it('seq lower than expected without PossDup ⇒ Logout; with PossDup ⇒ ignored', () => {
    const p = makePair();
    p.logon();
    p.gw.session.sendMessage(execReport(2));
    p.pump();
    const dup = encodeMessage({ seqNum: 2, compId: COMP, possDup: true }, execReport(2));
    p.cl.session.onFrame(dup);
    assert.equal(p.cl.session.state, 'active');
    assert.equal(p.cl.received.length, 1);
    p.cl.session.onFrame(encodeMessage({ seqNum: 2, compId: COMP }, execReport(2)));
    assert.equal(p.cl.session.state, 'disconnected');
    assert.equal(types(p.cl.sent).at(-1), OcgMsgType.Logout);
  });

  it('a client-sent Sequence Reset in Reset mode is rejected (§3.8) and consumes its seq like every message (§3.12)', () => {
    const p = makePair();
    p.logon();
    p.gw.session.onFrame(encodeMessage({ seqNum: 2, compId: COMP }, { msgType: OcgMsgType.SequenceReset, gapFill: 'N', newSequenceNumber: 50 }));
    const last = decodeMessage(p.gw.sent.at(-1)!);
    assert.ok(last.ok && last.message.msgType === OcgMsgType.Reject);
    assert.equal(last.message.referenceSequenceNumber, 2);
    assert.equal(p.gw.journal.nextExpected, 3);
    // The next message (seq 3) is in sequence: no gap, no Resend Request.
    p.gw.session.onFrame(encodeMessage({ seqNum: 3, compId: COMP }, { msgType: OcgMsgType.Heartbeat }));
    assert.equal(p.gw.session.state, 'active');
    assert.equal(types(p.gw.sent).filter((t) => t === OcgMsgType.ResendRequest).length, 0);
    assert.equal(p.gw.journal.nextExpected, 4);
  });

  it('a gateway Sequence Reset in Reset mode moves the client to the new number', () => {
    const p = makePair();
    p.logon();
    p.cl.session.onFrame(encodeMessage({ seqNum: 99, compId: COMP }, { msgType: OcgMsgType.SequenceReset, gapFill: 'N', newSequenceNumber: 50 }));
    assert.equal(p.cl.journal.nextExpected, 50);
    assert.equal(p.cl.session.state, 'active');
  });
});

describe('bad input (§2.2, §2.3, §4.8)', () => {
  it('bad checksum ⇒ drop without Logout', () => {
    const p = makePair();
    p.logon();
    const f = encodeMessage({ seqNum: 2, compId: COMP }, execReport(2)).slice();
    f[f.length - 1]! ^= 0xff;
    const before = p.gw.sent.length;
    p.gw.session.onFrame(f);
    assert.match(p.gw.closed ?? '', /checksum/);
    assert.equal(p.gw.sent.length, before);
  });

  it('unknown presence bit ⇒ Reject (3) code 3, seq consumed, session continues', () => {
    const p = makePair();
    p.logon();
    const f = encodeMessage({ seqNum: 2, compId: COMP }, { msgType: OcgMsgType.Heartbeat }).slice();
    f[22 + 3] = 0x01; // bit 31: no field of Heartbeat; fix the CRC
    const crc = crcOf(f);
    new DataView(f.buffer).setUint32(f.length - 4, crc, true);
    p.gw.session.onFrame(f);
    const rej = decodeMessage(p.gw.sent.at(-1)!);
    assert.ok(rej.ok && rej.message.msgType === OcgMsgType.Reject);
    assert.equal(rej.message.messageRejectCode, 3);
    assert.equal(rej.message.referenceSequenceNumber, 2);
    // The Reason is printable ASCII (§2.5): no spec reference with its section sign cut from the log text.
    assert.match(rej.message.reason ?? '', /^[\x20-\x7e]+$/);
    assert.match(rej.message.reason ?? '', /presence bit 31/);
    assert.equal(p.gw.journal.nextExpected, 3);
    assert.equal(p.gw.session.state, 'active');
  });

  it("a header Comp ID that is not the session's ⇒ Reject (3) code 9, not processed, seq consumed", () => {
    const p = makePair();
    p.logon();
    p.gw.session.onFrame(encodeMessage({ seqNum: 2, compId: 'CO11111111' }, execReport(2)));
    const rej = decodeMessage(p.gw.sent.at(-1)!);
    assert.ok(rej.ok && rej.message.msgType === OcgMsgType.Reject);
    assert.equal(rej.message.messageRejectCode, 9);
    assert.equal(rej.message.referenceSequenceNumber, 2);
    assert.equal(rej.message.referenceFieldName, 'Comp ID');
    assert.equal(rej.header.compId, COMP);
    assert.equal(p.gw.received.length, 0);
    assert.equal(p.gw.journal.nextExpected, 3);
    // A Test Request under another Comp ID gets no Heartbeat either.
    p.gw.session.onFrame(encodeMessage({ seqNum: 3, compId: 'CO11111111' }, { msgType: OcgMsgType.TestRequest, testRequestId: 9 }));
    assert.deepEqual(types(p.gw.sent).slice(-2), [OcgMsgType.Reject, OcgMsgType.Reject]);
    assert.equal(p.gw.session.state, 'active');
  });

  it('a business message before logon drops the connection', () => {
    const p = makePair();
    p.gw.session.onFrame(encodeMessage({ seqNum: 1, compId: COMP }, execReport(1)));
    assert.match(p.gw.closed ?? '', /before logon/);
  });
});

describe('logout (§3.4)', () => {
  it('initiator sends Logout, peer replies, initiator closes', () => {
    const p = makePair();
    p.logon();
    p.cl.session.logout('bye');
    assert.equal(p.cl.session.state, 'logoutSent');
    p.pump();
    assert.equal(p.cl.session.state, 'disconnected');
    assert.equal(p.cl.closed, 'logout complete');
    assert.equal(p.gw.session.state, 'disconnected');
  });

  it('no Logout reply within 60 s ⇒ close anyway', () => {
    const p = makePair();
    p.logon();
    p.cl.drop = () => true;
    p.gw.drop = () => true;
    p.cl.session.logout();
    p.clock.advance(60_000);
    assert.match(p.cl.closed ?? '', /logout timeout/);
  });
});

import { crc32c } from '../../src/wire/index.ts';
function crcOf(f: Uint8Array): number {
  return crc32c(f, 0, f.length - 4);
}

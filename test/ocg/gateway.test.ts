// OcgGateway on loopback (spec note §1.4–1.6, §3.12, §3.13, §5.7): logon and every refusal, order
// to fill between two sessions, drop copy, bad input, throttle, cancel on disconnect, restart.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeMessage, OcgMsgType, PasswordChecker, SessionStatus, preciseClock, securityExchangeOf, transactionTimeFromMillis } from '../../src/ocg/index.ts';
import type { Logon } from '../../src/ocg/index.ts';
import { FileSessionStore, MemorySessionStore } from '../../src/ocg/session-store.ts';
import { ManualClock } from '../../src/wire/index.ts';
import { MatchingEngine } from '../../src/venue/index.ts';
import { profileFor } from '../../src/ocg/index.ts';
import { comp, connectClient, ers, newOrder, startVenue, testHash, testKeys, PASSWORD } from './gateway-harness.ts';
import type { TestClient, TestVenue } from './gateway-harness.ts';
import { waitFor } from '../helpers/wait.ts';

const venues: TestVenue[] = [];
const clients: TestClient[] = [];
after(async () => {
  for (const c of clients) await c.close();
  for (const v of venues) await v.close();
});
async function venue(...args: Parameters<typeof startVenue>): Promise<TestVenue> {
  const v = await startVenue(...args);
  venues.push(v);
  return v;
}
async function client(v: TestVenue, compId: string, opts: Partial<Parameters<typeof connectClient>[2]> = {}): Promise<TestClient> {
  const c = await connectClient(v.port, compId, { clock: v.clock, ...opts });
  clients.push(c);
  return c;
}

function logonReply(c: TestClient): { status?: number; text?: string } | undefined {
  const e = c.events.find((x) => x.type === 'logonAccepted' || x.type === 'logonRefused');
  if (e === undefined) return undefined;
  if (e.type === 'logonAccepted') return { status: e.sessionStatus, text: e.text };
  if (e.type === 'logonRefused') return { status: e.sessionStatus, text: e.text };
  return undefined;
}

describe('logon (§1.4, §3.3, §3.12)', () => {
  it('accepts the RSA-encrypted, time-prefixed password: status 0, days to expiry, test system', async () => {
    const v = await venue([comp('CO1', 'F1')]);
    const c = await client(v, 'CO1');
    await c.logon();
    assert.equal(c.session.state, 'active');
    const ev = c.events.find((e) => e.type === 'logonAccepted');
    assert.ok(ev && ev.type === 'logonAccepted');
    assert.equal(ev.sessionStatus, SessionStatus.SessionActive);
    assert.equal(ev.text, '90');
    assert.equal(ev.testMessageIndicator, 1);
    assert.equal(v.gateway.isLoggedOn('CO1'), true);
    assert.ok(v.events.some((e) => e.kind === 'logon' && e.compId === 'CO1'));
  });

  it('password checks on the worker-thread pool (as in production) accept and refuse the same way', async () => {
    const v = await venue([comp('WK1', 'F1'), comp('WK2', 'F1')], { passwordWorkers: 2 });
    const [a, b] = await Promise.all([client(v, 'WK1'), client(v, 'WK2')]);
    await Promise.all([a.logon(), b.logon('Wrong999')]);
    assert.equal(a.session.state, 'active');
    assert.equal(logonReply(b)?.status, SessionStatus.InvalidUsernameOrPassword);
  });

  it("two gateways share one checker (a site's pool): both check with it, and closing one leaves it to the other", async () => {
    const checker = new PasswordChecker(testKeys().privateKeyPem, { workers: 1 });
    try {
      const g1 = await startVenue([comp('SH1', 'F1')], { passwordChecker: checker });
      const g2 = await venue([comp('SH2', 'F1')], { passwordChecker: checker });
      const a = await client(g1, 'SH1');
      await a.logon();
      assert.equal(a.session.state, 'active');
      await a.close();
      await g1.close();
      assert.equal(checker.workers, 1, "the first gateway's close left the shared workers running");
      const b = await client(g2, 'SH2');
      await b.logon();
      assert.equal(b.session.state, 'active', 'the shared checker still answers after the first gateway closed');
    } finally {
      await checker.close();
    }
  });

  it('wrong password ⇒ Logout status 5; the third bad attempt locks ⇒ status 6 even with the right one', async () => {
    const v = await venue([comp('CO2', 'F1')]);
    for (let i = 0; i < 3; i++) {
      const c = await client(v, 'CO2');
      await c.logon('Wrong999');
      assert.equal(logonReply(c)?.status, SessionStatus.InvalidUsernameOrPassword);
      await c.closed;
    }
    const c = await client(v, 'CO2');
    await c.logon(PASSWORD);
    assert.equal(logonReply(c)?.status, SessionStatus.AccountLocked);
    assert.ok(v.log.lines.some((l) => l.event === 'ocg.gateway.passwordRejected' && l.fields['reason'] === 'wrongPassword'));
    v.gateway.unlock('CO2');
    const d = await client(v, 'CO2');
    await d.logon(PASSWORD);
    assert.equal(d.session.state, 'active');
  });

  it('a password encrypted 10 minutes off the gateway clock is refused (tolerance ±5 min [UNVERIFIED value])', async () => {
    const v = await venue([comp('CO3', 'F1')]);
    const skewed = new ManualClock(v.clock.now() - 10 * 60_000);
    const c = await client(v, 'CO3', { clock: skewed });
    await c.logon();
    assert.equal(logonReply(c)?.status, SessionStatus.InvalidUsernameOrPassword);
    assert.ok(v.log.lines.some((l) => l.fields['reason'] === 'timeOutOfTolerance'));
  });

  it('wrong source IP (127.0.0.2, registered 127.0.0.1) ⇒ silent close', async () => {
    const v = await venue([comp('CO4', 'F1')]);
    const c = await client(v, 'CO4', { localAddress: '127.0.0.2' });
    await c.logon();
    await c.closed;
    assert.equal(c.bytes(), 0);
    assert.ok(
      v.log.lines.some((l) => l.event === 'ocg.gateway.logonRefused' && l.fields['reason'] === 'wrongSourceIp' && l.fields['sourceIp'] === '127.0.0.2'),
    );
  });

  it('a backup IP of the Comp ID is accepted', async () => {
    const v = await venue([comp('CO5', 'F1', { sourceIps: ['127.0.0.1', '127.0.0.2'] })]);
    const c = await client(v, 'CO5', { localAddress: '127.0.0.2' });
    await c.logon();
    assert.equal(c.session.state, 'active');
  });

  it('unknown Comp ID ⇒ silent close', async () => {
    const v = await venue([comp('CO6', 'F1')]);
    const c = await client(v, 'NOSUCH');
    await c.logon();
    await c.closed;
    assert.equal(c.bytes(), 0);
    assert.ok(v.events.some((e) => e.kind === 'logon-rejected' && e.detail['reason'] === 'unknownCompId'));
  });

  it('already logged on ⇒ the second connection and the first are both closed, silently', async () => {
    const v = await venue([comp('CO7', 'F1')]);
    const a = await client(v, 'CO7');
    await a.logon();
    const b = await client(v, 'CO7');
    await b.logon();
    await b.closed;
    await a.closed;
    assert.equal(b.bytes(), 0);
    assert.ok(v.log.lines.some((l) => l.fields['reason'] === 'alreadyLoggedOn'));
  });

  it('sequence too low ⇒ Logout (status 101) naming both numbers', async () => {
    const store = new MemorySessionStore();
    const j = store.journal('CO8');
    j.setNextExpected(20);
    j.setNextToSend(5);
    const v = await venue([comp('CO8', 'F1')], { store });
    const cj = new MemorySessionStore().journal('CO8');
    cj.setNextToSend(12);
    cj.setNextExpected(5);
    const c = await client(v, 'CO8', { journal: cj });
    await c.logon();
    assert.equal(logonReply(c)?.status, SessionStatus.Other);
    assert.match(logonReply(c)?.text ?? '', /expected 20, received 12/);
  });

  it('outside service hours ⇒ Logout status 7', async () => {
    let open = false;
    const v = await venue([comp('LW1', 'F1')], { logonsAllowed: () => open });
    const c = await client(v, 'LW1');
    await c.logon();
    assert.equal(logonReply(c)?.status, SessionStatus.LogonsNotAllowedAtThisTime);
    await c.closed;
    open = true;
    const d = await client(v, 'LW1', { journal: c.journal });
    await d.logon();
    assert.equal(d.session.state, 'active');
  });

  it('expired password ⇒ status 8; password change required ⇒ status 100; a compliant New Password ⇒ status 1', async () => {
    const v = await venue([comp('CO9', 'F1', { passwordSetAt: Date.UTC(2025, 0, 1) }), comp('CO10', 'F1', { mustChangePassword: true })]);
    const a = await client(v, 'CO9');
    await a.logon();
    assert.equal(logonReply(a)?.status, SessionStatus.PasswordExpired);
    const b = await client(v, 'CO10');
    await b.logon();
    assert.equal(logonReply(b)?.status, SessionStatus.PasswordChangeRequired);
    await b.closed;
    const c = await client(v, 'CO10');
    await c.logon(PASSWORD, 'short');
    assert.equal(logonReply(c)?.status, SessionStatus.NewPasswordDoesNotComply);
    await c.closed;
    const d = await client(v, 'CO10');
    await d.logon(PASSWORD, 'Newpas12');
    assert.equal(logonReply(d)?.status, SessionStatus.SessionPasswordChanged);
    assert.equal(d.session.state, 'active');
  });
});

describe('trading (§5.2, §5.7)', () => {
  it('an order fills against another session: both get New then Trade; drop copy of each firm sees its side', async () => {
    const v = await venue([comp('BUY1', 'FA'), comp('SELL1', 'FB'), comp('DCA', 'FA', { dropCopy: true }), comp('DCB', 'FB', { dropCopy: true })]);
    const [b, s, da, db] = await Promise.all([client(v, 'BUY1'), client(v, 'SELL1'), client(v, 'DCA'), client(v, 'DCB')]);
    await Promise.all([b.logon(), s.logon(), da.logon(), db.logon()]);
    const buy = newOrder(1, 500, 395.8, '1001');
    const sell = newOrder(2, 200, 395.8, '2002');
    b.session.sendMessage(buy);
    await b.waitFor(() => ers(b).length === 1, 'buy ack');
    s.session.sendMessage(sell);
    await s.waitFor(() => ers(s).length === 2, 'sell fill');
    await b.waitFor(() => ers(b).length === 2, 'buy partial fill');
    assert.deepEqual(
      ers(b).map((e) => [e.execType, e.clientOrderId, e.orderStatus]),
      [
        ['0', buy.clientOrderId, 0],
        ['F', buy.clientOrderId, 1],
      ],
    );
    assert.deepEqual(
      ers(s).map((e) => [e.execType, e.clientOrderId, e.orderStatus]),
      [
        ['0', sell.clientOrderId, 0],
        ['F', sell.clientOrderId, 2],
      ],
    );
    const fill = b.received.find((r) => r.message.msgType === OcgMsgType.ExecutionReport && (r.message as { execType: string }).execType === 'F')!
      .message as unknown as Record<string, unknown>;
    assert.equal(fill['executionQuantity'], 20_000_000_000n);
    assert.equal(fill['executionPrice'], 39_580_000_000n);
    assert.equal(fill['counterpartyBrokerId'], '2002');
    assert.equal(fill['aggressorIndicator'], 0);
    assert.equal(fill['leavesQuantity'], 30_000_000_000n);
    // Drop copies: each firm's copy session receives exactly its firm's reports.
    await da.waitFor(() => ers(da).length === 2, 'drop copy A');
    await db.waitFor(() => ers(db).length === 2, 'drop copy B');
    assert.deepEqual(
      ers(da).map((e) => [e.execType, e.clientOrderId]),
      [
        ['0', buy.clientOrderId],
        ['F', buy.clientOrderId],
      ],
    );
    assert.deepEqual(
      ers(db).map((e) => [e.execType, e.clientOrderId]),
      [
        ['0', sell.clientOrderId],
        ['F', sell.clientOrderId],
      ],
    );
    assert.deepEqual(
      da.received.map((r) => r.header.compId),
      ['DCA', 'DCA'],
    );
  });

  it('one drop copy session sees both sides when both trading sessions belong to its firm', async () => {
    const v = await venue([comp('T1', 'FX'), comp('T2', 'FX'), comp('DCX', 'FX', { dropCopy: true })]);
    const [t1, t2, dc] = await Promise.all([client(v, 'T1'), client(v, 'T2'), client(v, 'DCX')]);
    await Promise.all([t1.logon(), t2.logon(), dc.logon()]);
    t1.session.sendMessage(newOrder(1, 100, 395.8));
    await t1.waitFor(() => ers(t1).length === 1, 'ack');
    t2.session.sendMessage(newOrder(2, 100, 395.8));
    await dc.waitFor(() => ers(dc).length === 4, 'four copies');
    assert.deepEqual(
      ers(dc)
        .map((e) => e.execType)
        .sort(),
      ['0', '0', 'F', 'F'],
    );
    // A drop copy session sends no orders.
    dc.session.sendMessage(newOrder(1, 100, 395.8));
    await dc.waitFor(() => dc.received.find((r) => r.message.msgType === OcgMsgType.BusinessMessageReject), 'BMR');
  });

  it('throttle: the message over the limit gets BMR code 8 with the remaining ms of the second', async () => {
    const v = await venue([comp('TH1', 'F1', { throttleMps: 2 })]);
    const c = await client(v, 'TH1');
    await c.logon();
    c.session.sendMessage(newOrder(1, 100, 395));
    c.session.sendMessage(newOrder(1, 100, 395));
    await c.waitFor(() => ers(c).length === 2, 'two acks');
    v.clock.advance(400);
    const third = newOrder(1, 100, 395);
    c.session.sendMessage(third);
    const bmr = await c.waitFor(() => c.received.find((r) => r.message.msgType === OcgMsgType.BusinessMessageReject), 'BMR');
    const m = bmr.message as unknown as Record<string, unknown>;
    assert.equal(m['businessRejectCode'], 8);
    assert.equal(m['reason'], '600');
    assert.equal(m['referenceMessageType'], OcgMsgType.NewOrder);
    assert.equal(m['businessRejectReferenceId'], third.clientOrderId);
    await c.waitFor(() => ers(c).length === 2, 'two acks');
    v.clock.advance(600);
    c.session.sendMessage(newOrder(1, 100, 395));
    await c.waitFor(() => ers(c).length === 3, 'next window');
  });
});

describe('Execution Report fields (§5.7)', () => {
  it("Order ID is present in every variant: a rejected order (8), an unknown order's cancel (X) and amend (Y) carry NONE", async () => {
    const v = await venue([comp('OI1', 'F1')]);
    const c = await client(v, 'OI1');
    await c.logon();
    c.session.sendMessage(newOrder(1, 100, 395.8, '1001', { securityId: '9999' })); // unknown security ⇒ '8'
    const base = {
      submittingBrokerId: '1001',
      securityId: '700',
      securityIdSource: 8,
      securityExchange: 'XHKG',
      transactionTime: '20260109-01:30:00.000000',
      side: 1,
    };
    c.session.sendMessage({ msgType: OcgMsgType.CancelRequest, clientOrderId: '7001', originalClientOrderId: '7000', ...base });
    c.session.sendMessage({
      msgType: OcgMsgType.AmendRequest,
      clientOrderId: '7002',
      originalClientOrderId: '7000',
      ...base,
      orderType: 2,
      price: 39_580_000_000n,
      orderQuantity: 10_000_000_000n,
      disclosureInstructions: 1,
    });
    await c.waitFor(() => ers(c).length === 3, 'three reports');
    const got = c.received.filter((r) => r.message.msgType === OcgMsgType.ExecutionReport).map((r) => r.message as unknown as Record<string, unknown>);
    assert.deepEqual(
      got.map((m) => [m['execType'], m['orderId']]),
      [
        ['8', 'NONE'],
        ['X', 'NONE'],
        ['Y', 'NONE'],
      ],
    );
  });

  it('Transaction Time carries the microseconds of the clock (a clock with sub-millisecond resolution)', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 9, 1, 30, 0, 7) + 0.123);
    const v = await venue([comp('TT1', 'F1')], { clock });
    const c = await client(v, 'TT1');
    await c.logon();
    c.session.sendMessage(newOrder(1, 100, 395.8));
    await c.waitFor(() => ers(c).length === 1, 'ack');
    const er = c.received.find((r) => r.message.msgType === OcgMsgType.ExecutionReport)!.message as unknown as Record<string, unknown>;
    assert.equal(er['transactionTime'], '20260109-01:30:00.007123');
  });

  it('preciseClock reads the wall clock with a sub-millisecond fraction', () => {
    const a = Date.now();
    const t = preciseClock.now();
    assert.ok(Math.abs(t - a) < 1000);
    assert.match(transactionTimeFromMillis(t), /^\d{8}-\d{2}:\d{2}:\d{2}\.\d{6}$/);
    assert.equal(transactionTimeFromMillis(1_767_922_200_007.123), '20260109-01:30:00.007123');
  });
});

describe('OTP-CSC gateway (§5.14 [UNVERIFIED] working assumptions)', () => {
  it('the Security Exchange is checked per security: a Shenzhen security named with the Shanghai MIC is rejected, not echoed back', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 9, 2, 0));
    const securities = [
      { securityId: '600000', lotSize: 100, referencePrice: 10_000 },
      { securityId: '000001', lotSize: 100, referencePrice: 10_000 },
    ];
    const engine = new MatchingEngine({ profile: profileFor('OTP-CSC'), securities }, clock);
    const v = await venue([comp('CSM1', 'F1')], { service: 'OTP-CSC', engine, clock, securities });
    const c = await client(v, 'CSM1');
    await c.logon();
    c.session.sendMessage(newOrder(1, 100, 10, '1001', { securityId: '000001', securityExchange: 'XSSC' }));
    const rej = await c.waitFor(
      () => c.received.find((r) => r.message.msgType === OcgMsgType.Reject || r.message.msgType === OcgMsgType.ExecutionReport),
      'answer',
    );
    const r = rej.message as unknown as Record<string, unknown>;
    assert.deepEqual(
      [rej.message.msgType, r['messageRejectCode'], r['referenceFieldName'], r['reason']],
      [OcgMsgType.Reject, 5, 'Security Exchange', 'Security Exchange of this security is XSEC'],
    );
    c.session.sendMessage(newOrder(1, 100, 10, '1001', { securityId: '600000', securityExchange: 'XSEC' }));
    await c.waitFor(() => c.received.filter((x) => x.message.msgType === OcgMsgType.Reject).length === 2, 'second Reject');
    c.session.sendMessage(newOrder(1, 100, 10, '1001', { securityId: '000001', securityExchange: 'XSEC' }));
    await c.waitFor(() => ers(c).length === 1, 'ack');
    const er = c.received.find((x) => x.message.msgType === OcgMsgType.ExecutionReport)!.message as unknown as Record<string, unknown>;
    assert.deepEqual([er['execType'], er['securityExchange']], ['0', 'XSEC']);
  });

  it('without a securities list the market follows the mainland code [INF]; a configured one wins', () => {
    const csc = profileFor('OTP-CSC');
    assert.equal(securityExchangeOf('600519', csc), 'XSSC');
    assert.equal(securityExchangeOf('000001', csc), 'XSEC');
    assert.equal(securityExchangeOf('300750', csc), 'XSEC');
    assert.equal(securityExchangeOf('000001', csc, 'XSSC'), 'XSSC');
    assert.equal(securityExchangeOf('700', profileFor('OTP-C')), 'XHKG');
  });

  it('the daily quota, once used up, rejects a buy with Execution Report 8 (code 99 [UNVERIFIED]); sells still pass', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 9, 2, 0));
    const securities = [{ securityId: '600000', lotSize: 100, referencePrice: 10_000 }];
    // 1,500 yuan of quota (P3 1,500,000): one 100-share buy at 10 (1,000 yuan) fits, the second does not.
    const engine = new MatchingEngine({ profile: profileFor('OTP-CSC'), securities, dailyQuota: 1_500 * 1000 }, clock);
    const v = await venue([comp('CSQ1', 'F1')], { service: 'OTP-CSC', engine, clock, securities });
    const c = await client(v, 'CSQ1');
    await c.logon();
    for (const side of [1, 1, 2] as const)
      c.session.sendMessage(newOrder(side, 100, side === 1 ? 10 : 10.5, '1001', { securityId: '600000', securityExchange: 'XSSC' }));
    await c.waitFor(() => ers(c).length === 3, 'three reports');
    const got = c.received.filter((r) => r.message.msgType === OcgMsgType.ExecutionReport).map((r) => r.message as unknown as Record<string, unknown>);
    assert.deepEqual(
      got.map((m) => [m['execType'], m['orderRejectCode'], m['reason']]),
      [
        ['0', undefined, undefined],
        ['8', 99, 'Daily quota exhausted'],
        ['0', undefined, undefined],
      ],
    );
  });

  it('an Amend Request gets Reject (3) code 11; a limit order is acked with the Stock Connect MIC', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 9, 2, 0)); // 10:00 Hong Kong: outside the no-cancel windows
    const engine = new MatchingEngine(
      {
        profile: profileFor('OTP-CSC'),
        securities: [
          { securityId: '600000', lotSize: 100, referencePrice: 10_000 },
          { securityId: '000001', lotSize: 100, referencePrice: 10_000 },
        ],
      },
      clock,
    );
    const v = await venue([comp('CSC1', 'F1')], { service: 'OTP-CSC', engine, clock });
    const c = await client(v, 'CSC1');
    await c.logon();
    const o = newOrder(1, 100, 10, '1001', { securityId: '600000', securityExchange: 'XSSC' });
    c.session.sendMessage(o);
    await c.waitFor(() => ers(c).length === 1, 'ack');
    const er = c.received.find((r) => r.message.msgType === OcgMsgType.ExecutionReport)!.message as unknown as Record<string, unknown>;
    assert.equal(er['execType'], '0');
    assert.equal(er['securityExchange'], 'XSSC');
    c.session.sendMessage(newOrder(1, 100, 10, '1001', { securityId: '000001', securityExchange: 'XSEC' }));
    await c.waitFor(() => ers(c).length === 2, 'second ack');
    assert.equal(
      (c.received.filter((r) => r.message.msgType === OcgMsgType.ExecutionReport)[1]!.message as unknown as Record<string, unknown>)['securityExchange'],
      'XSEC',
    );
    c.session.sendMessage({
      msgType: OcgMsgType.AmendRequest,
      clientOrderId: '9',
      submittingBrokerId: '1001',
      securityId: '600000',
      securityIdSource: 8,
      transactionTime: '20260109-02:00:00.000000',
      side: 1,
      originalClientOrderId: o.clientOrderId!,
      orderType: 2,
      orderQuantity: 20_000_000_000n,
      price: 1_000_000_000n,
      disclosureInstructions: 1,
    });
    const rej = await c.waitFor(() => c.received.find((r) => r.message.msgType === OcgMsgType.Reject), 'Reject');
    assert.equal((rej.message as unknown as Record<string, unknown>)['messageRejectCode'], 11);
    assert.equal(c.session.state, 'active');
  });
});

describe('bad input (§2.2, §4.8): reject or disconnect with a precise log line, others undisturbed', () => {
  it('bad checksum drops that connection only', async () => {
    const v = await venue([comp('BC1', 'F1'), comp('BC2', 'F1')]);
    const [a, b] = await Promise.all([client(v, 'BC1'), client(v, 'BC2')]);
    await Promise.all([a.logon(), b.logon()]);
    const f = encodeMessage({ seqNum: a.journal.nextToSend, compId: 'BC1' }, newOrder(1, 100, 395)).slice();
    f[f.length - 2]! ^= 0x5a;
    a.socket.write(f);
    await a.closed;
    const line = v.log.lines.find((l) => l.event === 'ocg.frame.fatal');
    assert.ok(line);
    assert.equal(line.fields['compId'], 'BC1');
    assert.equal(line.fields['kind'], 'badChecksum');
    assert.match(String(line.fields['detail']), /CRC-32C/);
    b.session.sendMessage(newOrder(1, 100, 395));
    await b.waitFor(() => ers(b).length === 1, 'other session still served');
  });

  it('wrong start byte, length disagreeing, truncated: each closes with its own log line', async () => {
    const v = await venue([comp('BS1', 'F1')]);
    const cases: [string, (good: Uint8Array) => Uint8Array, string][] = [
      [
        'start byte',
        (g) => {
          const x = g.slice();
          x[0] = 0x03;
          return x;
        },
        'badStartByte',
      ],
      [
        'length < 58',
        (g) => {
          const x = g.slice();
          x[1] = 10;
          x[2] = 0;
          return x;
        },
        'badLength',
      ],
      [
        'length larger than the fields',
        (g) => {
          const x = new Uint8Array(g.length + 4);
          x.set(g);
          x[1] = (g.length + 4) & 0xff;
          x[2] = (g.length + 4) >> 8;
          return fixCrc(x);
        },
        'bodyLengthMismatch',
      ],
    ];
    const journal = new MemorySessionStore().journal('BS1');
    for (const [name, mutate, kind] of cases) {
      const c = await client(v, 'BS1', { journal });
      await c.logon();
      c.socket.write(mutate(encodeMessage({ seqNum: c.journal.nextToSend, compId: 'BS1' }, newOrder(1, 100, 395))));
      await c.closed;
      assert.ok(
        v.log.lines.some((l) => l.fields['kind'] === kind),
        `${name}: log line with kind ${kind}`,
      );
    }
    // Truncated: half a frame then FIN.
    const c = await client(v, 'BS1', { journal });
    await c.logon();
    const g = encodeMessage({ seqNum: c.journal.nextToSend, compId: 'BS1' }, newOrder(1, 100, 395));
    c.socket.end(g.subarray(0, 100));
    await c.closed;
    assert.ok(v.log.lines.some((l) => l.event === 'ocg.gateway.truncated' && /inside a frame/.test(String(l.fields['detail']))));
  });

  it('unknown presence bit ⇒ Reject (3) code 3, session continues', async () => {
    const v = await venue([comp('UB1', 'F1')]);
    const c = await client(v, 'UB1');
    await c.logon();
    const seq = c.journal.nextToSend;
    const f = encodeMessage({ seqNum: seq, compId: 'UB1' }, newOrder(1, 100, 395)).slice();
    f[22 + 2]! |= 0x08; // bit 20: unassigned in New Order (§5.2)
    c.journal.setNextToSend(seq + 1);
    c.socket.write(fixCrc(f));
    const rej = await c.waitFor(() => c.received.find((r) => r.message.msgType === OcgMsgType.Reject), 'Reject');
    assert.equal((rej.message as unknown as Record<string, unknown>)['messageRejectCode'], 3);
    assert.equal((rej.message as unknown as Record<string, unknown>)['referenceSequenceNumber'], seq);
    c.session.sendMessage(newOrder(1, 100, 395));
    await c.waitFor(() => ers(c).length === 1, 'order after the reject');
  });

  it('a Client Order ID filling all 21 bytes without NUL is cut to 20 characters, not a crash (§2.5), then refused by its format (§5.1)', async () => {
    const v = await venue([comp('NN1', 'F1')]);
    const c = await client(v, 'NN1');
    await c.logon();
    const seq = c.journal.nextToSend;
    const f = encodeMessage({ seqNum: seq, compId: 'NN1' }, newOrder(1, 100, 395, '1001', { clientOrderId: '12345678901234567890' })).slice();
    assert.equal(f[54 + 20], 0);
    f[54 + 20] = 0x39; // the NUL becomes '9'
    c.journal.setNextToSend(seq + 1);
    c.socket.write(fixCrc(f));
    const rej = await c.waitFor(() => c.received.find((r) => r.message.msgType === OcgMsgType.Reject), 'Reject');
    const r = rej.message as unknown as Record<string, unknown>;
    assert.deepEqual([r['messageRejectCode'], r['referenceFieldName'], r['clientOrderId']], [6, 'Client Order ID', '12345678901234567890']);
    assert.equal(ers(c).length, 0);
    assert.equal(c.session.state, 'active');
  });

  it('a board-lot order without Submitting BCAN Field ⇒ BMR code 5 naming the field', async () => {
    const v = await venue([comp('BN1', 'F1')]);
    const c = await client(v, 'BN1');
    await c.logon();
    const o = newOrder(1, 100, 395);
    delete o.submittingBcanField;
    c.session.sendMessage(o);
    const bmr = await c.waitFor(() => c.received.find((r) => r.message.msgType === OcgMsgType.BusinessMessageReject), 'BMR');
    assert.equal((bmr.message as unknown as Record<string, unknown>)['businessRejectCode'], 5);
    assert.equal((bmr.message as unknown as Record<string, unknown>)['referenceFieldName'], 'Submitting BCAN Field');
  });

  it('a non-Logon first message closes the connection', async () => {
    const v = await venue([comp('NL1', 'F1')]);
    const c = await client(v, 'NL1');
    c.socket.write(encodeMessage({ seqNum: 1, compId: 'NL1' }, newOrder(1, 100, 395)));
    await c.closed;
    assert.ok(v.log.lines.some((l) => l.event === 'ocg.gateway.notLogon'));
  });
});

describe('heartbeat and test request over TCP (§1.3, driven clock)', () => {
  it('the gateway heartbeats after 20 s of silence; an unanswered Test Request ends the session after 60 s more', async () => {
    const v = await venue([comp('HB1', 'F1')]);
    // The client runs on its own clock, which never moves: it sends nothing after its logon.
    const c = await client(v, 'HB1', { clock: new ManualClock(v.clock.now()) });
    await c.logon();
    v.clock.advance(20_000);
    await c.waitFor(() => c.frames.some((f) => f.message.msgType === OcgMsgType.Heartbeat), 'heartbeat');
    c.mute = true; // the client stops answering
    v.clock.advance(40_000); // 60 s without anything from the client ⇒ Test Request
    const tr = await c.waitFor(() => c.frames.find((f) => f.message.msgType === OcgMsgType.TestRequest), 'test request');
    assert.ok(tr);
    v.clock.advance(59_000);
    assert.equal(v.gateway.isLoggedOn('HB1'), true);
    v.clock.advance(1_000);
    assert.equal(v.gateway.isLoggedOn('HB1'), false);
    assert.ok(v.log.find('ocg.session.testRequestTimeout'));
    await waitUntil(() => v.events.some((e) => e.kind === 'disconnect' && /test request/.test(String(e.detail['reason']))));
    await c.closed;
    assert.equal(c.frames.at(-1)?.message.msgType, OcgMsgType.Logout);
  });

  it('a Test Request answered by the client keeps the session', async () => {
    const v = await venue([comp('HB2', 'F1')]);
    const c = await client(v, 'HB2', { clock: new ManualClock(v.clock.now()) });
    await c.logon();
    v.clock.advance(60_000);
    await c.waitFor(() => c.frames.some((f) => f.message.msgType === OcgMsgType.TestRequest), 'test request');
    await waitUntil(() => v.gateway.sequenceNumbers('HB2').nextExpected === 3); // the echo Heartbeat arrived
    v.clock.advance(60_000);
    assert.equal(v.gateway.isLoggedOn('HB2'), true);
  });
});

describe('resend over TCP (§3.12, §3.13)', () => {
  it('a client Resend Request is answered by replay with PossDup and a gap fill over session messages', async () => {
    const v = await venue([comp('RR1', 'F1')]);
    const c = await client(v, 'RR1');
    await c.logon();
    c.session.sendMessage(newOrder(1, 100, 395));
    c.session.sendMessage(newOrder(1, 100, 394));
    await c.waitFor(() => ers(c).length === 2, 'two acks');
    c.session.sendMessage({ msgType: OcgMsgType.ResendRequest, startSequence: 1, endSequence: 0 });
    await c.waitFor(() => c.frames.filter((f) => f.header.possDup).length === 3, 'replay');
    assert.deepEqual(
      c.frames
        .filter((f) => f.header.possDup)
        .map((f) => [f.header.seqNum, f.message.msgType, (f.message as { newSequenceNumber?: number }).newSequenceNumber]),
      [
        [1, OcgMsgType.SequenceReset, 2], // the Logon reply is gap-filled
        [2, OcgMsgType.ExecutionReport, undefined],
        [3, OcgMsgType.ExecutionReport, undefined],
      ],
    );
    assert.equal((c.frames.find((f) => f.header.seqNum === 1 && f.header.possDup)!.message as { gapFill?: string }).gapFill, 'Y');
    assert.equal(ers(c).length, 2); // the duplicates are not delivered twice
    assert.ok(v.events.some((e) => e.kind === 'resend-request' && e.detail['replayed'] === 2 && e.detail['gapFilled'] === 1));
  });

  it('a gap in the client stream: the gateway asks, the client gap-fills, the queued order is processed once', async () => {
    const v = await venue([comp('RR2', 'F1')]);
    const c = await client(v, 'RR2');
    await c.logon();
    c.journal.setNextToSend(c.journal.nextToSend + 1); // seq 2 "lost"
    const o = newOrder(1, 100, 395);
    c.session.sendMessage(o); // seq 3
    await c.waitFor(() => ers(c).length === 1, 'ack');
    const rr = c.frames.find((f) => f.message.msgType === OcgMsgType.ResendRequest);
    assert.ok(rr);
    assert.deepEqual([(rr.message as { startSequence: number }).startSequence, (rr.message as { endSequence: number }).endSequence], [2, 0]);
    assert.ok(c.events.some((e) => e.type === 'resendRequestReceived' && e.gapFilled === 1 && e.replayed === 1));
    assert.deepEqual(v.gateway.sequenceNumbers('RR2'), { nextToSend: 4, nextExpected: 4 });
    // The next order's ack comes right after the first on one connection: no second copy of the first in between.
    c.session.sendMessage(newOrder(1, 100, 394)); // seq 4
    await c.waitFor(() => ers(c).length === 2, 'second ack');
    assert.notEqual(ers(c)[1]!.clientOrderId, ers(c)[0]!.clientOrderId);
  });

  it('an operator Sequence Reset (Reset mode) moves the client to the new number', async () => {
    const v = await venue([comp('SR1', 'F1')]);
    const c = await client(v, 'SR1');
    await c.logon();
    v.gateway.sequenceReset('SR1', 100);
    await c.waitFor(() => c.journal.nextExpected === 100, 'reset applied');
    c.session.sendMessage(newOrder(1, 100, 395));
    const er = await c.waitFor(() => c.received.find((r) => r.message.msgType === OcgMsgType.ExecutionReport), 'ack at 100');
    assert.equal(er.header.seqNum, 100);
    assert.equal(c.session.state, 'active');
  });

  it('a client Logout is answered with Logout (status 4) and no cancel on disconnect', async () => {
    const v = await venue([comp('LO1', 'F1', { cancelOnDisconnect: { enabled: true, delayMs: 1_000 } })]);
    const c = await client(v, 'LO1');
    await c.logon();
    c.session.sendMessage(newOrder(1, 100, 395));
    await c.waitFor(() => ers(c).length === 1, 'ack');
    c.session.logout('end of day');
    await c.closed;
    const lo = c.frames.at(-1)!;
    assert.equal(lo.message.msgType, OcgMsgType.Logout);
    assert.equal((lo.message as { sessionStatus?: number }).sessionStatus, SessionStatus.SessionLogoutComplete);
    await waitUntil(() => !v.gateway.isLoggedOn('LO1') && v.events.some((e) => e.kind === 'disconnect'));
    v.clock.advance(5_000);
    assert.equal(v.engine.liveOrderCount, 1);
    assert.ok(v.events.some((e) => e.kind === 'logout'));
  });
});

describe('cancel on disconnect (§1.6) and replay of reports generated while away (§3.13)', () => {
  it('TCP loss without Logout cancels after the delay; the 104 cancel arrives at the next logon', async () => {
    const v = await venue([comp('COD1', 'F1', { cancelOnDisconnect: { enabled: true, delayMs: 5_000 } })]);
    const c = await client(v, 'COD1');
    await c.logon();
    const o = newOrder(1, 100, 395);
    c.session.sendMessage(o);
    await c.waitFor(() => ers(c).length === 1, 'ack');
    const journal = c.journal;
    await c.close();
    await waitUntil(() => !v.gateway.isLoggedOn('COD1'));
    v.clock.advance(4_999);
    assert.equal(v.engine.liveOrderCount, 1);
    v.clock.advance(1);
    assert.equal(v.engine.liveOrderCount, 0);
    const d = await client(v, 'COD1', { journal });
    await d.logon();
    await d.waitFor(() => ers(d).length === 1, 'the CoD cancel');
    assert.deepEqual(ers(d)[0], { execType: '4', clientOrderId: o.clientOrderId, orderStatus: 4, possDup: true, execRestatementReason: 104 });
  });

  it('logging on again inside the delay cancels nothing', async () => {
    const v = await venue([comp('COD2', 'F1', { cancelOnDisconnect: { enabled: true, delayMs: 5_000 } })]);
    const c = await client(v, 'COD2');
    await c.logon();
    c.session.sendMessage(newOrder(1, 100, 395));
    await c.waitFor(() => ers(c).length === 1, 'ack');
    await c.close();
    await waitUntil(() => !v.gateway.isLoggedOn('COD2'));
    v.clock.advance(2_000);
    const d = await client(v, 'COD2', { journal: c.journal });
    await d.logon();
    v.clock.advance(10_000);
    assert.equal(v.engine.liveOrderCount, 1);
  });
});

describe('gateway restart (file-backed journal)', () => {
  it('the session resumes at the right sequence numbers and the fill made while away is replayed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocg-gw-'));
    try {
      const clock = new ManualClock();
      const comps = [comp('RS1', 'F1'), comp('RS2', 'F2')];
      const store1 = new FileSessionStore(dir);
      const v1 = await startVenue(comps, { store: store1, clock });
      const a = await connectClient(v1.port, 'RS1', { clock });
      await a.logon();
      const buy = newOrder(1, 100, 395);
      a.session.sendMessage(buy);
      await a.waitFor(() => ers(a).length === 1, 'ack');
      const aJournal = a.journal;
      await a.close();
      // The counterparty trades while RS1 is away: RS1's fill is journalled.
      const b = await connectClient(v1.port, 'RS2', { clock });
      await b.logon();
      b.session.sendMessage(newOrder(2, 100, 395, '2002'));
      await b.waitFor(() => ers(b).length === 2, 'sell fill');
      await b.close();
      const before = v1.gateway.sequenceNumbers('RS1');
      assert.deepEqual(before, { nextToSend: 4, nextExpected: 3 });
      await v1.gateway.close();
      store1.close();

      // A new gateway process on the same directory (the engine keeps its book; the venue journals it).
      const store2 = new FileSessionStore(dir);
      const v2 = await startVenue(comps, { store: store2, clock, engine: v1.engine });
      assert.deepEqual(v2.gateway.sequenceNumbers('RS1'), before);
      const a2 = await connectClient(v2.port, 'RS1', { clock, journal: aJournal });
      await a2.logon();
      const reply = a2.events.find((e) => e.type === 'logonAccepted');
      assert.ok(reply && reply.type === 'logonAccepted');
      assert.equal(reply.peerNextExpected, 4); // gateway expects the client's next seq after its Logon at 3
      await a2.waitFor(() => ers(a2).length === 1, 'replayed fill');
      assert.deepEqual(
        ers(a2).map((e) => [e.execType, e.clientOrderId, e.possDup]),
        [['F', buy.clientOrderId, true]],
      );
      assert.equal(a2.journal.nextExpected, 5); // fill at 3, Logon reply at 4 gap-filled
      assert.equal(a2.session.state, 'active');
      a2.session.sendMessage(newOrder(1, 100, 394));
      await a2.waitFor(() => ers(a2).length === 2, 'new order after restart');
      assert.deepEqual(v2.gateway.sequenceNumbers('RS1'), { nextToSend: 6, nextExpected: 5 });
      await a2.close();
      await v2.gateway.close();
      store2.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { crc32c } from '../../src/wire/index.ts';
function fixCrc(f: Uint8Array): Uint8Array {
  new DataView(f.buffer, f.byteOffset, f.byteLength).setUint32(f.length - 4, crc32c(f, 0, f.length - 4), true);
  return f;
}
const waitUntil = (cond: () => boolean, ms = 2000): Promise<void> => waitFor('the condition', cond, ms);
void testHash;
void ({} as Logon);

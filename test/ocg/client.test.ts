// OcgClient on loopback against fake lookup endpoints and fake gateways that share one session
// store (spec note §1.2–1.4, §3.12–3.13, §4): lookup order, logon with the RSA password, trading,
// failover from the primary site to the backup site with continuous sequence numbers, replay of
// what was missed, a gap recovered by resend, de-duplication by Client Order ID + Execution ID,
// heartbeat timeout, and the two fault switches. Time: the real clock at timeScale 0.001 (the
// 10 s reconnect wait is 10 ms, the 5 s lookup wait 5 ms), session timers set explicitly.
import { describe, it, before, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import {
  OcgClient,
  OcgClientClosedError,
  OcgMsgType,
  Side,
  encodeMessage,
  toQty,
  type OcgClientEvent,
  type OcgClientOptions,
  type ExecutionReport,
} from '../../src/ocg/index.ts';
import { MemorySessionStore } from '../../src/ocg/session-store.ts';
import { ManualClock } from '../../src/wire/index.ts';
import { fakeLookup, freePort, type FakeLookup } from './fake-lookup.ts';
import { fakeGateway, type FakeGateway } from './fake-gateway.ts';
import { turn, waitFor } from '../helpers/wait.ts';

const COMP = 'CO99999902';
const PASSWORD = 'Abcd1234';
let keys: { publicKey: string; privateKey: string };
before(() => {
  keys = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
});

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** Two sites: each a gateway (its mirror address unreachable) and two lookup endpoints naming it. */
async function twoSites(opts: { backupOpen?: boolean } = {}) {
  const store = new MemorySessionStore();
  const ids = { next: 1 };
  const gwOpts = { store, ids, privateKeyPem: keys.privateKey, passwords: { [COMP]: PASSWORD } };
  const ps = await fakeGateway(gwOpts);
  const bs = await fakeGateway(gwOpts);
  if (opts.backupOpen !== true) await bs.close();
  const psMirror = await freePort(),
    bsMirror = await freePort();
  const psAnswer = { kind: 'answer' as const, primary: { host: '127.0.0.1', port: ps.port }, secondary: { host: '127.0.0.1', port: psMirror } };
  const bsAnswer = { kind: 'answer' as const, primary: { host: '127.0.0.1', port: bs.port }, secondary: { host: '127.0.0.1', port: bsMirror } };
  const lookups: FakeLookup[] = [
    await fakeLookup(psAnswer),
    await fakeLookup(psAnswer),
    await fakeLookup(bsAnswer, { listen: opts.backupOpen === true }),
    await fakeLookup(bsAnswer, { listen: opts.backupOpen === true }),
  ];
  cleanup.push(async () => {
    await Promise.all([ps.close(), bs.close(), ...lookups.map((l) => l.close())]);
  });
  return {
    store,
    ps,
    bs,
    lookups,
    /** The primary site is lost: its lookups and gateway go dark, connections drop. */
    async losePrimary() {
      await Promise.all([lookups[0]!.close(), lookups[1]!.close(), ps.close()]);
    },
    async openBackup() {
      await Promise.all([lookups[2]!.open(), lookups[3]!.open(), bs.open()]);
    },
  };
}

function client(sites: { lookups: FakeLookup[] }, extra: Partial<OcgClientOptions> = {}) {
  const c = new OcgClient({
    compId: COMP,
    password: PASSWORD,
    publicKeyPem: keys.publicKey,
    brokerId: '1001',
    bcan: 'ABC123.2568',
    lookup: sites.lookups.map((l) => ({ host: '127.0.0.1', port: l.port })),
    timeScale: 0.001,
    timing: {
      heartbeatIntervalMs: 2000,
      testRequestAfterMs: 6000,
      testRequestTimeoutMs: 6000,
      logonTimeoutMs: 3000,
      logoutTimeoutMs: 1000,
      connectTimeoutMs: 1000,
      lookupTimeoutMs: 1000,
      tickMs: 20,
    },
    firstClientOrderId: 10000001,
    ...extra,
  });
  const events: OcgClientEvent[] = [];
  c.on('event', (e: OcgClientEvent) => events.push(e));
  const reports: ExecutionReport[] = [];
  c.on('execution-report', (er: ExecutionReport) => reports.push(er));
  cleanup.push(() => c.close());
  const kinds = () => events.map((e) => e.kind);
  const last = (kind: string) => [...events].reverse().find((e) => e.kind === kind);
  return { c, events, reports, kinds, last };
}

const buy = { securityId: '700', side: Side.Buy, quantity: 100, price: '385.2' };

describe('OcgClient: lookup, logon, trading', () => {
  it('looks up PS-primary, logs on at the Primary gateway with the encrypted password, trades', async () => {
    const s = await twoSites();
    const { c, events, kinds } = client(s);
    await c.start();
    assert.deepEqual(kinds(), ['lookup-answered', 'connected', 'logon-accepted']);
    assert.deepEqual(events[0]!.detail, {
      endpoint: `127.0.0.1:${s.lookups[0]!.port}`,
      endpointName: 'PS-primary',
      site: 'primary',
      primary: `127.0.0.1:${s.ps.port}`,
      secondary: events[0]!.detail['secondary'],
      attempts: 1,
    });
    assert.equal(events[2]!.detail['site'], 'primary');
    assert.equal(events[2]!.detail['nextExpected'], 2); // the gateway's Next Expected after our Logon 1
    assert.deepEqual(s.ps.logons, [{ seq: 1, nextExpected: 1, accepted: true }]);

    const ack = await c.newOrder(buy);
    assert.equal(ack.execType, '0');
    assert.equal(ack.clientOrderId, '10000001');
    const nos = s.ps.received.filter((r) => r.message.msgType === OcgMsgType.NewOrder);
    assert.equal(nos.length, 1);
    const no = nos[0]!.message as {
      price: bigint;
      orderQuantity: bigint;
      submittingBcanField: string;
      securityExchange: string;
      disclosureInstructions: number;
    };
    assert.equal(no.price, 38_520_000_000n);
    assert.equal(no.orderQuantity, toQty(100));
    assert.equal(no.submittingBcanField, 'ABC123.2568');
    assert.equal(no.securityExchange, 'XHKG');
    assert.equal(no.disclosureInstructions, 1);

    const amended = await c.amend('10000001', { quantity: 200, price: '385.4' });
    assert.equal(amended.execType, '5');
    const cancelled = await c.cancel('10000001');
    assert.equal(cancelled.execType, '4');
    // The cancel names the order by its current Client Order ID (the amend's, §5.3).
    const cx = s.ps.received.find((r) => r.message.msgType === OcgMsgType.CancelRequest)!.message as { originalClientOrderId: string; orderId: string };
    assert.equal(cx.originalClientOrderId, amended.clientOrderId);
    assert.equal(cx.orderId, 'O10000001');
    assert.deepEqual([c.journal.nextToSend, c.journal.nextExpected], [5, 5]);
  });

  it('wrong password: logon-rejected with Session Status 5, no retry (it would lock the account)', async () => {
    const s = await twoSites();
    const { c, last } = client(s, { password: 'Wrong999' });
    await assert.rejects(c.start(), OcgClientClosedError);
    assert.equal(last('logon-rejected')!.detail['status'], 5);
    assert.equal(s.ps.logons.length, 1);
    assert.equal(c.state, 'closed');
  });
});

describe('OcgClient: failover to the backup site (§1.3, §4)', () => {
  it('loses the primary site, waits, tries Primary and Secondary, cycles the lookups until the backup opens, logs on with continuous sequence numbers, gets what it missed, trades', async () => {
    const s = await twoSites();
    const { c, events, kinds, reports, last } = client(s);
    const lookupOrder: string[] = [];
    c.on('lookup-attempt', (a: { endpoint: { name: string } }) => lookupOrder.push(a.endpoint.name));
    const connectFailures: string[] = [];
    c.on('connect-failed', (f: { which: string }) => connectFailures.push(f.which));
    await c.start();
    await c.newOrder(buy);
    await c.newOrder({ ...buy, quantity: 200 });
    assert.deepEqual([c.journal.nextToSend, c.journal.nextExpected], [4, 4]);

    // A fill generated while the client is away (the backup site journals it, §3.13).
    await s.losePrimary();
    await waitFor('disconnected', () => kinds().includes('disconnected'));
    s.bs.push(COMP, {
      msgType: OcgMsgType.ExecutionReport,
      clientOrderId: '10000001',
      submittingBrokerId: '1001',
      securityId: '700',
      securityIdSource: 8,
      securityExchange: 'XHKG',
      transactionTime: '20260109-01:31:00.000000',
      side: 1,
      orderId: 'O10000001',
      executionId: 'E-FILL-1',
      orderStatus: 2,
      execType: 'F',
      cumulativeQuantity: toQty(100),
      leavesQuantity: 0n,
      executionQuantity: toQty(100),
      executionPrice: 38_520_000_000n,
    });
    // The backup site opens only after the client has cycled past both primary-site lookups once.
    await waitFor('PS-mirror tried after the loss', () => lookupOrder.filter((n) => n === 'PS-mirror').length >= 2);
    await s.openBackup();
    await waitFor('logon at the backup site', () => events.some((e) => e.kind === 'logon-accepted' && e.detail['site'] === 'backup'));

    // §1.3: after the loss, the same Primary, then Secondary, then the lookup service.
    assert.deepEqual(connectFailures.slice(0, 2), ['primary', 'secondary']);
    const afterLoss = lookupOrder.slice(1);
    assert.deepEqual(afterLoss.slice(0, 2), ['PS-primary', 'PS-mirror']);
    assert.equal(afterLoss.at(-1), 'BS-primary');
    for (let i = 1; i < afterLoss.length; i++) {
      const order = ['PS-primary', 'PS-mirror', 'BS-primary', 'BS-mirror'];
      assert.equal(afterLoss[i], order[(order.indexOf(afterLoss[i - 1]!) + 1) % 4], 'the fixed cycle order');
    }
    // The failed lookups are evidence too: unreachable primary-site endpoints before the backup answered.
    const failedLookups = events.filter((e) => e.kind === 'lookup-failed').map((e) => `${String(e.detail['endpointName'])}:${String(e.detail['reason'])}`);
    assert.deepEqual(failedLookups.slice(0, 2), ['PS-primary:unreachable', 'PS-mirror:unreachable']);
    const answered = last('lookup-answered')!;
    assert.equal(answered.detail['site'], 'backup');
    assert.equal(answered.detail['endpointName'], 'BS-primary');
    assert.equal(answered.detail['primary'], `127.0.0.1:${s.bs.port}`);

    // Continuous sequence numbers: Logon 4 with Next Expected 4 at the backup gateway.
    assert.deepEqual(s.bs.logons, [{ seq: 4, nextExpected: 4, accepted: true }]);
    const logon = last('logon-accepted')!;
    assert.equal(logon.detail['site'], 'backup');
    assert.equal(logon.detail['nextExpected'], 5);
    // The fill missed during the outage is replayed (PossDup) and delivered once.
    await waitFor('the missed fill', () => reports.some((r) => r.executionId === 'E-FILL-1'));
    assert.equal(c.order('10000001')!.orderStatus, 2);
    assert.ok(kinds().includes('failover-followed'));
    const ff = last('failover-followed')!.detail;
    assert.equal(ff['fromSite'], 'primary');
    assert.equal(ff['toSite'], 'backup');

    // First ack after the failover: an order sent now, answered at the backup site.
    const ack = await c.newOrder({ ...buy, quantity: 300 });
    assert.equal(ack.execType, '0');
    const first = last('first-ack-after-failover')!;
    assert.equal(first.detail['clientOrderId'], ack.clientOrderId);
    assert.equal(typeof first.detail['ms'], 'number');
    assert.ok((first.detail['ms'] as number) >= 0);
    assert.equal(s.bs.received.find((r) => r.message.msgType === OcgMsgType.NewOrder)!.seq, 5);
    // Order of the evidence: lost → followed → first ack.
    const k = kinds();
    assert.ok(k.indexOf('disconnected') < k.lastIndexOf('failover-followed'));
    assert.ok(k.lastIndexOf('failover-followed') < k.indexOf('first-ack-after-failover'));

    // At the backup site a lost report is still a gap recovered by resend.
    let dropped = 0;
    s.bs.dropOutbound = (m) => m.msgType === OcgMsgType.ExecutionReport && dropped++ === 0;
    const lostAck = c.newOrder({ ...buy, quantity: 400 });
    await c.newOrder({ ...buy, quantity: 500 });
    assert.equal((await lostAck).execType, '0');
    const gap = last('gap-recovered')!.detail;
    assert.equal(gap['site'], 'backup');
    assert.equal(last('gap-detected')!.detail['expected'], gap['from']);
  });

  it('the backup did not get our last message: we replay it (PossDup) before the orders queued while away', async () => {
    const s = await twoSites();
    const { c, kinds } = client(s);
    await c.start();
    await c.newOrder(buy); // our seq 2
    await s.losePrimary();
    await waitFor('disconnected', () => kinds().includes('disconnected'));
    // The backup's copy of the session lacks our seq 2 (not replicated in time, §4 "what can be lost").
    s.store.journal(COMP).setNextExpected(2);
    const queued = c.newOrder({ ...buy, quantity: 200 }); // placed while away
    await s.openBackup();
    const ack = await queued;
    assert.equal(ack.execType, '0');
    assert.deepEqual(s.bs.logons, [{ seq: 3, nextExpected: 3, accepted: true }]);
    const seen = s.bs.received
      .filter((r) => r.message.msgType === OcgMsgType.NewOrder)
      .map((r) => [r.seq, r.possDup, (r.message as { clientOrderId: string }).clientOrderId]);
    assert.deepEqual(seen, [
      [2, true, '10000001'],
      [4, false, '10000002'],
    ]);
    // On the wire too: Logon 3, our replay of 2, the gap fill over the Logon's 3, then the new 4.
    assert.deepEqual(s.bs.wire, [3, 2, 3, 4]);
  });

  it('orders placed while away wait for the next logon and go out under the continuing sequence', async () => {
    const s = await twoSites();
    const { c, kinds } = client(s);
    await c.start();
    s.ps.dropConnections();
    await waitFor('disconnected', () => kinds().includes('disconnected'));
    const p = c.newOrder(buy);
    const ack = await p;
    assert.equal(ack.execType, '0');
    const no = s.ps.received.find((r) => r.message.msgType === OcgMsgType.NewOrder)!;
    assert.equal(no.seq, 3); // Logon 1, Logon 2 (reconnect), order 3
    assert.deepEqual(
      s.ps.logons.map((l) => l.seq),
      [1, 2],
    );
  });
});

describe('OcgClient: venue profile', () => {
  it('submitNewOrder(): callbacks instead of a promise (two orders sent in one batch()); onError never inside the call', async () => {
    const s = await twoSites();
    const { c } = client(s);
    await c.start();
    const acks: string[] = [];
    const errors: Error[] = [];
    let ids: string[] = [];
    const both = new Promise<void>((resolve) => {
      const onReport = (er: ExecutionReport) => {
        acks.push(`${er.clientOrderId}:${er.execType}`);
        if (acks.length === 2) resolve();
      };
      c.batch(() => {
        ids = [c.submitNewOrder(buy, onReport, (e) => errors.push(e)), c.submitNewOrder({ ...buy, quantity: 200 }, onReport, (e) => errors.push(e))];
      });
    });
    assert.deepEqual(ids, ['10000001', '10000002']);
    await both;
    assert.deepEqual(acks.sort(), ['10000001:0', '10000002:0']);
    const nos = s.ps.received.filter((r) => r.message.msgType === OcgMsgType.NewOrder).map((r) => (r.message as { orderQuantity: bigint }).orderQuantity);
    assert.deepEqual(nos, [toQty(100), toQty(200)]);
    assert.deepEqual(errors, []);
    await c.close();
    let called = false;
    const failed = new Promise<Error>((resolve) =>
      c.submitNewOrder(
        buy,
        () => {},
        (e) => {
          called = true;
          resolve(e);
        },
      ),
    );
    assert.equal(called, false, 'not inside the call');
    assert.equal((await failed).name, 'OcgClientClosedError');
  });

  it('OTP-CSC: an amend is refused locally (no Amend Request on China Connect, §5.14)', async () => {
    const c = new OcgClient({
      compId: COMP,
      password: PASSWORD,
      publicKeyPem: keys.publicKey,
      brokerId: '1001',
      lookup: [{ host: '127.0.0.1', port: 1 }],
      service: 'OTP-CSC',
      firstClientOrderId: 1,
    });
    const pending = c.newOrder({ securityId: '600000', side: Side.Buy, quantity: 100, price: '10.5' });
    const settled = pending.then(
      () => 'resolved',
      (e: Error) => e.name,
    );
    await assert.rejects(c.amend('1', { quantity: 200 }), /not offered on OTP-CSC/);
    await c.close();
    assert.equal(await settled, 'OcgClientClosedError', 'a request still waiting for a logon fails when the client closes');
  });
});

describe('OcgClient: how often a session looks at its clock', () => {
  const make = (timeScale: number, timing: Partial<OcgClientOptions['timing']> = {}) =>
    new OcgClient({
      compId: COMP,
      password: PASSWORD,
      publicKeyPem: keys.publicKey,
      brokerId: '1001',
      bcan: 'ABC123.2568',
      lookup: [{ host: '127.0.0.1', port: 1 }],
      timeScale,
      timing,
    }).timing.tickMs;

  it('1/20 of its shortest timer, at most 1 s: the spec timers give 1 s, scaled ones a scaled tick', () => {
    assert.equal(make(1), 1_000);
    assert.equal(make(0.01), 10);
  });

  it('slow timers under a time scale tick slowly (thousands of sessions in one process do not spin on timers)', () => {
    const slow = {
      heartbeatIntervalMs: 5_000,
      testRequestAfterMs: 15_000,
      testRequestTimeoutMs: 15_000,
      logonTimeoutMs: 10_000,
      logoutTimeoutMs: 5_000,
      resendTimeoutMs: 5_000,
    };
    assert.equal(make(0.01, slow), 250);
    assert.equal(make(0.01, { ...slow, logoutTimeoutMs: 600 }), 30, 'the shortest one decides');
    assert.equal(make(0.01, { ...slow, tickMs: 7 }), 7, 'an explicit tick is kept');
  });
});

describe('OcgClient: the 10 s reconnect wait on a driven clock (§1.3)', () => {
  it('after a loss nothing is dialled before 10 s; at 10 s the same Primary', async () => {
    const s = await twoSites();
    const clock = new ManualClock();
    const { c, events, kinds } = client(s, { clock, timeScale: 1, timing: { tickMs: 1000, connectTimeoutMs: 5000, lookupTimeoutMs: 5000 } });
    await c.start();
    s.ps.dropConnections();
    await waitFor('disconnected', () => kinds().includes('disconnected'));
    const lostAt = clock.now();
    const connects = () => events.filter((e) => e.kind === 'connected').length;
    clock.advance(9_999);
    for (let i = 0; i < 10; i++) await turn(); // a dial on loopback would have connected by now
    assert.equal(connects(), 1, 'no reconnect before 10 s');
    clock.advance(1);
    await waitFor('reconnected', () => kinds().filter((k) => k === 'logon-accepted').length === 2);
    const again = events.filter((e) => e.kind === 'connected')[1]!;
    assert.equal(again.at - lostAt, 10_000);
    assert.equal(again.detail['which'], 'primary');
    assert.equal(again.detail['gateway'], `127.0.0.1:${s.ps.port}`);
  });
});

describe('OcgClient: gaps, replays and de-duplication (§3.12, §3.13)', () => {
  it('a lost Execution Report is detected as a gap, requested and recovered by resend', async () => {
    const s = await twoSites();
    const { c, reports, last } = client(s);
    await c.start();
    let dropped = 0;
    s.ps.dropOutbound = (m) => m.msgType === OcgMsgType.ExecutionReport && (m as ExecutionReport).clientOrderId === '10000001' && dropped++ === 0;
    const first = c.newOrder(buy); // its ack (seq 2) is lost on the way
    const second = await c.newOrder({ ...buy, quantity: 200 }); // its ack (seq 3) reveals the gap
    const ack1 = await first;
    assert.equal(ack1.execType, '0');
    assert.equal(second.execType, '0');
    assert.deepEqual(last('gap-detected')!.detail['expected'], 2);
    assert.deepEqual(last('gap-detected')!.detail['received'], 3);
    const rec = last('gap-recovered')!.detail;
    assert.equal(rec['from'], 2);
    assert.ok((rec['to'] as number) >= 3);
    assert.deepEqual(
      reports.map((r) => r.clientOrderId),
      ['10000001', '10000002'],
      'delivered in sequence order',
    );
  });

  it('a report re-sent with PossResend under a new seq reaches the application once (Client Order ID + Execution ID)', async () => {
    const s = await twoSites();
    const { c, reports } = client(s);
    await c.start();
    let dups = 0;
    c.on('duplicate-report', () => dups++);
    await c.newOrder(buy); // ack at gateway seq 2
    s.ps.resendAsPossResend(COMP, 2); // same report again as seq 3, PossResend = 1
    await waitFor('the re-sent report', () => c.journal.nextExpected === 4);
    assert.equal(reports.length, 1);
    assert.equal(dups, 1);
    assert.equal(c.stats.duplicateReports, 1);
    // The same Execution ID on another Client Order ID is another report.
    s.ps.push(COMP, { ...reports[0]!, clientOrderId: '10000099' });
    await waitFor('the other report', () => reports.length === 2);
  });
});

describe('OcgClient: loss detection (§1.3)', () => {
  it('a silent gateway (TCP up, nothing flows) is detected by the test request timeout', async () => {
    const s = await twoSites();
    const { c, kinds, last } = client(s, {
      timing: {
        heartbeatIntervalMs: 50,
        testRequestAfterMs: 150,
        testRequestTimeoutMs: 150,
        tickMs: 10,
        connectTimeoutMs: 1000,
        lookupTimeoutMs: 1000,
        logonTimeoutMs: 1000,
      },
    });
    await c.start();
    s.ps.silent = true;
    await waitFor('disconnected', () => kinds().includes('disconnected'));
    assert.match(String(last('disconnected')!.detail['reason']), /test request/);
  });
});

describe('OcgClient: bad input from the gateway (§2.2, §4.8)', () => {
  it('a frame with a bad checksum is not processed: the client drops the connection and comes back', async () => {
    const s = await twoSites();
    const { c, kinds, last, reports } = client(s);
    await c.start();
    const frame = encodeMessage(
      { seqNum: 2, compId: COMP },
      {
        msgType: OcgMsgType.ExecutionReport,
        clientOrderId: '10000001',
        submittingBrokerId: '1001',
        securityId: '700',
        securityIdSource: 8,
        transactionTime: '20260109-01:31:00.000000',
        side: 1,
        orderId: 'O1',
        executionId: 'EBAD',
        orderStatus: 0,
        execType: '0',
        cumulativeQuantity: 0n,
        leavesQuantity: toQty(100),
      },
    );
    frame[frame.length - 1]! ^= 0xff;
    s.ps.writeRaw(COMP, frame);
    await waitFor('disconnected', () => kinds().includes('disconnected'));
    assert.match(String(last('disconnected')!.detail['reason']), /bad frame/);
    assert.equal(reports.length, 0);
    await waitFor('logged on again', () => kinds().filter((k) => k === 'logon-accepted').length === 2);
  });

  it('a garbage start byte is fatal for the connection, not for the client', async () => {
    const s = await twoSites();
    const { c, kinds } = client(s);
    await c.start();
    s.ps.writeRaw(COMP, Uint8Array.of(0x55, 0x00, 0x01, 0x02));
    await waitFor('logged on again', () => kinds().filter((k) => k === 'logon-accepted').length === 2);
    assert.equal((await c.newOrder(buy)).execType, '0');
  });
});

describe('OcgClient: fault switches for the probe', () => {
  it('neverRelookup: after the loss it keeps dialling the old pair and never reaches the backup site', async () => {
    const s = await twoSites();
    const { c, kinds } = client(s, { faults: { neverRelookup: true } });
    const tried: string[] = [];
    c.on('connect-failed', (f: { which: string }) => tried.push(f.which));
    await c.start();
    await s.losePrimary();
    await s.openBackup();
    await waitFor('three rounds on the old pair', () => tried.length >= 6);
    assert.deepEqual(tried.slice(0, 6), ['primary', 'secondary', 'primary', 'secondary', 'primary', 'secondary']);
    assert.equal(c.stats.lookups, 1);
    assert.equal(s.lookups[2]!.requests.length + s.lookups[3]!.requests.length, 0);
    assert.equal(s.bs.logons.length, 0);
    assert.ok(!kinds().includes('failover-followed'));
  });

  it('without the fault the same outage is followed to the backup site', async () => {
    const s = await twoSites();
    const { c, kinds } = client(s);
    await c.start();
    await s.losePrimary();
    await s.openBackup();
    await waitFor('failover', () => kinds().includes('failover-followed'));
    assert.equal(c.site, 'backup');
  });

  it('resetSequenceOnReconnect: logs on with sequence 1 after the loss and is refused (sequence too low)', async () => {
    const s = await twoSites();
    const { c, kinds, last } = client(s, { faults: { resetSequenceOnReconnect: true } });
    await c.start();
    await c.newOrder(buy);
    s.ps.dropConnections();
    await waitFor('refused logon', () => kinds().includes('logon-rejected'));
    assert.deepEqual(s.ps.logons.slice(0, 2), [
      { seq: 1, nextExpected: 1, accepted: true },
      { seq: 1, nextExpected: 1, accepted: false },
    ]);
    assert.equal(last('logon-rejected')!.detail['status'], 101);
    assert.equal(c.loggedOn, false);
  });

  it('without the fault the reconnect continues the sequence and is accepted', async () => {
    const s = await twoSites();
    const { c, kinds } = client(s);
    await c.start();
    await c.newOrder(buy);
    s.ps.dropConnections();
    await waitFor('second logon', () => kinds().filter((k) => k === 'logon-accepted').length === 2);
    assert.deepEqual(s.ps.logons, [
      { seq: 1, nextExpected: 1, accepted: true },
      { seq: 3, nextExpected: 3, accepted: true },
    ]);
    assert.ok(!kinds().includes('failover-followed'), 'the same gateway again is a reconnect, not a failover');
  });
});

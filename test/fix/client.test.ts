// The FIX initiator (src/fix/client.ts) against both sites of an embedded venue: logon with the
// RSA password, new order / replace / cancel, the drop copy client, the failover to the backup's
// fixed address with the numbers continuing and the missed fill recovered by 789 replay, the
// faulty reset-on-reconnect refused, a bad password stopping the client; and the initiator
// session on a manual clock (logon timeout, heartbeats, the replay its Logon's 789 asks for).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FixClient, FixSession, fieldOf, msgTypeOf, decodeMessage, sendingTime } from '../../src/fix/index.ts';
import type { FixClientEvent, FixGatewayAddress, FixMessage } from '../../src/fix/index.ts';
import { MemorySessionStore } from '../../src/ocg/index.ts';
import { probeConfigFor } from '../../src/venue/index.ts';
import type { VenueConfig } from '../../src/venue/index.ts';
import { ManualClock } from '../../src/wire/index.ts';
import { embedded, testVenueConfig, waitFor } from '../venue/site-harness.ts';

function addressesOf(cfg: VenueConfig): FixGatewayAddress[] {
  return (['primary', 'backup'] as const).map((site) => ({ host: cfg.sites[site].host, port: cfg.sites[site].trading['OTP-C'].fixGateway!, site }));
}

function fixClient(cfg: VenueConfig, firm: string, compId: string, extra: Partial<ConstructorParameters<typeof FixClient>[0]> = {}) {
  const p = probeConfigFor(cfg, firm);
  const c = new FixClient({
    compId,
    password: p.password,
    publicKeyPem: p.publicKeyPem,
    brokerId: p.brokerId,
    addresses: addressesOf(cfg),
    localAddress: p.localAddress,
    timeScale: 0.01,
    firstClientOrderId: 1,
    ...extra,
  });
  const events: FixClientEvent[] = [];
  const reports: FixMessage[] = [];
  c.on('event', (e: FixClientEvent) => events.push(e));
  c.on('execution-report', (m: FixMessage) => reports.push(m));
  return { c, events, reports, kinds: () => events.map((e) => e.kind) };
}

describe('FIX client through both sites', () => {
  const cleanup: Array<() => unknown> = [];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('trades, follows the failover to the backup with its numbers and recovers the missed fill; the drop copy follows too', { timeout: 60_000 }, async () => {
    const cfg = testVenueConfig();
    cfg.subscribers[0]!.fix = { trading: 'F001X', dropCopy: 'F001Y' };
    cfg.subscribers[1]!.fix = { trading: 'F002X' };
    const v = await embedded(cfg);
    cleanup.push(() => v.stop());
    const a = fixClient(cfg, 'F001', 'F001X');
    const dc = fixClient(cfg, 'F001', 'F001Y');
    cleanup.push(
      () => a.c.close(),
      () => dc.c.close(),
    );
    await Promise.all([a.c.start(), dc.c.start()]);
    assert.equal(a.c.address?.site, 'primary');
    assert.equal(v.primary.fixGateway()!.isLoggedOn('F001X'), true);

    const ack = await a.c.newOrder({ securityId: '700', side: 1, quantity: 200, price: '395.8' });
    assert.equal(fieldOf(ack, 150), '0');
    assert.equal(fieldOf(ack, 44), '395.8');
    const amended = await a.c.amend(fieldOf(ack, 11)!, { quantity: 300 });
    assert.equal(fieldOf(amended, 150), '5');
    assert.equal(fieldOf(amended, 38), '300');
    const second = await a.c.newOrder({ securityId: '700', side: 1, quantity: 100, price: 395.6 });
    const cancelled = await a.c.cancel(fieldOf(second, 11)!);
    assert.equal(fieldOf(cancelled, 150), '4');
    const again = await a.c.cancel(fieldOf(second, 11)!);
    assert.equal(msgTypeOf(again), '9', 'cancelling a cancelled order: OrderCancelReject');
    assert.equal(fieldOf(again, 434), '1');
    await waitFor('drop copies', () => dc.reports.length >= 5);
    assert.deepEqual(
      dc.reports.map((m) => fieldOf(m, 150)),
      ['0', '4', '5', '0', '4'],
    );
    const atCut = v.primary.fixGateway()!.sequenceNumbers('F001X');
    assert.deepEqual(
      { nextToSend: a.c.journal.nextToSend, nextExpected: a.c.journal.nextExpected },
      { nextToSend: atCut.nextExpected, nextExpected: atCut.nextToSend },
    );

    // The primary is lost; the fill of the resting order happens at the backup before F001X is back.
    await v.primary.isolate({ reason: 'failover test', mode: 'abrupt' });
    await waitFor('loss noticed', () => a.kinds().includes('disconnected'));
    await v.backup.activate('failover test');
    const seller = fixClient(cfg, 'F002', 'F002X', { addresses: [addressesOf(cfg)[1]!], brokerId: '1002', firstClientOrderId: 900 });
    cleanup.push(() => seller.c.close());
    await seller.c.start();
    await seller.c.newOrder({ securityId: '700', side: 2, quantity: 300, price: '395.8' });
    await waitFor('sell filled', () => seller.reports.some((m) => fieldOf(m, 150) === 'F'));

    await a.c.whenLoggedOn();
    await waitFor('fill replayed', () => a.reports.some((m) => fieldOf(m, 150) === 'F'));
    assert.equal(a.c.address?.site, 'backup');
    const logons = a.events.filter((e) => e.kind === 'logon-accepted');
    assert.equal(logons.length, 2);
    assert.equal(logons[1]!.detail['seqNum'], atCut.nextExpected, 'the Logon at the backup continues the numbers');
    assert.ok(a.kinds().includes('failover-followed'));
    assert.ok(a.kinds().includes('gap-detected') && a.kinds().includes('gap-recovered'));
    const fill = a.reports.find((m) => fieldOf(m, 150) === 'F')!;
    assert.equal(fieldOf(fill, 43), 'Y', 'replayed with PossDupFlag');
    assert.equal(fieldOf(fill, 32), '300');
    const after = await a.c.newOrder({ securityId: '700', side: 1, quantity: 100, price: '395.6' });
    assert.equal(fieldOf(after, 150), '0');
    assert.ok(a.kinds().includes('first-ack-after-failover'));
    assert.equal(a.c.stats.duplicateReports, 0);
    await waitFor('drop copy at the backup', () => dc.reports.some((m) => fieldOf(m, 150) === 'F') && dc.c.address?.site === 'backup');
    assert.equal(dc.reports.filter((m) => fieldOf(m, 150) === 'F').length, 1);
  });

  it('a client that resets its numbers after the loss is refused at the backup; a bad password stops the client', { timeout: 60_000 }, async () => {
    const cfg = testVenueConfig();
    cfg.subscribers[0]!.fix = { trading: 'F001X' };
    cfg.subscribers[1]!.fix = { trading: 'F002X' };
    const v = await embedded(cfg);
    cleanup.push(() => v.stop());
    const bad = fixClient(cfg, 'F002', 'F002X', { password: 'Wrong2026' });
    const stopped = new Promise<{ reason: string }>((r) => bad.c.once('stopped', r));
    await assert.rejects(bad.c.start(), /SessionStatus 5/);
    assert.match((await stopped).reason, /SessionStatus 5/);
    assert.equal(bad.events.filter((e) => e.kind === 'logon-rejected').length, 1, 'no retry after a refusal that needs a person');

    const f = fixClient(cfg, 'F001', 'F001X', { faults: { resetSequenceOnReconnect: true } });
    cleanup.push(() => f.c.close());
    await f.c.start();
    await f.c.newOrder({ securityId: '700', side: 1, quantity: 100, price: '395.6' });
    await v.primary.isolate({ reason: 'failover test', mode: 'abrupt' });
    await v.backup.activate('failover test');
    await waitFor('refused at the backup', () =>
      f.events.some((e) => e.kind === 'logon-rejected' && e.detail['site'] === 'backup' && e.detail['status'] === 9),
    );
    assert.equal(v.backup.fixGateway()!.isLoggedOn('F001X'), false);
  });
});

describe('FIX initiator session (manual clock)', () => {
  const make = (clock: ManualClock) => {
    const out: FixMessage[] = [];
    const events: string[] = [];
    let closed = '';
    const journal = new MemorySessionStore().journal('C1');
    const s = new FixSession({
      gatewayCompId: 'C1',
      clientCompId: 'HKEX',
      journal,
      clock,
      appMsgTypes: new Set(['8']),
      send: (b) => {
        const r = decodeMessage(b);
        assert.ok(r.ok);
        out.push(r.message);
      },
      disconnect: (reason) => {
        closed = reason;
      },
      onEvent: (e) => events.push(e.type),
      timers: { logonTimeoutMs: 5_000, tickMs: 100 } as never,
    });
    const from = (fields: [number, string][], seq: number): FixMessage => ({
      fields: [fields[0]!, [49, 'HKEX'], [56, 'C1'], [34, String(seq)], [52, sendingTime(clock.now())], ...fields.slice(1)],
    });
    return { s, out, events, journal, from, closed: () => closed };
  };

  it('closes when no Logon reply comes within the logon timeout', () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 9, 1));
    const t = make(clock);
    t.s.startLogon(
      [
        [98, '0'],
        [108, '30'],
      ],
      30_000,
    );
    assert.equal(t.out.length, 1);
    assert.equal(fieldOf(t.out[0]!, 789), '1');
    clock.advance(4_900);
    assert.equal(t.closed(), '');
    clock.advance(200);
    assert.match(t.closed(), /no Logon reply/);
  });

  it("replays what the reply's 789 says the gateway missed, holds the reply's number until the gap it announced is filled, heartbeats", () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 9, 1));
    const t = make(clock);
    // Two orders sent in an earlier connection (numbers 1, 2), the gateway saw neither.
    t.journal.setNextToSend(1);
    for (const seq of [1, 2]) {
      t.journal.setNextToSend(seq);
      t.s.send([
        [35, 'D'],
        [11, String(seq)],
      ]);
    }
    t.out.length = 0;
    t.s.startLogon(
      [
        [98, '0'],
        [108, '30'],
      ],
      30_000,
    );
    assert.equal(fieldOf(t.out[0]!, 34), '3');
    // The gateway expects 1 and sends its Logon as 3 (1 and 2 were sent while we were away).
    t.s.onMessage(
      'FIXT.1.1',
      t.from(
        [
          [35, 'A'],
          [98, '0'],
          [108, '30'],
          [789, '1'],
        ],
        3,
      ),
    );
    assert.equal(t.s.state, 'awaitingResend');
    const replayed = t.out.slice(1);
    assert.equal(replayed.length, 2);
    assert.deepEqual(
      replayed.map((m) => [fieldOf(m, 34), fieldOf(m, 11), fieldOf(m, 43)]),
      [
        ['1', '1', 'Y'],
        ['2', '2', 'Y'],
      ],
    );
    assert.ok(t.events.includes('gapDetected'));
    t.s.onMessage(
      'FIXT.1.1',
      t.from(
        [
          [35, '8'],
          [11, '1'],
          [43, 'Y'],
        ],
        1,
      ),
    );
    t.s.onMessage(
      'FIXT.1.1',
      t.from(
        [
          [35, '4'],
          [43, 'Y'],
          [123, 'Y'],
          [36, '3'],
        ],
        2,
      ),
    );
    assert.equal(t.s.state, 'active');
    assert.equal(t.journal.nextExpected, 4, 'the Logon reply (3) counted once the gap was filled');
    assert.ok(t.events.includes('gapRecovered'));
    const before = t.out.length;
    clock.advance(30_000);
    assert.equal(t.out.length, before + 1);
    assert.equal(msgTypeOf(t.out[before]!), '0');
  });

  it('a Logout answering the Logon is a refusal with its SessionStatus', () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 9, 1));
    const t = make(clock);
    t.s.startLogon(
      [
        [98, '0'],
        [108, '30'],
      ],
      30_000,
    );
    t.s.onMessage(
      'FIXT.1.1',
      t.from(
        [
          [35, '5'],
          [1409, '5'],
          [58, 'bad password'],
        ],
        1,
      ),
    );
    assert.ok(t.events.includes('logonRefused'));
    assert.match(t.closed(), /SessionStatus 5/);
  });
});

// OcgClient against the real venue pieces on loopback: LookupService endpoints of two sites,
// OcgGateway (primary site, then backup site) over one shared SessionStore and one MatchingEngine
// (standing in for the hot-standby journal, which replicates both). Spec note §1.2–1.4, §3.12–3.13, §4.
// Client A runs on a ManualClock started at the real time (the gateway checks the password's time
// prefix), so its waits move only when the test drives them.
import { describe, it, before, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/wire/index.ts';
import { OcgClient, Side, OTP_C_PROFILE, type OcgClientEvent, type ExecutionReport, type OcgClientOptions } from '../../src/ocg/index.ts';
import { LookupService } from '../../src/ocg/lookup-service.ts';
import { OcgGateway } from '../../src/ocg/gateway.ts';
import { MemorySessionStore } from '../../src/ocg/session-store.ts';
import { generateVenueKeyPair, hashPassword } from '../../src/ocg/password.ts';
import { MatchingEngine } from '../../src/venue/index.ts';
import { systemClock } from '../../src/wire/index.ts';
import { turn, waitFor } from '../helpers/wait.ts';

const PASSWORD = 'Abcd1234';
let keys: { publicKeyPem: string; privateKeyPem: string };
let hash: string;
before(() => {
  keys = generateVenueKeyPair();
  hash = hashPassword(PASSWORD);
});

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** Advance a ManualClock a second at a time, letting sockets work in between, until `pred`. */
async function drive(clock: ManualClock, what: string, pred: () => boolean, maxSeconds = 120): Promise<void> {
  for (let i = 0; i < maxSeconds && !pred(); i++) {
    clock.advance(1000);
    // What the second's timers sent gets read and answered: a few turns of the event loop.
    for (let k = 0; k < 20 && !pred(); k++) await turn();
  }
  if (!pred()) throw new Error(`clock driven ${maxSeconds} s without ${what}`);
}

async function venue() {
  const store = new MemorySessionStore();
  const engine = new MatchingEngine({ profile: OTP_C_PROFILE, securities: [{ securityId: '700', lotSize: 100, referencePrice: 385_200 }] }, systemClock);
  const compIds = ['CO0000000A', 'CO0000000B'].map((compId) => ({
    compId,
    firm: compId === 'CO0000000A' ? 'FIRMA' : 'FIRMB',
    sourceIps: ['127.0.0.1'],
    passwordHash: hash,
    throttleMps: 0,
  }));
  const mkGw = (name: string) =>
    new OcgGateway({ service: 'OTP-C', name, privateKeyPem: keys.privateKeyPem, compIds, router: engine, store, passwordWorkers: 0 });
  const ps = mkGw('OTP-C primary'),
    bs = mkGw('OTP-C backup');
  await ps.start();
  await bs.start();
  await bs.stop(); // keeps its port: the backup gateway is not up until the failover
  let active: 'primary' | 'backup' = 'primary';
  const pair = (gw: OcgGateway) => ({ primary: gw.address, secondary: { host: '127.0.0.1', port: 1 } });
  const lookup = (name: string, site: 'primary' | 'backup') =>
    new LookupService({
      name,
      site,
      clients: (c) => ps.lookupEntry(c),
      gateways: () => (site !== active ? null : site === 'primary' ? pair(ps) : pair(bs)),
    });
  const lookups = [lookup('PS-primary', 'primary'), lookup('PS-mirror', 'primary'), lookup('BS-primary', 'backup'), lookup('BS-mirror', 'backup')];
  for (const l of lookups) await l.reservePort();
  await lookups[0]!.open();
  await lookups[1]!.open();
  cleanup.push(async () => {
    await Promise.all(lookups.map((l) => l.close()));
    await ps.close();
    await bs.close();
  });
  return {
    ps,
    bs,
    lookups,
    store,
    endpoints: lookups.map((l) => ({ host: '127.0.0.1', port: l.address.port })),
    async losePrimary() {
      await Promise.all([lookups[0]!.close(), lookups[1]!.close(), ps.stop()]);
    },
    async activateBackup() {
      active = 'backup';
      await bs.start();
      await Promise.all([lookups[2]!.open(), lookups[3]!.open()]);
    },
  };
}

function client(v: { endpoints: { host: string; port: number }[] }, compId: string, extra: Partial<OcgClientOptions> = {}) {
  const c = new OcgClient({
    compId,
    password: PASSWORD,
    publicKeyPem: keys.publicKeyPem,
    brokerId: '1001',
    bcan: 'ABC123.2568',
    lookup: v.endpoints,
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
    firstClientOrderId: compId.endsWith('A') ? 10000001 : 20000001,
    ...extra,
  });
  const events: OcgClientEvent[] = [];
  const reports: ExecutionReport[] = [];
  c.on('event', (e: OcgClientEvent) => events.push(e));
  c.on('execution-report', (er: ExecutionReport) => reports.push(er));
  cleanup.push(() => c.close());
  const last = (kind: string) => [...events].reverse().find((e) => e.kind === kind);
  return { c, events, reports, last, kinds: () => events.map((e) => e.kind) };
}

describe('OcgClient ↔ OcgGateway + MatchingEngine + LookupService', () => {
  it('two clients trade: ack, then a fill on both sides', async () => {
    const v = await venue();
    const a = client(v, 'CO0000000A');
    const b = client(v, 'CO0000000B');
    await Promise.all([a.c.start(), b.c.start()]);
    assert.equal(a.last('logon-accepted')!.detail['site'], 'primary');
    const buy = await a.c.newOrder({ securityId: '700', side: Side.Buy, quantity: 200, price: '385.2' });
    assert.equal(buy.execType, '0');
    const sell = await b.c.newOrder({ securityId: '700', side: Side.Sell, quantity: 200, price: '385.2' });
    assert.ok(sell.execType === '0' || sell.execType === 'F');
    await waitFor('fills', () => a.reports.some((r) => r.execType === 'F') && b.reports.some((r) => r.execType === 'F'));
    assert.equal(a.c.order(buy.clientOrderId!)!.orderStatus, 2);
  });

  it('follows the failover to the backup gateway: continuous sequence numbers, the fill missed while away, then a new ack', async () => {
    const v = await venue();
    const clockA = new ManualClock(Date.now());
    const a = client(v, 'CO0000000A', { clock: clockA, timeScale: 1, timing: { tickMs: 1000, connectTimeoutMs: 5000, lookupTimeoutMs: 5000 } });
    const started = a.c.start();
    await drive(clockA, 'logon', () => a.c.loggedOn);
    await started;
    const buy = await a.c.newOrder({ securityId: '700', side: Side.Buy, quantity: 300, price: '385.2' });
    assert.equal(buy.execType, '0');
    const seqBefore = { toSend: a.c.journal.nextToSend, expected: a.c.journal.nextExpected };
    assert.deepEqual(seqBefore, { toSend: 3, expected: 3 });

    await v.losePrimary();
    await waitFor('A sees the loss', () => a.kinds().includes('disconnected'));
    // The backup site takes over; B trades against A's resting order while A is still away.
    await v.activateBackup();
    const b = client(v, 'CO0000000B');
    await b.c.start();
    assert.equal(b.last('logon-accepted')!.detail['site'], 'backup');
    await b.c.newOrder({ securityId: '700', side: Side.Sell, quantity: 300, price: '385.2' });
    await waitFor('B filled', () => b.reports.some((r) => r.execType === 'F'));

    // A: 10 s wait, Primary and Secondary refused, lookups PS… fail, BS-primary answers, logon.
    await drive(clockA, 'A logged on at the backup site', () => a.events.some((e) => e.kind === 'logon-accepted' && e.detail['site'] === 'backup'));
    const logon = a.last('logon-accepted')!.detail;
    assert.equal(logon['gateway'], `127.0.0.1:${v.bs.address.port}`);
    assert.equal(logon['seqNum'], 3, 'Logon under the continuing sequence number');
    assert.equal(logon['nextExpected'], 4, "the gateway's Next Expected after it");
    await waitFor('the missed fill', () => a.reports.some((r) => r.execType === 'F'));
    const fills = a.reports.filter((r) => r.execType === 'F');
    assert.equal(fills.length, 1);
    assert.equal(a.c.order(buy.clientOrderId!)!.orderStatus, 2);
    assert.equal(a.last('lookup-answered')!.detail['endpointName'], 'BS-primary');
    assert.ok(a.kinds().includes('failover-followed'));

    const ack = await a.c.newOrder({ securityId: '700', side: Side.Buy, quantity: 100, price: '385.0' });
    assert.equal(ack.execType, '0');
    assert.equal(a.last('first-ack-after-failover')!.detail['clientOrderId'], ack.clientOrderId);
    // No report reached the application twice.
    const keys = a.reports.map((r) => `${r.clientOrderId}/${r.executionId}`);
    assert.equal(new Set(keys).size, keys.length);
  });
});

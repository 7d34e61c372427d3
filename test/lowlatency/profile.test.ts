// The low-latency profile as runtime hooks: what the gateway and the client call, and when.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LowLatencyProfile, LOW_LATENCY_FLAGS, hasLowLatencyFlags } from '../../src/lowlatency/index.ts';
import { OcgClient, OTP_C_PROFILE, Side, type OcgRuntimeHooks } from '../../src/ocg/index.ts';
import { LookupService } from '../../src/ocg/lookup-service.ts';
import { OcgGateway } from '../../src/ocg/gateway.ts';
import { generateVenueKeyPair, hashPassword } from '../../src/ocg/password.ts';
import { MatchingEngine } from '../../src/venue/index.ts';
import { systemClock } from '../../src/wire/index.ts';

/** Hooks that record their calls, in order. */
function recorder(): OcgRuntimeHooks & { calls: string[] } {
  const calls: string[] = [];
  return { calls, onStart: () => calls.push('start'), onStop: () => calls.push('stop'), onIdle: () => calls.push('idle') };
}

describe('LowLatencyProfile', () => {
  it('polls from the first onStart to the last onStop; schedule() only while polling', async () => {
    const p = new LowLatencyProfile({ quietGcEvery: 0 });
    assert.throws(() => p.schedule(0, () => {}), /needs polling/);
    p.onStart();
    p.onStart(); // a gateway and a client in one process share the profile
    assert.equal(p.polling, true);
    const fired = await new Promise<boolean>((resolve) => p.schedule(0.2, () => resolve(true)));
    assert.equal(fired, true);
    p.onStop();
    assert.equal(p.polling, true, 'one user left');
    p.onStop();
    assert.equal(p.polling, false);
    p.onStop(); // one too many: harmless
    assert.equal(p.polling, false);
    assert.match(p.describe(), /^busy polling \((native-spin|immediate)\), quiet GC off$/);
  });

  it('rejects a quiet-GC period that is not an integer ≥ 0', () => {
    assert.throws(() => new LowLatencyProfile({ quietGcEvery: -1 }), /integer ≥ 0/);
    assert.throws(() => new LowLatencyProfile({ quietGcEvery: 1.5 }), /integer ≥ 0/);
  });

  it('the start-up flags are recognised in an argument list', () => {
    assert.equal(hasLowLatencyFlags([]), false);
    assert.equal(hasLowLatencyFlags(['--inspect', ...LOW_LATENCY_FLAGS]), true);
    assert.equal(hasLowLatencyFlags(LOW_LATENCY_FLAGS.slice(1)), false);
  });
});

describe('runtime hooks of the gateway and the client', () => {
  const PASSWORD = 'Abcd1234';
  let keys: { publicKeyPem: string; privateKeyPem: string };
  const gwHooks = recorder(),
    clientHooks = recorder();
  let gateway: OcgGateway, lookup: LookupService, client: OcgClient;

  before(async () => {
    keys = generateVenueKeyPair();
    const engine = new MatchingEngine({ profile: OTP_C_PROFILE, securities: [{ securityId: '700', lotSize: 100, referencePrice: 385_200 }] }, systemClock);
    gateway = new OcgGateway({
      service: 'OTP-C',
      name: 'hooks',
      privateKeyPem: keys.privateKeyPem,
      router: engine,
      passwordWorkers: 0,
      hooks: gwHooks,
      compIds: [{ compId: 'CO0000000H', firm: 'FIRMH', sourceIps: ['127.0.0.1'], passwordHash: hashPassword(PASSWORD), throttleMps: 0 }],
    });
    assert.deepEqual(gwHooks.calls, [], 'nothing before start()');
    const gw = await gateway.start();
    lookup = new LookupService({
      name: 'PS-primary',
      site: 'primary',
      clients: (c) => gateway.lookupEntry(c),
      gateways: () => ({ primary: gw, secondary: gw }),
    });
    const lk = await lookup.open();
    client = new OcgClient({
      compId: 'CO0000000H',
      password: PASSWORD,
      publicKeyPem: keys.publicKeyPem,
      brokerId: '1001',
      bcan: 'ABC123.2568',
      lookup: [{ host: '127.0.0.1', port: lk.port }],
      hooks: clientHooks,
    });
  });
  after(async () => {
    await client.close('test over');
    await lookup.close();
    await gateway.close();
  });

  it('onStart at start, onIdle once replies went out / answers came in, onStop at close', async () => {
    assert.deepEqual(gwHooks.calls, ['start']);
    await client.start();
    assert.deepEqual(clientHooks.calls.slice(0, 1), ['start']);
    const er = await client.newOrder({ securityId: '700', side: Side.Buy, quantity: 100, price: '385.2' });
    assert.equal(er.execType, '0');
    assert.ok(gwHooks.calls.filter((c) => c === 'idle').length >= 2, `gateway idle after the logon reply and the order's report: ${gwHooks.calls.join(',')}`);
    assert.ok(clientHooks.calls.includes('idle'), `client idle once the order was answered: ${clientHooks.calls.join(',')}`);
    await client.close('done');
    assert.equal(clientHooks.calls.at(-1), 'stop');
    assert.equal(clientHooks.calls.filter((c) => c === 'start' || c === 'stop').join(','), 'start,stop');
    await gateway.stop();
    assert.equal(gwHooks.calls.at(-1), 'stop');
    assert.equal(gwHooks.calls.filter((c) => c === 'start' || c === 'stop').join(','), 'start,stop');
  });
});

// LookupClient against fake Lookup Service endpoints (spec note §1.2, §3.2): the fixed endpoint
// order PS-primary → PS-mirror → BS-primary → BS-mirror → cycling, the 5 s wait after an
// unreachable endpoint or a Rejected answer, the backup site closed then open. A ManualClock
// drives every wait: the test advances it when the client announces one.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/wire/index.ts';
import {
  LookupClient,
  LookupAbortedError,
  LookupExhaustedError,
  LookupRejectCode,
  parseHostPort,
  type LookupFailureEvent,
  type LookupAttemptEvent,
} from '../../src/ocg/index.ts';
import { fakeLookup, type FakeLookup } from './fake-lookup.ts';

const PS_GW = { primary: { host: '127.0.0.1', port: 28000 }, secondary: { host: '127.0.0.1', port: 28001 } };
const BS_GW = { primary: { host: '127.0.0.2', port: 29000 }, secondary: { host: '127.0.0.2', port: 29001 } };

const open: FakeLookup[] = [];
const clients: LookupClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(open.splice(0).map((f) => f.close()));
});

/** Four endpoints; `listening` says which are open at the start. */
async function fourEndpoints(listening: [boolean, boolean, boolean, boolean]) {
  const eps = await Promise.all([
    fakeLookup({ kind: 'answer', ...PS_GW }, { listen: listening[0] }),
    fakeLookup({ kind: 'answer', ...PS_GW }, { listen: listening[1] }),
    fakeLookup({ kind: 'answer', ...BS_GW }, { listen: listening[2] }),
    fakeLookup({ kind: 'answer', ...BS_GW }, { listen: listening[3] }),
  ]);
  open.push(...eps);
  return eps;
}

/** A client on a ManualClock that advances the clock by exactly each announced wait. */
function drivenClient(eps: FakeLookup[], extra: { beforeWait?: (n: number) => Promise<void> | void } = {}) {
  const clock = new ManualClock();
  const client = new LookupClient({ endpoints: eps.map((e) => ({ host: '127.0.0.1', port: e.port })), compId: 'CO99999902', clock });
  clients.push(client);
  const order: string[] = [];
  const failures: LookupFailureEvent[] = [];
  const waits: number[] = [];
  client.on('attempt', (a: LookupAttemptEvent) => order.push(a.endpoint.name));
  client.on('failed', (f: LookupFailureEvent) => failures.push(f));
  client.on('waiting', (w: { ms: number }) => {
    waits.push(w.ms);
    const n = waits.length;
    setImmediate(async () => {
      await extra.beforeWait?.(n);
      clock.advance(w.ms);
    });
  });
  return { clock, client, order, failures, waits };
}

describe('LookupClient: endpoint order (§1.2)', () => {
  it('asks PS-primary first and returns its gateway pair, header seq 1, service 1, protocol 1', async () => {
    const eps = await fourEndpoints([true, true, true, true]);
    const { client, order, waits } = drivenClient(eps);
    const a = await client.lookup();
    assert.deepEqual(order, ['PS-primary']);
    assert.deepEqual(waits, []);
    assert.equal(a.site, 'primary');
    assert.equal(a.endpoint.name, 'PS-primary');
    assert.deepEqual(a.primary, PS_GW.primary);
    assert.deepEqual(a.secondary, PS_GW.secondary);
    assert.deepEqual(eps[0]!.requests, [{ compId: 'CO99999902', seq: 1, typeOfService: 1, protocolType: 1 }]);
    assert.equal(eps[1]!.requests.length + eps[2]!.requests.length + eps[3]!.requests.length, 0);
  });

  it('PS-primary down: PS-mirror answers after one 5 s wait', async () => {
    const eps = await fourEndpoints([false, true, true, true]);
    const { client, clock, order, waits, failures } = drivenClient(eps);
    const t0 = clock.now();
    const a = await client.lookup();
    assert.deepEqual(order, ['PS-primary', 'PS-mirror']);
    assert.deepEqual(waits, [5000]);
    assert.equal(failures[0]!.reason, 'unreachable');
    assert.equal(a.endpoint.name, 'PS-mirror');
    assert.equal(a.site, 'primary');
    assert.equal(clock.now() - t0, 5000);
  });

  it('primary site down, backup site closed then open: cycles in order with 5 s waits, then reaches BS-primary', async () => {
    const eps = await fourEndpoints([false, false, false, false]);
    // The backup site opens its lookup endpoints during the 6th wait (after BS-primary, BS-mirror,
    // PS-primary, PS-mirror, BS-primary, BS-mirror have all failed once or twice).
    const { client, clock, order, waits, failures } = drivenClient(eps, {
      beforeWait: async (n) => {
        if (n === 6) {
          await eps[2]!.open();
          await eps[3]!.open();
        }
      },
    });
    const t0 = clock.now();
    const a = await client.lookup();
    assert.deepEqual(order, ['PS-primary', 'PS-mirror', 'BS-primary', 'BS-mirror', 'PS-primary', 'PS-mirror', 'BS-primary']);
    assert.deepEqual(waits, [5000, 5000, 5000, 5000, 5000, 5000]);
    assert.equal(clock.now() - t0, 30_000);
    assert.equal(failures.length, 6);
    assert.ok(failures.every((f) => f.reason === 'unreachable'));
    assert.equal(a.site, 'backup');
    assert.equal(a.endpoint.name, 'BS-primary');
    assert.deepEqual(a.primary, BS_GW.primary);
    assert.deepEqual(a.secondary, BS_GW.secondary);
    assert.equal(a.attempts, 7);
  });

  it('a Rejected answer also costs 5 s and moves on to the next endpoint, with its reject code', async () => {
    const eps = await fourEndpoints([true, true, true, true]);
    eps[0]!.behaviour = { kind: 'reject', code: LookupRejectCode.ClientBlocked, reason: 'blocked' };
    const { client, order, waits, failures } = drivenClient(eps);
    const a = await client.lookup();
    assert.deepEqual(order, ['PS-primary', 'PS-mirror']);
    assert.deepEqual(waits, [5000]);
    assert.equal(failures[0]!.reason, 'rejected');
    assert.equal(failures[0]!.rejectCode, 3);
    assert.match(failures[0]!.detail, /blocked/);
    assert.equal(a.endpoint.name, 'PS-mirror');
  });

  it('an endpoint that closes without answering counts as unreachable', async () => {
    const eps = await fourEndpoints([true, true, true, true]);
    eps[0]!.behaviour = { kind: 'close' };
    const { client, order, failures } = drivenClient(eps);
    await client.lookup();
    assert.deepEqual(order, ['PS-primary', 'PS-mirror']);
    assert.equal(failures[0]!.reason, 'unreachable');
  });

  it('an endpoint that accepts TCP but never answers times out on the clock, then the wait, then the next one', async () => {
    const eps = await fourEndpoints([true, true, true, true]);
    eps[0]!.behaviour = { kind: 'silent' };
    const { client, clock, order, failures, waits } = drivenClient(eps);
    eps[0]!.onRequest = () => setImmediate(() => clock.advance(5000));
    const t0 = clock.now();
    await client.lookup();
    assert.deepEqual(order, ['PS-primary', 'PS-mirror']);
    assert.equal(failures[0]!.reason, 'timeout');
    assert.deepEqual(waits, [5000]);
    assert.equal(clock.now() - t0, 10_000);
  });
});

describe('LookupClient: limits, scaling and abort', () => {
  it('maxAttempts ends the cycle with LookupExhaustedError', async () => {
    const eps = await fourEndpoints([false, false, false, false]);
    const { client, order } = drivenClient(eps);
    await assert.rejects(client.lookup({ maxAttempts: 5 }), LookupExhaustedError);
    assert.deepEqual(order, ['PS-primary', 'PS-mirror', 'BS-primary', 'BS-mirror', 'PS-primary']);
  });

  it('timeScale shrinks the 5 s wait; an explicit retryDelayMs wins', () => {
    const ep = [{ host: '127.0.0.1', port: 1 }];
    assert.equal(new LookupClient({ endpoints: ep, compId: 'X', timeScale: 0.001 }).retryDelayMs, 5);
    assert.equal(new LookupClient({ endpoints: ep, compId: 'X', timeScale: 0.001, retryDelayMs: 42 }).retryDelayMs, 42);
    assert.equal(new LookupClient({ endpoints: ep, compId: 'X' }).retryDelayMs, 5000);
  });

  it('close() during a wait rejects the lookup with LookupAbortedError', async () => {
    const eps = await fourEndpoints([false, false, false, false]);
    const clock = new ManualClock();
    const client = new LookupClient({ endpoints: eps.map((e) => ({ host: '127.0.0.1', port: e.port })), compId: 'X', clock });
    client.on('waiting', () => setImmediate(() => client.close()));
    await assert.rejects(client.lookup(), LookupAbortedError);
    assert.equal(clock.pending, 0);
  });

  it('an AbortSignal aborts too', async () => {
    const eps = await fourEndpoints([false, false, false, false]);
    const client = new LookupClient({ endpoints: eps.map((e) => ({ host: '127.0.0.1', port: e.port })), compId: 'X', clock: new ManualClock() });
    clients.push(client);
    const ac = new AbortController();
    client.on('waiting', () => setImmediate(() => ac.abort()));
    await assert.rejects(client.lookup({ signal: ac.signal }), LookupAbortedError);
  });

  it('names and sites by position; explicit ones kept', () => {
    const c = new LookupClient({
      endpoints: [
        { host: 'a', port: 1 },
        { host: 'b', port: 2 },
        { host: 'c', port: 3 },
        { host: 'd', port: 4, name: 'dr', site: 'backup' },
      ],
      compId: 'X',
    });
    assert.deepEqual(
      c.endpoints.map((e) => `${e.name}/${e.site}`),
      ['PS-primary/primary', 'PS-mirror/primary', 'BS-primary/backup', 'dr/backup'],
    );
  });

  it('parseHostPort', () => {
    assert.deepEqual(parseHostPort('127.0.0.1:28000'), { host: '127.0.0.1', port: 28000 });
    assert.throws(() => parseHostPort('127.0.0.1'), RangeError);
    assert.throws(() => parseHostPort('h:70000'), RangeError);
  });
});

describe('LookupClient against the real LookupService (§1.2, §3.2)', () => {
  it('primary site active, then the backup site: the answers follow the active site, in the spec order', async () => {
    const { LookupService } = await import('../../src/ocg/lookup-service.ts');
    const PS = { primary: { host: '127.0.0.1', port: 28000 }, secondary: { host: '127.0.0.1', port: 28001 } };
    const BS = { primary: { host: '127.0.0.1', port: 29000 }, secondary: { host: '127.0.0.1', port: 29001 } };
    let active: 'primary' | 'backup' = 'primary';
    const clientsFn = (c: string) => (c === 'CO99999902' ? { sourceIps: ['127.0.0.1'] } : undefined);
    const svc = (name: string, site: 'primary' | 'backup') =>
      new LookupService({
        name,
        site,
        clients: clientsFn,
        gateways: () => (site === active ? (site === 'primary' ? PS : BS) : null),
      });
    const services = [svc('PS-primary', 'primary'), svc('PS-mirror', 'primary'), svc('BS-primary', 'backup'), svc('BS-mirror', 'backup')];
    for (const s of services) await s.reservePort();
    await services[0]!.open();
    await services[1]!.open();
    try {
      const eps = services.map((s) => ({ host: '127.0.0.1', port: s.address.port }));
      const clock = new ManualClock();
      const client = new LookupClient({ endpoints: eps, compId: 'CO99999902', clock });
      clients.push(client);
      const order: string[] = [];
      client.on('attempt', (a: LookupAttemptEvent) => order.push(a.endpoint.name));
      let waits = 0;
      client.on('waiting', (w: { ms: number }) => {
        waits++;
        setImmediate(async () => {
          // The backup site activates while the client is cycling (after its 4th failure).
          if (waits === 4) {
            active = 'backup';
            await services[2]!.open();
            await services[3]!.open();
          }
          clock.advance(w.ms);
        });
      });
      const first = await client.lookup();
      assert.equal(first.site, 'primary');
      assert.deepEqual(first.primary, PS.primary);
      assert.deepEqual(first.secondary, PS.secondary);

      // Failover: the primary site's lookups go dark.
      await services[0]!.close();
      await services[1]!.close();
      order.length = 0;
      const second = await client.lookup();
      // The backup opened during the 4th wait: PS-primary and PS-mirror still fail, BS-primary answers.
      assert.deepEqual(order, ['PS-primary', 'PS-mirror', 'BS-primary', 'BS-mirror', 'PS-primary', 'PS-mirror', 'BS-primary']);
      assert.equal(waits, 6);
      assert.equal(second.site, 'backup');
      assert.equal(second.endpoint.name, 'BS-primary');
      assert.deepEqual(second.primary, BS.primary);
      assert.deepEqual(second.secondary, BS.secondary);
    } finally {
      await Promise.all(services.map((s) => s.close()));
    }
  });

  it('an unknown Comp ID is Rejected with Invalid Client (0): 5 s, then the next endpoint', async () => {
    const { LookupService } = await import('../../src/ocg/lookup-service.ts');
    const services = ['PS-primary', 'PS-mirror'].map(
      (name) =>
        new LookupService({
          name,
          site: 'primary',
          clients: () => undefined,
          gateways: () => null,
        }),
    );
    for (const s of services) await s.open();
    try {
      const clock = new ManualClock();
      const client = new LookupClient({ endpoints: services.map((s) => ({ host: '127.0.0.1', port: s.address.port })), compId: 'NOBODY', clock });
      clients.push(client);
      const failures: LookupFailureEvent[] = [];
      client.on('failed', (f: LookupFailureEvent) => failures.push(f));
      client.on('waiting', (w: { ms: number }) => setImmediate(() => clock.advance(w.ms)));
      await assert.rejects(client.lookup({ maxAttempts: 2 }), LookupExhaustedError);
      assert.deepEqual(
        failures.map((f) => [f.endpoint.name, f.reason, f.rejectCode]),
        [
          ['PS-primary', 'rejected', 0],
          ['PS-mirror', 'rejected', 0],
        ],
      );
    } finally {
      await Promise.all(services.map((s) => s.close()));
    }
  });
});

// LookupClient against fake Lookup Service endpoints (spec note §1.2, §3.2): the fixed endpoint
// order PS-primary → PS-mirror → BS-primary → BS-mirror → cycling, the 5 s wait after an
// unreachable endpoint or a Rejected answer, the backup site closed then open. A ManualClock
// drives every wait: the test advances it when the client announces one.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/wire/index.ts';
import {
  LookupClient, LookupAbortedError, LookupExhaustedError, LookupRejectCode, parseHostPort,
  type LookupFailureEvent, type LookupAttemptEvent,
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
      beforeWait: async (n) => { if (n === 6) { await eps[2]!.open(); await eps[3]!.open(); } },
    });
    const t0 = clock.now();
    const a = await client.lookup();
    assert.deepEqual(order, [
      'PS-primary', 'PS-mirror', 'BS-primary', 'BS-mirror',
      'PS-primary', 'PS-mirror', 'BS-primary',
    ]);
    assert.deepEqual(waits, [5000, 5000, 5000, 5000, 5000, 5000]);
    assert.equal(clock.now() - t0, 30_000);
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
    const c = new LookupClient({ endpoints: [
      { host: 'a', port: 1 }, { host: 'b', port: 2 }, { host: 'c', port: 3 }, { host: 'd', port: 4, name: 'dr', site: 'backup' },
    ], compId: 'X' });
    assert.deepEqual(c.endpoints.map((e) => `${e.name}/${e.site}`), ['PS-primary/primary', 'PS-mirror/primary', 'BS-primary/backup', 'dr/backup']);
  });

  it('parseHostPort', () => {
    assert.deepEqual(parseHostPort('127.0.0.1:28000'), { host: '127.0.0.1', port: 28000 });
    assert.throws(() => parseHostPort('127.0.0.1'), RangeError);
    assert.throws(() => parseHostPort('h:70000'), RangeError);
  });
});

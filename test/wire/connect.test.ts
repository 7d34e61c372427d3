import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { ManualClock, connectWithin } from '../../src/wire/index.ts';

const server = net.createServer((s) => s.on('error', () => {}));
const closedPort = await new Promise<number>((resolve) => {
  const probe = net.createServer();
  probe.listen(0, '127.0.0.1', () => {
    const port = (probe.address() as net.AddressInfo).port;
    probe.close(() => resolve(port));
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const port = (server.address() as net.AddressInfo).port;
after(() => new Promise<void>((r) => server.close(() => r())));

describe('connectWithin (the clients’ connection attempt)', () => {
  it('gives the connected socket, with Nagle off', async () => {
    const r = await connectWithin({ host: '127.0.0.1', port, clock: new ManualClock(), timeoutMs: 1_000 });
    assert.ok(r instanceof net.Socket);
    assert.equal(r.remotePort, port);
    r.destroy();
  });

  it('a refused connection is its errno code', async () => {
    assert.equal(await connectWithin({ host: '127.0.0.1', port: closedPort, clock: new ManualClock(), timeoutMs: 1_000 }), 'ECONNREFUSED');
  });

  it('the deadline passing first ends the attempt with the timeout, the socket destroyed', async () => {
    const clock = new ManualClock();
    const p = connectWithin({ host: '127.0.0.1', port, clock, timeoutMs: 500 });
    clock.advance(500);
    assert.equal(await p, 'no connection within 500 ms');
  });

  it("the caller giving up (its signal aborted, before or during) is 'closed'", async () => {
    const gaveUp = new AbortController();
    gaveUp.abort();
    assert.equal(await connectWithin({ host: '127.0.0.1', port, clock: new ManualClock(), timeoutMs: 1_000, signal: gaveUp.signal }), 'closed');
    const during = new AbortController();
    const p = connectWithin({ host: '127.0.0.1', port, clock: new ManualClock(), timeoutMs: 1_000, signal: during.signal });
    during.abort();
    assert.equal(await p, 'closed');
  });
});

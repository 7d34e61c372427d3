import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dc from 'node:diagnostics_channel';
import net from 'node:net';
import { connectStaticReads, onChunk, staticReadServer } from '../../src/wire/index.ts';

const servers: net.Server[] = [];
after(() => { for (const s of servers) s.close(); });

async function listen(server: net.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

function pattern(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed;
  for (let i = 0; i < n; i++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; b[i] = x >>> 24; }
  return b;
}

describe('reads into one reused buffer (src/wire/socket-reads.ts)', () => {
  it('server and client: every byte arrives in order through the shared buffer, no data events, no buffer per read', async () => {
    const payload = pattern(1_000_000, 3);
    const published: net.Socket[] = [];
    const onPublish = (m: unknown) => published.push((m as { socket: net.Socket }).socket);
    dc.subscribe('net.server.socket', onPublish);
    const received: Buffer[] = [];
    const backings = new Set<ArrayBufferLike>();
    let dataEvents = 0;
    let accepted: net.Socket | null = null;
    const server = net.createServer((s) => {
      accepted = s;
      s.on('data', () => dataEvents++);
      onChunk(s, (chunk) => {
        backings.add(chunk.buffer);
        received.push(Buffer.from(chunk));
        got += chunk.length;
        if (got === payload.length) s.end(Buffer.from('bye')); // then back to the client, through its shared reads
      });
    });
    let got = 0;
    const port = await listen(server);
    assert.equal(staticReadServer(server), true, "this Node's server internals are the expected ones");
    const client = connectStaticReads({ host: '127.0.0.1', port });
    const echoed: Buffer[] = [];
    onChunk(client, (chunk) => echoed.push(Buffer.from(chunk)));
    await new Promise((r) => client.once('connect', r));
    // Random-sized writes; the server answers when it has them all.
    for (let i = 0; i < payload.length;) {
      const n = 1 + ((i * 7919) % 9000);
      client.write(payload.subarray(i, i + n));
      i += n;
    }
    await new Promise((r) => client.once('close', r));
    dc.unsubscribe('net.server.socket', onPublish);
    assert.ok(Buffer.concat(received).equals(payload), 'bytes in order');
    assert.equal(dataEvents, 0, 'no data events: reads go to the chunk handler');
    assert.equal(backings.size, 1, `one backing buffer for ${received.length} reads`);
    assert.deepEqual(published, [accepted], "accepted sockets are published on 'net.server.socket', like Node's own");
    assert.equal(Buffer.concat(echoed).toString(), 'bye');
  });

  it('bytes that arrive before the handler is set are kept (copied) and delivered first', async () => {
    let accepted: net.Socket | null = null;
    const server = net.createServer((s) => { accepted = s; });
    const port = await listen(server);
    staticReadServer(server);
    const client = connectStaticReads({ host: '127.0.0.1', port });
    await new Promise((r) => client.once('connect', r));
    client.write('first ');
    await new Promise((r) => setTimeout(r, 50));
    client.write('second');
    await new Promise((r) => setTimeout(r, 50));
    const got: string[] = [];
    onChunk(accepted!, (c) => got.push(c.toString()));
    client.write(' third');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(got.join(''), 'first second third');
    client.destroy();
  });

  it('server.close() still waits for, and then reports, the connections it accepted', async () => {
    const server = net.createServer((s) => onChunk(s, () => {}));
    const port = await listen(server);
    staticReadServer(server);
    const client = connectStaticReads({ host: '127.0.0.1', port });
    await new Promise((r) => client.once('connect', r));
    await new Promise((r) => setTimeout(r, 20));
    let closed = false;
    const count = await new Promise<number>((resolve) => server.getConnections((_e, n) => resolve(n)));
    assert.equal(count, 1);
    server.close(() => { closed = true; });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(closed, false, 'a connection is still open');
    client.destroy();
    for (let i = 0; i < 100 && !closed; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(closed, true, 'closed once the last connection went');
  });

  it('a plain socket falls back to data events', async () => {
    const server = net.createServer((s) => s.end('plain'));
    const port = await listen(server);
    const s = net.connect(port, '127.0.0.1');
    const got: string[] = [];
    onChunk(s, (c) => got.push(c.toString()));
    await new Promise((r) => s.once('close', r));
    assert.equal(got.join(''), 'plain');
  });
});

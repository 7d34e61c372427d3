import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { ManualClock } from '../../src/wire/index.ts';
import {
  RetransmissionServer,
  RetransmissionWindow,
  OmdPublisher,
  PacketStreamReader,
  decodePacket,
  encodeMessage,
  encodePacket,
  loopbackFeed,
  messageSize,
  type DecodedPacket,
  type OmdMessage,
  type RtsServerLogonEvent,
  type RtsServerRequestEvent,
} from '../../src/omd/index.ts';
import { waitFor } from '../helpers/wait.ts';

/** A bare RTS client speaking the wire format directly (TV6 framing). */
class RawClient {
  readonly socket: net.Socket;
  readonly reader = new PacketStreamReader();
  readonly packets: DecodedPacket[] = [];
  readonly raw: Uint8Array[] = [];
  closed = false;
  readonly whenClosed: Promise<void>;

  constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk) => {
      for (const pkt of this.reader.push(chunk)) {
        this.raw.push(pkt);
        const p = decodePacket(pkt);
        assert.ok(p.ok, 'the server sends decodable packets');
        this.packets.push(p);
      }
    });
    socket.on('error', () => {});
    this.whenClosed = new Promise((resolve) =>
      socket.on('close', () => {
        this.closed = true;
        resolve();
      }),
    );
  }

  static async connect(port: number): Promise<RawClient> {
    const s = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      s.once('connect', resolve);
      s.once('error', reject);
    });
    return new RawClient(s);
  }

  send(msg: OmdMessage): void {
    this.socket.write(encodePacket(0, 0n, [msg]));
  }

  until(pred: () => boolean, what: string): Promise<void> {
    return waitFor(what, pred, 1_500);
  }

  messages(): OmdMessage[] {
    return this.packets.flatMap((p) => p.messages);
  }

  async logon(username: string): Promise<number> {
    const n = this.packets.length;
    this.send({ msgType: 101, username });
    await this.until(() => this.packets.length > n, 'Logon Response');
    const m = this.packets[n]!.messages[0]!;
    assert.equal(m.msgType, 102);
    return m.sessionStatus;
  }

  /** Sends a request; resolves with the response status and the retransmitted data packets. */
  async request(channelId: number, beginSeqNum: number, endSeqNum: number): Promise<{ status: number; data: DecodedPacket[] }> {
    const n = this.packets.length;
    this.send({ msgType: 201, channelId, beginSeqNum, endSeqNum });
    await this.until(() => this.packets.length > n, 'Retransmission Response');
    const resp = this.packets[n]!.messages[0]!;
    assert.equal(resp.msgType, 202);
    assert.deepEqual([resp.channelId, resp.beginSeqNum, resp.endSeqNum], [channelId, beginSeqNum, endSeqNum], 'the response echoes the request (§12 U8)');
    if (resp.retransStatus !== 0) return { status: resp.retransStatus, data: [] };
    const want = endSeqNum - beginSeqNum + 1;
    const count = () => this.packets.slice(n + 1).reduce((s, p) => s + p.header.msgCount, 0);
    await this.until(() => count() >= want, 'retransmitted data');
    return { status: 0, data: this.packets.slice(n + 1) };
  }

  close(): Promise<void> {
    this.socket.end();
    return this.whenClosed;
  }
}

function windowOf(n: number, capacity: number): RetransmissionWindow {
  const w = new RetransmissionWindow(capacity);
  for (let seq = 1; seq <= n; seq++) {
    const m: OmdMessage = { msgType: 40, securityCode: seq, nominalPrice: seq * 10 };
    const b = new Uint8Array(messageSize(m));
    encodeMessage(m, b, 0);
    w.push(seq, b);
  }
  return w;
}

describe('RetransmissionServer (OMD-C 3.5, 4.3) over loopback TCP', () => {
  const clock = new ManualClock();
  const logons: RtsServerLogonEvent[] = [];
  const requests: RtsServerRequestEvent[] = [];
  const window = windowOf(100, 50); // keeps 51..100
  const server = new RetransmissionServer({
    users: ['TESTUSER01', 'TESTUSER02', 'QUOTA'],
    windowFor: (id) => (id === 21 ? window : undefined),
    clock,
    maxRange: 20,
    maxRequestsPerDay: 12,
  });
  server.on('rts-logon', (e) => logons.push(e));
  server.on('rts-request', (e) => requests.push(e));
  let port = 0;
  before(async () => {
    port = await server.listen('127.0.0.1', 0);
  });
  after(async () => {
    await server.close();
    assert.equal(clock.pending, 0);
  });

  it('Logon Response 5 for an unknown username, then closes', async () => {
    const c = await RawClient.connect(port);
    const localPort = c.socket.localPort;
    assert.equal(await c.logon('NOBODY'), 5);
    await c.whenClosed;
    assert.deepEqual(logons.at(-1), { username: 'NOBODY', remoteAddress: '127.0.0.1', remotePort: localPort, status: 5 });
  });

  it('Logon Response 0, then 100 to a second session of the same user (closed); the first session is unaffected', async () => {
    const a = await RawClient.connect(port);
    assert.equal(await a.logon('TESTUSER01'), 0);
    const b = await RawClient.connect(port);
    assert.equal(await b.logon('TESTUSER01'), 100);
    await b.whenClosed;
    assert.equal((await a.request(21, 60, 61)).status, 0);
    await a.close();
    await a.until(() => server.connections === 0, 'server-side close');
    const again = await RawClient.connect(port);
    assert.equal(await again.logon('TESTUSER01'), 0, 'the user may log on again after the session ended');
    await again.close();
  });

  it('status 0: the range follows in data packets with the original sequence numbers', async () => {
    const c = await RawClient.connect(port);
    assert.equal(await c.logon('TESTUSER02'), 0);
    const r = await c.request(21, 60, 70);
    assert.equal(r.status, 0);
    const seqs = r.data.flatMap((p) => p.messages.map((_, i) => p.header.seqNum + i));
    assert.deepEqual(
      seqs,
      Array.from({ length: 11 }, (_, i) => 60 + i),
    );
    assert.deepEqual(
      r.data.flatMap((p) => p.messages),
      Array.from({ length: 11 }, (_, i) => ({ msgType: 40, securityCode: 60 + i, nominalPrice: (60 + i) * 10 })),
    );
    // Range limit is an inclusive count (§12 U8): 20 accepted, 21 rejected with 100.
    assert.equal((await c.request(21, 51, 70)).status, 0);
    assert.equal((await c.request(21, 51, 71)).status, 100);
    // 1: unknown channel; 2: outside the window (too old, not yet sent), Begin = 0, Begin > End.
    assert.equal((await c.request(9, 60, 61)).status, 1);
    assert.equal((await c.request(21, 10, 20)).status, 2);
    assert.equal((await c.request(21, 50, 52)).status, 2);
    assert.equal((await c.request(21, 95, 105)).status, 2);
    assert.equal((await c.request(21, 0, 5)).status, 2);
    assert.equal((await c.request(21, 80, 70)).status, 2);
    const mine = requests.filter((e) => e.username === 'TESTUSER02');
    assert.deepEqual(
      mine.map((e) => [e.channelId, e.beginSeqNum, e.endSeqNum, e.status, e.messages]),
      [
        [21, 60, 70, 0, 11],
        [21, 51, 70, 0, 20],
        [21, 51, 71, 100, 0],
        [9, 60, 61, 1, 0],
        [21, 10, 20, 2, 0],
        [21, 50, 52, 2, 0],
        [21, 95, 105, 2, 0],
        [21, 0, 5, 2, 0],
        [21, 80, 70, 2, 0],
      ],
    );
    assert.equal(mine[0]!.remoteAddress, '127.0.0.1');
    await c.close();
  });

  it('status 101 once the daily quota (all channels, every request counted) is used up, then closes', async () => {
    const c = await RawClient.connect(port);
    assert.equal(await c.logon('QUOTA'), 0);
    for (let i = 0; i < 11; i++) assert.equal((await c.request(i % 2 ? 21 : 9, 90, 91)).status, i % 2 ? 0 : 1);
    assert.equal((await c.request(21, 90, 91)).status, 0, 'request 12 of 12');
    assert.equal((await c.request(21, 90, 91)).status, 101);
    await c.whenClosed;
    assert.equal(server.requestsToday('QUOTA'), 13);
    server.resetDailyQuota();
    assert.equal(server.requestsToday('QUOTA'), 0);
  });

  it('drops a connection that does not log on within 5 s', async () => {
    const c = await RawClient.connect(port);
    await c.until(() => server.connections === 1, 'accept');
    clock.advance(4_999);
    assert.equal(c.closed, false);
    clock.advance(1);
    await c.whenClosed;
    assert.equal(c.packets.length, 0);
  });

  it('sends a heartbeat every 30 s; an exact echo within 5 s keeps the session, silence drops it', async () => {
    const c = await RawClient.connect(port);
    assert.equal(await c.logon('TESTUSER01'), 0);
    clock.advance(30_000);
    await c.until(() => c.packets.length === 2, 'first heartbeat');
    const hb = c.raw[1]!;
    assert.equal(hb.length, 16);
    assert.equal(c.packets[1]!.header.msgCount, 0);
    c.socket.write(hb);
    // Answered in order on one connection: once this response is back, the server has read the echo.
    assert.equal((await c.request(21, 99, 100)).status, 0);
    clock.advance(5_000);
    assert.equal((await c.request(21, 99, 100)).status, 0, 'echoed heartbeat keeps the session');
    assert.equal(c.closed, false);
    clock.advance(25_000);
    await c.until(() => c.packets.filter((p) => p.header.msgCount === 0).length === 2, 'second heartbeat');
    clock.advance(5_000);
    await c.whenClosed;
  });

  it('malformed input closes that connection only', async () => {
    const good = await RawClient.connect(port);
    assert.equal(await good.logon('TESTUSER02'), 0);
    const bad1 = await RawClient.connect(port);
    bad1.socket.write(new Uint8Array([0x05, 0x00, 0x01, 0x00])); // PktSize 5 < 16
    await bad1.whenClosed;
    const bad2 = await RawClient.connect(port);
    assert.equal(await bad2.logon('TESTUSER01'), 0);
    const garbage = encodePacket(0, 0n, [{ msgType: 40, securityCode: 1, nominalPrice: 1 }]); // not a request
    bad2.socket.write(garbage);
    await bad2.whenClosed;
    const bad3 = await RawClient.connect(port);
    bad3.send({ msgType: 201, channelId: 21, beginSeqNum: 60, endSeqNum: 61 }); // request before logon
    await bad3.whenClosed;
    const bad4 = await RawClient.connect(port);
    const lying = encodePacket(0, 0n, [{ msgType: 101, username: 'X' }]);
    lying[2] = 3; // MsgCount 3 with one message
    bad4.socket.write(lying);
    await bad4.whenClosed;
    assert.equal((await good.request(21, 60, 62)).status, 0, 'the other session is unaffected');
    assert.equal(await (await RawClient.connect(port)).logon('TESTUSER01'), 0, 'a dropped session frees its username');
    await good.close();
  });
});

describe('OmdPublisher RTS endpoints', () => {
  it('serves the published channel window on both endpoints of its site and reports events', async () => {
    const cfg = loopbackFeed({ products: ['SS'], groupBase: 202, basePort: 53200, rtsPorts: [0, 0, 0, 0] });
    const clock = new ManualClock();
    const pub = new OmdPublisher(cfg, { clock, refreshIntervalMs: 0, rts: { users: ['TESTUSER01'], windowSize: 1_000 } });
    const events: Array<[string, unknown]> = [];
    pub.on('rts-logon', (e) => events.push(['logon', e.status]));
    pub.on('rts-request', (e) => events.push(['request', [e.channelId, e.beginSeqNum, e.endSeqNum, e.status, e.site]]));
    await pub.start();
    try {
      assert.equal(pub.rtsEndpoints.length, 2);
      assert.ok(pub.rtsEndpoints.every((e) => e.site === 'primary' && e.port > 0));
      pub.publish(
        1,
        Array.from({ length: 50 }, (_, i): OmdMessage => ({ msgType: 40, securityCode: i + 1, nominalPrice: i })),
      );
      const c = await RawClient.connect(pub.rtsEndpoints[1]!.port);
      assert.equal(await c.logon('TESTUSER01'), 0);
      const r = await c.request(1, 1, 51);
      assert.equal(r.status, 0);
      assert.deepEqual(r.data.flatMap((p) => p.messages)[0], { msgType: 100, newSeqNo: 1 });
      assert.equal(
        r.data.reduce((s, p) => s + p.header.msgCount, 0),
        51,
      );
      assert.equal((await c.request(1, 1, 52)).status, 2);
      assert.deepEqual(events, [
        ['logon', 0],
        ['request', [1, 1, 51, 0, 'primary']],
        ['request', [1, 1, 52, 2, 'primary']],
      ]);
      await c.close();
    } finally {
      await pub.stop();
    }
  });
});

describe('RetransmissionServer shutdown', () => {
  it('close() ends a refused client that keeps its half of the socket open', { timeout: 10_000 }, async () => {
    const srv = new RetransmissionServer({ users: ['TESTUSER01'], windowFor: () => undefined, clock: new ManualClock() });
    const port = await srv.listen('127.0.0.1', 0);
    const sock = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    sock.on('error', () => {});
    sock.resume();
    await new Promise<void>((resolve) => sock.once('connect', () => resolve()));
    sock.write(encodePacket(0, 0n, [{ msgType: 101, username: 'NOBODY' }]));
    await new Promise<void>((resolve) => sock.once('end', () => resolve())); // rejected: the server ended its half
    assert.equal(srv.connections, 1, 'the half-open connection is still there');
    const gone = new Promise<void>((resolve) => srv.once('rts-disconnect', () => resolve()));
    await srv.close(); // hung for ever before: the server waited for the client's half
    await gone;
    assert.equal(srv.connections, 0);
    sock.destroy();
  });
});

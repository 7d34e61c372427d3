// RetransmissionClient against fake TCP servers (spec/omd-c.md §3.4, §4.4, TV6): every
// Logon/Retransmission status, range limits, endpoint failover, heartbeat echo.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { RetransmissionClient, type RtsRecoveryResult } from '../../src/omd/rts-client.ts';
import { encodePacket, PacketStreamReader, decodePacket, encodeHeartbeat } from '../../src/omd/index.ts';
import type { OmdMessage, RtsEndpoint } from '../../src/omd/index.ts';
import { waitFor } from '../helpers/wait.ts';

interface Req {
  channelId: number;
  begin: number;
  end: number;
}

interface FakeBehaviour {
  /** SessionStatus for the logon; default 0. */
  logonStatus?: number;
  /** Never answer anything (a dead endpoint that still accepts TCP). */
  silent?: boolean;
  /** RetransStatus for a request; default 0. */
  status?: (r: Req) => number;
  /** Packets (first SN, count) to send for an accepted request; default one packet per 3 messages. */
  grouping?: number;
  /** Drop the connection after sending this many data packets of the first accepted request. */
  dropAfterPackets?: number;
}

interface FakeRts {
  endpoint: RtsEndpoint;
  logons: string[];
  requests: Req[];
  raw: Buffer[];
  sockets: net.Socket[];
  close(): Promise<void>;
}

const open: FakeRts[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

const msg = (sn: number): OmdMessage => ({ msgType: 51, securityCode: 7, tradeId: sn });

async function fakeRts(b: FakeBehaviour = {}, site: 'primary' | 'backup' = 'primary'): Promise<FakeRts> {
  const f: FakeRts = { endpoint: { host: '127.0.0.1', port: 0, site }, logons: [], requests: [], raw: [], sockets: [], close: async () => {} };
  let dropped = false;
  const server = net.createServer((sock) => {
    f.sockets.push(sock);
    const reader = new PacketStreamReader();
    sock.on('error', () => {});
    sock.on('data', (chunk) => {
      for (const pkt of reader.push(chunk)) {
        f.raw.push(Buffer.from(pkt));
        if (b.silent) continue;
        const d = decodePacket(pkt);
        if (!d.ok || d.messages.length === 0) continue;
        const m = d.messages[0]!;
        if (m.msgType === 101) {
          f.logons.push(m.username);
          const st = b.logonStatus ?? 0;
          sock.write(encodePacket(0, 0n, [{ msgType: 102, sessionStatus: st }]));
          if (st !== 0) sock.end();
        } else if (m.msgType === 201) {
          const r = { channelId: m.channelId, begin: m.beginSeqNum, end: m.endSeqNum };
          f.requests.push(r);
          const st = b.status?.(r) ?? 0;
          sock.write(encodePacket(0, 0n, [{ msgType: 202, channelId: r.channelId, retransStatus: st, beginSeqNum: r.begin, endSeqNum: r.end }]));
          if (st === 101) {
            sock.end();
            continue;
          }
          if (st !== 0) continue;
          const g = b.grouping ?? 3;
          let sent = 0;
          for (let sn = r.begin; sn <= r.end; sn += g) {
            if (b.dropAfterPackets !== undefined && !dropped && sent === b.dropAfterPackets) {
              dropped = true;
              sock.destroy();
              return;
            }
            const n = Math.min(g, r.end - sn + 1);
            sock.write(
              encodePacket(
                sn,
                0n,
                Array.from({ length: n }, (_, i) => msg(sn + i)),
              ),
            );
            sent++;
          }
        }
      }
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  f.endpoint.port = (server.address() as net.AddressInfo).port;
  f.close = () =>
    new Promise<void>((res) => {
      for (const s of f.sockets) s.destroy();
      server.close(() => res());
    });
  open.push(f);
  return f;
}

function client(endpoints: RtsEndpoint[], extra: Partial<ConstructorParameters<typeof RetransmissionClient>[0]> = {}) {
  const got: { channelId: number; seq: number; n: number }[] = [];
  const sns: number[] = [];
  const c = new RetransmissionClient({
    endpoints,
    username: 'TESTUSER01',
    responseTimeoutMs: 150,
    onPacket: (channelId, seq, messages) => {
      got.push({ channelId, seq, n: messages.length });
      messages.forEach((mm, i) => {
        if (mm.msgType === 51) {
          assert.equal(mm.tradeId, seq + i);
          sns.push(seq + i);
        }
      });
    },
    ...extra,
  });
  return { c, got, sns };
}

describe('RetransmissionClient: session and accepted request (OMD-C 3.5)', () => {
  it('logs on with TV6 bytes, requests the range (TV6) and delivers the data in order', async () => {
    const s = await fakeRts();
    const { c, sns } = client([s.endpoint]);
    const r = await c.recover(21, 1001, 1100);
    assert.deepEqual(r, { outcome: 'recovered', requests: 1, messages: 100 } satisfies RtsRecoveryResult);
    assert.equal(s.raw[0]!.toString('hex'), '20000100000000000000000000000000' + '1000650054455354555345523031' + '0000');
    assert.equal(s.raw[1]!.toString('hex'), '200001000000000000000000000000001000c90015000000e90300004c040000');
    assert.deepEqual(
      sns,
      Array.from({ length: 100 }, (_, i) => 1001 + i),
    );
    await c.close();
  });

  it('splits a range wider than maxRange into requests of at most maxRange (OMD-C 4.3)', async () => {
    const s = await fakeRts();
    const { c } = client([s.endpoint], { maxRange: 10 });
    const r = await c.recover(3, 1, 25);
    assert.equal(r.outcome, 'recovered');
    assert.deepEqual(
      s.requests.map((q) => [q.begin, q.end]),
      [
        [1, 10],
        [11, 20],
        [21, 25],
      ],
    );
    assert.equal(c.requestsSent, 3);
    await c.close();
  });

  it('answers the server heartbeat with an exact byte copy (§12 U4)', async () => {
    const s = await fakeRts();
    const { c } = client([s.endpoint]);
    await c.recover(1, 1, 3);
    const hb = encodeHeartbeat(77, 1767922200000000000n);
    s.sockets[0]!.write(hb);
    await waitFor('the echoed heartbeat', () => s.raw.some((p) => p.length === 16));
    assert.deepEqual(
      s.raw.find((p) => p.length === 16),
      Buffer.from(hb),
    );
    await c.close();
  });

  it('a 40-byte frame with MsgCount 0 is no heartbeat: not echoed, a BAD_HEARTBEAT decode error (OMD-C 3.4.1)', async () => {
    const s = await fakeRts();
    const { c } = client([s.endpoint]);
    const errors: string[] = [];
    c.on('decode-error', (e: { code: string }) => errors.push(e.code));
    await c.recover(1, 1, 3);
    const sent = s.raw.length;
    const bad = new Uint8Array(40);
    bad[0] = 40;
    bad[4] = 77; // PktSize 40, MsgCount 0, SeqNum 77
    s.sockets[0]!.write(bad);
    const hb = encodeHeartbeat(78, 1767922200000000000n);
    s.sockets[0]!.write(hb); // a real one after it, to know the client has read both
    await waitFor('the echo of the real heartbeat', () => s.raw.length > sent);
    assert.deepEqual(errors, ['BAD_HEARTBEAT']);
    assert.deepEqual(s.raw.slice(sent), [Buffer.from(hb)], 'only the real heartbeat echoed');
    await c.close();
  });
});

describe('RetransmissionClient: RetransStatus handling (OMD-C 3.5.4, HKEX Figure 6)', () => {
  it('100 range too large: narrows the range and retries until accepted', async () => {
    const s = await fakeRts({ status: (r) => (r.end - r.begin + 1 > 4 ? 100 : 0) });
    const { c, sns } = client([s.endpoint], { maxRange: 10 });
    const r = await c.recover(2, 100, 111);
    assert.equal(r.outcome, 'recovered');
    assert.deepEqual(
      s.requests.map((q) => [q.begin, q.end]),
      [
        [100, 109],
        [100, 104],
        [100, 101],
        [102, 103],
        [104, 105],
        [106, 107],
        [108, 109],
        [110, 111],
      ],
    );
    assert.equal(c.maxRange, 2);
    assert.deepEqual(
      sns,
      Array.from({ length: 12 }, (_, i) => 100 + i),
    );
    await c.close();
  });

  it('1 unknown channel: gives up with unknown-channel', async () => {
    const s = await fakeRts({ status: () => 1 });
    const { c } = client([s.endpoint]);
    assert.equal((await c.recover(99, 1, 5)).outcome, 'unknown-channel');
    await c.close();
  });

  it('2 not available: gives up with not-available (caller refreshes)', async () => {
    const s = await fakeRts({ status: () => 2 });
    const { c } = client([s.endpoint]);
    assert.equal((await c.recover(1, 1, 5)).outcome, 'not-available');
    await c.close();
  });

  it('101 daily quota: gives up and asks nothing more today', async () => {
    const s = await fakeRts({ status: () => 101 });
    const { c } = client([s.endpoint]);
    assert.equal((await c.recover(1, 1, 5)).outcome, 'quota-exceeded');
    assert.equal(c.quotaExhausted, true);
    assert.equal((await c.recover(1, 6, 8)).outcome, 'quota-exceeded');
    assert.equal(s.requests.length, 1);
    await c.close();
  });

  it('stops at its own daily count before the server has to refuse', async () => {
    const s = await fakeRts();
    const { c } = client([s.endpoint], { maxRange: 5, maxRequestsPerDay: 2 });
    const r = await c.recover(1, 1, 15);
    assert.equal(r.outcome, 'quota-exceeded');
    assert.equal(s.requests.length, 2);
    await c.close();
  });
});

describe('RetransmissionClient: endpoints (OMD-C 4.3 high availability)', () => {
  it('Logon 5 (invalid user) on one endpoint: moves to the next one', async () => {
    const bad = await fakeRts({ logonStatus: 5 });
    const good = await fakeRts();
    const { c } = client([bad.endpoint, good.endpoint]);
    assert.equal((await c.recover(1, 1, 3)).outcome, 'recovered');
    assert.deepEqual([bad.logons.length, good.logons.length, good.requests.length], [1, 1, 1]);
    await c.close();
  });

  it('Logon 100 (already connected) everywhere: no-endpoint', async () => {
    const a = await fakeRts({ logonStatus: 100 });
    const b = await fakeRts({ logonStatus: 100 });
    const { c } = client([a.endpoint, b.endpoint]);
    assert.equal((await c.recover(1, 1, 3)).outcome, 'no-endpoint');
    await c.close();
  });

  it('an endpoint that does not answer is left for another after the timeout; never two at once', async () => {
    const dead = await fakeRts({ silent: true });
    const good = await fakeRts();
    const { c } = client([dead.endpoint, good.endpoint], { responseTimeoutMs: 100 });
    assert.equal((await c.recover(1, 1, 3)).outcome, 'recovered');
    assert.equal(dead.requests.length, 0);
    assert.equal(good.requests.length, 1);
    assert.equal(dead.sockets[0]!.destroyed || dead.sockets[0]!.readableEnded, true, 'the dead session was closed first');
    await c.close();
  });

  it('a connection dropped in the middle of the data: the request is repeated on the next endpoint', async () => {
    const flaky = await fakeRts({ dropAfterPackets: 2, grouping: 2 });
    const good = await fakeRts();
    const { c, sns } = client([flaky.endpoint, good.endpoint]);
    const r = await c.recover(1, 1, 10);
    assert.equal(r.outcome, 'recovered');
    assert.deepEqual(
      good.requests.map((q) => [q.begin, q.end]),
      [[1, 10]],
    );
    assert.deepEqual(sns.slice(0, 4), [1, 2, 3, 4]);
    assert.deepEqual(
      sns.slice(4),
      Array.from({ length: 10 }, (_, i) => 1 + i),
      'the repeat delivers the range again (the arbitrator drops copies)',
    );
    await c.close();
  });

  it('preferSite("backup") moves the next request to a backup endpoint (§12 U16)', async () => {
    const p = await fakeRts({}, 'primary');
    const b = await fakeRts({}, 'backup');
    const { c } = client([p.endpoint, b.endpoint]);
    await c.recover(1, 1, 3);
    assert.equal(c.connectedEndpoint?.site, 'primary');
    c.preferSite('backup');
    await c.recover(1, 4, 6);
    assert.equal(c.connectedEndpoint?.site, 'backup');
    assert.deepEqual([p.requests.length, b.requests.length], [1, 1]);
    await c.close();
  });
});

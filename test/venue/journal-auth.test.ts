// The journal link's authentication: each side proves the venue's secret over a nonce the other
// chose for this connection (no replay of a recorded snapshot or challenge), nothing from an
// unproven receiver counts (Fence, Ack), and mutual TLS when the venue config has `tls`.
import { describe, it, before, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import { JournalGate, JournalReceiver, JournalRecordReader, JournalRecordType, JournalSender, encodeRecord, journalProof } from '../../src/venue/index.ts';
import type { JournalRecordTypeCode, JournalTls, SiteSnapshot } from '../../src/venue/index.ts';
import { ManualClock } from '../../src/wire/index.ts';
import { makeTestPki } from '../helpers/tls.ts';
import type { TestPki } from '../helpers/tls.ts';
import { waitFor } from './site-harness.ts';

const SECRET = 'journal-secret-for-tests-0123456789';
const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** A hand-driven end of a journal link: writes records, collects what it receives. */
class RawPeer {
  readonly got: Array<{ type: number; body: unknown }> = [];
  readonly #reader = new JournalRecordReader();
  closed = false;
  readonly socket: net.Socket;
  constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (c: Buffer) => {
      this.#reader.push(c);
      for (let r = this.#reader.next(); r !== null; r = this.#reader.next()) if (!(r instanceof Error)) this.got.push(r);
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
    });
  }
  send(type: JournalRecordTypeCode, body: unknown): void {
    this.socket.write(encodeRecord(type, body));
  }
  async next(type: number): Promise<Record<string, unknown>> {
    await waitFor(`record ${type}`, () => this.got.some((r) => r.type === type) || this.closed);
    const r = this.got.find((x) => x.type === type);
    assert.ok(r, `record ${type} before the link closed`);
    return r.body as Record<string, unknown>;
  }
}

function receiver(opts: { tls?: JournalTls; snapshots: number[] }): JournalReceiver {
  const r = new JournalReceiver({
    host: '127.0.0.1',
    port: 0,
    clock: new ManualClock(),
    heartbeatMs: 1_000,
    timeoutMs: 5_000,
    onSnapshot: (_s, seq) => opts.snapshots.push(seq),
    onEntry: () => {},
    policy: () => 'accept',
    generation: () => 1,
    secret: SECRET,
    ...(opts.tls ? { tls: opts.tls } : {}),
  });
  cleanup.push(() => r.close());
  return r;
}

function sender(port: number, o: { tls?: JournalTls; fenced?: number[]; snapshots?: { n: number } } = {}): JournalSender {
  const s: JournalSender = new JournalSender({
    peer: { host: '127.0.0.1', port },
    clock: new ManualClock(),
    heartbeatMs: 1_000,
    timeoutMs: 5_000,
    standbyWaitMs: 60_000,
    gate: new JournalGate(() => s.seq),
    snapshot: () => {
      if (o.snapshots) o.snapshots.n++;
      return {} as SiteSnapshot;
    },
    secret: SECRET,
    generation: () => 1,
    onFenced: (g) => o.fenced?.push(g),
    ...(o.tls ? { tls: o.tls } : {}),
  });
  cleanup.push(() => s.stop());
  return s;
}

describe('journal link authentication', () => {
  it("the receiver proves the secret over the sender's nonce, and accepts a snapshot proved over its own fresh nonce only once", async () => {
    const snapshots: number[] = [];
    const r = receiver({ snapshots });
    const port = await r.listen();
    const a = new RawPeer(net.connect({ host: '127.0.0.1', port }));
    cleanup.push(() => a.socket.destroy());
    a.send(JournalRecordType.Hello, { nonce: 'a'.repeat(64) });
    const ch1 = await a.next(JournalRecordType.Challenge);
    assert.equal(ch1['proof'], journalProof(SECRET, 'receiver', 'a'.repeat(64)));
    assert.equal(typeof ch1['nonce'], 'string');
    const recorded = { seq: 7, generation: 1, proof: journalProof(SECRET, 'sender', ch1['nonce'] as string), state: {} };
    a.send(JournalRecordType.Snapshot, recorded);
    assert.deepEqual(await a.next(JournalRecordType.Ack), { seq: 7 });
    assert.deepEqual(snapshots, [7]);

    // The same snapshot replayed on a new link: the receiver chose another nonce, the proof fails.
    const b = new RawPeer(net.connect({ host: '127.0.0.1', port }));
    cleanup.push(() => b.socket.destroy());
    b.send(JournalRecordType.Hello, { nonce: 'b'.repeat(64) });
    const ch2 = await b.next(JournalRecordType.Challenge);
    assert.notEqual(ch2['nonce'], ch1['nonce']);
    b.send(JournalRecordType.Snapshot, recorded);
    await waitFor('replay refused', () => b.closed);
    assert.deepEqual(snapshots, [7], 'the replayed snapshot was not applied');
    assert.equal(r.connected, true, 'and it did not cut the real link');

    // A snapshot without a Hello first (the old fixed-hash form) is refused too.
    const c = new RawPeer(net.connect({ host: '127.0.0.1', port }));
    cleanup.push(() => c.socket.destroy());
    c.send(JournalRecordType.Snapshot, { seq: 9, generation: 1, proof: recorded.proof, state: {} });
    await waitFor('no hello refused', () => c.closed);
    assert.deepEqual(snapshots, [7]);
  });

  it('a sender ignores a receiver that cannot prove the secret: its Fence fences nothing, its Ack releases nothing, no snapshot is sent', async () => {
    const peers: RawPeer[] = [];
    const server = net.createServer((s) => {
      const p = new RawPeer(s);
      peers.push(p);
      // A forged receiver: fences and acknowledges without the Challenge it cannot prove.
      p.send(JournalRecordType.Fence, { generation: 99 });
      p.send(JournalRecordType.Ack, { seq: 100 });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanup.push(() => new Promise((r) => server.close(r)));
    const fenced: number[] = [];
    const snapshots = { n: 0 };
    const s = sender((server.address() as net.AddressInfo).port, { fenced, snapshots });
    s.start();
    await waitFor('forged link dropped', () => peers.length === 1 && peers[0]!.closed);
    assert.deepEqual(fenced, []);
    assert.equal(s.ackedSeq, 0);
    assert.equal(snapshots.n, 0, 'no snapshot for an unproven receiver');
    assert.equal(peers[0]!.got.length, 1, 'it only got the Hello');
    assert.equal(peers[0]!.got[0]!.type, JournalRecordType.Hello);

    // A receiver that answers the Hello with a wrong proof (another secret): dropped the same way.
    const liar = net.createServer((sock) => {
      const p = new RawPeer(sock);
      peers.push(p);
      void p
        .next(JournalRecordType.Hello)
        .then((h) =>
          p.send(JournalRecordType.Challenge, { proof: journalProof('not-the-secret-at-all', 'receiver', h['nonce'] as string), nonce: 'c'.repeat(64) }),
        );
    });
    liar.listen(0, '127.0.0.1');
    await once(liar, 'listening');
    cleanup.push(() => new Promise((r) => liar.close(r)));
    const s2 = sender((liar.address() as net.AddressInfo).port, { fenced, snapshots });
    s2.start();
    await waitFor('liar dropped', () => peers.length === 2 && peers[1]!.closed);
    assert.equal(snapshots.n, 0);
    assert.equal(peers[1]!.got.filter((r) => r.type === JournalRecordType.Snapshot).length, 0);
  });

  it('a real sender and receiver with the same secret link up; with different secrets they never do', async () => {
    const snapshots: number[] = [];
    const r = receiver({ snapshots });
    const port = await r.listen();
    const s = sender(port);
    s.start();
    await waitFor('linked', () => s.connected && r.connected && s.ackedSeq === 0 && snapshots.length === 1);
    assert.equal(snapshots[0], 0);
  });
});

describe('journal link over mutual TLS', () => {
  let pki: TestPki;
  before(() => {
    pki = makeTestPki();
  });

  it("links with certificates from the venue CA; a sender without TLS or with a stranger's certificate never gets a snapshot in", async () => {
    const snapshots: number[] = [];
    const venueTls = { cert: pki.cert, key: pki.key, ca: pki.ca };
    const r = receiver({ tls: venueTls, snapshots });
    const port = await r.listen();

    const plain = sender(port, { snapshots: { n: 0 } });
    plain.start();
    const stranger = sender(port, { tls: { cert: pki.strangerCert, key: pki.strangerKey, ca: pki.ca } });
    stranger.start();
    // The stranger's TLS client refuses nothing on its side (it trusts the venue CA), the receiver refuses it.
    const probe = tls.connect({ host: '127.0.0.1', port, cert: pki.strangerCert, key: pki.strangerKey, ca: pki.ca });
    probe.on('error', () => {});
    await new Promise<void>((resolve) => {
      probe.once('close', () => resolve());
      probe.once('secureConnect', () => {
        probe.write(encodeRecord(JournalRecordType.Hello, { nonce: 'd'.repeat(64) }));
      });
    });
    assert.deepEqual(snapshots, []);

    const good = sender(port, { tls: venueTls });
    good.start();
    await waitFor('TLS link up', () => good.connected && r.connected && snapshots.length === 1);
    assert.equal(plain.connected, false);
    assert.equal(stranger.connected, false);
  });
});

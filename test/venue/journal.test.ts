// The hot-standby journal (journal.ts): record framing with binary blobs, bad input from the
// network, the reply gate, and the resync of a standby after its link dropped (full snapshot, then
// incremental entries).
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { EventEmitter } from 'node:events';
import { Side } from '../../src/ocg/index.ts';
import { JournalGate, JournalRecordReader, JournalRecordType, JournalSender, encodeRecord, journalProof } from '../../src/venue/index.ts';
import type { SiteSnapshot } from '../../src/venue/index.ts';
import { ManualClock } from '../../src/wire/index.ts';
import { waitFor, venueWithClient } from './site-harness.ts';

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe('journal records', () => {
  it('round-trip JSON with binary blobs, through arbitrary chunking', () => {
    const frame = new Uint8Array([2, 0xff, 0, 7, 9]);
    const body = { t: 'sent', service: 'OTP-C', compId: 'F001T', seq: 7, frame, nested: { list: [new Uint8Array([1]), new Uint8Array(0)] } };
    const a = encodeRecord(JournalRecordType.Entry, body);
    const b = encodeRecord(JournalRecordType.Ack, { seq: 42 });
    const c = encodeRecord(JournalRecordType.Heartbeat, undefined);
    const all = Buffer.concat([a, b, c]);
    for (const step of [1, 3, 7, all.length]) {
      const r = new JournalRecordReader();
      const got: Array<{ type: number; body: unknown }> = [];
      for (let i = 0; i < all.length; i += step) {
        r.push(all.subarray(i, i + step));
        for (let x = r.next(); x !== null; x = r.next()) {
          assert.ok(!(x instanceof Error));
          got.push(x);
        }
      }
      assert.equal(got.length, 3);
      assert.equal(got[0]!.type, JournalRecordType.Entry);
      const e = got[0]!.body as typeof body;
      assert.deepEqual([...e.frame], [...frame]);
      assert.deepEqual([...e.nested.list[0]!], [1]);
      assert.equal(e.nested.list[1]!.length, 0);
      assert.deepEqual(got[1], { type: JournalRecordType.Ack, body: { seq: 42 } });
      assert.deepEqual(got[2], { type: JournalRecordType.Heartbeat, body: undefined });
    }
  });

  it('a record larger than many socket chunks (a snapshot of thousands of sessions) arrives whole, with what follows it', () => {
    const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => i & 0xff);
    const all = Buffer.concat([
      encodeRecord(JournalRecordType.Snapshot, { seq: 9, frames: [big, new Uint8Array([5])] }),
      encodeRecord(JournalRecordType.Ack, { seq: 10 }),
    ]);
    const r = new JournalRecordReader();
    const got: Array<{ type: number; body: unknown }> = [];
    for (let i = 0; i < all.length; i += 65_536) {
      r.push(all.subarray(i, i + 65_536));
      for (let x = r.next(); x !== null; x = r.next()) {
        assert.ok(!(x instanceof Error));
        got.push(x);
      }
    }
    assert.equal(got.length, 2);
    const snap = got[0]!.body as { seq: number; frames: Uint8Array[] };
    assert.equal(snap.seq, 9);
    assert.equal(snap.frames.length, 2);
    assert.ok(Buffer.from(snap.frames[0]!).equals(Buffer.from(big)));
    assert.deepEqual([...snap.frames[1]!], [5]);
    assert.deepEqual(got[1], { type: JournalRecordType.Ack, body: { seq: 10 } });
  });

  it('bad input is an Error value, never a throw', () => {
    const cases = [
      Buffer.from([0, 0, 0, 0]), // length 0
      Buffer.from([0xff, 0xff, 0xff, 0x7f]), // absurd length
      (() => {
        const b = encodeRecord(JournalRecordType.Entry, { a: 1 });
        b.write('#', 9);
        return b;
      })(), // broken JSON
      (() => {
        const b = encodeRecord(JournalRecordType.Entry, { f: new Uint8Array(4) });
        return b.subarray(0, b.length - 2);
      })(), // waits for more
      (() => {
        const b = Buffer.from(encodeRecord(JournalRecordType.Entry, { f: { $b: 3 } }));
        return b;
      })(), // missing blob
    ];
    const results = cases.map((buf) => {
      const r = new JournalRecordReader();
      r.push(buf);
      return r.next();
    });
    assert.ok(results[0] instanceof Error);
    assert.ok(results[1] instanceof Error);
    assert.ok(results[2] instanceof Error);
    assert.equal(results[3], null);
    assert.ok(results[4] instanceof Error);
  });
});

/** Enough of a net.Socket for the gate. */
class FakeSocket extends EventEmitter {
  written: string[] = [];
  destroyed = false;
  corks = 0;
  write(b: Uint8Array): boolean {
    this.written.push(Buffer.from(b).toString());
    return true;
  }
  end(): void {
    this.written.push('<end>');
  }
  cork(): void {
    this.corks++;
  }
  uncork(): void {}
}

/** The gate's writes leave on the next tick (one write per socket per turn). */
const tick = (): Promise<void> => new Promise((r) => process.nextTick(r));

describe('JournalGate (replies wait for the standby)', () => {
  it('holds frames until the journal position they were written at is acknowledged, in order, end last', async () => {
    let pos = 0;
    const gate = new JournalGate(() => pos);
    const s = new FakeSocket() as unknown as net.Socket;
    const w = (s as unknown as FakeSocket).written;
    gate.write(s, Buffer.from('a')); // position 0: nothing to wait for
    await tick();
    assert.deepEqual(w, ['a']);
    pos = 3;
    gate.write(s, Buffer.from('b'));
    pos = 5;
    gate.write(s, Buffer.from('c'));
    gate.end(s);
    await tick();
    assert.deepEqual(w, ['a']);
    assert.equal(gate.held, 3);
    gate.release(4);
    await tick();
    assert.deepEqual(w, ['a', 'b']);
    gate.release(5);
    assert.deepEqual(w, ['a', 'b', 'c', '<end>'], 'the end goes out at once, after what it follows');
    assert.equal(gate.held, 0);
  });

  it('a frame behind a held one waits too (per-socket order), and open() lets everything out', async () => {
    let pos = 2;
    const gate = new JournalGate(() => pos);
    const s = new FakeSocket() as unknown as net.Socket;
    gate.write(s, Buffer.from('x'));
    pos = 2;
    gate.release(2);
    pos = 9;
    gate.write(s, Buffer.from('y'));
    gate.release(1); // older ack: nothing
    await tick();
    assert.deepEqual((s as unknown as FakeSocket).written, ['x']);
    gate.setOpen(true);
    await tick();
    assert.deepEqual((s as unknown as FakeSocket).written, ['x', 'y']);
  });

  it("a socket's frames of one turn leave in one write; another socket's stay apart and in order", async () => {
    const gate = new JournalGate(() => 0);
    gate.setOpen(true);
    const s = new FakeSocket() as unknown as net.Socket;
    const t = new FakeSocket() as unknown as net.Socket;
    gate.write(s, Buffer.from('logon;'));
    gate.write(s, Buffer.from('er1;'));
    gate.write(t, Buffer.from('other;'));
    gate.write(s, Buffer.from('er2;'));
    assert.deepEqual((s as unknown as FakeSocket).written, ['logon;er1;'], 'writing to another socket sends what was pending');
    await tick();
    assert.deepEqual((s as unknown as FakeSocket).written, ['logon;er1;', 'er2;']);
    assert.deepEqual((t as unknown as FakeSocket).written, ['other;']);
  });
});

describe('JournalGate evidence timing', () => {
  it('afterRelease runs when what was written before it is released, in order; discard drops it', () => {
    let pos = 0;
    const gate = new JournalGate(() => pos);
    const seen: string[] = [];
    gate.afterRelease(() => seen.push('now'));
    pos = 2;
    gate.afterRelease(() => seen.push('a'));
    pos = 3;
    gate.afterRelease(() => seen.push('b'));
    assert.deepEqual(seen, ['now']);
    gate.release(2);
    assert.deepEqual(seen, ['now', 'a']);
    gate.discard();
    gate.release(3);
    assert.deepEqual(seen, ['now', 'a'], 'a site killed before the release never sent it');
  });
});

describe('journal link to a peer that refuses it', () => {
  it('each attempt builds a full snapshot: after a link that ended unacknowledged the next waits twice as long, up to the link timeout', async () => {
    // An isolated old site: proves the secret, takes the snapshot, then drops the link unacknowledged.
    const server = net.createServer((c) => {
      const reader = new JournalRecordReader();
      c.on('error', () => {});
      c.on('data', (chunk: Buffer) => {
        reader.push(chunk);
        for (let r = reader.next(); r !== null; r = reader.next()) {
          if (r instanceof Error) return void c.destroy();
          if (r.type === JournalRecordType.Hello)
            c.write(
              encodeRecord(JournalRecordType.Challenge, {
                proof: journalProof('test', 'receiver', (r.body as { nonce: string }).nonce),
                nonce: 'e'.repeat(64),
              }),
            );
          if (r.type === JournalRecordType.Snapshot) c.destroy();
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => server.close(r)));
    const clock = new ManualClock();
    const links: net.Socket[] = [];
    let snapshots = 0;
    const sender: JournalSender = new JournalSender({
      peer: { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port },
      clock,
      heartbeatMs: 100,
      timeoutMs: 400,
      standbyWaitMs: 5_000,
      gate: new JournalGate(() => sender.seq),
      snapshot: () => {
        snapshots++;
        return {} as SiteSnapshot;
      },
      secret: 'test',
      generation: () => 1,
      onFenced: () => {},
      onSocket: (s) => links.push(s),
    });
    cleanup.push(() => sender.stop());
    const refused = (n: number) => waitFor(`link ${n} refused`, () => links.length === n && links[n - 1]!.closed && snapshots === n);
    sender.start();
    await refused(1);
    // Waits after each refused link: 100, 200, 400, then 400 (the link timeout) ms; ticks every 100.
    const attemptsAt: number[] = [];
    for (let t = 100; t <= 1_500; t += 100) {
      const before = links.length;
      clock.advance(100);
      if (links.length > before) {
        attemptsAt.push(t);
        await refused(links.length);
      }
    }
    assert.deepEqual(attemptsAt, [100, 300, 700, 1_100, 1_500]);
    assert.equal(snapshots, 6);
  });
});

describe('standby resync', () => {
  it('after the journal link drops, the standby gets a full snapshot then entries: same engine, sessions and feed numbers', async () => {
    const { cfg, v, a } = await venueWithClient(cleanup);
    for (let i = 0; i < 20; i++) await a.c.newOrder({ securityId: '700', side: Side.Buy, quantity: 100, price: '395.6' });
    // Garbage on the replication port: the receiver drops that link, nothing crashes.
    await new Promise<void>((resolve) => {
      const s = net.connect({ host: cfg.sites.backup.host, port: cfg.sites.backup.replication }, () => s.end(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3])));
      s.on('error', () => resolve());
      s.on('close', () => resolve());
    });
    // An order after the stray connection still reaches the standby over the same link.
    const after = await a.c.newOrder({ securityId: '700', side: Side.Buy, quantity: 100, price: '395.6' });
    await waitFor('standby has the order', () => v.backup.engine('OTP-C').order(after.orderId!) !== undefined);
    assert.equal(v.backup.status().replication.connected, true, 'a stray connection does not cut the journal link');
    v.backup.injectFault({ kind: 'tcp-reset' }); // the standby's end of the link reset: resync
    assert.equal(v.backup.state, 'standby');
    for (let i = 0; i < 20; i++) await a.c.newOrder({ securityId: '700', side: Side.Buy, quantity: 100, price: '395.4' });
    await waitFor('resynced', () => v.primary.status().replication.connected && v.backup.status().replication.connected);
    await waitFor('caught up', () => v.primary.status().replication.ackedSeq === v.primary.status().replication.lastSeq);
    assert.deepEqual(v.backup.engine('OTP-C').exportState(), v.primary.engine('OTP-C').exportState());
    assert.deepEqual(v.backup.sessionNumbers('OTP-C', 'F001T'), v.primary.sessionNumbers('OTP-C', 'F001T'));
    assert.deepEqual(v.backup.sessionNumbers('OTP-C', 'F001D'), v.primary.sessionNumbers('OTP-C', 'F001D'), 'drop copy numbers too');
    // Feeds: the market keeps flowing, so compare within one synchronous look after the link is idle.
    await waitFor(
      'feed numbers equal',
      () =>
        v.primary.status().replication.ackedSeq === v.primary.status().replication.lastSeq &&
        [1, 2, 3].every((ch) => v.backup.shadowNextSeq('OMD-C', ch) === v.primary.publisher('OMD-C').nextSeq(ch)),
    );
  });
});

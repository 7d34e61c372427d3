import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { createMulticastSender, SharedMulticastReceivers } from '../../src/wire/index.ts';
import { waitFor } from '../helpers/wait.ts';

describe('SharedMulticastReceivers', () => {
  it('opens one socket per group for many listeners, each listener getting every datagram', async () => {
    const joins: string[] = [];
    const proto = dgram.Socket.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
    const origJoin = proto.addMembership!;
    proto.addMembership = function (this: unknown, ...a: unknown[]) {
      joins.push(`${a[0]}@${a[1]}`);
      return origJoin.apply(this, a);
    };
    const pool = new SharedMulticastReceivers();
    const a = { group: '239.255.78.1', port: 47011 };
    const b = { group: '239.255.78.2', port: 47011 };
    const got: string[][] = [[], [], []];
    try {
      const rx = await Promise.all([
        pool.join(a, (buf) => got[0]!.push(`a${buf[0]}`)),
        pool.join(a, (buf) => got[1]!.push(`a${buf[0]}`)),
        pool.join(b, (buf) => got[2]!.push(`b${buf[0]}`)),
      ]);
      assert.equal(rx.length, 3);
      assert.equal(pool.sockets, 2);
      assert.equal(pool.listeners(a), 2);
      assert.deepEqual(joins.sort(), ['239.255.78.1@127.0.0.1', '239.255.78.2@127.0.0.1']);
      const tx = await createMulticastSender();
      tx.send(Buffer.from([1]), a);
      tx.send(Buffer.from([2]), b);
      await waitFor('every listener to have its datagram', () => got.every((g) => g.length === 1));
      assert.deepEqual(got, [['a1'], ['a1'], ['b2']]);

      // One listener leaves: the socket stays for the other; closing twice is harmless.
      await rx[0]!.close();
      await rx[0]!.close();
      assert.equal(pool.listeners(a), 1);
      assert.equal(pool.sockets, 2);
      tx.send(Buffer.from([3]), a);
      await waitFor('the remaining listener to have the second datagram', () => got[1]!.length === 2);
      assert.deepEqual(got[0], ['a1'], 'a closed listener gets nothing more');
      assert.deepEqual(got[1], ['a1', 'a3']);

      // The last listener of a group leaves: its socket closes; a new join opens a fresh one.
      await rx[1]!.close();
      assert.equal(pool.sockets, 1);
      assert.equal(pool.listeners(a), 0);
      const again = await pool.join(a, (buf) => got[0]!.push(`again${buf[0]}`));
      assert.equal(pool.sockets, 2);
      tx.send(Buffer.from([4]), a);
      await waitFor('the new listener to have its datagram', () => got[0]!.length === 2);
      assert.deepEqual(got[0], ['a1', 'again4']);
      await again.close();
      await rx[2]!.close();
      await tx.close();
      assert.equal(pool.sockets, 0);
    } finally {
      proto.addMembership = origJoin;
    }
  });

  it('keeps the socket for a join still waiting for it when an earlier listener leaves at once', async () => {
    const pool = new SharedMulticastReceivers();
    const a = { group: '239.255.78.3', port: 47012 };
    const got: number[] = [];
    const first = await pool.join(a, () => {});
    // The second join has its socket but has not yet added its listener when the first leaves.
    const second = pool.join(a, (buf) => got.push(buf[0]!));
    await first.close();
    const rx = await second;
    assert.equal(pool.sockets, 1);
    const tx = await createMulticastSender();
    tx.send(Buffer.from([9]), a);
    await waitFor('the second listener to have its datagram', () => got.length === 1);
    assert.deepEqual(got, [9]);
    await rx.close();
    await tx.close();
    assert.equal(pool.sockets, 0);
  });
});

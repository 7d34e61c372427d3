import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { createMulticastSender, createMulticastReceiver, LOOPBACK_INTERFACE } from '../../src/wire/index.ts';

describe('multicast safety', () => {
  it('pins the sender to 127.0.0.1 before anything is sent, and the receiver joins on 127.0.0.1', async () => {
    const calls: string[] = [];
    const proto = dgram.Socket.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
    const origIf = proto.setMulticastInterface!;
    const origSend = proto.send!;
    const origJoin = proto.addMembership!;
    proto.setMulticastInterface = function (this: unknown, ...a: unknown[]) {
      calls.push(`if:${a[0]}`);
      return origIf.apply(this, a);
    };
    proto.send = function (this: unknown, ...a: unknown[]) {
      calls.push('send');
      return origSend.apply(this, a);
    };
    proto.addMembership = function (this: unknown, ...a: unknown[]) {
      calls.push(`join:${a[0]}@${a[1]}`);
      return origJoin.apply(this, a);
    };
    try {
      const dest = { group: '239.255.77.1', port: 47001 };
      const got: Buffer[] = [];
      const rx = await createMulticastReceiver(dest, (b) => got.push(b));
      const tx = await createMulticastSender();
      assert.equal(tx.interfaceAddress, LOOPBACK_INTERFACE);
      tx.send(Buffer.from([1, 2, 3]), dest);
      for (let i = 0; i < 50 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      await tx.close();
      await rx.close();
      assert.deepEqual(
        calls.filter((c) => c.startsWith('join')),
        ['join:239.255.77.1@127.0.0.1'],
      );
      const ifIdx = calls.indexOf('if:127.0.0.1');
      assert.ok(ifIdx >= 0, 'setMulticastInterface(127.0.0.1) was called');
      assert.ok(ifIdx < calls.indexOf('send'), 'interface pinned before the first send');
      assert.equal(got.length, 1);
      assert.deepEqual([...got[0]!], [1, 2, 3]);
    } finally {
      proto.setMulticastInterface = origIf;
      proto.send = origSend;
      proto.addMembership = origJoin;
    }
  });
});

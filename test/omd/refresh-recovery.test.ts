// Refresh client procedure (OMD-C 4.4, spec/omd-c.md §3.5, §12 U6) and sequencing of unknown MsgTypes (§2.2).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RefreshRecovery, type RefreshSnapshot } from '../../src/omd/refresh-recovery.ts';
import { decodeSequencedPacket, UNKNOWN_MESSAGE } from '../../src/omd/sequenced-packet.ts';
import { encodePacket, type OmdMessage } from '../../src/omd/index.ts';
import { order, orders, imageOf } from './fake-feed.ts';

const complete = (lastSeqNum: number): OmdMessage => ({ msgType: 203, lastSeqNum });

async function joined(k: number) {
  const snaps: RefreshSnapshot[] = [];
  const r = new RefreshRecovery({ endpoint: { group: `239.228.${k}.3`, port: 55450 + k }, onSnapshot: (s) => snaps.push(s) });
  await r.start();
  return { r, snaps };
}

describe('RefreshRecovery (OMD-C 4.4)', () => {
  it('discards until a Refresh Complete, applies up to the next one, hands over LastSeqNum', async () => {
    const { r, snaps } = await joined(1);
    try {
      r.onDatagram(encodePacket(100, 0n, [order(7), order(8)])); // joined mid-snapshot: discarded
      r.onDatagram(encodePacket(102, 0n, [order(9), complete(40)]));
      r.onDatagram(encodePacket(104, 0n, orders(2, 4)));
      r.onDatagram(encodePacket(107, 0n, [order(5), complete(55)]));
      assert.equal(snaps.length, 1);
      assert.equal(snaps[0]!.lastSeqNum, 55);
      assert.equal(snaps[0]!.messages, 4);
      assert.equal(snaps[0]!.image.digest('SF'), imageOf(orders(2, 5)).digest('SF'));
      assert.equal(r.active, false);
    } finally {
      await r.stop();
    }
  });

  it('a lost refresh packet abandons the snapshot; the next whole one is used', async () => {
    const { r, snaps } = await joined(2);
    try {
      r.onDatagram(encodePacket(1, 0n, [complete(10)]));
      r.onDatagram(encodePacket(2, 0n, orders(2, 3)));
      // refresh SN 4-5 lost
      r.onDatagram(encodePacket(6, 0n, [order(6), complete(12)]));
      assert.equal(snaps.length, 0);
      assert.equal(r.abandoned, 1);
      r.onDatagram(encodePacket(8, 0n, orders(2, 3)));
      r.onDatagram(encodePacket(10, 0n, [order(4), complete(14)]));
      assert.deepEqual(
        snaps.map((s) => s.lastSeqNum),
        [14],
      );
    } finally {
      await r.stop();
    }
  });

  it('§12 U6: refresh numbering that restarts at 1 after a Refresh Complete is accepted', async () => {
    const { r, snaps } = await joined(3);
    try {
      r.onDatagram(encodePacket(500, 0n, [complete(10)]));
      r.onDatagram(encodePacket(1, 0n, orders(2, 3)));
      r.onDatagram(encodePacket(3, 0n, [complete(11)]));
      assert.deepEqual(
        snaps.map((s) => s.lastSeqNum),
        [11],
      );
    } finally {
      await r.stop();
    }
  });

  it('heartbeats and undecodable packets do not break a snapshot… but bad packets abandon it', async () => {
    const { r, snaps } = await joined(4);
    try {
      r.onDatagram(encodePacket(1, 0n, [complete(10)]));
      r.onDatagram(encodePacket(1, 0n, [])); // heartbeat
      r.onDatagram(encodePacket(2, 0n, orders(2, 3)));
      r.onDatagram(new Uint8Array([9, 9, 9]));
      r.onDatagram(encodePacket(4, 0n, [complete(11)]));
      assert.equal(snaps.length, 0, 'the snapshot with a bad packet inside is not used');
      r.onDatagram(encodePacket(5, 0n, orders(2, 2)));
      r.onDatagram(encodePacket(6, 0n, [complete(12)]));
      assert.deepEqual(
        snaps.map((s) => s.lastSeqNum),
        [12],
      );
    } finally {
      await r.stop();
    }
  });
});

describe('decodeSequencedPacket (spec §2.2)', () => {
  it('an unknown MsgType keeps its sequence number as UNKNOWN_MESSAGE', () => {
    const a = encodePacket(41, 0n, [order(41)]);
    const c = encodePacket(43, 0n, [order(43)]);
    // Hand-made packet: message 41, an 8-byte message of MsgType 999, message 43.
    const body = [...a.subarray(16), 8, 0, 0xe7, 0x03, 1, 2, 3, 4, ...c.subarray(16)];
    const pkt = new Uint8Array(16 + body.length);
    pkt.set(a.subarray(0, 16));
    pkt[0] = pkt.length;
    pkt[1] = 0;
    pkt[2] = 3;
    pkt.set(body, 16);
    const d = decodeSequencedPacket(pkt);
    assert.ok(!('ok' in d));
    assert.equal(d.seq, 41);
    assert.equal(d.messages.length, 3);
    assert.equal(d.messages[1], UNKNOWN_MESSAGE);
    assert.deepEqual(d.messages[2], order(43));
    assert.equal(d.skippedUnknown, 1);
  });
});

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ManualClock } from '../../src/wire/index.ts';
import { OmdPublisher, PcapWriter, decodePacket, loopbackFeed, ethernetFrame } from '../../src/omd/index.ts';

interface Frame {
  tsSec: number;
  tsUsec: number;
  dstMac: number[];
  ipChecksumOk: boolean;
  ttl: number;
  protocol: number;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  udpLength: number;
  udpChecksumOk: boolean;
  payload: Uint8Array;
}

function sum16(b: Uint8Array, start: number, end: number, init = 0): number {
  let s = init;
  for (let i = start; i + 1 < end; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  if ((end - start) & 1) s += b[end - 1]! << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** A small classic-pcap reader: global header, records, Ethernet/IPv4/UDP, with checksum verification. */
function readPcap(buf: Uint8Array): { linktype: number; frames: Frame[] } {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  assert.equal(dv.getUint32(0, true), 0xa1b2c3d4, 'magic (µs, little-endian)');
  assert.equal(dv.getUint16(4, true), 2);
  assert.equal(dv.getUint16(6, true), 4);
  const linktype = dv.getUint32(20, true);
  const frames: Frame[] = [];
  let off = 24;
  while (off < buf.length) {
    const incl = dv.getUint32(off + 8, true);
    assert.equal(dv.getUint32(off + 12, true), incl, 'orig_len = incl_len');
    const f = buf.subarray(off + 16, off + 16 + incl);
    assert.equal(f.length, incl, 'record not truncated');
    assert.equal((f[12]! << 8) | f[13]!, 0x0800, 'EtherType IPv4');
    const ip = 14;
    assert.equal(f[ip]!, 0x45);
    const totalLen = (f[ip + 2]! << 8) | f[ip + 3]!;
    assert.equal(totalLen, incl - 14, 'IPv4 total length');
    const u = ip + 20;
    const udpLength = (f[u + 4]! << 8) | f[u + 5]!;
    assert.equal(udpLength, totalLen - 20, 'UDP length');
    const pseudo = sum16(f, ip + 12, ip + 20, 17 + udpLength);
    frames.push({
      tsSec: dv.getUint32(off, true),
      tsUsec: dv.getUint32(off + 4, true),
      dstMac: [...f.subarray(0, 6)],
      ipChecksumOk: sum16(f, ip, ip + 20) === 0xffff,
      ttl: f[ip + 8]!,
      protocol: f[ip + 9]!,
      src: [...f.subarray(ip + 12, ip + 16)].join('.'),
      dst: [...f.subarray(ip + 16, ip + 20)].join('.'),
      srcPort: (f[u]! << 8) | f[u + 1]!,
      dstPort: (f[u + 2]! << 8) | f[u + 3]!,
      udpLength,
      udpChecksumOk: sum16(f, u, u + udpLength, pseudo) === 0xffff,
      payload: f.subarray(u + 8),
    });
    off += 16 + incl;
  }
  assert.equal(off, buf.length);
  return { linktype, frames };
}

const tmpDirs: string[] = [];
after(() => {
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tmpFile(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omd-pcap-'));
  tmpDirs.push(dir);
  return path.join(dir, name);
}

describe('PcapWriter', () => {
  it('frames a datagram with the multicast MAC, a valid IPv4 header (TTL 1) and UDP checksum', () => {
    const payload = new Uint8Array([0x10, 0x00, 0x00, 0x00, 0xd2, 0x04, 0x00, 0x00, 0x00, 0xf0, 0x86, 0xc1, 0xdf, 0xeb, 0x88, 0x18]); // TV1
    const f = ethernetFrame({ timeMs: 0, srcAddress: '127.0.0.1', srcPort: 40000, dstAddress: '239.203.129.7', dstPort: 53301, payload }, 1);
    assert.deepEqual([...f.subarray(0, 6)], [0x01, 0x00, 0x5e, 0x4b, 0x81, 0x07], 'low 23 bits of 239.203.129.7');
    assert.equal(f.length, 14 + 20 + 8 + 16);
    const file = tmpFile('one.pcap');
    const w = new PcapWriter(file);
    w.write({ timeMs: 1_767_922_200_123, srcAddress: '127.0.0.1', srcPort: 40000, dstAddress: '239.203.1.1', dstPort: 53301, payload });
    w.close();
    const { linktype, frames } = readPcap(fs.readFileSync(file));
    assert.equal(linktype, 1);
    assert.equal(frames.length, 1);
    const fr = frames[0]!;
    assert.deepEqual([fr.tsSec, fr.tsUsec], [1_767_922_200, 123_000]);
    assert.ok(fr.ipChecksumOk && fr.udpChecksumOk);
    assert.deepEqual([fr.ttl, fr.protocol, fr.src, fr.dst, fr.srcPort, fr.dstPort, fr.udpLength], [1, 17, '127.0.0.1', '239.203.1.1', 40000, 53301, 24]);
    assert.deepEqual([...fr.payload], [...payload]);
  });

  it('the publisher writes every datagram it sends, with the real groups and ports', async () => {
    const cfg = loopbackFeed({ products: ['SS', 'SF'], groupBase: 203, basePort: 53300, rtsPorts: [0, 0, 0, 0] });
    const file = tmpFile('pub.pcap');
    const clock = new ManualClock();
    let sent = 0;
    const pub = new OmdPublisher(cfg, {
      clock,
      pcapFile: file,
      refreshIntervalMs: 3_000,
      onDatagram: () => {
        sent++;
      },
    });
    await pub.start();
    pub.publish(1, [{ msgType: 40, securityCode: 700, nominalPrice: 385_200 }]);
    pub.publish(2, [{ msgType: 30, securityCode: 700, orderId: 123456789012n, price: 385_200, quantity: 1000, side: 0, orderType: '2', orderBookPosition: 0 }]);
    clock.advance(4_000);
    await pub.stop();
    const { frames } = readPcap(fs.readFileSync(file));
    assert.ok(sent > 10, `${sent} datagrams sent`);
    assert.equal(frames.length, sent);
    const dests = new Set(
      [...cfg.channels.flatMap((c) => [c.lineA, c.lineB, c.refresh]), cfg.drChannel.lineA, cfg.drChannel.lineB].map((e) => `${e.group}:${e.port}`),
    );
    for (const f of frames) {
      assert.ok(f.ipChecksumOk && f.udpChecksumOk);
      assert.ok(dests.has(`${f.dst}:${f.dstPort}`), `${f.dst}:${f.dstPort}`);
      const [a, b, c, d] = f.dst.split('.').map(Number);
      assert.equal(a, 239);
      assert.deepEqual(f.dstMac, [0x01, 0x00, 0x5e, b! & 0x7f, c!, d!]);
      assert.ok(decodePacket(f.payload).ok);
    }
    const seen = new Set(frames.map((f) => `${f.dst}:${f.dstPort}`));
    assert.equal(seen.size, dests.size, 'lines A and B, refresh and DR all present');
    const sf = frames
      .filter((f) => f.dst === cfg.channels[1]!.lineA.group)
      .map((f) => decodePacket(f.payload))
      .filter((p) => p.ok && p.header.msgCount > 0);
    assert.deepEqual(
      sf.map((p) => p.ok && p.header.seqNum),
      [1, 2],
    );
  });

  it('tshark opens the capture (skipped when tshark is absent)', async (t) => {
    const probe = spawnSync('tshark', ['-v'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      t.skip('tshark not installed');
      return;
    }
    const file = tmpFile('tshark.pcap');
    const cfg = loopbackFeed({ products: ['SS'], groupBase: 203, basePort: 53350, rtsPorts: [0, 0, 0, 0] });
    const pub = new OmdPublisher(cfg, { clock: new ManualClock(), pcapFile: file, refreshIntervalMs: 0 });
    await pub.start();
    pub.publish(1, [{ msgType: 40, securityCode: 5, nominalPrice: 61_500 }]);
    await pub.stop();
    const r = spawnSync(
      'tshark',
      ['-r', file, '-T', 'fields', '-e', 'ip.dst', '-e', 'udp.dstport', '-e', 'udp.length', '-o', 'udp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE'],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    assert.deepEqual(rows[0], [cfg.channels[0]!.lineA.group, String(cfg.channels[0]!.lineA.port), String(8 + 24)]);
    const bad = spawnSync(
      'tshark',
      ['-r', file, '-Y', 'ip.checksum.status == "Bad" || udp.checksum.status == "Bad"', '-o', 'udp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE'],
      { encoding: 'utf8' },
    );
    assert.equal(bad.stdout.trim(), '', 'no bad checksums');
  });
});

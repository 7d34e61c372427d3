import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { main } from '../../src/cli/main.ts';
import { decodePacket, encodePacket, type DecodedPacket } from '../../src/omd/index.ts';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

/** Every datagram of a classic pcap file written by the publisher (Ethernet + IPv4 + UDP = 42 bytes). */
function pcapPackets(file: string): DecodedPacket[] {
  const buf = fs.readFileSync(file);
  const out: DecodedPacket[] = [];
  for (let off = 24; off < buf.length;) {
    const len = buf.readUInt32LE(off + 8);
    const p = decodePacket(buf.subarray(off + 16 + 42, off + 16 + len));
    assert.ok(p.ok);
    out.push(p);
    off += 16 + len;
  }
  return out;
}

/** The Hong Kong calendar day of a nanosecond timestamp. */
const hktDay = (ns: bigint) => new Date(Number(ns / 1_000_000n) + 8 * 3_600_000).toISOString().slice(0, 10);

/** TSS StartDateTime and IndexTime are on the session's own day and clock: the day of SendTime, shortly before it. */
function assertStampedOnSessionDay(pkts: DecodedPacket[]): void {
  let stamped = 0;
  for (const pkt of pkts) {
    for (const m of pkt.messages) {
      const t = m.msgType === 20 ? m.startDateTime : m.msgType === 71 ? m.indexTime : null;
      if (t === null) continue;
      stamped++;
      assert.equal(hktDay(t), hktDay(pkt.header.sendTime), `MsgType ${m.msgType} stamped on the session day`);
      const apartMs = Number((pkt.header.sendTime - t) / 1_000_000n);
      assert.ok(apartMs >= 0 && apartMs < 60_000, `MsgType ${m.msgType} stamped ${apartMs} ms before its SendTime`);
    }
  }
  assert.ok(stamped >= 2, 'the start-of-day TSS and Index Data were captured');
}

describe('failover-drill omd publish', () => {
  it('runs for --duration, writes a pcap of decodable OMD packets and prints a one-line summary', async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omd-cli-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'x.pcap');
    const lines: string[] = [];
    const log = console.log;
    const err = console.error;
    console.log = (s: string) => {
      lines.push(s);
    };
    console.error = () => {};
    let code: number;
    try {
      code = await main([
        'omd',
        'publish',
        '--duration',
        '1',
        '--rate',
        '2000',
        '--securities',
        '10',
        '--group-base',
        '204',
        '--port-base',
        '53400',
        '--refresh-interval',
        '300',
        '--pcap',
        file,
      ]);
    } finally {
      console.log = log;
      console.error = err;
    }
    assert.equal(code, 0);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^omd publish: service=OMD-C channels=6 .*messages=\d+ .*lineA=\d+pkt.*pcap=/);
    const buf = fs.readFileSync(file);
    assert.equal(buf.readUInt32LE(0), 0xa1b2c3d4);
    const pkts = pcapPackets(file);
    assert.ok(pkts.length > 20);
    assertStampedOnSessionDay(pkts);
  });

  it(
    'SIGTERM stops a --duration 60 run at once although a refused RTS client keeps its socket half-open; every port is free after',
    { timeout: 30_000 },
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omd-cli-'));
      const file = path.join(dir, 'x.pcap');
      const rtsPorts = [54_600, 54_601]; // --port-base + 900 and + 901
      const p = spawn(
        process.execPath,
        [
          MAIN,
          'omd',
          'publish',
          '--duration',
          '60',
          '--rate',
          '500',
          '--securities',
          '10',
          '--group-base',
          '206',
          '--port-base',
          '53700',
          '--refresh-interval',
          '300',
          '--pcap',
          file,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      p.stdout!.on('data', (d) => {
        out += String(d);
      });
      const exit = new Promise<{ code: number | null; signal: string | null }>((r) => p.on('exit', (code, signal) => r({ code, signal })));
      const up = new Promise<void>((resolve, reject) => {
        let err = '';
        p.stderr!.on('data', (d) => {
          err += String(d);
          if (err.includes(' RTS ')) resolve();
        });
        p.on('exit', () => reject(new Error(`exited before it was up: ${err}`)));
      });
      let sock: net.Socket | null = null;
      try {
        await up;
        // A client the RTS refuses (unknown username): the server answers and ends its half; this one never ends its own.
        sock = net.connect({ port: rtsPorts[0]!, host: '127.0.0.1', allowHalfOpen: true });
        sock.on('error', () => {});
        sock.resume(); // read the Logon Response, so the server's end is seen
        await once(sock, 'connect');
        sock.write(encodePacket(0, 0n, [{ msgType: 101, username: 'NOBODY' }]));
        await once(sock, 'end');
        assert.equal(sock.destroyed, false, 'our half is still open');
        p.kill('SIGTERM');
        const r = await exit; // the test's timeout (30 s) is half the --duration: waiting it out fails
        assert.deepEqual(r, { code: 0, signal: null });
        assert.match(out, /^omd publish: service=OMD-C /);
        for (const port of rtsPorts) {
          const srv = net.createServer();
          await new Promise<void>((resolve, reject) => {
            srv.once('error', reject);
            srv.listen(port, '127.0.0.1', resolve);
          });
          await new Promise<void>((resolve) => srv.close(() => resolve()));
        }
        assertStampedOnSessionDay(pcapPackets(file));
      } finally {
        sock?.destroy();
        if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('rejects a bad --service with a usage error', async () => {
    const err = console.error;
    console.error = () => {};
    try {
      assert.equal(await main(['omd', 'publish', '--service', 'OMD-X']), 2);
      assert.equal(await main(['omd', 'publish', '--service', 'OMD-CC', '--products', 'SS']), 2);
    } finally {
      console.error = err;
    }
  });
});

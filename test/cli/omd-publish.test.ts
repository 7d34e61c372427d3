import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main.ts';
import { decodePacket } from '../../src/omd/index.ts';

describe('failover-drill omd publish', () => {
  it('runs for --duration, writes a pcap of decodable OMD packets and prints a one-line summary', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'omd-cli-')), 'x.pcap');
    const lines: string[] = [];
    const log = console.log;
    const err = console.error;
    console.log = (s: string) => { lines.push(s); };
    console.error = () => {};
    let code: number;
    try {
      code = await main(['omd', 'publish', '--duration', '1', '--rate', '2000', '--securities', '10', '--group-base', '204', '--port-base', '53400', '--refresh-interval', '300', '--pcap', file]);
    } finally {
      console.log = log;
      console.error = err;
    }
    assert.equal(code, 0);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^omd publish: service=OMD-C channels=4 .*messages=\d+ .*lineA=\d+pkt.*pcap=/);
    const buf = fs.readFileSync(file);
    assert.equal(buf.readUInt32LE(0), 0xa1b2c3d4);
    let off = 24;
    let frames = 0;
    while (off < buf.length) {
      const len = buf.readUInt32LE(off + 8);
      const payload = buf.subarray(off + 16 + 42, off + 16 + len);
      assert.ok(decodePacket(payload).ok);
      frames++;
      off += 16 + len;
    }
    assert.ok(frames > 20);
  });

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

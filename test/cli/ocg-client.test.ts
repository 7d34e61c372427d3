// `failover-drill ocg client` against a real gateway + engine + lookup service on loopback:
// a script with $N references runs to the end and prints events and reports; usage errors.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main.ts';
import { LookupService } from '../../src/ocg/lookup-service.ts';
import { OcgGateway } from '../../src/ocg/gateway.ts';
import { generateVenueKeyPair, hashPassword } from '../../src/ocg/password.ts';
import { OTP_C_PROFILE } from '../../src/ocg/index.ts';
import { MatchingEngine } from '../../src/venue/index.ts';
import { systemClock } from '../../src/wire/index.ts';

async function capture(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [],
    err: string[] = [];
  const log = console.log,
    error = console.error;
  console.log = (s: string) => {
    out.push(String(s));
  };
  console.error = (s: string) => {
    err.push(String(s));
  };
  try {
    return { code: await main(argv), out, err };
  } finally {
    console.log = log;
    console.error = error;
  }
}

describe('failover-drill ocg client', () => {
  it('runs a script: logon, order, cancel by $1, amend by $2, logout', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocg-cli-'));
    const keys = generateVenueKeyPair();
    fs.writeFileSync(path.join(dir, 'venue.pub.pem'), keys.publicKeyPem);
    fs.writeFileSync(path.join(dir, 'orders.txt'), 'buy 700 200@385.2\ncancel $1\nbuy 700 100@385\namend $2 300@385.2 # cancel/replace\nlogout\n');
    const engine = new MatchingEngine({ profile: OTP_C_PROFILE, securities: [{ securityId: '700', lotSize: 100, referencePrice: 385_200 }] }, systemClock);
    const gw = new OcgGateway({
      service: 'OTP-C',
      privateKeyPem: keys.privateKeyPem,
      router: engine,
      passwordWorkers: 0,
      compIds: ['CO99999902', 'CO99999903'].map((compId) => ({ compId, firm: 'F', sourceIps: ['127.0.0.1'], passwordHash: hashPassword('Abcd1234') })),
    });
    const addr = await gw.start();
    const lookup = new LookupService({
      name: 'PS-primary',
      site: 'primary',
      clients: (c) => gw.lookupEntry(c),
      gateways: () => ({ primary: addr, secondary: addr }),
    });
    const lk = await lookup.open();
    try {
      const r = await capture([
        'ocg',
        'client',
        '--lookup',
        `127.0.0.1:${lk.port}`,
        '--comp-id',
        'CO99999902',
        '--password',
        'Abcd1234',
        '--public-key',
        path.join(dir, 'venue.pub.pem'),
        '--script',
        path.join(dir, 'orders.txt'),
        '--first-clordid',
        '500',
      ]);
      assert.equal(r.code, 0, r.err.join('\n'));
      const text = r.out.join('\n');
      assert.match(text, /lookup-answered .*"site":"primary"/);
      assert.match(text, /logon-accepted .*"nextExpected":2/);
      assert.match(text, /ER 0 clOrdId=500 /);
      assert.match(text, /ER 4 clOrdId=501 orig=500 /);
      assert.match(text, /ER 0 clOrdId=502 /);
      assert.match(text, /ER 5 clOrdId=503 orig=502 .*leaves=300/);
      assert.match(text, /disconnected .*"byClient":true/);

      // --journal keeps the session's sequence numbers across runs (§3.12: one session a day).
      const journal = path.join(dir, 'journal');
      const run = (first: string) =>
        capture([
          'ocg',
          'client',
          '--lookup',
          `127.0.0.1:${lk.port}`,
          '--comp-id',
          'CO99999903',
          '--password',
          'Abcd1234',
          '--public-key',
          path.join(dir, 'venue.pub.pem'),
          '--script',
          path.join(dir, 'short.txt'),
          '--first-clordid',
          first,
          '--journal',
          journal,
        ]);
      fs.writeFileSync(path.join(dir, 'short.txt'), 'buy 700 100@380\n');
      const a = await run('600');
      const b = await run('700');
      assert.equal(a.code, 0, a.err.join('\n'));
      assert.equal(b.code, 0, b.err.join('\n'));
      const seqOf = (out: string[]) => Number(/logon-accepted .*"seqNum":(\d+)/.exec(out.join('\n'))![1]);
      // Run 1: Logon 1, order 2, Logout 3. Run 2 continues: Logon 4.
      assert.equal(seqOf(a.out), 1);
      assert.equal(seqOf(b.out), 4);
    } finally {
      await lookup.close();
      await gw.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('usage errors name the option', async () => {
    const r1 = await capture(['ocg', 'client', '--comp-id', 'X', '--password', 'p', '--public-key', '/nonexistent']);
    assert.equal(r1.code, 2);
    assert.match(r1.err.join('\n'), /--lookup: at least one/);
    const r2 = await capture(['ocg', 'client', '--lookup', 'nohostport', '--comp-id', 'X', '--password', 'p', '--public-key', '/nonexistent']);
    assert.equal(r2.code, 2);
    assert.match(r2.err.join('\n'), /--lookup: expected host:port/);
    const r3 = await capture(['ocg', 'client', '--lookup', '127.0.0.1:1', '--comp-id', 'X', '--password', 'p', '--public-key', '/nonexistent']);
    assert.match(r3.err.join('\n'), /--public-key: ENOENT/);
  });
});

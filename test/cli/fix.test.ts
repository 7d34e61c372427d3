// `failover-drill fix client` and `fix gateway`: a script against a FIX gateway + engine on
// loopback (logon, order, amend by $1, cancel, logout), --help, usage errors; the gateway command
// in its own process logs a FIX client out at SIGTERM and exits 0.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main.ts';
import { FixGateway, fieldOf } from '../../src/fix/index.ts';
import { OTP_C_PROFILE, generateVenueKeyPair, hashPassword } from '../../src/ocg/index.ts';
import { MatchingEngine } from '../../src/venue/index.ts';
import { systemClock } from '../../src/wire/index.ts';
import { FixPeer } from '../fix/fix-peer.ts';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

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

describe('failover-drill fix client', () => {
  it('runs a script: logon, order, amend $1, cancel $1, logout; the reports are printed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fix-cli-'));
    const keys = generateVenueKeyPair();
    fs.writeFileSync(path.join(dir, 'venue.pub.pem'), keys.publicKeyPem);
    fs.writeFileSync(path.join(dir, 'orders.txt'), 'buy 700 200@385.2\namend $1 300@385.2\ncancel $1\nlogout\n');
    const engine = new MatchingEngine({ profile: OTP_C_PROFILE, securities: [{ securityId: '700', lotSize: 100, referencePrice: 385_200 }] }, systemClock);
    const gw = new FixGateway({
      privateKeyPem: keys.privateKeyPem,
      router: engine,
      passwordWorkers: 0,
      compIds: [{ compId: 'F001X', firm: 'F', sourceIps: ['127.0.0.1'], passwordHash: hashPassword('Abcd1234', { N: 1024, r: 1, p: 1 }) }],
    });
    const addr = await gw.start();
    try {
      const r = await capture([
        'fix',
        'client',
        '--connect',
        `127.0.0.1:${addr.port}`,
        '--comp-id',
        'F001X',
        '--password',
        'Abcd1234',
        '--public-key',
        path.join(dir, 'venue.pub.pem'),
        '--script',
        path.join(dir, 'orders.txt'),
        '--first-clordid',
        '500',
        '--local-address',
        '127.0.0.1',
      ]);
      assert.equal(r.code, 0, r.err.join('\n'));
      const text = r.out.join('\n');
      assert.match(text, /logon-accepted .*"nextExpected":2/);
      assert.match(text, /ER 0 clOrdId=500 /);
      assert.match(text, /ER 5 clOrdId=501 orig=500 /);
      assert.match(text, /ER 4 clOrdId=502 orig=501 /);
      assert.match(text, /disconnected .*"byClient":true/);
      assert.equal(gw.sequenceNumbers('F001X').nextExpected, 6, 'Logon, 3 requests and the Logout');
    } finally {
      await gw.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--help lists the options; usage errors name the option', async () => {
    const help = await capture(['fix', 'client', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.out.join('\n'), /--connect HOST:PORT/);
    assert.match(help.out.join('\n'), /primary site first/);
    const gwHelp = await capture(['fix', 'gateway', '--help']);
    assert.equal(gwHelp.code, 0);
    assert.match(gwHelp.out.join('\n'), /TargetCompID of the clients: HKEX/);
    const none = await capture(['fix', 'client', '--comp-id', 'F1', '--password', 'x', '--public-key', '/nonexistent']);
    assert.equal(none.code, 2);
    assert.match(none.err.join('\n'), /--connect: at least one gateway address/);
    const badId = await capture(['fix', 'client', '--connect', '127.0.0.1:1', '--comp-id', 'F-1', '--password', 'x', '--public-key', '/nonexistent']);
    assert.equal(badId.code, 2);
    assert.match(badId.err.join('\n'), /--comp-id: 1 to 11 letters or digits/);
    const badAddr = await capture(['fix', 'client', '--connect', 'nowhere', '--comp-id', 'F1', '--password', 'x', '--public-key', '/nonexistent']);
    assert.match(badAddr.err.join('\n'), /--connect: expected host:port/);
    const group = await capture(['fix']);
    assert.equal(group.code, 2);
    assert.match(group.out.join('\n'), /fix client[\s\S]*fix gateway/);
  });
});

describe('failover-drill fix gateway', () => {
  it('serves a FIX client; SIGTERM logs it out before the socket closes and the process exits 0', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fix-gw-cli-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'gateway.yaml'),
        [
          'port: 0',
          'keyFile: venue.key.pem',
          'publicKeyFile: venue.pub.pem',
          'securities: [{ securityId: "700", lotSize: 100, referencePrice: 395.8 }]',
          'compIds: [{ compId: SIG1, firm: F1, password: Drill2026, sourceIps: [127.0.0.1] }]',
        ].join('\n'),
      );
      const child = spawn(process.execPath, [MAIN, 'fix', 'gateway', '--config', path.join(dir, 'gateway.yaml'), '--log-level', 'warn'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
      let out = '';
      child.stderr!.on('data', (d) => {
        out += String(d);
      });
      const port = await new Promise<number>((resolve, reject) => {
        child.stdout!.on('data', (d) => {
          out += String(d);
          const m = /gateway\s+127\.0\.0\.1:(\d+)[\s\S]*ready/.exec(out);
          if (m !== null) resolve(Number(m[1]));
        });
        child.once('exit', () => reject(new Error(`gateway exited before it was ready:\n${out}`)));
      });
      const pub = fs.readFileSync(path.join(dir, 'venue.pub.pem'), 'utf8');
      const p = await FixPeer.connect(port, 'SIG1');
      p.logon(pub, 'Drill2026');
      assert.equal(fieldOf((await p.waitType('A'))!, 1409), '0');
      child.kill('SIGTERM');
      const lo = await p.waitType('5');
      assert.equal(fieldOf(lo!, 58), 'service shutdown (SIGTERM)');
      p.send([[35, '5']]);
      assert.equal(await p.waitClosed(), true);
      const [code] = await exited;
      assert.equal(code, 0, out);
      p.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an OTP-CSC config', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fix-gw-cli-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'gw.yaml'),
        'service: OTP-CSC\nsecurities: [{ securityId: "600000", lotSize: 100 }]\ncompIds: [{ compId: C1, password: x, sourceIps: [127.0.0.1] }]\n',
      );
      const r = await capture(['fix', 'gateway', '--config', path.join(dir, 'gw.yaml')]);
      assert.equal(r.code, 2);
      assert.match(r.err.join('\n'), /serves OTP-C only/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

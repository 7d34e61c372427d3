// `failover-drill ocg gateway` in its own process: SIGTERM is a service shutdown, so a logged-on
// client receives Logout before its connection closes (OCG-C §3.4 "OCG-C logs everyone out at
// service shutdown"), and the process exits 0. Every wait is for an event (a line, a frame, exit).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OcgMsgType, publicKeyOf } from '../../src/ocg/index.ts';
import { parseGatewayConfig } from '../../src/cli/commands/ocg-gateway.ts';
import { systemClock } from '../../src/wire/index.ts';
import { connectClient, testHash, testKeys } from '../ocg/gateway-harness.ts';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

describe('failover-drill ocg gateway', () => {
  for (const [profile, flags] of [
    ['default', []],
    ['low-latency', ['--low-latency']],
  ] as const) {
    it(`${profile} profile: SIGTERM: the logged-on session receives Logout before the socket closes, then the process exits 0`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocg-gw-cli-'));
      try {
        fs.writeFileSync(path.join(dir, 'venue.key.pem'), testKeys().privateKeyPem);
        fs.writeFileSync(path.join(dir, 'venue.pub.pem'), publicKeyOf(testKeys().privateKeyPem));
        fs.writeFileSync(
          path.join(dir, 'gateway.yaml'),
          [
            'service: OTP-C',
            'port: 0',
            'keyFile: venue.key.pem',
            'publicKeyFile: venue.pub.pem',
            'lookup: []',
            'securities: [{ securityId: "700", lotSize: 100, referencePrice: 395.8 }]',
            `compIds: [{ compId: SIG1, firm: F1, passwordHash: "${testHash()}", sourceIps: [127.0.0.1] }]`,
          ].join('\n'),
        );
        const child = spawn(process.execPath, [MAIN, 'ocg', 'gateway', '--config', path.join(dir, 'gateway.yaml'), '--log-level', 'warn', ...flags], {
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
            const m = /gateway\s+127\.0\.0\.1:(\d+)[\s\S]*profile .*\n/.exec(out);
            if (m !== null) resolve(Number(m[1]));
          });
          child.once('exit', () => reject(new Error(`gateway exited before it was ready:\n${out}`)));
        });
        // The low-latency profile starts the process again with its V8 flags, and polls.
        assert.match(
          out,
          profile === 'default' ? /profile {5}default\n/ : /profile {5}low-latency: busy polling \((native-spin|immediate)\), quiet GC every 12 idle points\n/,
        );
        const c = await connectClient(port, 'SIG1', { clock: systemClock });
        await c.logon();
        assert.equal(c.session.state, 'active');
        const order: string[] = [];
        c.socket.once('close', () => order.push('closed'));
        // The harness's own 'data' listener runs first: the frames of a chunk are decoded when this one runs.
        const onData = () => {
          if (!c.frames.some((f) => f.message.msgType === OcgMsgType.Logout)) return;
          order.push('logout');
          c.socket.off('data', onData);
        };
        c.socket.on('data', onData);
        child.kill('SIGTERM');
        await c.closed;
        const [code] = await exited;
        assert.deepEqual(order, ['logout', 'closed']);
        const lo = c.frames.find((f) => f.message.msgType === OcgMsgType.Logout)!.message as { logoutText?: string };
        assert.equal(lo.logoutText, 'service shutdown (SIGTERM)');
        assert.ok(
          c.events.some((e) => e.type === 'disconnected' && /logout by peer/.test(e.reason)),
          'the client answered the Logout',
        );
        assert.equal(code, 0, out);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('reads the OTP-CSC daily quota (yuan) and per-security markets; refuses a quota on OTP-C and a foreign market', () => {
    const base = 'port: 0\nlookup: []\ncompIds: [{ compId: C1, passwordHash: x, sourceIps: [127.0.0.1] }]\n';
    const cfg = parseGatewayConfig(
      `service: OTP-CSC\ndailyQuota: 52000000000\nsecurities: [{ securityId: "000001", lotSize: 100, securityExchange: XSEC }]\n${base}`,
      '/tmp',
    );
    assert.equal(cfg.dailyQuota, 52_000_000_000);
    assert.equal(cfg.securities[0]!.securityExchange, 'XSEC');
    assert.equal(cfg.logoutWaitMs, 2_000);
    assert.throws(
      () => parseGatewayConfig(`service: OTP-C\ndailyQuota: 1\nsecurities: [{ securityId: "700", lotSize: 100 }]\n${base}`, '/tmp'),
      /dailyQuota: only for service OTP-CSC/,
    );
    assert.throws(
      () => parseGatewayConfig(`service: OTP-CSC\nsecurities: [{ securityId: "000001", lotSize: 100, securityExchange: XHKG }]\n${base}`, '/tmp'),
      /securityExchange: expected one of XSSC, XSEC/,
    );
  });
});

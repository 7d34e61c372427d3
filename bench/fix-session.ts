// Shared by the FIX order benchmarks: the gateway child (bench/fix.venue.ts) and a logged-on
// FixClient; and the QuickFIX C++ anchor (bench/quickfix-anchor.cpp: acceptor + initiator, built
// with g++ from Debian's libquickfix-dev in a temp dir that is removed afterwards), run under the
// same load. Resting prices never cross, so each order gets exactly one report (150=0).
import { fork, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FixClient } from '../src/fix/index.ts';

export const BUY_PX = Array.from({ length: 20 }, (_, k) => (385 - k * 0.2).toFixed(1));
export const SELL_PX = Array.from({ length: 20 }, (_, k) => (385.4 + k * 0.2).toFixed(1));

export async function startFixBenchSession(): Promise<{ child: ReturnType<typeof fork>; client: FixClient }> {
  const child = fork(new URL('./fix.venue.ts', import.meta.url).pathname, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<{ port: number; publicKeyPem: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { port: number; publicKeyPem: string }));
    child.once('exit', (code) => reject(new Error(`fix bench venue exited (${code})`)));
  });
  const client = new FixClient({
    compId: 'BENCH1',
    password: 'Bench1234',
    publicKeyPem: ready.publicKeyPem,
    brokerId: '1001',
    addresses: [{ host: '127.0.0.1', port: ready.port, site: 'primary' }],
    localAddress: '127.0.0.1',
    firstClientOrderId: 1,
  });
  await client.start();
  return { child, client };
}

export type AnchorResult = { ok: true; value: number; detail: string } | { ok: false; why: string };

/**
 * Build and run the QuickFIX C++ anchor: `mode` rate (COUNT orders, WINDOW outstanding) or rtt
 * (COUNT orders paced at RATE/s); returns orders/s or the p99 in µs.
 */
export async function runQuickfixAnchor(mode: 'rate' | 'rtt', count: number, param: number): Promise<AnchorResult> {
  if (spawnSync('g++', ['--version']).status !== 0) return { ok: false, why: 'g++ missing (apt-get install g++)' };
  if (!fs.existsSync('/usr/include/quickfix/Application.h')) return { ok: false, why: 'libquickfix-dev missing (apt-get install libquickfix-dev)' };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fix-anchor-'));
  try {
    const bin = path.join(dir, 'anchor');
    const cc = spawnSync(
      'g++',
      ['-std=c++11', '-O2', '-Wno-deprecated', '-o', bin, new URL('./quickfix-anchor.cpp', import.meta.url).pathname, '-lquickfix', '-lpthread'],
      { encoding: 'utf8' },
    );
    if (cc.status !== 0) return { ok: false, why: `g++ failed: ${cc.stderr.split('\n')[0]}` };
    const port = 30_000 + (process.pid % 5_000);
    const acceptor = spawn(bin, ['acceptor', String(port), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      // The acceptor prints READY once it listens.
      const ready = await new Promise<boolean>((resolve) => {
        let out = '';
        const timer = setTimeout(() => resolve(false), 10_000);
        acceptor.stdout.on('data', (d) => {
          out += String(d);
          if (out.includes('READY')) {
            clearTimeout(timer);
            resolve(true);
          }
        });
        acceptor.once('exit', () => {
          clearTimeout(timer);
          resolve(false);
        });
      });
      if (!ready) return { ok: false, why: 'anchor acceptor did not start' };
      const initiator = spawn(bin, ['initiator', String(port), dir, mode, String(count), String(param)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '',
        stderr = '';
      initiator.stdout.on('data', (d) => {
        stdout += String(d);
      });
      initiator.stderr.on('data', (d) => {
        stderr += String(d);
      });
      const timer = setTimeout(() => initiator.kill(), 120_000);
      const status = await new Promise<number | null>((resolve) => initiator.once('exit', (code) => resolve(code)));
      clearTimeout(timer);
      const m = /RESULT value=([\d.]+) (.*)/.exec(stdout);
      if (m === null) return { ok: false, why: `anchor initiator gave no result (status ${status}): ${stderr.slice(0, 200)}` };
      return { ok: true, value: Number(m[1]), detail: m[2]!.trim() };
    } finally {
      acceptor.kill();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

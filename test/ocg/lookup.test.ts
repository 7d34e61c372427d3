// LookupService on loopback (spec note §1.2, §3.2): answers with the active site's gateway pair,
// rejections carry the Lookup Reject Codes, the backup site's endpoints are closed until it is
// active, header seq is always 1, bad input closes without an answer.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { execFileSync } from 'node:child_process';
import { crc32c } from '../../src/wire/index.ts';
import { LookupClient, LookupService, LookupStatus, OcgFrameReader, OcgMsgType, encodeMessage, MemoryLogger } from '../../src/ocg/index.ts';
import type { GatewayPair, LookupClientEntry, LookupResponse, OcgHeader } from '../../src/ocg/index.ts';

const CLIENTS: Record<string, LookupClientEntry> = {
  CO1: { sourceIps: ['127.0.0.1'] },
  CO2: { sourceIps: ['127.0.0.1'], blocked: true },
};
const PRIMARY_PAIR: GatewayPair = { primary: { host: '127.0.0.1', port: 28000 }, secondary: { host: '127.0.0.1', port: 28001 } };
const BACKUP_PAIR: GatewayPair = { primary: { host: '127.0.0.1', port: 29000 }, secondary: { host: '127.0.0.1', port: 29001 } };

const services: LookupService[] = [];
after(async () => {
  for (const s of services) await s.close();
});

function service(name: string, site: 'primary' | 'backup', gateways: () => GatewayPair | null, log = new MemoryLogger()): LookupService {
  const s = new LookupService({ name, site, clients: (id) => CLIENTS[id], gateways, log });
  services.push(s);
  return s;
}

/** One raw Lookup Request; resolves with the response, or null when the service closed without one. */
async function rawLookup(
  port: number,
  compId: string,
  body: { typeOfService?: number; protocolType?: number } = { typeOfService: 1, protocolType: 1 },
  opts: { localAddress?: string; seq?: number; bytes?: Uint8Array } = {},
): Promise<{ header: OcgHeader; message: LookupResponse } | null> {
  const s = net.connect({ port, host: '127.0.0.1', localAddress: opts.localAddress ?? '127.0.0.1' });
  await once(s, 'connect');
  const reader = new OcgFrameReader();
  let got: { header: OcgHeader; message: LookupResponse } | null = null;
  s.on('data', (c: Buffer) => {
    reader.push(c);
    const r = reader.next();
    if (r !== null && r.ok) got = { header: r.header, message: r.message as LookupResponse };
  });
  s.on('error', () => {});
  s.write(opts.bytes ?? encodeMessage({ seqNum: opts.seq ?? 1, compId }, { msgType: OcgMsgType.LookupRequest, ...body }, { skipRequiredCheck: true }));
  await once(s, 'close');
  return got;
}

describe('Lookup Response (§3.2)', () => {
  it('accepted: status 0, the active site pair, header seq 1 and the client Comp ID; the service closes after answering', async () => {
    const s = service('PS-primary', 'primary', () => PRIMARY_PAIR);
    const { port } = await s.open();
    const r = await rawLookup(port, 'CO1');
    assert.ok(r);
    assert.equal(r.header.seqNum, 1);
    assert.equal(r.header.compId, 'CO1');
    assert.deepEqual(r.message, {
      msgType: OcgMsgType.LookupResponse,
      status: LookupStatus.Accepted,
      primaryIp: '127.0.0.1',
      primaryPort: 28000,
      secondaryIp: '127.0.0.1',
      secondaryPort: 28001,
    });
  });

  const rejections: [string, string, Parameters<typeof rawLookup>[2], Parameters<typeof rawLookup>[3], number][] = [
    ['unknown Comp ID', 'NOPE', undefined, {}, 0],
    ['unregistered source IP', 'CO1', undefined, { localAddress: '127.0.0.2' }, 0],
    ['Type Of Service not 1', 'CO1', { typeOfService: 2, protocolType: 1 }, {}, 1],
    ['Protocol Type not 1', 'CO1', { typeOfService: 1, protocolType: 2 }, {}, 2],
    ['blocked client', 'CO2', undefined, {}, 3],
  ];
  for (const [name, compId, body, opts, code] of rejections) {
    it(`rejected: ${name} ⇒ status 1, Lookup Reject Code ${code}`, async () => {
      const s = service('PS-primary', 'primary', () => PRIMARY_PAIR);
      const { port } = await s.open();
      const r = await rawLookup(port, compId, body ?? { typeOfService: 1, protocolType: 1 }, opts);
      assert.ok(r);
      assert.equal(r.message.status, LookupStatus.Rejected);
      assert.equal(r.message.lookupRejectCode, code);
      assert.equal(r.message.primaryIp, undefined);
      assert.equal(r.header.seqNum, 1);
    });
  }

  it('no active gateway ⇒ rejected with code 4 Other', async () => {
    const s = service('PS-primary', 'primary', () => null);
    const { port } = await s.open();
    const r = await rawLookup(port, 'CO1');
    assert.equal(r?.message.lookupRejectCode, 4);
  });

  it('a Comp ID with a non-ASCII byte ⇒ closed without an answer (it would be echoed, §2.5), the endpoint keeps serving', async () => {
    const log = new MemoryLogger();
    const s = service('PS-primary', 'primary', () => PRIMARY_PAIR, log);
    const { port } = await s.open();
    const f = encodeMessage({ seqNum: 1, compId: 'CO1' }, { msgType: OcgMsgType.LookupRequest, typeOfService: 1, protocolType: 1 }).slice();
    f[10 + 2] = 0xa7; // Comp ID 'CO\u00a7'
    new DataView(f.buffer, f.byteOffset, f.byteLength).setUint32(f.length - 4, crc32c(f, 0, f.length - 4), true);
    assert.equal(await rawLookup(port, 'CO1', undefined, { bytes: f }), null);
    assert.ok(log.find('ocg.lookup.badCompId'));
    assert.equal((await rawLookup(port, 'CO1'))?.message.status, LookupStatus.Accepted);
  });

  it('bad checksum ⇒ closed without an answer, with a log line', async () => {
    const log = new MemoryLogger();
    const s = service('PS-primary', 'primary', () => PRIMARY_PAIR, log);
    const { port } = await s.open();
    const f = encodeMessage({ seqNum: 1, compId: 'CO1' }, { msgType: OcgMsgType.LookupRequest, typeOfService: 1, protocolType: 1 }).slice();
    f[f.length - 1]! ^= 1;
    assert.equal(await rawLookup(port, 'CO1', undefined, { bytes: f }), null);
    assert.equal(log.find('ocg.lookup.badFrame')?.fields['kind'], 'badChecksum');
    // The endpoint keeps serving others.
    assert.equal((await rawLookup(port, 'CO1'))?.message.status, LookupStatus.Accepted);
  });
});

describe('endpoint order and the backup site (§1.2)', () => {
  it('backup endpoints refuse connections until the backup site opens; then the client reaches BS-primary and gets the backup pair', async () => {
    let active: 'primary' | 'backup' = 'primary';
    const pair = () => (active === 'primary' ? PRIMARY_PAIR : BACKUP_PAIR);
    const ps = service('PS-primary', 'primary', pair),
      pm = service('PS-mirror', 'primary', pair);
    const bs = service('BS-primary', 'backup', pair),
      bm = service('BS-mirror', 'backup', pair);
    await ps.open();
    await pm.open();
    const bsPort = await bs.reservePort(),
      bmPort = await bm.reservePort();
    assert.equal(bs.isOpen, false);
    const client = new LookupClient({
      compId: 'CO1',
      retryDelayMs: 5,
      responseTimeoutMs: 500,
      endpoints: [ps.address, pm.address, { host: '127.0.0.1', port: bsPort }, { host: '127.0.0.1', port: bmPort }],
    });
    const first = await client.lookup({ maxAttempts: 4 });
    assert.equal(first.endpoint.name, 'PS-primary');
    assert.deepEqual(first.primary, PRIMARY_PAIR.primary);

    // Primary site lost: its lookups unreachable, backup still closed ⇒ every attempt fails.
    await ps.close();
    await pm.close();
    const failed: string[] = [];
    client.on('failed', (e: { endpoint: { name: string }; reason: string }) => failed.push(`${e.endpoint.name}:${e.reason}`));
    await assert.rejects(client.lookup({ maxAttempts: 4 }));
    assert.deepEqual(failed, ['PS-primary:unreachable', 'PS-mirror:unreachable', 'BS-primary:unreachable', 'BS-mirror:unreachable']);

    // Failover: the backup site becomes active and opens its lookups on the published ports.
    active = 'backup';
    await bs.open();
    await bm.open();
    assert.equal(bs.address.port, bsPort);
    failed.length = 0;
    const second = await client.lookup({ maxAttempts: 8 });
    assert.equal(second.endpoint.name, 'BS-primary');
    assert.equal(second.site, 'backup');
    assert.deepEqual([second.primary, second.secondary], [BACKUP_PAIR.primary, BACKUP_PAIR.secondary]);
    assert.deepEqual(failed, ['PS-primary:unreachable', 'PS-mirror:unreachable']);
    client.close();
  });
});

describe('every session of the venue asking at once (failover)', () => {
  it(
    'the listening socket queues 4,096 connections: none of thousands of simultaneous SYNs is dropped for a 1 s retransmit',
    { skip: process.platform !== 'linux' },
    async () => {
      const s = service('PS-primary', 'primary', () => PRIMARY_PAIR);
      const { port } = await s.open();
      // `ss` shows a listening socket's backlog as its Send-Q (Node's default is 511).
      const out = execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' })
        .trim()
        .split('\n');
      assert.equal(out.length, 1, out.join('\n'));
      assert.equal(Number(out[0]!.trim().split(/\s+/)[2]), 4096);
    },
  );
});

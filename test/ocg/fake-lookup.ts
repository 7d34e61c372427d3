// A fake OCG-C Lookup Service endpoint for client tests (spec note §1.2, §3.2): answers each
// Lookup Request with the configured behaviour and records what it saw.
import net from 'node:net';
import { encodeMessage, OcgFrameReader, OcgMsgType, LookupStatus } from '../../src/ocg/index.ts';
import type { GatewayAddress } from '../../src/ocg/index.ts';

export type FakeLookupBehaviour =
  | { kind: 'answer'; primary: GatewayAddress; secondary: GatewayAddress }
  | { kind: 'reject'; code: number; reason?: string }
  | { kind: 'silent' }
  | { kind: 'close' };

export interface FakeLookup {
  port: number;
  behaviour: FakeLookupBehaviour;
  /** Comp IDs of the Lookup Requests received, with their header seq. */
  requests: { compId: string; seq: number; typeOfService?: number; protocolType?: number }[];
  onRequest?: () => void;
  /** Start listening (again) on the same port. */
  open(): Promise<void>;
  /** Stop listening and drop every connection (the endpoint becomes unreachable). */
  close(): Promise<void>;
}

/** A free loopback port nobody listens on (connecting to it is refused). */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function fakeLookup(behaviour: FakeLookupBehaviour, opts: { listen?: boolean; port?: number } = {}): Promise<FakeLookup> {
  let server: net.Server | null = null;
  const sockets = new Set<net.Socket>();
  const f: FakeLookup = {
    port: opts.port ?? (await freePort()),
    behaviour,
    requests: [],
    async open() {
      if (server) return;
      server = net.createServer((sock) => {
        sockets.add(sock);
        sock.on('close', () => sockets.delete(sock));
        sock.on('error', () => {});
        const reader = new OcgFrameReader();
        sock.on('data', (chunk) => {
          reader.push(chunk);
          for (let r = reader.next(); r !== null; r = reader.next()) {
            if (!r.ok || r.message.msgType !== OcgMsgType.LookupRequest) {
              sock.destroy();
              return;
            }
            f.requests.push({ compId: r.header.compId, seq: r.header.seqNum, typeOfService: r.message.typeOfService, protocolType: r.message.protocolType });
            const b = f.behaviour;
            const h = { seqNum: 1, compId: r.header.compId };
            if (b.kind === 'answer') {
              sock.write(
                encodeMessage(h, {
                  msgType: OcgMsgType.LookupResponse,
                  status: LookupStatus.Accepted,
                  primaryIp: b.primary.host,
                  primaryPort: b.primary.port,
                  secondaryIp: b.secondary.host,
                  secondaryPort: b.secondary.port,
                }),
              );
            } else if (b.kind === 'reject') {
              sock.write(
                encodeMessage(h, {
                  msgType: OcgMsgType.LookupResponse,
                  status: LookupStatus.Rejected,
                  lookupRejectCode: b.code,
                  ...(b.reason ? { reason: b.reason } : {}),
                }),
              );
            } else if (b.kind === 'close') {
              sock.destroy();
            }
            f.onRequest?.();
          }
        });
      });
      const s = server;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(f.port, '127.0.0.1', () => resolve());
      });
    },
    async close() {
      const s = server;
      server = null;
      for (const sock of sockets) sock.destroy();
      if (s) await new Promise<void>((r) => s.close(() => r()));
    },
  };
  if (opts.listen !== false) await f.open();
  return f;
}

// OCG-C Lookup Service, exchange side (spec note §1.2, §3.2): a TCP endpoint speaking the OCG-C
// framing that answers one Lookup Request with the trading-gateway pair (Primary, Secondary) of
// the ACTIVE site. A site runs two (primary and mirror); HKEX publishes four. The backup site's
// endpoints stay closed (connection refused) until the backup site is active: `open()`/`close()`
// at runtime, always on the same port so the published list stays valid.
//
// Lookup Request/Response always carry header seq 1 and never touch session sequence numbers.
// Who closes the connection is not specified [UNVERIFIED, §8 item 15]: we end it right after the
// response and tolerate the client closing first. The backup site answering with the backup
// gateways is our inference [INF, §1.2].
import net from 'node:net';
import { systemClock } from '../wire/index.ts';
import type { Clock, TimerHandle } from '../wire/index.ts';
import { encodeMessage } from './codec.ts';
import { OcgFrameReader } from './frame-reader.ts';
import { LookupRejectCode, LookupStatus, OcgMsgType, ProtocolType, TypeOfService } from './messages.ts';
import type { LookupResponse } from './messages.ts';
import { silentLogger } from './log.ts';
import type { OcgLogger } from './log.ts';
import { isPrintableAscii } from './wire-text.ts';

export interface GatewayPair {
  primary: { host: string; port: number };
  secondary: { host: string; port: number };
}

/** What the lookup service knows of a Comp ID. */
export interface LookupClientEntry {
  /** Registered source IPs (1 + up to 3 backups, §1.1). */
  sourceIps: readonly string[];
  /** Blocked by the exchange ⇒ Lookup Reject Code 3. */
  blocked?: boolean;
}

export interface LookupServiceOptions {
  /** Label for logs and events: PS-primary, PS-mirror, BS-primary, BS-mirror. */
  name: string;
  site: 'primary' | 'backup';
  host?: string;
  /** 0 = pick a free port on first open, then keep it. */
  port?: number;
  /** Comp ID → registration; undefined ⇒ Invalid Client. */
  clients: (compId: string) => LookupClientEntry | undefined;
  /** The gateway pair of the active site for this service, or null (⇒ Rejected, code 4 Other). */
  gateways: () => GatewayPair | null;
  clock?: Clock;
  log?: OcgLogger;
  /** Drop a connection that sends no complete request within this time. Default 10 s [INF]. */
  requestTimeoutMs?: number;
  onLookup?: (event: LookupServedEvent) => void;
}

export interface LookupServedEvent {
  endpoint: string;
  site: 'primary' | 'backup';
  compId: string;
  sourceIp: string;
  accepted: boolean;
  rejectCode?: number;
  reason?: string;
  primary?: string;
  secondary?: string;
}

/** `::ffff:127.0.0.2` → `127.0.0.2`. */
export function normalizeIp(ip: string | undefined): string {
  if (ip === undefined) return '';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

export class LookupService {
  readonly name: string;
  readonly site: 'primary' | 'backup';
  readonly #o: LookupServiceOptions;
  readonly #clock: Clock;
  readonly #log: OcgLogger;
  #host: string;
  #port: number;
  #server: net.Server | null = null;
  readonly #sockets = new Set<net.Socket>();

  constructor(options: LookupServiceOptions) {
    this.#o = options;
    this.name = options.name;
    this.site = options.site;
    this.#host = options.host ?? '127.0.0.1';
    this.#port = options.port ?? 0;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.log ?? silentLogger;
  }

  get isOpen(): boolean {
    return this.#server !== null;
  }

  /** host:port; the port is 0 until the first open() or reservePort(). */
  get address(): { host: string; port: number } {
    return { host: this.#host, port: this.#port };
  }

  /** Pick the port now without opening (a closed backup endpoint must still be publishable). */
  async reservePort(): Promise<number> {
    if (this.#port !== 0) return this.#port;
    await this.open();
    await this.close();
    return this.#port;
  }

  async open(): Promise<{ host: string; port: number }> {
    if (this.#server !== null) return this.address;
    const server = net.createServer((s) => this.#onConnection(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // Every session of the venue asks at once after a failover: Node's default backlog (511) drops
      // the SYNs beyond it, and each dropped one costs the client a 1 s retransmit or a lookup timeout.
      server.listen({ port: this.#port, host: this.#host, backlog: 4096 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (e) => this.#log.log('error', 'ocg.lookup.serverError', { endpoint: this.name, error: e.message }));
    this.#port = (server.address() as net.AddressInfo).port;
    this.#server = server;
    this.#log.log('info', 'ocg.lookup.open', { endpoint: this.name, site: this.site, host: this.#host, port: this.#port });
    return this.address;
  }

  /** Stop listening and drop open connections: the endpoint becomes unreachable. */
  async close(): Promise<void> {
    const server = this.#server;
    if (server === null) return;
    this.#server = null;
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
    await new Promise<void>((r) => server.close(() => r()));
    this.#log.log('info', 'ocg.lookup.closed', { endpoint: this.name, site: this.site });
  }

  #onConnection(socket: net.Socket): void {
    this.#sockets.add(socket);
    socket.setNoDelay(true);
    const sourceIp = normalizeIp(socket.remoteAddress);
    const reader = new OcgFrameReader();
    let done = false;
    let timer: TimerHandle | null = this.#clock.setTimeout(() => {
      this.#log.log('warn', 'ocg.lookup.requestTimeout', { endpoint: this.name, sourceIp });
      socket.destroy();
    }, this.#o.requestTimeoutMs ?? 10_000);
    const finish = () => {
      done = true;
      timer?.cancel();
      timer = null;
    };
    socket.on('data', (chunk: Buffer) => {
      if (done) return;
      reader.push(chunk);
      const r = reader.next();
      if (r === null) return;
      finish();
      if (!r.ok) {
        // Bad STX/length/CRC or an undecodable request: close without answering (§2.2, §4.8).
        this.#log.log('warn', 'ocg.lookup.badFrame', { endpoint: this.name, sourceIp, kind: r.kind, detail: r.detail });
        socket.destroy();
        return;
      }
      const { header, message } = r;
      if (message.msgType !== OcgMsgType.LookupRequest) {
        this.#log.log('warn', 'ocg.lookup.notALookupRequest', { endpoint: this.name, sourceIp, msgType: header.msgType });
        socket.destroy();
        return;
      }
      if (!isPrintableAscii(header.compId)) {
        // The answer would echo the Comp ID, and the wire is ASCII (§2.5): no such client, close silently.
        this.#log.log('warn', 'ocg.lookup.badCompId', { endpoint: this.name, sourceIp });
        socket.destroy();
        return;
      }
      if (header.seqNum !== 1) this.#log.log('warn', 'ocg.lookup.seqNotOne', { endpoint: this.name, sourceIp, compId: header.compId, seqNum: header.seqNum });
      const answer = this.#answer(header.compId, sourceIp, message.typeOfService, message.protocolType);
      socket.end(encodeMessage({ seqNum: 1, compId: header.compId }, answer.response));
      const ev: LookupServedEvent = {
        endpoint: this.name,
        site: this.site,
        compId: header.compId,
        sourceIp,
        accepted: answer.response.status === LookupStatus.Accepted,
      };
      if (answer.response.lookupRejectCode !== undefined) ev.rejectCode = answer.response.lookupRejectCode;
      if (answer.response.reason !== undefined) ev.reason = answer.response.reason;
      if (answer.response.primaryIp !== undefined) ev.primary = `${answer.response.primaryIp}:${answer.response.primaryPort}`;
      if (answer.response.secondaryIp !== undefined) ev.secondary = `${answer.response.secondaryIp}:${answer.response.secondaryPort}`;
      this.#log.log('info', 'ocg.lookup', { ...ev });
      this.#o.onLookup?.(ev);
    });
    socket.on('end', () => {
      const e = done ? null : reader.end();
      if (e !== null) this.#log.log('warn', 'ocg.lookup.truncated', { endpoint: this.name, sourceIp, detail: e.detail });
      // Already ended after the answer: a second end() only builds an error (a stack trace per lookup).
      if (!socket.writableEnded) socket.end();
    });
    socket.on('error', () => {
      /* reset by the client: nothing to do */
    });
    socket.on('close', () => {
      finish();
      this.#sockets.delete(socket);
    });
  }

  #answer(compId: string, sourceIp: string, typeOfService: number | undefined, protocolType: number | undefined): { response: LookupResponse } {
    const reject = (code: number, reason: string) => ({
      response: { msgType: OcgMsgType.LookupResponse, status: LookupStatus.Rejected, lookupRejectCode: code, reason } as LookupResponse,
    });
    const entry = this.#o.clients(compId);
    // Reasons name no client value: the header's bytes need not be ASCII, the wire's are (§2.5).
    if (entry === undefined) return reject(LookupRejectCode.InvalidClient, 'unknown Comp ID');
    // §1.2: the request must come from a registered IP of the Comp ID in its header.
    if (!entry.sourceIps.includes(sourceIp)) return reject(LookupRejectCode.InvalidClient, `source IP ${sourceIp} not registered`);
    if (entry.blocked === true) return reject(LookupRejectCode.ClientBlocked, 'client is blocked');
    if (typeOfService !== TypeOfService.OrderInput) return reject(LookupRejectCode.InvalidServiceType, `Type Of Service ${typeOfService}`);
    if (protocolType !== ProtocolType.Binary) return reject(LookupRejectCode.InvalidProtocol, `Protocol Type ${protocolType}`);
    const pair = this.#o.gateways();
    if (pair === null) return reject(LookupRejectCode.Other, 'no trading gateway available');
    return {
      response: {
        msgType: OcgMsgType.LookupResponse,
        status: LookupStatus.Accepted,
        primaryIp: pair.primary.host,
        primaryPort: pair.primary.port,
        secondaryIp: pair.secondary.host,
        secondaryPort: pair.secondary.port,
      },
    };
  }
}

// Loopback harness for gateway tests: an OcgGateway over a real MatchingEngine, and a minimal
// test client (a client-role OcgSession over a socket) that records everything it receives.
import net from 'node:net';
import { once } from 'node:events';
import { ManualClock } from '../../src/wire/index.ts';
import type { Clock } from '../../src/wire/index.ts';
import { OcgFrameReader, OcgMsgType, decodeFrame, toPrice, toQty } from '../../src/ocg/index.ts';
import type { NewOrder, OcgHeader, OcgMessage } from '../../src/ocg/index.ts';
import { OcgSession } from '../../src/ocg/session.ts';
import type { OcgSessionEvent } from '../../src/ocg/session.ts';
import { MemorySessionStore } from '../../src/ocg/session-store.ts';
import type { SessionJournal } from '../../src/ocg/session-store.ts';
import { encryptPassword, generateVenueKeyPair, hashPassword } from '../../src/ocg/password.ts';
import type { VenueKeyPair } from '../../src/ocg/password.ts';
import { OcgGateway } from '../../src/ocg/gateway.ts';
import type { CompIdConfig, GatewayEvent, OcgGatewayOptions } from '../../src/ocg/gateway.ts';
import { MemoryLogger } from '../../src/ocg/log.ts';
import { MatchingEngine } from '../../src/venue/index.ts';
import { profileFor } from '../../src/ocg/index.ts';
import { waitFor as waitUntil } from '../helpers/wait.ts';

let keys: VenueKeyPair | null = null;
/** One RSA keypair per test process (generation costs ~0.2 s). */
export function testKeys(): VenueKeyPair {
  keys ??= generateVenueKeyPair();
  return keys;
}

/** Cheap scrypt cost for tests. */
export const TEST_HASH_COST = { N: 1024, r: 1, p: 1 };
export const PASSWORD = 'Abcd1234';
const hashOnce = new Map<string, string>();
export function testHash(pw = PASSWORD): string {
  let h = hashOnce.get(pw);
  if (h === undefined) {
    h = hashPassword(pw, TEST_HASH_COST);
    hashOnce.set(pw, h);
  }
  return h;
}

export function comp(compId: string, firm: string, extra: Partial<CompIdConfig> = {}): CompIdConfig {
  return { compId, firm, sourceIps: ['127.0.0.1'], passwordHash: testHash(), throttleMps: 0, ...extra };
}

export interface TestVenue {
  gateway: OcgGateway;
  engine: MatchingEngine;
  clock: ManualClock;
  log: MemoryLogger;
  events: GatewayEvent[];
  port: number;
  close(): Promise<void>;
}

export async function startVenue(
  comps: CompIdConfig[],
  opts: Partial<OcgGatewayOptions> & { engine?: MatchingEngine; clock?: ManualClock } = {},
): Promise<TestVenue> {
  const clock = opts.clock ?? new ManualClock();
  const engine =
    opts.engine ?? new MatchingEngine({ profile: profileFor('OTP-C'), securities: [{ securityId: '700', lotSize: 100, referencePrice: 395_800 }] }, clock);
  const log = new MemoryLogger();
  const events: GatewayEvent[] = [];
  const gateway = new OcgGateway({
    service: 'OTP-C',
    privateKeyPem: testKeys().privateKeyPem,
    compIds: comps,
    router: engine,
    clock,
    log,
    passwordWorkers: 0,
    onEvent: (e) => events.push(e),
    store: new MemorySessionStore(),
    ...opts,
  });
  const { port } = await gateway.start();
  return { gateway, engine, clock, log, events, port, close: () => gateway.close() };
}

export interface TestClient {
  session: OcgSession;
  socket: net.Socket;
  journal: SessionJournal;
  received: { message: OcgMessage; header: OcgHeader }[];
  /** Every frame received, decoded (also duplicates the session ignores). */
  frames: { message: OcgMessage; header: OcgHeader }[];
  events: OcgSessionEvent[];
  closed: Promise<void>;
  isClosed: () => boolean;
  /** While true the client's frames are dropped instead of sent (a client that stopped answering). */
  mute: boolean;
  /** Bytes received in total (a silent close shows 0). */
  bytes: () => number;
  waitFor<T>(pick: () => T | undefined | false | null, what: string, timeoutMs?: number): Promise<T>;
  /** Resolves when the Logon reply (or refusal) arrived. */
  logon(password?: string, newPassword?: string): Promise<void>;
  close(): Promise<void>;
}

export async function connectClient(
  port: number,
  compId: string,
  opts: { clock: Clock; journal?: SessionJournal; localAddress?: string },
): Promise<TestClient> {
  const socket = net.connect({ port, host: '127.0.0.1', localAddress: opts.localAddress ?? '127.0.0.1' });
  await once(socket, 'connect');
  socket.setNoDelay(true);
  const journal = opts.journal ?? new MemorySessionStore().journal(compId);
  const reader = new OcgFrameReader();
  const received: TestClient['received'] = [];
  const frames: TestClient['frames'] = [];
  const events: OcgSessionEvent[] = [];
  let bytes = 0;
  let closed = false;
  const session = new OcgSession({
    role: 'client',
    compId,
    journal,
    clock: opts.clock,
    send: (f) => {
      if (!socket.destroyed && !client.mute) socket.write(f);
    },
    disconnect: () => socket.end(),
    onMessage: (message, header) => received.push({ message, header }),
    onEvent: (e) => events.push(e),
  });
  socket.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    reader.push(chunk);
    for (;;) {
      const f = reader.nextFrame();
      if (f === null) break;
      if (!(f instanceof Uint8Array)) {
        session.onFramingError(f);
        break;
      }
      const d = decodeFrame(f, 0, f.length);
      if (d.ok) frames.push({ header: d.header, message: d.message });
      session.onFrame(f);
    }
  });
  socket.on('error', () => {});
  const closedP = new Promise<void>((r) =>
    socket.on('close', () => {
      closed = true;
      session.onTransportClosed();
      r();
    }),
  );
  const waitFor = async <T>(pick: () => T | undefined | false | null, what: string, timeoutMs = 3000): Promise<T> => {
    let v: T | undefined | false | null;
    await waitUntil(
      what,
      () => {
        v = pick();
        return v !== undefined && v !== false && v !== null;
      },
      timeoutMs,
    );
    return v as T;
  };
  const client: TestClient = {
    mute: false,
    session,
    socket,
    journal,
    received,
    frames,
    events,
    closed: closedP,
    isClosed: () => closed,
    bytes: () => bytes,
    waitFor,
    async logon(password = PASSWORD, newPassword?: string) {
      const pw = encryptPassword(testKeys().publicKeyPem, password, opts.clock.now());
      session.startLogon(
        newPassword === undefined
          ? { password: pw }
          : { password: pw, newPassword: encryptPassword(testKeys().publicKeyPem, newPassword, opts.clock.now(), { withTimePrefix: false }) },
      );
      await waitFor(() => session.state !== 'logonSent' || closed, 'the Logon reply');
    },
    async close() {
      socket.destroy();
      await closedP;
    },
  };
  return client;
}

let clOrd = 1000;
export function newOrder(side: 1 | 2, qty: number, price: number, broker = '1001', extra: Partial<NewOrder> = {}): NewOrder {
  return {
    msgType: OcgMsgType.NewOrder,
    clientOrderId: String(++clOrd),
    submittingBrokerId: broker,
    securityId: '700',
    securityIdSource: 8,
    securityExchange: 'XHKG',
    transactionTime: '20260109-01:30:00.000000',
    side,
    orderType: 2,
    price: toPrice(price),
    orderQuantity: toQty(qty),
    disclosureInstructions: 1,
    submittingBcanField: 'ABC123.2568',
    ...extra,
  };
}

/** Execution Reports a client received, as [execType, clientOrderId, orderStatus]. */
export function ers(c: TestClient): { execType: string; clientOrderId: string; orderStatus: number; possDup: boolean; execRestatementReason?: number }[] {
  return c.received
    .filter((r) => r.message.msgType === OcgMsgType.ExecutionReport)
    .map((r) => {
      const m = r.message as { execType: string; clientOrderId: string; orderStatus: number; execRestatementReason?: number };
      const o: { execType: string; clientOrderId: string; orderStatus: number; possDup: boolean; execRestatementReason?: number } = {
        execType: m.execType,
        clientOrderId: m.clientOrderId,
        orderStatus: m.orderStatus,
        possDup: r.header.possDup,
      };
      if (m.execRestatementReason !== undefined) o.execRestatementReason = m.execRestatementReason;
      return o;
    });
}

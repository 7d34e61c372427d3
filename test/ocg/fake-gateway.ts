// A small OCG-C trading gateway for client tests: a TCP server whose connections each run an
// OcgSession in the gateway role over a SessionStore that several instances may share (a primary
// and a backup site resuming the same sessions, spec note §4). Business logic is a stub: every
// New Order is acknowledged ('0'), every Cancel cancelled ('4'), every Amend amended ('5').
// Test switches: refuse logons, drop chosen outbound frames (a gap), go silent (a black hole),
// drop every connection (a site loss).
import net from 'node:net';
import { constants, privateDecrypt } from 'node:crypto';
import { OcgFrameReader, OcgMsgType, SessionStatus, decodeMessage, peekHeader, restampFrame, toQty } from '../../src/ocg/index.ts';
import type { ExecutionReport, Logon, OcgMessage } from '../../src/ocg/index.ts';
import { OcgSession, journalMessage } from '../../src/ocg/session.ts';
import type { SessionStore } from '../../src/ocg/session-store.ts';

export interface FakeGatewayOptions {
  store: SessionStore;
  /** Execution IDs unique across gateways sharing the store (unique per day, §5.1). */
  ids: { next: number };
  /** Verify the RSA password (§1.4) against `passwords` when given. */
  privateKeyPem?: string;
  passwords?: Record<string, string>;
  port?: number;
}

export interface FakeGateway {
  port: number;
  /** Business messages received, in order, with their header seq. */
  received: { message: OcgMessage; seq: number; possDup: boolean }[];
  /** Header seq of every inbound frame, in wire order (Logons included). */
  wire: number[];
  /** Logons seen: header seq and Next Expected, accepted or not. */
  logons: { seq: number; nextExpected: number; accepted: boolean }[];
  /** Status to refuse every logon with (Logout + Session Status), when set. */
  refuseStatus: number | null;
  /** Outbound frames for which this returns true are journalled but not written (a gap). */
  dropOutbound: (m: OcgMessage) => boolean;
  /** True: read nothing, write nothing (black hole; TCP stays up). */
  silent: boolean;
  sessions: OcgSession[];
  /** Send to the Comp ID now, or journal it for the next logon when it is not connected (§3.13). */
  push(compId: string, body: OcgMessage): void;
  /** Write a stored frame again under a new seq with PossResend = 1 (§3.13). */
  resendAsPossResend(compId: string, seq: number): void;
  /** Write raw bytes on the Comp ID's connection (bad input tests). */
  writeRaw(compId: string, bytes: Uint8Array): void;
  /** Abrupt loss: destroy every connection (the server keeps listening). */
  dropConnections(): void;
  open(): Promise<void>;
  close(): Promise<void>;
}

export async function fakeGateway(o: FakeGatewayOptions): Promise<FakeGateway> {
  let server: net.Server | null = null;
  const sockets = new Set<net.Socket>();
  const live = new Map<string, { session: OcgSession; socket: net.Socket }>();
  const g: FakeGateway = {
    port: o.port ?? 0,
    received: [],
    wire: [],
    logons: [],
    refuseStatus: null,
    dropOutbound: () => false,
    silent: false,
    sessions: [],
    push(compId, body) {
      const l = live.get(compId);
      if (l !== undefined && l.session.loggedOn) l.session.sendMessage(body);
      else journalMessage(o.store.journal(compId), compId, body);
    },
    resendAsPossResend(compId, seq) {
      const l = live.get(compId)!;
      const j = o.store.journal(compId);
      const frame = j.sent(seq)!;
      const newSeq = j.nextToSend;
      const f = restampFrame(frame, { seqNum: newSeq, possResend: true });
      j.setNextToSend(newSeq + 1);
      j.saveSent(newSeq, f);
      l.socket.write(f);
    },
    writeRaw(compId, bytes) {
      live.get(compId)!.socket.write(bytes);
    },
    dropConnections() {
      for (const s of sockets) s.destroy();
    },
    async open() {
      server = net.createServer(onConnection);
      const s = server;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(g.port, '127.0.0.1', () => resolve());
      });
      g.port = (s.address() as net.AddressInfo).port;
    },
    async close() {
      const s = server;
      server = null;
      for (const x of g.sessions) x.close('test over');
      for (const sock of sockets) sock.destroy();
      if (s) await new Promise<void>((r) => s.close(() => r()));
    },
  };

  const ack = (m: OcgMessage): ExecutionReport | null => {
    const base = {
      msgType: OcgMsgType.ExecutionReport,
      submittingBrokerId: '1001',
      securityIdSource: 8,
      securityExchange: 'XHKG',
      transactionTime: '20260109-01:30:00.000000',
      executionId: `E${o.ids.next++}`,
      cumulativeQuantity: 0n,
      leavesQuantity: toQty(100),
    } as const;
    if (m.msgType === OcgMsgType.NewOrder) {
      return {
        ...base,
        clientOrderId: m.clientOrderId!,
        securityId: m.securityId!,
        side: m.side!,
        orderId: `O${m.clientOrderId}`,
        orderStatus: 0,
        execType: '0',
      };
    }
    if (m.msgType === OcgMsgType.CancelRequest) {
      return {
        ...base,
        clientOrderId: m.clientOrderId!,
        originalClientOrderId: m.originalClientOrderId!,
        securityId: m.securityId!,
        side: m.side!,
        orderId: `O${m.originalClientOrderId}`,
        orderStatus: 4,
        execType: '4',
        leavesQuantity: 0n,
      };
    }
    if (m.msgType === OcgMsgType.AmendRequest) {
      return {
        ...base,
        clientOrderId: m.clientOrderId!,
        originalClientOrderId: m.originalClientOrderId!,
        securityId: m.securityId!,
        side: m.side!,
        orderId: `O${m.originalClientOrderId}`,
        orderStatus: 0,
        execType: '5',
      };
    }
    return null;
  };

  function onConnection(socket: net.Socket): void {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => {});
    const reader = new OcgFrameReader();
    let session: OcgSession | null = null;
    let compId = '';
    socket.on('close', () => {
      sockets.delete(socket);
      session?.onTransportClosed();
      if (live.get(compId)?.socket === socket) live.delete(compId);
    });
    socket.on('data', (chunk: Buffer) => {
      if (g.silent) return;
      reader.push(chunk);
      for (let f = reader.nextFrame(); f !== null; f = reader.nextFrame()) {
        if (!(f instanceof Uint8Array)) {
          socket.destroy();
          return;
        }
        g.wire.push(peekHeader(f)!.seqNum);
        if (session === null) {
          const d = decodeMessage(f);
          if (!d.ok || d.message.msgType !== OcgMsgType.Logon) {
            socket.destroy();
            return;
          }
          compId = d.header.compId;
          const logon = d.message as Logon;
          const s = new OcgSession({
            role: 'gateway',
            compId,
            journal: o.store.journal(compId),
            clock: { now: Date.now, setTimeout: () => ({ cancel() {} }), setInterval: () => ({ cancel() {} }) },
            send: (frame) => {
              if (g.silent || socket.destroyed) return;
              const h = peekHeader(frame)!;
              if (h.msgType === OcgMsgType.ExecutionReport && !h.possDup) {
                const dm = decodeMessage(frame);
                if (dm.ok && g.dropOutbound(dm.message)) return;
              }
              socket.write(frame);
            },
            disconnect: () => socket.destroy(),
            onMessage: (m, h) => {
              g.received.push({ message: m, seq: h.seqNum, possDup: h.possDup });
              const er = ack(m);
              if (er !== null) s.sendMessage(er);
            },
          });
          session = s;
          g.sessions.push(s);
          let ok = true;
          if (o.privateKeyPem !== undefined && o.passwords !== undefined) {
            try {
              const plain = privateDecrypt(
                { key: o.privateKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
                Buffer.from(logon.password ?? '', 'base64'),
              ).toString('latin1');
              ok = plain.slice(14) === o.passwords[compId];
            } catch {
              ok = false;
            }
          }
          if (!ok) {
            g.logons.push({ seq: d.header.seqNum, nextExpected: logon.nextExpectedMessageSequence ?? 0, accepted: false });
            s.refuseLogon(SessionStatus.InvalidUsernameOrPassword, 'invalid username or password');
            continue;
          }
          if (g.refuseStatus !== null) {
            g.logons.push({ seq: d.header.seqNum, nextExpected: logon.nextExpectedMessageSequence ?? 0, accepted: false });
            s.refuseLogon(g.refuseStatus, 'refused by test');
            continue;
          }
          live.set(compId, { session: s, socket });
          const r = s.acceptLogon(d.header, logon, { sessionStatus: SessionStatus.SessionActive });
          g.logons.push({ seq: d.header.seqNum, nextExpected: logon.nextExpectedMessageSequence ?? 0, accepted: r.ok });
          continue;
        }
        session.onFrame(f);
      }
    });
  }

  await g.open();
  return g;
}

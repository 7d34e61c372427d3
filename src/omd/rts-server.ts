// Retransmission Service, exchange side (OMD-C 3.5, 4.3; spec/omd-c.md §3.4, §4.4).
// TCP, every unit a packet framed by PktSize. Logon within 5 s, one session per
// user, requests served in order, 30 s server heartbeat echoed within 5 s.
// Malformed input closes that connection only.
import net from 'node:net';
import { EventEmitter } from 'node:events';
import { systemClock, type Clock, type TimerHandle } from '../wire/index.ts';
import { decodePacket, encodeHeartbeat, encodePacket, nowSendTimeNs, PacketStreamReader, DEFAULT_MAX_PACKET_SIZE } from './packet.ts';
import { RetransStatus, SessionStatus, type OmdMessage } from './messages.ts';
import type { RetransmissionWindow } from './retransmission-window.ts';

export interface RetransmissionServerOptions {
  /** Usernames allowed to log on (Logon Username, ≤ 12 chars). */
  users: readonly string[];
  /** The window of a real-time ChannelID, or undefined when the channel is unknown (status 1). */
  windowFor: (channelId: number) => RetransmissionWindow | undefined;
  clock?: Clock;
  /** Maximum sequence range per request, inclusive count (OMD-C 4.3: 10,000; §12 U8). */
  maxRange?: number;
  /** Requests per user per day over all channels (OMD-C 4.3: 1,000). */
  maxRequestsPerDay?: number;
  logonTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  heartbeatResponseTimeoutMs?: number;
  maxPacketSize?: number;
}

export interface RtsServerLogonEvent {
  username: string;
  remoteAddress: string;
  remotePort: number;
  /** SessionStatus sent: 0 active, 5 invalid user, 100 already connected. */
  status: number;
}

export interface RtsServerRequestEvent {
  username: string;
  remoteAddress: string;
  remotePort: number;
  channelId: number;
  beginSeqNum: number;
  endSeqNum: number;
  /** RetransStatus sent (0, 1, 2, 100, 101). */
  status: number;
  /** Messages retransmitted (0 unless accepted). */
  messages: number;
}

export interface RtsServerDisconnectEvent {
  username: string | null;
  remoteAddress: string;
  reason: 'logon-timeout' | 'logon-rejected' | 'heartbeat-timeout' | 'malformed' | 'quota-exceeded' | 'client-closed' | 'server-stopped';
}

type ConnState = 'awaiting-logon' | 'active' | 'closing';

class RtsConnection {
  readonly socket: net.Socket;
  readonly reader = new PacketStreamReader();
  state: ConnState = 'awaiting-logon';
  username: string | null = null;
  logonTimer: TimerHandle | null = null;
  heartbeatTimer: TimerHandle | null = null;
  echoTimer: TimerHandle | null = null;
  pendingHeartbeat: Uint8Array | null = null;
  closeReason: RtsServerDisconnectEvent['reason'] = 'client-closed';

  constructor(socket: net.Socket) {
    this.socket = socket;
  }

  cancelTimers(): void {
    this.logonTimer?.cancel();
    this.heartbeatTimer?.cancel();
    this.echoTimer?.cancel();
    this.logonTimer = this.heartbeatTimer = this.echoTimer = null;
  }
}

/**
 * The RTS of one site: listens on that site's endpoints (two per site, OMD-C 3.4);
 * sessions and the daily quota are shared by all its endpoints.
 * Events: 'rts-logon' (RtsServerLogonEvent), 'rts-request' (RtsServerRequestEvent), 'rts-disconnect' (RtsServerDisconnectEvent).
 */
export class RetransmissionServer extends EventEmitter {
  readonly #opts: Required<Omit<RetransmissionServerOptions, 'users'>> & { users: Set<string> };
  readonly #servers: net.Server[] = [];
  readonly #conns = new Set<RtsConnection>();
  /** Usernames with an active session (one at a time, OMD-C 4.3). */
  readonly #activeUsers = new Set<string>();
  readonly #requestsToday = new Map<string, number>();

  constructor(opts: RetransmissionServerOptions) {
    super();
    this.#opts = {
      users: new Set(opts.users),
      windowFor: opts.windowFor,
      clock: opts.clock ?? systemClock,
      maxRange: opts.maxRange ?? 10_000,
      maxRequestsPerDay: opts.maxRequestsPerDay ?? 1_000,
      logonTimeoutMs: opts.logonTimeoutMs ?? 5_000,
      heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 30_000,
      heartbeatResponseTimeoutMs: opts.heartbeatResponseTimeoutMs ?? 5_000,
      maxPacketSize: opts.maxPacketSize ?? DEFAULT_MAX_PACKET_SIZE,
    };
  }

  /** Listens on host:port (port 0 = any); resolves with the bound port. */
  async listen(host: string, port: number): Promise<number> {
    const server = net.createServer((socket) => this.#accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', () => {
      /* accept errors affect one connection attempt only */
    });
    this.#servers.push(server);
    return (server.address() as net.AddressInfo).port;
  }

  /** Requests used today by a user. */
  requestsToday(username: string): number {
    return this.#requestsToday.get(username) ?? 0;
  }

  /** Starts a new business day for the quota (OMD-C 4.3 counts per day). */
  resetDailyQuota(): void {
    this.#requestsToday.clear();
  }

  get connections(): number {
    return this.#conns.size;
  }

  /**
   * Stops listening and destroys every connection, including one already ending: a refused
   * client that keeps its half of the socket open must not hold the shutdown.
   */
  async close(): Promise<void> {
    for (const c of this.#conns) {
      if (c.state !== 'closing') this.#drop(c, 'server-stopped', true);
      else c.socket.destroy();
    }
    await Promise.all(this.#servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.#servers.length = 0;
  }

  #accept(socket: net.Socket): void {
    const c = new RtsConnection(socket);
    this.#conns.add(c);
    socket.setNoDelay(true);
    c.logonTimer = this.#opts.clock.setTimeout(() => this.#drop(c, 'logon-timeout', true), this.#opts.logonTimeoutMs);
    socket.on('data', (chunk) => this.#onData(c, chunk));
    socket.on('error', () => {
      /* reset by peer etc.: 'close' follows */
    });
    socket.on('close', () => this.#cleanup(c));
  }

  #cleanup(c: RtsConnection): void {
    if (!this.#conns.delete(c)) return;
    c.cancelTimers();
    // Only an active session owns its username; a rejected duplicate logon must not free it.
    if (c.state === 'active' && c.username) this.#activeUsers.delete(c.username);
    this.emit('rts-disconnect', {
      username: c.username,
      remoteAddress: c.socket.remoteAddress ?? '',
      reason: c.closeReason,
    } satisfies RtsServerDisconnectEvent);
  }

  /** Ends a connection: graceful end after what was written (rejections) or destroy (timeouts, garbage). */
  #drop(c: RtsConnection, reason: RtsServerDisconnectEvent['reason'], destroy: boolean): void {
    if (c.state === 'closing') return;
    if (c.state === 'active' && c.username) this.#activeUsers.delete(c.username);
    c.state = 'closing';
    c.closeReason = reason;
    c.cancelTimers();
    if (destroy) c.socket.destroy();
    else {
      c.socket.end();
      // A peer that never closes its half would keep the connection for ever: bounded by the logon timeout.
      c.logonTimer = this.#opts.clock.setTimeout(() => c.socket.destroy(), this.#opts.logonTimeoutMs);
    }
  }

  #write(c: RtsConnection, pkt: Uint8Array): void {
    if (!c.socket.destroyed && c.socket.writable) c.socket.write(pkt);
  }

  #reply(c: RtsConnection, msg: OmdMessage): void {
    // Responses use the RTS framing: SeqNum and SendTime meaningless (OMD-C 3.5); we send 0 and now.
    this.#write(c, encodePacket(0, nowSendTimeNs(this.#opts.clock.now()), [msg]));
  }

  #onData(c: RtsConnection, chunk: Buffer): void {
    if (c.state === 'closing') return;
    const packets = c.reader.push(chunk);
    if (c.reader.error) return this.#drop(c, 'malformed', true);
    for (const pkt of packets) {
      if ((c.state as ConnState) === 'closing') return; // an earlier packet of this chunk ended the session
      this.#onPacket(c, pkt);
    }
  }

  #onPacket(c: RtsConnection, pkt: Uint8Array): void {
    const p = decodePacket(pkt);
    if (!p.ok) return this.#drop(c, 'malformed', true);
    if (p.header.msgCount === 0) {
      // Heartbeat echo: must be an exact byte copy of what we sent (OMD-C 3.5, §12 U4).
      if (c.pendingHeartbeat && equalBytes(pkt, c.pendingHeartbeat)) {
        c.pendingHeartbeat = null;
        c.echoTimer?.cancel();
        c.echoTimer = null;
      }
      return;
    }
    if (p.messages.length !== 1) return this.#drop(c, 'malformed', true); // client packets carry exactly one message
    const msg = p.messages[0]!;
    if (c.state === 'awaiting-logon') {
      if (msg.msgType !== 101) return this.#drop(c, 'malformed', true);
      return this.#onLogon(c, msg.username);
    }
    if (msg.msgType !== 201) return this.#drop(c, 'malformed', true);
    this.#onRequest(c, msg.channelId, msg.beginSeqNum, msg.endSeqNum);
  }

  #onLogon(c: RtsConnection, username: string): void {
    c.logonTimer?.cancel();
    c.logonTimer = null;
    c.username = username;
    let status: number = SessionStatus.Active;
    if (!this.#opts.users.has(username)) status = SessionStatus.InvalidUser;
    else if (this.#activeUsers.has(username)) status = SessionStatus.AlreadyConnected;
    this.#reply(c, { msgType: 102, sessionStatus: status });
    this.emit('rts-logon', {
      username,
      remoteAddress: c.socket.remoteAddress ?? '',
      remotePort: c.socket.remotePort ?? 0,
      status,
    } satisfies RtsServerLogonEvent);
    if (status !== SessionStatus.Active) return this.#drop(c, 'logon-rejected', false); // OMD-C 3.5.2: close right after
    this.#activeUsers.add(username);
    c.state = 'active';
    c.heartbeatTimer = this.#opts.clock.setInterval(() => this.#heartbeat(c), this.#opts.heartbeatIntervalMs);
  }

  #heartbeat(c: RtsConnection): void {
    if (c.state !== 'active') return;
    const hb = encodeHeartbeat(0, nowSendTimeNs(this.#opts.clock.now()));
    c.pendingHeartbeat = hb;
    this.#write(c, hb);
    c.echoTimer?.cancel();
    c.echoTimer = this.#opts.clock.setTimeout(() => {
      if (c.pendingHeartbeat === hb) this.#drop(c, 'heartbeat-timeout', true);
    }, this.#opts.heartbeatResponseTimeoutMs);
  }

  #onRequest(c: RtsConnection, channelId: number, begin: number, end: number): void {
    const user = c.username!;
    const used = (this.#requestsToday.get(user) ?? 0) + 1;
    this.#requestsToday.set(user, used);
    const window = this.#opts.windowFor(channelId);
    let status: number;
    if (used > this.#opts.maxRequestsPerDay) status = RetransStatus.DailyLimitReached;
    else if (!window) status = RetransStatus.UnknownChannel;
    else if (begin === 0 || begin > end)
      status = RetransStatus.NotAvailable; // undefined by the spec; ours (§12 U8)
    else if (end - begin + 1 > this.#opts.maxRange)
      status = RetransStatus.RangeTooLarge; // inclusive count (§12 U8)
    else if (!window.covers(begin, end)) status = RetransStatus.NotAvailable;
    else status = RetransStatus.Accepted;
    // The response echoes ChannelID and the requested range (assumed for rejections too, §12 U8).
    this.#reply(c, { msgType: 202, channelId, retransStatus: status, beginSeqNum: begin, endSeqNum: end });
    let messages = 0;
    if (status === RetransStatus.Accepted) {
      for (const pkt of window!.packets(begin, end, nowSendTimeNs(this.#opts.clock.now()), this.#opts.maxPacketSize)) this.#write(c, pkt);
      messages = end - begin + 1;
    }
    this.emit('rts-request', {
      username: user,
      remoteAddress: c.socket.remoteAddress ?? '',
      remotePort: c.socket.remotePort ?? 0,
      channelId,
      beginSeqNum: begin,
      endSeqNum: end,
      status,
      messages,
    } satisfies RtsServerRequestEvent);
    if (status === RetransStatus.DailyLimitReached) this.#drop(c, 'quota-exceeded', false); // OMD-C 3.5.4: server then closes
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

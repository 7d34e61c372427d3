// Faults of a backbone change, injected at one site: TCP reset of every connection, a
// silent black hole, a flapping link, multicast stopping mid-stream, loss on line A only, and the
// process killed outright. The site owns one FaultInjector; its lossFilter sits in every OMD
// publisher of the site, and its socket registry sees every TCP connection of the site's host.
//
// Sockets are found through node:diagnostics_channel 'net.server.socket' (every accepted
// connection in the process) filtered by the local address = the site's host, so two sites
// embedded in one process on 127.0.0.2 / 127.0.0.3 each see only their own; sockets the site
// opens itself (the journal link) are registered explicitly.
import dc from 'node:diagnostics_channel';
import type net from 'node:net';
import { systemClock } from '../wire/index.ts';
import type { Clock, TimerHandle } from '../wire/index.ts';
import type { PublisherLine } from '../omd/index.ts';
import type { FaultKind, FaultRequest } from './control-api.ts';

function plainIp(ip: string | undefined): string {
  return ip !== undefined && ip.startsWith('::ffff:') ? ip.slice(7) : (ip ?? '');
}

/** Every live TCP socket of one site (by its host address), plus the ones it registers. */
export class SiteSockets {
  readonly host: string;
  readonly #live = new Set<net.Socket>();
  readonly #excludedPorts = new Set<number>();
  readonly #listener: (msg: unknown) => void;
  /** Called for each new socket (the black hole applies itself to late arrivals). */
  onNew: ((socket: net.Socket) => void) | null = null;

  constructor(host: string) {
    this.host = host;
    this.#listener = (msg) => {
      const socket = (msg as { socket?: net.Socket }).socket;
      if (socket !== undefined && plainIp(socket.localAddress) === host && !this.#excludedPorts.has(socket.localPort ?? -1)) this.add(socket);
    };
    dc.subscribe('net.server.socket', this.#listener);
  }

  /** Connections to this local port are not the backbone's (the control API must survive faults). */
  exclude(port: number): void {
    this.#excludedPorts.add(port);
  }

  add(socket: net.Socket): void {
    if (this.#live.has(socket) || socket.destroyed) return;
    this.#live.add(socket);
    socket.once('close', () => this.#live.delete(socket));
    this.onNew?.(socket);
  }

  all(): net.Socket[] {
    return [...this.#live];
  }

  close(): void {
    dc.unsubscribe('net.server.socket', this.#listener);
    this.#live.clear();
  }
}

export interface FaultInjectorOptions {
  sockets: SiteSockets;
  clock?: Clock;
  /** The site dies without a goodbye (own process: SIGKILL; embedded: destroy everything). */
  kill: () => void;
  /** A fault started or ended (evidence, logs). */
  onChange?: (kind: FaultKind, active: FaultKind[]) => void;
  /**
   * After a black hole clears, the site's multicast stays silent this long (ms; default 0). A site
   * that was active when it was cut off does not know yet whether the other site took over: if it
   * did, its FENCE arrives as soon as the journal link is back, and in the meantime the old site's
   * market data would reach subscribers beside the new site's on the same groups (split brain:
   * sequence numbers from two sites, gaps no retransmission can fill). The site passes its
   * replication timeout, the time within which it would hear that.
   */
  healQuietMs?: number;
}

/** Injects one site's faults. `lossFilter` goes into every OmdPublisher of the site. */
export class FaultInjector {
  readonly #o: FaultInjectorOptions;
  readonly #clock: Clock;
  #blackhole = false;
  /** Multicast stays dropped until this clock time after a black hole cleared (0: not quiet). */
  #quietUntil = 0;
  /** Sockets held: their write/end calls are queued until the link is back (as TCP retransmits). */
  readonly #held = new Map<net.Socket, { write: net.Socket['write']; end: net.Socket['end']; queued: Array<() => void> }>();
  #multicastLeft: number | null = null;
  #lineALoss = 0;
  #lineAAcc = 0;
  #flapping = false;
  #timers: TimerHandle[] = [];

  constructor(opts: FaultInjectorOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? systemClock;
    opts.sockets.onNew = (s) => {
      if (this.#blackhole) this.#hold(s);
    };
  }

  get active(): FaultKind[] {
    const out: FaultKind[] = [];
    if (this.#flapping) out.push('flap');
    else if (this.#blackhole) out.push('blackhole');
    if (this.#multicastLeft !== null) out.push('multicast-stop');
    if (this.#lineALoss > 0) out.push('loss-line-a');
    return out;
  }

  /** A socket the black hole holds (its writes queued). */
  isHeld(socket: net.Socket): boolean {
    return this.#held.has(socket);
  }

  get blackholed(): boolean {
    return this.#blackhole;
  }

  /** For OmdPublisher `lossFilter`: true = this datagram is not sent. */
  readonly lossFilter = (line: PublisherLine, _channelId: number, _firstSeq: number, _count: number): boolean => {
    if (this.#blackhole) return true;
    if (this.#quietUntil !== 0) {
      if (this.#clock.now() < this.#quietUntil) return true;
      this.#quietUntil = 0;
    }
    if (this.#multicastLeft !== null) {
      if (this.#multicastLeft <= 0) return true;
      this.#multicastLeft--;
    }
    if (line === 'A' && this.#lineALoss > 0) {
      // Deterministic share of line A datagrams (ratio 0.5: every second one).
      this.#lineAAcc += this.#lineALoss;
      if (this.#lineAAcc >= 1) {
        this.#lineAAcc -= 1;
        return true;
      }
    }
    return false;
  };

  inject(req: FaultRequest): FaultKind[] {
    switch (req.kind) {
      case 'tcp-reset':
        for (const s of this.#o.sockets.all()) {
          try {
            s.resetAndDestroy();
          } catch {
            s.destroy(); // not connected yet: nothing to reset
          }
        }
        break;
      case 'blackhole':
        this.#setBlackhole(true);
        if (req.durationMs !== undefined && req.durationMs > 0) this.#later(req.durationMs, () => this.#setBlackhole(false));
        break;
      case 'flap': {
        const down = req.downMs ?? 1_000,
          up = req.upMs ?? 1_000;
        this.#flapping = true;
        this.#setBlackhole(true);
        this.#later(down, () => {
          this.#setBlackhole(false);
          this.#later(up, () => this.#setBlackhole(true)); // and it stays down: the backup takes over
        });
        break;
      }
      case 'multicast-stop':
        this.#multicastLeft = req.afterPackets ?? 0;
        break;
      case 'loss-line-a':
        this.#lineALoss = req.ratio ?? 1;
        this.#lineAAcc = 0;
        if (req.durationMs !== undefined && req.durationMs > 0)
          this.#later(req.durationMs, () => {
            this.#lineALoss = 0;
          });
        break;
      case 'kill':
        this.#o.kill();
        break;
      case 'clear':
        this.clear();
        break;
    }
    this.#o.onChange?.(req.kind, this.active);
    return this.active;
  }

  /** Ends every lasting fault (the link is back: held bytes flow again, as TCP would retransmit them). */
  clear(): void {
    for (const t of this.#timers) t.cancel();
    this.#timers = [];
    this.#flapping = false;
    this.#setBlackhole(false);
    this.#multicastLeft = null;
    this.#lineALoss = 0;
  }

  #later(ms: number, fn: () => void): void {
    this.#timers.push(this.#clock.setTimeout(fn, ms));
  }

  #setBlackhole(on: boolean): void {
    const was = this.#blackhole;
    this.#blackhole = on;
    if (on) {
      for (const s of this.#o.sockets.all()) this.#hold(s);
    } else {
      const quiet = this.#o.healQuietMs ?? 0;
      if (was && quiet > 0) this.#quietUntil = this.#clock.now() + quiet;
      for (const [s, h] of this.#held) {
        s.write = h.write;
        s.end = h.end;
        if (s.destroyed) continue;
        for (const call of h.queued) call();
        s.resume();
      }
      this.#held.clear();
    }
  }

  // Nothing read, nothing written, no FIN, no RST: only the peers' heartbeat timers notice.
  // write()/end() are replaced on the instance (end() would otherwise uncork and send a FIN).
  #hold(s: net.Socket): void {
    if (this.#held.has(s) || s.destroyed) return;
    const h = { write: s.write, end: s.end, queued: [] as Array<() => void> };
    this.#held.set(s, h);
    s.pause();
    s.write = ((...args: unknown[]) => {
      h.queued.push(() => (h.write as (...a: unknown[]) => boolean).apply(s, args));
      return true;
    }) as net.Socket['write'];
    s.end = ((...args: unknown[]) => {
      h.queued.push(() => (h.end as (...a: unknown[]) => void).apply(s, args));
      return s;
    }) as net.Socket['end'];
    s.once('close', () => this.#held.delete(s));
  }

  stop(): void {
    for (const t of this.#timers) t.cancel();
    this.#timers = [];
  }
}

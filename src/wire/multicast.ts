// Multicast sockets with safe defaults. On this kind of machine the loopback
// interface has no MULTICAST flag and the default route would send 239.x out of
// the real NIC: whenever the configured interface is loopback, every sender pins
// its outgoing interface to 127.0.0.1 and every receiver joins on 127.0.0.1.
import dgram from 'node:dgram';

export const LOOPBACK_INTERFACE = '127.0.0.1';

export interface MulticastEndpoint {
  /** Multicast group, e.g. 239.1.1.1. */
  group: string;
  port: number;
}

export function isLoopback(iface: string): boolean {
  return iface.startsWith('127.') || iface === 'localhost';
}

export interface MulticastSender {
  readonly socket: dgram.Socket;
  /** The interface the sender is pinned to (what setMulticastInterface was given). */
  readonly interfaceAddress: string;
  send(buf: Uint8Array, dest: MulticastEndpoint): void;
  close(): Promise<void>;
}

/**
 * A UDP socket for sending multicast. `iface` defaults to loopback; for loopback
 * the socket is bound to 127.0.0.1 and setMulticastInterface('127.0.0.1') is
 * called before any datagram can leave, with multicast loop on and TTL 1.
 */
export async function createMulticastSender(iface: string = LOOPBACK_INTERFACE, ttl = 1): Promise<MulticastSender> {
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  const bindAddr = isLoopback(iface) ? LOOPBACK_INTERFACE : iface;
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, bindAddr, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  socket.setMulticastInterface(bindAddr);
  socket.setMulticastLoopback(true);
  socket.setMulticastTTL(ttl);
  socket.on('error', () => {
    /* send errors are per datagram; counted by callers via the callback */
  });
  return {
    socket,
    interfaceAddress: bindAddr,
    send(buf, dest) {
      socket.send(buf, dest.port, dest.group);
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

export interface MulticastReceiver {
  readonly socket: dgram.Socket;
  readonly interfaceAddress: string;
  close(): Promise<void>;
}

/**
 * Joins `dest.group` on `iface` (default loopback) and calls `onDatagram` for
 * every datagram received on dest.port. Several receivers may share a port
 * (reuseAddr), each filtering on its group membership.
 */
export async function createMulticastReceiver(
  dest: MulticastEndpoint,
  onDatagram: (buf: Buffer) => void,
  iface: string = LOOPBACK_INTERFACE,
  recvBufferSize = 8 * 1024 * 1024,
): Promise<MulticastReceiver> {
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  const joinAddr = isLoopback(iface) ? LOOPBACK_INTERFACE : iface;
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    // Bind to the group address so only that group's datagrams arrive on this socket.
    socket.bind(dest.port, dest.group, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  socket.addMembership(dest.group, joinAddr);
  try {
    socket.setRecvBufferSize(recvBufferSize);
  } catch {
    // The kernel caps the size at net.core.rmem_max; a smaller buffer still works.
  }
  socket.on('message', onDatagram);
  socket.on('error', () => {
    /* receive errors close nothing; the handler's gap logic covers lost datagrams */
  });
  return {
    socket,
    interfaceAddress: joinAddr,
    close: () =>
      new Promise<void>((resolve) => {
        try {
          socket.dropMembership(dest.group, joinAddr);
        } catch {
          /* already gone */
        }
        socket.close(() => resolve());
      }),
  };
}

/** How a receiver joins a group: createMulticastReceiver, or the join of a SharedMulticastReceivers. */
export type JoinMulticast = (dest: MulticastEndpoint, onDatagram: (buf: Buffer) => void, iface?: string) => Promise<MulticastReceiver>;

interface SharedGroup {
  receiver: Promise<MulticastReceiver>;
  listeners: Set<(buf: Buffer) => void>;
  /** Joins not yet closed, counted from the call: a join still waiting for the socket keeps it open. */
  members: number;
}

/**
 * Receivers of one process sharing one socket per group and interface. The kernel copies every
 * datagram once per member socket, in the sender's send on a single host: a hundred feed handlers
 * in one process, each with its own sockets, made the publisher copy each datagram a hundred
 * times (on a LAN the switch does that copy). Each listener still gets every datagram; the
 * buffer is shared, so listeners must not write into it.
 */
export class SharedMulticastReceivers {
  readonly #groups = new Map<string, SharedGroup>();

  /** Sockets open (one per group and interface joined by at least one listener). */
  get sockets(): number {
    return this.#groups.size;
  }

  /** Listeners of a group on an interface (0 when nobody has joined it). */
  listeners(dest: MulticastEndpoint, iface: string = LOOPBACK_INTERFACE): number {
    return this.#groups.get(SharedMulticastReceivers.#key(dest, iface))?.listeners.size ?? 0;
  }

  readonly join: JoinMulticast = async (dest, onDatagram, iface = LOOPBACK_INTERFACE) => {
    const key = SharedMulticastReceivers.#key(dest, iface);
    let g = this.#groups.get(key);
    if (g === undefined) {
      const listeners = new Set<(buf: Buffer) => void>();
      const created: SharedGroup = {
        listeners,
        members: 0,
        receiver: createMulticastReceiver(
          dest,
          (buf) => {
            for (const l of listeners) l(buf);
          },
          iface,
        ),
      };
      g = created;
      this.#groups.set(key, created);
      created.receiver.catch(() => {
        if (this.#groups.get(key) === created) this.#groups.delete(key);
      });
    }
    const group = g;
    group.members++;
    let shared: MulticastReceiver;
    try {
      shared = await group.receiver;
    } catch (e) {
      group.members--;
      throw e;
    }
    // Each join is its own listener, even when one callback joins twice.
    const listener = (buf: Buffer) => onDatagram(buf);
    group.listeners.add(listener);
    let closed = false;
    return {
      socket: shared.socket,
      interfaceAddress: shared.interfaceAddress,
      close: async () => {
        if (closed) return;
        closed = true;
        group.listeners.delete(listener);
        group.members--;
        if (group.members > 0 || this.#groups.get(key) !== group) return;
        // The last listener left: the socket leaves the group. A join from now on opens a new one.
        this.#groups.delete(key);
        await shared.close();
      },
    };
  };

  static #key(dest: MulticastEndpoint, iface: string): string {
    return `${isLoopback(iface) ? LOOPBACK_INTERFACE : iface}|${dest.group}:${dest.port}`;
  }
}

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

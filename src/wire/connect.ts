// One TCP connection attempt with a deadline, for the clients of both trading protocols: the
// connected socket (no Nagle), or why not (an errno code, the timeout, or 'closed' when the
// caller gave up), never a throw and never a socket left behind.
import net from 'node:net';
import type { Clock } from './clock.ts';

export interface ConnectOptions {
  host: string;
  port: number;
  localAddress?: string;
  clock: Clock;
  timeoutMs: number;
  /** Aborting ends the attempt with 'closed'. */
  signal?: AbortSignal;
}

export function connectWithin(o: ConnectOptions): Promise<net.Socket | string> {
  return new Promise((resolve) => {
    if (o.signal?.aborted === true) return resolve('closed');
    let done = false;
    const socket = net.connect({ host: o.host, port: o.port, ...(o.localAddress ? { localAddress: o.localAddress } : {}) });
    const finish = (r: net.Socket | string) => {
      if (done) return;
      done = true;
      timer.cancel();
      o.signal?.removeEventListener('abort', onAbort);
      socket.removeListener('connect', onConnect);
      socket.removeListener('error', onError);
      if (typeof r === 'string') {
        socket.on('error', () => {});
        socket.destroy();
      }
      resolve(r);
    };
    const onConnect = () => {
      socket.setNoDelay(true);
      finish(socket);
    };
    const onError = (e: NodeJS.ErrnoException) => finish(e.code ?? e.message);
    const onAbort = () => finish('closed');
    const timer = o.clock.setTimeout(() => finish(`no connection within ${o.timeoutMs} ms`), o.timeoutMs);
    socket.once('connect', onConnect);
    socket.once('error', onError);
    o.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

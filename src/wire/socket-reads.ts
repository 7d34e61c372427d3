// TCP reads into one reused buffer instead of a new Buffer per read.
//
// A net.Socket's 'data' event hands out a fresh Buffer for every read, each with its own
// malloc'd backing store. At a few thousand reads a second those backing stores are freed in
// bulk after each young-generation collection (V8's ArrayBufferSweeper): measured on a Node
// TCP echo at 5,000 round trips a second, that freeing alone stalled the loop 0.5–0.8 ms about
// every 50 ms, and it was the largest single cause of order round trips over 200 µs left after
// busy polling (README "Low-latency profile"). Node can instead read into a caller's buffer
// (the documented `onread` option of net.connect / new net.Socket); nothing is allocated per read.
//
// One buffer serves every socket of the process: reads are delivered one at a time, each
// consumer must be done with the bytes (or have copied what it keeps) when its callback returns.
// OcgFrameReader is: it decodes the frames in the chunk in place and copies a partial frame.
//
// Servers: Node's net.Server has no onread option, so `staticReadServer` builds the accepted
// sockets itself (new net.Socket({ handle, onread })) from the listening handle's onconnection,
// as net.Server does, keeping its connection count so server.close() still waits for them, and
// publishing them on the 'net.server.socket' diagnostics channel (the venue's fault injector
// finds a site's sockets there).
// That handle is internal to Node; when its shape is not the expected one the server keeps
// Node's own sockets and 'data' events (`staticReadServer` returns false; the chunk handler
// is then fed from 'data'), so nothing breaks, it only allocates again.
import dc from 'node:diagnostics_channel';
import net from 'node:net';

const READ_BYTES = 64 * 1024;
/** Node publishes each accepted socket here (after 'connection'); so does our onconnection. */
const serverSocketChannel = dc.channel('net.server.socket');
const shared = Buffer.allocUnsafeSlow(READ_BYTES);

type ChunkHandler = (chunk: Buffer) => void;

/** A socket that reads into the shared buffer: where its bytes go. */
interface ReadState {
  handler: ChunkHandler | null;
  /** Bytes read before a handler was set (copied: the shared buffer is reused), delivered to it first. */
  early: Buffer[] | null;
}
const states = new WeakMap<net.Socket, ReadState>();

function onreadFor(st: ReadState): { buffer: Buffer; callback: (n: number, buf: Buffer) => boolean } {
  return {
    buffer: shared,
    callback: (n, buf) => {
      const h = st.handler;
      if (h !== null) h(buf.subarray(0, n));
      else (st.early ??= []).push(Buffer.from(buf.subarray(0, n)));
      return true;
    },
  };
}

/**
 * Where a socket's bytes go: into the shared buffer for sockets made by `connectStaticReads` or
 * accepted by a `staticReadServer`, else from 'data' events. The chunk is valid only during the call.
 */
export function onChunk(socket: net.Socket, fn: ChunkHandler): void {
  const st = states.get(socket);
  if (st === undefined) {
    socket.on('data', fn);
    return;
  }
  st.handler = fn;
  const kept = st.early;
  if (kept !== null) {
    st.early = null;
    for (const b of kept) fn(b);
  }
}

/** net.connect() with reads into the shared buffer (deliver them with onChunk). */
export function connectStaticReads(options: net.TcpNetConnectOpts): net.Socket {
  const st: ReadState = { handler: null, early: null };
  const socket = net.connect({ ...options, onread: onreadFor(st) });
  states.set(socket, st);
  return socket;
}

interface ListeningHandle {
  onconnection?: (err: number, clientHandle: unknown) => void;
}
interface ServerInternals {
  _handle?: ListeningHandle | null;
  _connections?: number;
  maxConnections?: number | null;
  blockList?: unknown;
}

/**
 * After server.listen() has bound: accepted sockets read into the shared buffer. Returns false
 * (and changes nothing) when this Node's server internals are not the expected ones.
 */
export function staticReadServer(server: net.Server): boolean {
  const s = server as unknown as ServerInternals;
  const handle = s._handle;
  if (handle == null || typeof handle.onconnection !== 'function' || typeof s._connections !== 'number') return false;
  const node = handle.onconnection;
  handle.onconnection = function onconnection(this: ListeningHandle, err: number, clientHandle: unknown): void {
    // Errors and Node's own limits (maxConnections, blockList) stay with Node.
    if (err !== 0 || clientHandle == null || s.maxConnections != null || s.blockList != null || server.listenerCount('drop') > 0) {
      node.call(this, err, clientHandle);
      return;
    }
    const st: ReadState = { handler: null, early: null };
    let socket: net.Socket;
    try {
      socket = new net.Socket({
        handle: clientHandle, allowHalfOpen: (server as unknown as { allowHalfOpen?: boolean }).allowHalfOpen === true,
        readable: true, writable: true, onread: onreadFor(st),
      } as unknown as net.SocketConstructorOpts);
    } catch {
      node.call(this, err, clientHandle);
      return;
    }
    states.set(socket, st);
    s._connections!++;
    const internals = socket as unknown as { server: net.Server; _server: net.Server };
    internals.server = server;
    internals._server = server;
    server.emit('connection', socket);
    if (serverSocketChannel.hasSubscribers) serverSocketChannel.publish({ socket });
  };
  return true;
}

// A minimal FIX initiator for tests: connects, sends tag=value messages with its own numbering,
// collects what the gateway sends. Not an engine: the QuickFIX test is the independent one.
import net from 'node:net';
import { FixStreamReader, encodeMessage, fieldOf, msgTypeOf, sendingTime } from '../../src/fix/index.ts';
import type { FixField, FixMessage } from '../../src/fix/index.ts';
import { encryptPassword } from '../../src/ocg/index.ts';

export class FixPeer {
  readonly socket: net.Socket;
  readonly received: FixMessage[] = [];
  garbled = 0;
  seq = 1;
  closed = false;
  readonly #waiters: (() => void)[] = [];

  readonly compId: string;

  private constructor(socket: net.Socket, compId: string) {
    this.socket = socket;
    this.compId = compId;
    const reader = new FixStreamReader();
    socket.on('data', (b) => {
      reader.push(b);
      for (let r = reader.next(); r !== null; r = reader.next()) {
        if (r.ok) this.received.push(r.message);
        else this.garbled++;
      }
      this.#wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
    socket.on('error', () => {});
  }

  static async connect(port: number, compId: string, host = '127.0.0.1'): Promise<FixPeer> {
    const s = net.connect({ host, port, localAddress: '127.0.0.1' });
    await new Promise<void>((res, rej) => {
      s.once('connect', () => res());
      s.once('error', rej);
    });
    return new FixPeer(s, compId);
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  /** Send `body` (35 first) under the next number; `seq`, `target` override. */
  send(body: FixField[], o: { seq?: number; target?: string; sender?: string } = {}): void {
    const s = o.seq ?? this.seq++;
    this.raw(
      encodeMessage({
        fields: [body[0]!, [49, o.sender ?? this.compId], [56, o.target ?? 'HKEX'], [34, String(s)], [52, sendingTime(Date.now())], ...body.slice(1)],
      }),
    );
  }

  raw(bytes: Uint8Array | string): void {
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes.replaceAll('|', '\x01'), 'latin1') : bytes);
  }

  logon(publicKeyPem: string, password: string, extra: FixField[] = []): void {
    const enc = encryptPassword(publicKeyPem, password, Date.now());
    this.send([[35, 'A'], [98, '0'], [108, '30'], [1137, '9'], [1400, '101'], [1401, String(enc.length)], [1402, enc], ...extra]);
  }

  /** Wait until a received message matches (searching from index `from`), or the socket closed. */
  async waitFor(pred: (m: FixMessage) => boolean, from = 0, ms = 5_000): Promise<FixMessage | undefined> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.received.slice(from).find(pred);
      if (hit !== undefined || this.closed || Date.now() > deadline) return hit;
      await new Promise<void>((r) => {
        this.#waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }

  async waitType(type: string, from = 0): Promise<FixMessage | undefined> {
    return this.waitFor((m) => msgTypeOf(m) === type, from);
  }

  async waitClosed(ms = 5_000): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.closed;
  }

  close(): void {
    this.socket.destroy();
  }
}

export const tag = (m: FixMessage | undefined, t: number): string | undefined => (m === undefined ? undefined : fieldOf(m, t));

export function newOrder(clOrdId: string, side: number, qty: number, price: string, broker = '1001'): FixField[] {
  return [
    [35, 'D'],
    [11, clOrdId],
    [453, '1'],
    [448, broker],
    [447, 'D'],
    [452, '1'],
    [48, '700'],
    [22, '8'],
    [207, 'XHKG'],
    [54, String(side)],
    [60, sendingTime(Date.now())],
    [38, String(qty)],
    [40, '2'],
    [44, price],
    [59, '0'],
  ];
}

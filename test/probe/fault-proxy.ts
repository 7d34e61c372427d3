// A loopback TCP proxy in front of a primary-site endpoint, so a test can cut the site off the way
// a backbone change does: every connection reset (RST), or a silent black hole (no FIN, no RST,
// nothing arrives; new connections are accepted and then hear nothing), and restored afterwards.
import net from 'node:net';

export type ProxyMode = 'forward' | 'blackhole' | 'refuse';

export class FaultProxy {
  readonly target: { host: string; port: number };
  #server: net.Server | null = null;
  #port = 0;
  #mode: ProxyMode = 'forward';
  readonly #pairs = new Set<{ client: net.Socket; upstream: net.Socket | null }>();

  constructor(target: { host: string; port: number }, port = 0) {
    this.target = target;
    this.#port = port;
  }

  get address(): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.#port };
  }

  get mode(): ProxyMode {
    return this.#mode;
  }

  async listen(): Promise<{ host: string; port: number }> {
    if (this.#server) return this.address;
    const server = net.createServer((c) => this.#onConnection(c));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#port = (server.address() as net.AddressInfo).port;
    this.#server = server;
    return this.address;
  }

  /** Every connection reset, and the endpoint refuses new ones until restore(). */
  async reset(): Promise<void> {
    this.#mode = 'refuse';
    for (const p of this.#pairs) {
      p.client.resetAndDestroy();
      p.upstream?.destroy();
    }
    this.#pairs.clear();
    await this.#stopListening();
  }

  /** Nothing passes any more, in either direction; nothing is closed; new connections hang. */
  blackhole(): void {
    this.#mode = 'blackhole';
    for (const p of this.#pairs) {
      p.client.removeAllListeners('data');
      p.upstream?.removeAllListeners('data');
      p.client.on('data', () => {});
      p.upstream?.on('data', () => {});
    }
  }

  /** Back to forwarding; the held black-holed connections are dropped. */
  async restore(): Promise<void> {
    for (const p of this.#pairs) {
      p.client.destroy();
      p.upstream?.destroy();
    }
    this.#pairs.clear();
    this.#mode = 'forward';
    await this.listen();
  }

  async close(): Promise<void> {
    for (const p of this.#pairs) {
      p.client.destroy();
      p.upstream?.destroy();
    }
    this.#pairs.clear();
    await this.#stopListening();
  }

  async #stopListening(): Promise<void> {
    const s = this.#server;
    this.#server = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  #onConnection(client: net.Socket): void {
    client.on('error', () => {});
    const pair = { client, upstream: null as net.Socket | null };
    this.#pairs.add(pair);
    client.on('close', () => {
      this.#pairs.delete(pair);
      pair.upstream?.destroy();
    });
    if (this.#mode !== 'forward') {
      client.on('data', () => {});
      return;
    }
    const upstream = net.connect(this.target);
    pair.upstream = upstream;
    upstream.setNoDelay(true);
    client.setNoDelay(true);
    upstream.on('error', () => {});
    client.on('data', (b) => {
      if (!upstream.destroyed) upstream.write(b);
    });
    upstream.on('data', (b) => {
      if (!client.destroyed) client.write(b);
    });
    upstream.on('close', () => {
      if (this.#mode === 'forward') client.destroy();
    });
  }
}

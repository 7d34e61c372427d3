// The connectivity-test window (readiness check, `failover-drill preflight`): a time before the
// session day opens when subscribers may log on to check their set-up. How a preflight logon is
// recognised [ours]: once a window has been declared for a site, the site takes OCG-C logons only
// while the window is open, until the session day opens (open-primary, i.e. any activation);
// outside it the gateway answers Logout with Session Status 7 "logons not allowed at this time"
// (OCG-C §3.11) and says why in the Text. A site that never had a window behaves as before.
//
// A standby site takes part as far as it can without serving sessions: during the window its
// lookup endpoints open and answer with its own gateway address, and a bare TCP listener there
// accepts and closes connections, so that a subscriber proves its route to the backup site
// (its firewall and the venue's) without logging on at a site that holds no sessions [ours].
import net from 'node:net';

export interface ConnectivityTestStatus {
  /** A window was declared and the session day has not opened yet. */
  gated: boolean;
  /** Whether logons are taken now. */
  open: boolean;
  /** ISO time the window closes (closed) or null. */
  until: string | null;
}

export class ConnectivityTestWindow {
  #gated = false;
  #until: number | null = null;

  /** Open (or move the end of) the window until `untilMs` (site clock). */
  open(untilMs: number): void {
    this.#gated = true;
    this.#until = untilMs;
  }

  /** End the window now: logons are refused until the session day opens. */
  close(nowMs: number): void {
    if (!this.#gated) this.#gated = true;
    if (this.#until === null || this.#until > nowMs) this.#until = nowMs;
  }

  /** The session day opens (open-primary): the window no longer matters. Returns whether one was declared. */
  sessionOpened(): boolean {
    const was = this.#gated;
    this.#gated = false;
    this.#until = null;
    return was;
  }

  get gated(): boolean {
    return this.#gated;
  }

  isOpen(nowMs: number): boolean {
    return this.#gated && this.#until !== null && nowMs < this.#until;
  }

  logonsAllowed(nowMs: number): boolean {
    return !this.#gated || this.isOpen(nowMs);
  }

  /** The Logout Text of a refused logon (at most the field's length is kept by the codec's caller). */
  refusal(): string {
    const until = this.#until === null ? '' : ` (closed ${new Date(this.#until).toISOString().slice(11, 16)}Z)`;
    return `outside the connectivity-test window${until}`;
  }

  status(nowMs: number): ConnectivityTestStatus {
    return { gated: this.#gated, open: this.isOpen(nowMs), until: this.#until === null ? null : new Date(this.#until).toISOString() };
  }
}

/** A TCP listener that accepts and closes at once: the standby's gateway port during the window. */
export class ReachabilityListener {
  #server: net.Server | null = null;
  #address: { host: string; port: number } | null = null;

  get address(): { host: string; port: number } | null {
    return this.#address;
  }

  async open(host: string, port: number): Promise<{ host: string; port: number }> {
    if (this.#address !== null) return this.#address;
    const server = net.createServer((s) => {
      s.on('error', () => {});
      s.end();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    this.#address = { host, port: (server.address() as net.AddressInfo).port };
    return this.#address;
  }

  async close(): Promise<void> {
    const s = this.#server;
    this.#server = null;
    this.#address = null;
    if (s === null) return;
    await new Promise<void>((r) => s.close(() => r()));
  }
}

// Frames written within one event-loop turn are copied side by side into a slab and leave in one
// socket write on the next tick: one syscall and one stream write request for a burst, instead of
// a write request (or, corked, a buffered-write entry and a writev slot) per frame. Node's stream
// machinery allocated ~600 bytes a frame on the gateway's corked per-frame writes; this, a
// subarray and one write request per tick. A part of the slab that Node still holds after its
// write (the kernel did not take it all: socket.writableLength > 0) is never written again, and
// the slab is then replaced by a new one when full, twice the size up to `maxBytes`. While every
// write went straight to the kernel, the slab is reused from its start: the same warm pages.
// Writing to another socket first sends what is pending for the previous one, so each socket's
// bytes keep their order.
import type net from 'node:net';

export class WriteBatcher {
  #out: Buffer;
  #used = 0;
  #sent = 0;
  #socket: net.Socket | null = null;
  #scheduled = false;
  #held = 0;
  /** Node holds part of this slab (a write the kernel did not take whole): never rewind it. */
  #pinned = false;
  readonly #maxBytes: number;
  /** Called after each tick's write went out: a quiet moment (the gateway's idle hook). */
  afterTick: (() => void) | null = null;

  /** Starts at `minBytes` (many idle sessions cost little) and doubles while traffic fills it. */
  constructor(minBytes = 4 * 1024, maxBytes = 256 * 1024) {
    this.#out = Buffer.allocUnsafeSlow(minBytes);
    this.#maxBytes = maxBytes;
  }

  write(socket: net.Socket, frame: Uint8Array): void {
    if (socket.destroyed) return;
    if (this.#socket !== socket) {
      this.flush();
      this.#socket = socket;
    }
    if (this.#used + frame.length > this.#out.length) {
      const burst = this.#used - this.#sent + frame.length; // this turn's bytes did not fit: grow
      this.flush();
      if (this.#pinned || burst > this.#out.length) {
        this.#out = Buffer.allocUnsafeSlow(Math.max(Math.min(this.#out.length * 2, this.#maxBytes), frame.length));
        this.#pinned = false;
      }
      this.#used = this.#sent = 0;
    }
    this.#out.set(frame, this.#used);
    this.#used += frame.length;
    if (!this.#scheduled && this.#held === 0) {
      this.#scheduled = true;
      process.nextTick(this.#tick);
    }
  }

  /**
   * Until the matching release(), writes schedule no tick: the caller sends them itself at
   * release() (the gateway holds while it handles a received chunk: no tick object per reply).
   * Holds nest.
   */
  hold(): void {
    this.#held++;
  }

  /** Ends a hold(); the last release sends what is pending, as the tick would have (afterTick included). */
  release(): void {
    if (this.#held === 0) throw new Error('WriteBatcher.release() without hold()');
    if (--this.#held > 0 || this.#scheduled) return;
    if (this.#used > this.#sent) this.#tick();
  }

  /** Send what is pending now (before end(), say); with a socket: only if the pending bytes are that socket's. */
  flush(socket?: net.Socket): void {
    const s = this.#socket;
    if (socket !== undefined && socket !== s) return;
    if (this.#used > this.#sent && s !== null && !s.destroyed) {
      s.write(this.#out.subarray(this.#sent, this.#used));
      if (s.writableLength > 0) this.#pinned = true; // Node keeps (part of) it until the kernel takes it
    }
    this.#sent = this.#used;
    if (!this.#pinned) this.#used = this.#sent = 0; // all of it went to the kernel: rewind
  }

  readonly #tick = (): void => {
    this.#scheduled = false;
    this.flush();
    this.afterTick?.();
  };
}

// The gate: what the active site writes to its clients waits until the standby acknowledged every
// journal entry written before it (synchronous replication), so an acknowledged order is never
// lost by a failover.
import type net from 'node:net';
import type { OutboundGate } from '../ocg/index.ts';
import { WriteBatcher } from '../wire/index.ts';

interface Held {
  tag: number;
  frame: Uint8Array | null; // null = end()
}

/**
 * Holds frames per client socket until the journal entries written before them are acknowledged
 * (or the site runs alone). Order per socket is kept. What goes out leaves through one
 * WriteBatcher: a socket's frames of one turn (a Logon reply and its replayed messages, a batch
 * of acks at a release) go out in one write.
 */
export class JournalGate implements OutboundGate {
  readonly #batch = new WriteBatcher();
  readonly #queues = new Map<net.Socket, Held[]>();
  readonly #watched = new WeakSet<net.Socket>();
  /** Callbacks due once the position they were registered at is released (evidence of replies sent). */
  #after: Array<{ tag: number; fn: () => void }> = [];
  #released = 0;
  #open = false;
  /** The journal position a frame written now must wait for. */
  #position: () => number;

  constructor(position: () => number) {
    this.#position = position;
  }

  /** Frames held now (tests, status). */
  get held(): number {
    let n = 0;
    for (const q of this.#queues.values()) n += q.length;
    return n;
  }

  write(socket: net.Socket, frame: Uint8Array): void {
    this.#hold(socket, { tag: this.#position(), frame });
  }

  end(socket: net.Socket): void {
    this.#hold(socket, { tag: this.#position(), frame: null });
  }

  #hold(socket: net.Socket, h: Held): void {
    const q = this.#queues.get(socket);
    if (q === undefined && (this.#open || h.tag <= this.#released)) {
      this.#emit(socket, h);
      return;
    }
    if (q === undefined) {
      this.#queues.set(socket, [h]);
      if (!this.#watched.has(socket)) {
        this.#watched.add(socket);
        socket.once('close', () => this.#queues.delete(socket));
      }
    } else q.push(h);
  }

  #emit(socket: net.Socket, h: Held): void {
    if (socket.destroyed) return;
    if (h.frame === null) {
      this.#batch.flush(socket);
      socket.end();
    } else this.#batch.write(socket, h.frame);
  }

  /** Runs `fn` when what is written now goes out (at once when nothing is held). */
  afterRelease(fn: () => void): void {
    const tag = this.#position();
    if ((this.#open || tag <= this.#released) && this.#after.length === 0) fn();
    else this.#after.push({ tag, fn });
  }

  /** Everything up to `seq` reached the standby. */
  release(seq: number): void {
    if (seq > this.#released) this.#released = seq;
    this.#drain();
  }

  /** Run alone (no standby, or this site is not replicating): everything goes out at once. */
  setOpen(open: boolean): void {
    this.#open = open;
    if (open) this.#drain();
  }

  get isOpen(): boolean {
    return this.#open;
  }

  #drain(): void {
    let n = 0;
    while (n < this.#after.length && (this.#open || this.#after[n]!.tag <= this.#released)) n++;
    if (n > 0) for (const a of this.#after.splice(0, n)) a.fn();
    for (const [socket, q] of this.#queues) {
      let i = 0;
      while (i < q.length && (this.#open || q[i]!.tag <= this.#released)) i++;
      if (i === 0) continue;
      for (let k = 0; k < i; k++) this.#emit(socket, q[k]!);
      if (i === q.length) this.#queues.delete(socket);
      else q.splice(0, i);
    }
  }

  /** A new journal (a new activation) numbers from 0 again. */
  restart(): void {
    this.#after = [];
    this.#released = 0;
    this.#open = false;
  }

  /** Drop everything held (the site is going down without a goodbye). */
  discard(): void {
    this.#queues.clear();
    this.#after = [];
  }
}

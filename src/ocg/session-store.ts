// Persisted OCG-C session state per Comp ID (spec note §3.12, §3.13, §4): the next sequence
// number to send, the next one expected, and every sent message that a resend must replay
// (everything except the session messages that are gap-filled). Sequence numbers are state, not
// counters in a closure: a restarted gateway, and later the backup site, read them back (docs/architecture.md, "Code").
//
// Two implementations: MemorySessionStore (tests, benchmarks) and FileSessionStore, an
// append-only binary journal per Comp ID. The file store writes in batches on the next turn of
// the event loop (one write() per batch, not per message: the order-rate path sends ~10^5
// messages/s) and synchronously on flush()/close(), so a clean stop loses nothing; a crash may
// lose the last batch, which the protocol then recovers as a sequence gap.
import fs from 'node:fs';
import path from 'node:path';

/** One Comp ID's persisted session. Both counters start at 1 each trading day (§3.12). */
export interface SessionJournal {
  readonly compId: string;
  /** Header sequence number of my next message. */
  readonly nextToSend: number;
  /** Sequence number I expect next from the other side. */
  readonly nextExpected: number;
  /** True while no message has gone either way since the last reset (first logon of the day). */
  readonly fresh: boolean;
  setNextToSend(seq: number): void;
  setNextExpected(seq: number): void;
  /** Keep a sent frame (as first sent: PossDup 0) for replay under the same seq (§3.13). */
  saveSent(seq: number, frame: Uint8Array): void;
  /** The stored frame sent under `seq`, or undefined (a session message, gap-filled in a replay). */
  sent(seq: number): Uint8Array | undefined;
  /** Manual reset agreed with the operations desk (§3.12): both counters to 1, stored frames dropped. */
  reset(): void;
}

export interface SessionStore {
  /** The journal of a Comp ID, created at 1/1 when the store has none. */
  journal(compId: string): SessionJournal;
  /** Comp IDs the store holds. */
  compIds(): string[];
  /** Make everything written so far durable (synchronous). */
  flush(): void;
  close(): void;
}

// ---------------------------------------------------------------------------------------------

const CHUNK = 1 << 16; // ≥ the largest frame (Length is a u16); the largest slab
/** A session's first slab and first index page: most sessions of a day store a few frames only. */
const FIRST_SLAB = 1 << 10;
const FIRST_PAGE = 1 << 6;
/** Index pages: seq − base → offset, 8,192 seqs a page. */
const PAGE_BITS = 13;
const PAGE = 1 << PAGE_BITS;
/** Beyond this distance from the first stored seq, a Map takes over (an operator reset far ahead). */
const MAX_DENSE = 1 << 24;

/**
 * Sent frames packed back to back into slabs of up to 64 KB, indexed by seq: a handful of large
 * objects instead of one per message, so a session sending 10^5 reports/s does not feed the GC's
 * old generation one small array at a time. A frame's length is its own Length field (§2.1).
 * Nothing is ever copied to grow: slabs and index pages are added, not doubled (with 1 MB slabs and
 * a doubling index, ocg.order.rtt_p99 showed a 1.3 ms stall every 2,560 orders and a bigger one at
 * 32,768: touching fresh pages is slow on a paravirtualised host). Only the first slab and the first index page
 * start small (1 KB, 64 seqs) and double up to full size: a venue holds thousands of sessions, and
 * 128 KB each before the first report (a 64 KB slab and a 64 KB page) was 380 MB to map for
 * 3,000 sessions at two sites.
 */
class FrameArena {
  #chunks: Uint8Array[] = [];
  #fill = 0;
  #base = -1;
  /** Pages of (seq − base → slab index × 64 KB + offset + 1; 0 = nothing stored). */
  #pages: Float64Array[] = [];
  #far = new Map<number, number>();

  put(seq: number, frame: Uint8Array): void {
    const len = frame.length;
    let last = this.#chunks[this.#chunks.length - 1];
    if (last === undefined || this.#fill + len > last.length) {
      // The next slab doubles the last one (from 1 KB) up to 64 KB, and always holds the frame.
      const size = Math.min(CHUNK, Math.max(len, last === undefined ? FIRST_SLAB : last.length * 2));
      last = new Uint8Array(size);
      this.#chunks.push(last);
      this.#fill = 0;
    }
    const ci = this.#chunks.length - 1;
    last.set(frame, this.#fill);
    const at = ci * CHUNK + this.#fill + 1;
    this.#fill += len;
    if (this.#base < 0) this.#base = seq;
    const k = seq - this.#base;
    if (k < 0 || k >= MAX_DENSE) {
      this.#far.set(seq, at);
      return;
    }
    const pi = k >>> PAGE_BITS;
    const i = k & (PAGE - 1);
    if (pi === 0) {
      const first = this.#pages[0];
      if (first === undefined || i >= first.length) {
        let n = first === undefined ? FIRST_PAGE : first.length;
        while (n <= i) n *= 2;
        const grown = new Float64Array(Math.min(PAGE, n));
        if (first !== undefined) grown.set(first);
        this.#pages[0] = grown;
      }
    } else {
      if (this.#pages.length === 0) this.#pages.push(new Float64Array(FIRST_PAGE));
      if (this.#pages[0]!.length < PAGE) {
        const full = new Float64Array(PAGE);
        full.set(this.#pages[0]!);
        this.#pages[0] = full;
      }
      while (this.#pages.length <= pi) this.#pages.push(new Float64Array(PAGE));
    }
    this.#pages[pi]![i] = at;
  }

  get(seq: number): Uint8Array | undefined {
    const k = seq - this.#base;
    const page = this.#base >= 0 && k >= 0 && k < MAX_DENSE ? this.#pages[k >>> PAGE_BITS] : undefined;
    const at = page !== undefined ? (page[k & (PAGE - 1)] ?? 0) : (this.#far.get(seq) ?? 0);
    if (at === 0) return undefined;
    const ci = Math.floor((at - 1) / CHUNK),
      off = (at - 1) % CHUNK;
    const c = this.#chunks[ci]!;
    return c.subarray(off, off + (c[off + 1]! | (c[off + 2]! << 8)));
  }

  clear(): void {
    this.#chunks = [];
    this.#fill = 0;
    this.#base = -1;
    this.#pages = [];
    this.#far.clear();
  }
}

class MemoryJournal implements SessionJournal {
  readonly compId: string;
  nextToSend = 1;
  nextExpected = 1;
  protected readonly frames = new FrameArena();

  constructor(compId: string) {
    this.compId = compId;
  }

  get fresh(): boolean {
    return this.nextToSend === 1 && this.nextExpected === 1;
  }

  setNextToSend(seq: number): void {
    this.nextToSend = seq;
  }

  setNextExpected(seq: number): void {
    this.nextExpected = seq;
  }

  saveSent(seq: number, frame: Uint8Array): void {
    this.frames.put(seq, frame);
  }

  sent(seq: number): Uint8Array | undefined {
    return this.frames.get(seq);
  }

  reset(): void {
    this.nextToSend = 1;
    this.nextExpected = 1;
    this.frames.clear();
  }
}

export class MemorySessionStore implements SessionStore {
  readonly #journals = new Map<string, MemoryJournal>();

  journal(compId: string): SessionJournal {
    let j = this.#journals.get(compId);
    if (j === undefined) {
      j = new MemoryJournal(compId);
      this.#journals.set(compId, j);
    }
    return j;
  }

  compIds(): string[] {
    return [...this.#journals.keys()];
  }

  flush(): void {}
  close(): void {}
}

// ---------------------------------------------------------------------------------------------
// File format, little-endian, records back to back:
//   'S' u32 nextToSend u32 nextExpected          (latest counters; the last one wins)
//   'M' u32 seq u32 length <length bytes>         (a sent frame)
//   'R'                                           (reset: forget everything before)
// A record cut short by a crash is ignored on reading.

const REC_STATE = 0x53,
  REC_MESSAGE = 0x4d,
  REC_RESET = 0x52;

class FileJournal extends MemoryJournal {
  readonly #file: string;
  #fd: number;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #stateDirty = false;
  #scheduled = false;

  constructor(compId: string, file: string) {
    super(compId);
    this.#file = file;
    if (fs.existsSync(file)) {
      const buf = fs.readFileSync(file);
      const good = this.#read(buf);
      // Cut a record torn by a crash, or later appends would sit behind it unread.
      if (good < buf.length) fs.truncateSync(file, good);
    }
    this.#fd = fs.openSync(file, 'a');
  }

  /** Apply the records; returns the length of the intact prefix. */
  #read(buf: Buffer): number {
    let p = 0;
    while (p < buf.length) {
      const t = buf[p]!;
      if (t === REC_STATE) {
        if (p + 9 > buf.length) break;
        this.nextToSend = buf.readUInt32LE(p + 1);
        this.nextExpected = buf.readUInt32LE(p + 5);
        p += 9;
      } else if (t === REC_MESSAGE) {
        if (p + 9 > buf.length) break;
        const seq = buf.readUInt32LE(p + 1),
          len = buf.readUInt32LE(p + 5);
        if (p + 9 + len > buf.length) break;
        this.frames.put(seq, buf.subarray(p + 9, p + 9 + len));
        p += 9 + len;
      } else if (t === REC_RESET) {
        this.nextToSend = 1;
        this.nextExpected = 1;
        this.frames.clear();
        p += 1;
      } else {
        break; // unknown byte: the rest cannot be trusted
      }
    }
    return p;
  }

  override setNextToSend(seq: number): void {
    super.setNextToSend(seq);
    this.#markState();
  }

  override setNextExpected(seq: number): void {
    super.setNextExpected(seq);
    this.#markState();
  }

  override saveSent(seq: number, frame: Uint8Array): void {
    super.saveSent(seq, frame);
    const h = Buffer.allocUnsafe(9);
    h[0] = REC_MESSAGE;
    h.writeUInt32LE(seq, 1);
    h.writeUInt32LE(frame.length, 5);
    this.#push(h);
    this.#push(frame);
  }

  override reset(): void {
    super.reset();
    this.#push(Uint8Array.of(REC_RESET));
    this.#markState();
  }

  #markState(): void {
    this.#stateDirty = true;
    this.#schedule();
  }

  #push(b: Uint8Array): void {
    this.#pending.push(b);
    this.#pendingBytes += b.length;
    if (this.#pendingBytes >= 1 << 20) this.flush();
    else this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.flush();
    });
  }

  flush(): void {
    if (this.#fd < 0) return;
    if (this.#stateDirty) {
      const s = Buffer.allocUnsafe(9);
      s[0] = REC_STATE;
      s.writeUInt32LE(this.nextToSend, 1);
      s.writeUInt32LE(this.nextExpected, 5);
      this.#pending.push(s);
      this.#pendingBytes += 9;
      this.#stateDirty = false;
    }
    if (this.#pending.length === 0) return;
    const all = Buffer.concat(this.#pending, this.#pendingBytes);
    this.#pending = [];
    this.#pendingBytes = 0;
    let off = 0;
    while (off < all.length) off += fs.writeSync(this.#fd, all, off, all.length - off);
  }

  close(): void {
    this.flush();
    if (this.#fd >= 0) fs.closeSync(this.#fd);
    this.#fd = -1;
  }

  get file(): string {
    return this.#file;
  }
}

/** One append-only journal file per Comp ID under `dir` (created if missing). */
export class FileSessionStore implements SessionStore {
  readonly dir: string;
  readonly #journals = new Map<string, FileJournal>();

  constructor(dir: string) {
    this.dir = dir;
    fs.mkdirSync(dir, { recursive: true });
  }

  static fileName(compId: string): string {
    return `${encodeURIComponent(compId)}.ocgjournal`;
  }

  journal(compId: string): SessionJournal {
    let j = this.#journals.get(compId);
    if (j === undefined) {
      j = new FileJournal(compId, path.join(this.dir, FileSessionStore.fileName(compId)));
      this.#journals.set(compId, j);
    }
    return j;
  }

  compIds(): string[] {
    const onDisk = fs
      .readdirSync(this.dir)
      .filter((f) => f.endsWith('.ocgjournal'))
      .map((f) => decodeURIComponent(f.slice(0, -'.ocgjournal'.length)));
    return [...new Set([...this.#journals.keys(), ...onDisk])];
  }

  flush(): void {
    for (const j of this.#journals.values()) j.flush();
  }

  close(): void {
    for (const j of this.#journals.values()) j.close();
    this.#journals.clear();
  }
}

// Streaming OCG-C framer (spec note §2.2): one TCP read may hold several messages or part of one.
// Complete frames inside a chunk are decoded in place (no copy); only a frame split across chunks
// is assembled, into a buffer of exactly its Length, so 1-byte chunks cost O(n), not O(n²).
import { crc32cStage, crc32cStageAlias, type Crc32cFraming } from '../wire/crc32c.ts';

/** OCG-C frames for the native CRC kernel: Length (u16 LE) at offset 1, CRC-32C trailer of 4 bytes (§2.1, §2.4). */
const OCG_FRAMING: Crc32cFraming = { lengthOffset: 1, trailer: 4 };
import { decodeFrame, stageText, stageTextAlias } from './codec.ts';
import type { OcgCodecOptions } from './codec.ts';
import { OCG_MIN_MESSAGE_LENGTH, OCG_START_OF_MESSAGE } from './messages.ts';
import type { OcgDecodeError, OcgDecodeResult } from './messages.ts';

const EMPTY = new Uint8Array(0);

function framingError(kind: 'badStartByte' | 'badLength' | 'truncated', detail: string): OcgDecodeError {
  return { ok: false, kind, fatal: true, detail };
}

export class OcgFrameReader {
  private readonly options: OcgCodecOptions | undefined;
  private chunk: Uint8Array = EMPTY;
  private pos = 0;
  /** A frame split across chunks: its bytes so far (3 while the Length is unknown). */
  private partial: Uint8Array | null = null;
  private partialFill = 0;
  private failed: OcgDecodeError | null = null;
  /** Bytes of the frame just returned by nextFrame(): view into a chunk or the assembled frame. */
  private frameBytes: Uint8Array = EMPTY;
  private frameOffset = 0;
  private frameLength = 0;

  constructor(options?: OcgCodecOptions) {
    this.options = options;
  }

  /** The fatal error that stopped this reader, if any: the connection must be dropped (§2.2, §4.8). */
  get failure(): OcgDecodeError | null {
    return this.failed;
  }

  /** Bytes received and not yet returned as frames. */
  get buffered(): number {
    return this.chunk.length - this.pos + (this.partial === null ? 0 : this.partialFill);
  }

  /** Hand over the next TCP chunk. Call only after next() returned null (earlier bytes consumed). */
  push(chunk: Uint8Array): void {
    if (this.failed !== null) return;
    if (this.pos < this.chunk.length) {
      // Caller pushed before draining: keep the unread tail in front of the new bytes.
      const rest = this.chunk.subarray(this.pos);
      const joined = new Uint8Array(rest.length + chunk.length);
      joined.set(rest, 0);
      joined.set(chunk, rest.length);
      chunk = joined;
    }
    this.chunk = chunk;
    this.pos = 0;
    // One copy of the chunk into the fast CRC's memory; frames inside it are then checked there.
    // (Chunks must not be modified after push; Node's socket buffers are not.)
    crc32cStage(chunk, 0, OCG_FRAMING);
    stageText(chunk); // and its latin1 text is made once (lazily) for all frames in it
  }

  /**
   * The next decoded message, a typed error, or null when more bytes are needed. Message-level
   * errors (fatal: false) leave the stream usable; after a fatal error next() returns null forever
   * and `failure` holds the error.
   */
  next(): OcgDecodeResult | null {
    const r = this.advance();
    if (r !== true) return r;
    const d = decodeFrame(this.frameBytes, this.frameOffset, this.frameLength, this.options);
    // A bad checksum or a body that disagrees with its Length is fatal too (§2.2, §4.8): stop here.
    if (!d.ok && d.fatal) return this.stop(d);
    return d;
  }

  /**
   * Like nextFrame() without making a view (no allocation per frame): true when a complete frame
   * is at frameBytes[frameOffset, frameOffset + frameLength) — valid until the next call — else a
   * fatal framing error or null. decodeFrame over those coordinates uses the staged chunk.
   */
  nextFrameAt(): true | OcgDecodeError | null {
    return this.advance();
  }

  /** The array holding the frame nextFrameAt() found (the pushed chunk, or an assembled frame). */
  get frame(): Uint8Array {
    return this.frameBytes;
  }

  /** Where that frame starts in `frame`. */
  get offset(): number {
    return this.frameOffset;
  }

  /** Its length (its Length field). */
  get length(): number {
    return this.frameLength;
  }

  /**
   * The next complete frame's bytes (framing checked: STX and Length; the CRC is not checked here),
   * a fatal framing error, or null. The view stays valid: chunks are never written to.
   */
  nextFrame(): Uint8Array | OcgDecodeError | null {
    const r = this.advance();
    if (r !== true) return r;
    const view = this.frameBytes.subarray(this.frameOffset, this.frameOffset + this.frameLength);
    // decodeFrame(view, …) right after this finds the frame in the staged chunk (fast CRC).
    if (this.frameBytes === this.chunk) {
      crc32cStageAlias(view, this.chunk, this.frameOffset);
      stageTextAlias(view, this.chunk, this.frameOffset);
    }
    return view;
  }

  /** The TCP stream ended: a truncated error when part of a frame is still buffered. */
  end(): OcgDecodeError | null {
    if (this.failed !== null) return null;
    const left = this.buffered;
    if (left === 0) return null;
    return this.stop(framingError('truncated', `connection ended inside a frame (${left} bytes buffered)`));
  }

  private stop(e: OcgDecodeError): OcgDecodeError {
    this.failed = e;
    this.chunk = EMPTY;
    this.pos = 0;
    this.partial = null;
    return e;
  }

  /** true: a frame is in frameBytes/frameOffset/frameLength. */
  private advance(): true | OcgDecodeError | null {
    if (this.failed !== null) return null;
    if (this.partial !== null) return this.continuePartial();
    const b = this.chunk;
    const p = this.pos;
    const avail = b.length - p;
    if (avail === 0) return null;
    if (b[p] !== OCG_START_OF_MESSAGE) {
      return this.stop(framingError('badStartByte', `start byte 0x${b[p]!.toString(16).padStart(2, '0')}, expected 0x02 (OCG-C §2.2)`));
    }
    if (avail < 3) {
      this.partial = new Uint8Array(3);
      this.partial.set(b.subarray(p), 0);
      this.partialFill = avail;
      this.pos = b.length;
      return null;
    }
    const length = b[p + 1]! | (b[p + 2]! << 8);
    if (length < OCG_MIN_MESSAGE_LENGTH) return this.stop(framingError('badLength', `Length ${length} < ${OCG_MIN_MESSAGE_LENGTH} (OCG-C §2.1)`));
    if (avail < length) {
      this.partial = new Uint8Array(length);
      this.partial.set(b.subarray(p), 0);
      this.partialFill = avail;
      this.pos = b.length;
      return null;
    }
    this.frameBytes = b;
    this.frameOffset = p;
    this.frameLength = length;
    this.pos = p + length;
    return true;
  }

  private continuePartial(): true | OcgDecodeError | null {
    let part = this.partial!;
    const b = this.chunk;
    if (this.partialFill < 3) {
      const take = Math.min(3 - this.partialFill, b.length - this.pos);
      part.set(b.subarray(this.pos, this.pos + take), this.partialFill);
      this.partialFill += take;
      this.pos += take;
      if (this.partialFill < 3) return null;
      const length = part[1]! | (part[2]! << 8);
      if (length < OCG_MIN_MESSAGE_LENGTH) return this.stop(framingError('badLength', `Length ${length} < ${OCG_MIN_MESSAGE_LENGTH} (OCG-C §2.1)`));
      const full = new Uint8Array(length);
      full.set(part.subarray(0, 3), 0);
      this.partial = part = full;
    }
    const need = part.length - this.partialFill;
    const take = Math.min(need, b.length - this.pos);
    part.set(b.subarray(this.pos, this.pos + take), this.partialFill);
    this.partialFill += take;
    this.pos += take;
    if (this.partialFill < part.length) return null;
    this.partial = null;
    this.partialFill = 0;
    this.frameBytes = part;
    this.frameOffset = 0;
    this.frameLength = part.length;
    return true;
  }
}

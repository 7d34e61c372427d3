// OCG-C encoder/decoder (§2). Implementation in progress: signatures are final.
import type {
  OcgDecodeError, OcgDecodeResult, OcgEncodeHeader, OcgMessage,
} from './messages.ts';
import type { OcgProfile } from './profile.ts';

export interface OcgCodecOptions {
  /** Venue profile (default OTP-C): message allow-list, v3.2 SMP switch. */
  profile?: OcgProfile;
}

/** Encode one message into a new Uint8Array. Throws RangeError on invalid programmer input. */
export function encodeMessage(header: OcgEncodeHeader, body: OcgMessage, options?: OcgCodecOptions): Uint8Array {
  void header; void body; void options;
  throw new Error('not implemented yet');
}

/** Encode into `out` at `offset`; returns the number of bytes written. */
export function encodeMessageInto(out: Uint8Array, offset: number, header: OcgEncodeHeader, body: OcgMessage, options?: OcgCodecOptions): number {
  void out; void offset; void header; void body; void options;
  throw new Error('not implemented yet');
}

/** Decode exactly one message: `buf` must hold the whole frame and nothing else. Never throws. */
export function decodeMessage(buf: Uint8Array, options?: OcgCodecOptions): OcgDecodeResult {
  void buf; void options;
  throw new Error('not implemented yet');
}

/** Streaming framer: keeps a remainder between TCP chunks. Never throws on input. */
export class OcgFrameReader {
  push(chunk: Uint8Array): void { void chunk; }
  /** Next decoded message, a typed error, or null when more bytes are needed. */
  next(): OcgDecodeResult | null { return null; }
  /** Called when the TCP stream ended: a truncated error if a partial frame is buffered. */
  end(): OcgDecodeError | null { return null; }
}

// Typed decode errors: bad input from the network is reported, never thrown (spec/omd-c.md §2.2).

export type OmdDecodeErrorCode =
  | 'TRUNCATED'
  | 'PKT_SIZE_MISMATCH'
  | 'MSG_SIZE_INVALID'
  | 'MSG_OVERRUN'
  | 'MSG_TRUNCATED'
  | 'MSG_COUNT_MISMATCH'
  | 'BAD_FIELD'
  /** MsgCount 0 but not the bare 16-byte header (OMD-C 3.4.1). */
  | 'BAD_HEARTBEAT';

export interface OmdDecodeError {
  ok: false;
  code: OmdDecodeErrorCode;
  message: string;
}

export function decodeError(code: OmdDecodeErrorCode, message: string): OmdDecodeError {
  return { ok: false, code, message };
}

/** Narrowing helper: true when a decode result is an OmdDecodeError. */
export function isDecodeError(x: unknown): x is OmdDecodeError {
  return typeof x === 'object' && x !== null && (x as { ok?: unknown }).ok === false;
}

// What travels on the journal link between the two sites (journal.ts): the record types, the
// entries and snapshots, and their encoding.
//
// Wire format (ours): every record is [u32 LE length of the rest][u8 type][u32 LE json length]
// [json utf8][blobs, each u32 LE length + bytes]. Binary values in the JSON (Uint8Array) are
// written as {"$b": index} into the blob list, so frames and OMD messages travel unchanged.
// Journal entries carry no explicit number: both ends count them from the snapshot's `seq`.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { OcgService } from '../ocg/index.ts';
import type { OmdService } from '../omd/index.ts';
import type { EngineCommand, MatchingEngineState } from './engine-types.ts';

export const JournalRecordType = {
  /** sender → receiver: full state; the entries that follow continue from its seq. */
  Snapshot: 1,
  /** sender → receiver: one journal entry. */
  Entry: 2,
  Heartbeat: 3,
  /** receiver → sender: every entry up to seq is applied. */
  Ack: 4,
  /** receiver → sender: I am active; you are fenced. */
  Fence: 5,
  /** receiver → sender (fail back): I have caught up; hand the service over. */
  HandoverRequest: 6,
  /** sender → receiver: I stopped serving at seq; take over. */
  Handover: 7,
  /** sender → receiver, first on a link: a fresh nonce the receiver must prove the secret over. */
  Hello: 8,
  /** receiver → sender: its proof over the sender's nonce, and its own fresh nonce for the snapshot's proof. */
  Challenge: 9,
} as const;
export type JournalRecordTypeCode = (typeof JournalRecordType)[keyof typeof JournalRecordType];

export type JournalEntry =
  | { t: 'engine'; service: OcgService; command: EngineCommand }
  | { t: 'next-to-send'; service: OcgService; compId: string; seq: number }
  | { t: 'next-expected'; service: OcgService; compId: string; seq: number }
  | { t: 'sent'; service: OcgService; compId: string; seq: number; frame: Uint8Array }
  | { t: 'session-reset'; service: OcgService; compId: string }
  /** Real-time messages firstSeq… of a channel, as exact wire bytes (retransmission window content). */
  | { t: 'omd'; service: OmdService; channelId: number; firstSeq: number; msgs: Uint8Array[] }
  /** The channel's numbering restarted (Sequence Reset, OMD-C 3.4.2). */
  | { t: 'omd-reset'; service: OmdService; channelId: number; nextSeq: number }
  | { t: 'omd-refresh'; service: OmdService; channelId: number; messages: number }
  | { t: 'omd-dr'; service: OmdService; drNextSeq: number; drStatus: 0 | 1 | 2 }
  /** Market generator lockstep: `count` events at nowMs; count −1 = startOfDay(). */
  | { t: 'gen'; service: OmdService; nowMs: number; count: number };

export interface SessionSnapshot {
  compId: string;
  nextToSend: number;
  nextExpected: number;
  sent: Array<[number, Uint8Array]>;
}

export interface FeedChannelSnapshot {
  channelId: number;
  nextSeq: number;
  refreshNextSeq: number;
  window: Array<[number, Uint8Array]>;
  /** The market image as the messages of a refresh (MarketImage.snapshot), wire bytes. */
  image: Uint8Array[];
}

export interface FeedSnapshot {
  channels: FeedChannelSnapshot[];
  drNextSeq: number;
  drStatus: 0 | 1 | 2;
  /** Generator calls so far: [nowMs, count] (count −1 = startOfDay), replayed to rebuild it. */
  gen: Array<[number, number]>;
}

export interface SiteSnapshot {
  engines: Record<OcgService, MatchingEngineState>;
  sessions: Record<OcgService, SessionSnapshot[]>;
  feeds: Record<OmdService, FeedSnapshot>;
}

// ---------------------------------------------------------------------------------------------
// Record codec

/**
 * Each side of a journal link proves it knows the venue's shared secret over a nonce the other
 * side chose for this connection, so a recorded snapshot or challenge cannot be replayed: the
 * sender's Hello carries its nonce, the receiver answers with its proof and its own nonce, and
 * the snapshot carries the sender's proof over that one.
 */
export function journalProof(secret: string, role: 'sender' | 'receiver', nonce: string): string {
  return createHmac('sha256', secret).update(`failover-drill journal ${role}\n${nonce}`).digest('hex');
}

export function journalNonce(): string {
  return randomBytes(32).toString('hex');
}

export function proofMatches(proof: unknown, secret: string, role: 'sender' | 'receiver', nonce: string): boolean {
  if (typeof proof !== 'string' || proof.length !== 64) return false;
  return timingSafeEqual(Buffer.from(proof), Buffer.from(journalProof(secret, role, nonce)));
}

/** PEM material of the journal link's mutual TLS (both sites' certificates signed by `ca`). */
export interface JournalTls {
  cert: string;
  key: string;
  ca: string;
}

export function encodeRecord(type: JournalRecordTypeCode, body: unknown): Buffer {
  const blobs: Uint8Array[] = [];
  const json =
    body === undefined
      ? ''
      : JSON.stringify(body, function (this: Record<string, unknown>, key, value) {
          const orig = this[key];
          if (orig instanceof Uint8Array) {
            blobs.push(orig);
            return { $b: blobs.length - 1 };
          }
          return value;
        });
  const jsonLen = Buffer.byteLength(json);
  let total = 1 + 4 + jsonLen;
  for (const b of blobs) total += 4 + b.length;
  const out = Buffer.allocUnsafe(4 + total);
  out.writeUInt32LE(total, 0);
  out[4] = type;
  out.writeUInt32LE(jsonLen, 5);
  out.write(json, 9, 'utf8');
  let o = 9 + jsonLen;
  for (const b of blobs) {
    out.writeUInt32LE(b.length, o);
    out.set(b, o + 4);
    o += 4 + b.length;
  }
  return out;
}

export interface DecodedRecord {
  type: number;
  body: unknown;
}

/** Reassembles records from TCP chunks. Bad input yields an error record; the owner drops the link. */
export class JournalRecordReader {
  /**
   * Chunks not yet consumed, joined only once a whole record is there: a snapshot of thousands of
   * sessions arrives in thousands of socket chunks, and joining at every chunk copied it each time.
   */
  #chunks: Buffer[] = [];
  #size = 0;
  /** Largest record accepted (a snapshot of a big day still fits). */
  static readonly MAX_RECORD = 512 * 1024 * 1024;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#size += chunk.length;
  }

  /** The first `n` (≤ size) bytes contiguous in the first chunk. */
  #head(n: number): Buffer {
    if (this.#chunks[0]!.length < n) this.#chunks = [Buffer.concat(this.#chunks, this.#size)];
    return this.#chunks[0]!;
  }

  /** Next complete record, null when more bytes are needed, or an Error when the stream is corrupt. */
  next(): DecodedRecord | null | Error {
    if (this.#size < 4) return null;
    const total = this.#head(4).readUInt32LE(0);
    if (total < 5 || total > JournalRecordReader.MAX_RECORD) return new Error(`bad record length ${total}`);
    if (this.#size < 4 + total) return null;
    const b = this.#head(4 + total);
    const rec = b.subarray(4, 4 + total);
    if (b.length === 4 + total) this.#chunks.shift();
    else this.#chunks[0] = b.subarray(4 + total);
    this.#size -= 4 + total;
    const type = rec[0]!;
    const jsonLen = rec.readUInt32LE(1);
    if (5 + jsonLen > rec.length) return new Error('json overruns record');
    const blobs: Buffer[] = [];
    let o = 5 + jsonLen;
    while (o < rec.length) {
      if (o + 4 > rec.length) return new Error('truncated blob header');
      const n = rec.readUInt32LE(o);
      if (o + 4 + n > rec.length) return new Error('blob overruns record');
      blobs.push(Buffer.from(rec.subarray(o + 4, o + 4 + n))); // copied: the chunk is not pinned
      o += 4 + n;
    }
    if (jsonLen === 0) return { type, body: undefined };
    try {
      const body = JSON.parse(rec.toString('utf8', 5, 5 + jsonLen), (_k, v: unknown) => {
        if (v !== null && typeof v === 'object' && '$b' in (v as object)) {
          const i = (v as { $b: number }).$b;
          if (!Number.isInteger(i) || blobs[i] === undefined) throw new Error(`blob ${i} missing`);
          return new Uint8Array(blobs[i]!.buffer, blobs[i]!.byteOffset, blobs[i]!.length);
        }
        return v;
      }) as unknown;
      return { type, body };
    } catch (e) {
      return new Error(`bad record body: ${(e as Error).message}`);
    }
  }
}

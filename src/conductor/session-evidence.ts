// Where a session's evidence goes: ./data/<session>/evidence.jsonl always, and
// the desk when one is configured (the file is the record; the desk a copy).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../wire/index.ts';
import { EvidenceWriter, type EvidenceEvent } from '../evidence/index.ts';
import { DeskEvidenceForwarder, type DeskForwarderStats } from './desk-forwarder.ts';

export interface SessionEvidenceOptions {
  dataDir: string;
  session: string;
  clock: Clock;
  desk?: { url: string; token: string };
  onError?: (message: string) => void;
}

export class SessionEvidence {
  readonly path: string;
  readonly writer: EvidenceWriter;
  readonly forwarder: DeskEvidenceForwarder | null;
  #count = 0;

  constructor(opts: SessionEvidenceOptions) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(opts.session))
      throw new RangeError(`session id ${JSON.stringify(opts.session)}: letters, digits, . _ - only`);
    const dir = join(opts.dataDir, opts.session);
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, 'evidence.jsonl');
    this.writer = new EvidenceWriter(this.path);
    this.forwarder = opts.desk
      ? new DeskEvidenceForwarder({ url: opts.desk.url, token: opts.desk.token, clock: opts.clock, ...(opts.onError ? { onError: opts.onError } : {}) })
      : null;
  }

  get count(): number {
    return this.#count;
  }

  /** The sink for EvidenceCollector.addSink. */
  readonly write = (e: EvidenceEvent): void => {
    this.writer.write(e);
    this.forwarder?.push(e);
    this.#count++;
  };

  /** Flushes the file, and drains to the desk for at most `deskDeadlineMs`. */
  async close(deskDeadlineMs = 30_000): Promise<{ written: number; desk: DeskForwarderStats | null; deskDrained: boolean }> {
    let drained = true;
    if (this.forwarder) {
      drained = await this.forwarder.drain(deskDeadlineMs);
      this.forwarder.close();
    }
    await this.writer.close();
    return { written: this.#count, desk: this.forwarder?.stats ?? null, deskDrained: drained };
  }
}

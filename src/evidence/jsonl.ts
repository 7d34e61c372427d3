// Evidence as JSON lines (one event per line), the file form of the contract.
// A bad line is reported with its number and skipped: one corrupt line must not
// hide the rest of a session's evidence.
import { createWriteStream, type WriteStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import type { EvidenceEvent } from './event.ts';
import { validateEvidenceEvent, type EvidenceFieldError } from './validate.ts';

export interface EvidenceLineError {
  /** 1-based line number. */
  line: number;
  message: string;
  errors?: EvidenceFieldError[];
}

export interface EvidenceParse {
  events: EvidenceEvent[];
  errors: EvidenceLineError[];
}

export function formatEvidenceLine(e: EvidenceEvent): string {
  return JSON.stringify(e) + '\n';
}

export function parseEvidenceLines(text: string): EvidenceParse {
  const events: EvidenceEvent[] = [];
  const errors: EvidenceLineError[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    if (raw.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (e) {
      errors.push({ line: i + 1, message: `line ${i + 1}: not JSON (${(e as Error).message})` });
      continue;
    }
    const v = validateEvidenceEvent(parsed);
    if (v.ok) events.push(v.event);
    else errors.push({ line: i + 1, message: `line ${i + 1}: ${v.errors.map((x) => x.message).join('; ')}`, errors: v.errors });
  }
  return { events, errors };
}

export async function readEvidenceFile(path: string): Promise<EvidenceParse> {
  return parseEvidenceLines(await readFile(path, 'utf8'));
}

/** Appends events to a JSON-lines file; `close()` flushes and fsyncs. */
export class EvidenceWriter {
  readonly path: string;
  #stream: WriteStream;

  constructor(path: string) {
    this.path = path;
    this.#stream = createWriteStream(path, { flags: 'a' });
  }

  write(e: EvidenceEvent): void {
    const v = validateEvidenceEvent(e);
    if (!v.ok) throw new TypeError(`refusing to write an invalid evidence event: ${v.errors.map((x) => x.message).join('; ')}`);
    this.#stream.write(formatEvidenceLine(v.event));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.#stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
    const fh = await open(this.path, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}

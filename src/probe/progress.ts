// Live progress of a probe in the terminal: one line per service and identity. On a TTY the
// block is redrawn in place (ANSI: cursor up, erase line); elsewhere (a pipe, a CI log) a line is
// printed only when that service's line changes, so the log stays readable.
import type { CaseBook, CaseStatus } from './cases.ts';
import type { ServiceProgress } from './types.ts';
import { formatDuration } from './report.ts';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** The progress line of one identity: its case counts, what it is doing, its recovery time. */
export function serviceProgress(book: CaseBook, phase: string, recoveryMs: number | null): ServiceProgress {
  const count = (s: CaseStatus) => book.cases.filter((c) => c.status === s).length;
  return {
    service: book.service,
    identity: book.identity,
    phase,
    passed: count('passed'),
    failed: count('failed'),
    pending: count('pending'),
    notTested: count('not tested'),
    total: book.cases.length,
    recoveryMs,
  };
}

export function formatProgressLine(p: ServiceProgress): string {
  const counts = `${p.passed}/${p.total} passed${p.failed ? ` ${p.failed} FAILED` : ''}${p.pending ? ` ${p.pending} pending` : ''}`;
  const rec = p.recoveryMs !== null ? `  recovered in ${formatDuration(p.recoveryMs)}` : '';
  return `${p.service.padEnd(8)}${p.identity.padEnd(12)}${counts.padEnd(30)}${p.phase}${rec}`;
}

export class ProgressDisplay {
  readonly #out: ProgressStream;
  readonly #tty: boolean;
  #drawn = 0;
  readonly #last = new Map<string, string>();

  constructor(out: ProgressStream, opts: { tty?: boolean } = {}) {
    this.#out = out;
    this.#tty = opts.tty ?? out.isTTY === true;
  }

  render(lines: readonly ServiceProgress[]): void {
    const texts = lines.map(formatProgressLine);
    if (this.#tty) {
      // A terminal that does not tell its width (columns 0 or absent) gets 120.
      const cols = this.#out.columns;
      const width = (cols !== undefined && cols >= 20 ? cols : 120) - 1;
      let s = this.#drawn > 0 ? `\x1b[${this.#drawn}A` : '';
      for (const t of texts) s += `\r\x1b[2K${t.length > width ? t.slice(0, width - 1) + '…' : t}\n`;
      this.#out.write(s);
      this.#drawn = texts.length;
      return;
    }
    lines.forEach((p, i) => {
      const key = `${p.service}/${p.identity}`;
      // The message count moves all the time: a plain log gets a line when something else changed.
      const stable = texts[i]!.replace(/\d+ msgs/, '');
      if (this.#last.get(key) === stable) return;
      this.#last.set(key, stable);
      this.#out.write(`${new Date().toISOString().slice(11, 23)} ${texts[i]}\n`);
    });
  }

  /** Print a message above the live block (TTY) or as a plain line. */
  note(text: string): void {
    if (this.#tty && this.#drawn > 0) {
      this.#out.write(`\x1b[${this.#drawn}A\r\x1b[J${text}\n`);
      this.#drawn = 0;
      return;
    }
    this.#out.write(text + '\n');
  }
}

// Structured log lines for the OCG-C session, gateway and lookup service: one event name plus
// fields, so a bad frame from one Comp ID leaves a precise, greppable line.

export type OcgLogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface OcgLogger {
  log(level: OcgLogLevel, event: string, fields?: Record<string, unknown>): void;
}

/** Drops everything (tests, benchmarks). */
export const silentLogger: OcgLogger = { log() {} };

/** One JSON object per line: {ts, level, event, ...fields}. `minLevel` filters. */
export function jsonLineLogger(
  write: (line: string) => void = (l) => process.stderr.write(l),
  minLevel: OcgLogLevel = 'info',
  now: () => number = Date.now,
): OcgLogger {
  const rank: Record<OcgLogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
  const min = rank[minLevel];
  return {
    log(level, event, fields) {
      if (rank[level] < min) return;
      write(JSON.stringify({ ts: new Date(now()).toISOString(), level, event, ...fields }) + '\n');
    },
  };
}

/** Keeps every line in memory: tests assert on the log. */
export class MemoryLogger implements OcgLogger {
  readonly lines: { level: OcgLogLevel; event: string; fields: Record<string, unknown> }[] = [];
  log(level: OcgLogLevel, event: string, fields: Record<string, unknown> = {}): void {
    this.lines.push({ level, event, fields });
  }
  find(event: string): { level: OcgLogLevel; event: string; fields: Record<string, unknown> } | undefined {
    return this.lines.find((l) => l.event === event);
  }
}

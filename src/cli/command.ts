// The shape of a failover-drill subcommand. Each subcommand lives in
// src/cli/commands/<name>.ts and default-exports a Command; main.ts lists them.
import { parseArgs } from 'node:util';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  default?: string | boolean;
  /** One line for --help; name the unit and the default. */
  description: string;
  /** Placeholder shown in --help, e.g. FILE, MS. */
  value?: string;
}

export interface Command {
  /** Words after `failover-drill`, e.g. "omd publish". */
  name: string;
  summary: string;
  /** Extra paragraphs printed under the usage line of --help. */
  details?: string;
  options: Record<string, OptionSpec>;
  /** Positional arguments, for the usage line only. */
  positionals?: string;
  run(values: Record<string, string | boolean | string[] | undefined>, positionals: string[]): Promise<number | void>;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export function renderHelp(cmd: Command): string {
  const lines = [`Usage: failover-drill ${cmd.name} [options]${cmd.positionals ? ' ' + cmd.positionals : ''}`, '', cmd.summary];
  if (cmd.details) lines.push('', cmd.details);
  lines.push('', 'Options:');
  const rows: [string, string][] = Object.entries(cmd.options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    const def = o.default !== undefined && o.default !== false ? ` (default: ${String(o.default)})` : '';
    return [flag, o.description + def];
  });
  rows.push(['-h, --help', 'Show this help and exit']);
  const w = Math.max(...rows.map((r) => r[0].length)) + 2;
  for (const [f, d] of rows) lines.push(`  ${f.padEnd(w)}${d}`);
  return lines.join('\n');
}

export function parseCommandArgs(cmd: Command, argv: string[]) {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean; default?: string | boolean }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, o] of Object.entries(cmd.options)) {
    options[name] = {
      type: o.type,
      ...(o.short ? { short: o.short } : {}),
      ...(o.multiple ? { multiple: true } : {}),
      ...(o.default !== undefined ? { default: o.default } : {}),
    };
  }
  try {
    return parseArgs({ args: argv, options: options as never, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Parses a number option with a clear error naming the option. */
export function numberOption(values: Record<string, unknown>, name: string, opts: { min?: number; max?: number; integer?: boolean } = {}): number {
  const raw = values[name];
  const n = Number(raw);
  if (raw === undefined || raw === '' || !Number.isFinite(n)) throw new UsageError(`--${name}: expected a number, got ${JSON.stringify(raw)}`);
  if (opts.integer && !Number.isInteger(n)) throw new UsageError(`--${name}: expected an integer, got ${raw}`);
  if (opts.min !== undefined && n < opts.min) throw new UsageError(`--${name}: must be at least ${opts.min}, got ${raw}`);
  if (opts.max !== undefined && n > opts.max) throw new UsageError(`--${name}: must be at most ${opts.max}, got ${raw}`);
  return n;
}

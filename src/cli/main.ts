// The failover-drill command: `failover-drill <group> <command> [options]`.
import { renderHelp, parseCommandArgs, UsageError, type Command } from './command.ts';

/** Every subcommand, loaded lazily so `--help` and small commands start fast. */
export const commands: Record<string, () => Promise<{ default: Command }>> = {
  demo: () => import('./commands/demo.ts'),
  conduct: () => import('./commands/conduct.ts'),
  drill: () => import('./commands/drill.ts'),
  probe: () => import('./commands/probe.ts'),
  preflight: () => import('./commands/preflight.ts'),
  'omd publish': () => import('./commands/omd-publish.ts'),
  'omd listen': () => import('./commands/omd-listen.ts'),
  desk: () => import('./commands/desk.ts'),
  'ocg client': () => import('./commands/ocg-client.ts'),
  'ocg gateway': () => import('./commands/ocg-gateway.ts'),
  'fix client': () => import('./commands/fix-client.ts'),
  'fix gateway': () => import('./commands/fix-gateway.ts'),
  site: () => import('./commands/site.ts'),
};

function topHelp(summaries: [string, string][]): string {
  const w = Math.max(...summaries.map((s) => s[0].length)) + 2;
  return [
    'Usage: failover-drill <command> [options]',
    '',
    'Rehearse an exchange primary-to-backup site failover on real wire protocols.',
    '',
    'Commands:',
    ...summaries.map(([n, s]) => `  ${n.padEnd(w)}${s}`),
    '',
    'Run `failover-drill <command> --help` for the options of a command.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const names = Object.keys(commands).sort((a, b) => b.split(' ').length - a.split(' ').length);
  const name = names.find((n) => {
    const words = n.split(' ');
    return words.every((w, i) => argv[i] === w);
  });
  if (!name) {
    const summaries: [string, string][] = [];
    for (const n of Object.keys(commands)) summaries.push([n, (await commands[n]!()).default.summary]);
    const help = topHelp(summaries);
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
      console.log(help);
      return 0;
    }
    const group = Object.keys(commands).filter((n) => n.startsWith(argv[0] + ' '));
    if (group.length && (argv.length === 1 || argv[1] === '--help' || argv[1] === '-h')) {
      console.log(topHelp(summaries.filter(([n]) => group.includes(n))));
      return argv.length === 1 ? 2 : 0;
    }
    console.error(`failover-drill: unknown command "${argv.join(' ')}"\n\n${help}`);
    return 2;
  }
  const cmd = (await commands[name]!()).default;
  const rest = argv.slice(name.split(' ').length);
  try {
    const { values, positionals } = parseCommandArgs(cmd, rest);
    if ((values as Record<string, unknown>).help) {
      console.log(renderHelp(cmd));
      return 0;
    }
    const code = await cmd.run(values as Record<string, string | boolean | string[] | undefined>, positionals);
    return code ?? 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`failover-drill ${name}: ${e.message}\n\n${renderHelp(cmd)}`);
      return 2;
    }
    throw e;
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      console.error(e instanceof Error ? (e.stack ?? e.message) : e);
      process.exitCode = 1;
    },
  );
}

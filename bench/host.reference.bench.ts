// host.tcp_echo_p99: the floor under the OCG-C latency goal, measured on this machine without Node.
// bench/host-reference.c (built here with the C compiler that builds the addons) times a plain TCP
// echo over loopback shaped like ocg.order.rtt (New Order sized request, Execution Report sized
// reply, 5,000 a second, both ends polling, each round trip timed from when it was due), plus the
// cost of one system call and of one page fault. On the machine the latency goal was set on, that
// echo's p99 was about 76 µs: this line says how this machine compares, and over_200us how many of
// the 400 late round trips that ocg.order.rtt_p99 < 200 allows the machine alone already takes.
// No goal: a reference, printed next to the others.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bench } from './report.ts';
import { cCompiler } from '../scripts/c-compiler.ts';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'native', 'build', 'host-reference');

const cc = cCompiler();
if (cc === undefined) {
  console.error('host.reference: no C compiler (cc, gcc or clang): skipped');
  process.exit(0);
}
mkdirSync(dirname(out), { recursive: true });
execFileSync(cc, ['-O2', '-o', out, join(here, 'host-reference.c')], { stdio: ['ignore', 'inherit', 'inherit'] });
const r = spawnSync(out, [], { encoding: 'utf8', timeout: 60_000 });
if (r.status !== 0) {
  console.error(`host.reference: ${out} exited with ${r.status} (${r.signal ?? 'no signal'}): ${r.stderr}`);
  process.exit(1);
}
const m = JSON.parse(r.stdout) as Record<string, number>;
bench('host.tcp_echo_p99', m['echo_p99']!, 'us', {
  p50: m['echo_p50']!,
  p99_9: m['echo_p99_9']!,
  max: m['echo_max']!,
  over_200us: m['echo_over_200us']!,
  round_trips: m['echo_round_trips']!,
  rate: 5000,
  req_bytes: m['req_bytes']!,
  rep_bytes: m['rep_bytes']!,
  syscall_ns: m['syscall_ns']!,
  page_fault_us: m['fault_us']!,
  goal_machine_p99: 76, // µs, the same echo's p99 on the machine the latency goal was set on
});

// The profile's start-up flags. V8 reads them only when the process starts, so a process that
// wants the profile starts again with them (relaunchWithFlags) instead of setting them at run time.
import { spawnSync } from 'node:child_process';

/**
 * - --single-threaded: no GC or compiler helper threads; with both cores polling, any other thread
 *   preempts a poller for a whole time slice (milliseconds).
 * - --max-semi-space-size=1 --minor-gc-task-trigger=5: small, frequent young-generation collections
 *   (~0.1 ms) instead of fewer long ones; a pause over ~170 µs pushes the order in flight over 200 µs.
 * - --initial-old-space-size=512: no full collection while a day's orders accumulate.
 * - --no-node-snapshot: every young-generation collection walks the start-up snapshot's objects as
 *   roots; without Node's snapshot that part of the pause is about a third as long.
 * - --expose-gc: quiet collections (quiet-gc.ts) need V8's gc function.
 */
export const LOW_LATENCY_FLAGS: readonly string[] = [
  '--single-threaded',
  '--max-semi-space-size=1',
  '--minor-gc-task-trigger=5',
  '--initial-old-space-size=512',
  '--no-node-snapshot',
  '--expose-gc',
];

/** Whether this process was started with every flag of the profile. */
export function hasLowLatencyFlags(execArgv: readonly string[] = process.execArgv): boolean {
  return LOW_LATENCY_FLAGS.every((f) => execArgv.includes(f));
}

/**
 * Starts this process again, same arguments and environment, with the profile's flags. Returns
 * null when the flags are already in place (carry on); otherwise this process is replaced
 * (process.execve) or, where that is missing, waits for the new one and returns its exit code.
 */
export function relaunchWithFlags(): number | null {
  if (hasLowLatencyFlags()) return null;
  const args = [...process.execArgv, ...LOW_LATENCY_FLAGS.filter((f) => !process.execArgv.includes(f)), ...process.argv.slice(1)];
  // Replacing the process leaves no idle parent behind, whose own collections would take a core.
  if (typeof process.execve === 'function') process.execve(process.execPath, [process.execPath, ...args], process.env);
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  return r.status ?? 1;
}

// How the long-running omd commands end: on the first SIGINT or SIGTERM, or when --duration
// runs out, whichever comes first; then they close what they own within a deadline.

export type StopReason = 'SIGINT' | 'SIGTERM' | 'duration';

/**
 * Resolves on the first SIGINT / SIGTERM, or after `durationS` seconds (0 = never). The
 * duration timer and the signal listeners are removed when it resolves, so neither keeps the
 * process alive afterwards and a second signal during shutdown has its default effect.
 */
export function untilStopped(durationS: number): Promise<StopReason> {
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (why: StopReason) => {
      if (timer !== undefined) clearTimeout(timer);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(why);
    };
    const onInt = () => finish('SIGINT');
    const onTerm = () => finish('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    if (durationS > 0) timer = setTimeout(() => finish('duration'), durationS * 1000);
  });
}

/**
 * Runs `close` (closing every socket the command owns); if it has not finished within
 * `deadlineMs` the process exits anyway, so a signal always ends the command in time.
 */
export async function closeWithin(name: string, close: () => Promise<void>, deadlineMs = 900): Promise<void> {
  const watchdog = setTimeout(() => {
    console.error(`${name}: still closing after ${deadlineMs} ms; exiting`);
    process.exit(1);
  }, deadlineMs);
  watchdog.unref();
  try {
    await close();
  } finally {
    clearTimeout(watchdog);
  }
}

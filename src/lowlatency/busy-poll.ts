// Busy polling: the event loop never sleeps in epoll_wait, so a message is handled as soon as it
// lands instead of after an idle CPU wakes up (tens of microseconds on a virtual machine; figures
// in docs/performance.md). The price is a whole core per process.
//
// With the native addon (native/busypoll.c, built at npm ci) a libuv prepare handle spins on the
// loop's epoll descriptor until an event is ready, so the loop turns once per event. Without it a
// setImmediate loop polls instead; that turns the loop a million times a second, and every turn
// allocates, so it brings more young-generation collections.
//
// schedule(delayMs, fn) is the timer of a polling process: fn runs once, as soon as delayMs have
// passed, to the microsecond; setTimeout has millisecond resolution.
import { createRequire } from 'node:module';

export interface BusyPoll {
  /** Runs fn once, from the event loop, as soon as delayMs (fractions allowed) have passed; replaces a callback still pending. */
  schedule(delayMs: number, fn: () => void): void;
  /** The loop may sleep again; a pending callback is dropped. Twice is harmless. */
  stop(): void;
}

interface NativeBusyPoll {
  start(): unknown;
  schedule(handle: unknown, delayMs: number, fn: () => void): void;
  stop(handle: unknown): void;
}

/** The addon, or null when it was not built, does not load, or FAILOVER_DRILL_NATIVE=0. */
function loadNative(): NativeBusyPoll | null {
  if (process.env['FAILOVER_DRILL_NATIVE'] === '0') return null;
  try {
    const addon = createRequire(import.meta.url)('../../native/build/busypoll.node') as Partial<NativeBusyPoll>;
    return typeof addon.start === 'function' && typeof addon.schedule === 'function' && typeof addon.stop === 'function' ? (addon as NativeBusyPoll) : null;
  } catch {
    return null;
  }
}

const native = loadNative();

/** How busy polling is done here: 'native-spin' (the addon's prepare handle) or 'immediate' (setImmediate loop). */
export const busyPollKind: 'native-spin' | 'immediate' = native !== null ? 'native-spin' : 'immediate';

function stopped(): never {
  throw new Error('busy poll: schedule() after stop()');
}

export function startBusyPoll(): BusyPoll {
  if (native !== null) {
    const handle = native.start();
    let on = true;
    return {
      schedule: (delayMs, fn) => (on ? native.schedule(handle, delayMs, fn) : stopped()),
      stop: () => {
        if (on) {
          on = false;
          native.stop(handle);
        }
      },
    };
  }
  let on = true;
  let due = 0;
  let pending: (() => void) | null = null;
  const turn = (): void => {
    if (!on) return;
    setImmediate(turn); // first: a callback that throws must not stop the polling
    if (pending !== null && performance.now() >= due) {
      const fn = pending;
      pending = null;
      fn();
    }
  };
  setImmediate(turn);
  return {
    schedule: (delayMs, fn) => {
      if (!on) stopped();
      due = performance.now() + Math.max(0, delayMs);
      pending = fn;
    },
    stop: () => {
      on = false;
      pending = null;
    },
  };
}

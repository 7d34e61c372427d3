// Busy polling for a latency-sensitive process: the event loop never sleeps in epoll_wait, it
// polls, so a message is picked up as soon as it lands instead of after the wake-up of an idle
// CPU. On this 2-vCPU VM an idle Node process took ~40–100 µs longer to answer (ocg.order.rtt p50
// 104–139 µs sleeping, ~30 µs with both sides polling). The price is a whole core per process,
// which is what low-latency gateways and trading clients pay; off by default
// (OcgGatewayOptions.busyPoll, OcgClientOptions.busyPoll).
//
// How: the native addon (native/busypoll.c, built at npm ci) spins in a libuv prepare handle on
// the loop's epoll descriptor until an event is ready, so the loop turns once per event. Without
// the addon, a setImmediate loop polls instead; every turn of a Node loop allocates (~450 bytes
// with a setImmediate, one JS object without), so turning a million times a second made ~125–300
// young-generation collections a second from the polling alone, each a 0.1–0.3 ms pause.
//
// schedule(delayMs, fn) is the timer of a polling process: fn runs once, as soon as delayMs have
// passed, to the microsecond; the loop's own timers (setTimeout) have millisecond resolution.
import { loadAddon } from './native-addon.ts';

export interface BusyPoll {
  /** Runs fn once, from the event loop, as soon as delayMs (fractions allowed) have passed; replaces a callback still pending. */
  schedule(delayMs: number, fn: () => void): void;
  /** The loop may sleep again; a pending callback is dropped. Twice is harmless. */
  stop(): void;
  /**
   * Diagnostics (native spin only; false otherwise): from now on keep a record of the gaps over
   * thresholdUs inside the spin (nothing but poll(2) runs there, so the thread was preempted) and
   * of loop turns longer than that (JS, GC, other handles); 0 stops. The last 16,384 are kept.
   */
  recordStalls(thresholdUs: number): boolean;
  /** The recorded stalls, oldest first: start (ns, process.hrtime.bigint()'s clock), length (ns), kind (1 preempted in the spin, 2 long loop turn). */
  stalls(): { at: number; ns: number; kind: 1 | 2 }[];
}

interface NativeBusyPoll {
  start(): unknown;
  schedule(handle: unknown, delayMs: number, fn: () => void): void;
  stop(handle: unknown): void;
  recordStalls(handle: unknown, thresholdUs: number): void;
  stalls(handle: unknown): Float64Array;
}

// (an addon built from an older busypoll.c lacks the newer functions)
const native = loadAddon<NativeBusyPoll>('busypoll', (n) => typeof n.schedule === 'function' && typeof n.stalls === 'function');

/** How busy polling is done here: 'native-spin' (the addon's prepare handle) or 'immediate' (setImmediate loop). */
export const busyPollKind: string = native !== null ? 'native-spin' : 'immediate';

export function startBusyPoll(): BusyPoll {
  if (native !== null) {
    const handle = native.start();
    let on = true;
    return {
      schedule: (delayMs, fn) => {
        if (!on) throw new Error('busy poll: schedule() after stop()');
        native.schedule(handle, delayMs, fn);
      },
      stop: () => { if (on) { on = false; native.stop(handle); } },
      recordStalls: (thresholdUs) => {
        if (on) native.recordStalls(handle, thresholdUs);
        return on;
      },
      stalls: () => {
        if (!on) return [];
        const d = native.stalls(handle);
        const out: { at: number; ns: number; kind: 1 | 2 }[] = [];
        for (let i = 0; i < d.length; i += 3) out.push({ at: d[i]!, ns: d[i + 1]!, kind: d[i + 2] === 1 ? 1 : 2 });
        return out;
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
      if (!on) throw new Error('busy poll: schedule() after stop()');
      due = performance.now() + Math.max(0, delayMs);
      pending = fn;
    },
    stop: () => { on = false; pending = null; },
    recordStalls: () => false,
    stalls: () => [],
  };
}

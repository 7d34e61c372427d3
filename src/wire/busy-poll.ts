// Busy polling for a latency-sensitive process: the event loop never sleeps in epoll_wait, it
// polls with a zero timeout, so a message is picked up as soon as it lands instead of after the
// wake-up of an idle CPU. On this 2-vCPU VM an idle Node process took ~40–100 µs longer to answer
// (ocg.order.rtt p50 104–139 µs sleeping, ~30 µs with both sides polling). The price is a whole
// core per process, which is what low-latency gateways and trading clients pay; off by default
// (OcgGatewayOptions.busyPoll, OcgClientOptions.busyPoll).
//
// How: a libuv idle handle from the native addon (native/busypoll.c, built at npm ci) keeps the
// loop polling without running any JS. Without the addon, a setImmediate loop does the same, but
// each turn allocates ~450 bytes inside Node: ~300 young-generation collections a second from the
// polling alone, against ~100 with the idle handle, and each is a 0.1–0.3 ms pause.
import { createRequire } from 'node:module';

export interface BusyPoll {
  stop(): void;
}

interface NativeBusyPoll {
  start(): unknown;
  stop(handle: unknown): void;
}

function loadNative(): NativeBusyPoll | null {
  if (process.env['FAILOVER_DRILL_NATIVE'] === '0') return null;
  try {
    return createRequire(import.meta.url)('../../native/build/busypoll.node') as NativeBusyPoll;
  } catch {
    return null;
  }
}

const native = loadNative();

/** How busy polling is done here: 'native-idle' (the addon's idle handle) or 'immediate' (setImmediate loop). */
export const busyPollKind: string = native !== null ? 'native-idle' : 'immediate';

export function startBusyPoll(): BusyPoll {
  if (native !== null) {
    const handle = native.start();
    let on = true;
    return { stop: () => { if (on) { on = false; native.stop(handle); } } };
  }
  let on = true;
  const turn = (): void => {
    if (on) setImmediate(turn);
  };
  setImmediate(turn);
  return { stop: () => { on = false; } };
}

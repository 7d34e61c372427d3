// Busy polling for a latency-sensitive process: the event loop never sleeps in epoll_wait, it
// polls with a zero timeout between setImmediate turns, so a message is picked up as soon as it
// lands instead of after the wake-up of an idle CPU. On this 2-vCPU VM an idle Node process took
// ~40–100 µs longer to answer (ocg.order.rtt p50 104–139 µs sleeping, ~30 µs with both sides
// polling). The price is a whole core per process, which is what low-latency gateways and trading
// clients pay; off by default (OcgGatewayOptions.busyPoll, OcgClientOptions.busyPoll).

export interface BusyPoll {
  stop(): void;
}

export function startBusyPoll(): BusyPoll {
  let on = true;
  const turn = (): void => {
    if (on) setImmediate(turn);
  };
  setImmediate(turn);
  return { stop: () => { on = false; } };
}

// The opt-in low-latency profile (docs/performance.md, "Low-latency profile"): busy polling,
// quiet collections and V8 start-up flags, applied through the gateway's and client's runtime
// hooks (`--low-latency` on `failover-drill ocg gateway|client`). Nothing here is on the default path.
export { busyPollKind, startBusyPoll, type BusyPoll } from './busy-poll.ts';
export { QuietGc, quietGcAvailable } from './quiet-gc.ts';
export { LOW_LATENCY_FLAGS, hasLowLatencyFlags, relaunchWithFlags } from './flags.ts';
export { LowLatencyProfile, type LowLatencyOptions } from './profile.ts';

// The conductor: reads a rundown, plays it on a clock (wall clock in Hong Kong
// time or accelerated), drives the sites and collects their evidence.
export * from './hong-kong-time.ts';
export * from './rundown.ts';
export * from './scheduler.ts';
export * from './desk-forwarder.ts';
export * from './evidence-collector.ts';
export * from './conductor.ts';
export * from './session-evidence.ts';

// The embedded drill: sites, conductor and simulated subscribers in one process.
export * from './outcome.ts';
export * from './drill.ts';
export * from './desk-paperwork.ts';

export * from './clock.ts';
export * from './multicast.ts';

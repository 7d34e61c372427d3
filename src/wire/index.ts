export * from './clock.ts';
export * from './multicast.ts';
export * from './crc32c.ts';
export * from './sharded-map.ts';
export * from './busy-poll.ts';
export * from './socket-reads.ts';
export * from './write-batcher.ts';
export * from './churn-map.ts';

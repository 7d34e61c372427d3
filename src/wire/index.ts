export * from './clock.ts';
export * from './multicast.ts';
export * from './crc32c.ts';
export * from './write-batcher.ts';
export * from './connect.ts';

// Public face of the OMD module (each engineer appends their own export lines).
export * from './messages.ts';
export * from './codec.ts';
export * from './packet.ts';
export * from './channels.ts';
export * from './spread-table.ts';
export * from './image.ts';
export * from './aggregate-view.ts';
export * from './generator.ts';
export * from './line-arbitrator.ts';
export * from './sequenced-packet.ts';
export * from './rts-client.ts';
export * from './refresh-recovery.ts';
export * from './handler.ts';

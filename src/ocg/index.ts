export * from './messages.ts';
export * from './profile.ts';
export * from './codec.ts';
export * from './frame-reader.ts';
export * from './time.ts';
export { MESSAGE_SPECS, MESSAGE_SPEC_BY_TYPE } from './schema.ts';
export type { FieldSpec, MessageSpec, FieldKind } from './schema.ts';
export * from './lookup-client.ts';
export * from './order-script.ts';

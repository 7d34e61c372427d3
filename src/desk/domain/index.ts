// The desk's domain: objects, validation, Hong Kong time, verification.
export * from './types.ts';
export * from './validation.ts';
export * from './hong-kong-time.ts';
export * from './verification.ts';
export * from './password.ts';
export * from './messages/index.ts';
export * from './text.ts';
export * from './series.ts';
export * from './market-phase.ts';
export * from './readiness.ts';

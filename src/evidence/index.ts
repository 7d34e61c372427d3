// The evidence event contract: type, validation, JSON-lines files.
export * from './event.ts';
export * from './validate.ts';
export * from './jsonl.ts';

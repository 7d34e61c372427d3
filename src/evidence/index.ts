// The evidence event contract: type, validation, JSON-lines files, provenance.
export * from './event.ts';
export * from './validate.ts';
export * from './jsonl.ts';
export * from './provenance.ts';

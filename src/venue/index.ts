export * from './engine-types.ts';
export { MatchingEngine } from './matching-engine.ts';
export * from './units.ts';

export * from './yaml-config.ts';

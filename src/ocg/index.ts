export * from './messages.ts';
export * from './profile.ts';
export * from './codec.ts';

// OCG-C over FIX (FIXT.1.1 session, FIX 5.0 SP2 application messages): the public face of src/fix.
export * from './codec.ts';
export * from './tags.ts';
export * from './time.ts';
export * from './session.ts';
export * from './gateway.ts';
export * from './client.ts';

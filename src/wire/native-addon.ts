// Loading the optional native addon (native/NAME.c, built at `npm ci` by
// scripts/build-native.mjs), the same for each of its users (src/wire/busy-poll.ts,
// src/wire/populated.ts): null with FAILOVER_DRILL_NATIVE=0, when the addon
// was not built or does not load, or when `accept` (the user's check that this build has what it
// needs, and works) refuses it or throws.
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

export function loadAddon<T>(name: 'busypoll', accept: (addon: T) => boolean): T | null {
  if (process.env['FAILOVER_DRILL_NATIVE'] === '0') return null;
  try {
    const addon = load(`../../native/build/${name}.node`) as T;
    return accept(addon) ? addon : null;
  } catch {
    return null;
  }
}

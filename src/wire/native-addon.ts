// Loading an optional native addon of this module (native/NAME.c, built at `npm ci` by
// scripts/build-native.mjs; src/wire/crc32c.ts uses it): null with FAILOVER_DRILL_NATIVE=0, when
// the addon was not built or does not load, or when `accept` (the user's check that this build has
// what it needs, and works) refuses it or throws.
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

export function loadAddon<T>(name: 'crc32c', accept: (addon: T) => boolean): T | null {
  if (process.env['FAILOVER_DRILL_NATIVE'] === '0') return null;
  try {
    const addon = load(`../../native/build/${name}.node`) as T;
    return accept(addon) ? addon : null;
  } catch {
    return null;
  }
}

// Large buffers whose pages are mapped before anyone touches them. On this VM the first touch of a
// fresh page is a fault that costs ~10–13 µs (it exits to the host), so a 64 KiB slab allocated
// with `new Uint8Array` (zeroed at once: 16 faults) stalled the message that needed it by ~200 µs;
// the same slab mapped with MAP_POPULATE (native/busypoll.c populated()) costs ~11 µs. Used for
// memory that grows with traffic and is kept: the session store's frame arena
// (src/ocg/session-store.ts) and the write batcher's grown slabs (src/wire/write-batcher.ts). Not
// for short-lived slabs (the encoder's, src/ocg/codec.ts): malloc reuses those with their pages
// mapped, and an mmap/munmap pair each cost more than it saved.
// Without the addon (FAILOVER_DRILL_NATIVE=0, FAILOVER_DRILL_POPULATE=0, or not built) it is a
// plain zeroed Uint8Array.
import { loadAddon } from './native-addon.ts';

interface NativePopulated { populated(bytes: number): ArrayBuffer }

// An addon built from an older busypoll.c has no populated(); a runtime may refuse external array
// buffers (populated() then throws): find out once.
const native = process.env['FAILOVER_DRILL_POPULATE'] === '0' ? null
  : loadAddon<NativePopulated>('busypoll', (n) => typeof n.populated === 'function' && n.populated(4096).byteLength === 4096);

/** Below this, a buffer is a plain Uint8Array: a whole page of its own would waste more than it saves. */
export const POPULATED_MIN_BYTES = 16 * 1024;

/** How populatedBytes() gets its memory here: 'mmap-populate' or 'heap'. */
export const populatedKind: string = native !== null ? 'mmap-populate' : 'heap';

/** `bytes` zeroed bytes, their pages already mapped when `bytes` ≥ POPULATED_MIN_BYTES and the addon is there. */
export function populatedBytes(bytes: number): Uint8Array {
  if (native === null || bytes < POPULATED_MIN_BYTES) return new Uint8Array(bytes);
  return new Uint8Array(native.populated(bytes));
}

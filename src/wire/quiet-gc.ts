// Young-generation collections at quiet moments (the low-latency profile).
//
// V8 collects the young generation when it fills (with --minor-gc-task-trigger, in a task soon
// after it passes a mark). Either way the pause, ~0.1 ms here, lands on whatever message is being
// handled at that moment: in ocg.order.rtt, most orders over 200 µs had a young-generation pause
// in one of the two processes inside their round trip. A process that knows when it is idle (a
// gateway right after its replies went out; a client with nothing in flight and no order due
// soon) can collect then, every so many messages, so that V8 seldom has to collect at its own
// moment. `QuietGc` counts those idle points and collects at every Nth.
//
// The collection needs V8's `gc` function. With --expose-gc it is on globalThis; otherwise the
// flag is set at run time and `gc` is taken from a new context, the way the `expose-gc` npm
// package does it (Node documents setFlagsFromString after start-up as unsupported in general;
// --expose-gc only adds the function to contexts made afterwards). If neither works,
// `quietGcAvailable()` is false and `QuietGc.idle()` does nothing.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type GcFunction = (options?: { type?: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;

let gcFunction: GcFunction | null | undefined;

function gcFn(): GcFunction | null {
  if (gcFunction !== undefined) return gcFunction;
  const g = (globalThis as { gc?: unknown }).gc;
  if (typeof g === 'function') return (gcFunction = g as GcFunction);
  try {
    setFlagsFromString('--expose-gc');
    const f = runInNewContext('typeof gc === "function" ? gc : null') as unknown;
    gcFunction = typeof f === 'function' ? (f as GcFunction) : null;
  } catch {
    gcFunction = null;
  }
  return gcFunction;
}

/** Whether this process can run a young-generation collection on demand. */
export function quietGcAvailable(): boolean {
  return gcFn() !== null;
}

/** One young-generation collection now (no-op when unavailable). */
export function minorGc(): void {
  gcFn()?.({ type: 'minor' });
}

export class QuietGc {
  readonly every: number;
  #count = 0;
  #collections = 0;
  readonly #gc: GcFunction | null;

  /** Collect at every `every`-th idle point (≥ 1). */
  constructor(every: number) {
    if (!Number.isInteger(every) || every < 1) throw new RangeError(`QuietGc: every must be an integer ≥ 1, got ${every}`);
    this.every = every;
    this.#gc = gcFn();
  }

  /** Collections made so far. */
  get collections(): number {
    return this.#collections;
  }

  /** The process is idle now: collect if this is the Nth idle point since the last collection. */
  idle(): void {
    if (++this.#count < this.every || this.#gc === null) return;
    this.#count = 0;
    this.#collections++;
    this.#gc({ type: 'minor' });
  }
}

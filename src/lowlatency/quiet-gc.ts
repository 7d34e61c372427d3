// Young-generation collections at quiet moments. V8 collects the young generation when it fills,
// and the pause (~0.1 ms) lands on whatever message is being handled then. A process that knows
// when it is idle (a gateway right after its replies went out, a client with nothing in flight)
// can collect then, every so many idle points, so that V8 seldom has to collect at its own moment.
//
// It needs V8's `gc` function, which Node exposes with --expose-gc (one of the profile's start-up
// flags, src/lowlatency/flags.ts); without it, idle() does nothing.

type GcFunction = (options?: { type?: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;

function exposedGc(): GcFunction | null {
  const g = (globalThis as { gc?: unknown }).gc;
  return typeof g === 'function' ? (g as GcFunction) : null;
}

/** Whether this process can run a young-generation collection on demand (started with --expose-gc). */
export function quietGcAvailable(): boolean {
  return exposedGc() !== null;
}

export class QuietGc {
  readonly every: number;
  #count = 0;
  #collections = 0;
  readonly #gc: GcFunction | null = exposedGc();

  /** Collect at every `every`-th idle point (an integer ≥ 1). */
  constructor(every: number) {
    if (!Number.isInteger(every) || every < 1) throw new RangeError(`quiet GC: every must be an integer ≥ 1, got ${every}`);
    this.every = every;
  }

  /** Collections made so far. */
  get collections(): number {
    return this.#collections;
  }

  /** The process is idle now: collect if this is the Nth idle point since the last collection. */
  idle(): void {
    if (this.#gc === null || ++this.#count < this.every) return;
    this.#count = 0;
    this.#collections++;
    this.#gc({ type: 'minor' });
  }
}

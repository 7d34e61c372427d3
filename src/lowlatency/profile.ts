// The low-latency profile as runtime hooks (OcgRuntimeHooks of src/ocg): busy polling from the
// first component's start to the last one's stop, and quiet young-generation collections at the
// components' idle points. One profile per process; the gateway and a client may share it.
import { busyPollKind, startBusyPoll, type BusyPoll } from './busy-poll.ts';
import { QuietGc, quietGcAvailable } from './quiet-gc.ts';

export interface LowLatencyOptions {
  /** A young-generation collection at every Nth idle point; 0 = V8 decides alone. Default 12. */
  quietGcEvery?: number;
}

export class LowLatencyProfile {
  readonly #quiet: QuietGc | null;
  #poll: BusyPoll | null = null;
  #users = 0;

  constructor(options: LowLatencyOptions = {}) {
    const every = options.quietGcEvery ?? 12;
    if (!Number.isInteger(every) || every < 0) throw new RangeError(`low-latency profile: quietGcEvery must be an integer ≥ 0, got ${every}`);
    this.#quiet = every > 0 ? new QuietGc(every) : null;
  }

  onStart(): void {
    if (this.#users++ === 0) this.#poll = startBusyPoll();
  }

  onStop(): void {
    if (this.#users === 0 || --this.#users > 0) return;
    this.#poll?.stop();
    this.#poll = null;
  }

  onIdle(): void {
    this.#quiet?.idle();
  }

  /** Whether the loop is polling now (between the first onStart and the last onStop). */
  get polling(): boolean {
    return this.#poll !== null;
  }

  /** Young-generation collections made at idle points so far. */
  get quietCollections(): number {
    return this.#quiet?.collections ?? 0;
  }

  /** A sub-millisecond timer (BusyPoll.schedule) while polling; throws otherwise. */
  schedule(delayMs: number, fn: () => void): void {
    if (this.#poll === null) throw new Error('low-latency profile: schedule() needs polling (a started gateway or client)');
    this.#poll.schedule(delayMs, fn);
  }

  /** One line for a start-up banner: what the profile does in this process. */
  describe(): string {
    const gc = this.#quiet === null ? 'off' : quietGcAvailable() ? `every ${this.#quiet.every} idle points` : 'unavailable (no --expose-gc)';
    return `busy polling (${busyPollKind}), quiet GC ${gc}`;
  }
}

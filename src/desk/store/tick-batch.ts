// Requests for one kind of query that arrive in the same turn of the event loop
// go to the database together: 500 firms submitting at one instant cost a
// handful of round trips instead of 500 (the PostgreSQL store's reads of
// sign-in sessions and form context, and its form submissions).
interface Pending<I, O> {
  item: I;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
}

export class TickBatch<I, O> {
  readonly #run: (items: I[]) => Promise<(O | Error)[]>;
  readonly #max: number;
  #queue: Pending<I, O>[] = [];
  #scheduled = false;

  /** `run` answers one output per input, in order (an Error fails that one input); it may throw to fail the whole group. */
  constructor(run: (items: I[]) => Promise<(O | Error)[]>, opts: { max?: number } = {}) {
    this.#run = run;
    this.#max = opts.max ?? 256;
  }

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        // After the I/O callbacks of this turn: every request parsed now joins the group.
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    while (this.#queue.length) {
      const group = this.#queue.splice(0, this.#max);
      this.#run(group.map((p) => p.item)).then(
        (out) =>
          group.forEach((p, i) => {
            const o = out[i];
            if (o instanceof Error) p.reject(o);
            else p.resolve(o as O);
          }),
        (e) => group.forEach((p) => p.reject(e)),
      );
    }
  }
}

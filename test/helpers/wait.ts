// Waiting in tests for something to happen, never for a fixed duration.

/** Polls `cond` until it holds; throws, naming `what`, if it still does not after `ms`. */
export async function waitFor(what: string, cond: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** One turn of the event loop: I/O that is already readable gets its callbacks run. */
export const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

// A Map<string, V> split into 16 Maps by the last two characters of the key.
//
// Why: a JS Map doubles its hash table when it fills, rehashing every entry in one go. A per-order
// map of a trading day crosses 32,768 entries mid-session, and that single rehash (a ~1 MB table
// in V8's large-object space, fresh pages, every entry moved) stalled an order path for 2–3 ms
// per map; the client and the matching engine each keep two such maps (ocg.order.rtt_p99 showed a
// 10 ms stall at exactly order 32,768). Split 16 ways, each table is 1/16 the size, so each
// doubling moves 1/16 as much and stays in the regular heap; the shards fill about evenly because
// order and execution IDs end in a counter. Iteration order is shard by shard, not insertion order.
const SHARDS = 16;

function shardOf(key: string): number {
  if (typeof key !== 'string') return 0; // a Map takes any key; so does this (garbage requests must not throw)
  const n = key.length;
  return n === 0 ? 0 : (key.charCodeAt(n - 1) + (n > 1 ? key.charCodeAt(n - 2) * 7 : 0)) & (SHARDS - 1);
}

export class ShardedMap<V> implements Iterable<[string, V]> {
  readonly #shards: Map<string, V>[] = Array.from({ length: SHARDS }, () => new Map<string, V>());

  constructor(entries?: Iterable<readonly [string, V]>) {
    if (entries !== undefined) for (const [k, v] of entries) this.set(k, v);
  }

  get size(): number {
    let n = 0;
    for (const s of this.#shards) n += s.size;
    return n;
  }

  get(key: string): V | undefined {
    return this.#shards[shardOf(key)]!.get(key);
  }

  has(key: string): boolean {
    return this.#shards[shardOf(key)]!.has(key);
  }

  set(key: string, value: V): this {
    this.#shards[shardOf(key)]!.set(key, value);
    return this;
  }

  delete(key: string): boolean {
    return this.#shards[shardOf(key)]!.delete(key);
  }

  clear(): void {
    for (const s of this.#shards) s.clear();
  }

  *entries(): IterableIterator<[string, V]> {
    for (const s of this.#shards) yield* s.entries();
  }

  *keys(): IterableIterator<string> {
    for (const s of this.#shards) yield* s.keys();
  }

  *values(): IterableIterator<V> {
    for (const s of this.#shards) yield* s.values();
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }
}

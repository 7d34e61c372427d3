// A Map<string, V> split into 128 Maps, so that no single hash-table doubling stalls the caller.
//
// Why: a JS Map doubles its hash table when it fills, rehashing every entry in one go, ~55 ns an
// entry here: 1.9 ms at 32,768 entries, 3.2 ms at 65,536, 7.3 ms at 131,072. A per-order map of a
// trading day crosses those sizes mid-session, stalling the order path (ocg.order.rtt_p99 showed a
// 10 ms stall at exactly order 32,768: the client and the matching engine each keep two such maps).
//
// Split 128 ways, a doubling moves ~1/128 of the entries. But shards of equal share fill in
// lockstep (order IDs end in a counter), so they all double within the same few dozen orders:
// ~16 ms of rehashing in 200 orders at 64,000 orders over four maps, measured. So the shares are
// unequal, geometric: shard s takes a share ∝ 2^(s/128), the largest twice the smallest, and the
// shards reach a given size at totals spread evenly over one doubling of the map, one
// small rehash every ~0.5% of growth instead of all at once. Each instance also shifts the shard
// boundaries by its own phase, so that two maps filled by the same orders (the client's orders
// and its reports, the engine's orders and Client Order IDs) do not double together either.
// Shards are made on first use (the engine keeps one map per broker). Iteration order is shard
// by shard, not insertion order.
const SHARDS = 128;
const TWO_32 = 4294967296;
let instances = 0;
/** Stands for every shard not yet made (never written to: set() makes the shard first). */
const UNMADE: Map<string, never> = new Map<string, never>();

/**
 * The shard of a key (exported for tests): the last eight characters hashed to u in [0, 1), then u -> floor(128·log2(1 + u) + phase),
 * which gives shard s a share ∝ 2^(s/128).
 */
export function shardOf(key: string, phase = 0): number {
  if (typeof key !== 'string') return 0; // a Map takes any key; so does this (garbage requests must not throw)
  const n = key.length;
  // The last eight characters: with four, a counter's shares repeat every 10,000 keys in integer
  // steps, and shards with the same step doubled together again.
  let x = 0, y = 0;
  for (let i = n > 8 ? n - 8 : 0; i < n; i++) {
    y = (y << 8) | (x >>> 24);
    x = (x << 8) | (key.charCodeAt(i) & 0xff);
  }
  x ^= Math.imul(y, 0x9e3779b1);
  // murmur3's finaliser: every input bit moves every output bit, so shards fill like random draws
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  const u = ((x ^ (x >>> 16)) >>> 0) / TWO_32;
  return Math.floor(SHARDS * Math.log2(1 + u) + phase) & (SHARDS - 1);
}

export class ShardedMap<V> implements Iterable<[string, V]> {
  readonly #shards: Map<string, V>[] = new Array<Map<string, V>>(SHARDS).fill(UNMADE);
  /** Golden-ratio steps: successive instances get phases spread evenly over [0, 1). */
  readonly #phase = (instances++ * 0.6180339887498949) % 1;

  constructor(entries?: Iterable<readonly [string, V]>) {
    if (entries !== undefined) for (const [k, v] of entries) this.set(k, v);
  }

  get size(): number {
    let n = 0;
    for (const s of this.#shards) n += s.size;
    return n;
  }

  get(key: string): V | undefined {
    return this.#shards[shardOf(key, this.#phase)]!.get(key);
  }

  has(key: string): boolean {
    return this.#shards[shardOf(key, this.#phase)]!.has(key);
  }

  set(key: string, value: V): this {
    const i = shardOf(key, this.#phase);
    let m = this.#shards[i]!;
    if (m === UNMADE) this.#shards[i] = m = new Map<string, V>();
    m.set(key, value);
    return this;
  }

  delete(key: string): boolean {
    return this.#shards[shardOf(key, this.#phase)]!.delete(key);
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

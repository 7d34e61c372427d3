// A string-keyed map for entries that come and go all day (requests waiting for their answer):
// open addressing with linear probing and backward-shift deletion, so no tombstones and no
// rehash on delete. A JS Map shrinks its hash table when a delete leaves it under a quarter
// full and rehashes when deleted entries fill it: with one or two requests in flight that was a
// new table every order or so, ~150 bytes of garbage an order in OcgClient (measured with the
// sampling heap profiler). This table grows (at half full) and never shrinks.
const MIN_CAPACITY = 16;

function hashOf(k: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < k.length; i++) h = Math.imul(h ^ k.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class ChurnMap<V> {
  #keys: (string | undefined)[] = new Array<string | undefined>(MIN_CAPACITY).fill(undefined);
  #values: (V | undefined)[] = new Array<V | undefined>(MIN_CAPACITY).fill(undefined);
  #hashes = new Uint32Array(MIN_CAPACITY);
  #size = 0;

  get size(): number {
    return this.#size;
  }

  #find(key: string, h: number): number {
    const keys = this.#keys;
    const mask = keys.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const k = keys[i];
      if (k === undefined) return -1 - i; // free slot where it would go
      if (k === key) return i;
    }
  }

  get(key: string): V | undefined {
    const i = this.#find(key, hashOf(key));
    return i >= 0 ? this.#values[i] : undefined;
  }

  has(key: string): boolean {
    return this.#find(key, hashOf(key)) >= 0;
  }

  set(key: string, value: V): this {
    const h = hashOf(key);
    let i = this.#find(key, h);
    if (i >= 0) {
      this.#values[i] = value;
      return this;
    }
    if ((this.#size + 1) * 2 > this.#keys.length) {
      this.#grow();
      i = this.#find(key, h);
    }
    i = -1 - i;
    this.#keys[i] = key;
    this.#values[i] = value;
    this.#hashes[i] = h;
    this.#size++;
    return this;
  }

  delete(key: string): boolean {
    let i = this.#find(key, hashOf(key));
    if (i < 0) return false;
    const keys = this.#keys, values = this.#values, hashes = this.#hashes;
    const mask = keys.length - 1;
    // Backward shift: pull later entries of the probe run into the hole when the hole lies
    // between their home slot and where they sit.
    for (let j = (i + 1) & mask; keys[j] !== undefined; j = (j + 1) & mask) {
      const home = hashes[j]! & mask;
      if (((j - home) & mask) >= ((j - i) & mask)) {
        keys[i] = keys[j];
        values[i] = values[j];
        hashes[i] = hashes[j]!;
        i = j;
      }
    }
    keys[i] = undefined;
    values[i] = undefined;
    this.#size--;
    return true;
  }

  clear(): void {
    this.#keys.fill(undefined);
    this.#values.fill(undefined);
    this.#size = 0;
  }

  *values(): IterableIterator<V> {
    const keys = this.#keys, values = this.#values;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== undefined) yield values[i]!;
  }

  #grow(): void {
    const keys = this.#keys, values = this.#values, hashes = this.#hashes;
    const cap = keys.length * 2;
    this.#keys = new Array<string | undefined>(cap).fill(undefined);
    this.#values = new Array<V | undefined>(cap).fill(undefined);
    this.#hashes = new Uint32Array(cap);
    const mask = cap - 1;
    for (let j = 0; j < keys.length; j++) {
      const k = keys[j];
      if (k === undefined) continue;
      let i = hashes[j]! & mask;
      while (this.#keys[i] !== undefined) i = (i + 1) & mask;
      this.#keys[i] = k;
      this.#values[i] = values[j];
      this.#hashes[i] = hashes[j]!;
    }
  }
}

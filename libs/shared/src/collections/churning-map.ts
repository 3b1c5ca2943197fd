/**
 * A Map for entries that come and go all the time, such as the requests in flight.
 *
 * A plain Map kept for the life of a process misbehaves in V8 under that churn. Once the Map's
 * hash table has been promoted to the old generation, V8 allocates every table it rehashes into
 * there too. The table a rehash replaces still holds the entries it had. It stays until the next
 * full collection, and so do those entries and everything they reach, although nothing uses them
 * any more. Under load that made a tenth of all the garbage of the calls in flight survive young
 * collections and be promoted, which cost the platform a fifth of its CPU. This Map moves its
 * entries to a fresh Map, allocated young, after every `renewEvery` deletions.
 */
export class ChurningMap<K, V> implements Iterable<[K, V]> {
  private map = new Map<K, V>();
  private deletions = 0;

  constructor(private readonly renewEvery = 1024) {}

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  set(key: K, value: V): this {
    this.map.set(key, value);
    return this;
  }

  delete(key: K): boolean {
    if (!this.map.delete(key)) return false;
    if (++this.deletions >= this.renewEvery) {
      this.deletions = 0;
      this.map = new Map(this.map);
    }
    return true;
  }

  clear(): void {
    this.deletions = 0;
    this.map = new Map();
  }

  /** A snapshot: deleting while going through it is safe, even when the deletion renews the Map. */
  keys(): K[] {
    return [...this.map.keys()];
  }

  /** A snapshot, like `keys()`. */
  values(): V[] {
    return [...this.map.values()];
  }

  /** A snapshot, like `keys()`. */
  entries(): [K, V][] {
    return [...this.map.entries()];
  }

  [Symbol.iterator](): Iterator<[K, V]> {
    return this.entries()[Symbol.iterator]();
  }
}

/**
 * The same cure for Maps that a library keeps in fields of its own (the MCP SDK keeps its requests
 * in flight so): replaces each named field that holds a Map by a fresh copy. Call it between two
 * uses, every thousand requests or so. A field that is missing or not a Map is left alone.
 */
export function renewMaps(owner: object, fields: readonly string[]): void {
  const record = owner as Record<string, unknown>;
  for (const field of fields) {
    const value = record[field];
    if (value instanceof Map) record[field] = new Map(value);
  }
}

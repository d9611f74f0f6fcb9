import { evictOldest } from "../evict.js";

/**
 * A bounded least-recently-used map. Cedar is deterministic, so a decision keyed on the complete request (policy
 * set, principal, action, resource and canonical context) can be replayed exactly.
 */
export class DecisionCache<V> {
  private readonly entries = new Map<string, V>();
  hits = 0;
  misses = 0;

  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Re-insert so the entry becomes the most recent (Map keeps insertion order).
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: string, value: V): void {
    if (this.capacity <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, value);
    evictOldest(this.entries, this.capacity);
  }

  get size(): number {
    return this.entries.size;
  }
}

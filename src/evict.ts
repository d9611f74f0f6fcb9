/**
 * Keeps an insertion-ordered Set or Map within `max` entries by deleting its oldest ones, an eighth of `max` at a time.
 * One at a time is quadratic in V8: a deleted entry stays a hole at the front of the table until the table is
 * rebuilt, and each `keys().next()` walks every hole again (a million insertions under a bound of 50,000 took 21 s;
 * in batches, 0.1 s).
 */
export function evictOldest<K>(set: Set<K>, max: number): void;
export function evictOldest<K, V>(map: Map<K, V>, max: number, onEvict?: (key: K, value: V) => void): void;
export function evictOldest<K, V>(collection: Set<K> | Map<K, V>, max: number, onEvict?: (key: K, value: V) => void): void {
  if (collection.size <= max) return;
  let excess = collection.size - max + (max >> 3);
  if (collection instanceof Map) {
    for (const [key, value] of collection) {
      if (excess-- <= 0) break;
      collection.delete(key);
      onEvict?.(key, value);
    }
    return;
  }
  for (const key of collection) {
    if (excess-- <= 0) break;
    collection.delete(key);
  }
}

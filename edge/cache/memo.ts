/**
 * Memos of pure functions of a string, for the hit path (cache keys, route outcomes, purge
 * scopes): recent results are kept in an LRU bounded by entries and by characters, since URLs
 * can be long and an isolate has 128 MB.
 */
import { LRUCache } from 'lru-cache';

/** Bounds of a memo; a value counts `charsOf(value)` characters (1 when absent) plus its id's. */
export interface MemoOptions<V> {
  maxEntries: number;
  maxChars: number;
  charsOf?: (value: V) => number;
}

/** `memo(id, compute)`: the value kept for `id`, or `compute()` kept from now on. */
export function stringMemo<V extends {}>(options: MemoOptions<V>): (id: string, compute: () => V) => V {
  const charsOf = options.charsOf ?? (() => 1);
  const cache = new LRUCache<string, V>({ max: options.maxEntries, maxSize: options.maxChars, sizeCalculation: (value, id) => id.length + charsOf(value) });
  return (id, compute) => {
    let value = cache.get(id);
    if (value === undefined) {
      value = compute();
      cache.set(id, value);
    }
    return value;
  };
}

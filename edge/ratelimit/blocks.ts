/**
 * The identifiers this isolate knows are over their limit, and until when: the ephemeral cache
 * `@upstash/ratelimit` keeps (it takes only a `Map`), bounded by an LRU so made-up identifiers
 * cannot grow it without end, and each block forgotten once its window ends.
 */
import { LRUCache } from 'lru-cache';

/** Most blocks remembered per limiter client; past it the least recently used go first. */
export const MAX_BLOCKED = 10_000;

/** `{prefix}:{identifier}` → end of its block (epoch ms), as a `Map` the library accepts. */
export class BlockList extends Map<string, number> {
  readonly #blocks = new LRUCache<string, number>({ max: MAX_BLOCKED, perf: { now: () => Date.now() }, ttlResolution: 0 });

  override get(key: string): number | undefined {
    return this.#blocks.get(key);
  }

  override has(key: string): boolean {
    return this.#blocks.has(key);
  }

  /** Remembers a block until `until`; kept one millisecond at least, so the library reads it back. */
  override set(key: string, until: number): this {
    this.#blocks.set(key, until, { ttl: Math.max(1, until - Date.now()) });
    return this;
  }

  override delete(key: string): boolean {
    return this.#blocks.delete(key);
  }

  override clear(): void {
    this.#blocks.clear();
  }

  /** Blocks still holding (ended ones are dropped first). */
  override get size(): number {
    this.#blocks.purgeStale();
    return this.#blocks.size;
  }

  override *entries(): MapIterator<[string, number]> {
    yield* this.#blocks.entries();
  }

  override *keys(): MapIterator<string> {
    yield* this.#blocks.keys();
  }

  override *values(): MapIterator<number> {
    yield* this.#blocks.values();
  }

  override [Symbol.iterator](): MapIterator<[string, number]> {
    return this.entries();
  }

  override forEach(callback: (value: number, key: string, map: Map<string, number>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.#blocks.entries()) callback.call(thisArg, value, key, this);
  }
}

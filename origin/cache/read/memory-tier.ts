/**
 * The per-process memory tier (L1): decoded values kept for at most `ttlMs` (≤ 1 s by the
 * freshness contract in `docs/engine.md`) on wall-clock time, so an instance that was frozen
 * (Lambda between invocations) and missed invalidation messages still drops them on thaw.
 */
import { LRUCache } from 'lru-cache';

/** Bounds of the memory tier. */
export interface MemoryTierOptions {
  maxEntries: number;
  /** Longest time a value lives here; the staleness bound when invalidations are missed. */
  ttlMs: number;
}

interface Held {
  value: unknown;
  freshUntil: number;
  tenant: string;
}

const wallClock = { now: () => Date.now() };

/** An LRU of decoded values with a hard, short time to live. */
export class MemoryTier {
  readonly #lru: LRUCache<string, Held>;
  readonly #ttlMs: number;

  constructor(options: MemoryTierOptions) {
    if (options.ttlMs <= 0 || options.ttlMs > 1000) throw new RangeError('memory tier ttlMs must be in (0, 1000]');
    this.#lru = new LRUCache<string, Held>({ max: options.maxEntries, perf: wallClock });
    this.#ttlMs = options.ttlMs;
  }

  /** The value under `key` while it is held and still fresh at `now`. */
  get(key: string, now: number): { value: unknown } | undefined {
    const held = this.#lru.get(key);
    return held && now < held.freshUntil ? { value: held.value } : undefined;
  }

  /** Holds `value` until the entry's freshness ends or the tier's TTL, whichever is first. */
  set(key: string, tenant: string, value: unknown, freshUntil: number, now: number): void {
    const ttl = Math.min(this.#ttlMs, freshUntil - now);
    if (ttl > 0) this.#lru.set(key, { value, freshUntil, tenant }, { ttl });
  }

  /** Drops the given keys. */
  dropKeys(keys: readonly string[]): void {
    for (const key of keys) this.#lru.delete(key);
  }

  /** Drops every value of a tenant (a tag or tenant invalidation). */
  dropTenant(tenant: string): void {
    for (const [key, held] of this.#lru.entries()) if (held.tenant === tenant) this.#lru.delete(key);
  }

  /** Drops everything (a missed-message recovery or a bus reconnect). */
  clear(): void {
    this.#lru.clear();
  }
}

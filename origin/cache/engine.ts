/**
 * The cache engine: strategies composed over any `CacheStore` (`docs/engine.md`).
 *
 * - cache-aside `getOrLoad`, write-through `writeThrough`, refresh-ahead, stale-while-revalidate
 *   and stale-if-error, with the windows carried in each entry;
 * - stampede protection: one load per key per process, one per key across processes;
 * - invalidation by key, by tag and by tenant. Tags and tenants are *versions*: every entry
 *   records the versions of its tenant and tags when written and is valid only while they are
 *   unchanged. Invalidating is one SET, whatever the number of entries (tag sets would cost one
 *   DEL per member and race with concurrent writers). Where the store tracks them (Redis client
 *   tracking) the versions are held in process and a hit is one GET; otherwise they are read in
 *   the same MGET as the entry (same slot: the tenant hash tag): one round trip either way;
 * - degradation: store calls go through a circuit breaker; a failing store means loads from the
 *   source, never an error the caller did not cause.
 *
 * This class only wires the parts: the read path (`read/`), the write path (`write/`) and the
 * invalidations (`invalidation/`), over one context (`context.ts`).
 */
import { createContext, type CacheEngineOptions, type EngineContext } from './context.ts';
import { Invalidations } from './invalidation/invalidations.ts';
import { versionKey } from './invalidation/versions.ts';
import type { BreakerState } from './resilience/breaker.ts';
import { Loads } from './read/loads.ts';
import { Reads } from './read/reads.ts';
import type { CacheEntryRef, CacheResult, CacheTarget, ReadRequest } from './target.ts';
import { Writes } from './write/writes.ts';

export type { CacheEngineOptions } from './context.ts';

/** Strategies over a store. Build one per process and share it. */
export class CacheEngine {
  readonly #context: EngineContext;
  readonly #invalidations: Invalidations;
  readonly #reads: Reads;
  readonly #writes: Writes;

  constructor(options: CacheEngineOptions) {
    this.#context = createContext(options);
    this.#invalidations = new Invalidations(this.#context, { journal: options.journal, pollMs: options.journalPollMs });
    this.#reads = new Reads(this.#context, new Loads(this.#context), this.#invalidations);
    this.#writes = new Writes(this.#context, this.#invalidations);
  }

  /**
   * Call once after construction, before serving: reads the invalidation journal (so tenants
   * with a bump still to land are read from the source from the first request on) and
   * subscribes the memory tier to the bus.
   */
  async start(): Promise<void> {
    await this.#invalidations.poll();
    const { memory, bus } = this.#context;
    if (!memory || !bus) return;
    await bus.subscribe(
      (message) => {
        if (message.keys) memory.dropKeys(message.keys);
        else if (message.tenant) memory.dropTenant(message.tenant);
      },
      () => memory.clear(),
    );
  }

  /** Tenants read from the source until an invalidation of theirs reaches Redis, for `/health`. */
  pendingInvalidations(): number {
    return this.#invalidations.pendingTenants();
  }

  /** The breaker's state, for `/health`. */
  breakerState(): BreakerState {
    return this.#context.breaker.state();
  }

  /**
   * The cached value, or the loaded one (stored for next time; a loader's `undefined` is not).
   * Concurrent reads of one key in this process share one round trip, and one load on a miss; a
   * local write to the key stops later reads from joining a round trip that started before it.
   * Treat values as immutable: callers that joined one read, and later reads of the same stored
   * bytes, receive the same object.
   */
  getOrLoad<T>(request: ReadRequest<T>): Promise<CacheResult<T>> {
    return this.#reads.getOrLoad(request);
  }

  /** Several reads in one batched round trip per node; misses load one by one. */
  getMany<T>(requests: readonly ReadRequest<T>[]): Promise<CacheResult<T>[]> {
    return this.#reads.getMany(requests);
  }

  /** Writes the source with `write`, then the cache with its result (write-through). */
  writeThrough<T>(target: CacheTarget, write: () => Promise<T>): Promise<T> {
    return this.#writes.writeThrough(target, write);
  }

  /** Stores `value`; a store failure is reported, not thrown (the source already has it). */
  set<T>(target: CacheTarget, value: T): Promise<void> {
    return this.#writes.setMany([{ target, value }]);
  }

  /**
   * Stores several values, one round trip per node. A value that cannot be encoded is reported
   * and its key deleted instead (its old entry must not outlive the write); only the store's own
   * failures reach the breaker.
   */
  setMany(items: readonly { target: CacheTarget; value: unknown }[]): Promise<void> {
    return this.#writes.setMany(items);
  }

  /**
   * Deletes entries, here and in other processes' memory tiers. Resolves false when the store
   * could not be reached (reported to `onError`): the caller's write already succeeded, and the
   * entries' tenants are read from the source until their invalidation lands.
   */
  delete(...entries: CacheEntryRef[]): Promise<boolean> {
    return this.#writes.delete(entries);
  }

  /** Invalidates every entry of `tenant` carrying any of `tags`: one write per tag. */
  async invalidateTags(tenant: string, tags: readonly string[]): Promise<boolean> {
    return this.#invalidations.bump(
      tenant,
      tags.map((tag) => versionKey(tenant, tag)),
    );
  }

  /** Invalidates every entry of `tenant`: one write. */
  async invalidateTenant(tenant: string): Promise<boolean> {
    return this.#invalidations.bump(tenant, [versionKey(tenant)]);
  }

  /** Releases timers and connections the engine owns (not the store). */
  async close(): Promise<void> {
    await this.#invalidations.close();
    this.#context.breaker.shutdown();
    await this.#context.bus?.close();
  }
}

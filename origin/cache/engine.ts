/**
 * The cache engine: strategies composed over any `CacheStore` (ARCHITECTURE.md §2, §4).
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
 */
import { VERSION_KEY_PREFIX, versionKey } from '../../common/keys.ts';
import { createBreaker, type StoreBreaker } from './breaker.ts';
import type { InvalidationBus } from './bus.ts';
import { DEFAULT_LOCK, SingleFlight, type LockOptions } from './coordination.ts';
import { DecodedValues, DEFAULT_DECODED, type DecodedValuesOptions } from './decoded-values.ts';
import { StoreGuard } from './guard.ts';
import type { CacheStore, InvalidationJournal } from './interface.ts';
import { Invalidations } from './invalidation.ts';
import { Loads } from './loading.ts';
import { MemoryTier, type MemoryTierOptions } from './memory-tier.ts';
import { absorbFailures } from './metrics/absorbed.ts';
import type { CacheMetrics } from './metrics/interface.ts';
import { noMetrics } from './metrics/null.ts';
import { Reads } from './reads.ts';
import { tenantOf, versionKeys, type CacheResult, type CacheTarget, type ErrorListener, type ReadRequest } from './targets.ts';

export type { CacheOutcome, CacheResult, CacheTarget, ErrorListener, ReadRequest } from './targets.ts';

/** Engine configuration. */
export interface CacheEngineOptions {
  store: CacheStore;
  metrics?: CacheMetrics;
  breaker?: StoreBreaker;
  lock?: LockOptions;
  /** Per-process memory tier for policies with `memory: true`; off when absent. */
  memory?: MemoryTierOptions;
  /**
   * Decoded copies of recent reads, reused while Redis returns the same bytes
   * (`decoded-values.ts`); `false` decodes every read. Policies with `reuseDecoded: false` or
   * a memory tier never use them.
   */
  decoded?: DecodedValuesOptions | false;
  /** Tells other processes to drop memory-tier values; needed only with `memory`. */
  bus?: InvalidationBus;
  /** Shares invalidations that could not reach the store with every process (`invalidation.ts`). */
  journal?: InvalidationJournal;
  /** How often the journal is read; 2 s by default. */
  journalPollMs?: number;
  onError?: ErrorListener;
}

/** Strategies over a store. Build one per process and share it. */
export class CacheEngine {
  readonly #store: CacheStore;
  readonly #breaker: StoreBreaker;
  readonly #guard: StoreGuard;
  readonly #memory: MemoryTier | undefined;
  readonly #bus: InvalidationBus | undefined;
  readonly #onError: ErrorListener;
  // Reads in flight, to join; a local write stops later reads from joining earlier ones.
  readonly #joined = new SingleFlight();
  readonly #loads: Loads;
  readonly #invalidations: Invalidations;
  readonly #readPath: Reads;

  constructor(options: CacheEngineOptions) {
    const flights = new SingleFlight(); // loads running, one per key
    this.#store = options.store;
    this.#breaker = options.breaker ?? createBreaker();
    this.#memory = options.memory && new MemoryTier(options.memory);
    this.#bus = options.bus;
    this.#onError = options.onError ?? (() => {});
    const versions = options.store.track?.(VERSION_KEY_PREFIX, (error) => this.#onError(error, { operation: 'track' }));
    // Store calls are timed only for a metrics sink, whose failures are reported, never thrown.
    const sink = options.metrics;
    const timed = sink !== undefined && sink !== noMetrics;
    const metrics = timed ? absorbFailures(sink, this.#onError) : noMetrics;
    this.#guard = new StoreGuard(this.#breaker, metrics, timed, this.#onError, (request) => this.#readPath.bypass(request));
    this.#loads = new Loads({
      store: this.#store,
      guard: this.#guard,
      lock: options.lock ?? DEFAULT_LOCK,
      flights,
      metrics,
      onError: this.#onError,
    });
    this.#invalidations = new Invalidations({
      store: this.#store,
      guard: this.#guard,
      versions,
      memory: this.#memory,
      joined: this.#joined,
      flights,
      publish: (message) => this.#publish(message),
      onError: this.#onError,
      journal: options.journal,
      journalPollMs: options.journalPollMs,
    });
    this.#readPath = new Reads({
      store: this.#store,
      guard: this.#guard,
      versions,
      memory: this.#memory,
      decoded: options.decoded === false ? undefined : new DecodedValues(options.decoded ?? DEFAULT_DECODED),
      joined: this.#joined,
      flights,
      loads: this.#loads,
      invalidations: this.#invalidations,
      metrics,
      onError: this.#onError,
    });
  }

  /**
   * Call once after construction, before serving: reads the invalidation journal (so tenants
   * with a bump still to land are read from the source from the first request on) and
   * subscribes the memory tier to the bus.
   */
  async start(): Promise<void> {
    await this.#invalidations.poll();
    const memory = this.#memory;
    if (!memory || !this.#bus) return;
    await this.#bus.subscribe(
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
  breakerState() {
    return this.#breaker.state();
  }

  /**
   * The cached value, or the loaded one (stored for next time). Concurrent reads of one key in
   * this process share one round trip, and one load on a miss; a local write to the key stops
   * later reads from joining a round trip that started before it. Treat values as immutable:
   * callers that joined one read, and later reads of the same stored bytes, receive the same object.
   */
  getOrLoad<T>(request: ReadRequest<T>): Promise<CacheResult<T | undefined>> {
    return this.#readPath.getOrLoad(request);
  }

  /** Several reads in one batched round trip per node; misses load one by one. */
  getMany<T>(requests: readonly ReadRequest<T>[]): Promise<CacheResult<T | undefined>[]> {
    return this.#readPath.getMany(requests);
  }

  /** Writes the source with `write`, then the cache with its result (write-through). */
  async writeThrough<T>(target: CacheTarget, write: () => Promise<T>): Promise<T> {
    const value = await write();
    await this.set(target, value);
    return value;
  }

  /** Stores `value`; a store failure is reported, not thrown (the source already has it). */
  async set<T>(target: CacheTarget, value: T): Promise<void> {
    await this.setMany([{ target, value }]);
  }

  /**
   * Stores several values, one round trip per node. A value that cannot be encoded is reported
   * and its key deleted instead (its old entry must not outlive the write); only the store's own
   * failures reach the breaker.
   */
  async setMany(items: readonly { target: CacheTarget; value: unknown }[]): Promise<void> {
    if (items.length === 0) return;
    const now = Date.now();
    const policy = items[0]!.target.policy;
    const keys = items.map((item) => item.target.key);
    const layout = items.map((item) => versionKeys(item.target)); // throws for a key without a tenant
    const forget = () => keys.forEach((key) => this.#joined.forget(key));
    forget();
    try {
      const versions = await this.#guard.run(policy, 'set', () => this.#loads.currentVersions(layout));
      const writes = await Promise.all(items.map((item, i) => this.#loads.entryWrite(item.target, item.value, versions[i]!, now)));
      const stored = writes.filter((write) => write !== undefined);
      if (stored.length > 0) await this.#guard.run(policy, 'set', () => this.#store.setMany(stored));
      items.forEach((item, i) => {
        const write = writes[i];
        if (write && item.target.policy.memory) this.#memory?.set(item.target.key, tenantOf(item.target.key), item.value, write.freshUntil, now);
      });
      const unencodable = keys.filter((_, i) => writes[i] === undefined);
      if (unencodable.length > 0) await this.delete(...unencodable);
      await this.#publish({ keys });
    } catch {
      // The store failed (the guard reported it): the source has the new value and Redis may
      // still hold the old entry.
      await this.#invalidations.voidTenantsOf(keys);
    } finally {
      forget();
    }
  }

  /**
   * Deletes entries by key, here and in other processes' memory tiers. Resolves false when the
   * store could not be reached (reported to `onError`): the caller's write already succeeded.
   */
  async delete(...keys: string[]): Promise<boolean> {
    this.#memory?.dropKeys(keys);
    for (const key of keys) this.#joined.forget(key);
    const done = await this.#guard.attempt('delete', () => this.#store.delete(...keys));
    if (!done) await this.#invalidations.voidTenantsOf(keys);
    for (const key of keys) this.#joined.forget(key);
    await this.#publish({ keys });
    return done;
  }

  /** Invalidates every entry of `tenant` carrying any of `tags`: one write per tag. */
  async invalidateTags(tenant: string, tags: readonly string[]): Promise<boolean> {
    return this.#invalidations.bump(tenant, tags.map((tag) => versionKey(tenant, tag)));
  }

  /** Invalidates every entry of `tenant`: one write. */
  async invalidateTenant(tenant: string): Promise<boolean> {
    return this.#invalidations.bump(tenant, [versionKey(tenant)]);
  }

  /** Releases timers and connections the engine owns (not the store). */
  async close(): Promise<void> {
    await this.#invalidations.close();
    this.#breaker.shutdown();
    await this.#bus?.close();
  }

  async #publish(message: { keys?: string[]; tenant?: string }): Promise<void> {
    await this.#bus?.publish(message).catch((error: unknown) => this.#onError(error, { operation: 'publish' }));
  }
}

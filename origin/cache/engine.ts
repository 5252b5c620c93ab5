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
import { decodePayload } from './decoding.ts';
import { freshPayload, readEntry, type Entry } from './entry.ts';
import type { CacheStore, InvalidationJournal } from './interface.ts';
import { Invalidations } from './invalidation.ts';
import { Loads } from './loading.ts';
import { MemoryTier, type MemoryTierOptions } from './memory-tier.ts';
import type { CacheMetrics, CacheOperation } from './metrics/interface.ts';
import { noMetrics } from './metrics/null.ts';
import type { CachePolicy } from './policy.ts';
import { sameVersions, tenantOf, versionKeys, type CacheResult, type CacheTarget, type ErrorListener, type ReadRequest } from './targets.ts';
import type { TrackedValues } from './tracked-values.ts';

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
  readonly #metrics: CacheMetrics;
  readonly #breaker: StoreBreaker;
  readonly #memory: MemoryTier | undefined;
  readonly #decoded: DecodedValues | undefined;
  readonly #bus: InvalidationBus | undefined;
  readonly #onError: ErrorListener;
  readonly #flights = new SingleFlight();
  readonly #reads = new SingleFlight();
  readonly #versions: TrackedValues | undefined;
  readonly #loads: Loads;
  readonly #invalidations: Invalidations;
  // Store calls are timed only for a metrics sink: two clock reads per read otherwise wasted.
  readonly #timed: boolean;

  constructor(options: CacheEngineOptions) {
    this.#store = options.store;
    this.#metrics = options.metrics ?? noMetrics;
    this.#timed = options.metrics !== undefined && options.metrics !== noMetrics;
    this.#breaker = options.breaker ?? createBreaker();
    this.#memory = options.memory && new MemoryTier(options.memory);
    this.#decoded = options.decoded === false ? undefined : new DecodedValues(options.decoded ?? DEFAULT_DECODED);
    this.#bus = options.bus;
    this.#onError = options.onError ?? (() => {});
    this.#versions = options.store.track?.(VERSION_KEY_PREFIX, (error) => this.#onError(error, { operation: 'track' }));
    this.#loads = new Loads({
      store: this.#store,
      guard: (policy, operation, run) => this.#guard(policy, operation, run),
      lock: options.lock ?? DEFAULT_LOCK,
      flights: this.#flights,
      metrics: this.#metrics,
      onError: this.#onError,
    });
    this.#invalidations = new Invalidations({
      store: this.#store,
      breaker: this.#breaker,
      versions: this.#versions,
      memory: this.#memory,
      reads: this.#reads,
      flights: this.#flights,
      publish: (message) => this.#publish(message),
      onError: this.#onError,
      journal: options.journal,
      journalPollMs: options.journalPollMs,
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
    if (this.#invalidations.overdue()) return this.#invalidations.poll().then(() => this.getOrLoad(request));
    if (this.#invalidations.pendingFor(request.key)) return this.#bypassCounted(request);
    const held = request.policy.memory ? this.#memory?.get(request.key, Date.now()) : undefined;
    if (held) {
      this.#metrics.read(request.policy.type, 'hit');
      return Promise.resolve({ value: held.value as T, status: 'hit' });
    }
    const type = request.policy.type;
    const joined = this.#reads.current<CacheResult<T | undefined>>(request.key);
    if (joined)
      return joined.then((result) => {
        this.#metrics.read(type, result.status);
        return result;
      });
    // Leaving the flight and counting the read happen in one step: the hot path of a hit pays
    // for every promise it chains.
    const flight: Promise<CacheResult<T | undefined>> = this.#read(request).then(
      (result) => {
        this.#reads.leave(request.key, flight);
        this.#metrics.read(type, result.status);
        return result;
      },
      (error: unknown) => {
        this.#reads.leave(request.key, flight);
        throw error;
      },
    );
    this.#reads.enter(request.key, flight);
    return flight;
  }

  #read<T>(request: ReadRequest<T>): Promise<CacheResult<T | undefined>> {
    const names = versionKeys(request);
    const tracked = this.#versions;
    const held = tracked?.getAll(names);
    if (!held) return this.#readWithVersions(request, names);
    // The hit path: one GET, checked against the versions held in process.
    const ticket = tracked!.ticket();
    return this.#guard(
      request.policy,
      'get',
      () => this.#store.get(request.key),
      (raw) =>
        // A report on these versions, or a lost report connection, while the GET was out: trust
        // the server instead.
        tracked!.changedSince(ticket, names) ? this.#readWithVersions(request, names) : this.#resolve(request, raw, held, Date.now(), names),
      request,
    );
  }

  /** Reads the entry and its versions in one MGET, keeping the versions where tracked. */
  #readWithVersions<T>(request: ReadRequest<T>, names: readonly string[]): Promise<CacheResult<T | undefined>> {
    const ticket = this.#versions?.ticket();
    return this.#guard(
      request.policy,
      'get',
      () => this.#store.getMany([request.key, ...names]),
      (found) => {
        const versions = found.slice(1);
        if (ticket !== undefined) this.#versions!.remember(ticket, names, versions);
        return this.#resolve(request, found[0], versions, Date.now());
      },
      request,
    );
  }

  /** A bypass that counts as a read (the caller did not go through a flight). */
  #bypassCounted<T>(request: ReadRequest<T>): Promise<CacheResult<T | undefined>> {
    return this.#bypass(request).then((result) => {
      this.#metrics.read(request.policy.type, result.status);
      return result;
    });
  }

  /** A read while the store fails: straight from the source, one load per key. */
  #bypass<T>(request: ReadRequest<T>): Promise<CacheResult<T | undefined>> {
    return this.#flights.do(request.key, () => this.#loads.fromSource(request)).then((value): CacheResult<T | undefined> => ({ value, status: 'bypass' }));
  }

  /** Several reads in one batched round trip per node; misses load one by one. */
  async getMany<T>(requests: readonly ReadRequest<T>[]): Promise<CacheResult<T | undefined>[]> {
    if (this.#invalidations.overdue()) await this.#invalidations.poll();
    if (requests.some((request) => this.#invalidations.pendingFor(request.key))) {
      return Promise.all(requests.map((request) => this.getOrLoad(request)));
    }
    const layout = requests.map((request) => [request.key, ...versionKeys(request)]);
    let found: (string | undefined)[];
    try {
      found = await this.#guard(requests[0]?.policy, 'get', () => this.#store.getMany(layout.flat()));
    } catch {
      return Promise.all(requests.map((request) => this.getOrLoad(request)));
    }
    const now = Date.now();
    let at = 0;
    return Promise.all(
      requests.map(async (request, i) => {
        const slice = found.slice(at, at + layout[i]!.length);
        at += layout[i]!.length;
        const result = await this.#resolve(request, slice[0], slice.slice(1), now);
        this.#metrics.read(request.policy.type, result.status);
        return result;
      }),
    );
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

  /** Stores several values, one round trip per node. */
  async setMany(items: readonly { target: CacheTarget; value: unknown }[]): Promise<void> {
    if (items.length === 0) return;
    const now = Date.now();
    const forget = () => items.forEach((item) => this.#reads.forget(item.target.key));
    forget();
    try {
      const writes = await this.#guard(items[0]!.target.policy, 'set', async () => {
        const versions = await this.#loads.currentVersions(items.map((item) => item.target));
        return Promise.all(items.map(async (item, i) => this.#loads.entryWrite(item.target, item.value, versions[i]!, now)));
      });
      await this.#guard(items[0]!.target.policy, 'set', () => this.#store.setMany(writes));
      items.forEach((item, i) => {
        if (item.target.policy.memory) this.#memory?.set(item.target.key, tenantOf(item.target.key), item.value, writes[i]!.freshUntil, now);
      });
      await this.#publish({ keys: items.map((item) => item.target.key) });
    } catch (error) {
      this.#onError(error, { operation: 'set', key: items[0]!.target.key });
      // The source has the new value and Redis may still hold the old entry.
      await this.#invalidations.voidTenantsOf(items.map((item) => item.target.key));
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
    for (const key of keys) this.#reads.forget(key);
    const done = await this.#invalidations.attempt('delete', () => this.#store.delete(...keys));
    if (!done) await this.#invalidations.voidTenantsOf(keys);
    for (const key of keys) this.#reads.forget(key);
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

  /**
   * Judges an entry read from the store; synchronous for fresh and stale hits without a codec.
   * With `recheck` (the versions given are the ones held in process), an entry written under
   * other versions is judged again against the versions in Redis: it may be newer than what this
   * process has heard of (the report still on the way), and reloading would overwrite it with an
   * entry under the old versions.
   */
  #resolve<T>(
    request: ReadRequest<T>,
    raw: string | undefined,
    versions: (string | undefined)[],
    now: number,
    recheck?: readonly string[],
  ): CacheResult<T | undefined> | Promise<CacheResult<T | undefined>> {
    const policy = request.policy;
    const reuse = raw !== undefined && this.#decoded !== undefined && policy.reuseDecoded !== false && !policy.memory;
    if (reuse) {
      // The same bytes as the last read of this key: its header and value again.
      const known = this.#decoded!.get(request.key, raw);
      if (known !== undefined && sameVersions(known.entry.versions, versions)) return this.#judge(request, known.entry, known.usable as { value: T }, versions, now);
    } else if (raw !== undefined && !policy.memory) {
      // Otherwise the common case first, read in place: fresh, under these versions, not due for
      // a refresh (memory-tier policies take the full path, which also fills the tier).
      const payload = freshPayload(raw, versions, now + policy.refreshAheadMs);
      if (payload !== undefined) {
        const decoded = decodePayload<T>(request, payload, this.#onError);
        if (decoded instanceof Promise) return decoded.then((usable) => this.#freshHit(request, raw, usable, versions, now));
        return this.#freshHit(request, raw, decoded, versions, now);
      }
    }
    const entry = raw === undefined ? undefined : readEntry(raw);
    const valid = entry !== undefined && sameVersions(entry.versions, versions);
    if (!valid && entry !== undefined && recheck) return this.#readWithVersions(request, recheck);
    const decoded = valid ? decodePayload<T>(request, entry!.payload, this.#onError) : undefined;
    if (decoded instanceof Promise) {
      return decoded.then((usable) => {
        if (reuse && usable) this.#decoded!.set(request.key, raw!, entry!, usable, usable.chars);
        return this.#judge(request, entry!, usable, versions, now);
      });
    }
    if (reuse && decoded) this.#decoded!.set(request.key, raw!, entry!, decoded, decoded.chars);
    return this.#judge(request, entry, decoded, versions, now);
  }

  /** A fresh entry's decoded value; an undecodable one is judged as unusable (reloaded). */
  #freshHit<T>(request: ReadRequest<T>, raw: string, usable: { value: T } | undefined, versions: (string | undefined)[], now: number) {
    return usable ? { value: usable.value, status: 'hit' as const } : this.#judge(request, readEntry(raw), undefined, versions, now);
  }

  #judge<T>(request: ReadRequest<T>, entry: Entry | undefined, usable: { value: T } | undefined, versions: (string | undefined)[], now: number): CacheResult<T | undefined> | Promise<CacheResult<T | undefined>> {
    if (usable && now < entry!.freshUntil) {
      if (request.policy.refreshAheadMs > 0 && now >= entry!.freshUntil - request.policy.refreshAheadMs) this.#loads.refresh(request, versions);
      if (request.policy.memory) this.#memory?.set(request.key, tenantOf(request.key), usable.value, entry!.freshUntil, now);
      return { value: usable.value, status: 'hit' };
    }
    if (usable && now < entry!.staleUntil) {
      this.#loads.refresh(request, versions);
      return { value: usable.value, status: 'stale' };
    }
    return this.#loads.load(request, versions).then(
      (value): CacheResult<T | undefined> => ({ value, status: 'miss' }),
      (error: unknown) => {
        if (usable && now < entry!.errorUntil) {
          this.#onError(error, { operation: 'load', key: request.key });
          return { value: usable.value, status: 'stale_error' as const };
        }
        throw error;
      },
    );
  }

  /**
   * Runs a store call through the breaker and times it; `then` continues in the same step (a
   * read's hot path pays for every promise it chains). On failure, a read of `bypass` goes to
   * the source instead; anything else rejects.
   */
  #guard<T, R = T>(
    policy: CachePolicy | undefined,
    operation: CacheOperation,
    run: () => Promise<T>,
    then?: (result: T) => R | PromiseLike<R>,
    bypass?: ReadRequest<unknown>,
  ): Promise<R> {
    const started = this.#timed ? performance.now() : 0;
    return this.#breaker.run(run).then(
      (result) => {
        if (policy && this.#timed) this.#metrics.operation(policy.type, operation, true, performance.now() - started);
        return then ? then(result) : (result as unknown as R);
      },
      (error: unknown) => {
        if (policy && this.#timed) this.#metrics.operation(policy.type, operation, false, performance.now() - started);
        this.#onError(error, { operation });
        if (bypass) return this.#bypass(bypass) as Promise<R>;
        throw error;
      },
    );
  }

  async #publish(message: { keys?: string[]; tenant?: string }): Promise<void> {
    await this.#bus?.publish(message).catch((error: unknown) => this.#onError(error, { operation: 'publish' }));
  }

}

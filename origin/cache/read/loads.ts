/**
 * Loads from the source: once per key in this process (the shared `SingleFlight`) and once
 * across processes (a short Redis lock; the others wait for the holder's entry), then stored
 * under the versions read *before* loading, so an invalidation made meanwhile leaves the entry
 * born invalid instead of bringing old data back.
 */
import type { EngineContext } from '../context.ts';
import { readEntry } from '../entry.ts';
import { sameVersions, scopeKeys } from '../invalidation/versions.ts';
import type { CacheResult, ReadRequest } from '../target.ts';
import { currentVersions, entryWrite } from '../write/entry-write.ts';
import { decodePayload } from './decoding.ts';
import { tryLock, waitFor } from './stampede.ts';

/** Loading, storing and refreshing entries. */
export class Loads {
  readonly #context: EngineContext;

  constructor(context: EngineContext) {
    this.#context = context;
  }

  /**
   * The value of a miss: joins this process's load of the key, or runs one coordinated load.
   * `recheck`: a miss looks at the store once more after taking the lock; a refresh (of an entry
   * that is still there) does not.
   */
  load<T>(request: ReadRequest<T>, versions: (string | undefined)[], recheck = true): Promise<T> {
    return this.#context.flights.do(request.key, request.tenant, () => this.#coordinated(request, versions, recheck));
  }

  /** Reloads in the background (stale-while-revalidate, refresh-ahead), unless a load runs. */
  refresh<T>(request: ReadRequest<T>, versions: (string | undefined)[]): void {
    if (this.#context.flights.has(request.key)) return;
    this.load(request, versions, false).catch((error: unknown) => this.#context.onError(error, { operation: 'refresh', key: request.key }));
  }

  /** A read while the store fails: straight from the source, one load per key. */
  bypass<T>(request: ReadRequest<T>): Promise<CacheResult<T>> {
    return this.#context.flights.do(request.key, request.tenant, () => this.fromSource(request)).then((value): CacheResult<T> => ({ value, status: 'bypass' }));
  }

  /** Straight from the source (the store failing), timed. */
  async fromSource<T>(request: ReadRequest<T>): Promise<T> {
    const { metrics } = this.#context;
    const started = performance.now();
    try {
      const value = await request.load();
      metrics.load(request.policy.label, true, performance.now() - started);
      return value;
    } catch (error) {
      metrics.load(request.policy.label, false, performance.now() - started);
      throw error;
    }
  }

  /** Loads once across processes: the lock holder loads and stores; others wait for its entry. */
  async #coordinated<T>(request: ReadRequest<T>, versions: (string | undefined)[], recheck: boolean): Promise<T> {
    const { store, guard, lock: options, onError } = this.#context;
    let lock;
    try {
      lock = await guard.run(request.policy, 'lock', () => tryLock(store, request.key, options));
    } catch {
      return this.fromSource(request);
    }
    const keys = [request.key, ...scopeKeys(request)];
    const stored = async () => {
      const [raw, ...current] = await store.getMany(keys).catch(() => [] as (string | undefined)[]);
      const entry = raw === undefined ? undefined : readEntry(raw);
      if (!entry || Date.now() >= entry.freshUntil || !sameVersions(entry.versions, current)) return undefined;
      return decodePayload<T>(request, entry.payload, onError);
    };
    if (!lock) {
      const settled = await waitFor(stored, options.waitMs);
      if (settled) return settled.value;
    } else if (recheck) {
      // Our miss may have been read just before another holder stored the entry and let the lock
      // go: look once more before loading, or a second process loads what the first just stored.
      const settled = await stored();
      if (settled) {
        await lock.release().catch((error: unknown) => onError(error, { operation: 'unlock', key: request.key }));
        return settled.value;
      }
    }
    try {
      return await this.#loadAndStore(request, versions);
    } finally {
      await lock?.release().catch((error: unknown) => onError(error, { operation: 'unlock', key: request.key }));
    }
  }

  async #loadAndStore<T>(request: ReadRequest<T>, versions: (string | undefined)[]): Promise<T> {
    const { store, guard, onError } = this.#context;
    // The versions as they were *before* loading (created now if missing, e.g. a tenant's first
    // read): an invalidation during the load leaves this entry born invalid instead of
    // resurrecting old data.
    let known: string[] | undefined;
    const created = new Map<string, string>();
    try {
      known = versions.every((v) => v !== undefined) ? (versions as string[]) : (await currentVersions(store, [scopeKeys(request)], created))[0]!;
    } catch (error) {
      onError(error, { operation: 'set', key: request.key });
    }
    let value: T;
    try {
      value = await this.fromSource(request);
    } catch (error) {
      await this.#dropCreated(created, request);
      throw error;
    }
    if (value === undefined) await this.#dropCreated(created, request);
    if (value === undefined || known === undefined) return value;
    // A value that cannot be encoded is served and not stored: the next read loads it again.
    const write = await entryWrite(request, value, known, Date.now(), onError);
    if (write) await guard.attempt('set', () => store.set(write.key, write.value, write.ttlMs), request.policy);
    return value;
  }

  /**
   * Removes the version keys this load created when it stored nothing (the source had no value,
   * or failed): otherwise every read of an id or tenant that does not exist would leave a version
   * key behind for VERSION_TTL_MS, and anyone could fill Redis with them (docs/security-testing.md,
   * cache-key flooding). Only while they still hold the value created here: an invalidation's
   * version stays. A missing version only ever makes entries invalid, so this is always safe.
   */
  async #dropCreated(created: ReadonlyMap<string, string>, request: ReadRequest<unknown>): Promise<void> {
    if (created.size === 0) return;
    const { store, guard } = this.#context;
    await guard.attempt('delete', () => Promise.all([...created].map(([key, value]) => store.deleteIfEquals(key, value))), request.policy);
  }
}

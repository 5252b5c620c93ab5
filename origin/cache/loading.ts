/**
 * Loads from the source: once per key in this process (the shared `SingleFlight`) and once
 * across processes (a short Redis lock; the others wait for the holder's entry), then stored
 * under the versions read *before* loading, so an invalidation made meanwhile leaves the entry
 * born invalid instead of bringing old data back.
 */
import { tryLock, waitFor, type LockOptions, type SingleFlight } from './coordination.ts';
import { decodePayload } from './decoding.ts';
import { readEntry, writeEntry } from './entry.ts';
import type { CacheStore, StoreWrite } from './interface.ts';
import type { StoreGuard } from './guard.ts';
import type { CacheMetrics } from './metrics/interface.ts';
import { windowsFor } from './policy.ts';
import { newVersion, sameVersions, VERSION_TTL_MS, versionKeys, type CacheTarget, type ErrorListener, type ReadRequest } from './targets.ts';

/** What loads need from the engine. */
export interface LoadContext {
  store: CacheStore;
  guard: StoreGuard;
  lock: LockOptions;
  /** Loads running in this process, one per key. */
  flights: SingleFlight;
  metrics: CacheMetrics;
  onError: ErrorListener;
}

/** An entry ready to store, and when it stops being fresh. */
export type EntryWrite = StoreWrite & { freshUntil: number };

/** Loading, storing and refreshing entries. */
export class Loads {
  readonly #context: LoadContext;

  constructor(context: LoadContext) {
    this.#context = context;
  }

  /** The value of a miss: joins this process's load of the key, or runs one coordinated load. */
  load<T>(request: ReadRequest<T>, versions: (string | undefined)[]): Promise<T | undefined> {
    return this.#context.flights.do(request.key, () => this.#coordinated(request, versions));
  }

  /** Reloads in the background (stale-while-revalidate, refresh-ahead), unless a load runs. */
  refresh<T>(request: ReadRequest<T>, versions: (string | undefined)[]): void {
    if (this.#context.flights.has(request.key)) return;
    this.load(request, versions).catch((error: unknown) => this.#context.onError(error, { operation: 'refresh', key: request.key }));
  }

  /** Straight from the source (the store failing), timed. */
  async fromSource<T>(request: ReadRequest<T>): Promise<T | undefined> {
    const { metrics } = this.#context;
    const started = performance.now();
    try {
      const value = await request.load();
      metrics.load(request.policy.type, true, performance.now() - started);
      return value;
    } catch (error) {
      metrics.load(request.policy.type, false, performance.now() - started);
      throw error;
    }
  }

  /**
   * Current values of each list of version keys (a target's `versionKeys`), creating missing
   * ones. The names are built by the caller, outside the breaker: a key without a tenant is the
   * caller's mistake, not the store's failure.
   */
  async currentVersions(layout: readonly (readonly string[])[]): Promise<string[][]> {
    const { store } = this.#context;
    const flat = [...new Set(layout.flat())];
    const found = await store.getMany(flat);
    const byKey = new Map<string, string>();
    await Promise.all(
      flat.map(async (key, i) => {
        let value = found[i];
        if (value === undefined) {
          const fresh = newVersion();
          value = (await store.setIfAbsent(key, fresh, VERSION_TTL_MS)) ? fresh : await store.get(key);
        }
        if (value === undefined) throw new Error(`version key ${key} vanished while being created`);
        byKey.set(key, value);
      }),
    );
    return layout.map((keys) => keys.map((key) => byKey.get(key)!));
  }

  /**
   * The entry to store for `value` under `versions`, encoded by the policy's codec; `undefined`
   * (reported as `encode`) when JSON or the codec cannot serialise it. That is the value's
   * failure, not the store's: callers keep it outside the breaker.
   */
  async entryWrite(target: CacheTarget, value: unknown, versions: string[], now: number): Promise<EntryWrite | undefined> {
    try {
      const windows = windowsFor(target.policy, now);
      const json = JSON.stringify(value);
      const payload = target.policy.codec ? await target.policy.codec.encode(json, { key: target.key }) : json;
      return { key: target.key, value: writeEntry({ ...windows, versions, payload }), ttlMs: windows.errorUntil - now, freshUntil: windows.freshUntil };
    } catch (error) {
      this.#context.onError(error, { operation: 'encode', key: target.key });
      return undefined;
    }
  }

  /** Loads once across processes: the lock holder loads and stores; others wait for its entry. */
  async #coordinated<T>(request: ReadRequest<T>, versions: (string | undefined)[]): Promise<T | undefined> {
    const { store, guard, lock: options, onError } = this.#context;
    let lock;
    try {
      lock = await guard.run(request.policy, 'lock', () => tryLock(store, request.key, options));
    } catch {
      return this.fromSource(request);
    }
    if (!lock) {
      const keys = [request.key, ...versionKeys(request)];
      const settled = await waitFor(async () => {
        const [raw, ...current] = await store.getMany(keys).catch(() => [] as (string | undefined)[]);
        const entry = raw === undefined ? undefined : readEntry(raw);
        if (!entry || Date.now() >= entry.freshUntil || !sameVersions(entry.versions, current)) return undefined;
        return decodePayload<T>(request, entry.payload, onError);
      }, options.waitMs);
      if (settled) return settled.value;
    }
    try {
      return await this.#loadAndStore(request, versions);
    } finally {
      await lock?.release().catch((error: unknown) => onError(error, { operation: 'unlock', key: request.key }));
    }
  }

  async #loadAndStore<T>(request: ReadRequest<T>, versions: (string | undefined)[]): Promise<T | undefined> {
    const { store, guard, onError } = this.#context;
    // The versions as they were *before* loading (created now if missing, e.g. a tenant's first
    // read): an invalidation during the load leaves this entry born invalid instead of
    // resurrecting old data.
    let known: string[] | undefined;
    try {
      known = versions.every((v) => v !== undefined) ? (versions as string[]) : (await this.currentVersions([versionKeys(request)]))[0]!;
    } catch (error) {
      onError(error, { operation: 'set', key: request.key });
    }
    const value = await this.fromSource(request);
    if (value === undefined || known === undefined) return value;
    // A value that cannot be encoded is served and not stored: the next read loads it again.
    const write = await this.entryWrite(request, value, known, Date.now());
    if (write) await guard.attempt('set', () => store.set(write.key, write.value, write.ttlMs), request.policy);
    return value;
  }
}

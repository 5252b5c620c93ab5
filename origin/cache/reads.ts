/**
 * The engine's read path. A hit is one GET, checked against the versions held in process
 * (client tracking) or read in the same MGET; concurrent reads of a key share one round trip;
 * an entry is judged fresh, stale or missing by the windows and versions it carries, and a miss
 * loads once (`loading.ts`). Reads of a tenant with an invalidation still to land go to the
 * source (`invalidation.ts`), and so does any read the store fails (`guard.ts`).
 */
import type { SingleFlight } from './coordination.ts';
import type { DecodedValues } from './decoded-values.ts';
import { decodePayload } from './decoding.ts';
import { freshPayload, readEntry, type Entry } from './entry.ts';
import type { StoreGuard } from './guard.ts';
import type { CacheStore } from './interface.ts';
import type { Invalidations } from './invalidation.ts';
import type { Loads } from './loading.ts';
import type { MemoryTier } from './memory-tier.ts';
import type { CacheMetrics } from './metrics/interface.ts';
import { sameVersions, tenantOf, versionKeys, type CacheResult, type ErrorListener, type ReadRequest } from './targets.ts';
import type { TrackedValues } from './tracked-values.ts';

/** What reads need from the engine. */
export interface ReadContext {
  store: CacheStore;
  guard: StoreGuard;
  /** Versions held in process, when the store tracks them. */
  versions: TrackedValues | undefined;
  memory: MemoryTier | undefined;
  decoded: DecodedValues | undefined;
  /** Reads in flight (to join), and loads running, in this process. */
  joined: SingleFlight;
  flights: SingleFlight;
  loads: Loads;
  invalidations: Invalidations;
  metrics: CacheMetrics;
  onError: ErrorListener;
}

/** Cache-aside reads: single and batched. */
export class Reads {
  readonly #store: CacheStore;
  readonly #guard: StoreGuard;
  readonly #versions: TrackedValues | undefined;
  readonly #memory: MemoryTier | undefined;
  readonly #decoded: DecodedValues | undefined;
  readonly #joined: SingleFlight;
  readonly #flights: SingleFlight;
  readonly #loads: Loads;
  readonly #invalidations: Invalidations;
  readonly #metrics: CacheMetrics;
  readonly #onError: ErrorListener;

  constructor(context: ReadContext) {
    this.#store = context.store;
    this.#guard = context.guard;
    this.#versions = context.versions;
    this.#memory = context.memory;
    this.#decoded = context.decoded;
    this.#joined = context.joined;
    this.#flights = context.flights;
    this.#loads = context.loads;
    this.#invalidations = context.invalidations;
    this.#metrics = context.metrics;
    this.#onError = context.onError;
  }

  /** `CacheEngine.getOrLoad`. */
  getOrLoad<T>(request: ReadRequest<T>): Promise<CacheResult<T | undefined>> {
    if (this.#invalidations.overdue()) return this.#invalidations.poll().then(() => this.getOrLoad(request));
    if (this.#invalidations.pendingFor(request.key)) return this.#bypassCounted(request);
    const held = request.policy.memory ? this.#memory?.get(request.key, Date.now()) : undefined;
    if (held) {
      this.#metrics.read(request.policy.type, 'hit');
      return Promise.resolve({ value: held.value as T, status: 'hit' });
    }
    const type = request.policy.type;
    const joined = this.#joined.current<CacheResult<T | undefined>>(request.key);
    if (joined)
      return joined.then((result) => {
        this.#metrics.read(type, result.status);
        return result;
      });
    // Leaving the flight and counting the read happen in one step: the hot path of a hit pays
    // for every promise it chains.
    const flight: Promise<CacheResult<T | undefined>> = this.#read(request).then(
      (result) => {
        this.#joined.leave(request.key, flight);
        this.#metrics.read(type, result.status);
        return result;
      },
      (error: unknown) => {
        this.#joined.leave(request.key, flight);
        throw error;
      },
    );
    this.#joined.enter(request.key, flight);
    return flight;
  }

  #read<T>(request: ReadRequest<T>): Promise<CacheResult<T | undefined>> {
    const names = versionKeys(request);
    const tracked = this.#versions;
    const held = tracked?.getAll(names);
    if (!held) return this.#readWithVersions(request, names);
    // The hit path: one GET, checked against the versions held in process.
    const ticket = tracked!.ticket();
    return this.#guard.run(
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
    return this.#guard.run(
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
    return this.bypass(request).then((result) => {
      this.#metrics.read(request.policy.type, result.status);
      return result;
    });
  }

  /** A read while the store fails: straight from the source, one load per key. */
  bypass<T>(request: ReadRequest<T>): Promise<CacheResult<T | undefined>> {
    return this.#flights.do(request.key, () => this.#loads.fromSource(request)).then((value): CacheResult<T | undefined> => ({ value, status: 'bypass' }));
  }

  /** `CacheEngine.getMany`. */
  async getMany<T>(requests: readonly ReadRequest<T>[]): Promise<CacheResult<T | undefined>[]> {
    if (this.#invalidations.overdue()) await this.#invalidations.poll();
    if (requests.some((request) => this.#invalidations.pendingFor(request.key))) {
      return Promise.all(requests.map((request) => this.getOrLoad(request)));
    }
    const layout = requests.map((request) => [request.key, ...versionKeys(request)]);
    let found: (string | undefined)[];
    try {
      found = await this.#guard.run(requests[0]?.policy, 'get', () => this.#store.getMany(layout.flat()));
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
}

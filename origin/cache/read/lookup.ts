/**
 * One read of an entry from the store, and its judgment. A hit is one GET, checked against the
 * versions held in process (client tracking), or one MGET of the entry and its versions; the
 * entry is then fresh, stale or missing by the windows and versions it carries, and a miss
 * loads once (`loads.ts`). A read the store fails goes to the source.
 */
import type { EngineContext } from '../context.ts';
import { freshPayload, readEntry, type Entry } from '../entry.ts';
import { sameVersions, scopeKeys } from '../invalidation/versions.ts';
import type { StoreGuard } from '../resilience/guard.ts';
import type { CacheStore } from '../store/interface.ts';
import type { TrackedValues } from '../store/tracked-values.ts';
import type { CacheResult, ReadRequest } from '../target.ts';
import type { DecodedValues } from './decoded-values.ts';
import { decodePayload } from './decoding.ts';
import type { Loads } from './loads.ts';

/** A judged read: a result at once for fresh and stale hits without a codec, else a promise. */
export type Judged<T> = CacheResult<T> | Promise<CacheResult<T>>;

/** Reads entries from the store and judges them. */
export class Lookup {
  readonly #context: EngineContext;
  readonly #loads: Loads;
  // The context's parts a hit uses, held here: a read pays for every property it looks up.
  readonly #store: CacheStore;
  readonly #guard: StoreGuard;
  readonly #versions: TrackedValues | undefined;
  readonly #decoded: DecodedValues | undefined;
  readonly #bypass: (request: ReadRequest<unknown>) => Promise<CacheResult<unknown>>;

  constructor(context: EngineContext, loads: Loads) {
    this.#context = context;
    this.#loads = loads;
    this.#store = context.store;
    this.#guard = context.guard;
    this.#versions = context.versions;
    this.#decoded = context.decoded;
    this.#bypass = (request) => loads.bypass(request);
  }

  /** The entry of `request`, judged; the source when the store fails. */
  read<T>(request: ReadRequest<T>): Promise<CacheResult<T>> {
    const names = scopeKeys(request);
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
        tracked!.changedSince(ticket, names) ? this.#readWithVersions(request, names) : this.resolve(request, raw, held, Date.now(), names),
      this.#bypass as (request: ReadRequest<T>) => Promise<CacheResult<T>>,
      request,
    );
  }

  /** Reads the entry and its versions in one MGET, keeping the versions where tracked. */
  #readWithVersions<T>(request: ReadRequest<T>, names: readonly string[]): Promise<CacheResult<T>> {
    const tracked = this.#versions;
    const ticket = tracked?.ticket();
    return this.#guard.run(
      request.policy,
      'get',
      () => this.#store.getMany([request.key, ...names]),
      (found) => {
        const versions = found.slice(1);
        if (ticket !== undefined) tracked!.remember(ticket, names, versions);
        return this.resolve(request, found[0], versions, Date.now());
      },
      this.#bypass as (request: ReadRequest<T>) => Promise<CacheResult<T>>,
      request,
    );
  }

  /**
   * Judges an entry read from the store. With `recheck` (the versions given are the ones held
   * in process), an entry written under other versions is judged again against the versions in
   * Redis: it may be newer than what this process has heard of (the report still on the way),
   * and reloading would overwrite it with an entry under the old versions.
   */
  resolve<T>(request: ReadRequest<T>, raw: string | undefined, versions: (string | undefined)[], now: number, recheck?: readonly string[]): Judged<T> {
    const policy = request.policy;
    const decodedCopies = this.#decoded;
    const reuse = raw !== undefined && decodedCopies !== undefined && policy.reuseDecoded !== false && !policy.memory;
    if (reuse) {
      // The same bytes as the last read of this key: its header and value again.
      const known = decodedCopies!.get(request.key, raw);
      if (known !== undefined && sameVersions(known.entry.versions, versions))
        return this.#judge(request, known.entry, known.usable as { value: T }, versions, now);
    } else if (raw !== undefined && !policy.memory) {
      // Otherwise the common case first, read in place: fresh, under these versions, not due for
      // a refresh (memory-tier policies take the full path, which also fills the tier).
      const payload = freshPayload(raw, versions, now + policy.refreshAheadMs);
      if (payload !== undefined) {
        const decoded = decodePayload<T>(request, payload, this.#context.onError);
        if (decoded instanceof Promise) return decoded.then((usable) => this.#freshHit(request, raw, usable, versions, now));
        return this.#freshHit(request, raw, decoded, versions, now);
      }
    }
    const entry = raw === undefined ? undefined : readEntry(raw);
    const valid = entry !== undefined && sameVersions(entry.versions, versions);
    if (!valid && entry !== undefined && recheck) return this.#readWithVersions(request, recheck);
    const decoded = valid ? decodePayload<T>(request, entry!.payload, this.#context.onError) : undefined;
    if (decoded instanceof Promise) {
      return decoded.then((usable) => {
        if (reuse && usable) decodedCopies!.set(request.key, raw!, entry!, usable, usable.chars);
        return this.#judge(request, entry!, usable, versions, now);
      });
    }
    if (reuse && decoded) decodedCopies!.set(request.key, raw!, entry!, decoded, decoded.chars);
    return this.#judge(request, entry, decoded, versions, now);
  }

  /** A fresh entry's decoded value; an undecodable one is judged as unusable (reloaded). */
  #freshHit<T>(request: ReadRequest<T>, raw: string, usable: { value: T } | undefined, versions: (string | undefined)[], now: number): Judged<T> {
    return usable ? { value: usable.value, status: 'hit' } : this.#judge(request, readEntry(raw), undefined, versions, now);
  }

  #judge<T>(request: ReadRequest<T>, entry: Entry | undefined, usable: { value: T } | undefined, versions: (string | undefined)[], now: number): Judged<T> {
    if (usable && now < entry!.freshUntil) {
      if (request.policy.refreshAheadMs > 0 && now >= entry!.freshUntil - request.policy.refreshAheadMs) this.#loads.refresh(request, versions);
      if (request.policy.memory) this.#context.memory?.set(request.key, request.tenant, usable.value, entry!.freshUntil, now);
      return { value: usable.value, status: 'hit' };
    }
    if (usable && now < entry!.staleUntil) {
      this.#loads.refresh(request, versions);
      return { value: usable.value, status: 'stale' };
    }
    return this.#loads.load(request, versions).then(
      (value): CacheResult<T> => ({ value, status: 'miss' }),
      (error: unknown) => {
        if (usable && now < entry!.errorUntil) {
          this.#context.onError(error, { operation: 'load', key: request.key });
          return { value: usable.value, status: 'stale_error' as const };
        }
        throw error;
      },
    );
  }
}

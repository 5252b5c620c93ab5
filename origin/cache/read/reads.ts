/**
 * The engine's read path, in front of the store: a tenant with an invalidation still to land is
 * read from the source (`../invalidation/`); a policy with a memory tier is served from it
 * while it holds the value; concurrent reads of a key share one round trip; everything else is
 * one read of the store (`lookup.ts`). Batches read every entry and its versions at once.
 */
import type { EngineContext } from '../context.ts';
import type { Invalidations } from '../invalidation/invalidations.ts';
import { scopeKeys } from '../invalidation/versions.ts';
import type { CacheMetrics } from '../metrics/interface.ts';
import type { CacheResult, ReadRequest } from '../target.ts';
import type { Loads } from './loads.ts';
import { Lookup } from './lookup.ts';
import type { MemoryTier } from './memory-tier.ts';
import type { SingleFlight } from './stampede.ts';

/** Cache-aside reads: single and batched. */
export class Reads {
  readonly #context: EngineContext;
  readonly #loads: Loads;
  readonly #lookup: Lookup;
  readonly #invalidations: Invalidations;
  // The context's parts every read uses, held here: a read pays for every property it looks up.
  readonly #memory: MemoryTier | undefined;
  readonly #joined: SingleFlight;
  readonly #metrics: CacheMetrics;

  constructor(context: EngineContext, loads: Loads, invalidations: Invalidations) {
    this.#context = context;
    this.#loads = loads;
    this.#lookup = new Lookup(context, loads);
    this.#invalidations = invalidations;
    this.#memory = context.memory;
    this.#joined = context.joined;
    this.#metrics = context.metrics;
  }

  /** `CacheEngine.getOrLoad`. */
  getOrLoad<T>(request: ReadRequest<T>): Promise<CacheResult<T>> {
    const invalidations = this.#invalidations;
    if (invalidations.overdue()) return invalidations.poll().then(() => this.getOrLoad(request));
    if (invalidations.pendingFor(request.tenant)) return this.#bypassCounted(request);
    const joined = this.#joined;
    const metrics = this.#metrics;
    const label = request.policy.label;
    const held = request.policy.memory ? this.#memory?.get(request.key, Date.now()) : undefined;
    if (held) {
      metrics.read(label, 'hit');
      return Promise.resolve({ value: held.value as T, status: 'hit' });
    }
    const running = joined.current<CacheResult<T>>(request.key);
    if (running)
      return running.then((result) => {
        metrics.read(label, result.status);
        return result;
      });
    // Leaving the flight and counting the read happen in one step: the hot path of a hit pays
    // for every promise it chains.
    const flight: Promise<CacheResult<T>> = this.#lookup.read(request).then(
      (result) => {
        joined.leave(request.key, flight);
        metrics.read(label, result.status);
        return result;
      },
      (error: unknown) => {
        joined.leave(request.key, flight);
        throw error;
      },
    );
    joined.enter(request.key, request.tenant, flight);
    return flight;
  }

  /** `CacheEngine.getMany`. */
  async getMany<T>(requests: readonly ReadRequest<T>[]): Promise<CacheResult<T>[]> {
    const invalidations = this.#invalidations;
    if (invalidations.overdue()) await invalidations.poll();
    if (requests.some((request) => invalidations.pendingFor(request.tenant))) {
      return Promise.all(requests.map((request) => this.getOrLoad(request)));
    }
    const { guard, store, metrics } = this.#context;
    const layout = requests.map((request) => [request.key, ...scopeKeys(request)]);
    let found: (string | undefined)[];
    try {
      found = await guard.run(requests[0]?.policy, 'get', () => store.getMany(layout.flat()));
    } catch {
      return Promise.all(requests.map((request) => this.getOrLoad(request)));
    }
    const now = Date.now();
    let at = 0;
    return Promise.all(
      requests.map(async (request, i) => {
        const slice = found.slice(at, at + layout[i]!.length);
        at += layout[i]!.length;
        const result = await this.#lookup.resolve(request, slice[0], slice.slice(1), now);
        metrics.read(request.policy.label, result.status);
        return result;
      }),
    );
  }

  /** A bypass that counts as a read (the caller did not go through a flight). */
  #bypassCounted<T>(request: ReadRequest<T>): Promise<CacheResult<T>> {
    return this.#loads.bypass(request).then((result) => {
      this.#context.metrics.read(request.policy.label, result.status);
      return result;
    });
  }
}

/**
 * Invalidation by tag and tenant: one version bump (a SET per version key), whatever the number
 * of entries. A bump that cannot reach the store is kept and retried in the background
 * (`pending-invalidations.ts`); meanwhile its tenant is read from the source, since Redis still
 * holds entries the bump was meant to void. A write or delete whose cache write failed voids its
 * tenants the same way.
 */
import { tenantOfKey, versionKey } from '../../common/keys.ts';
import type { StoreBreaker } from './breaker.ts';
import type { SingleFlight } from './coordination.ts';
import type { CacheStore } from './interface.ts';
import type { MemoryTier } from './memory-tier.ts';
import { PendingInvalidations } from './pending-invalidations.ts';
import { newVersion, tenantOf, VERSION_TTL_MS, type ErrorListener } from './targets.ts';
import type { TrackedValues } from './tracked-values.ts';

/** What invalidations need from the engine. */
export interface InvalidationContext {
  store: CacheStore;
  breaker: StoreBreaker;
  /** Versions held in process, when the store tracks them. */
  versions: TrackedValues | undefined;
  memory: MemoryTier | undefined;
  /** Reads in flight, and loads running, in this process. */
  reads: SingleFlight;
  flights: SingleFlight;
  /** Tells other processes' memory tiers. */
  publish: (message: { tenant: string }) => Promise<void>;
  onError: ErrorListener;
}

/** Version bumps, their retries, and what a failed write voids. */
export class Invalidations {
  readonly #context: InvalidationContext;
  readonly #pending = new PendingInvalidations((keys) => this.#replay(keys));

  constructor(context: InvalidationContext) {
    this.#context = context;
  }

  /** Whether the tenant of `key` has an invalidation still to land (read it from the source). */
  pendingFor(key: string): boolean {
    return !this.#pending.empty && this.#pending.has(tenantOf(key));
  }

  /** Makes every entry of `tenant` under `keys` (its version keys) invalid; false when it is left pending. */
  async bump(tenant: string, keys: string[]): Promise<boolean> {
    const { store, versions, reads, publish } = this.#context;
    // Reads and loads that started before this point may carry what the change replaced: later
    // reads must not join them. (Loads store under the versions read before them, so what
    // they store is void once the bump lands.)
    this.#forgetTenant(tenant);
    const mark = this.#pending.mark();
    const done = await this.attempt('invalidate', () =>
      store.setMany(keys.map((key) => ({ key, value: newVersion(), ttlMs: VERSION_TTL_MS }))),
    );
    // Until it lands, this tenant is read from the source (the old entries are still valid in
    // Redis) and the bump is retried in the background.
    if (done) this.#pending.landed(keys, mark);
    else this.#pending.add(tenant, keys);
    // The server reports the change to every process, this one too, but a read here must not
    // wait for that report: forget the held versions now.
    versions?.changed(keys);
    reads.forgetWhere((key) => tenantOfKey(key) === tenant);
    await publish({ tenant });
    return done;
  }

  /**
   * A write or delete of `keys` failed: entries Redis may still hold are void. Bumping each
   * tenant's version voids them (and the rest of the tenant's entries: a coarse but certain
   * answer to a rare failure); it is pending, so the tenant reads from the source until then.
   */
  voidTenantsOf(keys: readonly string[]): void {
    for (const tenant of new Set(keys.map((key) => tenantOfKey(key)))) {
      if (tenant === undefined) continue;
      this.#pending.add(tenant, [versionKey(tenant)]);
      this.#forgetTenant(tenant);
    }
  }

  /** Runs a store call through the breaker; false (reported) when it failed. */
  async attempt(operation: string, run: () => Promise<unknown>): Promise<boolean> {
    try {
      await this.#context.breaker.run(run);
      return true;
    } catch (error) {
      this.#context.onError(error, { operation });
      return false;
    }
  }

  /** Stops the retries. */
  close(): void {
    this.#pending.close();
  }

  /** Retries bumps that failed, tenant by tenant; true when every one landed. */
  async #replay(keys: string[]): Promise<boolean> {
    const byTenant = new Map<string, string[]>();
    for (const key of keys) {
      const tenant = tenantOf(key);
      byTenant.set(tenant, [...(byTenant.get(tenant) ?? []), key]);
    }
    let all = true;
    for (const [tenant, ofTenant] of byTenant) if (!(await this.bump(tenant, ofTenant))) all = false;
    return all;
  }

  /** Drops what this process holds or has running for `tenant`: memory-tier values, reads, loads. */
  #forgetTenant(tenant: string): void {
    const { memory, reads, flights } = this.#context;
    const ofTenant = (key: string) => tenantOfKey(key) === tenant;
    memory?.dropTenant(tenant);
    reads.forgetWhere(ofTenant);
    flights.forgetWhere(ofTenant);
  }
}

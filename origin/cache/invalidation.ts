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
import type { CacheStore, InvalidationJournal, JournalEntry } from './interface.ts';
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
  /** Where bumps that did not land are recorded for every process; none keeps them in process only. */
  journal?: InvalidationJournal;
  /** How often the journal is read for bumps recorded by other processes. */
  journalPollMs?: number;
}

/** Default journal polling: the longest another process may read a voided entry once Redis is back. */
export const DEFAULT_JOURNAL_POLL_MS = 2_000;
const JOURNAL_PAGE = 1000;

/** Version bumps, their retries, and what a failed write voids. */
export class Invalidations {
  readonly #context: InvalidationContext;
  readonly #pending = new PendingInvalidations((keys) => this.#replay(keys));
  // The journal's entries this process knows of, by version key: settled once a bump of theirs lands.
  readonly #journaled = new Map<string, JournalEntry>();
  readonly #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;

  constructor(context: InvalidationContext) {
    this.#context = context;
    if (context.journal) {
      this.#timer = setInterval(() => void this.poll(), context.journalPollMs ?? DEFAULT_JOURNAL_POLL_MS);
      this.#timer.unref();
      void this.poll();
    }
  }

  /**
   * Takes on the bumps other processes recorded and could not land: their tenants are read from
   * the source here too, and the bumps retried, until one lands anywhere.
   */
  poll(): Promise<void> {
    const journal = this.#context.journal;
    if (!journal) return Promise.resolve();
    this.#polling ??= journal
      .list(JOURNAL_PAGE)
      .then((entries) => {
        for (const entry of entries) {
          if (this.#journaled.get(entry.key)?.token === entry.token) continue;
          this.#journaled.set(entry.key, entry);
          this.#pending.add(entry.tenant, [entry.key]);
          this.#forgetTenant(entry.tenant);
        }
      })
      .catch((error: unknown) => this.#context.onError(error, { operation: 'journal' }))
      .finally(() => (this.#polling = undefined));
    return this.#polling;
  }

  /** Whether the tenant of `key` has an invalidation still to land (read it from the source). */
  pendingFor(key: string): boolean {
    return !this.#pending.empty && this.#pending.has(tenantOf(key));
  }

  /**
   * Makes every entry of `tenant` under `keys` (its version keys) invalid; false when it is left
   * pending. A failure is recorded in the journal unless this is a retry (`journal: false`):
   * the record it retries already stands, and rewriting it on every retry of an outage would
   * only load the database.
   */
  async bump(tenant: string, keys: string[], journal = true): Promise<boolean> {
    const { store, versions, reads, publish } = this.#context;
    // Reads and loads that started before this point may carry what the change replaced: later
    // reads must not join them. (Loads store under the versions read before them, so what
    // they store is void once the bump lands.)
    this.#forgetTenant(tenant);
    const mark = this.#pending.mark();
    // Journal entries known before the bump: a bump that lands covers every failure before it.
    const journaled = keys.flatMap((key) => this.#journaled.get(key) ?? []);
    const done = await this.attempt('invalidate', () =>
      store.setMany(keys.map((key) => ({ key, value: newVersion(), ttlMs: VERSION_TTL_MS }))),
    );
    // Until it lands, this tenant is read from the source (the old entries are still valid in
    // Redis) and the bump is retried in the background, here and, through the journal, by
    // every other process.
    if (done) {
      this.#pending.landed(keys, mark);
      await this.#settle(journaled);
    } else {
      this.#pending.add(tenant, keys);
      if (journal) await this.#record(tenant, keys);
    }
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
  async voidTenantsOf(keys: readonly string[]): Promise<void> {
    for (const tenant of new Set(keys.map((key) => tenantOfKey(key)))) {
      if (tenant === undefined) continue;
      const versionKeys = [versionKey(tenant)];
      this.#pending.add(tenant, versionKeys);
      this.#forgetTenant(tenant);
      await this.#record(tenant, versionKeys);
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

  /** Stops the retries and the journal polling. */
  close(): void {
    this.#pending.close();
    clearInterval(this.#timer);
  }

  async #record(tenant: string, keys: readonly string[]): Promise<void> {
    const journal = this.#context.journal;
    if (!journal) return;
    try {
      for (const entry of await journal.record(tenant, keys)) this.#journaled.set(entry.key, entry);
    } catch (error) {
      // Still pending here; only the other processes will not hear of it.
      this.#context.onError(error, { operation: 'journal' });
    }
  }

  async #settle(entries: readonly JournalEntry[]): Promise<void> {
    const journal = this.#context.journal;
    if (!journal || entries.length === 0) return;
    try {
      await journal.settle(entries);
      for (const entry of entries) if (this.#journaled.get(entry.key) === entry) this.#journaled.delete(entry.key);
    } catch (error) {
      // Left in the journal: some process bumps once more, which only invalidates again.
      this.#context.onError(error, { operation: 'journal' });
    }
  }

  /** Retries bumps that failed, tenant by tenant; true when every one landed. */
  async #replay(keys: string[]): Promise<boolean> {
    const byTenant = new Map<string, string[]>();
    for (const key of keys) {
      const tenant = tenantOf(key);
      byTenant.set(tenant, [...(byTenant.get(tenant) ?? []), key]);
    }
    let all = true;
    for (const [tenant, ofTenant] of byTenant) if (!(await this.bump(tenant, ofTenant, false))) all = false;
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

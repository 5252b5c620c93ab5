/**
 * Invalidation by tag and tenant: one version bump (a SET per version key), whatever the number
 * of entries. A bump that cannot reach the store is kept and retried in the background
 * (`pending-invalidations.ts`); meanwhile its tenant is read from the source, since Redis still
 * holds entries the bump was meant to void. A write or delete whose cache write failed voids its
 * tenants the same way. With a journal (`journal-sync.ts`), every process learns of such bumps
 * and does the same, so none is lost with the process that made it.
 */
import { tenantOfKey, versionKey } from '../../common/keys.ts';
import type { SingleFlight } from './coordination.ts';
import type { StoreGuard } from './guard.ts';
import type { CacheStore, InvalidationJournal } from './interface.ts';
import { JournalSync } from './journal-sync.ts';
import type { MemoryTier } from './memory-tier.ts';
import { PendingInvalidations } from './pending-invalidations.ts';
import { newVersion, tenantOf, VERSION_TTL_MS, type ErrorListener } from './targets.ts';
import type { TrackedValues } from './tracked-values.ts';

/** What invalidations need from the engine. */
export interface InvalidationContext {
  store: CacheStore;
  guard: StoreGuard;
  /** Versions held in process, when the store tracks them. */
  versions: TrackedValues | undefined;
  memory: MemoryTier | undefined;
  /** Reads in flight (to join), and loads running, in this process. */
  joined: SingleFlight;
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

/** Version bumps, their retries, and what a failed write voids. */
export class Invalidations {
  readonly #context: InvalidationContext;
  readonly #pending = new PendingInvalidations((keys) => this.#replay(keys));
  readonly #journal: JournalSync | undefined;

  constructor(context: InvalidationContext) {
    this.#context = context;
    this.#journal =
      context.journal &&
      new JournalSync(context.journal, context.journalPollMs ?? DEFAULT_JOURNAL_POLL_MS, {
        adopt: (entries) => {
          for (const entry of entries) {
            this.#pending.add(entry.tenant, [entry.key]);
            this.#forgetTenant(entry.tenant);
          }
        },
        mark: () => this.#pending.mark(),
        settled: (keys, mark) => this.#pending.landed(keys, mark),
        onError: context.onError,
      });
  }

  /** Reads the journal now (at start-up, and before reads once a poll is overdue). */
  poll(): Promise<void> {
    return this.#journal?.poll() ?? Promise.resolve();
  }

  /** Whether reads must wait for `poll` first: the journal was not read for a while (a freeze). */
  overdue(): boolean {
    return this.#journal !== undefined && this.#journal.overdue(Date.now());
  }

  /** How many tenants are read from the source until an invalidation of theirs lands. */
  pendingTenants(): number {
    return this.#pending.tenants;
  }

  /** Whether the tenant of `key` has an invalidation still to land (read it from the source). */
  pendingFor(key: string): boolean {
    return !this.#pending.empty && this.#pending.has(tenantOf(key));
  }

  /**
   * Makes every entry of `tenant` under `keys` (its version keys) invalid; false when it is left
   * pending. A failure is recorded in the journal unless this is a `retry`: the record it
   * retries already stands (unless it could not be written), and rewriting it on every retry of
   * an outage would only load the database.
   */
  async bump(tenant: string, keys: string[], retry = false): Promise<boolean> {
    const { store, guard, versions, joined, publish } = this.#context;
    // Reads and loads that started before this point may carry what the change replaced: later
    // reads must not join them. (Loads store under the versions read before them, so what
    // they store is void once the bump lands.)
    this.#forgetTenant(tenant);
    const mark = this.#pending.mark();
    // What the journal holds for these keys now: a bump that lands covers every write before it.
    const journaled = this.#journal?.before(keys);
    const done = await guard.attempt('invalidate', () =>
      store.setMany(keys.map((key) => ({ key, value: newVersion(), ttlMs: VERSION_TTL_MS }))),
    );
    // Until it lands, this tenant is read from the source (the old entries are still valid in
    // Redis) and the bump is retried in the background, here and, through the journal, by
    // every other process. Recorded before it is pended, so that no retry can land before the
    // record is known here and leave it unsettled.
    if (done) {
      this.#pending.landed(keys, mark);
      if (journaled) await this.#journal!.landed(journaled);
    } else {
      await this.#journal?.record(tenant, keys, retry);
      this.#pending.add(tenant, keys);
    }
    // The server reports the change to every process, this one too, but a read here must not
    // wait for that report: forget the held versions now.
    versions?.changed(keys);
    joined.forgetWhere((key) => tenantOfKey(key) === tenant);
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
      this.#forgetTenant(tenant);
      await this.#journal?.record(tenant, versionKeys, false);
      this.#pending.add(tenant, versionKeys);
    }
  }

  /** Stops the retries and the journal polling. */
  async close(): Promise<void> {
    this.#pending.close();
    await this.#journal?.close();
  }

  /** Retries bumps that failed, tenant by tenant; true when every one landed. */
  async #replay(keys: string[]): Promise<boolean> {
    const byTenant = new Map<string, string[]>();
    for (const key of keys) {
      const tenant = tenantOf(key);
      byTenant.set(tenant, [...(byTenant.get(tenant) ?? []), key]);
    }
    let all = true;
    for (const [tenant, ofTenant] of byTenant) if (!(await this.bump(tenant, ofTenant, true))) all = false;
    return all;
  }

  /** Drops what this process holds or has running for `tenant`: memory-tier values, reads, loads. */
  #forgetTenant(tenant: string): void {
    const { memory, joined, flights } = this.#context;
    const ofTenant = (key: string) => tenantOfKey(key) === tenant;
    memory?.dropTenant(tenant);
    joined.forgetWhere(ofTenant);
    flights.forgetWhere(ofTenant);
  }
}

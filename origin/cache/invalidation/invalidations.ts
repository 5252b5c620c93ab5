/**
 * Invalidation by tag and tenant: one version bump (a SET per version key), whatever the number
 * of entries. A bump that cannot reach the store is kept and retried in the background
 * (`pending.ts`); meanwhile its tenant is read from the source, since Redis still holds entries
 * the bump was meant to void. A write or delete whose cache write failed voids its tenants the
 * same way. With a journal (`journal-sync.ts`), every process learns of such bumps and does the
 * same, so none is lost with the process that made it. The journal is read at start-up, every
 * `journalPollMs`, and before any read once that is overdue: a process that was frozen (a Lambda
 * between invocations) runs no timers, and must not serve from Redis on thaw before it has
 * caught up.
 */
import type { EngineContext } from '../context.ts';
import { publish } from './bus.ts';
import type { InvalidationJournal } from './journal.ts';
import { JournalSync } from './journal-sync.ts';
import { PendingInvalidations } from './pending.ts';
import { newVersion, VERSION_TTL_MS, versionKey } from './versions.ts';

/** Default journal polling: the longest another process may read a voided entry once Redis is back. */
export const DEFAULT_JOURNAL_POLL_MS = 2_000;

/** Where failed bumps are shared with every process, and how often it is read. */
export interface JournalOptions {
  journal?: InvalidationJournal;
  pollMs?: number;
}

/** Version bumps, their retries, and what a failed write voids. */
export class Invalidations {
  readonly #context: EngineContext;
  readonly #pending = new PendingInvalidations((keys) => this.#replay(keys));
  readonly #journal: JournalSync | undefined;
  readonly #pollMs: number;
  readonly #timer: NodeJS.Timeout | undefined;
  #polledAt = Number.NEGATIVE_INFINITY;
  #polling: Promise<void> | undefined;

  constructor(context: EngineContext, options: JournalOptions = {}) {
    this.#context = context;
    this.#pollMs = options.pollMs ?? DEFAULT_JOURNAL_POLL_MS;
    if (options.journal) {
      this.#journal = new JournalSync(options.journal, context.onError);
      this.#timer = setInterval(() => void this.poll(), this.#pollMs);
      this.#timer.unref();
    }
  }

  /** Reads the journal now (one read at a time; callers share it). */
  poll(): Promise<void> {
    if (!this.#journal) return Promise.resolve();
    this.#polling ??= this.#readJournal(this.#journal).finally(() => {
      this.#polling = undefined;
      // A failed read counts too: reads must not all wait on a database that is down.
      this.#polledAt = Date.now();
    });
    return this.#polling;
  }

  /** Whether reads must wait for `poll` first: none finished for two intervals (a freeze, a stall). */
  overdue(): boolean {
    return this.#journal !== undefined && Date.now() - this.#polledAt > 2 * this.#pollMs;
  }

  /** How many tenants are read from the source until an invalidation of theirs lands. */
  pendingTenants(): number {
    return this.#pending.tenants;
  }

  /** Whether `tenant` has an invalidation still to land (read it from the source). */
  pendingFor(tenant: string): boolean {
    return !this.#pending.empty && this.#pending.has(tenant);
  }

  /**
   * Makes every entry of `tenant` under `keys` (its version keys) invalid; false when it is left
   * pending. A failure is recorded in the journal unless this is a `retry`: the record it
   * retries already stands (unless it could not be written), and rewriting it on every retry of
   * an outage would only load the database.
   */
  async bump(tenant: string, keys: string[], retry = false): Promise<boolean> {
    const { store, guard, versions, joined, bus, onError } = this.#context;
    // Reads and loads that started before this point may carry what the change replaced: later
    // reads must not join them. (Loads store under the versions read before them, so what
    // they store is void once the bump lands.)
    this.#forgetTenant(tenant);
    const mark = this.#pending.mark();
    // What the journal holds for these keys now: a bump that lands covers every write before it.
    const journaled = this.#journal?.before(keys);
    const done = await guard.attempt('invalidate', () => store.setMany(keys.map((key) => ({ key, value: newVersion(), ttlMs: VERSION_TTL_MS }))));
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
    joined.forgetTenant(tenant);
    await publish(bus, { tenant }, onError);
    return done;
  }

  /**
   * A write or delete to `tenants` failed: entries Redis may still hold are void. Bumping each
   * tenant's version voids them (and the rest of the tenant's entries: a coarse but certain
   * answer to a rare failure); it is pending, so the tenant reads from the source until then.
   */
  async voidTenants(tenants: Iterable<string>): Promise<void> {
    for (const tenant of new Set(tenants)) {
      const keys = [versionKey(tenant)];
      this.#forgetTenant(tenant);
      await this.#journal?.record(tenant, keys, false);
      this.#pending.add(tenant, keys);
    }
  }

  /** Stops the retries and the journal polling; waits for a read of the journal in flight. */
  async close(): Promise<void> {
    this.#pending.close();
    clearInterval(this.#timer);
    await this.#polling;
  }

  /** Pends what other processes recorded, and lets go of what was settled elsewhere. */
  async #readJournal(journal: JournalSync): Promise<void> {
    const mark = this.#pending.mark();
    const read = await journal.read();
    if (!read) return;
    for (const entry of read.adopted) {
      this.#pending.add(entry.tenant, [entry.key]);
      this.#forgetTenant(entry.tenant);
    }
    if (read.gone.length > 0) this.#pending.landed(read.gone, mark);
  }

  /** Retries bumps that failed, tenant by tenant; true when every one landed. */
  async #replay(keys: string[]): Promise<boolean> {
    const byTenant = new Map<string, string[]>();
    for (const key of keys) {
      const tenant = this.#pending.recordedTenant(key);
      if (tenant !== undefined) byTenant.set(tenant, [...(byTenant.get(tenant) ?? []), key]);
    }
    let all = true;
    for (const [tenant, ofTenant] of byTenant) if (!(await this.bump(tenant, ofTenant, true))) all = false;
    return all;
  }

  /** Drops what this process holds or has running for `tenant`: memory-tier values, reads, loads. */
  #forgetTenant(tenant: string): void {
    const { memory, joined, flights } = this.#context;
    memory?.dropTenant(tenant);
    joined.forgetTenant(tenant);
    flights.forgetTenant(tenant);
  }
}

/**
 * Invalidations that could not reach the store (Redis down, hung, or the breaker open). Until
 * one lands, the entries it should have voided are still valid in Redis, and would be served
 * again once Redis answers: so while a tenant has one pending, the engine reads that tenant
 * from the source, and the invalidation is retried in the background, backing off to a few
 * seconds, until it lands.
 *
 * Held in process: a process that dies with invalidations pending loses them, and entries
 * they concern live until their TTL (the tenant's purge outbox, in Postgres, is what makes
 * edge purges durable).
 */

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

/** Sends version bumps for `keys`; resolves true when they landed. */
export type Replay = (keys: string[]) => Promise<boolean>;

export class PendingInvalidations {
  // Version key → its tenant.
  readonly #keys = new Map<string, string>();
  readonly #tenants = new Map<string, number>();
  readonly #replay: Replay;
  #timer: NodeJS.Timeout | undefined;
  #delayMs = FIRST_RETRY_MS;
  #closed = false;

  constructor(replay: Replay) {
    this.#replay = replay;
  }

  /** Whether any invalidation of `tenant` is waiting to land. */
  has(tenant: string): boolean {
    return this.#tenants.size > 0 && this.#tenants.has(tenant);
  }

  /** Nothing is pending: the engine's hot path checks this before anything else. */
  get empty(): boolean {
    return this.#keys.size === 0;
  }

  /** Records version keys of `tenant` whose bump failed, and schedules a retry. */
  add(tenant: string, keys: readonly string[]): void {
    for (const key of keys) {
      if (this.#keys.has(key)) continue;
      this.#keys.set(key, tenant);
      this.#tenants.set(tenant, (this.#tenants.get(tenant) ?? 0) + 1);
    }
    this.#schedule();
  }

  /** These keys were bumped since (a later invalidation landed): nothing left to retry for them. */
  landed(keys: readonly string[]): void {
    for (const key of keys) {
      const tenant = this.#keys.get(key);
      if (tenant === undefined) continue;
      this.#keys.delete(key);
      const left = this.#tenants.get(tenant)! - 1;
      if (left === 0) this.#tenants.delete(tenant);
      else this.#tenants.set(tenant, left);
    }
    if (this.#keys.size === 0) this.#delayMs = FIRST_RETRY_MS;
  }

  /** Stops retrying. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    if (this.#timer || this.#closed || this.#keys.size === 0) return;
    this.#timer = setTimeout(() => void this.#retry(), this.#delayMs);
    this.#timer.unref();
  }

  async #retry(): Promise<void> {
    const keys = [...this.#keys.keys()];
    const done = await this.#replay(keys);
    this.#timer = undefined;
    if (done) this.landed(keys);
    else this.#delayMs = Math.min(this.#delayMs * 2, MAX_RETRY_MS);
    this.#schedule();
  }
}

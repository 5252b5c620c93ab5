/**
 * Invalidations that could not reach the store (Redis down, hung, or the breaker open). Until
 * one lands, the entries it should have voided are still valid in Redis, and would be served
 * again once Redis answers: so while a tenant has one pending, the engine reads that tenant
 * from the source, and the invalidation is retried in the background, backing off to a few
 * seconds, until it lands.
 *
 * Held in process. What makes them outlive the process, and reach the other processes, is the
 * invalidation journal (`journal-sync.ts`), when the engine has one.
 */

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

/** Sends version bumps for `keys`; resolves true when they landed. */
export type Replay = (keys: string[]) => Promise<boolean>;

/** Version bumps waiting to land, by key and tenant, and their retries. */
export class PendingInvalidations {
  // Version key → its tenant, and the generation of the last failed bump recorded for it.
  readonly #keys = new Map<string, { tenant: string; generation: number }>();
  readonly #tenants = new Map<string, number>();
  readonly #replay: Replay;
  #generation = 0;
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

  /** The tenant a pending version key was recorded for. */
  recordedTenant(key: string): string | undefined {
    return this.#keys.get(key)?.tenant;
  }

  /** How many tenants have an invalidation waiting to land. */
  get tenants(): number {
    return this.#tenants.size;
  }

  /** Nothing is pending: the engine's hot path checks this before anything else. */
  get empty(): boolean {
    return this.#keys.size === 0;
  }

  /**
   * Call before sending a bump; pass the mark to `landed` once it succeeded. A failure recorded
   * after the mark is not cleared by that success: its source write may have come after the
   * bump reached Redis.
   */
  mark(): number {
    return this.#generation;
  }

  /** Records version keys of `tenant` whose bump failed, and schedules a retry. */
  add(tenant: string, keys: readonly string[]): void {
    const generation = ++this.#generation;
    for (const key of keys) {
      const pending = this.#keys.get(key);
      if (pending) {
        pending.generation = generation;
        continue;
      }
      this.#keys.set(key, { tenant, generation });
      this.#tenants.set(tenant, (this.#tenants.get(tenant) ?? 0) + 1);
    }
    this.#schedule();
  }

  /** A bump of `keys` sent after `mark` landed: the failures recorded before it are settled. */
  landed(keys: readonly string[], mark: number): void {
    for (const key of keys) {
      const pending = this.#keys.get(key);
      if (pending === undefined || pending.generation > mark) continue;
      this.#keys.delete(key);
      const left = this.#tenants.get(pending.tenant)! - 1;
      if (left === 0) this.#tenants.delete(pending.tenant);
      else this.#tenants.set(pending.tenant, left);
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
    const mark = this.mark();
    const done = await this.#replay(keys);
    this.#timer = undefined;
    if (done) this.landed(keys, mark);
    else this.#delayMs = Math.min(this.#delayMs * 2, MAX_RETRY_MS);
    this.#schedule();
  }
}

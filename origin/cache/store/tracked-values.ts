/**
 * Values of a few hot keys held in this process and kept exact by the server: Redis client
 * tracking (BCAST, by key prefix) reports every change to them, and a reported key is dropped
 * before anyone can read it from here again. The engine keeps its invalidation versions here, so
 * a cache hit costs one GET instead of an MGET of the entry and its versions.
 *
 * Usable only while every connection that receives the reports is up and recently answered a
 * heartbeat: when one drops, every value is forgotten and reads go to the server until tracking
 * is back; while one is silent, values are not given out. A value read from the
 * server is kept only when no report on it (and no reset) arrived while it was being read — a
 * report may come before or after the reply that it concerns — so a stale value is never kept.
 */

/** Most values kept; tenants and tags are few, so reaching this only costs reads, never correctness. */
const MAX_VALUES = 50_000;

/** Values of tracked keys held in this process, and when they can be trusted. */
export class TrackedValues {
  readonly #values = new Map<string, string>();
  #live = false;
  // Until when the listening connections were last proven alive (a heartbeat answered): a
  // connection that goes silent without closing must stop being trusted on its own.
  #heardUntil = 0;
  // Counts reports and resets. A read notes it before asking the server (`ticket`), and keeps or
  // trusts what it saw only if none of its keys was reported since, and nothing was reset.
  #changes = 0;
  #resetAt = 0;
  // When each key was last reported, by `#changes`; bounded like the values (a clear is a reset).
  readonly #changedAt = new Map<string, number>();

  /** Whether the reports are flowing, so held values can be trusted. */
  get live(): boolean {
    return this.#live;
  }

  /** The held value of every key, or `undefined` when any is not held (or tracking is down). */
  getAll(keys: readonly string[]): string[] | undefined {
    if (!this.#live || Date.now() >= this.#heardUntil) return undefined;
    const values = new Array<string>(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const value = this.#values.get(keys[i]!);
      if (value === undefined) return undefined;
      values[i] = value;
    }
    return values;
  }

  /** Call before reading keys from the server; pass the ticket to `remember` with the reply. */
  ticket(): number {
    return this.#changes;
  }

  /**
   * Whether any of `keys` was reported changed, or everything was reset, since `ticket`. Reports
   * about other keys do not count: under steady invalidation traffic for other tenants, reads
   * of this one keep using the held values.
   */
  changedSince(ticket: number, keys: readonly string[]): boolean {
    if (this.#changes === ticket) return false;
    if (this.#resetAt > ticket) return true;
    for (const key of keys) if ((this.#changedAt.get(key) ?? 0) > ticket) return true;
    return false;
  }

  /** Keeps values read from the server, unless a report on one of them or a reset came in since `ticket`. */
  remember(ticket: number, keys: readonly string[], values: readonly (string | undefined)[]): void {
    if (!this.#live || this.changedSince(ticket, keys)) return;
    if (this.#values.size + keys.length > MAX_VALUES) this.#values.clear();
    for (let i = 0; i < keys.length; i++) {
      const value = values[i];
      if (value !== undefined) this.#values.set(keys[i]!, value);
    }
  }

  /** The server reported `keys` changed (or `undefined`: everything, as after FLUSHALL). */
  changed(keys: readonly string[] | undefined): void {
    const now = ++this.#changes;
    if (keys === undefined || this.#changedAt.size + keys.length > MAX_VALUES) {
      this.#reset();
      if (keys === undefined) return;
    }
    for (const key of keys) {
      this.#values.delete(key);
      this.#changedAt.set(key, now);
    }
  }

  /**
   * The listening connections answered a heartbeat: values may be trusted until `until`. Reports
   * travel in order on each connection, so every report sent before the answer has been applied.
   */
  heard(until: number): void {
    this.#heardUntil = until;
  }

  /** Tracking went up or down; either way, nothing held so far can be trusted. */
  setLive(live: boolean): void {
    this.#changes++;
    this.#reset();
    this.#live = live;
  }

  /** Forgets every value and every report: any read that started before cannot be kept. */
  #reset(): void {
    this.#values.clear();
    this.#changedAt.clear();
    this.#resetAt = this.#changes;
  }
}

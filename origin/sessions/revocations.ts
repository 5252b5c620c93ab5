/**
 * Revoked sessions whose cached copy may outlive the revocation. A logout deletes the session in
 * the source and records the revocation there in the same step; when the Redis delete then
 * fails, the copy in Redis would answer again once Redis is back. Every process therefore holds
 * the source's open revocations in memory, refuses their tokens without a query, and retries
 * the Redis delete; the first to land it settles the record.
 *
 * - Read every `pollMs`, and before any read once two polls are overdue: a frozen process (a
 *   Lambda between invocations) runs no timers and must catch up before trusting Redis.
 * - A record that left the source was settled elsewhere: it is let go, unless it was learned
 *   after the read began (the read may predate it).
 */
import type { Revocation } from './interface.ts';

/** Most records read per poll; a longer backlog is read over the following polls. */
const PAGE = 1000;

/** Where revocations are recorded, and how their cached copies are deleted. */
export interface RevocationPorts {
  list(limit: number): Promise<Revocation[]>;
  settle(sids: readonly string[]): Promise<void>;
  /** Deletes the cached copies; false when the store failed (kept for the next poll). */
  purge(revocations: readonly Revocation[]): Promise<boolean>;
  onError(error: unknown, operation: string): void;
}

/** This process's view of the open revocations. */
export class Revocations {
  readonly #ports: RevocationPorts;
  readonly #pollMs: number;
  readonly #known = new Map<string, { revocation: Revocation; seq: number }>();
  #timer: NodeJS.Timeout | undefined;
  #seq = 0;
  #polledAt = Number.NEGATIVE_INFINITY;
  #polling: Promise<void> | undefined;

  constructor(ports: RevocationPorts, pollMs: number) {
    this.#ports = ports;
    this.#pollMs = pollMs;
  }

  /** Reads the source once, then every `pollMs`. */
  async start(): Promise<void> {
    this.#timer ??= setInterval(() => void this.poll(), this.#pollMs);
    this.#timer.unref();
    await this.poll();
  }

  /** True when `sid` was revoked and its cached copy may still exist. */
  has(sid: string): boolean {
    return this.#known.has(sid);
  }

  /** Whether a read must wait for a poll first: none finished for two intervals. */
  overdue(now: number): boolean {
    return now - this.#polledAt > 2 * this.#pollMs;
  }

  /** Revocations this process made whose cached copies it could not delete. */
  add(revocations: readonly Revocation[]): void {
    for (const revocation of revocations) this.#known.set(revocation.sid, { revocation, seq: this.#seq });
  }

  /** Reads the source and retries the deletes (one run at a time; callers share it). */
  poll(): Promise<void> {
    this.#polling ??= this.#run().finally(() => {
      this.#polling = undefined;
      // A failed read counts too: reads must not all wait on a database that is down.
      this.#polledAt = Date.now();
    });
    return this.#polling;
  }

  /** Stops polling; waits for a run in flight. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#polling;
  }

  async #run(): Promise<void> {
    const seq = ++this.#seq;
    let listed: Revocation[];
    try {
      listed = await this.#ports.list(PAGE);
    } catch (error) {
      this.#ports.onError(error, 'revocations');
      return;
    }
    for (const revocation of listed) if (!this.#known.has(revocation.sid)) this.#known.set(revocation.sid, { revocation, seq });
    if (listed.length < PAGE) {
      const present = new Set(listed.map((revocation) => revocation.sid));
      for (const [sid, known] of this.#known) if (!present.has(sid) && known.seq < seq) this.#known.delete(sid);
    }
    const open = [...this.#known.values()].map((known) => known.revocation);
    if (open.length === 0 || !(await this.#ports.purge(open))) return;
    try {
      await this.#ports.settle(open.map((revocation) => revocation.sid));
      for (const revocation of open) this.#known.delete(revocation.sid);
    } catch (error) {
      // The copies are gone; the records stay until a later poll settles them.
      this.#ports.onError(error, 'revocations');
    }
  }
}

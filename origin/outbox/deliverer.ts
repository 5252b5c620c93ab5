/**
 * Sends outbox records to the edge as signed purge webhooks (common/purge.ts), oldest first,
 * at least once: a record is done only when the edge answers 2xx (its `200 duplicate` for a
 * redelivery included); anything else, or no answer, is retried with exponential backoff. With a
 * `target` (CloudFront invalidations, `origin/cloudfront/`), each batch goes there instead, with
 * the same guarantee: a record is done only when the target accepted it.
 */
import { signedPurgeHeaders } from '../../common/purge.ts';
import type { Queryable } from '../db/index.ts';
import { log } from '../log.ts';
import { claimDue, markDelivered, markFailed, releaseBackoff, type OutboxRecord } from './store.ts';

/** A destination other than the edge's webhook, which takes a batch of records at once. */
export interface PurgeTarget {
  /** Delivers `records`; resolves with the reason of each record it did not accept, by id. */
  deliver(records: readonly OutboxRecord[]): Promise<ReadonlyMap<string, string>>;
}

/** Where purges go and how hard to try. */
export interface OutboxDelivererOptions {
  db: Queryable;
  /** The edge's purge endpoint (`PURGE_URL`); without it and `secret` records wait. */
  url: string | undefined;
  /** The shared HMAC key (`PURGE_SECRET`), or a reader of its current value (`PURGE_SECRET_ARN`, rotated). */
  secret: string | undefined | (() => Promise<string>);
  /** First retry delay; doubled per attempt. @default 1000 */
  baseDelayMs?: number;
  /** Longest retry delay. @default 600000 (10 min) */
  maxDelayMs?: number;
  /** Per-request timeout. @default 5000 */
  timeoutMs?: number;
  /** Records per run. @default 50 */
  batchSize?: number;
  /** Sends purges here instead of the webhook (`url` and `secret` are then unused). @default the webhook */
  target?: PurgeTarget;
}

/** What one run did. */
export interface DeliveryReport {
  delivered: number;
  failed: number;
}

/** Delay before attempt `attempts + 1`, after `attempts` failures: base·2^(attempts-1), capped. */
export function backoffMs(attempts: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
}

// A claimed record is not offered to another deliverer for this long (covers one send).
const LEASE_MS = 30_000;
// Claimed ids remembered against a late kick: far more than are claimed in the moment between a commit and its kick.
const CLAIMED_REMEMBERED = 1000;

/** Delivers pending purges; one instance per process. */
export class OutboxDeliverer {
  readonly #options: Required<Omit<OutboxDelivererOptions, 'url' | 'secret' | 'target'>> & Pick<OutboxDelivererOptions, 'url' | 'secret' | 'target'>;
  #running: Promise<DeliveryReport> | undefined;
  #again = false;
  #warned = false;
  /**
   * A run failed on the database: a claim may have committed without its rows coming back
   * (a crash or failover mid-statement), leasing records that nobody sends for `LEASE_MS`.
   * The next run makes every undelivered record due first (`releaseBackoff`); a record another
   * deliverer holds may then go out twice, which the edge answers `duplicate`.
   */
  #leaseInDoubt = false;
  /** Records handed over by `kick`, sent by the next run without being read back. */
  #committed: OutboxRecord[] = [];
  /**
   * Ids this deliverer claimed lately: a run may claim a record between its commit and its
   * kick, which then must not send it again.
   */
  readonly #claimed = new Set<string>();

  constructor(options: OutboxDelivererOptions) {
    this.#options = { baseDelayMs: 1000, maxDelayMs: 600_000, timeoutMs: 5000, batchSize: 50, ...options };
  }

  /**
   * Starts a run in the background (after a commit); never throws, never blocks the caller.
   * `committed` are the records the caller's transaction just wrote: the run sends them as they
   * are, before it claims anything, so their delivery does not wait on the database (a crash
   * right after the commit delays only their `delivered` mark, and a duplicate later).
   */
  kick(committed: readonly OutboxRecord[] = []): void {
    this.#committed.push(...committed);
    this.deliverPending().catch((error: unknown) => log.warn('purge outbox run failed', { error: String(error) }));
  }

  /**
   * Resolves when the current run ends, or after `timeoutMs`. Lambda freezes a process once the
   * handler returns, so the handler waits here for the run its write kicked off.
   */
  async idle(timeoutMs: number): Promise<void> {
    if (!this.#running) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([
      this.#running.then(
        () => {},
        () => {},
      ),
      timeout,
    ]);
    clearTimeout(timer);
  }

  /**
   * Runs a delivery every `intervalMs` until the returned function is called: the schedule of a
   * long-running server (on Lambda an EventBridge rule calls `deliverPending` instead). The timer
   * does not keep the process alive; an interval of 0 schedules nothing.
   */
  schedule(intervalMs: number): () => void {
    if (intervalMs <= 0) return () => {};
    const timer = setInterval(() => this.kick(), intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Delivers every undelivered record now, ignoring backoff (the edge is known to be back). */
  async retryNow(): Promise<DeliveryReport> {
    await releaseBackoff(this.#options.db);
    return this.deliverPending();
  }

  /** Delivers every due record; a run asked for while one is going happens right after it. */
  deliverPending(): Promise<DeliveryReport> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#drain().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #drain(): Promise<DeliveryReport> {
    const total: DeliveryReport = { delivered: 0, failed: 0 };
    const { url, target } = this.#options;
    let secret: string | undefined;
    if (!target) {
      try {
        // Read per run: a rotated key is used from the first run after the reader's max age.
        secret = typeof this.#options.secret === 'function' ? await this.#options.secret() : this.#options.secret;
      } catch (error) {
        log.warn('purge secret unreadable: purges stay in the outbox', { error: String(error) });
        this.#committed.length = 0;
        return total;
      }
    }
    if (!target && (!url || !secret)) {
      if (!this.#warned) log.warn('PURGE_URL or PURGE_SECRET unset: purges stay in the outbox');
      this.#warned = true;
      this.#committed.length = 0;
      return total;
    }
    const add = (report: DeliveryReport) => {
      total.delivered += report.delivered;
      total.failed += report.failed;
    };
    try {
      do {
        this.#again = false;
        // Each on its own: a database that fails to record one delivery does not hold back the next.
        let failure: unknown;
        const committed = this.#committed.splice(0).filter((record) => !this.#claimed.has(record.id));
        for (const record of committed) await this.#deliverBatch([record], url, secret).then(add, (error: unknown) => (failure ??= error));
        if (failure !== undefined) throw failure;
        if (this.#leaseInDoubt) {
          await releaseBackoff(this.#options.db);
          this.#leaseInDoubt = false;
        }
        for (;;) {
          const batch = await claimDue(this.#options.db, this.#options.batchSize, LEASE_MS);
          // A record claimed here goes out once, whether its kick came before the claim or comes after.
          for (const record of batch) this.#claimed.add(record.id);
          for (const id of this.#claimed) {
            if (this.#claimed.size <= CLAIMED_REMEMBERED) break;
            this.#claimed.delete(id);
          }
          this.#committed = this.#committed.filter((record) => !this.#claimed.has(record.id));
          add(await this.#deliverBatch(batch, url, secret));
          if (batch.length < this.#options.batchSize) break;
        }
      } while (this.#again);
    } catch (error) {
      this.#leaseInDoubt = true;
      throw error;
    }
    return total;
  }

  #deliverBatch(batch: readonly OutboxRecord[], url: string | undefined, secret: string | undefined): Promise<DeliveryReport> {
    const { target } = this.#options;
    return target ? this.#deliverTo(target, batch) : this.#sendEach(batch, url!, secret!);
  }

  async #sendEach(batch: readonly OutboxRecord[], url: string, secret: string): Promise<DeliveryReport> {
    const report: DeliveryReport = { delivered: 0, failed: 0 };
    for (const record of batch) {
      if (await this.#send(record, url, secret)) report.delivered++;
      else report.failed++;
    }
    return report;
  }

  /** Hands the batch to `target`; what it did not accept is retried like a failed webhook. */
  async #deliverTo(target: PurgeTarget, batch: readonly OutboxRecord[]): Promise<DeliveryReport> {
    const report: DeliveryReport = { delivered: 0, failed: 0 };
    if (batch.length === 0) return report;
    const failures = await target.deliver(batch).catch((error: unknown) => new Map(batch.map((record) => [record.id, String(error)])));
    for (const record of batch) {
      const failure = failures.get(record.id);
      if (failure === undefined) await markDelivered(this.#options.db, record.id);
      else await this.#fail(record, failure);
      if (failure === undefined) report.delivered++;
      else report.failed++;
    }
    return report;
  }

  async #send(record: OutboxRecord, url: string, secret: string): Promise<boolean> {
    const body = JSON.stringify(record.message);
    let failure: string;
    try {
      const headers = { 'content-type': 'application/json', ...(await signedPurgeHeaders(secret, record.id, body)) };
      const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.#options.timeoutMs) });
      await response.body?.cancel().catch(() => {});
      if (response.ok) {
        await markDelivered(this.#options.db, record.id);
        return true;
      }
      failure = `HTTP ${response.status}`;
    } catch (error) {
      failure = String(error);
    }
    await this.#fail(record, failure);
    return false;
  }

  /** Records a failed attempt and when to retry it. */
  async #fail(record: OutboxRecord, failure: string): Promise<void> {
    const retryIn = backoffMs(record.attempts + 1, this.#options.baseDelayMs, this.#options.maxDelayMs);
    await markFailed(this.#options.db, record.id, failure, retryIn);
    log.warn('purge delivery failed', { id: record.id, attempts: record.attempts + 1, retryInMs: retryIn, error: failure });
  }
}

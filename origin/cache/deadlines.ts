/**
 * Command timeouts without a timer per command.
 *
 * ioredis offers two timeouts, and neither fits a cache hit:
 * - `commandTimeout` arms a timer for every command, and `socketTimeout` one for every command
 *   sent to an idle connection, which is every command of a caller that waits for each reply.
 *   Measured on a sequential 1 KB hit, `socketTimeout` alone took the raw client from 34 to 58 µs
 *   of CPU per read.
 * - Neither settles a command that was in flight when its connection dropped: ioredis keeps it
 *   to resend after the next handshake, so while the server stays unreachable (hung, partitioned)
 *   its caller waits, however short the timeout.
 *
 * Here one interval per store does both jobs. Every store call is registered with the tick it
 * started in; each tick fails the calls that have waited `timeoutMs` (answered at most two ticks
 * later), and drops any connection whose oldest unanswered command has not moved for as long,
 * so it reconnects (to the new primary, after a failover) instead of waiting on a dead socket.
 * A frozen process (Lambda between invocations) does not tick, so a freeze expires nothing.
 */
import type { Redis } from 'ioredis';
import { CACHE_ERROR_CODES, CacheError } from './errors.ts';

interface Pending {
  readonly tick: number;
  readonly reject: (error: Error) => void;
  readonly settled: (() => void) | undefined;
  done: boolean;
}

/** The tick length for `timeoutMs`: a quarter of it, within 5–250 ms. */
function tickMs(timeoutMs: number): number {
  return Math.max(5, Math.min(250, Math.floor(timeoutMs / 4)));
}

/** Fails store calls and drops connections that waited `timeoutMs` for Redis. */
export class Deadlines {
  readonly #timeoutMs: number;
  readonly #connections: () => Iterable<Redis>;
  // Whole ticks a call must have waited: it started at some point within its first tick.
  readonly #ticks: number;
  readonly #timer: NodeJS.Timeout;
  #tick = 0;
  // Calls in start order; settled ones are skipped when the head reaches them.
  #queue: Pending[] = [];
  #head = 0;
  // The oldest unanswered command of each connection, and the tick it was first seen at.
  readonly #oldest = new WeakMap<Redis, { item: unknown; tick: number }>();

  /** `connections` lists the connections to watch; it is called once per tick. */
  constructor(timeoutMs: number, connections: () => Iterable<Redis>) {
    const tick = tickMs(timeoutMs);
    this.#timeoutMs = timeoutMs;
    this.#connections = connections;
    this.#ticks = Math.ceil(timeoutMs / tick) + 1;
    this.#timer = setInterval(() => this.#onTick(), tick);
    this.#timer.unref();
  }

  /**
   * `sent` (its value passed through `map`, if given), or a `command_timeout` error once it has
   * waited `timeoutMs`; `settled` runs once, when the returned promise settles.
   */
  bound<T, R = T>(sent: Promise<T>, settled?: () => void, map?: (value: T) => R): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const pending: Pending = { tick: this.#tick, reject, settled, done: false };
      this.#queue.push(pending);
      sent.then(
        (value) => {
          if (pending.done) return;
          pending.done = true;
          settled?.();
          resolve(map ? map(value) : (value as unknown as R));
        },
        (error: unknown) => {
          if (pending.done) return;
          pending.done = true;
          settled?.();
          reject(error);
        },
      );
    });
  }

  /** Stops the interval; calls still pending settle with their commands. */
  close(): void {
    clearInterval(this.#timer);
  }

  #onTick(): void {
    const now = ++this.#tick;
    const expired = now - this.#ticks;
    const queue = this.#queue;
    let head = this.#head;
    for (; head < queue.length; head++) {
      const pending = queue[head]!;
      if (pending.done) continue;
      if (pending.tick > expired) break;
      pending.done = true;
      pending.settled?.();
      pending.reject(new CacheError(CACHE_ERROR_CODES.commandTimeout, `Redis did not answer within ${this.#timeoutMs} ms`));
    }
    if (head === queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (head > 1024 && head * 2 > queue.length) {
      this.#queue = queue.slice(head);
      this.#head = 0;
    } else {
      this.#head = head;
    }
    for (const connection of this.#connections()) this.#watch(connection, now, expired);
  }

  #watch(connection: Redis, now: number, expired: number): void {
    const item = connection.commandQueue.peekFront();
    const seen = this.#oldest.get(connection);
    if (item === undefined) {
      if (seen) this.#oldest.delete(connection);
    } else if (seen?.item !== item) {
      this.#oldest.set(connection, { item, tick: now });
    } else if (seen.tick <= expired) {
      // The same command at the head for the whole timeout: nothing came back. Dropping the
      // socket makes ioredis reconnect; the waiting calls fail through `bound`.
      this.#oldest.delete(connection);
      connection.stream?.destroy(new CacheError(CACHE_ERROR_CODES.commandTimeout, `no reply from Redis within ${this.#timeoutMs} ms; reconnecting`));
    }
  }
}

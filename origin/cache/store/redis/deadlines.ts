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
import { CACHE_ERROR_CODES, CacheError } from '../../errors.ts';

/** Something waiting for Redis, e.g. an ioredis `Command`: whether it has settled yet. */
export interface Waiting {
  readonly isSettled: boolean;
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
  // Calls in start order, with the tick each started in; settled ones are skipped when the head
  // reaches them.
  #queue: Waiting[] = [];
  #rejects: ((error: Error) => void)[] = [];
  #started: number[] = [];
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
      const pending = { isSettled: false };
      this.watch(pending, (error) => {
        pending.isSettled = true;
        settled?.();
        reject(error);
      });
      sent.then(
        (value) => {
          if (pending.isSettled) return;
          pending.isSettled = true;
          settled?.();
          resolve(map ? map(value) : (value as unknown as R));
        },
        (error: unknown) => {
          if (pending.isSettled) return;
          pending.isSettled = true;
          settled?.();
          reject(error);
        },
      );
    });
  }

  /**
   * Fails `waiting` through `reject` with a `command_timeout` error once it has waited
   * `timeoutMs`, unless it has settled by then. An ioredis `Command` qualifies, with its own
   * `reject` taken before it is sent (the cluster client replaces it with one that follows
   * redirections): a read then needs no promise of its own around the command's.
   */
  watch(waiting: Waiting, reject: (error: Error) => void): void {
    this.#queue.push(waiting);
    this.#rejects.push(reject);
    this.#started.push(this.#tick);
  }

  /** Stops the interval; calls still pending settle with their commands. */
  close(): void {
    clearInterval(this.#timer);
  }

  #onTick(): void {
    const now = ++this.#tick;
    const expired = now - this.#ticks;
    const queue = this.#queue;
    const started = this.#started;
    let head = this.#head;
    for (; head < queue.length; head++) {
      if (queue[head]!.isSettled) continue;
      if (started[head]! > expired) break;
      this.#rejects[head]!(new CacheError(CACHE_ERROR_CODES.commandTimeout, `Redis did not answer within ${this.#timeoutMs} ms`));
    }
    if (head === queue.length) {
      this.#queue = [];
      this.#rejects = [];
      this.#started = [];
      this.#head = 0;
    } else if (head > 1024 && head * 2 > queue.length) {
      this.#queue = queue.slice(head);
      this.#rejects = this.#rejects.slice(head);
      this.#started = started.slice(head);
      this.#head = 0;
    } else {
      this.#head = head;
    }
    for (const connection of this.#connections()) this.#checkConnection(connection, now, expired);
  }

  #checkConnection(connection: Redis, now: number, expired: number): void {
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

/**
 * Collapsing of concurrent misses inside an isolate: requests for the same key that arrive
 * while the origin is being asked wait for that one answer instead of each asking again.
 * The body is buffered once so every waiter gets its own copy.
 */
import { ERROR_CODES, HttpError } from '../../common/errors.ts';

/** An origin answer, buffered so several requests can be served from it. */
export interface Fetched {
  status: number;
  headers: Headers;
  body: ArrayBuffer | null;
}

/** How a fetch ended, as handed to the requests that joined it. */
type Outcome = { ok: true; fetched: Fetched } | { ok: false; error: unknown };

/** A request waits this long past its own bound on the fetch before deciding that fetch died. */
export const JOIN_GRACE_MS = 1000;

/**
 * One origin fetch per collapse key at a time in this isolate. A request that joins a fetch
 * waits on a promise of its own, which the fetching request settles: workerd runs what follows
 * in the joining request's context then, whereas awaiting the fetching request's own promise
 * could build the joining request's response in the fetching request's context, and workerd
 * fails that response's body with "Cannot perform I/O on behalf of a different request" (the
 * workload's edge 500s). Joiners get their own copy of the headers.
 *
 * While it waits, a joining request holds a timer of its own, and the timer is load-bearing:
 * workerd cancels a request that has nothing pending in its own context (no I/O, no timer) as
 * hung ("would never generate a response") and answers 500 with no headers of ours. Another
 * request's fetch does not count, so without the timer a joiner lived only as long as something
 * of its own happened to be pending — the rate limiter's 1 s Upstash deadline — and died
 * whenever nothing was: Upstash unconfigured, its calls paused while it fails (the chaos
 * `upstash-hung` 500), or an origin slower than that deadline. The timer also bounds the wait:
 * a fetch not settled by `maxWaitMs` belonged to a request that ended before it could (a client
 * that went away takes its request's work with it), so the joiner drops it and fetches itself.
 */
export class MissCollapser {
  readonly #inflight = new Map<string, ((outcome: Outcome) => void)[]>();

  /**
   * Joins the running fetch of `key` (`joined` true), or runs `fetchOnce` as that fetch.
   * `maxWaitMs` bounds a joiner's wait: past it, the fetch it joined is taken for dead.
   */
  async run(key: string, fetchOnce: () => Promise<Fetched>, maxWaitMs: number): Promise<{ fetched: Fetched; joined: boolean }> {
    const waiters = this.#inflight.get(key);
    if (waiters) {
      const outcome = await waitFor(waiters, maxWaitMs);
      if (!outcome) {
        if (this.#inflight.get(key) === waiters) this.#inflight.delete(key);
        return this.run(key, fetchOnce, maxWaitMs);
      }
      if (!outcome.ok) throw outcome.error;
      const { status, headers, body } = outcome.fetched;
      return { fetched: { status, headers: new Headers(headers), body }, joined: true };
    }
    const mine: ((outcome: Outcome) => void)[] = [];
    this.#inflight.set(key, mine);
    let outcome: Outcome;
    try {
      outcome = { ok: true, fetched: await fetchOnce() };
    } catch (error) {
      outcome = { ok: false, error };
    } finally {
      if (this.#inflight.get(key) === mine) this.#inflight.delete(key);
    }
    for (const settle of mine) settle(outcome);
    if (!outcome.ok) throw outcome.error;
    return { fetched: outcome.fetched, joined: false };
  }
}

/**
 * Waits for `waiters`' fetch to settle: its outcome, or `undefined` after `maxWaitMs`. The timer
 * is set and cleared in the waiting request's own context (the fetching request only resolves).
 */
async function waitFor(waiters: ((outcome: Outcome) => void)[], maxWaitMs: number): Promise<Outcome | undefined> {
  let settle!: (outcome: Outcome | undefined) => void;
  const settled = new Promise<Outcome | undefined>((resolve) => (settle = resolve));
  const timer = setTimeout(() => {
    const at = waiters.indexOf(settle);
    if (at >= 0) waiters.splice(at, 1);
    settle(undefined);
  }, maxWaitMs);
  waiters.push(settle);
  try {
    return await settled;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads an origin response into a `Fetched`. A body that stops arriving (the origin closed the
 * connection, or the timeout ran out mid-body) is the origin failing, as `fetchOrigin` says for
 * one that never answers: 502 or 504 `origin_unavailable`, never the edge's own 500.
 */
export async function buffer(response: Response): Promise<Fetched> {
  let body: ArrayBuffer | null = null;
  try {
    if (response.body) body = await response.arrayBuffer();
  } catch (error) {
    if (error instanceof DOMException && error.name === 'TimeoutError') {
      throw new HttpError(504, ERROR_CODES.originUnavailable, 'origin stopped sending its response', { cause: error });
    }
    throw new HttpError(502, ERROR_CODES.originUnavailable, 'origin response was cut off', { cause: error });
  }
  return { status: response.status, headers: response.headers, body };
}

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

/** One origin fetch per collapse key at a time in this isolate. */
export class MissCollapser {
  readonly #inflight = new Map<string, Promise<Fetched>>();

  /** Joins the running fetch of `key` (`joined` true), or runs `fetchOnce` as that fetch. */
  async run(key: string, fetchOnce: () => Promise<Fetched>): Promise<{ fetched: Fetched; joined: boolean }> {
    const running = this.#inflight.get(key);
    if (running) return { fetched: await running, joined: true };
    const started = fetchOnce();
    this.#inflight.set(key, started);
    try {
      return { fetched: await started, joined: false };
    } finally {
      this.#inflight.delete(key);
    }
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

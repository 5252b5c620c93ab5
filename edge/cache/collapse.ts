/**
 * Collapsing of concurrent misses inside an isolate: requests for the same key that arrive
 * while the origin is being asked wait for that one answer instead of each asking again.
 * The body is buffered once so every waiter gets its own copy.
 */

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

/** Reads an origin response into a `Fetched`. */
export async function buffer(response: Response): Promise<Fetched> {
  const body = response.body ? await response.arrayBuffer() : null;
  return { status: response.status, headers: response.headers, body };
}

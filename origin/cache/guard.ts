/**
 * Every store call of the engine goes through here: the circuit breaker, timing for the metrics
 * sink (only when there is one: two clock reads a read otherwise wasted), and the failure path,
 * where a read goes to the source instead and anything else rejects.
 */
import type { StoreBreaker } from './breaker.ts';
import type { CacheMetrics, CacheOperation } from './metrics/interface.ts';
import type { CachePolicy } from './policy.ts';
import type { ErrorListener, ReadRequest } from './targets.ts';

/** A read that failed to reach the store, answered from the source. */
export type Bypass = (request: ReadRequest<unknown>) => Promise<unknown>;

/** Store calls through the breaker. */
export class StoreGuard {
  readonly #breaker: StoreBreaker;
  readonly #metrics: CacheMetrics;
  readonly #timed: boolean;
  readonly #onError: ErrorListener;
  readonly #bypass: Bypass;

  constructor(breaker: StoreBreaker, metrics: CacheMetrics, timed: boolean, onError: ErrorListener, bypass: Bypass) {
    this.#breaker = breaker;
    this.#metrics = metrics;
    this.#timed = timed;
    this.#onError = onError;
    this.#bypass = bypass;
  }

  /**
   * Runs a store call through the breaker and times it; `then` continues in the same step (a
   * read's hot path pays for every promise it chains). On failure, a read of `bypass` goes to
   * the source instead; anything else rejects.
   */
  run<T, R = T>(
    policy: CachePolicy | undefined,
    operation: CacheOperation,
    run: () => Promise<T>,
    then?: (result: T) => R | PromiseLike<R>,
    bypass?: ReadRequest<unknown>,
  ): Promise<R> {
    const started = this.#timed ? performance.now() : 0;
    return this.#breaker.run(run).then(
      (result) => {
        if (policy && this.#timed) this.#metrics.operation(policy.type, operation, true, performance.now() - started);
        return then ? then(result) : (result as unknown as R);
      },
      (error: unknown) => {
        if (policy && this.#timed) this.#metrics.operation(policy.type, operation, false, performance.now() - started);
        this.#onError(error, { operation });
        if (bypass) return this.#bypass(bypass) as Promise<R>;
        throw error;
      },
    );
  }

  /**
   * Runs a store call whose failure the caller absorbs: true when it went through (failures are
   * reported); timed for `policy`'s type when given.
   */
  attempt(operation: CacheOperation, run: () => Promise<unknown>, policy?: CachePolicy): Promise<boolean> {
    return this.run(policy, operation, run).then(
      () => true,
      () => false,
    );
  }
}

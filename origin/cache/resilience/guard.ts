/**
 * Every store call of the engine goes through here: the circuit breaker, timing for the metrics
 * sink (only when there is one: two clock reads a read otherwise wasted), and the failure,
 * reported and then handed to the caller's `recover` or rethrown. The guard knows nothing of
 * what its callers do on failure: a read supplies its own way to the source.
 */
import type { CacheMetrics, CacheOperation } from '../metrics/interface.ts';
import type { CachePolicy } from '../policy.ts';
import type { ErrorListener } from '../target.ts';
import type { StoreBreaker } from './breaker.ts';

/** Store calls through the breaker. */
export class StoreGuard {
  readonly #breaker: StoreBreaker;
  readonly #metrics: CacheMetrics;
  readonly #timed: boolean;
  readonly #onError: ErrorListener;

  /** `timed`: whether store calls are timed for `metrics` (false when it records nothing). */
  constructor(breaker: StoreBreaker, metrics: CacheMetrics, timed: boolean, onError: ErrorListener) {
    this.#breaker = breaker;
    this.#metrics = metrics;
    this.#timed = timed;
    this.#onError = onError;
  }

  /**
   * Runs a store call through the breaker and times it under `policy`'s label; `then` continues
   * in the same step (a read's hot path pays for every promise it chains). A failure is reported,
   * then answered by `recover(subject)` when given, else rethrown: a caller passes a function it
   * made once and what it is about, so a read allocates no handler of its own for a rare failure.
   */
  run<T, R = T, S = undefined>(
    policy: CachePolicy | undefined,
    operation: CacheOperation,
    run: () => Promise<T>,
    then?: (result: T) => R | PromiseLike<R>,
    recover?: (subject: S) => R | PromiseLike<R>,
    subject?: S,
  ): Promise<R> {
    const started = this.#timed ? performance.now() : 0;
    return this.#breaker.run(run).then(
      (result) => {
        if (policy && this.#timed) this.#metrics.operation(policy.label, operation, true, performance.now() - started);
        return then ? then(result) : (result as unknown as R);
      },
      (error: unknown) => {
        if (policy && this.#timed) this.#metrics.operation(policy.label, operation, false, performance.now() - started);
        this.#onError(error, { operation });
        if (recover) return recover(subject as S);
        throw error;
      },
    );
  }

  /**
   * Runs a store call whose failure the caller absorbs: true when it went through (failures are
   * reported); timed under `policy`'s label when given.
   */
  attempt(operation: CacheOperation, run: () => Promise<unknown>, policy?: CachePolicy): Promise<boolean> {
    return this.run(policy, operation, run).then(
      () => true,
      () => false,
    );
  }
}

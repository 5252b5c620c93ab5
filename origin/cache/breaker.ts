/**
 * A circuit breaker around the store (opossum). When Redis keeps failing the breaker opens and
 * calls fail at once without touching the network; after `resetTimeoutMs` one trial call goes
 * through, and success closes it again. Recovery needs no restart.
 */
import CircuitBreaker from 'opossum';

/** Breaker tuning. */
export interface BreakerOptions {
  /** Failure percentage over the rolling window that opens the breaker. */
  errorThresholdPercentage: number;
  /** Calls in the window before the percentage counts (a single failure must not open it). */
  volumeThreshold: number;
  /** How long the breaker stays open before a trial call. */
  resetTimeoutMs: number;
  /** Length of the rolling window. */
  rollingCountTimeoutMs: number;
}

/** Sensible defaults for a cache in front of a database. */
export const DEFAULT_BREAKER: BreakerOptions = {
  errorThresholdPercentage: 50,
  volumeThreshold: 5,
  resetTimeoutMs: 2_000,
  rollingCountTimeoutMs: 10_000,
};

/** Breaker states as `/health` reports them. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** Runs store operations through one breaker. */
export interface StoreBreaker {
  run<T>(operation: () => Promise<T>): Promise<T>;
  state(): BreakerState;
  shutdown(): void;
}

/** Creates a breaker with `options`. */
export function createBreaker(options: BreakerOptions = DEFAULT_BREAKER): StoreBreaker {
  const breaker = new CircuitBreaker((operation: () => Promise<unknown>) => operation(), {
    // Timeouts are the store's own (command timeouts); a second timer here would only add cost.
    timeout: false,
    errorThresholdPercentage: options.errorThresholdPercentage,
    volumeThreshold: options.volumeThreshold,
    resetTimeout: options.resetTimeoutMs,
    rollingCountTimeout: options.rollingCountTimeoutMs,
    // The breaker sits on every cache read: skip latency percentiles and snapshot events,
    // which cost more per call than the Redis round trip's own client-side work.
    rollingPercentilesEnabled: false,
    enableSnapshots: false,
  });
  return {
    run: <T>(operation: () => Promise<T>) => breaker.fire(operation) as Promise<T>,
    state: () => (breaker.opened ? 'open' : breaker.halfOpen ? 'half-open' : 'closed'),
    shutdown: () => breaker.shutdown(),
  };
}

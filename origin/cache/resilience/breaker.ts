/**
 * A circuit breaker around the store (cockatiel). When Redis keeps failing the breaker opens and
 * calls fail at once without touching the network; once `resetTimeoutMs` has passed, the next
 * call is a trial, and its success closes the breaker again. Calls made while the trial runs
 * fail at once too (cockatiel would have them wait for it: up to a command timeout per trial
 * while Redis hangs). Recovery needs no restart and no timer: the state moves when calls arrive.
 * It opens on either of two rules (`breaker-rule.ts`): a streak of consecutive failures lasting
 * `consecutiveSpanMs` (a store that stopped answering: open within a second of the first
 * timeouts), or more than a percentage of the calls in a rolling window failing, once the
 * window holds enough calls.
 *
 * The breaker sits on every cache read. opossum, used before, cost about 0.6–1 µs of CPU per
 * call in isolation (events, a latency array, two promises) and 4–8 % of a sequential cache
 * hit's throughput against a loopback Redis; cockatiel's breakers cost about a quarter of that.
 * While it is closed, a success is recorded straight into the rule, as the policy would record
 * it, which keeps the policy's two async wrappers (about 3 % of a sequential hit) off the hot
 * path; the rule then only resets the streak and counts the success in the window.
 */
import { BrokenCircuitError, circuitBreaker, CircuitState, handleAll, SamplingBreaker } from 'cockatiel';
import { StreakOrSampling } from './breaker-rule.ts';

/** Breaker tuning. */
export interface BreakerOptions {
  /** Failure percentage over the rolling window above which the breaker opens. */
  errorThresholdPercentage: number;
  /** Calls in the window before the percentage counts (a single failure must not open it). */
  volumeThreshold: number;
  /** How long the breaker stays open before a trial call. */
  resetTimeoutMs: number;
  /** Length of the rolling window. */
  rollingCountTimeoutMs: number;
  /**
   * Failures in a row (no success between them) that open the breaker once they span
   * `consecutiveSpanMs`, whatever the window says; `Infinity` turns this rule off. Default 5.
   */
  consecutiveFailures?: number;
  /**
   * How long such a streak must last: longer than one burst of failures settled at once (a
   * reset connection, one sweep of timeouts), shorter than a quarter of the command timeout.
   * Default 100.
   */
  consecutiveSpanMs?: number;
}

// Five calls in a row failed over 100 ms, nothing answered between: the store has stopped answering.
const CONSECUTIVE_FAILURES = 5;
const CONSECUTIVE_SPAN_MS = 100;

/** Sensible defaults for a cache in front of a database. */
export const DEFAULT_BREAKER: BreakerOptions = {
  errorThresholdPercentage: 50,
  volumeThreshold: 5,
  resetTimeoutMs: 2_000,
  rollingCountTimeoutMs: 10_000,
  consecutiveFailures: CONSECUTIVE_FAILURES,
  consecutiveSpanMs: CONSECUTIVE_SPAN_MS,
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
  const sampling = new SamplingBreaker({
    threshold: options.errorThresholdPercentage / 100,
    duration: options.rollingCountTimeoutMs,
    // Expressed as a rate over the window: `volumeThreshold` calls in it.
    minimumRps: (options.volumeThreshold * 1000) / options.rollingCountTimeoutMs,
  });
  const rule = new StreakOrSampling(sampling, {
    failures: options.consecutiveFailures ?? CONSECUTIVE_FAILURES,
    spanMs: options.consecutiveSpanMs ?? CONSECUTIVE_SPAN_MS,
  });
  const policy = circuitBreaker(handleAll, {
    halfOpenAfter: options.resetTimeoutMs,
    breaker: rule,
  });
  // When the breaker last opened: past `resetTimeoutMs` the next call is a trial, which
  // `/health` reports as half-open even before a call arrives.
  let openedAt = 0;
  policy.onBreak(() => (openedAt = Date.now()));
  // While closed, a call's outcome is recorded here as the policy itself records it (its
  // `execute` tells the rule of a success in the state the call started in); a
  // failure goes through the policy, which decides whether to open. This keeps the policy's two
  // async wrappers off a cache hit, which pays for every promise it chains.
  // The state is checked in the same step as `execute` reads it: closed, so the policy records
  // the failure (opening if the window says so) and rejects with the error itself. A failure
  // that settles after the breaker left the closed state is not recorded, where cockatiel would
  // count it (and re-open a half-open breaker, or restart an open one's wait). No store call
  // lives that long with the defaults: each is bounded by its command deadline (500 ms), well
  // inside the reset timeout (2 s), so the breaker can then only be open, and one failure more
  // changes nothing that matters.
  const recordFailure = (error: unknown): Promise<never> =>
    policy.state === CircuitState.Closed ? policy.execute(() => Promise.reject(error)) : Promise.reject(error);
  const succeeded = <T>(value: T): T => {
    rule.success(CircuitState.Closed);
    return value;
  };
  return {
    run: <T>(operation: () => Promise<T>): Promise<T> => {
      switch (policy.state) {
        case CircuitState.Closed: {
          let sent: Promise<T>;
          try {
            sent = operation();
          } catch (error) {
            return recordFailure(error);
          }
          return sent.then(succeeded, recordFailure);
        }
        case CircuitState.HalfOpen:
          return Promise.reject(new BrokenCircuitError('the breaker is half-open: a trial call is running'));
        default:
          // Open: the policy fails the call at once, or makes it the trial once it is due.
          return policy.execute(operation);
      }
    },
    state: () => {
      switch (policy.state) {
        case CircuitState.Closed:
          return 'closed';
        case CircuitState.HalfOpen:
          return 'half-open';
        default:
          return Date.now() - openedAt >= options.resetTimeoutMs ? 'half-open' : 'open';
      }
    },
    // Nothing to release: the policy keeps no timers.
    shutdown: () => {},
  };
}

/**
 * When the store breaker opens: on a streak of failures that says the store has stopped
 * answering, or on cockatiel's sampling rule (too many of the window's calls failed).
 *
 * The sampling rule alone is slow against a hung Redis: a process that served hits for the
 * whole window needs as many failures as it had successes, and while the server hangs each
 * failure is a read that waited the command timeout. Measured at 1000 reads/s
 * (`npm run bench -- breaker-open`): it opened 5–6 s after the server stopped.
 *
 * A streak of consecutive failures (cockatiel's `ConsecutiveBreaker`) opens as soon as the first
 * timeouts land. But failures also come in bursts that are one event, not an outage: every
 * command on a connection that was reset fails at once, and timeouts expire together, in one
 * sweep of the deadlines (`deadlines.ts`). Under load such a burst is dozens of failures with
 * no success between them, and a plain streak would send every read to the source for a whole
 * reset timeout. So the streak must also last `spanMs`: longer than a burst takes to settle,
 * shorter than the sweep's tick (a quarter of the command timeout), so that a store that answers
 * nothing opens at its second sweep.
 */
import { CircuitState, ConsecutiveBreaker, SamplingBreaker, type IBreaker } from 'cockatiel';

/** The failure streak that opens the breaker by itself. */
export interface StreakOptions {
  /** Failures in a row, no success between them. `Infinity` leaves only the sampling rule. */
  failures: number;
  /** How long the streak must have lasted, from its first failure to its latest. */
  spanMs: number;
}

/** Opens on a failure streak that lasted long enough, or on the sampling rule. */
export class StreakOrSampling implements IBreaker {
  readonly #sampling: SamplingBreaker;
  readonly #streak: ConsecutiveBreaker;
  readonly #spanMs: number;
  readonly #now: () => number;
  // When the current streak's first failure came.
  #since = 0;

  /** `now` is the streak's clock (tests inject one; cockatiel's own timings use `Date.now`). */
  constructor(sampling: SamplingBreaker, streak: StreakOptions, now: () => number = Date.now) {
    this.#sampling = sampling;
    this.#streak = new ConsecutiveBreaker(streak.failures);
    this.#spanMs = streak.spanMs;
    this.#now = now;
  }

  /** Both rules' state, for cockatiel's `toJSON`. */
  get state(): unknown {
    return { sampling: this.#sampling.state, streak: this.#streak.state, since: this.#since };
  }

  set state(value: unknown) {
    const restored = value as { sampling: unknown; streak: number; since: number };
    this.#sampling.state = restored.sampling;
    this.#streak.state = restored.streak;
    this.#since = restored.since;
  }

  /** A success ends the streak. On a cache hit: two field writes, nothing allocated. */
  success(state: CircuitState): void {
    this.#streak.success();
    this.#sampling.success(state);
  }

  /** Records a failure in both rules; true when either says open. */
  failure(state: CircuitState): boolean {
    const sampled = this.#sampling.failure(state);
    if (this.#streak.state === 0) this.#since = this.#now();
    const streak = this.#streak.failure() && this.#now() - this.#since >= this.#spanMs;
    return sampled || streak;
  }
}

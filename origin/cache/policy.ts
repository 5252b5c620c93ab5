/**
 * Caching policies, as the app defines them per kind of data under a label of its own, and the
 * time-to-live arithmetic with jitter.
 */
import type { PayloadCodec } from './codec/interface.ts';

/** How entries of one kind of data are cached. */
export interface CachePolicy {
  /** The app's name for this kind of data (`session`, `api`, …): the label of its metrics. */
  readonly label: string;
  /** How long an entry is fresh. */
  readonly ttlMs: number;
  /** Fraction (0–1) taken at random off `ttlMs`, so entries written together expire apart. */
  readonly jitter: number;
  /** After freshness ends, how long a stale entry is served while one refresh runs. */
  readonly staleWhileRevalidateMs: number;
  /** After freshness ends, how long a stale entry is served when the loader fails. */
  readonly staleIfErrorMs: number;
  /** Reload in the background once an entry is this close to going stale (0: off). */
  readonly refreshAheadMs: number;
  /** Serve from the per-process memory tier (bounded by the engine's memory TTL). */
  readonly memory: boolean;
  /** Transforms payloads before they leave the process (compression, encryption). */
  readonly codec?: PayloadCodec;
  /**
   * Reuse the value decoded at the last read of a key while Redis returns the same bytes for it
   * (default true). False keeps no decoded copy between reads: for sensitive data, whose
   * plaintext should live no longer than the request that needs it.
   */
  readonly reuseDecoded?: boolean;
}

/** An entry's time windows, as absolute epoch milliseconds. */
export interface EntryWindows {
  freshUntil: number;
  staleUntil: number;
  errorUntil: number;
}

/** Validates a policy once, when it is defined, not on every call. */
export function definePolicy(policy: CachePolicy): CachePolicy {
  const name = policy.label;
  if (typeof name !== 'string' || name === '') throw new RangeError('policy: label must be a non-empty string');
  const durations = [policy.ttlMs, policy.staleWhileRevalidateMs, policy.staleIfErrorMs, policy.refreshAheadMs];
  if (policy.ttlMs <= 0 || durations.some((d) => !Number.isFinite(d) || d < 0)) {
    throw new RangeError(`policy ${name}: durations must be finite, ttlMs > 0, others ≥ 0`);
  }
  if (policy.jitter < 0 || policy.jitter >= 1) throw new RangeError(`policy ${name}: jitter must be in [0, 1)`);
  if (policy.refreshAheadMs >= policy.ttlMs) throw new RangeError(`policy ${name}: refreshAheadMs must be below ttlMs`);
  return policy;
}

/** Windows of an entry written `now`: the fresh time shortened by up to `jitter` of itself. */
export function windowsFor(policy: CachePolicy, now: number, random = Math.random): EntryWindows {
  const fresh = Math.max(1, Math.round(policy.ttlMs * (1 - policy.jitter * random())));
  const freshUntil = now + fresh;
  return {
    freshUntil,
    staleUntil: freshUntil + policy.staleWhileRevalidateMs,
    errorUntil: freshUntil + Math.max(policy.staleWhileRevalidateMs, policy.staleIfErrorMs),
  };
}

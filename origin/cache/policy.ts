/**
 * Per data type caching policies (ARCHITECTURE.md §2) and the TTL arithmetic with jitter.
 */
import type { DataType } from '../../common/keys.ts';
import type { PayloadCodec } from './codec/interface.ts';

/** How entries of one data type are cached. */
export interface CachePolicy {
  readonly type: DataType;
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
   * (default true). False keeps no decoded copy between reads: for sensitive types, whose
   * plaintext should live no longer than the request that needs it.
   */
  readonly reuseDecoded?: boolean;
}

const MINUTE = 60_000;

/** The brief's policies, kept or improved: TTLs from ARCHITECTURE.md §2. */
export const DEFAULT_POLICIES: Readonly<Record<DataType, CachePolicy>> = {
  session: { type: 'session', ttlMs: 24 * 60 * MINUTE, jitter: 0, staleWhileRevalidateMs: 0, staleIfErrorMs: 0, refreshAheadMs: 0, memory: false },
  user: { type: 'user', ttlMs: 60 * MINUTE, jitter: 0.1, staleWhileRevalidateMs: MINUTE, staleIfErrorMs: 15 * MINUTE, refreshAheadMs: 0, memory: false },
  resource: { type: 'resource', ttlMs: 30 * MINUTE, jitter: 0.1, staleWhileRevalidateMs: MINUTE, staleIfErrorMs: 30 * MINUTE, refreshAheadMs: 5 * MINUTE, memory: false },
  api: { type: 'api', ttlMs: 5 * MINUTE, jitter: 0.2, staleWhileRevalidateMs: 30_000, staleIfErrorMs: 15 * MINUTE, refreshAheadMs: 0, memory: false },
  config: { type: 'config', ttlMs: 6 * 60 * MINUTE, jitter: 0.1, staleWhileRevalidateMs: 5 * MINUTE, staleIfErrorMs: 24 * 60 * MINUTE, refreshAheadMs: 30 * MINUTE, memory: true },
};

/** An entry's time windows, as absolute epoch milliseconds. */
export interface EntryWindows {
  freshUntil: number;
  staleUntil: number;
  errorUntil: number;
}

/** Validates a policy once, when it is defined, not on every call. */
export function definePolicy(policy: CachePolicy): CachePolicy {
  const durations = [policy.ttlMs, policy.staleWhileRevalidateMs, policy.staleIfErrorMs, policy.refreshAheadMs];
  if (policy.ttlMs <= 0 || durations.some((d) => !Number.isFinite(d) || d < 0)) {
    throw new RangeError(`policy ${policy.type}: durations must be finite, ttlMs > 0, others ≥ 0`);
  }
  if (policy.jitter < 0 || policy.jitter >= 1) throw new RangeError(`policy ${policy.type}: jitter must be in [0, 1)`);
  if (policy.refreshAheadMs >= policy.ttlMs) throw new RangeError(`policy ${policy.type}: refreshAheadMs must be below ttlMs`);
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

/**
 * The policies a deployment runs with: large payloads compressed everywhere; sessions and user
 * profiles also encrypted (AES-256-GCM) before they leave the process (ARCHITECTURE.md §5), and
 * never kept decoded between reads.
 */
export function deploymentPolicies(codecs: { compress: PayloadCodec; protect: PayloadCodec }): Record<DataType, CachePolicy> {
  const sensitive = new Set<DataType>(['session', 'user']);
  const entries = Object.values(DEFAULT_POLICIES).map((policy) => [
    policy.type,
    sensitive.has(policy.type)
      ? definePolicy({ ...policy, codec: codecs.protect, reuseDecoded: false })
      : definePolicy({ ...policy, codec: codecs.compress }),
  ]);
  return Object.fromEntries(entries) as Record<DataType, CachePolicy>;
}

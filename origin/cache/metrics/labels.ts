/**
 * The engine's closed label sets (read outcomes, store operations), checked at run time too by
 * sinks: the types already forbid other values, but a cast or a JavaScript caller must not be
 * able to mint a new time series.
 */
import type { CacheOperation, ReadOutcome } from './interface.ts';

// Records keyed by the union make the compiler reject a set that misses a member.
const OUTCOMES: Record<ReadOutcome, true> = { hit: true, miss: true, stale: true, stale_error: true, bypass: true };
const OPERATIONS: Record<CacheOperation, true> = { get: true, set: true, delete: true, invalidate: true, lock: true };

/** Every read outcome. */
export const READ_OUTCOMES = Object.keys(OUTCOMES) as ReadOutcome[];
/** Every timed store operation. */
export const CACHE_OPERATIONS = Object.keys(OPERATIONS) as CacheOperation[];

/** Whether `value` is one of the read outcomes. */
export function isReadOutcome(value: unknown): value is ReadOutcome {
  return typeof value === 'string' && Object.hasOwn(OUTCOMES, value);
}

/** Whether `value` is one of the timed store operations. */
export function isCacheOperation(value: unknown): value is CacheOperation {
  return typeof value === 'string' && Object.hasOwn(OPERATIONS, value);
}

/** Whether `value` is a duration a histogram can take: finite and not negative. */
export function isDuration(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/**
 * Outcomes answered from the cache: a stale serve is still a read Redis answered, so it counts as
 * a hit; a bypass is a read the cache failed to answer, so it counts against the ratio.
 */
export const SERVED_FROM_CACHE: ReadonlySet<ReadOutcome> = new Set(['hit', 'stale', 'stale_error']);

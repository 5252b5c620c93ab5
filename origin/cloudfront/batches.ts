/**
 * Groups purges into CloudFront invalidations within CloudFront's limits (Developer Guide,
 * "Concurrent invalidation request maximum"): per distribution, at most 3,000 file paths and 15
 * wildcard paths in progress at once, and at most 3,000 paths in one request. A purge's paths
 * always go in one request (a round): if a purge were split, a refused second half would send
 * the accepted first half again on every retry, and with 15 wildcards in flight the second half
 * could never pass. A purge that alone needs more than 15 wildcards is widened to `/*`.
 * Purges of the same run share a round when they fit: the same tenant's wildcard is sent once.
 */
import { EVERYTHING, isWildcard, minimalPaths } from './paths.ts';

/** CloudFront's invalidation limits per distribution. */
export interface InvalidationLimits {
  /** Wildcard paths in progress at once. */
  readonly wildcards: number;
  /** File paths in progress at once, and paths in one request. */
  readonly paths: number;
}

/** The limits CloudFront documents. */
export const CLOUDFRONT_LIMITS: InvalidationLimits = { wildcards: 15, paths: 3000 };

/** A purge to send: its outbox id and its invalidation paths (`invalidationPaths`). */
export interface PathPurge {
  readonly id: string;
  readonly paths: readonly string[];
}

/** One CreateInvalidation request: its paths and the purges it settles. */
export interface InvalidationRound {
  readonly paths: string[];
  readonly ids: string[];
  /** Purges of `ids` that needed more than one request and became `/*`. */
  readonly widened: string[];
}

function counts(paths: readonly string[]): { wildcards: number; files: number } {
  const wildcards = paths.filter(isWildcard).length;
  return { wildcards, files: paths.length - wildcards };
}

function fits(paths: readonly string[], limits: InvalidationLimits): boolean {
  const { wildcards, files } = counts(paths);
  return wildcards <= limits.wildcards && files <= limits.paths && paths.length <= limits.paths;
}

/** `paths` as one request can carry them: unchanged when they fit, else `/*`. */
export function fitted(paths: readonly string[], limits: InvalidationLimits = CLOUDFRONT_LIMITS): string[] {
  const minimal = minimalPaths(paths);
  return fits(minimal, limits) ? minimal : [EVERYTHING];
}

/**
 * Rounds for `purges`, oldest first: each purge joins the current round when the union still
 * fits, else opens the next one. Every round fits the limits on its own.
 */
export function planRounds(purges: readonly PathPurge[], limits: InvalidationLimits = CLOUDFRONT_LIMITS): InvalidationRound[] {
  const rounds: InvalidationRound[] = [];
  let current: InvalidationRound | undefined;
  for (const purge of purges) {
    const own = fitted(purge.paths, limits);
    const widened = own.length === 1 && own[0] === EVERYTHING && !purge.paths.includes(EVERYTHING) ? [purge.id] : [];
    const joined = current ? minimalPaths([...current.paths, ...own]) : own;
    if (current && fits(joined, limits)) {
      current = { paths: joined, ids: [...current.ids, purge.id], widened: [...current.widened, ...widened] };
      rounds[rounds.length - 1] = current;
    } else {
      current = { paths: own, ids: [purge.id], widened };
      rounds.push(current);
    }
  }
  return rounds;
}

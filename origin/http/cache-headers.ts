/**
 * What the origin tells caches in front of it (the edge, API Gateway, browsers).
 */
import type { CacheOutcome } from '../cache/index.ts';

/**
 * Public responses: browsers keep them a minute, shared caches an hour; shared caches may serve
 * them a minute stale while refreshing and a day stale while the origin fails (RFC 5861).
 */
export const PUBLIC_CACHE_CONTROL = 'public, max-age=60, s-maxage=3600, stale-while-revalidate=60, stale-if-error=86400';

/** This layer's name in `Cache-Status` (RFC 9211). */
export const ORIGIN_CACHE_NAME = 'strata-origin';

/** The origin's `Cache-Status` member for a Redis outcome (RFC 9211 §2). */
export function originCacheStatus(outcome: CacheOutcome): string {
  switch (outcome) {
    case 'hit':
      return `${ORIGIN_CACHE_NAME}; hit`;
    case 'miss':
      return `${ORIGIN_CACHE_NAME}; fwd=miss`;
    case 'stale':
      return `${ORIGIN_CACHE_NAME}; hit; detail=stale-while-revalidate`;
    case 'stale_error':
      return `${ORIGIN_CACHE_NAME}; hit; detail=stale-if-error`;
    case 'bypass':
      return `${ORIGIN_CACHE_NAME}; fwd=bypass; detail=cache-unavailable`;
  }
}

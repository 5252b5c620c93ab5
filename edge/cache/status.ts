/**
 * RFC 9211 `Cache-Status` members for this cache. Each cache appends its own member after those
 * of caches closer to the origin (§2), so the origin's Redis verdict stays visible.
 */

/** This cache's identifier in `Cache-Status`. */
export const EDGE_CACHE_NAME = 'strata-edge';

/** Served from storage; `ttl` is the remaining freshness in seconds (RFC 9211 §2.4). */
export function hitStatus(ttlSeconds: number): string {
  return `${EDGE_CACHE_NAME}; hit; ttl=${Math.floor(ttlSeconds)}`;
}

/** Forwarded because nothing usable was stored (`miss`) or what was stored is stale (`stale`). */
export function forwardStatus(reason: 'miss' | 'stale' | 'request', stored: boolean): string {
  return `${EDGE_CACHE_NAME}; fwd=${reason}${stored ? '; stored' : ''}`;
}

/** The route is not one the edge caches (RFC 9211 §2.2 `bypass`). */
export function bypassStatus(): string {
  return `${EDGE_CACHE_NAME}; fwd=bypass`;
}

/** Appends `member` to any `Cache-Status` already on `headers`. */
export function appendCacheStatus(headers: Headers, member: string): void {
  const existing = headers.get('cache-status');
  headers.set('cache-status', existing ? `${existing}, ${member}` : member);
}

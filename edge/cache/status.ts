/**
 * RFC 9211 `Cache-Status` members for this cache. Each cache appends its own member after those
 * of caches closer to the origin (§2), so the origin's Redis verdict stays visible.
 */

/** This cache's identifier in `Cache-Status`. */
export const EDGE_CACHE_NAME = 'strata-edge';

/** Served from storage; `ttl` is the remaining freshness in seconds, negative when stale (§2.4). */
export function hitStatus(ttlSeconds: number, detail?: string): string {
  return `${EDGE_CACHE_NAME}; hit; ttl=${Math.floor(ttlSeconds)}${detail ? `; detail=${detail}` : ''}`;
}

/**
 * Forwarded to the origin: nothing usable stored (`miss`), stored but stale (`stale`, with the
 * origin's status when it answered a revalidation), or the request forbade using the cache
 * (`request`). `stored` when the answer was stored; `detail` for extra context.
 */
export function forwardStatus(reason: 'miss' | 'stale' | 'request', stored: boolean, extra: { fwdStatus?: number; detail?: string } = {}): string {
  const parts = [`${EDGE_CACHE_NAME}; fwd=${reason}`];
  if (extra.fwdStatus !== undefined) parts.push(`fwd-status=${extra.fwdStatus}`);
  if (stored) parts.push('stored');
  if (extra.detail) parts.push(`detail=${extra.detail}`);
  return parts.join('; ');
}

/** The route is not one the edge caches, or this request is not one it handles (RFC 9211 §2.2 `bypass`). */
export function bypassStatus(detail?: string): string {
  return `${EDGE_CACHE_NAME}; fwd=bypass${detail ? `; detail=${detail}` : ''}`;
}

/** Appends `member` to any `Cache-Status` already on `headers`. */
export function appendCacheStatus(headers: Headers, member: string): void {
  const existing = headers.get('cache-status');
  headers.set('cache-status', existing ? `${existing}, ${member}` : member);
}

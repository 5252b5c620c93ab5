/**
 * The edge's cache key: the request URL with only the query parameters its route keys on, sorted,
 * so equivalent URLs share one entry and nobody can mint new entries (or poison one) with
 * parameters the origin never reads. The same URL is what a cache fill forwards: what is keyed
 * and what reaches the origin are the same request. GET and HEAD share a key: a HEAD is answered
 * from the stored GET. Responses that `Vary` get one key per variant (docs/edge.md, "Cache key").
 */
import { LRUCache } from 'lru-cache';
import { sha256Hex } from '../../common/hex.ts';
import { RESERVED_QUERY_PREFIX } from './route-policy.ts';

const NO_QUERY: readonly string[] = Object.freeze([]);

/** The parameter that names a `Vary` variant; no route may key on it, so no client can send it. */
export const VARY_PARAM = `${RESERVED_QUERY_PREFIX}_vary`;

// Keys of recent URLs, per list of keyed parameters (each route's list is one object for the life
// of its policy): normalising parses the URL and its query on every request otherwise. Bounded
// by count and by characters, since URLs can be long and an isolate has 128 MB.
const recentKeys = new WeakMap<readonly string[], LRUCache<string, string>>();

function keysFor(query: readonly string[]): LRUCache<string, string> {
  let memo = recentKeys.get(query);
  if (!memo) {
    memo = new LRUCache<string, string>({
      max: 1000,
      maxSize: 512 * 1024,
      sizeCalculation: (key, url) => url.length + key.length,
      memoMethod: (url) => keyedUrl(url, query),
    });
    recentKeys.set(query, memo);
  }
  return memo;
}

/** The cache key URL for `request` on a route that keys on the `query` parameters (none by default). */
export function cacheKeyFor(request: Request, query: readonly string[] = NO_QUERY): string {
  return keysFor(query).memo(request.url);
}

function keyedUrl(href: string, query: readonly string[]): string {
  const url = new URL(href);
  const params = query.length === 0 ? [] : [...url.searchParams].filter(([name]) => query.includes(name));
  params.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  const search = new URLSearchParams(params).toString();
  return `${url.origin}${url.pathname}${search ? `?${search}` : ''}`;
}

/** Header names, lower-cased and sorted, that a `Vary` value nominates. */
export function varyNames(vary: string | null | undefined): string[] {
  if (!vary) return [];
  return [
    ...new Set(
      vary
        .split(',')
        .map((name) => name.trim().toLowerCase())
        .filter(Boolean),
    ),
  ].sort();
}

/**
 * The key of one variant: the base key plus a digest of the request's values of the `Vary`
 * headers, so the Cache API (which ignores `Vary`) keeps one entry per variant.
 */
export async function variantKeyFor(base: string, names: readonly string[], request: Request): Promise<string> {
  const selected = names.map((name) => `${name}:${request.headers.get(name) ?? ''}`).join('\n');
  return `${base}${base.includes('?') ? '&' : '?'}${VARY_PARAM}=${await sha256Hex(selected, 12)}`;
}

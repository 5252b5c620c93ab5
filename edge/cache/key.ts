/**
 * The edge's cache key: the request URL with its query normalised, so that equivalent URLs share
 * one entry and tracking parameters cannot split (or poison) the cache. GET and HEAD share a key:
 * a HEAD is answered from the stored GET. Responses that `Vary` get one key per variant
 * (docs/edge.md, "Cache key").
 */
import { LRUCache } from 'lru-cache';
import { sha256Hex } from '../../common/hex.ts';

// Parameters that only feed analytics; they never change what the origin answers.
const TRACKING_PARAMS = /^(utm_[a-z]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_ga)$/i;

// Keys of recent URLs: normalising parses the URL and its query on every request otherwise.
// Bounded by count and by characters, since URLs can be long and an isolate has 128 MB.
const recentKeys = new LRUCache<string, string>({
  max: 1000,
  maxSize: 512 * 1024,
  sizeCalculation: (key, url) => url.length + key.length,
  memoMethod: (url) => normalisedUrl(url),
});

/** The cache key URL for `request`. */
export function cacheKeyFor(request: Request): string {
  return recentKeys.memo(request.url);
}

function normalisedUrl(href: string): string {
  const url = new URL(href);
  const params = [...url.searchParams].filter(([name]) => !TRACKING_PARAMS.test(name));
  params.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  const query = new URLSearchParams(params).toString();
  return `${url.origin}${url.pathname}${query ? `?${query}` : ''}`;
}

/** Header names, lower-cased and sorted, that a `Vary` value nominates. */
export function varyNames(vary: string | null | undefined): string[] {
  if (!vary) return [];
  return [...new Set(vary.split(',').map((name) => name.trim().toLowerCase()).filter(Boolean))].sort();
}

/**
 * The key of one variant: the base key plus a digest of the request's values of the `Vary`
 * headers, so the Cache API (which ignores `Vary`) keeps one entry per variant.
 */
export async function variantKeyFor(base: string, names: readonly string[], request: Request): Promise<string> {
  const selected = names.map((name) => `${name}:${request.headers.get(name) ?? ''}`).join('\n');
  return `${base}${base.includes('?') ? '&' : '?'}__strata_vary=${await sha256Hex(selected, 12)}`;
}

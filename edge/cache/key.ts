/**
 * The edge's cache key: the request URL with its query normalised, so that equivalent URLs share
 * one entry and tracking parameters cannot split (or poison) the cache. GET and HEAD share a key:
 * a HEAD is answered from the stored GET.
 */

// Parameters that only feed analytics; they never change what the origin answers.
const TRACKING_PARAMS = /^(utm_[a-z]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_ga)$/i;

/** The cache key URL for `request`. */
export function cacheKeyFor(request: Request): string {
  const url = new URL(request.url);
  const params = [...url.searchParams].filter(([name]) => !TRACKING_PARAMS.test(name));
  params.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  const query = new URLSearchParams(params).toString();
  return `${url.origin}${url.pathname}${query ? `?${query}` : ''}`;
}

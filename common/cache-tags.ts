/**
 * The header in which the origin tells the edge which purge tags a response carries (comma
 * separated). Cloudflare strips `Cache-Tag` from origin responses before a Worker sees them,
 * so the origin uses this header and the edge re-emits it as `Cache-Tag` on what it stores.
 */
export const CACHE_TAGS_HEADER = 'x-strata-cache-tags';

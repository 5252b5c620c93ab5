/**
 * Edge storage behind a narrow interface, so the Workers Cache API used here could be swapped
 * for Cloudflare's built-in Workers Cache later. The Cache API applies HTTP rules of its own
 * (it rewrites `Date`, freezes `Age`, ignores `Vary`: see WORKERD-CACHE.md), so it is told only
 * "keep this body for N seconds"; the response's real headers and its RFC 9111 state travel in
 * the serialised policy and every freshness decision is made by the edge.
 */
import { deserializePolicy, serializePolicy, type CachePolicy } from './policy.ts';

/** A stored response: its body and the policy it was stored with. */
export interface StoredEntry {
  body: ReadableStream | null;
  policy: CachePolicy;
}

/** Where the edge keeps responses. */
export interface EdgeStorage {
  /** The entry under `key`, if any. */
  match(key: string): Promise<StoredEntry | undefined>;
  /** Stores `body` with `policy` under `key` for `retentionSeconds`. */
  put(key: string, body: ArrayBuffer, policy: CachePolicy, retentionSeconds: number): Promise<void>;
  /** Deletes the entry under `key`; true when there was one. */
  delete(key: string): Promise<boolean>;
}

const POLICY_HEADER = 'x-strata-policy';

/** Storage in a named Workers Cache API cache (one per data centre). */
export function workersCacheStorage(cacheName = 'strata-edge'): EdgeStorage {
  const open = () => caches.open(cacheName);
  return {
    async match(key) {
      const response = await (await open()).match(key);
      const policy = response?.headers.get(POLICY_HEADER);
      if (!response || !policy) return undefined;
      return { body: response.body, policy: deserializePolicy(decodeURIComponent(policy)) };
    },
    async put(key, body, policy, retentionSeconds) {
      const headers = new Headers({
        'cache-control': `public, max-age=${Math.max(1, Math.ceil(retentionSeconds))}`,
        [POLICY_HEADER]: encodeURIComponent(serializePolicy(policy)),
      });
      await (await open()).put(key, new Response(body, { status: 200, headers }));
    },
    async delete(key) {
      return (await open()).delete(key);
    },
  };
}

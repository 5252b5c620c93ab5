/**
 * The edge's shared cache for allow-listed public routes (RFC 9111): answer from storage while
 * the stored response is fresh for this request, otherwise forward to the origin and store what
 * the origin's `Cache-Control` allows a shared cache to store.
 */
import type { Context } from 'hono';
import type { EdgeEnv } from '../env.ts';
import { fetchOrigin } from '../origin/forward.ts';
import { cacheKeyFor } from './key.ts';
import { policyFor, policyRequest, storedResponseHeaders, type CachePolicy } from './policy.ts';
import { appendCacheStatus, forwardStatus, hitStatus } from './status.ts';
import type { EdgeStorage } from './storage.ts';

function log(level: 'warn' | 'error', msg: string, fields: Record<string, unknown>): void {
  console.error(JSON.stringify({ level, msg, ...fields }));
}

/**
 * Whether a fresh origin response goes into storage. Beyond the RFC's rules (the policy):
 * only 200s for now, and never a response that sets a cookie (ARCHITECTURE.md §5).
 */
function shouldStore(policy: CachePolicy, response: Response): boolean {
  return response.status === 200 && !response.headers.has('set-cookie') && policy.storable() && policy.timeToLive() > 0;
}

/** A handler that serves `GET`/`HEAD` through `storage`. */
export function sharedCache(storage: EdgeStorage) {
  return async function sharedCacheHandler(c: Context<EdgeEnv>): Promise<Response> {
    const request = c.req.raw;
    const key = cacheKeyFor(request);

    const stored = await storage.match(key).catch((error: unknown) => {
      log('warn', 'edge storage read failed; forwarding', { key, error: String(error) });
      return undefined;
    });
    let reason: 'miss' | 'stale' = 'miss';
    if (stored) {
      if (stored.policy.satisfiesWithoutRevalidation(policyRequest(request, key))) {
        const headers = storedResponseHeaders(stored.policy);
        appendCacheStatus(headers, hitStatus(stored.policy.maxAge() - stored.policy.age()));
        if (request.method === 'HEAD') await stored.body?.cancel();
        return new Response(request.method === 'HEAD' ? null : stored.body, { status: 200, headers });
      }
      await stored.body?.cancel();
      reason = 'stale';
    }

    const origin = await fetchOrigin(request, c.env, c.get('requestId'));
    const policy = policyFor(request, key, origin);
    const store = request.method === 'GET' && shouldStore(policy, origin);
    if (store) {
      const copy = origin.clone();
      c.executionCtx.waitUntil(
        copy
          .arrayBuffer()
          .then((body) => storage.put(key, body, policy, policy.timeToLive() / 1000))
          .catch((error: unknown) => log('warn', 'edge storage write failed', { key, error: String(error) })),
      );
    }
    const response = new Response(origin.body, origin);
    appendCacheStatus(response.headers, forwardStatus(reason, store));
    return response;
  };
}

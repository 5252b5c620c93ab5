/**
 * RFC 9111 §4.4: a successful unsafe request invalidates the stored responses of its target
 * URI and of same-origin `Location` / `Content-Location` URIs. This covers this data centre's
 * Cache API; other data centres learn of writes through the origin's signed purges.
 */
import { storedKeyFor } from '../cache/routes.ts';
import type { EdgeStorage } from '../cache/storage.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** Deletes what `response` to the unsafe `request` makes stale, under the route policy `policyText`; resolves when done. */
export async function invalidateAfterWrite(storage: EdgeStorage, policyText: string | undefined, request: Request, response: Response): Promise<void> {
  if (SAFE.has(request.method) || response.status >= 400) return;
  const target = new URL(request.url);
  const urls = [target.href];
  for (const name of ['location', 'content-location']) {
    const value = response.headers.get(name);
    if (!value) continue;
    const url = new URL(value, target);
    if (url.origin === target.origin) urls.push(url.href);
  }
  const keys = urls.map((url) => storedKeyFor(policyText, url)).filter((key) => key !== undefined);
  await Promise.all(keys.map((key) => storage.delete(key).catch(() => false)));
}

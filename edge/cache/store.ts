/**
 * Storing an origin response: only when RFC 9111, the route and the security rules allow it
 * (docs/edge.md, "Storing"), with the purge versions of its scope read after the origin answered,
 * and only when no purge of the tenant or path landed while it was being fetched.
 */
import { log } from '../log.ts';
import { responseHeaders, tagsOf } from '../upstream/forward.ts';
import type { Fetched } from './collapse.ts';
import type { Exchange } from './exchange.ts';
import { variantKeyFor, varyNames } from './key.ts';
import { allowsCredentials, decisionView, policyOf, serializePolicy, sharedStorable, type CachePolicy, type HeaderRecord } from './policy.ts';
import type { RouteRule } from './route-policy.ts';
import type { EdgeStorage, StoredMeta } from './storage.ts';
import { sameVersions } from './versions.ts';

// Stale responses with validators are kept this long past their lifetime so they can be
// revalidated with a cheap 304 instead of fetched again.
const REVALIDATION_GRACE_SECONDS = 24 * 3600;

/** How long the Cache API keeps a response: its lifetime, plus the grace when it has validators. */
export function retentionSeconds(policy: CachePolicy, headers: HeaderRecord): number {
  return policy.timeToLive() / 1000 + (headers.etag || headers['last-modified'] ? REVALIDATION_GRACE_SECONDS : 0);
}

/**
 * Whether the route stores a response with `status` (the headers decide the rest). An honor route
 * follows RFC 9111 §3: any final status, errors when `cacheErrors` (the default for honor routes).
 * An override route sets its own lifetime, so it keeps 200 and, with `cacheErrors`, 404 and 410.
 */
function routeStores(rule: RouteRule, status: number): boolean {
  if (rule.mode === 'override') return status === 200 || (rule.cacheErrors && (status === 404 || status === 410));
  return status < 400 || rule.cacheErrors;
}

/**
 * The purge versions to store `tags` under: `undefined` without purge versions, `null` when the
 * response must not be stored: versions unavailable now, or unknown before the origin was asked
 * (`before` undefined: Upstash failed open then), or a purge since `before` was read. Without
 * versions from before the fetch, an answer computed before a write could be stamped with the
 * versions its purge set, and be served as fresh until the next purge of its scope.
 */
async function versionsToStore(x: Exchange, tags: readonly string[], before: readonly string[] | undefined): Promise<string[] | null | undefined> {
  if (!x.versions) return undefined;
  if (before === undefined) return null;
  const now = await x.versions.read(x.scope(tags));
  if (now === undefined || !sameVersions(before, now.slice(0, before.length))) return null;
  return now;
}

/**
 * Stores `fetched` under `x.base` (or its variant) when it may be; true when it will be. `before`
 * are the tag-less versions read before the origin was asked (`undefined` when that read failed,
 * or there are no purge versions).
 */
export async function store(x: Exchange, storage: EdgeStorage, fetched: Fetched, before: readonly string[] | undefined): Promise<boolean> {
  const { request, rule, base } = x;
  const headers = responseHeaders(fetched.headers);
  const names = varyNames(headers.vary);
  const key = names.length > 0 ? await variantKeyFor(base, names, request) : base;
  const view = decisionView(headers, fetched.status, rule);
  const policy = policyOf(request, key, fetched.status, view);
  const credentialsOk = !x.credentials || allowsCredentials(headers, fetched.status);
  if (!routeStores(rule, fetched.status) || !credentialsOk || !sharedStorable(view) || !policy.storable() || policy.timeToLive() <= 0) return false;
  const tags = tagsOf(fetched.headers);
  const versions = await versionsToStore(x, tags, before);
  if (versions === null) return false;
  const meta: StoredMeta = { policy: serializePolicy(policy), status: fetched.status, headers, tags, ...(versions ? { versions } : {}) };
  const retention = retentionSeconds(policy, headers);
  const writes = Promise.all([storage.put(key, fetched.body, meta, retention, tags), names.length > 0 ? storage.putVary(base, names, retention) : undefined]);
  x.c.executionCtx.waitUntil(writes.catch((error: unknown) => log('warn', 'edge storage write failed', { key, error: String(error) })));
  return true;
}

/**
 * Revalidating a stale entry with its validators (RFC 9111 §4.3): a 304 freshens the stored
 * response (§4.3.4), a new response replaces it. In the foreground the client waits and, when the
 * origin fails, gets the stale copy within `stale-if-error` (RFC 5861 §4); in the background
 * (`stale-while-revalidate`) nobody waits and failures change nothing.
 */
import { cacheFillRequest, fetchOrigin, responseHeaders } from '../upstream/forward.ts';
import { buffer } from './collapse.ts';
import { finish, type Exchange } from './exchange.ts';
import { decisionView, policyRequest, revalidatesWhenStale, serializePolicy, type CachePolicy, type HeaderRecord } from './policy.ts';
import { clientResponse, fromStorage } from './respond.ts';
import { forwardStatus, hitStatus } from './status.ts';
import type { EdgeStorage, StoredEntry, StoredMeta } from './storage.ts';
import { retentionSeconds, store } from './store.ts';
import { versionHeader } from './versions.ts';

/** The stale entry being revalidated: where it is stored, what it is, its policy and the conditional headers. */
export interface Revalidation {
  key: string;
  stored: StoredEntry;
  policy: CachePolicy;
  conditional: HeaderRecord;
  /** Revalidated because its purge versions could not be read, not because it is stale. */
  unverified?: true;
}

/** `Cache-Status` detail of a revalidation made because the purge versions could not be read. */
export const UNVERIFIED_DETAIL = 'purge-unverified';

/** Seconds of `stale-if-error` the stored decision headers allow past freshness (RFC 5861 §4). */
function staleIfErrorSeconds(policy: CachePolicy): number {
  const cc = (policy.toObject() as { resh: HeaderRecord }).resh['cache-control'] ?? '';
  return Number(/stale-if-error=(\d+)/i.exec(cc)?.[1] ?? 0);
}

/** Whether the stale copy may stand in for a failed origin: not under `must-revalidate` (RFC 9111 §5.2.2.2). */
function withinStaleIfError(policy: CachePolicy): boolean {
  return !revalidatesWhenStale(policy) && policy.age() <= policy.maxAge() + staleIfErrorSeconds(policy);
}

/** Asks the origin with the stored validators, under the current purge versions. Throws 502/504. */
async function askOrigin(x: Exchange, r: Revalidation): Promise<Response> {
  const current = await x.versions?.read(x.scope(r.stored.meta.tags));
  return fetchOrigin(cacheFillRequest(x.base, x.request, r.conditional), x.c.env, x.c.get('requestId'), await versionHeader(current));
}

/**
 * The stored response freshened by a 304 and written back (§4.3.4: the 304's fields replace the
 * stored ones); `undefined` when the policy says the 304 does not apply to it. An override
 * route's lifetime still decides how long the edge keeps the result, whatever the 304 says.
 */
function freshen(
  x: Exchange,
  storage: EdgeStorage,
  r: Revalidation,
  body: ArrayBuffer | null,
  origin: Response,
): { meta: StoredMeta; policy: CachePolicy } | undefined {
  const notModified = responseHeaders(origin.headers);
  const headers: HeaderRecord = { ...r.stored.meta.headers, ...notModified };
  delete headers['content-length'];
  // Decided on the merged fields (a stored targeted field outlives a 304 without one), with the
  // 304's own Age only (none: 0): the stored response's Age said how old it was back then.
  const view = decisionView({ ...headers, age: notModified.age ?? '0' }, r.stored.meta.status, x.rule);
  const revalidated = r.policy.revalidatedPolicy(policyRequest(x.request, r.key), { status: 304, headers: view.headers });
  if (revalidated.modified) return undefined;
  const meta: StoredMeta = { ...r.stored.meta, policy: serializePolicy(revalidated.policy), headers };
  x.c.executionCtx.waitUntil(storage.put(r.key, body, meta, retentionSeconds(revalidated.policy, headers), meta.tags).catch(() => {}));
  return { meta, policy: revalidated.policy };
}

async function bodyOf(stored: StoredEntry): Promise<ArrayBuffer | null> {
  return stored.body instanceof ReadableStream ? new Response(stored.body).arrayBuffer() : stored.body;
}

/** Revalidates while the client waits, and answers it. Throws 502/504 when the origin fails past `stale-if-error`. */
export async function revalidateForClient(x: Exchange, storage: EdgeStorage, r: Revalidation): Promise<Response> {
  const { request } = x;
  const before = x.versions ? await x.versions.read(x.scope([])) : undefined;
  const body = await bodyOf(r.stored);
  const stale = (member: string) => finish(x, fromStorage(request, r.stored.meta, body, r.policy, member), 'stale-if-error', r.key, r.policy);
  let origin: Response;
  try {
    origin = await askOrigin(x, r);
  } catch (error) {
    if (withinStaleIfError(r.policy)) return stale(hitStatus(r.policy.maxAge() - r.policy.age(), 'stale-if-error'));
    throw error;
  }
  if (origin.status >= 500 && withinStaleIfError(r.policy)) {
    await origin.body?.cancel();
    return stale(forwardStatus('stale', false, { fwdStatus: origin.status, detail: 'stale-if-error' }));
  }
  if (origin.status === 304) {
    const freshened = freshen(x, storage, r, body, origin);
    if (freshened) {
      const member = forwardStatus('stale', true, { fwdStatus: 304, ...(r.unverified ? { detail: UNVERIFIED_DETAIL } : {}) });
      return finish(x, fromStorage(request, freshened.meta, body, freshened.policy, member), 'revalidated', r.key, r.policy);
    }
  }
  // A new response instead of a 304: it replaces the stored one.
  const fetched = await buffer(origin);
  const saved = await store(x, storage, fetched, before);
  const member = forwardStatus('stale', saved, { fwdStatus: fetched.status, ...(r.unverified ? { detail: UNVERIFIED_DETAIL } : {}) });
  return finish(x, clientResponse(request, fetched.status, responseHeaders(fetched.headers), fetched.body, member), 'stale', r.key);
}

/** Revalidates after the client was answered: freshens or replaces the entry; failures change nothing. */
export async function revalidateInBackground(x: Exchange, storage: EdgeStorage, r: Revalidation): Promise<void> {
  // Read before asking, as for the client: a purge landing during the refresh must keep its answer out.
  const before = x.versions ? await x.versions.read(x.scope([])) : undefined;
  const body = await bodyOf(r.stored);
  const origin = await askOrigin(x, r);
  if (origin.status === 304 && freshen(x, storage, r, body, origin)) return;
  await store(x, storage, await buffer(origin), before);
}

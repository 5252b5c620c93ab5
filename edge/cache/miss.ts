/**
 * A miss: the origin is asked once per key, purge versions and `Vary`-relevant request headers in
 * this isolate (concurrent requests wait for that answer), the answer is stored when it may be, and every
 * waiter gets its own copy of the body.
 */
import { cacheFillRequest, fetchOrigin, originTimeoutMs, responseHeaders } from '../upstream/forward.ts';
import { buffer, JOIN_GRACE_MS, type MissCollapser } from './collapse.ts';
import { finish, type Exchange } from './exchange.ts';
import { clientResponse } from './respond.ts';
import { forwardStatus } from './status.ts';
import type { EdgeStorage } from './storage.ts';
import { store } from './store.ts';
import { versionHeader } from './versions.ts';

// Request headers that commonly select a variant: requests that differ in them never share a fetch.
const COLLAPSE_HEADERS = ['accept', 'accept-encoding', 'accept-language'];

/** Fetches, stores when allowed, and answers the client. */
export async function miss(x: Exchange, storage: EdgeStorage, collapser: MissCollapser): Promise<Response> {
  const { request } = x;
  const before = x.versions ? await x.versions.read(x.scope([])) : undefined;
  // Under the versions it read: a request that saw a purge never joins a fetch begun before it,
  // whose answer may be the data the purge retired.
  const collapseKey = [x.base, x.credentials, before?.join(',') ?? '', ...COLLAPSE_HEADERS.map((h) => request.headers.get(h) ?? '')].join('\n');
  const versioned = await versionHeader(before);
  // The fetch is bounded by the origin timeout (headers and body), so a joiner waits that long and a little more.
  const { fetched, joined } = await collapser.run(
    collapseKey,
    async () => buffer(await fetchOrigin(cacheFillRequest(x.base, request), x.c.env, x.c.get('requestId'), versioned)),
    originTimeoutMs(x.c.env) + JOIN_GRACE_MS,
  );
  const saved = joined ? false : await store(x, storage, fetched, before);
  const body = fetched.body && fetched.body.slice(0);
  const member = forwardStatus('miss', saved, joined ? { detail: 'collapsed' } : {});
  return finish(x, clientResponse(request, fetched.status, responseHeaders(fetched.headers), body, member), joined ? 'collapsed' : 'miss', x.base);
}

/**
 * The edge's shared cache for policy-listed routes (RFC 9111). A request is answered from
 * storage while the stored response is fresh for it and not purged; serves stale while
 * revalidating in the background (`stale-while-revalidate`) or when the origin fails
 * (`stale-if-error`); otherwise revalidates with the stored validators or fetches, collapsing
 * concurrent misses, and stores what the origin's headers (or the route's override) allow.
 */
import type { Context } from 'hono';
import type { EdgeEnv } from '../env.ts';
import { fetchOrigin } from '../origin/forward.ts';
import { MissCollapser, buffer, type Fetched } from './collapse.ts';
import { cacheKeyFor, variantKeyFor, varyNames } from './key.ts';
import { logDecision, type Decision } from './log.ts';
import { allowsCredentials, decisionHeaders, deserializePolicy, evaluationRequest, policyFor, policyRequest, serializePolicy, sharedStorable, type CachePolicy, type HeaderRecord } from './policy.ts';
import { cleanHeaders, clientResponse, requestHeaders, tagsOf } from './respond.ts';
import type { RouteRule } from './route-policy.ts';
import { forwardStatus, hitStatus } from './status.ts';
import { discard, split, type EdgeStorage, type StoredEntry, type StoredMeta } from './storage.ts';
import type { VersionReader, VersionScope } from './versions.ts';

/** What the shared cache is built from. */
export interface SharedCacheDeps {
  storage: EdgeStorage;
  /** Purge versions for this request's bindings; absent or undefined: no purge versions. */
  versions?: (env: EdgeEnv['Bindings']) => VersionReader | undefined;
}

// Stale responses with validators are kept this long past their lifetime so they can be
// revalidated with a cheap 304 instead of fetched again.
const REVALIDATION_GRACE_SECONDS = 24 * 3600;

/** How long the Cache API keeps a response: its lifetime, plus the grace when it has validators. */
function retentionSeconds(policy: CachePolicy, headers: HeaderRecord): number {
  return policy.timeToLive() / 1000 + (headers.etag || headers['last-modified'] ? REVALIDATION_GRACE_SECONDS : 0);
}

const CONDITIONAL = ['if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since', 'if-range', 'range'];

function sameVersions(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return a !== undefined && b !== undefined && a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Seconds of `stale-if-error` the stored decision headers allow past freshness (RFC 5861). */
function staleIfErrorSeconds(policy: CachePolicy): number {
  const cc = (policy.toObject() as { resh: HeaderRecord }).resh['cache-control'] ?? '';
  return Number(/stale-if-error=(\d+)/i.exec(cc)?.[1] ?? 0);
}

/**
 * `X-Strata-Cache-Version` for the origin request: a digest of the purge versions the edge read,
 * which API Gateway's stage cache keys on, so a purge also retires what that layer holds.
 */
async function versionHeader(versions: readonly string[] | undefined): Promise<HeaderRecord> {
  if (!versions) return {};
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(versions.join('\n')));
  return { 'x-strata-cache-version': Array.from(new Uint8Array(digest).subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join('') };
}

/** A GET to the origin for `request`, without its validators: the edge wants a full response to store. */
function forwardable(request: Request, extra: HeaderRecord = {}): Request {
  const headers = new Headers(request.headers);
  for (const name of CONDITIONAL) headers.delete(name);
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  return new Request(request.url, { method: 'GET', headers });
}

/** What a foreground revalidation produced: an answer from storage, or a new origin response. */
type Revalidated = { kind: 'answered'; response: Response; decision: Decision } | { kind: 'replaced'; fetched: Fetched };

/** Builds handlers for cached routes: `sharedCache(deps)(rule, params)`. */
export function sharedCache(deps: SharedCacheDeps) {
  const collapser = new MissCollapser();
  const { storage } = deps;

  return (rule: RouteRule, params: Record<string, string | undefined>) =>
    async function sharedCacheHandler(c: Context<EdgeEnv>): Promise<Response> {
      const started = Date.now();
      const request = c.req.raw;
      const base = cacheKeyFor(request);
      const credentials = request.headers.has('authorization') || request.headers.has('cookie');
      const reader = deps.versions?.(c.env);
      let pathname: string | undefined;
      const scopeOf = (tags: readonly string[]): VersionScope => ({ tenant: params.tenant ?? '', tags, path: (pathname ??= new URL(request.url).pathname) });
      const finish = (response: Response, decision: Decision, key: string, policy?: CachePolicy) => {
        requestHeaders(response, c.get('requestId'));
        logDecision(c, { key, decision, status: response.status, started, policy, response });
        return response;
      };

      // One Cache API lookup for the common case; a second only for responses that Vary.
      const unreadable = (error: unknown) => {
        console.error(JSON.stringify({ level: 'warn', msg: 'edge storage read failed; forwarding', key: base, error: String(error) }));
        return undefined;
      };
      const found = await storage.lookup(base).catch(unreadable);
      const key = found && 'vary' in found ? await variantKeyFor(base, found.vary, request) : base;
      const stored = found && 'vary' in found ? await storage.match(key).catch(unreadable) : found;

      if (stored && credentials && !allowsCredentials(stored.meta.headers)) {
        await discard(stored.body);
        const fetched = await buffer(await fetchOrigin(forwardable(request), c.env, c.get('requestId')));
        return finish(clientResponse(request, fetched.status, cleanHeaders(fetched.headers), fetched.body, forwardStatus('request', false)), 'bypass-credentials', key);
      }

      let reason: 'miss' | 'stale' = 'miss';
      if (stored) {
        const policy = deserializePolicy(stored.meta.policy);
        const current = reader ? await reader.read(scopeOf(stored.meta.tags)) : undefined;
        // Upstash unreachable (undefined): keep serving what is stored, as the failure model says.
        const purged = reader !== undefined && current !== undefined && !sameVersions(current, stored.meta.versions);
        if (!purged) {
          const evaluation = policy.evaluateRequest(evaluationRequest(request, key, stored.meta.headers.vary));
          if (!evaluation.revalidation) return finish(fromStorage(request, stored.meta, stored.body, policy), 'hit', key, policy);
          const conditional = evaluation.revalidation.headers as HeaderRecord;
          if (!evaluation.revalidation.synchronous) {
            // One copy of the stored body for the client now, one for the background revalidation.
            const [now, later] = split(stored.body);
            c.executionCtx.waitUntil(revalidate(c, rule, key, { ...stored, body: later }, policy, conditional, scopeOf).catch(() => {}));
            return finish(fromStorage(request, stored.meta, now, policy), 'stale-while-revalidate', key, policy);
          }
          const before = reader ? await reader.read(scopeOf([])) : undefined;
          const answered = await revalidate(c, rule, key, stored, policy, conditional, scopeOf, request);
          if (answered?.kind === 'answered') return finish(answered.response, answered.decision, key, policy);
          if (answered?.kind === 'replaced') {
            // The origin sent a new response instead of a 304: it replaces the stored one.
            const saved = await store(c, rule, base, answered.fetched, before, scopeOf);
            const member = forwardStatus('stale', saved, { fwdStatus: answered.fetched.status });
            return finish(clientResponse(request, answered.fetched.status, cleanHeaders(answered.fetched.headers), answered.fetched.body, member), 'stale', key);
          }
          reason = 'stale';
        } else {
          await discard(stored.body);
        }
      }

      // A miss: one origin fetch per key and Vary-relevant request headers in this isolate.
      const before = reader ? await reader.read(scopeOf([])) : undefined;
      const collapseKey = [base, credentials, ...['accept', 'accept-encoding', 'accept-language'].map((h) => request.headers.get(h) ?? '')].join('\n');
      const versioned = await versionHeader(before);
      const { fetched, joined } = await collapser.run(collapseKey, async () =>
        buffer(await fetchOrigin(forwardable(request), c.env, c.get('requestId'), versioned)),
      );
      const saved = joined ? false : await store(c, rule, base, fetched, before, scopeOf);
      const body = fetched.body && fetched.body.slice(0);
      const member = forwardStatus(reason, saved, joined ? { detail: 'collapsed' } : {});
      return finish(clientResponse(request, fetched.status, cleanHeaders(fetched.headers), body, member), joined ? 'collapsed' : reason, base);
    };

  /** A stored response as the client gets it: stored headers, current `Age`, conditional 304. */
  function fromStorage(request: Request, meta: StoredMeta, body: BodyInit | null, policy: CachePolicy, member?: string): Response {
    const headers = { ...meta.headers, age: String(Math.round(policy.age())) };
    return clientResponse(request, meta.status, headers, body, member ?? hitStatus(policy.maxAge() - policy.age()));
  }

  /**
   * Revalidates `stored` with the origin using its validators. With `client`, answers it: the
   * updated stored response on a 304, the stale one within stale-if-error when the origin fails,
   * `undefined` when the origin sent a new response (the caller then treats it as a miss).
   */
  async function revalidate(
    c: Context<EdgeEnv>,
    rule: RouteRule,
    key: string,
    stored: StoredEntry,
    policy: CachePolicy,
    headers: HeaderRecord,
    scopeOf: (tags: readonly string[]) => VersionScope,
    client?: Request,
  ): Promise<Revalidated | undefined> {
    const request = client ?? c.req.raw;
    const body = stored.body instanceof ReadableStream ? await new Response(stored.body).arrayBuffer() : stored.body;
    let origin: Response | undefined;
    try {
      const current = await deps.versions?.(c.env)?.read(scopeOf(stored.meta.tags));
      origin = await fetchOrigin(forwardable(request, headers), c.env, c.get('requestId'), await versionHeader(current));
    } catch (error) {
      if (client && policy.age() <= policy.maxAge() + staleIfErrorSeconds(policy)) {
        const response = fromStorage(request, stored.meta, body, policy, hitStatus(policy.maxAge() - policy.age(), 'stale-if-error'));
        return { kind: 'answered', response, decision: 'stale-if-error' };
      }
      if (client) throw error;
      return undefined;
    }
    if (origin.status >= 500 && client && policy.age() <= policy.maxAge() + staleIfErrorSeconds(policy)) {
      await origin.body?.cancel();
      const member = forwardStatus('stale', false, { fwdStatus: origin.status, detail: 'stale-if-error' });
      return { kind: 'answered', response: fromStorage(request, stored.meta, body, policy, member), decision: 'stale-if-error' };
    }
    if (origin.status === 304) {
      // RFC 9111 §4.3.4: the 304's header fields replace the stored ones. An override route's
      // lifetime still decides how long the edge keeps the result, whatever the 304 says.
      const notModified = cleanHeaders(origin.headers);
      const headers: HeaderRecord = { ...stored.meta.headers, ...notModified };
      delete headers['content-length'];
      const revalidated = policy.revalidatedPolicy(policyRequest(request, key), { status: 304, headers: decisionHeaders(notModified, rule, headers) });
      if (!revalidated.modified) {
        const updated: StoredMeta = { ...stored.meta, policy: serializePolicy(revalidated.policy), headers };
        c.executionCtx.waitUntil(storage.put(key, body, updated, retentionSeconds(revalidated.policy, updated.headers), stored.meta.tags).catch(() => {}));
        const member = forwardStatus('stale', true, { fwdStatus: 304 });
        const response = fromStorage(request, updated, body, revalidated.policy, member);
        return { kind: 'answered', response, decision: 'revalidated' };
      }
    }
    // A new response: stored here for a background revalidation, handed back to a foreground one.
    const fetched = await buffer(origin);
    if (client) return { kind: 'replaced', fetched };
    await store(c, rule, cacheKeyFor(request), fetched, undefined, scopeOf);
    return undefined;
  }

  /** Stores `fetched` when RFC 9111, the route and the security rules allow; true when it will be. */
  async function store(
    c: Context<EdgeEnv>,
    rule: RouteRule,
    base: string,
    fetched: Fetched,
    before: string[] | undefined,
    scopeOf: (tags: readonly string[]) => VersionScope,
  ): Promise<boolean> {
    const request = c.req.raw;
    const headers = cleanHeaders(fetched.headers);
    const names = varyNames(headers.vary);
    const key = names.length > 0 ? await variantKeyFor(base, names, request) : base;
    const policy = policyFor(request, key, fetched.status, headers, rule);
    const statusOk = fetched.status === 200 || (rule.cacheErrors && (fetched.status === 404 || fetched.status === 410));
    const cookieOk = !request.headers.has('cookie') || allowsCredentials(headers);
    if (!statusOk || !cookieOk || !sharedStorable(headers) || !policy.storable() || policy.timeToLive() <= 0) return false;
    const tags = tagsOf(fetched.headers);
    const versions = await (async () => {
      const read = deps.versions?.(c.env);
      if (!read) return undefined;
      const now = await read.read(scopeOf(tags));
      // A purge of this tenant or path while the origin answered: do not store what may predate it.
      if (now === undefined || (before !== undefined && !sameVersions(before, now.slice(0, before.length)))) return null;
      return now;
    })();
    if (versions === null) return false;
    const meta: StoredMeta = { policy: serializePolicy(policy), status: fetched.status, headers, tags, ...(versions ? { versions } : {}) };
    const retention = retentionSeconds(policy, headers);
    c.executionCtx.waitUntil(
      Promise.all([storage.put(key, fetched.body, meta, retention, tags), names.length > 0 ? storage.putVary(base, names, retention) : undefined]).catch(
        (error: unknown) => console.error(JSON.stringify({ level: 'warn', msg: 'edge storage write failed', key, error: String(error) })),
      ),
    );
    return true;
  }
}

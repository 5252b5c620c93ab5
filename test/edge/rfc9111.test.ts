/**
 * The edge as an RFC 9111 shared cache, inside workerd against the scripted origin.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cacheKeyFor } from '../../edge/cache/key.ts';
import { mockClock } from './clock.ts';
import { edgeFetch, freshTenant } from './edge-fetch.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

const status = (r: { response: Response }) => r.response.headers.get('cache-status') ?? '';

describe('freshness, age and validators', () => {
  it('answers a conditional request from the cache with 304 and the stored validators', async () => {
    const path = `/v1/${freshTenant()}/public/projects`;
    const first = await edgeFetch(path);
    const etag = first.response.headers.get('etag')!;
    const conditional = await edgeFetch(path, { headers: { 'if-none-match': etag } });
    expect(conditional.response.status).toBe(304);
    expect(conditional.body).toBe('');
    expect(conditional.response.headers.get('etag')).toBe(etag);
    expect(status(conditional)).toContain('strata-edge; hit');
    expect((await edgeFetch(path)).json().hits).toBe(1);
  });

  it('fetches a full response on a conditional miss and still answers 304 when it matches', async () => {
    const path = `/v1/${freshTenant()}/public/projects`;
    const response = await edgeFetch(path, { headers: { 'if-none-match': '*' } });
    expect(response.response.status).toBe(304);
    expect(status(await edgeFetch(path))).toContain('strata-edge; hit');
  });

  it('revalidates a stale entry with its ETag and keeps the stored body on a 304, updating headers', async () => {
    const path = `/v1/${freshTenant('etag')}/public/projects`;
    const first = await edgeFetch(path);
    mockClock().advance(2100); // the edge's clock: the stored response ages without waiting
    const revalidated = await edgeFetch(path);
    expect(revalidated.response.status).toBe(200);
    expect(revalidated.body).toBe(first.body);
    expect(status(revalidated)).toContain('strata-edge; fwd=stale; fwd-status=304; stored');
    expect(revalidated.response.headers.get('x-revalidated')).toBe('2');
    expect(status(await edgeFetch(path))).toContain('strata-edge; hit');
  });

  it('serves stale while revalidating in the background', async () => {
    const path = `/v1/${freshTenant('swr')}/public/projects`;
    await edgeFetch(path);
    mockClock().advance(1600); // the edge's clock: the stored response ages without waiting
    const stale = await edgeFetch(path);
    expect(stale.json().hits).toBe(1);
    expect(status(stale)).toMatch(/strata-edge; hit; ttl=-\d+/);
    const refreshed = await edgeFetch(path);
    expect(refreshed.json().hits).toBe(2);
  });

  it('serves stale within stale-if-error when the origin fails, and says so', async () => {
    const path = `/v1/${freshTenant('sie')}/public/projects`;
    const first = await edgeFetch(path);
    mockClock().advance(1600); // the edge's clock: the stored response ages without waiting
    const fallback = await edgeFetch(path);
    expect(fallback.response.status).toBe(200);
    expect(fallback.body).toBe(first.body);
    expect(status(fallback)).toContain('fwd=stale; fwd-status=503; detail=stale-if-error');
  });

  it('serves stale within stale-if-error when the origin is unreachable', async () => {
    const tenant = freshTenant('sie');
    const path = `/v1/${tenant}/public/projects`;
    const first = await edgeFetch(path);
    mockClock().advance(1600); // the edge's clock: the stored response ages without waiting
    const fallback = await edgeFetch(path, undefined, { ORIGIN_URL: 'http://127.0.0.1:1' });
    expect(fallback.response.status).toBe(200);
    expect(fallback.body).toBe(first.body);
    expect(status(fallback)).toContain('detail=stale-if-error');
  });

  it('uses heuristic freshness from Last-Modified, and invents none without it', async () => {
    const heuristic = `/v1/${freshTenant('lastmod')}/public/projects`;
    await edgeFetch(heuristic);
    expect(status(await edgeFetch(heuristic))).toContain('strata-edge; hit');
    const none = `/v1/${freshTenant('nofresh')}/public/projects`;
    await edgeFetch(none);
    expect(status(await edgeFetch(none))).toMatch(/fwd=miss$/);
  });

  it('honours request directives it understands and ignores ones it does not', async () => {
    const path = `/v1/${freshTenant()}/public/projects`;
    await edgeFetch(path);
    expect(status(await edgeFetch(path, { headers: { 'cache-control': 'x-unknown-directive, foo=bar' } }))).toContain('hit');
    const noCache = await edgeFetch(path, { headers: { 'cache-control': 'no-cache' } });
    expect(status(noCache)).toContain('strata-edge; fwd=');
  });
});

describe('what may be stored and served', () => {
  it('keeps one entry per Vary variant', async () => {
    const path = `/v1/${freshTenant('vary')}/public/projects`;
    const fr = await edgeFetch(path, { headers: { 'accept-language': 'fr' } });
    const de = await edgeFetch(path, { headers: { 'accept-language': 'de' } });
    expect(fr.json().language).toBe('fr');
    expect(de.json().language).toBe('de');
    const frAgain = await edgeFetch(path, { headers: { 'accept-language': 'fr' } });
    expect(frAgain.json()).toMatchObject({ language: 'fr', hits: 1 });
    expect(status(frAgain)).toContain('hit');
  });

  it('never stores Vary: *', async () => {
    const path = `/v1/${freshTenant('varystar')}/public/projects`;
    await edgeFetch(path);
    expect((await edgeFetch(path)).json().hits).toBe(2);
  });

  it('does not store or serve responses for requests with credentials unless the response allows it', async () => {
    const path = `/v1/${freshTenant('maxage')}/public/projects`;
    await edgeFetch(path, { headers: { authorization: 'Bearer a' } });
    expect((await edgeFetch(path, { headers: { authorization: 'Bearer a' } })).json().hits).toBe(2);
    await edgeFetch(path); // anonymous: stored
    const anonymous = await edgeFetch(path);
    expect(status(anonymous)).toContain('hit');
    const withCookie = await edgeFetch(path, { headers: { cookie: 'sid=1' } });
    expect(status(withCookie)).toContain('fwd=request');
    // `public` explicitly allows it:
    const open = `/v1/${freshTenant()}/public/projects`;
    await edgeFetch(open, { headers: { authorization: 'Bearer a' } });
    expect(status(await edgeFetch(open, { headers: { authorization: 'Bearer b' } }))).toContain('hit');
  });

  it('stores errors only where the route allows it', async () => {
    const path = `/v1/${freshTenant('errcache')}/public/projects`;
    await edgeFetch(path);
    expect((await edgeFetch(path)).json().hits).toBe(2);
    const policy = JSON.stringify([{ pattern: '/v1/:tenant/public/projects', mode: 'honor', cacheErrors: true }]);
    const allowed = `/v1/${freshTenant('errcache')}/public/projects`;
    await edgeFetch(allowed, undefined, { ROUTE_POLICY: policy });
    const again = await edgeFetch(allowed, undefined, { ROUTE_POLICY: policy });
    expect(again.response.status).toBe(404);
    expect(again.json().hits).toBe(1);
  });

  it('overrides the lifetime on override routes while clients see the origin’s headers', async () => {
    const policy = JSON.stringify([{ pattern: '/v1/:tenant/public/projects', mode: 'override', ttlSeconds: 3600 }]);
    const path = `/v1/${freshTenant('short')}/public/projects`;
    await edgeFetch(path, undefined, { ROUTE_POLICY: policy });
    mockClock().advance(1600); // the edge's clock: the stored response ages without waiting
    const later = await edgeFetch(path, undefined, { ROUTE_POLICY: policy });
    expect(later.json().hits).toBe(1);
    expect(later.response.headers.get('cache-control')).toBe('public, s-maxage=1');
    const privatePath = `/v1/${freshTenant('private')}/public/projects`;
    await edgeFetch(privatePath, undefined, { ROUTE_POLICY: policy });
    expect((await edgeFetch(privatePath, undefined, { ROUTE_POLICY: policy })).json().hits).toBe(2);
  });

  it('re-emits origin tags for zone purges and never shows them to clients', async () => {
    const tenant = freshTenant();
    const path = `/v1/${tenant}/public/projects`;
    const response = await edgeFetch(path);
    expect(response.response.headers.get('x-strata-cache-tags')).toBeNull();
    expect(response.response.headers.get('cache-tag')).toBeNull();
    // The stored copy, which Cloudflare's purge by tag reads, carries the origin's tags as Cache-Tag.
    const stored = await (await caches.open('strata-edge')).match(cacheKeyFor(new Request(`https://edge.test${path}`)));
    await stored?.body?.cancel();
    expect(stored?.headers.get('cache-tag')).toBe(`tenant:${tenant},projects`);
    expect(stored?.headers.get('x-strata-cache-tags')).toBeNull();
  });

  it('caches only policy-listed routes, never by file extension', async () => {
    const tenant = freshTenant();
    for (const path of [`/v1/${tenant}/public/projects.css`, `/v1/${tenant}/private/report.js`, `/static/${tenant}.png`]) {
      expect(status(await edgeFetch(path))).toBe('strata-edge; fwd=bypass');
      expect(status(await edgeFetch(path))).toBe('strata-edge; fwd=bypass');
    }
  });
});

describe('writes and concurrency', () => {
  it('invalidates the target URI and same-origin Location after a successful unsafe request', async () => {
    const tenant = freshTenant();
    const list = `/v1/${tenant}/public/projects`;
    const created = `/v1/${tenant}/public/projects/1a000000-0000-4000-8000-000000000009`;
    await edgeFetch(list);
    await edgeFetch(created);
    const write = await edgeFetch(list, { method: 'POST', body: '{}' });
    expect(write.response.status).toBe(201);
    expect(status(await edgeFetch(list))).toMatch(/fwd=miss; stored$/);
    expect(status(await edgeFetch(created))).toMatch(/fwd=miss; stored$/);
  });

  it('collapses concurrent misses of one key into one origin request', async () => {
    const path = `/v1/${freshTenant('slowish')}/public/projects`;
    const results = await Promise.all(Array.from({ length: 10 }, () => edgeFetch(path)));
    expect(results.every((r) => r.json().hits === 1)).toBe(true);
    expect(results.filter((r) => status(r).includes('detail=collapsed'))).toHaveLength(9);
  });

  it('reports its decision to a request with the debug token, and only then', async () => {
    const path = `/v1/${freshTenant()}/public/projects`;
    await edgeFetch(path);
    const debugged = await edgeFetch(path, { headers: { 'x-strata-debug': 'let-me-see' } }, { DEBUG_TOKEN: 'let-me-see' });
    expect(debugged.response.headers.get('x-strata-cache-debug')).toMatch(/key=https:\/\/edge\.test\/v1\/.+; decision=hit; age=\d+; ttl=\d+/);
    const guessed = await edgeFetch(path, { headers: { 'x-strata-debug': 'guess' } }, { DEBUG_TOKEN: 'let-me-see' });
    expect(guessed.response.headers.get('x-strata-cache-debug')).toBeNull();
  });

  it('reports its health', async () => {
    const { response, json } = await edgeFetch('/_strata/health');
    expect(response.status).toBe(200);
    expect(json()).toMatchObject({ ok: true, origin: 'ok' });
  });
});

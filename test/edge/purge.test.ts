import { beforeEach, describe, expect, it } from 'vitest';
import { PURGE_HEADERS, PURGE_MAX_BODY_BYTES, PURGE_WINDOW_SECONDS, signedPurgeHeaders } from '../../common/purge.ts';
import { cacheKeyFor } from '../../edge/cache/key.ts';
import { discard, workersCacheStorage, type StoredMeta } from '../../edge/cache/storage.ts';
import { GLOBAL_VERSION_KEY, pathVersionKey, tagVersionKey, tenantVersionKey } from '../../edge/purge/keys.ts';
import { edgeFetch, freshTenant, type EdgeResult } from './edge-fetch.ts';
import { deliver, freshId, purgeBindings, SECRET, storedValues } from './purge-support.ts';

const now = () => Math.floor(Date.now() / 1000);
const project = () => `project:${crypto.randomUUID()}`;

function expectError(result: EdgeResult, status: number, code: string): void {
  expect(result.response.status).toBe(status);
  expect(result.response.headers.get('cache-control')).toBe('no-store');
  expect(result.json().error).toMatchObject({ code, message: expect.any(String), requestId: expect.any(String) });
}

/** Delivers `message` with `id` and expects 200 `purged`; the JSON answer. */
async function purged(message: Record<string, unknown>, bindings = {}): Promise<Record<string, unknown>> {
  const id = freshId();
  const result = await deliver(id, { id, ...message }, { bindings });
  expect(result.response.status, result.body).toBe(200);
  expect(result.json()).toMatchObject({ status: 'purged', id });
  return result.json();
}

describe('purge webhook: selectors', () => {
  it('by tag changes that tag version and no other', async () => {
    const [tag, other, tenant] = [project(), project(), freshTenant()];
    const keys = [tagVersionKey(tag), tagVersionKey(other), tenantVersionKey(tenant)];
    expect(await storedValues(keys)).toEqual([null, null, null]);
    expect(await purged({ tags: [tag] })).toMatchObject({ tags: 1, versionsBumped: 1, cacheDeleted: 0, zoneRequests: 0 });
    const [tagged, untouched, tenantVersion] = await storedValues(keys);
    expect(tagged).toMatch(/^v[0-9a-z]+$/);
    expect([untouched, tenantVersion]).toEqual([null, null]);
    await purged({ tags: [tag] });
    expect((await storedValues(keys))[0]).not.toBe(tagged);
  });

  it('by tenant changes that tenant only', async () => {
    const [a, b] = [freshTenant(), freshTenant()];
    expect(await purged({ tenants: [a] })).toMatchObject({ tenants: 1, versionsBumped: 1 });
    const [va, vb] = await storedValues([tenantVersionKey(a), tenantVersionKey(b)]);
    expect(va).toMatch(/^v/);
    expect(vb).toBeNull();
  });

  it('by prefix changes the versions at and below that segment boundary only', async () => {
    const t = freshTenant();
    const keys = [`/v1/${t}/public/projects`, `/v1/${t}/public`, `/v1/${t}/public/projects-archive`].map(pathVersionKey);
    expect(await purged({ prefixes: [`/v1/${t}/public/projects/`] })).toMatchObject({ prefixes: 1, versionsBumped: 1 });
    const [projects, parent, sibling] = await storedValues(keys);
    expect(projects).toMatch(/^v/);
    expect([parent, sibling]).toEqual([null, null]);
    // The tenant's root is the tenant's own version.
    await purged({ prefixes: [`/v1/${t}/`] });
    expect((await storedValues([tenantVersionKey(t)]))[0]).toMatch(/^v/);
  });

  it('by URL deletes this data centre copy and changes the version of its path', async () => {
    const t = freshTenant();
    const storage = workersCacheStorage();
    const [url, kept] = [`https://edge.test/v1/${t}/public/projects?page=2&a=1`, `https://edge.test/v1/${t}/public/projects-other`];
    const meta = { status: 200, headers: { 'content-type': 'application/json' }, tags: [] } as unknown as StoredMeta;
    for (const stored of [url, kept]) await storage.put(cacheKeyFor(new Request(stored)), new TextEncoder().encode('{}').buffer as ArrayBuffer, meta, 600);
    const before = await storage.match(cacheKeyFor(new Request(url)));
    expect(before?.meta.status).toBe(200);
    await discard(before?.body ?? null);

    // Same resource, other parameter order: the purge finds it through the cache key.
    expect(await purged({ urls: [`https://edge.test/v1/${t}/public/projects?a=1&page=2`] })).toMatchObject({ urls: 1, cacheDeleted: 1, versionsBumped: 1 });
    expect(await storage.match(cacheKeyFor(new Request(url)))).toBeUndefined();
    const other = await storage.match(cacheKeyFor(new Request(kept)));
    expect(other?.meta.status).toBe(200);
    await discard(other?.body ?? null);
    expect((await storedValues([pathVersionKey(`/v1/${t}/public/projects`)]))[0]).toMatch(/^v/);
  });

  it('everything changes the global version', async () => {
    const [before] = await storedValues([GLOBAL_VERSION_KEY]);
    expect(await purged({ everything: true })).toMatchObject({ everything: true, versionsBumped: 1 });
    const [after] = await storedValues([GLOBAL_VERSION_KEY]);
    expect(after).toMatch(/^v/);
    expect(after).not.toBe(before);
  });

  it('bumps every selector of one message in one go', async () => {
    const [t, u, tag] = [freshTenant(), freshTenant(), project()];
    const answer = await purged({ tags: [tag, tag], tenants: [t], prefixes: [`/v1/${u}/public`], urls: [`https://edge.test/v1/${u}/public/x`] });
    expect(answer).toMatchObject({ tags: 2, tenants: 1, prefixes: 1, urls: 1, versionsBumped: 4 });
    const values = await storedValues([tagVersionKey(tag), tenantVersionKey(t), pathVersionKey(`/v1/${u}/public`), pathVersionKey(`/v1/${u}/public/x`)]);
    expect(values.every((v) => v !== null && v === values[0])).toBe(true);
  });
});

describe('purge webhook: refusals purge nothing', () => {
  // Each test purges its own tag, so "nothing was purged" is exact.
  let tag = project();
  beforeEach(() => {
    tag = project();
  });
  const message = (id: string) => ({ id, tags: [tag] });
  const untouched = async () => expect(await storedValues([tagVersionKey(tag)])).toEqual([null]);

  it('refuses a forged signature, another secret, a missing header', async () => {
    const id = freshId();
    const forged = `v1=${Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, '0')).join('')}`;
    expectError(await deliver(id, message(id), { headers: { [PURGE_HEADERS.signature]: forged } }), 401, 'unauthorized');
    expectError(await deliver(id, message(id), { secret: 'not-the-secret' }), 401, 'unauthorized');
    expectError(await deliver(id, message(id), { headers: { [PURGE_HEADERS.timestamp]: null } }), 401, 'unauthorized');
    expectError(await deliver(id, message(id), { headers: { [PURGE_HEADERS.id]: freshId() } }), 401, 'unauthorized');
    await untouched();
  });

  it('refuses stale and future timestamps', async () => {
    const id = freshId();
    const stale = await deliver(id, message(id), { timestamp: now() - PURGE_WINDOW_SECONDS - 5 });
    expectError(stale, 401, 'unauthorized');
    expect(stale.json().error.message).toContain('too old');
    const future = await deliver(id, message(id), { timestamp: now() + PURGE_WINDOW_SECONDS + 5 });
    expectError(future, 401, 'unauthorized');
    expect(future.json().error.message).toContain('future');
    await untouched();
  });

  it('answers a replayed or redelivered id as a duplicate and purges nothing more', async () => {
    const [id, t] = [freshId(), freshTenant()];
    const body = JSON.stringify({ id, tenants: [t] });
    const headers = { ...(await signedPurgeHeaders(SECRET, id, body)), 'content-type': 'application/json' };
    const send = () => edgeFetch('/_strata/purge', { method: 'POST', headers, body }, purgeBindings());
    expect((await send()).json()).toMatchObject({ status: 'purged', id });
    const [first] = await storedValues([tenantVersionKey(t)]);
    for (const again of [await send(), await deliver(id, body, { timestamp: now() + 2 })]) {
      expect(again.response.status).toBe(200);
      expect(again.json()).toEqual({ status: 'duplicate', id });
    }
    expect(await storedValues([tenantVersionKey(t)])).toEqual([first]);
  });

  it('refuses bodies over the limit, declared or streamed (413), and takes one at the limit', async () => {
    const id = freshId();
    const exact = JSON.stringify(message(id)).padEnd(PURGE_MAX_BODY_BYTES, ' ');
    const over = `${exact} `;
    expectError(await deliver(id, over), 413, 'payload_too_large');
    const chunk = new TextEncoder().encode(over);
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(chunk.slice(0, 4096));
        controller.enqueue(chunk.slice(4096));
        controller.close();
      },
    });
    const headers = await signedPurgeHeaders(SECRET, id, over);
    // A stream declares no Content-Length: only counting the bytes can stop it.
    expect(new Request('https://edge.test/', { method: 'POST', body: new ReadableStream() }).headers.get('content-length')).toBeNull();
    expectError(await edgeFetch('/_strata/purge', { method: 'POST', headers, body: stream }, purgeBindings()), 413, 'payload_too_large');
    await untouched();
    expect((await deliver(id, exact)).json()).toMatchObject({ status: 'purged', tags: 1 });
    expect((await storedValues([tagVersionKey(tag)]))[0]).toMatch(/^v/);
  });

  it.each([
    ['malformed JSON', (id: string) => `{"id":"${id}","tags":[`],
    ['a body that is not UTF-8', () => new Uint8Array([0x7b, 0xff, 0x7d])],
    ['an invalid tag', (id: string) => ({ id, tags: ['Not A Tag'] })],
    ['no selector', (id: string) => ({ id })],
    ['an unknown field', (id: string) => ({ id, tags: ['a'], tag: 'a' })],
    ['a prefix outside its tenant', (id: string) => ({ id, prefixes: ['/v2/acme/x'] })],
    ['a body id other than the header id', () => ({ id: 'someone-else', tags: ['a'] })],
  ])('refuses %s with 400 invalid_purge', async (_, make) => {
    const id = freshId();
    const made = make(id);
    const raw = made instanceof Uint8Array ? made : typeof made === 'string' ? made : JSON.stringify(made);
    const headers = await signedPurgeHeaders(SECRET, id, raw);
    expectError(await edgeFetch('/_strata/purge', { method: 'POST', headers, body: raw }, purgeBindings()), 400, 'invalid_purge');
  });

  it('refuses purges while PURGE_SECRET is unset: 503, so the outbox keeps them', async () => {
    const id = freshId();
    expectError(await deliver(id, message(id), { bindings: { PURGE_SECRET: undefined } }), 503, 'purge_unavailable');
    expectError(await deliver(id, message(id), { bindings: { PURGE_SECRET: '' } }), 503, 'purge_unavailable');
    await untouched();
  });

  it('answers 503 when Upstash is unconfigured or down, and the purge goes through once it is back', async () => {
    const id = freshId();
    expectError(await deliver(id, message(id), { bindings: { UPSTASH_REDIS_REST_URL: undefined } }), 503, 'purge_unavailable');
    expectError(await deliver(id, message(id), { bindings: { UPSTASH_REDIS_REST_URL: 'not a url' } }), 503, 'purge_unavailable');
    expectError(await deliver(id, message(id), { bindings: { UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:9' } }), 503, 'purge_unavailable');
    await untouched();
    expect((await deliver(id, message(id))).json()).toMatchObject({ status: 'purged', id });
  }, 60_000);
});

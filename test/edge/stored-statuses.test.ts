/**
 * What an honor route stores (RFC 9111 §3): any final response whose headers give explicit
 * freshness, and the heuristically cacheable statuses (§4.2.2) when heuristics are allowed,
 * whatever the Workers Cache API refuses to store itself — the status travels with the entry.
 * `Set-Cookie` stays unstored: a deliberate choice (docs/edge.md, "Storing"). Under `[{"pattern":"/*","mode":"honor"}]`.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { answerOf, edgeStatus, script, scriptedPath, via } from './scripted-support.ts';

const LAST_MODIFIED = 'Mon, 02 Nov 2026 10:00:00 GMT';

/** Scripts one answer, asks twice, and returns the second response and whether the edge served it. */
async function twice(status: number, headers: Record<string, string>) {
  const path = scriptedPath();
  await script(path, { status, headers, body: status === 204 ? undefined : `status ${status}` });
  await via(path);
  const second = await via(path);
  return { second, hit: edgeStatus(second).startsWith('strata-edge; hit') && answerOf(second) === 1 };
}

beforeEach(() => void vi.spyOn(console, 'log').mockImplementation(() => {})); // decision logs
afterEach(() => vi.restoreAllMocks());

describe('statuses an honor route stores', () => {
  it.each([203, 204, 300, 301, 308, 404, 405, 410, 414, 501])('§4.2.2: heuristically cacheable %i, freshness from Last-Modified', async (status) => {
    const { second, hit } = await twice(status, {
      'last-modified': LAST_MODIFIED,
      ...(status === 301 || status === 308 || status === 300 ? { location: '/elsewhere' } : {}),
    });
    expect(hit).toBe(true);
    expect(second.response.status).toBe(status);
    if (status !== 204) expect(second.body).toBe(`status ${status}`);
  });

  it.each([201, 302, 307, 500, 503])('§3: any final status with explicit freshness, %i included', async (status) => {
    const { second, hit } = await twice(status, { 'cache-control': 'public, max-age=60', location: '/elsewhere' });
    expect(hit).toBe(true);
    expect(second.response.status).toBe(status);
  });

  it.each([302, 500])('§4.2.2: no heuristic freshness for %i, which is not heuristically cacheable', async (status) => {
    expect((await twice(status, { 'last-modified': LAST_MODIFIED, location: '/elsewhere' })).hit).toBe(false);
  });

  it('§3: a partial response (206) or a response that sets a cookie is not stored', async () => {
    expect((await twice(206, { 'cache-control': 'public, max-age=60', 'content-range': 'bytes 0-3/10' })).hit).toBe(false);
    expect((await twice(200, { 'cache-control': 'public, max-age=60', 'set-cookie': 'sid=1' })).hit).toBe(false);
  });

  it('stores no error on an honor route with cacheErrors: false (as the default routes are)', async () => {
    const path = `/v1/${crypto.randomUUID().slice(0, 8)}-x/scripted/resource`;
    const policy = JSON.stringify([{ pattern: '/v1/:tenant/scripted/*', mode: 'honor', cacheErrors: false }]);
    await script(path, { status: 404, headers: { 'cache-control': 'public, max-age=60' } });
    await via(path, undefined, { ROUTE_POLICY: policy });
    expect(answerOf(await via(path, undefined, { ROUTE_POLICY: policy }))).toBe(2);
  });
});

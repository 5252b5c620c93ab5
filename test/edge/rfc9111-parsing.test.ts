/**
 * RFC 9111 read to the letter where `http-cache-semantics` is lenient, through the Worker in
 * workerd against an origin that sends unusual but legal (and illegal) headers, under
 * `[{"pattern":"/*","mode":"honor"}]`. One test per rule, each citing its section.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClock } from './clock.ts';
import { answerOf, edgeStatus, originSaw, script, scriptedPath, via } from './scripted-support.ts';

const FUTURE = 'Thu, 01 Jan 2065 02:01:18 GMT';

/** Scripts `headers` at a fresh path, asks twice, and says whether the second came from the edge. */
async function secondIsHit(headers: Record<string, string | string[]>, request?: RequestInit): Promise<boolean> {
  const path = scriptedPath();
  await script(path, { headers });
  await via(path);
  const second = await via(path, request);
  return edgeStatus(second).startsWith('strata-edge; hit') && answerOf(second) === 1;
}

beforeEach(() => {
  vi.spyOn(console, 'log').mockImplementation(() => {}); // decision logs
  vi.spyOn(console, 'error').mockImplementation(() => {}); // the 504s provoked below
});
afterEach(() => vi.restoreAllMocks());

describe('RFC 9111 response directives and fields', () => {
  it('§5.3 / RFC 9110 §5.6.7: an Expires that is not an HTTP-date means already expired; the three forms are read', async () => {
    for (const invalid of [
      'Thu, 01 Jan 2065 02:01:18 UTC',
      'Thu 01 Jan 2065 02:01:18 GMT',
      'Thu,  01 Jan 2065 02:01:18 GMT',
      'Thu, 01-Jan-2065 02:01:18 GMT',
      'Thu, 01 Jan 2065 2:01:18 GMT',
      '0',
    ]) {
      expect(await secondIsHit({ 'cache-control': 'public', expires: invalid }), invalid).toBe(false);
    }
    // IMF-fixdate (any case, §4.2), RFC 850 (a two-digit year up to 50 years ahead) and asctime.
    for (const valid of [FUTURE, 'thu, 01 JAN 2065 02:01:18 gmt', 'Thursday, 01-Jan-65 02:01:18 GMT', 'Thu Jan  1 02:01:18 2065']) {
      expect(await secondIsHit({ 'cache-control': 'public', expires: valid }), valid).toBe(true);
    }
  });

  it('§5.2: directive names are case-insensitive', async () => {
    expect(await secondIsHit({ 'cache-control': 'PUBLIC, MAX-AGE=60' })).toBe(true);
    expect(await secondIsHit({ 'cache-control': 'public, max-age=60, No-CaChE', etag: '"a"' })).toBe(false);
  });

  it('§5.1: an Age that is not delta-seconds is ignored; a valid one counts', async () => {
    for (const age of ['7200.0', '-1', '1e3', '3600, 7200']) {
      expect(await secondIsHit({ 'cache-control': 'public, max-age=3600', age }), age).toBe(true);
    }
    const path = scriptedPath();
    await script(path, { headers: { 'cache-control': 'public, max-age=3600', age: '600' } });
    await via(path);
    // The origin's 600 plus the moments held: present, in delta-seconds.
    expect((await via(path)).response.headers.get('age')).toMatch(/^60\d$/);
  });

  it('§5.2.2.2: must-revalidate is served while fresh, and never stale once it is not', async () => {
    const clock = mockClock();
    const path = scriptedPath();
    const cc = 'public, max-age=60, must-revalidate, stale-while-revalidate=600, stale-if-error=600';
    await script(path, { headers: { 'cache-control': cc, etag: '"v1"' } }, { status: 503 });
    await via(path);
    expect(edgeStatus(await via(path))).toMatch(/^strata-edge; hit; ttl=\d+$/);
    clock.advance(61_000);
    const stale = await via(path);
    expect(stale.response.status).toBe(503);
    expect(edgeStatus(stale)).toBe('strata-edge; fwd=stale; fwd-status=503');
  });

  it('§5.2.2.8: proxy-revalidate lets a shared cache serve the response while it is fresh', async () => {
    expect(await secondIsHit({ 'cache-control': 'public, max-age=60, proxy-revalidate' })).toBe(true);
  });

  it('§5.2: several Cache-Control field lines are one list', async () => {
    expect(await secondIsHit({ 'cache-control': ['public', 'max-age=60'] })).toBe(true);
  });

  it('§4.2.1: a freshness directive given twice with different values is stale, whichever comes first', async () => {
    expect(await secondIsHit({ 'cache-control': 'public, max-age=0, max-age=3600' })).toBe(false);
    expect(await secondIsHit({ 'cache-control': 'public, max-age=3600, max-age=0' })).toBe(false);
    expect(await secondIsHit({ 'cache-control': 'public, max-age=60, max-age=60' })).toBe(true);
  });

  it('§5.2: arguments may be quoted, and a quoted comma does not end a directive', async () => {
    expect(await secondIsHit({ 'cache-control': 'public, max-age="60"' })).toBe(true);
    expect(await secondIsHit({ 'cache-control': 'public, max-age=60, x-note="a, max-age=0"' })).toBe(true);
  });

  it('§1.2.2: a max-age past the largest delta-seconds counts as 2147483648', async () => {
    const path = scriptedPath();
    await script(path, { headers: { 'cache-control': 'public, max-age=99999999999999999999' } });
    await via(path);
    const hit = await via(path);
    const ttl = Number(/ttl=(\d+)/.exec(edgeStatus(hit))?.[1]);
    expect(ttl).toBeGreaterThan(2_147_483_000);
    expect(ttl).toBeLessThanOrEqual(2_147_483_648);
  });

  it('§5.3: with max-age (in any case) a recipient ignores Expires', async () => {
    expect(await secondIsHit({ 'cache-control': 'public, MAX-AGE=60', expires: 'Thu, 01 Jan 1998 00:00:00 GMT' })).toBe(true);
    expect(await secondIsHit({ 'cache-control': 'public, max-age=0', expires: FUTURE })).toBe(false);
  });

  it('§5.2.2.10: s-maxage wins over max-age in a shared cache, and no request may take it stale', async () => {
    expect(await secondIsHit({ 'cache-control': 'public, max-age=0, s-maxage=60' })).toBe(true);
    expect(await secondIsHit({ 'cache-control': 'public, max-age=60, s-maxage=0' })).toBe(false);
    const clock = mockClock();
    const path = scriptedPath();
    await script(path, { headers: { 'cache-control': 'public, s-maxage=60', etag: '"v1"' } });
    await via(path);
    clock.advance(120_000);
    const asked = await via(path, { headers: { 'cache-control': 'max-stale=600' } });
    expect(edgeStatus(asked)).toMatch(/^strata-edge; fwd=stale/);
  });

  it('§5.4: Pragma has no meaning in a response', async () => {
    expect(await secondIsHit({ pragma: 'no-cache', expires: FUTURE })).toBe(true);
  });

  it('§5.2.2.3: must-understand lets a cache that understands the status ignore no-store', async () => {
    expect(await secondIsHit({ 'cache-control': 'no-store, must-understand, max-age=60' })).toBe(true);
  });
});

describe('RFC 9111 request directives', () => {
  it('§5.2: request directive names are case-insensitive', async () => {
    expect(await secondIsHit({ 'cache-control': 'public, max-age=60' }, { headers: { 'cache-control': 'No-Cache' } })).toBe(false);
  });

  it('§5.2.1.7: only-if-cached is answered from storage or with 504, never by the origin', async () => {
    const path = scriptedPath();
    await script(path, { headers: { 'cache-control': 'public, max-age=60' } });
    const onlyCached = { headers: { 'cache-control': 'only-if-cached' } };
    const nothing = await via(path, onlyCached);
    expect(nothing.response.status).toBe(504);
    expect(nothing.json().error.code).toBe('origin_unavailable');
    const ranges = await via(path, { headers: { 'cache-control': 'only-if-cached', range: 'bytes=0-1,3-4' } });
    expect(ranges.response.status).toBe(504);
    expect((await originSaw(path)).hits).toBe(0);
    await via(path);
    const stored = await via(path, onlyCached);
    expect(stored.response.status).toBe(200);
    expect(edgeStatus(stored)).toMatch(/^strata-edge; hit/);
    expect((await originSaw(path)).hits).toBe(1);
  });

  it('§3.5: a response to a request with credentials is stored only when the origin allows it, override or not', async () => {
    const path = scriptedPath();
    await script(
      path,
      { headers: { 'cache-control': 'max-age=60' }, body: 'for the bearer of token a' },
      { headers: { 'cache-control': 'max-age=60' }, body: 'for anyone' },
    );
    const override = JSON.stringify([{ pattern: '/*', mode: 'override', ttlSeconds: 3600 }]);
    await via(path, { headers: { authorization: 'Bearer a' } }, { ROUTE_POLICY: override });
    const anonymous = await via(path, undefined, { ROUTE_POLICY: override });
    expect(anonymous.body).toBe('for anyone');
  });
});

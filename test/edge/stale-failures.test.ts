/**
 * The edge's stale copies when the origin fails, inside workerd against the scripted origin, aged
 * with an injected clock (no sleeps): `stale-if-error` stands in for an origin that does not
 * answer within the edge's timeout, and stops doing so past its window; a failed
 * `stale-while-revalidate` refresh in the background (an error status, or no connection) leaves
 * the stored copy as it was, serves the client the stale copy, and the next request refreshes.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClock } from './clock.ts';
import { answerOf, edgeStatus, originSaw, script, scriptedPath, via } from './scripted-support.ts';

// The origin hangs; the edge gives up after this long (a timeout of the code under test, not an assertion).
const TIMEOUT = { ORIGIN_TIMEOUT_MS: '300' };

// The Worker logs every exchange, and origin failures as errors: quiet on success.
beforeEach(() => {
  vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(console, 'error').mockImplementation(() => {});
});

describe('stale-if-error on an origin that times out', () => {
  afterEach(() => vi.restoreAllMocks());

  it('serves the stale copy within the window, and the origin’s 504 past it', async () => {
    const path = scriptedPath();
    await script(path, { headers: { 'cache-control': 'public, s-maxage=1, stale-if-error=60' }, body: 'first' }, { hang: true });
    const first = await via(path);
    expect(first.body).toBe('first');
    const clock = mockClock();

    clock.advance(30_000); // stale for 29 s: inside the 60 s window
    const fallback = await via(path, undefined, TIMEOUT);
    expect(fallback.response.status).toBe(200);
    expect(fallback.body).toBe('first');
    expect(answerOf(fallback)).toBe(1);
    expect(edgeStatus(fallback)).toContain('stale-if-error');
    expect((await originSaw(path)).hits).toBe(2);

    clock.advance(40_000); // stale for 69 s: past the window
    const refused = await via(path, undefined, TIMEOUT);
    expect(refused.response.status).toBe(504);
    expect(refused.response.headers.get('cache-control')).toBe('no-store');
    expect(refused.json().error).toMatchObject({ code: 'origin_unavailable', message: expect.stringContaining('300 ms') });
    expect((await originSaw(path)).hits).toBe(3);
  });

  it('does not stand in under must-revalidate, however young the stale copy', async () => {
    const path = scriptedPath();
    await script(path, { headers: { 'cache-control': 'public, s-maxage=1, stale-if-error=60, must-revalidate' }, body: 'first' }, { hang: true });
    await via(path);
    mockClock().advance(5_000);
    expect((await via(path, undefined, TIMEOUT)).response.status).toBe(504);
  });
});

describe('a stale-while-revalidate refresh that fails', () => {
  afterEach(() => vi.restoreAllMocks());
  const SWR = { 'cache-control': 'public, s-maxage=1, stale-while-revalidate=60' };

  it.each([
    ['answers 500', { status: 500, headers: { 'cache-control': 'no-store' }, body: 'broken' }],
    ['hangs past the timeout', { hang: true }],
  ])('when the origin %s keeps the stored copy, and the next request refreshes it', async (_, failure) => {
    const path = scriptedPath();
    await script(path, { headers: SWR, body: 'first' }, failure, { headers: SWR, body: 'third' });
    await via(path);
    const clock = mockClock();
    clock.advance(10_000);

    // Served stale at once; the refresh (awaited by the test harness) fails in the background.
    const stale = await via(path, undefined, TIMEOUT);
    expect(stale.response.status).toBe(200);
    expect(stale.body).toBe('first');
    expect(edgeStatus(stale)).toMatch(/hit; ttl=-\d+/);
    expect((await originSaw(path)).hits).toBe(2);

    // The failure replaced nothing: still the first answer, stale, and this request's refresh succeeds.
    const again = await via(path, undefined, TIMEOUT);
    expect(again.body).toBe('first');
    expect(answerOf(again)).toBe(1);
    expect((await originSaw(path)).hits).toBe(3);
    const refreshed = await via(path, undefined, TIMEOUT);
    expect(refreshed.body).toBe('third');
    expect(edgeStatus(refreshed)).toContain('hit');
    expect((await originSaw(path)).hits).toBe(3);
  });
});

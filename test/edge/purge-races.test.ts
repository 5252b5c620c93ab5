/**
 * Purges that land while the origin is being asked. The origin's answer was computed before the
 * write that caused the purge committed, so it is the old data: it may reach the client that
 * asked, but it must never be stored under the versions the purge set, or every later request
 * is served the old data as fresh until the next purge of its scope (the workload saw an edge
 * serve a project's old name 10 s and 37 s after its rename). Deterministic: the purge is
 * delivered from inside the origin fetch, and the clock is injected.
 */
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import type { Env } from '../../edge/env.ts';
import { VERSION_MEMO_TTL_MS } from '../../edge/purge/index.ts';
import { mockClock, type TestClock } from './clock.ts';
import type { ScriptedResponse } from '../harness/scripted-response.ts';
import type { EdgeResult } from './edge-fetch.ts';
import { deliver, freshId, purgeBindings } from './purge-support.ts';
import { answerOf, edgeStatus, originSaw, script, scriptedPath, via } from './scripted-support.ts';
import { switchableId } from './upstash-namespace.ts';

// The scripted paths as a tenant's routes, so a purge of the tenant's prefix reaches them; and an
// Upstash URL per test (this file's namespace): the isolate keeps a version memo per URL.
const perTestBindings = (): Partial<Env> =>
  purgeBindings({
    ROUTE_POLICY: JSON.stringify([{ pattern: '/v1/:tenant/scripted/resource', mode: 'honor' }]),
    UPSTASH_REDIS_REST_URL: `${inject('fakeOriginUrl')}/_fake/upstash/${switchableId(crypto.randomUUID())}`,
  });

const urlOf = (input: RequestInfo | URL) => (input instanceof Request ? input.url : String(input));

/**
 * Watches the Worker's fetches: while `refusing`, Upstash's connections fail; on the origin
 * fetch of `path` for which `purgeOn` answers true, the purge `message` is delivered through the
 * edge (Upstash answering again), the clock moved past the version memo and `afterPurge` called,
 * before the origin answers what it had computed before the write.
 */
function purgeDuringOriginFetch(path: string, bindings: Partial<Env>, clock: TestClock, message: object, purgeOn: (originCalls: number) => boolean) {
  const realFetch = globalThis.fetch;
  const upstash = bindings.UPSTASH_REDIS_REST_URL!;
  const asked: { calls: number; resolve: () => void }[] = [];
  const state = {
    refusing: false,
    originCalls: 0,
    purged: undefined as EdgeResult | undefined,
    afterPurge: async (): Promise<void> => {},
    /** Resolves when the origin fetch number `calls` of `path` starts. */
    originAsked: (calls: number) => new Promise<void>((resolve) => (state.originCalls >= calls ? resolve() : asked.push({ calls, resolve }))),
  };
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const url = urlOf(input);
    if (url.startsWith(upstash) && state.refusing) throw new TypeError('Network connection lost.');
    if (new URL(url).pathname === path) {
      state.originCalls++;
      for (const waiter of asked) if (waiter.calls <= state.originCalls) waiter.resolve();
      if (purgeOn(state.originCalls)) {
        // Asked now, so its answer is computed before the purge (the write) and held until after.
        const answer = realFetch(input, init);
        state.refusing = false;
        const id = freshId();
        state.purged = await deliver(id, { id, ...message }, { bindings });
        clock.advance(VERSION_MEMO_TTL_MS + 1);
        await state.afterPurge();
        return answer;
      }
    }
    return realFetch(input, init);
  });
  return state;
}

describe('a purge landing while the origin is asked', () => {
  afterEach(() => vi.restoreAllMocks());

  it('stores nothing fetched while the purge versions could not be read (Upstash failing open)', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const clock = mockClock();
    const path = scriptedPath();
    const tenant = path.split('/')[2]!;
    const bindings = perTestBindings();
    const cacheable = { status: 200, headers: { 'cache-control': 'public, s-maxage=3600' } };
    await script(path, { ...cacheable, body: 'old name' }, { ...cacheable, body: 'new name' });
    const state = purgeDuringOriginFetch(path, bindings, clock, { prefixes: [`/v1/${tenant}/scripted`] }, (calls) => calls === 1);
    state.refusing = true;

    const during = await via(path, undefined, bindings);
    expect(state.purged?.json()).toMatchObject({ status: 'purged' });
    // The client that asked during the outage gets what the origin answered...
    expect(answerOf(during)).toBe(1);
    // ...but a request after the purge must not be served that answer as fresh.
    const after = await via(path, undefined, bindings);
    expect(after.body).toBe('new name');
    expect(answerOf(after)).toBe(2);
  });

  it('stores nothing a stale-while-revalidate refresh fetched from before the purge', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const clock = mockClock();
    const path = scriptedPath();
    const tenant = path.split('/')[2]!;
    const bindings = perTestBindings();
    const cacheable = { status: 200, headers: { 'cache-control': 'public, s-maxage=10, stale-while-revalidate=600' } };
    await script(path, { ...cacheable, body: 'old name' }, { ...cacheable, body: 'old name, again' }, { ...cacheable, body: 'new name' });
    const state = purgeDuringOriginFetch(path, bindings, clock, { prefixes: [`/v1/${tenant}/scripted`] }, (calls) => calls === 2);

    expect(answerOf(await via(path, undefined, bindings))).toBe(1);
    clock.advance(11_000);
    // Stale: served at once, refreshed in the background; the purge lands during the refresh.
    const stale = await via(path, undefined, bindings);
    expect(answerOf(stale)).toBe(1);
    expect(state.purged?.json()).toMatchObject({ status: 'purged' });
    const after = await via(path, undefined, bindings);
    expect(after.body).toBe('new name');
    expect(answerOf(after)).toBe(3);
  });

  it('still stores what a stale-while-revalidate refresh fetched when no purge landed', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const clock = mockClock();
    const path = scriptedPath();
    const bindings = perTestBindings();
    const cacheable = { status: 200, headers: { 'cache-control': 'public, s-maxage=10, stale-while-revalidate=600' } };
    await script(path, { ...cacheable, body: 'first' }, { ...cacheable, body: 'refreshed' }, { ...cacheable, body: 'third' });

    expect(answerOf(await via(path, undefined, bindings))).toBe(1);
    clock.advance(11_000);
    expect(answerOf(await via(path, undefined, bindings))).toBe(1);
    const after = await via(path, undefined, bindings);
    expect(answerOf(after)).toBe(2);
    expect(after.response.headers.get('cache-status')).toMatch(/strata-edge; hit/);
  });

  it('does not let a request that arrives after the purge join a fetch begun before it', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const clock = mockClock();
    const path = scriptedPath();
    const tenant = path.split('/')[2]!;
    const bindings = perTestBindings();
    const cacheable = { status: 200, headers: { 'cache-control': 'public, s-maxage=3600' } };
    await script(path, { ...cacheable, body: 'old name' }, { ...cacheable, body: 'new name' });
    const state = purgeDuringOriginFetch(path, bindings, clock, { prefixes: [`/v1/${tenant}/scripted`] }, (calls) => calls === 1);
    // Sent once the purge landed, while the first request still waits for its origin fetch.
    // The first fetch answers once the late request asked the origin itself, or (had it joined
    // the first fetch instead) once it had a second to do so: only then can it have joined.
    let late: Promise<EdgeResult> | undefined;
    state.afterPurge = async () => {
      late = via(path, undefined, bindings);
      await Promise.race([state.originAsked(2), new Promise((resolve) => setTimeout(resolve, 1000))]);
    };

    const first = await via(path, undefined, bindings);
    expect(answerOf(first)).toBe(1);
    const after = await late!;
    expect(after.body).toBe('new name');
    expect(answerOf(after)).toBe(2);
  });
});

/** While `refusing.now`, the Worker's connections to `bindings`' Upstash fail. */
function refuseUpstash(bindings: Partial<Env>) {
  const realFetch = globalThis.fetch;
  const refusing = { now: false };
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    if (refusing.now && urlOf(input).startsWith(bindings.UPSTASH_REDIS_REST_URL!)) throw new TypeError('Network connection lost.');
    return realFetch(input, init);
  });
  return refusing;
}

const fresh = (etag: string) => ({ status: 200, headers: { 'cache-control': 'public, s-maxage=3600, stale-if-error=86400', etag } });

/**
 * A path whose first answer (`body`, ETag "v1", fresh for an hour) the edge stored while Upstash
 * answered; the origin's next answer is `then`. `readWithoutUpstash` makes Upstash refuse, lets
 * the isolate's memo of it run out, and reads the path through the edge.
 */
async function storedWhileUpstashAnswered(body: string, then: ScriptedResponse) {
  vi.spyOn(console, 'log').mockImplementation(() => {});
  const clock = mockClock();
  const path = scriptedPath();
  const bindings = perTestBindings();
  await script(path, { ...fresh('"v1"'), body }, then);
  const refusing = refuseUpstash(bindings);
  expect(answerOf(await via(path, undefined, bindings))).toBe(1);
  const readWithoutUpstash = () => {
    refusing.now = true;
    clock.advance(VERSION_MEMO_TTL_MS + 1000);
    return via(path, undefined, bindings);
  };
  return { path, bindings, readWithoutUpstash };
}

describe('a stored response whose purge versions cannot be read (Upstash failing)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('is revalidated with the origin, so a purge it cannot see does not leave the old answer served', async () => {
    const { path, bindings, readWithoutUpstash } = await storedWhileUpstashAnswered('old name', { ...fresh('"v2"'), body: 'new name' });
    expect(edgeStatus(await via(path, undefined, bindings))).toMatch(/^strata-edge; hit/);
    // The rename's purge lands; then this isolate's reads of Upstash fail (its memo long gone).
    const id = freshId();
    const tenant = path.split('/')[2]!;
    expect((await deliver(id, { id, prefixes: [`/v1/${tenant}/scripted`] }, { bindings })).json()).toMatchObject({ status: 'purged' });

    const during = await readWithoutUpstash();
    expect(during.body).toBe('new name');
    expect(edgeStatus(during)).toBe('strata-edge; fwd=stale; fwd-status=200; detail=purge-unverified');
    expect((await originSaw(path)).headers?.['if-none-match']).toBe('"v1"');
  });

  it('is served as stored when the origin answers 304 to its validators', async () => {
    const { path, readWithoutUpstash } = await storedWhileUpstashAnswered('unchanged', { status: 304, headers: { etag: '"v1"' } });

    const during = await readWithoutUpstash();
    expect([during.response.status, during.body]).toEqual([200, 'unchanged']);
    expect(edgeStatus(during)).toBe('strata-edge; fwd=stale; fwd-status=304; stored; detail=purge-unverified');
    expect((await originSaw(path)).hits).toBe(2);
  });

  it('is served as stored within stale-if-error when the origin fails too', async () => {
    const { readWithoutUpstash } = await storedWhileUpstashAnswered('kept', { status: 503, body: 'down' });

    const during = await readWithoutUpstash();
    expect([during.response.status, during.body]).toEqual([200, 'kept']);
    expect(edgeStatus(during)).toBe('strata-edge; fwd=stale; fwd-status=503; detail=stale-if-error');
  });
});

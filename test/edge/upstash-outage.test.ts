/**
 * A dead or slow Upstash costs the edge as little as possible: no retries on the request path,
 * one version refresh in flight per isolate (concurrent reads use the last known versions), and
 * `/_strata/health` says whether Upstash answers. Work is counted, never timed.
 */
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import type { Env } from '../../edge/env.ts';
import { upstashVersions, VERSION_MEMO_TTL_MS } from '../../edge/purge/index.ts';
import { mockClock } from './clock.ts';
import { edgeFetch, freshTenant } from './edge-fetch.ts';
import { switchUpstash } from './ratelimit-support.ts';
import { switchableId } from './upstash-namespace.ts';

// A URL per test (this file's namespace, reached under a switchable id): the isolate keeps a
// version reader and its memo per URL, and a test that moved the clock leaves them moved ahead.
const switchableUrl = (id: string) => `${inject('fakeOriginUrl')}/_fake/upstash/${switchableId(id)}`;
const perTestUrl = () => switchableUrl(crypto.randomUUID());
const upstash = (url: string): Partial<Env> => ({ UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: inject('upstashToken') });
const reader = (url: string) => upstashVersions({ ...env, ...upstash(url) } as Env)!;
// Nothing listens on port 1: connections are refused at once. A path per test keeps memos apart.
const refusedUrl = () => `http://127.0.0.1:1/${crypto.randomUUID()}`;
const scopeOf = (tenant: string) => ({ tenant, tags: [], path: `/v1/${tenant}/public/projects` });

/** Counts fetches to URLs under `base`; after `refuse()` (until `heal()`) they fail as a refused connection does. */
function upstashCalls(base: string) {
  const realFetch = globalThis.fetch;
  let refusing = false;
  const spy = vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (refusing && url.startsWith(base)) return Promise.reject(new TypeError('Network connection lost.'));
    return realFetch(input, init);
  });
  return {
    count: () => spy.mock.calls.filter(([input]) => (input instanceof Request ? input.url : String(input)).startsWith(base)).length,
    refuse: () => void (refusing = true),
    heal: () => void (refusing = false),
  };
}

function quietLogs() {
  const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
  return () => spy.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
}

describe('purge versions while Upstash fails', () => {
  afterEach(() => vi.restoreAllMocks());

  it('asks a refusing Upstash once, and gives up on the refusal rather than the timeout', async () => {
    const logs = quietLogs();
    const url = refusedUrl();
    const calls = upstashCalls(url);
    expect(await reader(url).read(scopeOf(freshTenant()))).toBeUndefined();
    expect(calls.count()).toBe(1);
    const [line] = logs();
    expect(line).toMatchObject({ level: 'warn', msg: expect.stringContaining('purge versions unavailable') });
    expect(line!.error).not.toMatch(/abort|timed? ?out/i);
    expect(await reader(url).read(scopeOf(freshTenant()))).toBeUndefined(); // within the memo lifetime: not asked
    expect(calls.count()).toBe(1);
  });

  it('refreshes expired versions with one request while concurrent reads use the last known ones', async () => {
    const clock = mockClock();
    const scope = scopeOf(freshTenant());
    const url = perTestUrl();
    const calls = upstashCalls(url);
    const known = await reader(url).read(scope);
    expect(calls.count()).toBe(1);
    clock.advance(VERSION_MEMO_TTL_MS + 1);
    const reads = await Promise.all(Array.from({ length: 10 }, () => reader(url).read(scope)));
    expect(calls.count()).toBe(2);
    expect(reads).toEqual(Array(10).fill(known));
  });

  it('makes one attempt per memo lifetime when Upstash dies, however many requests read', async () => {
    const logs = quietLogs();
    const clock = mockClock();
    const scope = scopeOf(freshTenant());
    const url = perTestUrl();
    const calls = upstashCalls(url);
    const known = await reader(url).read(scope);
    calls.refuse();
    clock.advance(VERSION_MEMO_TTL_MS + 1);
    const during = await Promise.all(Array.from({ length: 10 }, () => reader(url).read(scope)));
    expect(calls.count()).toBe(2);
    expect(during.filter((read) => read === undefined)).toHaveLength(1); // the one that asked
    expect(during.filter((read) => read !== undefined)).toEqual(Array(9).fill(known));
    const after = await Promise.all(Array.from({ length: 10 }, () => reader(url).read(scope)));
    expect(after).toEqual(Array(10).fill(undefined)); // failing open, without asking
    expect(calls.count()).toBe(2);
    clock.advance(VERSION_MEMO_TTL_MS + 1);
    await Promise.all(Array.from({ length: 10 }, () => reader(url).read(scope)));
    expect(calls.count()).toBe(3);
    expect(logs()).toHaveLength(2);

    calls.heal();
    clock.advance(VERSION_MEMO_TTL_MS + 1);
    expect(await reader(url).read(scope)).toEqual(known);
    expect(calls.count()).toBe(4);
  });

  it('gives up on an Upstash that does not answer within VERSION_READ_TIMEOUT_MS, failing open', async () => {
    const logs = quietLogs();
    const id = crypto.randomUUID();
    await switchUpstash(id, 'hold');
    try {
      expect(await reader(switchableUrl(id)).read(scopeOf(freshTenant()))).toBeUndefined();
    } finally {
      await switchUpstash(id, 'up');
    }
    // The read was aborted (the deadline of the client), not refused.
    expect(logs()).toEqual([
      expect.objectContaining({
        level: 'warn',
        msg: expect.stringContaining('purge versions unavailable'),
        error: expect.stringMatching(/abort|timed? ?out/i),
      }),
    ]);
  });

  it('checks purge versions of concurrent hits with one Upstash request per memo lifetime', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const clock = mockClock();
    const path = `/v1/${freshTenant()}/public/projects`;
    const url = perTestUrl();
    const calls = upstashCalls(url);
    await edgeFetch(path, undefined, upstash(url));
    clock.advance(VERSION_MEMO_TTL_MS + 1);
    const before = calls.count();
    const hits = await Promise.all(Array.from({ length: 8 }, () => edgeFetch(path, undefined, upstash(url))));
    expect(hits.map((hit) => hit.response.headers.get('cache-status'))).toEqual(Array(8).fill(expect.stringMatching(/strata-edge; hit; ttl=\d+$/)));
    expect(calls.count() - before).toBe(1);
  });
});

describe('/_strata/health and Upstash', () => {
  afterEach(() => vi.restoreAllMocks());

  it('says whether Upstash answers, asking a refusing one once', async () => {
    expect((await edgeFetch('/_strata/health', undefined, upstash(perTestUrl()))).json()).toMatchObject({ upstash: 'ok' });
    const url = refusedUrl();
    const calls = upstashCalls(url);
    expect((await edgeFetch('/_strata/health', undefined, upstash(url))).json()).toMatchObject({ upstash: 'unreachable' });
    expect(calls.count()).toBe(1);
    expect((await edgeFetch('/_strata/health')).json()).toMatchObject({ upstash: 'not configured' });
  });

  it('calls an Upstash that holds the PING past its deadline unreachable', async () => {
    const id = crypto.randomUUID();
    await switchUpstash(id, 'hold');
    try {
      expect((await edgeFetch('/_strata/health', undefined, upstash(switchableUrl(id)))).json()).toMatchObject({ upstash: 'unreachable' });
    } finally {
      await switchUpstash(id, 'up');
    }
  });
});

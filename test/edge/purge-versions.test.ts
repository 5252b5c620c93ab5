import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Env } from '../../edge/env.ts';
import { UNSET_VERSION, upstashVersions, VERSION_MEMO_TTL_MS } from '../../edge/purge/index.ts';
import { tagVersionKey, tenantVersionKey } from '../../edge/purge/keys.ts';
import { mockClock } from './clock.ts';
import { freshTenant } from './edge-fetch.ts';
import { deliver, freshId, purgeBindings, setVersion } from './purge-support.ts';

const bindings = (extra: Partial<Env> = {}) => ({ ...env, ...purgeBindings(extra) }) as Env;
const reader = (extra: Partial<Env> = {}) => upstashVersions(bindings(extra))!;

async function purge(message: Record<string, unknown>): Promise<void> {
  const id = freshId();
  expect((await deliver(id, { id, ...message })).json()).toMatchObject({ status: 'purged' });
}

// What happens while Upstash fails: upstash-outage.test.ts.
describe('Upstash purge versions (VersionReader)', () => {
  beforeEach(() => {
    // Purge logs: `purged` is info (standard output), failures are warnings (standard error).
    vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.spyOn(console, 'error').mockImplementation(() => {});
  });
  afterEach(() => vi.restoreAllMocks());

  it('reads unset versions as a stable value, global, tenant, path boundaries, then sorted tags', async () => {
    const t = freshTenant();
    const path = `/v1/${t}/public/projects/1a000000-0000-4000-8000-000000000001`;
    const tagless = await reader().read({ tenant: t, tags: [], path });
    const tagged = await reader().read({ tenant: t, tags: ['z-tag', 'a-tag', 'z-tag'], path });
    // global + tenant + 3 boundaries, then 2 distinct tags.
    expect(tagless).toHaveLength(5);
    expect(tagged).toHaveLength(7);
    expect(tagged!.slice(0, 5)).toEqual(tagless);
    expect(tagless!.slice(1)).toEqual(Array(4).fill(UNSET_VERSION));
  });

  it('is built once per isolate, and is absent without Upstash', () => {
    expect(reader()).toBe(reader());
    expect(upstashVersions(bindings({ UPSTASH_REDIS_REST_URL: undefined }))).toBeUndefined();
    expect(upstashVersions(bindings({ UPSTASH_REDIS_REST_URL: 'not a url' }))).toBeUndefined();
  });

  it('sees a purge made through this isolate at once', async () => {
    const [t, tag] = [freshTenant(), `project:${crypto.randomUUID()}`];
    const scope = { tenant: t, tags: [tag], path: `/v1/${t}/public/projects` };
    const before = await reader().read(scope);
    await purge({ tags: [tag] });
    const afterTag = await reader().read(scope);
    expect(afterTag).not.toEqual(before);
    expect(afterTag!.at(-1)).not.toBe(UNSET_VERSION);
    await purge({ prefixes: [`/v1/${t}/public/projects`] });
    const afterPrefix = await reader().read(scope);
    expect(afterPrefix!.slice(0, -1)).not.toEqual(afterTag!.slice(0, -1));
  });

  it('sees a purge made elsewhere within its memo lifetime (the staleness bound), not sooner', async () => {
    const t = freshTenant();
    const scope = { tenant: t, tags: [], path: `/v1/${t}/public/projects` };
    const before = await reader().read(scope);
    await setVersion(tenantVersionKey(t), 'v-elsewhere');
    expect(await reader().read(scope)).toEqual(before);
    mockClock().advance(VERSION_MEMO_TTL_MS + 1);
    expect((await reader().read(scope))![1]).toBe('v-elsewhere');
  });

  it('asks Upstash once per read, only for what is not memoised', async () => {
    const t = freshTenant();
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    await reader().read({ tenant: t, tags: [], path: `/v1/${t}/public/projects` });
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    await reader().read({ tenant: t, tags: [], path: `/v1/${t}/public/projects` });
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    await reader().read({ tenant: t, tags: ['one-more'], path: `/v1/${t}/public/projects` });
    expect(fetchSpy).toHaveBeenCalledTimes(2);
    expect(String(await (fetchSpy.mock.calls[1]![1]!.body as string))).toContain(tagVersionKey('one-more'));
    expect(String(fetchSpy.mock.calls[1]![1]!.body)).not.toContain(tenantVersionKey(t));
  });
});

/**
 * Tag and tenant invalidation stay correct, and cost the same, with a million unrelated keys in
 * Redis: invalidating writes one version key, whatever else the server holds.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceKey } from '../../common/keys.ts';
import { CacheEngine, createRedisStore, type CacheStore } from '../../origin/cache/index.ts';
import { DEFAULT_POLICIES } from '../../origin/cache-policies.ts';
import { startRedis, type RedisProcess } from '../harness/redis.ts';
import { freshTenant } from './stores.ts';

describe('invalidation among a million unrelated keys', () => {
  let redis: RedisProcess;
  let raw: Redis;
  let store: CacheStore;
  let engine: CacheEngine;

  beforeAll(async () => {
    redis = await startRedis(['--enable-debug-command', 'yes']);
    raw = new Redis(redis.url, { protocol: 2 });
    await raw.call('DEBUG', 'POPULATE', '1000000', 'unrelated');
    store = createRedisStore({ url: redis.url, commandTimeoutMs: 2000, connectTimeoutMs: 2000 });
    await store.connect();
    engine = new CacheEngine({ store });
  }, 120_000);
  afterAll(async () => {
    await engine?.close();
    await store?.close();
    raw?.disconnect();
    await redis?.stop();
  });

  it('drops exactly the tagged entries, then exactly the tenant’s, and never scans', async () => {
    expect(await raw.dbsize()).toBeGreaterThanOrEqual(1_000_000);
    const tenant = freshTenant();
    const other = freshTenant();
    let loads = 0;
    const read = (t: string, id: string, tags: string[]) =>
      engine
        .getOrLoad({ key: resourceKey(t, 'project', id), tenant: t, policy: DEFAULT_POLICIES.resource, tags, load: async () => ++loads })
        .then((r) => r.status);
    const ids = Array.from({ length: 50 }, (_, i) => `p${i}`);
    for (const id of ids) await read(tenant, id, id.endsWith('0') ? ['projects', 'hot'] : ['projects']);
    await read(other, 'p0', ['projects', 'hot']);

    const commandsBefore = Number(/total_commands_processed:(\d+)/.exec(await raw.info('stats'))![1]);
    expect(await engine.invalidateTags(tenant, ['hot'])).toBe(true);
    const commandsAfter = Number(/total_commands_processed:(\d+)/.exec(await raw.info('stats'))![1]);
    expect(commandsAfter - commandsBefore).toBeLessThanOrEqual(3); // the SET, the INFO, and nothing per key

    const afterTag = await Promise.all(ids.map((id) => read(tenant, id, id.endsWith('0') ? ['projects', 'hot'] : ['projects'])));
    expect(afterTag.filter((s) => s === 'miss')).toHaveLength(5);
    expect(await read(other, 'p0', ['projects', 'hot'])).toBe('hit');

    expect(await engine.invalidateTenant(tenant)).toBe(true);
    const afterTenant = await Promise.all(ids.map((id) => read(tenant, id, ['projects'])));
    expect(afterTenant.every((s) => s === 'miss')).toBe(true);
    expect(await read(other, 'p0', ['projects', 'hot'])).toBe('hit');
    const slow = (await raw.call('SLOWLOG', 'GET', '10')) as unknown[];
    expect(JSON.stringify(slow)).not.toMatch(/KEYS|SCAN/i);
    expect(await raw.dbsize()).toBeGreaterThanOrEqual(1_000_000);
  });
});

/**
 * A Redis that hangs instead of dying (SIGSTOP): its connections stay open and nothing comes
 * back. The command timeout must drop the connection, reads must come from the loader, and the
 * engine must recover by itself once the server answers again. And an invalidation that could
 * not reach Redis at all must not let the entries it voids come back with it. Each test owns
 * its servers.
 */
import { Cluster } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { resourceKey } from '../../common/keys.ts';
import { CacheEngine, createBreaker, createRedisClusterStore, createRedisStore } from '../../origin/cache/index.ts';
import { DEFAULT_POLICIES } from '../../origin/cache-policies.ts';
import { eventually } from '../harness/eventually.ts';
import { startRedis, startRedisCluster, type RedisCluster, type RedisProcess } from '../harness/redis.ts';
import { clusterNodes, freshTenant } from './stores.ts';

const policy = DEFAULT_POLICIES.resource;
const timeouts = { commandTimeoutMs: 300, connectTimeoutMs: 300 };

describe('a standalone Redis that hangs', () => {
  let redis: RedisProcess | undefined;
  afterAll(async () => {
    redis?.resume();
    await redis?.stop();
  });

  it('times out reads sent alone and reads sent together, serves them from the loader, and recovers', async () => {
    redis = await startRedis();
    const store = createRedisStore({ url: redis.url, ...timeouts });
    await store.connect();
    const breaker = createBreaker({ errorThresholdPercentage: 50, volumeThreshold: 3, resetTimeoutMs: 300, rollingCountTimeoutMs: 10_000 });
    const errors: string[] = [];
    const engine = new CacheEngine({ store, breaker, onError: (_, { operation }) => errors.push(operation) });
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    let loads = 0;
    let source: string | undefined;
    const read = (k = key) => engine.getOrLoad({ key: k, tenant, policy, load: async () => (k === key && source) || `v${++loads}` });
    expect((await read()).status).toBe('miss');
    expect((await read()).status).toBe('hit');

    redis.pause();
    // A lone read: the connection had nothing else waiting when it was sent.
    const alone = await read();
    expect(alone).toEqual({ status: 'bypass', value: expect.stringMatching(/^v\d+$/) });
    // Reads of different keys at once (batched while others wait).
    const together = await Promise.all(Array.from({ length: 5 }, (_, i) => read(resourceKey(tenant, 'project', `q${i}`))));
    expect(together.every((r) => r.status === 'bypass' && r.value !== undefined)).toBe(true);
    // A write-through still succeeds: the source has the value, the cache write is reported.
    await expect(engine.writeThrough({ key, tenant, policy }, async () => (source = 'written'))).resolves.toBe('written');
    expect(errors).toContain('set');
    expect(engine.breakerState()).toBe('open');
    // A process that starts meanwhile: the handshake gets no answer, and connecting fails.
    const late = createRedisStore({ url: redis.url, ...timeouts });
    await expect(late.connect()).rejects.toThrow();
    await late.close();

    redis.resume();
    const recovered = await eventually(
      'reads through Redis again',
      () => read(),
      (r) => r.status === 'hit' || r.status === 'miss',
    );
    // The cache write failed, so the old entry may still be in Redis: it must not come back.
    expect(recovered.value).toBe('written');
    expect(engine.breakerState()).toBe('closed');
    await engine.close();
    await store.close();
  });
});

describe('an invalidation made while Redis is down', () => {
  let redis: RedisProcess | undefined;
  afterAll(async () => redis?.stop());

  it('is replayed once Redis is back, and the old entries are never served meanwhile', async () => {
    // An append-only file, so the entries outlive the outage (as they would on a replica
    // promoted by a failover, or behind a network partition).
    redis = await startRedis(['--appendonly', 'yes', '--appendfsync', 'always']);
    const store = createRedisStore({ url: redis.url, ...timeouts });
    await store.connect();
    const breaker = createBreaker({ errorThresholdPercentage: 50, volumeThreshold: 3, resetTimeoutMs: 300, rollingCountTimeoutMs: 10_000 });
    const engine = new CacheEngine({ store, breaker });
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    const other = freshTenant();
    const untouched = resourceKey(other, 'project', 'p1');
    let source = 'v0';
    const read = (k = key) => engine.getOrLoad({ key: k, tenant: k === untouched ? other : tenant, policy, tags: ['projects'], load: async () => source });
    await read();
    await read(untouched);
    expect(await read()).toEqual({ value: 'v0', status: 'hit' });

    await redis.kill();
    // The write reached the source; its invalidation cannot reach Redis.
    source = 'v1';
    expect(await engine.invalidateTags(tenant, ['projects'])).toBe(false);
    expect(engine.pendingInvalidations()).toBe(1);
    await redis.restart();

    // From here on, every read must see v1: from the source until the invalidation lands, then
    // through the cache. Without the replay, the breaker closing would bring back the v0 entry.
    const seen: string[] = [];
    const settled = await eventually(
      'reads of the tenant to go through Redis again',
      async () => {
        const result = await read();
        seen.push(`${result.status}:${String(result.value)}`);
        return result;
      },
      (result) => result.status === 'hit',
    );
    expect(settled.value).toBe('v1');
    expect(seen.every((entry) => entry.endsWith(':v1'))).toBe(true);
    expect(engine.pendingInvalidations()).toBe(0);
    // Other tenants were never held back.
    expect(await read(untouched)).toMatchObject({ status: 'hit' });
    await engine.close();
    await store.close();
  });
});

describe('a cluster master that hangs', () => {
  let cluster: RedisCluster | undefined;
  afterAll(async () => {
    for (const node of cluster?.nodes ?? []) node.resume();
    await cluster?.stop();
  });

  it('times out only the reads that master owns; the other masters keep answering', async () => {
    cluster = await startRedisCluster();
    const nodes = clusterNodes(cluster.seeds);
    const store = createRedisClusterStore({ nodes, ...timeouts });
    await store.connect();
    const keys = Array.from({ length: 30 }, () => resourceKey(freshTenant(), 'project', 'p1'));
    await store.setMany(keys.map((k) => ({ key: k, value: k, ttlMs: 60_000 })));

    const inspector = new Cluster(nodes, { redisOptions: { protocol: 2 } });
    const ownerOf = async (k: string) => inspector.slots[Number(await inspector.cluster('KEYSLOT', k))]![0]!;
    const owners = await Promise.all(keys.map(ownerOf));
    inspector.disconnect();
    const hungAddress = owners[0]!;
    const hung = cluster.nodes.find((node) => `127.0.0.1:${node.port}` === hungAddress)!;
    const elsewhere = keys.filter((_, i) => owners[i] !== hungAddress);
    const onHung = keys.filter((_, i) => owners[i] === hungAddress);
    expect(elsewhere.length).toBeGreaterThan(0);

    hung.pause();
    try {
      // A lone read of a key on the hung master, then reads of every key at once.
      await expect(store.get(onHung[0]!)).rejects.toThrow();
      const during = await Promise.allSettled(keys.map((k) => store.get(k)));
      keys.forEach((k, i) => {
        if (owners[i] === hungAddress) expect(during[i]!.status).toBe('rejected');
        else expect(during[i]).toEqual({ status: 'fulfilled', value: k });
      });
    } finally {
      hung.resume();
    }
    // The master answers again (or its replica took over meanwhile): its keys come back.
    await eventually(
      'the hung master to answer again',
      () => store.get(onHung[0]!).catch(() => undefined),
      (value) => value === onHung[0],
    );
    await store.close();
    // Starting a cluster alone takes 5-10 s; beside other suites' clusters, more.
  }, 90_000);
});

/**
 * A cluster master killed with SIGKILL fails over to its replica, then comes back on its old
 * address and rejoins as a replica of the promoted node. The store still has connections (and,
 * for a moment, a slot map) that lead to that address, where writes are now refused (a replica
 * answers MOVED for its master's slots; a connection in READONLY mode would read stale data).
 * Writes must land on the new master, reads must return them, the breaker must stay closed,
 * and a client seeded with the rejoined node alone must find the new master. Counted, not timed.
 */
import { Cluster, Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { resourceKey } from '../../common/keys.ts';
import { CacheEngine, createRedisClusterStore } from '../../origin/cache/index.ts';
import { DEFAULT_POLICIES } from '../../origin/cache-policies.ts';
import { eventually } from '../harness/eventually.ts';
import { startRedisCluster, type RedisCluster } from '../harness/redis.ts';
import { clusterNodes, freshTenant } from './stores.ts';

const policy = DEFAULT_POLICIES.resource;

async function role(url: string): Promise<string> {
  const admin = new Redis(url, { protocol: 2, lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await admin.connect();
    const [name, , , state] = (await admin.role()) as [string, unknown, unknown, string];
    return name === 'slave' ? `replica ${state}` : name;
  } catch (error) {
    return `down: ${(error as Error).message}`;
  } finally {
    admin.disconnect();
  }
}

describe('a killed cluster master that rejoins as a replica', () => {
  let cluster: RedisCluster;
  afterAll(async () => cluster?.stop());

  it('takes writes on the promoted master and reads them back, through connections that led to the old one', async () => {
    cluster = await startRedisCluster();
    const nodes = clusterNodes(cluster.seeds);
    const store = createRedisClusterStore({ nodes, commandTimeoutMs: 2000, connectTimeoutMs: 500 });
    await store.connect();
    const engine = new CacheEngine({ store });
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    const raw = Array.from({ length: 5 }, (_, i) => resourceKey(tenant, 'raw', `r${i}`));
    let loads = 0;
    const read = () => engine.getOrLoad({ key, tenant, policy, load: async () => (loads++, `loaded ${loads}`) });
    expect((await read()).status).toBe('miss');

    const inspector = new Cluster(nodes, { redisOptions: { protocol: 2 } });
    const owner = inspector.slots[Number(await inspector.cluster('KEYSLOT', key))]![0]!;
    inspector.disconnect();
    const victim = cluster.nodes.find((node) => `127.0.0.1:${node.port}` === owner)!;
    await victim.kill();
    const promoted = cluster.nodes.filter((node) => node !== victim);
    await eventually(
      'a replica promoted for the dead master',
      async () => (await Promise.all(promoted.map((node) => role(node.url)))).filter((r) => r === 'master').length,
      (masters) => masters === 3,
    );

    await victim.restart();
    await eventually(
      'the old master to rejoin as a replica in sync',
      () => role(victim.url),
      (r) => r === 'replica connected',
    );

    // Writes of the tenant (one pipelined batch and single ones) land, and are read back.
    await eventually(
      'writes through the store',
      () =>
        store.setMany(raw.map((k) => ({ key: k, value: `v ${k}`, ttlMs: 60_000 }))).then(
          () => 'ok',
          (error: Error) => error.message,
        ),
      (outcome) => outcome === 'ok',
    );
    expect(await store.getMany(raw)).toEqual(raw.map((k) => `v ${k}`));
    await store.set(raw[0]!, 'single', 60_000);
    expect(await store.get(raw[0]!)).toBe('single');

    // The engine: one miss at most (the entry written before the kill may not have replicated), then hits.
    const loadsBefore = loads;
    const afterRejoin = await read();
    expect(['hit', 'miss']).toContain(afterRejoin.status);
    expect(await read()).toMatchObject({ status: 'hit', value: afterRejoin.value });
    expect(loads - loadsBefore).toBeLessThanOrEqual(1);
    expect(engine.breakerState()).toBe('closed');

    // A client that knows only the rejoined node learns the new master from it.
    const fresh = createRedisClusterStore({ nodes: [{ host: '127.0.0.1', port: victim.port }], commandTimeoutMs: 2000, connectTimeoutMs: 500 });
    try {
      await fresh.connect();
      await fresh.set(raw[1]!, 'from a client seeded with the replica', 60_000);
      expect(await store.get(raw[1]!)).toBe('from a client seeded with the replica');
    } finally {
      await fresh.close();
      await engine.close();
      await store.close();
    }
  }, 90_000);
});

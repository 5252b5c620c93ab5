/**
 * One master of a cluster hangs (SIGSTOP: its connections stay open, nothing comes back) while
 * reads of every master travel in one batch. The other masters' keys must be answered by
 * Redis as soon as their masters answer, not held until the hung master's commands time out.
 * Counted, not timed: the command timeout is far longer than the test, so at the moment the
 * healthy reads are answered, no read of the hung master may have reached the loader yet.
 */
import { Cluster } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { resourceKey } from '../../common/keys.ts';
import { CacheEngine, createRedisClusterStore } from '../../origin/cache/index.ts';
import { DEFAULT_POLICIES } from '../../origin/cache-policies.ts';
import { startRedisCluster, type RedisCluster } from '../harness/redis.ts';
import { clusterNodes, freshTenant } from './stores.ts';

const policy = DEFAULT_POLICIES.resource;

describe('reads batched with a hung master’s keys', () => {
  let cluster: RedisCluster | undefined;
  afterAll(async () => {
    for (const node of cluster?.nodes ?? []) node.resume();
    await cluster?.stop();
  });

  it('are answered by the other masters without waiting for it', async () => {
    cluster = await startRedisCluster();
    const nodes = clusterNodes(cluster.seeds);
    // Longer than the test: a read that waited for the hung master could not be answered at all.
    const store = createRedisClusterStore({ nodes, commandTimeoutMs: 60_000, connectTimeoutMs: 2_000 });
    await store.connect();
    const engine = new CacheEngine({ store });
    const tenants = Array.from({ length: 30 }, () => freshTenant());
    const entries = tenants.map((tenant) => ({ key: resourceKey(tenant, 'project', 'p1'), tenant }));
    let loads = 0;
    const read = (entry: (typeof entries)[number]) => engine.getOrLoad({ ...entry, policy, load: async () => (loads++, entry.key) });
    for (const entry of entries) await read(entry);
    loads = 0;

    const inspector = new Cluster(nodes, { redisOptions: { protocol: 2 } });
    const ownerOf = async (key: string) => inspector.slots[Number(await inspector.cluster('KEYSLOT', key))]![0]!;
    const owners = await Promise.all(entries.map((entry) => ownerOf(entry.key)));
    inspector.disconnect();
    const hungAddress = owners[0]!;
    const hung = cluster.nodes.find((node) => `127.0.0.1:${node.port}` === hungAddress)!;
    const onHung = entries.filter((_, i) => owners[i] === hungAddress);
    const elsewhere = entries.filter((_, i) => owners[i] !== hungAddress);
    expect(new Set(owners).size).toBe(3);

    hung.pause();
    try {
      // A read of the hung master goes out alone and stays out; every read after it waits for
      // the end of the turn and leaves in one batch spanning the three masters.
      const first = read(onHung[0]!);
      const hungReads = onHung.slice(1).map(read);
      const healthy = await Promise.all(elsewhere.map(read));
      expect(healthy).toEqual(elsewhere.map((entry) => ({ value: entry.key, status: 'hit' })));
      // Answered while every read of the hung master was still out: none has gone to the loader.
      expect(loads).toBe(0);
      hung.resume();
      const late = await Promise.all([first, ...hungReads]);
      expect(late.map((result) => result.value)).toEqual(onHung.map((entry) => entry.key));
    } finally {
      hung.resume();
    }
    await engine.close();
    await store.close();
    // Starting a cluster alone takes 5-10 s; beside other suites' clusters, more.
  }, 90_000);
});

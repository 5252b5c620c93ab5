/**
 * A cluster slot migrated under the store (CLUSTER SETSLOT … IMPORTING / MIGRATING, MIGRATE of
 * part of its keys, then SETSLOT … NODE): the store groups keys by its own slot map and sends one
 * pipelined MGET or SET per node, which Redis answers with ASK / TRYAGAIN while the slot is split
 * and with MOVED once it moved. Every read must still be answered from Redis with the right
 * value (no miss, no loader call, breaker closed), and every write must land, during the
 * migration and after it, without a restart. Counted, not timed.
 */
import calculateSlot from 'cluster-key-slot';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceKey } from '../../common/keys.ts';
import { CacheEngine, createRedisClusterStore, type CacheStore } from '../../origin/cache/index.ts';
import { DEFAULT_POLICIES } from '../../origin/cache-policies.ts';
import { startRedisCluster, type RedisCluster } from '../harness/redis.ts';
import { clusterNodes, freshTenant } from './stores.ts';

const policy = DEFAULT_POLICIES.resource;

/** Moves one slot from its master to another, in the steps `redis-cli --cluster reshard` takes. */
async function slotMover(cluster: RedisCluster, slot: number) {
  const admins = cluster.nodes.map((node) => new Redis(node.url, { protocol: 2 }));
  const ids = await Promise.all(admins.map(async (admin) => String(await admin.call('CLUSTER', 'MYID'))));
  const masters = (await Promise.all(admins.map(async (admin, i) => ((await admin.role())[0] === 'master' ? i : -1)))).filter((i) => i >= 0);
  const counts = await Promise.all(masters.map(async (i) => Number(await admins[i]!.call('CLUSTER', 'COUNTKEYSINSLOT', slot))));
  const source = masters[counts.findIndex((n) => n > 0)]!;
  const target = masters.find((i) => i !== source)!;
  const keysLeft = async () => (await admins[source]!.call('CLUSTER', 'GETKEYSINSLOT', slot, 1000)) as string[];
  const migrate = (keys: string[]) => admins[source]!.call('MIGRATE', '127.0.0.1', cluster.nodes[target]!.port, '', 0, 5000, 'KEYS', ...keys);
  return {
    /** Marks the slot as moving and migrates `share` of its keys: the slot is split between two masters. */
    async start(share: number) {
      await admins[target]!.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', ids[source]!);
      await admins[source]!.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', ids[target]!);
      const keys = await keysLeft();
      await migrate(keys.slice(0, Math.ceil(keys.length * share)));
      return { migrated: keys.length - (await keysLeft()).length, left: (await keysLeft()).length };
    },
    /** Migrates the rest and gives the slot to the target on every master. */
    async finish() {
      const keys = await keysLeft();
      if (keys.length > 0) await migrate(keys);
      for (const i of [target, source, ...masters.filter((m) => m !== source && m !== target)])
        await admins[i]!.call('CLUSTER', 'SETSLOT', slot, 'NODE', ids[target]!);
    },
    owner: async () => {
      const counts = await Promise.all(masters.map(async (i) => Number(await admins[i]!.call('CLUSTER', 'COUNTKEYSINSLOT', slot))));
      return { source: counts[masters.indexOf(source)], target: counts[masters.indexOf(target)] };
    },
    close: () => admins.forEach((admin) => admin.disconnect()),
  };
}

describe('a cluster slot resharded while the store reads and writes', () => {
  let cluster: RedisCluster;
  let store: CacheStore;
  beforeAll(async () => {
    cluster = await startRedisCluster();
    store = createRedisClusterStore({ nodes: clusterNodes(cluster.seeds), commandTimeoutMs: 5000, connectTimeoutMs: 2000 });
    await store.connect();
  });
  afterAll(async () => {
    await store?.close();
    await cluster?.stop();
  });

  it('answers every read from Redis and lands every write, while the slot is split and after it moved', async () => {
    const tenant = freshTenant();
    const others = Array.from({ length: 6 }, () => freshTenant());
    const keys = Array.from({ length: 8 }, (_, i) => resourceKey(tenant, 'project', `p${i}`));
    const elsewhere = others.map((other) => resourceKey(other, 'project', 'p0'));
    const slot = calculateSlot(keys[0]!);
    expect(new Set(keys.map((key) => calculateSlot(key)))).toEqual(new Set([slot])); // the tenant hash tag
    const all = [...keys, ...elsewhere];
    await store.setMany(all.map((key) => ({ key, value: `v1 ${key}`, ttlMs: 600_000 })));
    const mover = await slotMover(cluster, slot);
    try {
      expect(await mover.start(0.5)).toEqual({ migrated: 4, left: 4 });

      // Split: pipelined and multi-key reads of the slot are refused (ASK, TRYAGAIN) and resent.
      expect(await store.getMany(all)).toEqual(all.map((key) => `v1 ${key}`));
      expect(await Promise.all(all.map((key) => store.get(key)))).toEqual(all.map((key) => `v1 ${key}`));
      await store.setMany(all.map((key) => ({ key, value: `v2 ${key}`, ttlMs: 600_000 })));
      expect(await store.getMany(all)).toEqual(all.map((key) => `v2 ${key}`));

      // Through the engine: every read a hit, none reaches the loader, the breaker stays closed.
      const engine = new CacheEngine({ store });
      let loads = 0;
      const tenantOf = (key: string) => /\{([^}]+)\}/.exec(key)![1]!;
      const read = (key: string) => engine.getOrLoad({ key, tenant: tenantOf(key), policy, load: async () => (loads++, key) });
      for (const key of all) expect((await read(key)).status).toBe('miss'); // filled through the engine's own encoding
      expect((await Promise.all(all.map(read))).map((answer) => answer.status)).toEqual(all.map(() => 'hit'));
      expect(loads).toBe(all.length);

      // Moved: the store's slot map is now wrong for this slot (MOVED) until ioredis refreshes it.
      await mover.finish();
      expect(await mover.owner()).toEqual({ source: 0, target: expect.any(Number) });
      expect((await Promise.all(all.map(read))).map((answer) => answer.status)).toEqual(all.map(() => 'hit'));
      expect(loads).toBe(all.length);
      await store.setMany(keys.map((key) => ({ key, value: `v3 ${key}`, ttlMs: 600_000 })));
      expect(await store.getMany(keys)).toEqual(keys.map((key) => `v3 ${key}`));
      expect(engine.breakerState()).toBe('closed');
      await engine.close();
    } finally {
      mover.close();
    }
  });
});

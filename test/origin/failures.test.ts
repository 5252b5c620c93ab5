/**
 * Real failures: a SIGKILLed Redis, a SIGKILLed cluster master, and several processes missing
 * the same key at once. Each test owns its servers, so killing them disturbs no other test.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { resourceKey } from '../../common/keys.ts';
import {
  CacheEngine,
  createBreaker,
  createRedisClusterStore,
  createRedisStore,
  encryptCodec,
  generateKey,
  parseKeyring,
  VERSION_KEY_PREFIX,
  versionKey,
} from '../../origin/cache/index.ts';
import { DEFAULT_POLICIES } from '../../origin/cache-policies.ts';
import { DEFAULT_SESSION_OPTIONS, SessionStore } from '../../origin/sessions/store.ts';
import { eventually } from '../harness/eventually.ts';
import { startRedis, startRedisCluster, type RedisCluster, type RedisProcess } from '../harness/redis.ts';
import { memorySessionSource } from './session-source.ts';
import { clusterNodes, freshTenant } from './stores.ts';

const run = promisify(execFile);
const policy = DEFAULT_POLICIES.resource;

describe('Redis killed under the engine', () => {
  let redis: RedisProcess;
  afterAll(async () => redis?.stop());

  it('serves every read from the loader, opens the breaker, and closes it once Redis is back', async () => {
    redis = await startRedis();
    const store = createRedisStore({ url: redis.url, commandTimeoutMs: 500, connectTimeoutMs: 500 });
    await store.connect();
    const breaker = createBreaker({ errorThresholdPercentage: 50, volumeThreshold: 3, resetTimeoutMs: 300, rollingCountTimeoutMs: 10_000 });
    const engine = new CacheEngine({ store, breaker });
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    let loads = 0;
    const read = () => engine.getOrLoad({ key, tenant, policy, load: async () => `v${++loads}` });
    expect((await read()).status).toBe('miss');
    expect((await read()).status).toBe('hit');

    await redis.kill();
    const degraded = [];
    for (let i = 0; i < 10; i++) degraded.push(await read());
    expect(degraded.every((r) => r.status === 'bypass' && r.value !== undefined)).toBe(true);
    expect(engine.breakerState()).toBe('open');

    await redis.restart();
    const recovered = await eventually('reads through Redis again', read, (r) => r.status === 'miss' || r.status === 'hit');
    expect(recovered.value).toMatch(/^v\d+$/);
    expect(engine.breakerState()).toBe('closed');
    await engine.close();
    await store.close();
  });
});

describe('a cluster master killed with SIGKILL', () => {
  let cluster: RedisCluster;
  afterAll(async () => cluster?.stop());

  it('fails over to the replica; the engine recovers without a restart and the acknowledged session survives', async () => {
    cluster = await startRedisCluster();
    const nodes = clusterNodes(cluster.seeds);
    // WAIT needs the replica's acknowledgement; on a loaded 2-core machine that took more than
    // 400 ms once, so the session store gets 2 s (bounded by the command timeout).
    const store = createRedisClusterStore({ nodes, commandTimeoutMs: 2500, connectTimeoutMs: 500 });
    await store.connect();
    const breaker = createBreaker({ errorThresholdPercentage: 50, volumeThreshold: 5, resetTimeoutMs: 500, rollingCountTimeoutMs: 5_000 });
    const engine = new CacheEngine({ store, breaker });
    const { source, rows } = memorySessionSource();
    const codec = encryptCodec(parseKeyring(`k1:${generateKey()}`));
    const sessions = new SessionStore({ store, breaker, source, codec, options: { ...DEFAULT_SESSION_OPTIONS, replicas: 1, replicaTimeoutMs: 2000 } });

    const tenant = freshTenant();
    const { token, replicated } = await sessions.create(tenant, '0a000000-0000-4000-8000-00000000000a');
    expect(replicated).toBe(1);
    const key = resourceKey(tenant, 'project', 'p1');
    await engine.getOrLoad({ key, tenant, policy, load: async () => 'before' });

    // Kill the master that owns the tenant's slot (sessions and entries share it).
    const inspector = new Cluster(nodes, { redisOptions: { protocol: 2 } });
    const slot = Number(await inspector.cluster('KEYSLOT', key));
    const owner = inspector.slots[slot]![0]!;
    // Keys of other tenants, some on the other masters: their reads must not fail with the victim.
    const others = Array.from({ length: 30 }, () => resourceKey(freshTenant(), 'project', 'p1'));
    await store.setMany(others.map((k) => ({ key: k, value: k, ttlMs: 60_000 })));
    const ownerOf = async (k: string) => inspector.slots[Number(await inspector.cluster('KEYSLOT', k))]![0]!;
    const elsewhere = (await Promise.all(others.map(async (k) => ((await ownerOf(k)) === owner ? undefined : k)))).filter((k) => k !== undefined);
    inspector.disconnect();
    expect(elsewhere.length).toBeGreaterThan(0);
    const victim = cluster.nodes.find((node) => `127.0.0.1:${node.port}` === owner)!;
    await victim.kill();

    // Reads started together (batched by node) while one master is dead: the others answer theirs.
    const during = await Promise.allSettled([key, ...others].map((k) => store.get(k)));
    const answered = new Map([key, ...others].map((k, i) => [k, during[i]!]));
    for (const k of elsewhere) expect(answered.get(k)).toEqual({ status: 'fulfilled', value: k });

    const survivor = cluster.nodes.find((node) => node !== victim)!;
    await eventually(
      'the replica to be promoted',
      () => run('redis-cli', ['-p', String(survivor.port), 'cluster', 'info']).then((r) => r.stdout),
      (info) => info.includes('cluster_state:ok'),
    );
    await eventually(
      'the session read from Redis',
      () => sessions.get(tenant, token),
      (r) => r?.status === 'hit',
    );
    // Empty the source: the session can now only come from the promoted replica.
    rows.clear();
    const read = await sessions.get(tenant, token);
    expect(read).toMatchObject({ status: 'hit', session: { tenant } });
    const entry = await eventually(
      'engine reads through Redis',
      () => engine.getOrLoad({ key, tenant, policy, load: async () => 'after' }),
      (r) => r.status === 'hit' || r.status === 'miss',
    );
    expect(['before', 'after']).toContain(entry.value);

    // Versions are held again once a report connection reaches the promoted master, and another
    // process's invalidation of the tenant still gets through.
    const tracked = store.track!(VERSION_KEY_PREFIX);
    await eventually(
      'version tracking on the new master',
      async () => tracked.live,
      (live) => live,
    );
    const writerStore = createRedisClusterStore({ nodes, commandTimeoutMs: 500, connectTimeoutMs: 500 });
    const writer = new CacheEngine({ store: writerStore });
    try {
      await writerStore.connect();
      // Hold the tenant's version (read through the promoted master), so only its report can
      // tell this process of the invalidation.
      await eventually(
        'the version held',
        async () => (await engine.getOrLoad({ key, tenant, policy, load: async () => 'after' }), tracked.getAll([versionKey(tenant)])),
        (held) => held !== undefined,
      );
      expect(await writer.invalidateTenant(tenant)).toBe(true);
      const renewed = await eventually(
        'the invalidation to reach the reader',
        () => engine.getOrLoad({ key, tenant, policy, load: async () => 'renewed' }),
        (r) => r.value === 'renewed',
        1_000,
      );
      expect(renewed.status).toBe('miss');
    } finally {
      await writer.close();
      await writerStore.close();
      await engine.close();
      breaker.shutdown();
      await store.close();
    }
  }, 90_000);
});

describe('two processes missing one key together', () => {
  let redis: RedisProcess;
  afterAll(async () => redis?.stop());

  it('load it once between them', async () => {
    redis = await startRedis();
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'hot');
    const counter = `loads:${key}`;
    // Each child's load waits until both children are reading (stampede-child.ts): they overlap.
    const child = () => run(process.execPath, ['test/origin/fixtures/stampede-child.ts', redis.url, tenant, key, counter, '2'], { timeout: 20_000 });
    const outputs = await Promise.all([child(), child()]);
    const statuses = outputs.flatMap((o) => JSON.parse(o.stdout) as string[]);
    expect(statuses).toHaveLength(400);
    const raw = new Redis(redis.url, { protocol: 2 });
    expect(Number(await raw.get(counter))).toBe(1);
    raw.disconnect();
  });
});

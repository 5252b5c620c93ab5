/**
 * With a dedicated sessions cluster (REDIS_SESSIONS_CLUSTER_NODES), sessions live there and not
 * in the cache store whose LRU eviction could otherwise log people out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { sessionKey } from '../../common/keys.ts';
import { createRedisClusterStore, createRedisStore } from '../../origin/cache/index.ts';
import { readToken } from '../../origin/sessions/token.ts';
import { loadConfig } from '../../origin/config.ts';
import { seedDemoData, DEMO_TENANTS } from '../../origin/db/seed.ts';
import { buildServices, type Services } from '../../origin/services.ts';
import { clusterNodes } from './stores.ts';
import { fileRedisUrl } from '../harness/file-redis.ts';

describe('a dedicated sessions cluster', () => {
  let services: Services;
  beforeAll(async () => {
    const config = loadConfig({ REDIS_URL: fileRedisUrl(), REDIS_SESSIONS_CLUSTER_NODES: inject('redisClusterNodes'), PGLITE_DIR: 'memory://' });
    expect(config.sessionsCache).toMatchObject({ kind: 'redis-cluster' });
    services = await buildServices(config);
    await seedDemoData(services.db);
  });
  afterAll(async () => services?.close());

  it('holds sessions, acknowledged by a replica, while the cache store does not', async () => {
    const user = DEMO_TENANTS[0]!.users[0]!;
    const { token, replicated } = await services.sessions.create('acme', user.id);
    expect(replicated).toBe(1);
    const key = sessionKey('acme', user.id, readToken(token)!.sid);
    const timeouts = { commandTimeoutMs: 1000, connectTimeoutMs: 1000 };
    const cluster = createRedisClusterStore({ nodes: clusterNodes(inject('redisClusterNodes')), ...timeouts });
    const standalone = createRedisStore({ url: fileRedisUrl(), ...timeouts });
    await Promise.all([cluster.connect(), standalone.connect()]);
    expect(await cluster.get(key)).toEqual(expect.stringMatching(/\S/));
    expect(await standalone.get(key)).toBeUndefined();
    expect((await services.sessions.get('acme', token))?.status).toBe('hit');
    await Promise.all([cluster.close(), standalone.close()]);
  });
});

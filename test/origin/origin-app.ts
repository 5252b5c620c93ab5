/**
 * Builds the origin app the way production does (composition root, migrations, demo seed) over
 * a test database and a chosen cache store.
 */
import type { Hono } from 'hono';
import { inject } from 'vitest';
import { createApp } from '../../origin/app.ts';
import { loadConfig } from '../../origin/config.ts';
import type { StoreConfig } from '../../origin/cache/index.ts';
import { seedDemoData } from '../../origin/db/seed.ts';
import { buildServices, type Services } from '../../origin/services.ts';
import { createTestDatabase, type TestDatabase } from './databases.ts';
import { fileRedisUrl } from '../harness/file-redis.ts';

/** The cache stores origin tests cover. */
export const CACHE_KINDS = ['redis', 'redis-cluster', 'memory'] as const;
export type CacheKind = (typeof CACHE_KINDS)[number];

/** The harness's store of `kind` as the origin's configuration would describe it. */
export function cacheConfig(kind: CacheKind, redisUrl = fileRedisUrl()): StoreConfig {
  const env = kind === 'redis' ? { REDIS_URL: redisUrl } : kind === 'redis-cluster' ? { REDIS_CLUSTER_NODES: inject('redisClusterNodes') } : {};
  return loadConfig({ ...env, REDIS_COMMAND_TIMEOUT_MS: '1000' }).cache;
}

/** A running origin app with its services and database. */
export interface TestOrigin {
  app: Hono;
  services: Services;
  close(): Promise<void>;
}

/** Opens a seeded database of `dbKind`, the cache, and the app over them. */
export async function startTestOrigin(dbKind: 'pglite' | 'postgres', cache: StoreConfig): Promise<TestOrigin> {
  const db: TestDatabase = await createTestDatabase(dbKind);
  const services = await buildServices({ database: db.config, cache });
  await seedDemoData(services.db);
  return {
    app: createApp(services),
    services,
    async close() {
      await services.close();
      await db.cleanup();
    },
  };
}

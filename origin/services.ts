/**
 * The origin's composition root: builds every service once per process (or Lambda instance)
 * from the parsed configuration and hands them to the app.
 */
import { CacheEngine } from './cache/engine.ts';
import { createCacheStore } from './cache/index.ts';
import type { CacheStore } from './cache/interface.ts';
import type { OriginConfig } from './config.ts';
import { openDatabase, type Database } from './db/index.ts';
import { log } from './log.ts';
import { ProjectRepository } from './projects/repository.ts';
import { PublicProjects } from './projects/service.ts';

/** What `/health` reports. The cache is optional: its failure degrades, it does not fail health. */
export interface Health {
  ok: boolean;
  database: { kind: Database['kind']; status: 'ok' | 'down' };
  cache: { store: string; status: 'ok' | 'down'; breaker: 'closed' | 'open' | 'half-open' };
}

/** The services the HTTP app is built from. */
export interface Services {
  readonly db: Database;
  readonly cache: CacheStore;
  readonly engine: CacheEngine;
  readonly projects: PublicProjects;
  health(): Promise<Health>;
  close(): Promise<void>;
}

/** Opens the database and the cache store and wires the services over them. */
export async function buildServices(config: Pick<OriginConfig, 'database' | 'cache'>): Promise<Services> {
  const db = await openDatabase(config.database);
  const cache = createCacheStore(config.cache);
  // A cache that is down at start-up is not fatal: the store reconnects on its own.
  await cache.connect().catch((error: unknown) => log.warn('cache store unreachable at start-up', { store: cache.name, error: String(error) }));
  if (config.cache.kind === 'memory') {
    log.warn('no REDIS_URL or REDIS_CLUSTER_NODES: caching in process memory, not shared between instances');
  }
  const engine = new CacheEngine({
    store: cache,
    onError: (error, context) => log.warn('cache degraded', { ...context, error: String(error) }),
  });
  const projects = new PublicProjects(new ProjectRepository(db), engine);

  return {
    db,
    cache,
    engine,
    projects,
    async health() {
      const [database, store] = await Promise.all([
        db.query('SELECT 1').then(() => 'ok' as const, () => 'down' as const),
        cache.ping().then(() => 'ok' as const, () => 'down' as const),
      ]);
      return { ok: database === 'ok', database: { kind: db.kind, status: database }, cache: { store: cache.name, status: store, breaker: engine.breakerState() } };
    },
    async close() {
      await engine.close();
      await Promise.allSettled([cache.close(), db.close()]);
    },
  };
}


/**
 * `npm run bench -- origin-read`: the cost of a public list read at the origin.
 *   floor   a raw ioredis GET of the cached bytes (no cache layer can beat it)
 *   peer    the brief's CacheWrapper hit path: GET + JSON.parse, nothing else
 *   strata  CacheEngine.getOrLoad on a hit, and the full route (Hono, JSON, ETag) on a hit
 *   source  the same read from PostgreSQL (PGlite) with no cache
 * All against one local redis-server started for the run.
 */
import { Redis } from 'ioredis';
import { createApp } from '../origin/app.ts';
import { seedDemoData } from '../origin/db/seed.ts';
import { ProjectRepository } from '../origin/projects/repository.ts';
import { projectListKey } from '../origin/projects/service.ts';
import { buildServices } from '../origin/services.ts';
import { startRedis } from '../test/harness/redis.ts';
import { runAndReport } from './report.ts';

export async function originRead(): Promise<void> {
  const redis = await startRedis();
  const services = await buildServices({
    database: { kind: 'pglite', dataDir: 'memory://' },
    cache: { kind: 'redis', url: redis.url, commandTimeoutMs: 1000, connectTimeoutMs: 1000 },
  });
  const raw = new Redis(redis.url, { protocol: 2 });
  try {
    await seedDemoData(services.db);
    const app = createApp(services);
    const path = '/v1/acme/public/projects';
    const warm = await app.request(path);
    if (warm.status !== 200) throw new Error(`warm-up read failed: ${warm.status}`);
    const key = await projectListKey('acme');
    const repository = new ProjectRepository(services.db);
    // The peer reads plain JSON, as the brief's wrapper stored it.
    const plainKey = `${key}:plain`;
    await raw.set(plainKey, JSON.stringify(await warm.json()));
    const mustNotLoad = async () => {
      throw new Error('benchmark expected a cache hit');
    };

    await runAndReport('origin-read: GET /v1/acme/public/projects (2 projects), Redis hit path vs floor', [
      { name: 'floor: ioredis GET', floor: true, fn: () => raw.get(key) },
      { name: 'peer: brief CacheWrapper hit (GET + JSON.parse)', fn: async () => JSON.parse((await raw.get(plainKey))!) },
      {
        name: 'strata: CacheEngine.getOrLoad hit',
        fn: () => services.engine.getOrLoad({ key, tenant: 'acme', policy: services.policies.api, tags: ['projects'], load: mustNotLoad }),
      },
      { name: 'strata: origin route hit (Hono + ETag)', fn: async () => (await app.request(path)).arrayBuffer() },
      { name: 'source: PostgreSQL (PGlite), no cache', fn: async () => [await repository.tenantExists('acme'), await repository.listPublic('acme')] },
    ]);
  } finally {
    raw.disconnect();
    await services.close();
    await redis.stop();
  }
}

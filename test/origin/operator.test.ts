/**
 * The origin's operator API (`origin/operator/`, what `strata` calls) over the real app, PGlite
 * and a `redis-server` of this file's own, which it kills: off without OPERATOR_TOKEN, refused
 * without the token, counting sessions and the engine's reads, and honest when Redis is gone
 * (stats say so, inspect answers 503, a warm batch is not acknowledged).
 */
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../origin/app.ts';
import { loadConfig } from '../../origin/config.ts';
import { seedDemoData } from '../../origin/db/seed.ts';
import { DEMO_PASSWORD } from '../../origin/db/seed.ts';
import { logger } from '../../origin/log.ts';
import { buildServices, type Services } from '../../origin/services.ts';
import { eventually } from '../harness/eventually.ts';
import { startRedis, type RedisProcess } from '../harness/redis.ts';
import { createTestDatabase, type TestDatabase } from './databases.ts';

const TOKEN = 'operator-token-for-tests-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };

interface Stats {
  types: Record<string, { reads: Record<string, number>; hitRatio: number | null; target: number | null; loads: { ok: number; error: number } }>;
  redis: { status: string; error?: string; keys?: Record<string, number> };
  breaker: string;
}

describe('the operator API', () => {
  let redis: RedisProcess;
  let db: TestDatabase;
  let services: Services;
  let app: Hono;

  beforeAll(async () => {
    logger.setLogLevel('ERROR');
    redis = await startRedis();
    db = await createTestDatabase('pglite');
    const config = loadConfig({ REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '500', OPERATOR_TOKEN: TOKEN });
    services = await buildServices({ database: db.config, cache: config.cache, operatorToken: config.operatorToken });
    await seedDemoData(services.db);
    app = createApp(services);
  });
  afterAll(async () => {
    await services?.close();
    await db?.cleanup();
    await redis?.stop();
    logger.setLogLevel('INFO');
  });

  it('refuses OPERATOR_TOKEN shorter than 32 characters at start-up', () => {
    expect(() => loadConfig({ OPERATOR_TOKEN: 'short' })).toThrow(/OPERATOR_TOKEN: at least 32 characters/);
  });

  it('is not mounted without OPERATOR_TOKEN', async () => {
    const without = createApp({ ...services, operatorToken: undefined });
    expect((await without.request('/ops/stats', { headers: auth })).status).toBe(404);
  });

  it('counts session reads and the engine reads per data type, against their targets', async () => {
    // Counters add up over the file's tests, whatever their order: this test counts what it adds.
    const stats = async () => (await (await app.request('/ops/stats', { headers: auth })).json()) as Stats;
    const before = await stats();
    const signIn = await app.request('/v1/acme/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bob@acme.test', password: DEMO_PASSWORD }),
    });
    const { token } = (await signIn.json()) as { token: string };
    for (let i = 0; i < 3; i++) expect((await app.request('/v1/acme/me', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    // A list no other test here reads: a miss, then a hit.
    await app.request('/v1/globex/public/projects');
    await app.request('/v1/globex/public/projects');
    // A warm makes the next stats count Redis's keys again (a census is otherwise kept 5 s).
    const warm = await app.request('/ops/warm', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'globex', type: 'config', limit: 10 }),
    });
    expect(warm.status).toBe(200);
    const after = await stats();
    const added = (type: string, kind: string) => (after.types[type]?.reads[kind] ?? 0) - (before.types[type]?.reads[kind] ?? 0);
    // Each authenticated request reads its session; the sign-in wrote it, so all are hits.
    expect(added('session', 'hit')).toBeGreaterThanOrEqual(3);
    expect(after.types.session!.target).toBe(0.95);
    expect([added('api', 'miss'), added('api', 'hit')]).toEqual([1, 1]);
    const apiReads = after.types.api!.reads;
    // As /metrics computes it: answers from Redis, stale ones included, over every read.
    const answered = (apiReads.hit ?? 0) + (apiReads.stale ?? 0) + (apiReads.stale_error ?? 0);
    expect(after.types.api!.hitRatio).toBe(answered / Object.values(apiReads).reduce((sum, n) => sum + n, 0));
    expect(after.types.api!.loads.ok - (before.types.api?.loads.ok ?? 0)).toBe(1);
    expect(after.types.api!.loads.error).toBe(before.types.api?.loads.error ?? 0);
    expect(after.redis.status).toBe('ok');
    expect(after.redis.keys!.api).toBeGreaterThanOrEqual(1); // globex's list, at least
    expect(after.redis.keys!.config).toBeGreaterThanOrEqual(1);
    expect(after.redis.keys!.session).toBeGreaterThanOrEqual(2);
  });

  it('warms a batch and reports the keys it wrote', async () => {
    const response = await app.request('/ops/warm', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'globex', type: 'users', limit: 1 }),
    });
    expect(response.status).toBe(200);
    const batch = (await response.json()) as { rows: number; keys: number; next: string | null };
    expect(batch).toMatchObject({ rows: 1, keys: 1 });
    expect(batch.next).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('says Redis is down instead of failing when it is killed, and acknowledges no warm batch', async () => {
    await redis.kill();
    try {
      const stats = await app.request('/ops/stats', { headers: auth });
      expect(stats.status).toBe(200);
      expect(((await stats.json()) as Stats).redis.status).toBe('down');

      const inspect = await app.request(`/ops/inspect?key=${encodeURIComponent('config:{acme}:limits')}`, { headers: auth });
      expect(inspect.status).toBe(503);
      expect(((await inspect.json()) as { error: { code: string } }).error.code).toBe('cache_unavailable');

      const warm = await app.request('/ops/warm', {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ tenant: 'acme', type: 'config', limit: 10 }),
      });
      expect(warm.status).toBe(503);
      expect(((await warm.json()) as { error: { message: string } }).error.message).toMatch(/Redis kept 0 of the 2 entries/);
    } finally {
      await redis.restart();
      // Leave the origin as the other tests expect it, whatever order they run in: Redis answers
      // and the engine's breaker has closed again (its half-open trial happens on a read).
      await eventually(
        'the operator API to see Redis back and the breaker closed',
        async () => {
          await app.request('/v1/acme/public/projects'); // a read through the engine: the breaker's trial
          return (await (await app.request('/ops/stats', { headers: auth })).json()) as Stats & { breaker: string };
        },
        (stats) => stats.redis.status === 'ok' && stats.breaker === 'closed',
      );
    }
  });
});

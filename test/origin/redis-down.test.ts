/**
 * A real Redis failure: the server is killed with SIGKILL mid-test. Reads keep working from
 * PostgreSQL, no 5xx appears, and caching resumes on its own when Redis is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisProcess } from '../harness/redis.ts';
import { cacheConfig, startTestOrigin, type TestOrigin } from './origin-app.ts';

describe('origin with Redis killed', () => {
  let redis: RedisProcess;
  let origin: TestOrigin;
  const path = '/v1/globex/public/projects';

  beforeAll(async () => {
    redis = await startRedis();
    origin = await startTestOrigin('pglite', cacheConfig('redis', redis.url));
  });
  afterAll(async () => {
    await origin?.close();
    await redis?.stop();
  });

  it('serves from PostgreSQL while Redis is down and caches again once it is back', async () => {
    const healthy = await origin.app.request(path);
    const body = await healthy.json();
    expect(healthy.headers.get('cache-status')).toBe('strata-origin; fwd=miss');

    await redis.kill();
    const degraded = await origin.app.request(path);
    expect(degraded.status).toBe(200);
    expect(degraded.headers.get('cache-status')).toBe('strata-origin; fwd=bypass; detail=cache-unavailable');
    expect(await degraded.json()).toEqual(body);
    const health = await (await origin.app.request('/health')).json();
    expect(health).toMatchObject({ ok: true, cache: { status: 'down' } });

    await redis.restart();
    // The client reconnects in the background (backoff ≤ 1 s); poll until the cache answers.
    let status = '';
    for (let attempt = 0; attempt < 100 && status !== 'strata-origin; hit'; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await origin.app.request(path)).headers.get('cache-status') ?? '';
    }
    expect(status).toBe('strata-origin; hit');
  });
});

/**
 * One request through edge (workerd) → origin (Node server) → Redis → PostgreSQL (PGlite).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS } from '../../origin/db/seed.ts';
import { projectKey, projectListKey } from '../../origin/projects/service.ts';
import { startRedis, type RedisProcess } from '../harness/redis.ts';
import { startStack, type Stack } from './stack.ts';
import { fileRedisUrl } from '../harness/file-redis.ts';

const acmeProject = DEMO_TENANTS[0]!.projects.find((p) => p.visibility === 'public')!;

describe('the local stack end to end', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ kind: 'redis', url: fileRedisUrl(), commandTimeoutMs: 1000, connectTimeoutMs: 2000 });
    // The harness's Redis is shared by every e2e file: start from a cold cache.
    const listKeys = await Promise.all(DEMO_TENANTS.map((t) => projectListKey(t.id)));
    await stack.services.cache.delete(...listKeys);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('misses, then hits with the identical body; another tenant gets another body', async () => {
    const first = await stack.edge('/v1/acme/public/projects');
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-status')).toBe('strata-origin; fwd=miss, strata-edge; fwd=miss; stored');
    const firstBody = await first.text();

    const second = await stack.edge('/v1/acme/public/projects');
    expect(second.status).toBe(200);
    expect(second.headers.get('cache-status')).toMatch(/^strata-origin; fwd=miss, strata-edge; hit; ttl=\d+$/);
    expect(await second.text()).toBe(firstBody);

    const globex = await stack.edge('/v1/globex/public/projects');
    expect(globex.status).toBe(200);
    const globexBody = await globex.text();
    expect(globexBody).not.toBe(firstBody);
    expect(JSON.parse(globexBody).data.map((p: { name: string }) => p.name)).toContain('Hammock District');
  });

  it('fills Redis on the way: a project missed at the edge is a Redis hit the second time it reaches the origin', async () => {
    const path = `/v1/acme/public/projects/${acmeProject.id}`;
    await stack.services.cache.delete(projectKey('acme', acmeProject.id));
    const viaEdge = await stack.edge(path);
    expect(viaEdge.headers.get('cache-status')).toBe('strata-origin; fwd=miss, strata-edge; fwd=miss; stored');
    const direct = await fetch(`${stack.origin.url}${path}`);
    expect(direct.headers.get('cache-status')).toBe('strata-origin; hit');
    expect(await direct.json()).toMatchObject({ id: acmeProject.id, name: acmeProject.name });
  });

  it.each([
    ['/v1/initech/public/projects', 404, 'tenant_not_found'],
    ['/v1/Initech/public/projects', 400, 'invalid_tenant'],
    ['/v1/acme/public/projects/12345', 400, 'invalid_id'],
  ])('answers %s with a clear JSON error through the edge', async (path, status, code) => {
    const response = await stack.edge(path);
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
  });
});

describe('the local stack with Redis stopped', () => {
  let redis: RedisProcess;
  let stack: Stack;

  beforeAll(async () => {
    redis = await startRedis();
    stack = await startStack({ kind: 'redis', url: redis.url, commandTimeoutMs: 1000, connectTimeoutMs: 2000 });
  });
  afterAll(async () => {
    await stack?.close();
    await redis?.stop();
  });

  it('still answers from PostgreSQL, through the edge and at the origin', async () => {
    await redis.kill();
    const viaEdge = await stack.edge('/v1/globex/public/projects');
    expect(viaEdge.status).toBe(200);
    expect(viaEdge.headers.get('cache-status')).toBe('strata-origin; fwd=bypass; detail=cache-unavailable, strata-edge; fwd=miss; stored');
    const body = (await viaEdge.json()) as { data: { name: string }[] };
    expect(body.data.map((p) => p.name)).toEqual(['Hammock District']);

    const direct = await fetch(`${stack.origin.url}/v1/globex/public/projects/${DEMO_TENANTS[1]!.projects[0]!.id}`);
    expect(direct.status).toBe(200);
    expect(direct.headers.get('cache-status')).toBe('strata-origin; fwd=bypass; detail=cache-unavailable');
  });
});

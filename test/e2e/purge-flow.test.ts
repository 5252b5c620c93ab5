/**
 * The purge path end to end: an origin write commits its outbox record, the deliverer signs it
 * to the real edge Worker (Miniflare, Upstash versions over the harness's Redis), and the edge
 * stops serving what it stored. With the edge down, the record waits and arrives afterwards.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../origin/db/seed.ts';
import { countPending } from '../../origin/outbox/index.ts';
import { hashPassword } from '../../origin/users/password.ts';
import { startStack, type Stack } from './stack.ts';
import { fileRedisUrl, startFileUpstash } from '../harness/file-redis.ts';
import type { UpstashServer } from '../../local/upstash/server.ts';

const waitUntil = async (check: () => Promise<boolean>, what: string, timeoutMs = 8000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('purges from the origin reach the edge', () => {
  let stack: Stack;
  let upstash: UpstashServer | undefined;
  let redis: Redis;
  let persistDir: string;
  const tenant = `purge-${crypto.randomUUID().slice(0, 8)}`;
  let token: string;

  const origin = (method: string, path: string, body?: unknown) =>
    fetch(`${stack.origin.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const edgeRead = async (path: string) => {
    const response = await stack.edge(path);
    return { status: response.headers.get('cache-status') ?? '', body: await response.text() };
  };
  // The edge writes its cache after answering (waitUntil): the next request may come before the write lands.
  const storedAtEdge = async (path: string) => {
    let read = await edgeRead(path);
    await waitUntil(async () => /strata-edge; hit/.test((read = await edgeRead(path)).status), `a stored copy of ${path} at the edge`);
    return read;
  };
  const purgeIds = async () =>
    (await stack.services.db.query<{ id: string }>('SELECT id FROM purge_outbox WHERE message::text LIKE $1 ORDER BY seq', [`%/v1/${tenant}/%`])).map(
      (r) => r.id,
    );
  const arrivedAtEdge = async (id: string) => (await redis.exists(`edge:purge:${id}`)) === 1;

  beforeAll(async () => {
    persistDir = await mkdtemp(join(tmpdir(), 'strata-edge-'));
    upstash = await startFileUpstash();
    stack = await startStack(
      { kind: 'redis', url: fileRedisUrl(), commandTimeoutMs: 1000, connectTimeoutMs: 2000 },
      {
        purgeSecret: 'e2e-purge-secret',
        edgeBindings: { UPSTASH_REDIS_REST_URL: upstash!.url, UPSTASH_REDIS_REST_TOKEN: upstash!.token },
        edgePersistDir: persistDir,
      },
    );
    redis = new Redis(fileRedisUrl(), { protocol: 2 });
    const email = `editor@${tenant}.test`;
    await stack.services.db.query('INSERT INTO tenants (id, name) VALUES ($1, $1)', [tenant]);
    await stack.services.db.query('INSERT INTO users (id, tenant_id, email, name, password_hash) VALUES ($1, $2, $3, $4, $5)', [
      crypto.randomUUID(),
      tenant,
      email,
      'Editor',
      await hashPassword(DEMO_PASSWORD),
    ]);
    const signIn = await fetch(`${stack.origin.url}/v1/${tenant}/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: DEMO_PASSWORD }),
    });
    token = ((await signIn.json()) as { token: string }).token;
  });
  afterAll(async () => {
    redis?.disconnect();
    await stack?.close();
    await upstash?.stop();
    await rm(persistDir, { recursive: true, force: true });
  });

  it('purges a stored public response right after the write commits', async () => {
    const created = await origin('POST', `/v1/${tenant}/projects`, { name: 'Launch', visibility: 'public' });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    await waitUntil(async () => (await countPending(stack.services.db)) === 0, 'the create purge');
    const path = `/v1/${tenant}/public/projects/${id}`;
    expect((await edgeRead(path)).status).toContain('strata-edge; fwd=miss; stored');
    const stored = await storedAtEdge(path);
    expect(stored.body).toContain('"Launch"');

    expect((await origin('PATCH', `/v1/${tenant}/projects/${id}`, { name: 'Launch 2' })).status).toBe(200);
    const ids = await purgeIds();
    await waitUntil(() => arrivedAtEdge(ids.at(-1)!), 'the purge at the edge');
    await waitUntil(async () => (await countPending(stack.services.db)) === 0, 'the delivery to be recorded');
    const after = await edgeRead(path);
    expect(after.status).not.toMatch(/strata-edge; hit/);
    expect(after.body).toContain('"Launch 2"');
  });

  it('keeps the purge while the edge is down and delivers it once the edge is back', async () => {
    const created = await origin('POST', `/v1/${tenant}/projects`, { name: 'Beacon', visibility: 'public' });
    const { id } = (await created.json()) as { id: string };
    await waitUntil(async () => (await countPending(stack.services.db)) === 0, 'the create purge');
    const list = `/v1/${tenant}/public/projects`;
    const stored = await storedAtEdge(list);
    expect(stored.body).toContain('"Beacon"');

    await stack.stopEdge();
    expect((await origin('DELETE', `/v1/${tenant}/projects/${id}`)).status).toBe(204);
    const purgeId = (await purgeIds()).at(-1)!;
    // The after-commit attempt fails against the stopped edge; the record stays.
    await waitUntil(async () => {
      const [row] = await stack.services.db.query<{ attempts: number }>('SELECT attempts FROM purge_outbox WHERE id = $1', [purgeId]);
      return (row?.attempts ?? 0) >= 1;
    }, 'the failed attempt');
    expect(await countPending(stack.services.db)).toBe(1);
    expect(await arrivedAtEdge(purgeId)).toBe(false);

    await stack.startEdge();
    // What the edge stored before going down is still there until the purge arrives.
    expect((await edgeRead(list)).body).toContain('"Beacon"');
    await waitUntil(async () => {
      await stack.services.outbox.deliverPending();
      return (await countPending(stack.services.db)) === 0;
    }, 'redelivery after the edge came back');
    expect(await arrivedAtEdge(purgeId)).toBe(true);
    const after = await edgeRead(list);
    expect(after.status).not.toMatch(/strata-edge; hit/);
    expect(after.body).not.toContain('"Beacon"');
  });
});

/**
 * PostgreSQL down under a running origin: PGlite closed, and a real server (`DATABASE_URL`) cut
 * off behind a relay that drops its connections and refuses new ones. What Redis holds is still
 * served; what needs the database is refused with 503 `database_unavailable` (never a 500, never
 * a 401 that would tell a client its password is wrong); `/health` says the database is down; a
 * real server that comes back is used again without a restart.
 */
import type { Hono } from 'hono';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../origin/app.ts';
import type { DatabaseConfig } from '../../origin/db/index.ts';
import { DEMO_PASSWORD, DEMO_TENANTS, seedDemoData } from '../../origin/db/seed.ts';
import { log } from '../../origin/log.ts';
import { buildServices, type Services } from '../../origin/services.ts';
import { fileRedisUrl } from '../harness/file-redis.ts';
import { startTcpCut, type TcpCut } from '../harness/tcp-cut.ts';
import { createTestDatabase, type TestDatabase } from './databases.ts';
import { cacheConfig } from './origin-app.ts';

const acme = DEMO_TENANTS[0]!;
const [, unread] = acme.projects.filter((p) => p.visibility === 'public');
const alice = acme.users[0]!;

interface Outage {
  config(db: TestDatabase): Promise<DatabaseConfig>;
  down(services: Services): Promise<void>;
  /** Brings the database back, when this kind of outage can end. */
  up?(): Promise<void>;
  close(): Promise<void>;
}

function pgliteClosed(): Outage {
  return { config: async (db) => db.config, down: (services) => services.db.close(), close: async () => {} };
}

function postgresCut(): Outage {
  let relay: TcpCut | undefined;
  return {
    async config(db) {
      if (db.config.kind !== 'postgres') throw new Error('expected a PostgreSQL database');
      const url = new URL(db.config.url);
      relay = await startTcpCut({ host: url.hostname, port: Number(url.port || 5432) });
      url.hostname = '127.0.0.1';
      url.port = String(relay.port);
      return { ...db.config, url: url.toString() };
    },
    down: async () => relay!.cut(),
    up: async () => relay!.restore(),
    close: async () => relay?.close(),
  };
}

const kinds: [string, 'pglite' | 'postgres', () => Outage][] = [
  ['PGlite closed', 'pglite', pgliteClosed],
  ['a PostgreSQL server cut off', 'postgres', postgresCut],
];

describe.each(kinds)('the origin with %s', (_, kind, outage) => {
  // Needs a server to cut off; the relay never stops a server other suites use.
  const skip = kind === 'postgres' && !process.env.DATABASE_URL;
  let db: TestDatabase;
  let services: Services;
  let app: Hono;
  let cut: Outage;
  const get = (path: string) => app.request(path);

  beforeAll(async () => {
    if (skip) return;
    vi.spyOn(log, 'warn').mockImplementation(() => {});
    cut = outage();
    // Both outages seed the same demo tenants into this file's Redis: each starts with nothing
    // cached, whichever ran first.
    const redis = new Redis(fileRedisUrl());
    await redis.flushall();
    redis.disconnect();
    db = await createTestDatabase(kind);
    services = await buildServices({ database: await cut.config(db), cache: cacheConfig('redis') });
    await seedDemoData(services.db);
    app = createApp(services);
  });
  afterAll(async () => {
    if (skip) return;
    await services?.close();
    await cut?.close();
    await db?.cleanup();
    vi.restoreAllMocks();
  });

  it.skipIf(skip)('serves what Redis holds, refuses the rest with 503, and says so in /health', async () => {
    const list = '/v1/acme/public/projects';
    expect((await get(list)).status).toBe(200);
    const cached = await get(list);
    expect(cached.headers.get('cache-status')).toBe('strata-origin; hit');
    const body = await cached.text();
    expect((await get('/health')).status).toBe(200);

    await cut.down(services);

    const health = await get('/health');
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ ok: false, database: { status: 'down' } });

    const stillServed = await get(list);
    expect(stillServed.status).toBe(200);
    expect(stillServed.headers.get('cache-status')).toBe('strata-origin; hit');
    expect(await stillServed.text()).toBe(body);

    for (const refused of [
      await get(`/v1/acme/public/projects/${unread!.id}`),
      await app.request('/v1/acme/sessions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: alice.email, password: DEMO_PASSWORD }),
      }),
    ]) {
      expect(refused.status).toBe(503);
      expect(refused.headers.get('cache-control')).toBe('no-store');
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(await refused.json()).toMatchObject({
        error: { code: 'database_unavailable', message: expect.stringContaining('unavailable'), requestId: expect.any(String) },
      });
    }

    if (!cut.up) return;
    await cut.up();
    const back = await get(`/v1/acme/public/projects/${unread!.id}`);
    expect(back.status).toBe(200);
    expect(await back.json()).toMatchObject({ id: unread!.id });
    expect((await get('/health')).status).toBe(200);
  });
});

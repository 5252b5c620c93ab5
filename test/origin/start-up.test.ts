/**
 * Start-up (`composeServices`): the cache stores connect while the database is still being
 * opened, not after it, and a database that cannot be opened fails start-up without leaving a
 * Redis connection behind.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { log } from '../../origin/log.ts';
import { buildServices } from '../../origin/services.ts';
import { fileRedisUrl } from '../harness/file-redis.ts';
import { cacheConfig } from './origin-app.ts';

describe('start-up', () => {
  let probe: Redis;
  let server: Server;
  const sockets: Socket[] = [];

  /** Connections the file's Redis has, besides the probe's own. */
  const connections = async () => ((await probe.client('LIST')) as string).trim().split('\n').length - 1;

  beforeAll(async () => {
    probe = new Redis(fileRedisUrl());
    // A "database" that takes connections and never answers: opening it hangs until it closes them.
    server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    probe.disconnect();
    await new Promise((resolve) => server.close(resolve));
  });

  it('connects the cache stores while the database opens, and closes them when it cannot be opened', async () => {
    vi.spyOn(log, 'warn').mockImplementation(() => {});
    const before = await connections();
    const port = (server.address() as { port: number }).port;
    const starting = buildServices({
      database: { kind: 'postgres', url: `postgres://strata@127.0.0.1:${port}/strata`, maxConnections: 1, migrate: false },
      cache: cacheConfig('redis'),
      sessionsCache: cacheConfig('redis'),
    });
    const outcome = starting.then(
      () => 'started',
      (error: unknown) => String(error),
    );
    // Both stores are connected while the database has not answered.
    await vi.waitFor(async () => expect(await connections()).toBe(before + 2), { timeout: 10_000 });
    expect(sockets.length).toBeGreaterThan(0);
    for (const socket of sockets) socket.destroy();
    expect(await outcome).not.toBe('started');
    await vi.waitFor(async () => expect(await connections()).toBe(before), { timeout: 10_000 });
  });
});

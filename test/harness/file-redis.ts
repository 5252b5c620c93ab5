/**
 * A `redis-server` of the current test file's own (origin, e2e and local projects): started by
 * `file-setup.ts` before the file is imported, stopped after its last test, so no two files
 * share keys, pub/sub channels, ACL users, client tracking or command counts, whatever order or
 * worker runs them. The harness's cluster stays shared (six processes are too slow to start per
 * file): tests that use it keep to keys of tenants of their own and never change it as a whole.
 */
import { randomBytes } from 'node:crypto';
import { startUpstashServer, type UpstashServer } from '../../local/upstash/server.ts';
import { startRedis, type RedisProcess } from './redis.ts';

let server: RedisProcess | undefined;

/** Starts this file's server (the setup file does, once). */
export async function startFileRedis(): Promise<void> {
  server ??= await startRedis();
}

/** Stops it (after the file's last test). */
export async function stopFileRedis(): Promise<void> {
  const running = server;
  server = undefined;
  await running?.stop();
}

/** `redis://127.0.0.1:<port>` of this file's own server. */
export function fileRedisUrl(): string {
  if (!server) throw new Error('no Redis for this file: test/harness/file-setup.ts is not among the project’s setupFiles');
  return server.url;
}

/** A local Upstash endpoint over this file's server (the edge's purge versions and rate limits); stop it after use. */
export function startFileUpstash(): Promise<UpstashServer> {
  return startUpstashServer({ redisUrl: fileRedisUrl(), token: randomBytes(24).toString('base64url') });
}

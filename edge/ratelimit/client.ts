/**
 * The rate limiter's own Upstash client. It makes one attempt per command, bounded by
 * `UPSTASH_TIMEOUT_MS`: `@upstash/redis` otherwise retries a refused connection five times with
 * backoff, so a check against a dead endpoint waited out its whole timeout instead of failing
 * open at once. The purge path keeps the shared client (`edge/upstash.ts`) and its own policy.
 */
import { Redis } from '@upstash/redis/cloudflare';
import type { Env } from '../env.ts';

/** The most one limiter command may take; past it the command is aborted and the check fails open. */
export const UPSTASH_TIMEOUT_MS = 1000;

// Keyed by URL and token: bindings are fixed in a deployed Worker, but tests vary them.
const clients = new Map<string, Redis>();

/**
 * The limiter's client for `env`, or `undefined` when `UPSTASH_REDIS_REST_URL` or `_TOKEN` is
 * unset. Throws when the URL is malformed (the library's `UrlError`).
 */
export function limiterClient(env: Env): Redis | undefined {
  const url = env.UPSTASH_REDIS_REST_URL;
  const token = env.UPSTASH_REDIS_REST_TOKEN;
  if (!url || !token) return undefined;
  const key = `${url}\n${token}`;
  let client = clients.get(key);
  if (!client) {
    client = new Redis({
      url,
      token,
      // `retry: false` would still make two attempts (the library loops `attempts + 1` times).
      retry: { retries: 0 },
      // A function: a fresh deadline per command, and an abort that rejects instead of resolving.
      signal: () => AbortSignal.timeout(UPSTASH_TIMEOUT_MS),
      // Batching concurrent requests' commands into one fetch would make one request await
      // another's I/O, which workerd does not allow.
      enableAutoPipelining: false,
      enableTelemetry: false,
    });
    clients.set(key, client);
  }
  return client;
}

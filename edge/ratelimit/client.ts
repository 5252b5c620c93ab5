/**
 * The rate limiter's Upstash client: one attempt per command (as every edge client), bounded by
 * `UPSTASH_TIMEOUT_MS`, so a check against a slow or dead endpoint fails open within that bound.
 */
import type { Redis } from '@upstash/redis/cloudflare';
import type { Env } from '../env.ts';
import { upstashClient } from '../upstash.ts';

/** The most one limiter command may take; past it the command is aborted and the check fails open. */
export const UPSTASH_TIMEOUT_MS = 1000;

/**
 * The limiter's client for `env`, or `undefined` when `UPSTASH_REDIS_REST_URL` or `_TOKEN` is
 * unset. Throws when the URL is malformed (the library's `UrlError`).
 */
export function limiterClient(env: Env): Redis | undefined {
  return upstashClient(env, { timeoutMs: UPSTASH_TIMEOUT_MS });
}

/**
 * Whether Upstash answers, for `/_strata/health`: one PING through a client of the isolate (no
 * retries, as on the request path), aborted past a short deadline.
 */
import type { Env } from '../env.ts';
import { upstashClient } from '../upstash.ts';

/** How long the health check waits for Upstash's PONG. */
export const UPSTASH_HEALTH_TIMEOUT_MS = 1000;

/** What the health check says about Upstash. */
export type UpstashHealth = 'ok' | 'unreachable' | 'misconfigured' | 'not configured';

/** PINGs Upstash: `ok`, `unreachable` (refused, failed or too slow), or why it was not asked. */
export async function upstashHealth(env: Env): Promise<UpstashHealth> {
  let redis: ReturnType<typeof upstashClient>;
  try {
    redis = upstashClient(env, { timeoutMs: UPSTASH_HEALTH_TIMEOUT_MS });
  } catch {
    return 'misconfigured';
  }
  if (!redis) return 'not configured';
  return redis.ping().then(
    (reply): UpstashHealth => (reply === 'PONG' ? 'ok' : 'unreachable'),
    (): UpstashHealth => 'unreachable',
  );
}

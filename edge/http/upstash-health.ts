/**
 * Whether Upstash answers, for `/_strata/health`: one PING through the isolate's shared client
 * (so it fails as fast as the request path does: no retries), bounded by a short timeout.
 */
import type { Env } from '../env.ts';
import { upstashFor } from '../upstash.ts';

/** How long the health check waits for Upstash's PONG. */
export const UPSTASH_HEALTH_TIMEOUT_MS = 1000;

/** What the health check says about Upstash. */
export type UpstashHealth = 'ok' | 'unreachable' | 'misconfigured' | 'not configured';

/** PINGs Upstash: `ok`, `unreachable` (refused, failed or too slow), or why it was not asked. */
export async function upstashHealth(env: Env): Promise<UpstashHealth> {
  let redis: ReturnType<typeof upstashFor>;
  try {
    redis = upstashFor(env);
  } catch {
    return 'misconfigured';
  }
  if (!redis) return 'not configured';
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'unreachable'>((resolve) => {
    timer = setTimeout(() => resolve('unreachable'), UPSTASH_HEALTH_TIMEOUT_MS);
  });
  const ping = redis.ping().then(
    (reply): UpstashHealth => (reply === 'PONG' ? 'ok' : 'unreachable'),
    (): UpstashHealth => 'unreachable',
  );
  try {
    return await Promise.race([ping, timeout]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

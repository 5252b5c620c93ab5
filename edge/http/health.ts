/**
 * `GET /_strata/health`: whether the edge can reach the origin and Upstash, for operators and
 * probes. Never cached; answers 200 when the origin answers its own health check, 503 otherwise
 * (the edge serves without Upstash, degraded: see `upstash`).
 */
import type { Context } from 'hono';
import type { EdgeEnv } from '../env.ts';
import { upstashHealth } from './upstash-health.ts';
import { edgeRequestHeaders, originUrl } from '../upstream/forward.ts';

/** The health handler. */
export async function health(c: Context<EdgeEnv>): Promise<Response> {
  const started = Date.now();
  const upstash = upstashHealth(c.env); // asked while the origin is
  // With the edge's credential: deployed, API Gateway refuses the origin's /health to anyone else.
  const headers = edgeRequestHeaders(c.env, c.get('requestId'));
  const origin = await fetch(originUrl(c.env, '/health'), { headers, signal: AbortSignal.timeout(3000) }).then(
    (response) => (response.ok ? 'ok' : `status ${response.status}`),
    () => 'unreachable',
  );
  const body = {
    ok: origin === 'ok',
    origin,
    originMs: Date.now() - started,
    upstash: await upstash,
    zonePurge: c.env.CF_ZONE_ID && c.env.CF_API_TOKEN ? 'configured' : 'not configured',
  };
  return c.json(body, body.ok ? 200 : 503, { 'cache-control': 'no-store' });
}

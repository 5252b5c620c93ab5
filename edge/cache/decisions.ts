/**
 * The operator surface of cache decisions: a structured JSON log line per decision that changed
 * something or went to the origin (every decision with `CACHE_LOG=all`; plain hits are not
 * logged by default, they are the bulk of traffic), and, for requests that carry
 * `x-strata-debug: <DEBUG_TOKEN>`, the decision in an `x-strata-cache-debug` response header.
 */
import type { Context } from 'hono';
import type { EdgeEnv } from '../env.ts';
import { log } from '../log.ts';
import type { CachePolicy } from './policy.ts';

/** What the shared cache did with a request. */
export type Decision =
  | 'hit'
  | 'stale-while-revalidate'
  | 'stale-if-error'
  | 'revalidated'
  | 'miss'
  | 'stale'
  | 'collapsed'
  | 'bypass-credentials'
  | 'bypass-range';

/** Logs a decision and, when asked for with the right token, reports it on the response. */
export function logDecision(
  c: Context<EdgeEnv>,
  entry: { key: string; decision: Decision; status: number; started: number; policy?: CachePolicy; response: Response },
): void {
  const logged = entry.decision !== 'hit' || c.env.CACHE_LOG === 'all';
  const token = c.env.DEBUG_TOKEN;
  const debug = Boolean(token) && c.req.header('x-strata-debug') === token;
  if (!logged && !debug) return; // a plain hit: the bulk of traffic, nothing to compute
  const age = entry.policy ? Math.round(entry.policy.age()) : undefined;
  const ttl = entry.policy ? Math.floor(entry.policy.maxAge() - entry.policy.age()) : undefined;
  if (logged)
    log('info', 'edge cache', {
      requestId: c.get('requestId'),
      key: entry.key,
      decision: entry.decision,
      status: entry.status,
      age,
      ttl,
      ms: Date.now() - entry.started,
    });
  if (debug) {
    const parts = [`key=${entry.key}`, `decision=${entry.decision}`, ...(age !== undefined ? [`age=${age}`, `ttl=${ttl}`] : [])];
    entry.response.headers.set('x-strata-cache-debug', parts.join('; '));
  }
}

/**
 * Sliding-window limit checks in Upstash Redis through `@upstash/ratelimit`, failing open: a
 * check that errors or outlives its timeout allows the request, logs, and makes the isolate
 * skip checks for a short while instead of paying the timeout on every request.
 */
import { Ratelimit } from '@upstash/ratelimit';
import type { Redis } from '@upstash/redis/cloudflare';

/** What a limit counts requests per: a client IP (per minute) or a tenant (per hour). */
export type LimitScope = 'ip' | 'tenant';

/** The window of each scope, as `@upstash/ratelimit` spells durations. */
export const WINDOWS = { ip: '1 m', tenant: '1 h' } as const;

/** The most a check adds to a request while Upstash hangs; the library then allows the request. */
export const UPSTASH_TIMEOUT_MS = 1000;

/** After a failed check the isolate skips limits this long: bounded extra latency while Upstash is down. */
export const FAIL_OPEN_MS = 10_000;

/** The outcome of one check that Upstash answered. */
export interface Verdict {
  scope: LimitScope;
  success: boolean;
  limit: number;
  remaining: number;
  /** When the current window ends, epoch milliseconds. */
  reset: number;
}

interface ClientState {
  limiters: Map<string, Ratelimit>;
  downUntil: number;
}

const states = new WeakMap<Redis, ClientState>();

function stateOf(redis: Redis): ClientState {
  let state = states.get(redis);
  if (!state) {
    state = { limiters: new Map(), downUntil: 0 };
    states.set(redis, state);
  }
  return state;
}

function limiterFor(redis: Redis, state: ClientState, scope: LimitScope, limit: number): Ratelimit {
  const key = `${scope}:${limit}`;
  let limiter = state.limiters.get(key);
  if (!limiter) {
    // One prefix per scope whatever the limit, so a tenant whose limit changes keeps its count.
    // The default ephemeral cache refuses an identifier already over its limit without a round
    // trip until its window ends. No analytics and no deny list: both would call Upstash more.
    limiter = new Ratelimit({
      redis,
      limiter: Ratelimit.slidingWindow(limit, WINDOWS[scope]),
      prefix: `strata:ratelimit:${scope}`,
      timeout: UPSTASH_TIMEOUT_MS,
      analytics: false,
      enableProtection: false,
    });
    state.limiters.set(key, limiter);
  }
  return limiter;
}

/** True while a recent failure has switched limits off for `redis` in this isolate. */
export function limitsSuspended(redis: Redis): boolean {
  return Date.now() < stateOf(redis).downUntil;
}

/** Logs one JSON line for a failure the edge rides out. */
export function logWarning(msg: string, fields: Record<string, unknown>): void {
  console.error(JSON.stringify({ level: 'warn', msg, ...fields }));
}

/**
 * Counts one request of `identifier` against `limit` per window of `scope`. `undefined` when
 * Upstash failed or was too slow: the caller allows the request.
 */
export async function check(redis: Redis, scope: LimitScope, limit: number, identifier: string, requestId: string): Promise<Verdict | undefined> {
  const state = stateOf(redis);
  try {
    const result = await limiterFor(redis, state, scope, limit).limit(identifier);
    if (result.reason === 'timeout') throw new Error(`Upstash did not answer within ${UPSTASH_TIMEOUT_MS} ms`);
    return { scope, success: result.success, limit: result.limit, remaining: result.remaining, reset: result.reset };
  } catch (error) {
    state.downUntil = Date.now() + FAIL_OPEN_MS;
    logWarning('rate limit unavailable; failing open', { scope, requestId, error: String(error), suspendedMs: FAIL_OPEN_MS });
    return undefined;
  }
}

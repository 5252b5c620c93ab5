/**
 * Sliding-window limits in Upstash Redis through `@upstash/ratelimit`, failing open: a call that
 * errors or times out allows the request, logs, and pauses calls to Upstash in this isolate for
 * `FAIL_OPEN_MS`, so an outage does not cost every request the timeout. Identifiers known to be
 * over their limit stay refused meanwhile: they are in the library's ephemeral cache (a Map this
 * module owns and reads during a pause) until their window ends.
 */
import { Ratelimit } from '@upstash/ratelimit';
import type { Redis } from '@upstash/redis/cloudflare';
import { log } from '../log.ts';
import { BlockList } from './blocks.ts';
import { UPSTASH_TIMEOUT_MS } from './client.ts';
import { pauseAfterFailure, recordSuccess, mayCallUpstash, FAIL_OPEN_MS, type Outage } from './outage.ts';

export { FAIL_OPEN_MS, UPSTASH_TIMEOUT_MS };

/** What a limit counts requests per: a client address (per minute) or a tenant (per hour). */
export type LimitScope = 'ip' | 'tenant';

/** The window of each scope, as `@upstash/ratelimit` spells durations. */
export const WINDOWS = { ip: '1 m', tenant: '1 h' } as const;

/** A limit's outcome for one identifier: from Upstash, or from what this isolate knows is blocked. */
export interface Verdict {
  scope: LimitScope;
  success: boolean;
  limit: number;
  remaining: number;
  /** When the current window ends, epoch milliseconds. */
  reset: number;
}

interface ClientState extends Outage {
  limiters: Map<string, Ratelimit>;
  /** `{prefix}:{identifier}` → end of its block, epoch ms: the library's ephemeral cache. */
  blocked: BlockList;
}

const states = new WeakMap<Redis, ClientState>();

function stateOf(redis: Redis): ClientState {
  let state = states.get(redis);
  if (!state) {
    state = { limiters: new Map(), blocked: new BlockList(), pausedUntil: 0, probeUntil: 0 };
    states.set(redis, state);
  }
  return state;
}

// One prefix per scope whatever the limit, so a tenant whose limit changes keeps its count; the
// library keys Redis and its ephemeral cache as `{prefix}:{identifier}`.
const prefixOf = (scope: LimitScope) => `strata:ratelimit:${scope}`;

function limiterFor(redis: Redis, state: ClientState, scope: LimitScope, limit: number): Ratelimit {
  const key = `${scope}:${limit}`;
  let limiter = state.limiters.get(key);
  if (!limiter) {
    // Commands are bounded by the client's own deadline (`client.ts`), so no racing timer here.
    // No analytics and no deny list: both would call Upstash more.
    limiter = new Ratelimit({
      redis,
      limiter: Ratelimit.slidingWindow(limit, WINDOWS[scope]),
      prefix: prefixOf(scope),
      ephemeralCache: state.blocked,
      timeout: 0,
      analytics: false,
      enableProtection: false,
    });
    state.limiters.set(key, limiter);
  }
  return limiter;
}

/** The block this isolate knows of for `identifier`, as a refusal; `undefined` when none holds. */
function knownBlock(state: ClientState, scope: LimitScope, limit: number, identifier: string): Verdict | undefined {
  const key = `${prefixOf(scope)}:${identifier}`;
  const until = state.blocked.get(key);
  return until !== undefined && until > Date.now() ? { scope, success: false, limit, remaining: 0, reset: until } : undefined;
}

/** Calls Upstash through `call` unless paused; `undefined` (and a pause) when it fails. */
async function fromUpstash<T>(state: ClientState, scope: LimitScope, requestId: string, call: () => Promise<T>): Promise<T | undefined> {
  if (!mayCallUpstash(state)) return undefined;
  try {
    const result = await call();
    recordSuccess(state);
    return result;
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    pauseAfterFailure(state);
    const reason = timedOut ? `Upstash did not answer within ${UPSTASH_TIMEOUT_MS} ms` : String(error);
    log('warn', 'rate limit unavailable; failing open', { scope, requestId, error: reason, pausedMs: FAIL_OPEN_MS });
    return undefined;
  }
}

/**
 * Counts one request of `identifier` against `limit` per window of `scope`. A known block
 * refuses without Upstash; `undefined` when Upstash failed or is paused: the caller allows.
 */
export async function check(redis: Redis, scope: LimitScope, limit: number, identifier: string, requestId: string): Promise<Verdict | undefined> {
  const state = stateOf(redis);
  const known = knownBlock(state, scope, limit, identifier);
  if (known) return known;
  const result = await fromUpstash(state, scope, requestId, () => limiterFor(redis, state, scope, limit).limit(identifier));
  // A refusal was remembered by the library (its ephemeral cache is `state.blocked`).
  return result && { scope, success: result.success, limit: result.limit, remaining: result.remaining, reset: result.reset };
}

/**
 * What is left of `identifier`'s `limit` without counting this request; a refusal when nothing
 * is (remembered as a block until the window ends). `undefined` when Upstash failed or is paused.
 */
export async function peek(redis: Redis, scope: LimitScope, limit: number, identifier: string, requestId: string): Promise<Verdict | undefined> {
  const state = stateOf(redis);
  const known = knownBlock(state, scope, limit, identifier);
  if (known) return known;
  const result = await fromUpstash(state, scope, requestId, () => limiterFor(redis, state, scope, limit).getRemaining(identifier));
  if (!result) return undefined;
  if (result.remaining <= 0) {
    state.blocked.set(`${prefixOf(scope)}:${identifier}`, result.reset);
  }
  return { scope, success: result.remaining > 0, limit: result.limit, remaining: result.remaining, reset: result.reset };
}

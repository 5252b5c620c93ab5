/**
 * Edge rate limits for `/v1/{tenant}/…`, as sliding windows in Upstash Redis
 * (`@upstash/ratelimit`). A tenant's quota is spent only by its own traffic, and anonymous
 * traffic is limited per client and can never starve a tenant:
 * - every request counts against its client address (`RATE_LIMIT_IP_PER_MINUTE`);
 * - the tenant's hourly quota (`api_calls_per_hour`, else `RATE_LIMIT_TENANT_DEFAULT_PER_HOUR`)
 *   is enforced before forwarding only on requests with credentials, and charged after the
 *   origin answered, only when it confirmed a live session of that tenant
 *   (`SESSION_TENANT_HEADER`, which never reaches the client). The edge cannot check a token, so
 *   sign-ins, public reads, unknown routes and forged tokens spend nothing, and only requests
 *   with credentials can be refused for an exhausted quota.
 * Over a limit: 429 with `Retry-After` (RFC 9110 §10.2.3) and `RateLimit-Limit` / `-Remaining` /
 * `-Reset` (draft-ietf-httpapi-ratelimit-headers-06 §3), which allowed responses carry too.
 * Without Upstash, or while it fails, requests pass (clients known to be over a limit excepted).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { ERROR_CODES, errorBody } from '../../common/errors.ts';
import { isTenantId } from '../../common/ids.ts';
import { SESSION_TENANT_HEADER } from '../../common/session-tenant.ts';
import { appendCacheStatus, bypassStatus } from '../cache/status.ts';
import type { EdgeEnv, Env } from '../env.ts';
import { log } from '../log.ts';
import { limiterClient } from './client.ts';
import { clientAddressKey } from './client-ip.ts';
import { check, peek, type Verdict } from './limiters.ts';
import { positiveInteger, tenantHourlyLimit } from './tenant-limit.ts';

export { FAIL_OPEN_MS, UPSTASH_TIMEOUT_MS } from './limiters.ts';
export { TENANT_LIMIT_RETRY_MS, TENANT_LIMIT_TTL_MS } from './tenant-limit.ts';

/** Requests per minute per client address when `RATE_LIMIT_IP_PER_MINUTE` is unset or malformed. */
export const DEFAULT_IP_PER_MINUTE = 600;

/** The per-address limit: `0` turns it off; anything but a positive integer means the default. */
function ipPerMinute(env: Env): number | undefined {
  if (env.RATE_LIMIT_IP_PER_MINUTE?.trim() === '0') return undefined;
  return positiveInteger(env.RATE_LIMIT_IP_PER_MINUTE) ?? DEFAULT_IP_PER_MINUTE;
}

const secondsUntil = (epochMs: number) => Math.max(0, Math.ceil((epochMs - Date.now()) / 1000));

function setRateLimitHeaders(headers: Headers, verdict: Verdict): void {
  headers.set('ratelimit-limit', String(verdict.limit));
  headers.set('ratelimit-remaining', String(verdict.remaining));
  headers.set('ratelimit-reset', String(secondsUntil(verdict.reset)));
}

/** The verdict closest to its limit: the one the draft says to report when several apply. */
function tightest(verdicts: (Verdict | undefined)[]): Verdict | undefined {
  return verdicts.reduce<Verdict | undefined>(
    (best, v) => (!v ? best : !best || v.remaining < best.remaining || (v.remaining === best.remaining && v.reset > best.reset) ? v : best),
    undefined,
  );
}

function tooManyRequests(c: Context<EdgeEnv>, verdict: Verdict): Response {
  const retryAfter = Math.max(1, secondsUntil(verdict.reset));
  const who = verdict.scope === 'ip' ? 'this client address' : 'this tenant';
  const per = verdict.scope === 'ip' ? 'minute' : 'hour';
  const message = `rate limit of ${verdict.limit} requests per ${per} for ${who} exceeded; retry in ${retryAfter} s`;
  const response = c.json(errorBody(ERROR_CODES.rateLimited, message, c.get('requestId')), 429, {
    'cache-control': 'no-store',
    'retry-after': String(retryAfter),
  });
  setRateLimitHeaders(response.headers, verdict);
  appendCacheStatus(response.headers, bypassStatus());
  return response;
}

/** Edits the response's headers, copying it first when they are immutable (a fetched response). */
function editHeaders(c: Context<EdgeEnv>, edit: (headers: Headers) => void): void {
  try {
    edit(c.res.headers);
  } catch {
    const copy = new Response(c.res.body, c.res);
    edit(copy.headers);
    // Hono's setter copies the previous response's headers onto a new one: drop it first.
    c.res = undefined;
    c.res = copy;
  }
}

/** The tenant the origin confirmed a session of, taken off the response. */
function takeSessionTenant(c: Context<EdgeEnv>): string | null {
  const tenant = c.res.headers.get(SESSION_TENANT_HEADER);
  if (tenant !== null) editHeaders(c, (headers) => headers.delete(SESSION_TENANT_HEADER));
  return tenant;
}

function limiterOf(c: Context<EdgeEnv>): ReturnType<typeof limiterClient> {
  try {
    return limiterClient(c.env);
  } catch (error) {
    log('warn', 'rate limit misconfigured; failing open', { requestId: c.get('requestId'), error: String(error) });
    return undefined;
  }
}

/** The middleware for `/v1/:tenant/*`; it never answers 5xx itself. */
export function rateLimit(): MiddlewareHandler<EdgeEnv> {
  return async function rateLimit(c, next) {
    const tenant = c.req.param('tenant');
    // A malformed tenant is the router's to refuse; it never becomes part of a limiter key.
    const redis = tenant !== undefined && isTenantId(tenant) ? limiterOf(c) : undefined;
    if (!redis || tenant === undefined) {
      await next();
      takeSessionTenant(c);
      return;
    }
    const requestId = c.get('requestId');
    const headers = c.req.raw.headers;
    const perMinute = ipPerMinute(c.env);
    const address = perMinute ? clientAddressKey(headers) : undefined;
    // Only a request with credentials can be the tenant's own, so only those wait for its quota.
    const perHour = headers.has('authorization') ? tenantHourlyLimit(c.env, tenant, requestId) : undefined;
    const [client, quota] = await Promise.all([
      address && perMinute ? check(redis, 'ip', perMinute, address, requestId) : undefined,
      perHour?.then((limit) => (limit ? peek(redis, 'tenant', limit, tenant, requestId) : undefined)),
    ]);
    if (client && !client.success) return tooManyRequests(c, client);
    if (quota && !quota.success) return tooManyRequests(c, quota);

    await next();
    const member = takeSessionTenant(c) === tenant;
    if (member) c.executionCtx.waitUntil(charge(c, redis, tenant, perHour, requestId));
    // The quota is reported only to its members, as it stands after this request.
    const reported = tightest([client, member && quota ? { ...quota, remaining: Math.max(0, quota.remaining - 1) } : undefined]);
    if (reported) editHeaders(c, (out) => setRateLimitHeaders(out, reported));
  };
}

/** Counts a confirmed request of `tenant` against its quota, after the response went out. */
async function charge(
  c: Context<EdgeEnv>,
  redis: NonNullable<ReturnType<typeof limiterClient>>,
  tenant: string,
  perHour: Promise<number | undefined> | undefined,
  requestId: string,
): Promise<void> {
  const limit = await (perHour ?? tenantHourlyLimit(c.env, tenant, requestId));
  if (limit) await check(redis, 'tenant', limit, tenant, requestId);
}

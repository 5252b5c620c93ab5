/**
 * Edge rate limits for `/v1/{tenant}/…`: per client IP over `RATE_LIMIT_IP_PER_MINUTE`, and per
 * tenant over its `api_calls_per_hour` (else `RATE_LIMIT_TENANT_DEFAULT_PER_HOUR`), as sliding
 * windows in Upstash Redis (`@upstash/ratelimit`). Over a limit: 429 with `Retry-After`
 * (RFC 9110 §10.2.3) and `RateLimit-Limit` / `-Remaining` / `-Reset`
 * (draft-ietf-httpapi-ratelimit-headers-06 §3), which allowed responses carry too. Without
 * Upstash, or while it fails, requests pass unlimited (ARCHITECTURE.md §4) and it is logged.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { ERROR_CODES, errorBody } from '../../common/errors.ts';
import { isTenantId } from '../../common/ids.ts';
import { appendCacheStatus, bypassStatus } from '../cache/status.ts';
import type { EdgeEnv } from '../env.ts';
import { upstashFor } from '../upstash.ts';
import { clientAddressKey } from './client-ip.ts';
import { check, limitsSuspended, logWarning, type Verdict } from './limiters.ts';
import { positiveInteger, tenantHourlyLimit } from './tenant-limit.ts';

export { FAIL_OPEN_MS, UPSTASH_TIMEOUT_MS } from './limiters.ts';
export { TENANT_LIMIT_RETRY_MS, TENANT_LIMIT_TTL_MS } from './tenant-limit.ts';

const secondsUntil = (epochMs: number) => Math.max(0, Math.ceil((epochMs - Date.now()) / 1000));

function setRateLimitHeaders(headers: Headers, verdict: Verdict): void {
  headers.set('ratelimit-limit', String(verdict.limit));
  headers.set('ratelimit-remaining', String(verdict.remaining));
  headers.set('ratelimit-reset', String(secondsUntil(verdict.reset)));
}

/** The verdict closest to its limit: the one the draft says to report when several apply. */
function tightest(verdicts: Verdict[]): Verdict | undefined {
  return verdicts.reduce<Verdict | undefined>((best, v) => (!best || v.remaining < best.remaining || (v.remaining === best.remaining && v.reset > best.reset) ? v : best), undefined);
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

/** The middleware for `/v1/:tenant/*`; it never answers 5xx itself. */
export function rateLimit(): MiddlewareHandler<EdgeEnv> {
  return async function rateLimit(c, next) {
    const tenant = c.req.param('tenant');
    // A malformed tenant is the router's to refuse; it never becomes part of a limiter key.
    if (tenant === undefined || !isTenantId(tenant)) return next();
    const requestId = c.get('requestId');
    let redis: ReturnType<typeof upstashFor>;
    try {
      redis = upstashFor(c.env);
    } catch (error) {
      logWarning('rate limit misconfigured; failing open', { requestId, error: String(error) });
    }
    if (!redis || limitsSuspended(redis)) return next();

    // The tenant's limit is looked up while the IP check runs; a request the IP limit refuses
    // is not counted against its tenant, so one noisy address cannot spend a tenant's quota.
    const perHour = tenantHourlyLimit(c.env, tenant, c.req.raw.headers, requestId);
    const verdicts: Verdict[] = [];
    const perMinute = positiveInteger(c.env.RATE_LIMIT_IP_PER_MINUTE);
    const address = perMinute ? clientAddressKey(c.req.raw.headers) : undefined;
    if (address && perMinute) {
      const verdict = await check(redis, 'ip', perMinute, address, requestId);
      if (verdict && !verdict.success) return tooManyRequests(c, verdict);
      if (verdict) verdicts.push(verdict);
    }
    const tenantLimit = await perHour;
    if (tenantLimit && !limitsSuspended(redis)) {
      const verdict = await check(redis, 'tenant', tenantLimit, tenant, requestId);
      if (verdict && !verdict.success) return tooManyRequests(c, verdict);
      if (verdict) verdicts.push(verdict);
    }

    await next();
    const reported = tightest(verdicts);
    if (!reported) return;
    try {
      setRateLimitHeaders(c.res.headers, reported);
    } catch {
      // A response whose headers are immutable (fetched as is): copy it once to add ours.
      c.res = new Response(c.res.body, c.res);
      setRateLimitHeaders(c.res.headers, reported);
    }
  };
}

/**
 * A tenant's hourly limit: `api_calls_per_hour` from the origin's
 * `GET /v1/{tenant}/config/limits`, memoised in the isolate; the default
 * (`RATE_LIMIT_TENANT_DEFAULT_PER_HOUR`) when the tenant has none or the origin cannot say.
 */
import { LRUCache } from 'lru-cache';
import type { Env } from '../env.ts';
import { log } from '../log.ts';
import { edgeRequestHeaders, originUrl } from '../upstream/forward.ts';

/** How long a looked-up limit is used: a changed tenant limit reaches every isolate within this. */
export const TENANT_LIMIT_TTL_MS = 5 * 60_000;

/** How long the default stands in after the origin failed (5xx, timeout, unreachable, odd answer). */
export const TENANT_LIMIT_RETRY_MS = 30_000;

/** The lookup's own timeout: it runs on the request path, beside the IP check. */
const LOOKUP_TIMEOUT_MS = 1000;

/** Memo size bound: the least recently used entry goes first, so made-up tenants cannot grow it without end. */
const MAX_TENANTS = 10_000;

interface Entry {
  /** The tenant's own limit; `undefined` means the default applies. */
  perHour: number | undefined;
  /** How long it stands. */
  ttlMs: number;
}

// On the clock `Date.now()` reads (tests move it), checked on every read.
const memo = new LRUCache<string, Entry>({ max: MAX_TENANTS, perf: { now: () => Date.now() }, ttlResolution: 0 });

/** `value` as a positive integer, or `undefined` (unset, 0, malformed: no limit). */
export function positiveInteger(value: unknown): number | undefined {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) && number > 0 ? number : undefined;
}

async function lookup(env: Env, tenant: string, requestId: string): Promise<Entry> {
  const retry = (error: string): Entry => {
    log('warn', 'tenant limits unavailable; using the default', { tenant, requestId, error, retryInMs: TENANT_LIMIT_RETRY_MS });
    return { perHour: undefined, ttlMs: TENANT_LIMIT_RETRY_MS };
  };
  // The edge asks on its own behalf, with its own credential: never with the caller's key, which
  // a keyless first request would not have (API Gateway requires no key on this one route).
  const request = edgeRequestHeaders(env, requestId);
  request.set('accept', 'application/json');
  try {
    const url = originUrl(env, `/v1/${tenant}/config/limits`);
    const response = await fetch(url, { headers: request, signal: AbortSignal.timeout(LOOKUP_TIMEOUT_MS) });
    if (response.status === 404) {
      await response.body?.cancel();
      return { perHour: undefined, ttlMs: TENANT_LIMIT_TTL_MS };
    }
    if (!response.ok) {
      await response.body?.cancel();
      return retry(`origin answered ${response.status}`);
    }
    const body: unknown = await response.json().catch(() => undefined);
    const perHour = positiveInteger(typeof body === 'object' && body !== null ? (body as Record<string, unknown>).api_calls_per_hour : undefined);
    return perHour ? { perHour, ttlMs: TENANT_LIMIT_TTL_MS } : retry('malformed limits config');
  } catch (error) {
    return retry(String(error));
  }
}

/**
 * The hourly limit for `tenant`: its own, else the default; `undefined` when neither is set.
 * Only settled values are memoised (no shared promise): workerd does not let one request await
 * I/O another request started. The lookup never carries the caller's credentials.
 */
export async function tenantHourlyLimit(env: Env, tenant: string, requestId: string): Promise<number | undefined> {
  const key = `${env.ORIGIN_URL}\n${tenant}`;
  let entry = memo.get(key);
  if (!entry) {
    entry = await lookup(env, tenant, requestId);
    memo.set(key, entry, { ttl: entry.ttlMs });
  }
  return entry.perHour ?? positiveInteger(env.RATE_LIMIT_TENANT_DEFAULT_PER_HOUR);
}

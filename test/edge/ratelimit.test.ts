/**
 * Edge rate limits inside workerd, counted by the unmodified `@upstash/ratelimit` in the
 * harness's Redis through the local Upstash endpoint; tenant limits from the fake origin.
 */
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import type { Env } from '../../edge/env.ts';
import { edgeFetch, freshTenant, type EdgeResult } from './edge-fetch.ts';

const upstash = (): Partial<Env> => ({ UPSTASH_REDIS_REST_URL: inject('upstashUrl'), UPSTASH_REDIS_REST_TOKEN: inject('upstashToken') });
const byte = () => Math.floor(Math.random() * 256);
const freshIp = () => `10.${byte()}.${byte()}.${byte()}`;

/** Sliding windows count part of the previous window: start a test well inside one window. */
async function awayFromWindowEnd(windowMs: number): Promise<void> {
  const left = windowMs - (Date.now() % windowMs);
  if (left < 5000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

function get(path: string, ip: string | undefined, bindings: Partial<Env>): Promise<EdgeResult> {
  return edgeFetch(path, { headers: ip ? { 'cf-connecting-ip': ip } : {} }, { ...upstash(), ...bindings });
}

function limitHeaders({ response }: EdgeResult) {
  return ['ratelimit-limit', 'ratelimit-remaining'].map((name) => response.headers.get(name));
}

function expectRateLimited(result: EdgeResult, limit: string, maxRetryAfter: number): void {
  const { response, json } = result;
  expect(response.status).toBe(429);
  expect(response.headers.get('content-type')).toContain('application/json');
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.headers.get('cache-status')).toBe('strata-edge; fwd=bypass');
  expect(limitHeaders(result)).toEqual([limit, '0']);
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(maxRetryAfter);
  expect(Number(response.headers.get('ratelimit-reset'))).toBeLessThanOrEqual(maxRetryAfter);
  expect(json().error).toMatchObject({ code: 'rate_limited', message: expect.stringContaining(limit), requestId: expect.stringMatching(/.+/) });
}

describe('per-IP rate limit', () => {
  it('allows RATE_LIMIT_IP_PER_MINUTE requests per address, then answers 429', async () => {
    await awayFromWindowEnd(60_000);
    const path = `/v1/${freshTenant()}/public/projects`;
    const ip = freshIp();
    const bindings = { RATE_LIMIT_IP_PER_MINUTE: '3' };
    for (const remaining of ['2', '1', '0']) {
      const result = await get(path, ip, bindings);
      expect(result.response.status).toBe(200);
      expect(limitHeaders(result)).toEqual(['3', remaining]);
      const reset = Number(result.response.headers.get('ratelimit-reset'));
      expect(reset).toBeGreaterThan(0);
      expect(reset).toBeLessThanOrEqual(60);
    }
    expectRateLimited(await get(path, ip, bindings), '3', 60);
    expectRateLimited(await get(`/v1/${freshTenant()}/anything`, ip, bindings), '3', 60);
    expect((await get(path, freshIp(), bindings)).response.status).toBe(200);
  });

  it('counts an IPv6 client by its /64', async () => {
    await awayFromWindowEnd(60_000);
    const net = `2001:db8:${byte().toString(16)}:${crypto.randomUUID().slice(0, 4)}`;
    const bindings = { RATE_LIMIT_IP_PER_MINUTE: '2' };
    const path = `/v1/${freshTenant()}/public/projects`;
    expect((await get(path, `${net}::1`, bindings)).response.status).toBe(200);
    expect((await get(path, `${net}:0:0:0:ff`, bindings)).response.status).toBe(200);
    expect((await get(path, `${net}:1:2:3:4`, bindings)).response.status).toBe(429);
    expect((await get(path, `2001:db8:ffff:${crypto.randomUUID().slice(0, 4)}::1`, bindings)).response.status).toBe(200);
  });

  it('does not limit requests without CF-Connecting-IP, outside /v1/{tenant}/, or with a malformed tenant', async () => {
    const bindings = { RATE_LIMIT_IP_PER_MINUTE: '1' };
    const ip = freshIp();
    for (let i = 0; i < 3; i++) {
      const anonymous = await get(`/v1/${freshTenant()}/public/projects`, undefined, bindings);
      expect(anonymous.response.status).toBe(200);
      expect(anonymous.response.headers.has('ratelimit-limit')).toBe(false);
      expect((await get('/echo/ratelimit', ip, bindings)).response.status).toBe(404);
      const malformed = await get('/v1/Bad_Tenant/public/projects', ip, bindings);
      expect(malformed.response.status).toBe(400);
      expect(malformed.json().error.code).toBe('invalid_tenant');
      expect(malformed.response.headers.has('ratelimit-limit')).toBe(false);
    }
    // The same address was never counted above: its first /v1 request is allowed.
    expect((await get(`/v1/${freshTenant()}/public/projects`, ip, bindings)).response.status).toBe(200);
  });

  it('is off without Upstash bindings', async () => {
    const result = await edgeFetch(`/v1/${freshTenant()}/public/projects`, { headers: { 'cf-connecting-ip': freshIp() } }, { RATE_LIMIT_IP_PER_MINUTE: '1' });
    const again = await edgeFetch(`/v1/${freshTenant()}/public/projects`, { headers: { 'cf-connecting-ip': freshIp() } }, { RATE_LIMIT_IP_PER_MINUTE: '1' });
    expect([result.response.status, again.response.status]).toEqual([200, 200]);
    expect(result.response.headers.has('ratelimit-limit')).toBe(false);
  });
});

describe('per-tenant rate limit', () => {
  const hits = async (path: string) => ((await (await fetch(`${inject('fakeOriginUrl')}/_fake/hits?path=${encodeURIComponent(path)}`)).json()) as { hits: number }).hits;

  it("takes the tenant's api_calls_per_hour from the origin, across client addresses, and memoises it", async () => {
    await awayFromWindowEnd(3_600_000);
    const tenant = freshTenant('limited');
    const bindings = { RATE_LIMIT_TENANT_DEFAULT_PER_HOUR: '100' };
    for (const remaining of ['2', '1', '0']) {
      const result = await get(`/v1/${tenant}/public/projects`, freshIp(), bindings);
      expect(result.response.status).toBe(200);
      expect(limitHeaders(result)).toEqual(['3', remaining]);
    }
    const denied = await get(`/v1/${tenant}/public/projects?page=2`, freshIp(), bindings);
    expectRateLimited(denied, '3', 3600);
    expect(denied.json().error.message).toContain('tenant');
    expect(await hits(`/v1/${tenant}/config/limits`)).toBe(1);
  });

  it.each([
    ['has no config (404)', 't'],
    ['has a malformed config', 'badlimits'],
    ['cannot be asked (500)', 'limitserr'],
  ])('uses RATE_LIMIT_TENANT_DEFAULT_PER_HOUR when the origin %s', async (_case, prefix) => {
    await awayFromWindowEnd(3_600_000);
    const path = `/v1/${freshTenant(prefix)}/public/projects`;
    const bindings = { RATE_LIMIT_TENANT_DEFAULT_PER_HOUR: '2' };
    expect(limitHeaders(await get(path, undefined, bindings))).toEqual(['2', '1']);
    expect(limitHeaders(await get(path, undefined, bindings))).toEqual(['2', '0']);
    expectRateLimited(await get(path, undefined, bindings), '2', 3600);
  });

  it('keeps separate counters per tenant', async () => {
    await awayFromWindowEnd(3_600_000);
    const [a, b] = [freshTenant('limited'), freshTenant('limited')];
    for (let i = 0; i < 3; i++) expect((await get(`/v1/${a}/public/projects`, undefined, {})).response.status).toBe(200);
    expect((await get(`/v1/${a}/public/projects`, undefined, {})).response.status).toBe(429);
    const other = await get(`/v1/${b}/public/projects`, undefined, {});
    expect(other.response.status).toBe(200);
    expect(limitHeaders(other)).toEqual(['3', '2']);
  });

  it('does not spend tenant quota on requests the IP limit refused, and reports the tighter limit', async () => {
    await awayFromWindowEnd(60_000);
    const tenant = freshTenant('limited');
    const path = `/v1/${tenant}/public/projects`;
    const bindings = { RATE_LIMIT_IP_PER_MINUTE: '2' };
    const noisy = freshIp();
    expect(limitHeaders(await get(path, noisy, bindings))).toEqual(['2', '1']);
    expect(limitHeaders(await get(path, noisy, bindings))).toEqual(['2', '0']);
    for (let i = 0; i < 3; i++) expectRateLimited(await get(path, noisy, bindings), '2', 60);
    const quiet = await get(path, freshIp(), bindings);
    expect(quiet.response.status).toBe(200);
    expect(limitHeaders(quiet)).toEqual(['3', '0']);
    expectRateLimited(await get(path, freshIp(), bindings), '3', 3600);
  });
});

describe('rate limits fail open', () => {
  let logged: unknown[][] = [];
  afterEach(() => vi.restoreAllMocks());
  const spyOnLogs = () => {
    logged = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void logged.push(args));
  };
  const failOpenLines = () =>
    logged.map(([line]) => (typeof line === 'string' && line.startsWith('{') ? JSON.parse(line) : undefined)).filter((line) => line?.msg === 'rate limit unavailable; failing open');

  it('serves requests without limits when Upstash is unreachable, and logs a JSON line', async () => {
    spyOnLogs();
    const bindings = { UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:1', RATE_LIMIT_IP_PER_MINUTE: '1', RATE_LIMIT_TENANT_DEFAULT_PER_HOUR: '1' };
    const ip = freshIp();
    const tenant = freshTenant();
    for (let i = 0; i < 4; i++) {
      const { response } = await get(`/v1/${tenant}/public/projects`, ip, bindings);
      expect(response.status).toBe(200);
      expect(response.headers.has('ratelimit-limit')).toBe(false);
    }
    expect(failOpenLines()).toEqual([expect.objectContaining({ level: 'warn', scope: 'ip', error: expect.any(String) })]);
  });

  it('gives up on an Upstash that does not answer within the timeout', async () => {
    spyOnLogs();
    const bindings = { UPSTASH_REDIS_REST_URL: `${inject('fakeOriginUrl')}/_fake/hang`, RATE_LIMIT_TENANT_DEFAULT_PER_HOUR: '1' };
    const started = Date.now();
    const { response } = await get(`/v1/${freshTenant()}/public/projects`, undefined, bindings);
    const elapsed = Date.now() - started;
    expect(response.status).toBe(200);
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(2500);
    expect(failOpenLines()).toEqual([expect.objectContaining({ scope: 'tenant', error: expect.stringContaining('did not answer within 1000 ms') })]);
  });
});

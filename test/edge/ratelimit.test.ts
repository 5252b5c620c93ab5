/**
 * The per-address rate limit inside workerd, counted by the unmodified `@upstash/ratelimit` in
 * the harness's Redis through the local Upstash endpoint.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Env } from '../../edge/env.ts';
import { DEFAULT_IP_PER_MINUTE } from '../../edge/ratelimit/index.ts';
import { freshTenant, type EdgeResult } from './edge-fetch.ts';
import { awayFromWindowEnd, captureLogs, expectRateLimited, freshIp, limitHeaders, send, upstash } from './ratelimit-support.ts';

function get(path: string, ip: string | undefined, bindings: Partial<Env>): Promise<EdgeResult> {
  return send(path, { ip }, { ...upstash(), ...bindings });
}

describe('per-address rate limit', () => {
  beforeEach(async () => {
    captureLogs();
    await awayFromWindowEnd(60_000);
    return () => vi.restoreAllMocks();
  });

  it('allows RATE_LIMIT_IP_PER_MINUTE requests per address, then answers 429', async () => {
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

  it(`limits every address to ${DEFAULT_IP_PER_MINUTE} per minute when RATE_LIMIT_IP_PER_MINUTE is unset or malformed, and not at all when it is 0`, async () => {
    const path = `/v1/${freshTenant()}/anything`;
    for (const value of [undefined, 'lots']) {
      const result = await get(path, freshIp(), { RATE_LIMIT_IP_PER_MINUTE: value });
      expect(limitHeaders(result)).toEqual([String(DEFAULT_IP_PER_MINUTE), String(DEFAULT_IP_PER_MINUTE - 1)]);
    }
    const off = await get(path, freshIp(), { RATE_LIMIT_IP_PER_MINUTE: '0' });
    expect(off.response.status).toBe(404);
    expect(off.response.headers.has('ratelimit-limit')).toBe(false);
  });

  it('counts an IPv6 client by its /64', async () => {
    const net = `2001:db8:${Math.floor(Math.random() * 256).toString(16)}:${crypto.randomUUID().slice(0, 4)}`;
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
    const bindings = { UPSTASH_REDIS_REST_URL: undefined, UPSTASH_REDIS_REST_TOKEN: undefined, RATE_LIMIT_IP_PER_MINUTE: '1' };
    const ip = freshIp();
    const results = [
      await send(`/v1/${freshTenant()}/public/projects`, { ip }, bindings),
      await send(`/v1/${freshTenant()}/public/projects`, { ip }, bindings),
    ];
    expect(results.map(({ response }) => response.status)).toEqual([200, 200]);
    expect(results[0]!.response.headers.has('ratelimit-limit')).toBe(false);
  });
});

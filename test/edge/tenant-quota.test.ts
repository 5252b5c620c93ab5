/**
 * A tenant's hourly quota at the edge, inside workerd, counted by the unmodified
 * `@upstash/ratelimit` in the harness's Redis: spent only by requests the origin confirmed as
 * the tenant's members (the fake origin's `/me` with `member-{tenant}`), enforced only on
 * requests with credentials, never touched by anonymous traffic.
 */
import { beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { SESSION_TENANT_HEADER } from '../../common/session-tenant.ts';
import { freshTenant } from './edge-fetch.ts';
import { PASSWORD, awayFromWindowEnd, captureLogs, expectRateLimited, freshIp, limitHeaders, memberToken, send, upstash } from './ratelimit-support.ts';

const HOUR_MS = 3_600_000;
const hits = async (path: string) =>
  ((await (await fetch(`${inject('fakeOriginUrl')}/_fake/hits?path=${encodeURIComponent(path)}`)).json()) as { hits: number }).hits;

describe('tenant quota', () => {
  beforeEach(async () => {
    captureLogs();
    await awayFromWindowEnd(HOUR_MS);
    return () => vi.restoreAllMocks();
  });

  it('is not spent by anonymous floods: after them a sign-in and a member still pass (#18.2)', async () => {
    const tenant = freshTenant();
    const bindings = { ...upstash(), RATE_LIMIT_TENANT_DEFAULT_PER_HOUR: '3' };
    // Ten times the quota, without credentials or with forged ones, to a non-route and a real one.
    for (let i = 0; i < 10; i++) {
      expect((await send(`/v1/${tenant}/anything`, { ip: freshIp() }, bindings)).response.status).toBe(404);
      expect((await send(`/v1/${tenant}/me`, { ip: freshIp(), token: 'forged' }, bindings)).response.status).toBe(401);
      expect((await send(`/v1/${tenant}/public/projects?n=${i}`, { ip: freshIp() }, bindings)).response.status).toBe(200);
    }
    const signIn = await send(`/v1/${tenant}/sessions`, { ip: freshIp(), method: 'POST', body: { email: 'm@example.test', password: PASSWORD } }, bindings);
    expect(signIn.response.status).toBe(201);
    const member = await send(`/v1/${tenant}/me`, { ip: freshIp(), token: signIn.json().token }, bindings);
    expect(member.response.status).toBe(200);
    expect(limitHeaders(member)).toEqual(['3', '2']);
  });

  it('refuses only requests with credentials once members spent it; anonymous ones still pass', async () => {
    const tenant = freshTenant();
    const bindings = { ...upstash(), RATE_LIMIT_TENANT_DEFAULT_PER_HOUR: '2' };
    const token = memberToken(tenant);
    for (const remaining of ['1', '0']) expect(limitHeaders(await send(`/v1/${tenant}/me`, { token }, bindings))).toEqual(['2', remaining]);
    const refused = await send(`/v1/${tenant}/me`, { token }, bindings);
    expectRateLimited(refused, '2', 3600);
    expect(refused.json().error.message).toContain('tenant');
    expectRateLimited(await send(`/v1/${tenant}/me`, { token: 'forged' }, bindings), '2', 3600);
    expect(await hits(`/v1/${tenant}/me`)).toBe(2);

    const anonymous = [
      await send(`/v1/${tenant}/public/projects`, {}, bindings),
      await send(`/v1/${tenant}/sessions`, { method: 'POST', body: { email: 'm@example.test', password: PASSWORD } }, bindings),
      await send(`/v1/${tenant}/anything`, {}, bindings),
    ];
    expect(anonymous.map(({ response }) => response.status)).toEqual([200, 201, 404]);
    for (const result of anonymous) expect(result.response.headers.has('ratelimit-limit')).toBe(false);
  });

  it("takes the tenant's api_calls_per_hour from the origin, across client addresses, and memoises it", async () => {
    const tenant = freshTenant('limited');
    const bindings = { ...upstash(), RATE_LIMIT_TENANT_DEFAULT_PER_HOUR: '100' };
    const token = memberToken(tenant);
    for (const remaining of ['2', '1', '0']) {
      const result = await send(`/v1/${tenant}/me`, { ip: freshIp(), token }, bindings);
      expect(result.response.status).toBe(200);
      expect(limitHeaders(result)).toEqual(['3', remaining]);
    }
    expectRateLimited(await send(`/v1/${tenant}/me`, { ip: freshIp(), token }, bindings), '3', 3600);
    expect(await hits(`/v1/${tenant}/config/limits`)).toBe(1);
  });

  it.each([
    ['has no config (404)', 't'],
    ['has a malformed config', 'badlimits'],
    ['cannot be asked (500)', 'limitserr'],
  ])('uses RATE_LIMIT_TENANT_DEFAULT_PER_HOUR when the origin %s', async (_case, prefix) => {
    const tenant = freshTenant(prefix);
    const bindings = { ...upstash(), RATE_LIMIT_TENANT_DEFAULT_PER_HOUR: '2' };
    const token = memberToken(tenant);
    expect(limitHeaders(await send(`/v1/${tenant}/me`, { token }, bindings))).toEqual(['2', '1']);
    expect(limitHeaders(await send(`/v1/${tenant}/me`, { token }, bindings))).toEqual(['2', '0']);
    expectRateLimited(await send(`/v1/${tenant}/me`, { token }, bindings), '2', 3600);
  });

  it('keeps separate counters per tenant', async () => {
    const [a, b] = [freshTenant('limited'), freshTenant('limited')];
    for (let i = 0; i < 3; i++) expect((await send(`/v1/${a}/me`, { token: memberToken(a) }, upstash())).response.status).toBe(200);
    expect((await send(`/v1/${a}/me`, { token: memberToken(a) }, upstash())).response.status).toBe(429);
    const other = await send(`/v1/${b}/me`, { token: memberToken(b) }, upstash());
    expect(other.response.status).toBe(200);
    expect(limitHeaders(other)).toEqual(['3', '2']);
  });

  it('is not spent by requests the address limit refused, and the tighter limit is reported', async () => {
    await awayFromWindowEnd(60_000);
    const tenant = freshTenant('limited');
    const token = memberToken(tenant);
    const bindings = { ...upstash(), RATE_LIMIT_IP_PER_MINUTE: '2' };
    const noisy = freshIp();
    expect(limitHeaders(await send(`/v1/${tenant}/me`, { ip: noisy, token }, bindings))).toEqual(['2', '1']);
    expect(limitHeaders(await send(`/v1/${tenant}/me`, { ip: noisy, token }, bindings))).toEqual(['2', '0']);
    for (let i = 0; i < 3; i++) expectRateLimited(await send(`/v1/${tenant}/me`, { ip: noisy, token }, bindings), '2', 60);
    const quiet = await send(`/v1/${tenant}/me`, { ip: freshIp(), token }, bindings);
    expect(quiet.response.status).toBe(200);
    expect(limitHeaders(quiet)).toEqual(['3', '0']);
    expectRateLimited(await send(`/v1/${tenant}/me`, { ip: freshIp(), token }, bindings), '3', 3600);
  });

  it("never hands the origin's session-tenant header to the client, with limits or without", async () => {
    const tenant = freshTenant();
    for (const bindings of [{ ...upstash(), RATE_LIMIT_TENANT_DEFAULT_PER_HOUR: '5' }, {}]) {
      const { response } = await send(`/v1/${tenant}/me`, { token: memberToken(tenant) }, bindings);
      expect(response.status).toBe(200);
      expect(response.headers.has(SESSION_TENANT_HEADER)).toBe(false);
    }
  });
});

/**
 * Brakes on password guessing, counted in the origin's real store: failures per account and
 * address, per account, per address; 429 `rate_limited` with `Retry-After`, and no scrypt work
 * for a refused attempt (scrypt calls are counted, never timed).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../origin/app.ts';
import { DEMO_PASSWORD } from '../../origin/db/seed.ts';
import { startOriginServer } from '../../origin/server.ts';
import { LoginLimiter } from '../../origin/sessions/login-limits.ts';
import { loginLimitClient } from '../../origin/sessions/login-limits-client.ts';
import { startRedis, type RedisProcess } from '../harness/redis.ts';
import { send } from './api-client.ts';
import { DATABASE_KINDS } from './databases.ts';
import { tenantWithMembers, type Member } from './members.ts';
import { CACHE_KINDS, cacheConfig, startTestOrigin, type TestOrigin } from './origin-app.ts';
import { fileRedisUrl } from '../harness/file-redis.ts';

const scrypt = vi.hoisted(() => ({ calls: 0 }));
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  const counted = ((...args: Parameters<typeof actual.scrypt>) => {
    scrypt.calls++;
    return (actual.scrypt as (...a: unknown[]) => void)(...args);
  }) as typeof actual.scrypt;
  return { ...actual, default: { ...actual, scrypt: counted }, scrypt: counted };
});

const combos = DATABASE_KINDS.flatMap((db) => CACHE_KINDS.map((cache) => [db, cache] as const));
const WRONG = 'wrong horse battery staple';

describe.each(combos)('login limits on %s with %s', (dbKind, cacheKind) => {
  let origin: TestOrigin;
  let ip = 0;
  /** A client address of its own, from TEST-NET-3 (RFC 5737). */
  const address = () => `203.0.113.${++ip}`;
  const signIn = (tenant: string, email: string, password: string, from: string) =>
    send(origin, 'POST', `/v1/${tenant}/sessions`, { body: { email, password }, headers: { 'x-strata-client-ip': from } });
  /** Runs `request` and returns its status and how many scrypt derivations it cost. */
  const counted = async (request: () => Promise<Response>) => {
    const before = scrypt.calls;
    const response = await request();
    return { response, status: response.status, scrypt: scrypt.calls - before };
  };
  const members = async (n: number) =>
    (await tenantWithMembers(
      origin,
      Array.from({ length: n }, () => []),
    )) as { tenant: string; members: Member[] };

  beforeAll(async () => {
    origin = await startTestOrigin(dbKind, cacheConfig(cacheKind));
  });
  afterAll(async () => {
    await origin.close();
  });

  it('refuses the sixth failure from one address with 429 and no scrypt work; other addresses still sign in', async () => {
    const {
      tenant,
      members: [user],
    } = await members(1);
    const attacker = address();
    for (let i = 0; i < 5; i++) {
      const failed = await counted(() => signIn(tenant, user!.email, WRONG, attacker));
      expect([failed.status, failed.scrypt]).toEqual([401, 1]);
    }
    if (cacheKind === 'redis') {
      // Counted in Redis, not in the process's insurance: the three limits' keys are there.
      const redis = new Redis(fileRedisUrl());
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', 'login:*', 'COUNT', 1000);
        cursor = next;
        keys.push(...found);
      } while (cursor !== '0');
      redis.disconnect();
      expect(new Set(keys.map((key) => key.split(':')[1]))).toEqual(new Set(['accountSource', 'account', 'source']));
    }
    const refused = await counted(() => signIn(tenant, user!.email, DEMO_PASSWORD, attacker));
    expect([refused.status, refused.scrypt]).toEqual([429, 0]);
    expect(await refused.response.json()).toMatchObject({ error: { code: 'rate_limited', message: expect.any(String), requestId: expect.any(String) } });
    const retryAfter = Number(refused.response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect((await signIn(tenant, user!.email.toUpperCase(), WRONG, attacker)).status).toBe(429);
    expect((await signIn(tenant, user!.email, DEMO_PASSWORD, address())).status).toBe(201);
  });

  it('resets the account and address count on a success', async () => {
    const {
      tenant,
      members: [user],
    } = await members(1);
    const from = address();
    for (let i = 0; i < 4; i++) expect((await signIn(tenant, user!.email, WRONG, from)).status).toBe(401);
    expect((await signIn(tenant, user!.email, DEMO_PASSWORD, from)).status).toBe(201);
    for (let i = 0; i < 5; i++) expect((await signIn(tenant, user!.email, WRONG, from)).status).toBe(401);
    expect((await signIn(tenant, user!.email, DEMO_PASSWORD, from)).status).toBe(429);
  });

  it('brakes the current-password check of a password change the same way', async () => {
    const {
      tenant,
      members: [user],
    } = await members(1);
    const from = address();
    const change = (currentPassword: string, client: string) =>
      send(origin, 'POST', `/v1/${tenant}/users/${user!.id}/password`, {
        token: user!.token,
        body: { currentPassword, newPassword: 'a new and long password' },
        headers: { 'x-strata-client-ip': client },
      });
    for (let i = 0; i < 5; i++) expect((await change(WRONG, from)).status).toBe(403);
    const refused = await counted(() => change(DEMO_PASSWORD, from));
    expect([refused.status, refused.scrypt]).toEqual([429, 0]);
    expect((await change(DEMO_PASSWORD, address())).status).toBe(204);
  });
});

describe('login limits over many addresses and accounts', () => {
  let origin: TestOrigin;
  let app: ReturnType<typeof createApp>;
  beforeAll(async () => {
    origin = await startTestOrigin('pglite', cacheConfig('memory'));
    const limits = { accountSource: { points: 5, durationSec: 900 }, account: { points: 3, durationSec: 300 }, source: { points: 4, durationSec: 3600 } };
    app = createApp({ ...origin.services, loginLimits: new LoginLimiter({ limits }) });
  });
  afterAll(async () => {
    await origin.close();
  });
  const signIn = (tenant: string, email: string, password: string, from: string) =>
    app.request(`/v1/${tenant}/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-strata-client-ip': from },
      body: JSON.stringify({ email, password }),
    });

  it('stops guesses spread over addresses at the account’s ceiling, for one short window', async () => {
    const {
      tenant,
      members: [user],
    } = await tenantWithMembers(origin, [[]]);
    for (const from of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) expect((await signIn(tenant, user!.email, WRONG, from)).status).toBe(401);
    const before = scrypt.calls;
    const refused = await signIn(tenant, user!.email, DEMO_PASSWORD, '198.51.100.4');
    expect([refused.status, scrypt.calls - before]).toEqual([429, 0]);
    // The lockout ends with the account's short window, not the strict per-address one.
    const retryAfter = refused.headers.get('retry-after');
    expect(retryAfter).toMatch(/^[1-9]\d*$/);
    expect(Number(retryAfter)).toBeLessThanOrEqual(300);
  });

  it('stops one address trying many accounts, and counts an IPv6 /64 as one address', async () => {
    const { tenant, members } = await tenantWithMembers(origin, [[], [], [], [], []]);
    const hosts = ['2001:db8:1:2::1', '2001:db8:1:2::2', '2001:db8:1:2:aaaa::3', '2001:db8:1:2:ffff:ffff:ffff:4'];
    for (const [i, host] of hosts.entries()) expect((await signIn(tenant, members[i]!.email, WRONG, host)).status).toBe(401);
    expect((await signIn(tenant, members[4]!.email, DEMO_PASSWORD, '2001:db8:1:2::99')).status).toBe(429);
    expect((await signIn(tenant, members[4]!.email, DEMO_PASSWORD, '2001:db8:1:3::1')).status).toBe(201);
  });

  it('takes the Node server’s socket address when the edge sent none', async () => {
    const {
      tenant,
      members: [user],
    } = await tenantWithMembers(origin, [[]]);
    const inProcess = () => send(origin, 'POST', `/v1/${tenant}/sessions`, { body: { email: user!.email, password: WRONG } });
    // In process there is no socket: five failures spend the limit of the unknown address.
    for (let i = 0; i < 5; i++) expect((await inProcess()).status).toBe(401);
    expect((await inProcess()).status).toBe(429);
    const server = await startOriginServer(origin.services, '127.0.0.1', 0);
    try {
      const direct = (password: string) =>
        fetch(`${server.url}/v1/${tenant}/sessions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: user!.email, password }),
        });
      // Over a socket the address is 127.0.0.1: a count of its own.
      for (let i = 0; i < 5; i++) expect((await direct(WRONG)).status).toBe(401);
      expect((await direct(DEMO_PASSWORD)).status).toBe(429);
    } finally {
      await server.close();
    }
  });
});

describe('login limits while Redis is down', () => {
  let redis: RedisProcess;
  afterAll(async () => redis?.stop());

  it('keeps counting in process memory, and refuses past the limit', async () => {
    redis = await startRedis();
    const client = loginLimitClient({ kind: 'redis', url: redis.url, commandTimeoutMs: 200, connectTimeoutMs: 200 })!;
    const errors: unknown[] = [];
    const limiter = new LoginLimiter({ client, onError: (error) => errors.push(error) });
    await redis.kill();
    try {
      for (let i = 0; i < 5; i++) expect((await limiter.begin('acme', 'bob@acme.test', '192.0.2.1')).allowed).toBe(true);
      expect(await limiter.begin('acme', 'bob@acme.test', '192.0.2.1')).toMatchObject({ allowed: false, retryAfterMs: expect.any(Number) });
      expect(errors).toEqual([]);
    } finally {
      client.disconnect();
    }
  });
});

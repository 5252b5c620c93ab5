/**
 * The tenant quota through the whole stack (#18.2): the real origin confirms its members'
 * requests to the edge Worker (Miniflare, limits in Upstash over the harness's Redis), so
 * anonymous floods (unknown routes, forged tokens, failed sign-ins) spend nothing and lock no one
 * out, while members spend the quota. Public reads are covered by test/edge/tenant-quota.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SESSION_TENANT_HEADER } from '../../common/session-tenant.ts';
import { DEMO_PASSWORD } from '../../origin/db/seed.ts';
import { log } from '../../origin/log.ts';
import { hashPassword } from '../../origin/users/password.ts';
import { startStack, type Stack } from './stack.ts';
import { fileRedisUrl, startFileUpstash } from '../harness/file-redis.ts';
import type { UpstashServer } from '../../local/upstash/server.ts';

describe('a tenant quota end to end', () => {
  let stack: Stack;
  let upstash: UpstashServer | undefined;
  const tenant = `quota-${crypto.randomUUID().slice(0, 8)}`;
  const emails = [`one@${tenant}.test`, `two@${tenant}.test`];
  let n = 0;
  // Every request from its own client address, so only the tenant quota is in play.
  const edge = (path: string, init: { method?: string; token?: string; body?: unknown } = {}) => {
    const headers: Record<string, string> = { 'cf-connecting-ip': `10.77.${Math.floor(n / 250)}.${n++ % 250}` };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    return stack.edge(`/v1/${tenant}${path}`, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  };
  const signIn = (email: string, password = DEMO_PASSWORD) => edge('/sessions', { method: 'POST', body: { email, password } });

  beforeAll(async () => {
    // The stack warns that it has no encryption keys; nothing here reads it.
    vi.spyOn(log, 'warn').mockImplementation(() => {});
    upstash = await startFileUpstash();
    stack = await startStack(
      { kind: 'redis', url: fileRedisUrl(), commandTimeoutMs: 1000, connectTimeoutMs: 2000 },
      {
        edgeBindings: { UPSTASH_REDIS_REST_URL: upstash!.url, UPSTASH_REDIS_REST_TOKEN: upstash!.token, RATE_LIMIT_TENANT_DEFAULT_PER_HOUR: '3' },
      },
    );
    await stack.services.db.query('INSERT INTO tenants (id, name) VALUES ($1, $1)', [tenant]);
    for (const email of emails) {
      await stack.services.db.query('INSERT INTO users (id, tenant_id, email, name, password_hash) VALUES ($1, $2, $3, $4, $5)', [
        crypto.randomUUID(),
        tenant,
        email,
        'Member',
        await hashPassword(DEMO_PASSWORD),
      ]);
    }
  });
  afterAll(async () => {
    await stack?.close();
    await upstash?.stop();
    vi.restoreAllMocks();
  });

  it('is spent by members only; anonymous floods leave sign-ins and members working', async () => {
    for (let i = 0; i < 10; i++) {
      const answers = [await edge('/anything'), await edge('/me', { token: 'forged' }), await signIn(`nobody-${i}@${tenant}.test`, 'wrong password')];
      expect(answers.map((answer) => answer.status)).toEqual([404, 401, 401]);
      await Promise.all(answers.map((answer) => answer.arrayBuffer()));
    }
    const signedIn = await signIn(emails[0]!);
    expect(signedIn.status).toBe(201);
    const { token } = (await signedIn.json()) as { token: string };

    for (const remaining of ['2', '1', '0']) {
      const me = await edge('/me', { token });
      expect(me.status).toBe(200);
      expect(me.headers.get('ratelimit-remaining')).toBe(remaining);
      expect(me.headers.has(SESSION_TENANT_HEADER)).toBe(false);
      await me.arrayBuffer();
    }
    const refused = await edge('/me', { token });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    // Spent by its members, the quota still refuses no anonymous request.
    const other = await signIn(emails[1]!);
    expect(other.status).toBe(201);
    await other.arrayBuffer();
    const unknown = await edge('/anything');
    expect(unknown.status).toBe(404);
    await unknown.arrayBuffer();
  });
});

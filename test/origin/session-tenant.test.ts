/**
 * The origin confirms a tenant's own traffic to the edge with `SESSION_TENANT_HEADER` (the edge
 * charges the tenant's quota only for those): on every answer to a request that carried a live
 * session of the path's tenant, whatever the route did next, and on nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_TENANT_HEADER } from '../../common/session-tenant.ts';
import { DEMO_PASSWORD } from '../../origin/db/seed.ts';
import { alice, bob, send, signIn } from './api-client.ts';
import { cacheConfig, startTestOrigin, type TestOrigin } from './origin-app.ts';

const UNKNOWN_USER = '0a000000-0000-4000-8000-0000000000ff';

describe('the session-tenant header', () => {
  let origin: TestOrigin;
  let token: string;
  beforeAll(async () => {
    origin = await startTestOrigin('pglite', cacheConfig('memory'));
    token = await signIn(origin, 'acme', bob.email);
  });
  afterAll(async () => {
    await origin.close();
  });

  it('names the tenant on every answer to a request with a live session of it', async () => {
    const answers = [
      await send(origin, 'GET', '/v1/acme/me', { token }),
      await send(origin, 'GET', `/v1/acme/users/${UNKNOWN_USER}`, { token }),
      await send(origin, 'PATCH', `/v1/acme/users/${alice.id}`, { token, body: { name: 'Not Bob' } }),
      await send(origin, 'PATCH', `/v1/acme/users/${bob.id}`, { token, body: { name: 42 } }),
      await send(origin, 'GET', '/v1/acme/sessions/current', { token }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 404, 403, 400, 200]);
    for (const answer of answers) expect(answer.headers.get(SESSION_TENANT_HEADER)).toBe('acme');
  });

  it('is absent from sign-ins, refused credentials, public reads and unknown routes', async () => {
    const other = await signIn(origin, 'globex', 'hank@globex.test');
    const answers = [
      await send(origin, 'POST', '/v1/acme/sessions', { body: { email: alice.email, password: DEMO_PASSWORD } }),
      await send(origin, 'POST', '/v1/acme/sessions', { body: { email: alice.email, password: 'wrong' } }),
      await send(origin, 'GET', '/v1/acme/me'),
      await send(origin, 'GET', '/v1/acme/me', { token: 'forged' }),
      await send(origin, 'GET', '/v1/acme/me', { token: other }),
      await send(origin, 'GET', '/v1/acme/public/projects'),
      await send(origin, 'GET', '/v1/acme/public/projects', { token }),
      await send(origin, 'GET', '/v1/acme/config/limits'),
      await send(origin, 'GET', '/v1/acme/anything'),
      await send(origin, 'GET', '/v1/acme/anything', { token }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([201, 401, 401, 401, 401, 200, 200, 200, 404, 404]);
    for (const answer of answers) expect(answer.headers.has(SESSION_TENANT_HEADER)).toBe(false);
  });
});

/**
 * Authorization follows the user's current roles, not a snapshot taken at sign-in: an admin
 * changes roles with PATCH users/{id} (audited), and a demoted admin's open session loses the
 * admin's powers on its next request; a promoted member's session gains them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from './api-client.ts';
import { DATABASE_KINDS } from './databases.ts';
import { tenantWithMembers, type Member } from './members.ts';
import { CACHE_KINDS, cacheConfig, startTestOrigin, type TestOrigin } from './origin-app.ts';

const combos = DATABASE_KINDS.flatMap((db) => CACHE_KINDS.map((cache) => [db, cache] as const));

describe.each(combos)('roles on %s with %s', (dbKind, cacheKind) => {
  let origin: TestOrigin;
  let tenant: string;
  let first: Member;
  let second: Member;
  let member: Member;
  const putLimits = (token: string) => send(origin, 'PUT', `/v1/${tenant}/config/limits`, { token, body: { api_calls_per_hour: 500 } });
  const setRoles = (token: string, id: string, roles: unknown) => send(origin, 'PATCH', `/v1/${tenant}/users/${id}`, { token, body: { roles } });

  beforeAll(async () => {
    origin = await startTestOrigin(dbKind, cacheConfig(cacheKind));
    const made = await tenantWithMembers(origin, [['admin'], ['admin'], []]);
    [tenant, first, second, member] = [made.tenant, made.members[0]!, made.members[1]!, made.members[2]!];
  });
  afterAll(async () => {
    await origin?.close();
  });

  it('takes a demoted admin’s powers away from the session they already hold', async () => {
    expect((await putLimits(first.token)).status).toBe(200);
    const demoted = await setRoles(second.token, first.id, []);
    expect(demoted.status).toBe(200);
    expect(await demoted.json()).toMatchObject({ id: first.id, roles: [] });
    expect((await putLimits(first.token)).status).toBe(403);
    expect((await send(origin, 'PATCH', `/v1/${tenant}/users/${member.id}`, { token: first.token, body: { name: 'Renamed' } })).status).toBe(403);
    expect(await (await send(origin, 'GET', `/v1/${tenant}/sessions/current`, { token: first.token })).json()).toMatchObject({ roles: [] });
    const [audit] = await origin.services.db.query<{ actor_id: string; type: string; subject: string; before: unknown; after: unknown }>(
      // This test's change only: the other tests of the tenant change roles too, in any order.
      "SELECT actor_id, type, subject, before, after FROM audit_log WHERE tenant_id = $1 AND type = 'roles' AND subject = $2",
      [tenant, first.id],
    );
    const json = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);
    expect({ ...audit, before: json(audit!.before), after: json(audit!.after) }).toEqual({
      actor_id: second.id,
      type: 'roles',
      subject: first.id,
      before: ['admin'],
      after: [],
    });
  });

  it('gives a promoted member the admin’s powers on the session they hold', async () => {
    expect((await putLimits(member.token)).status).toBe(403);
    expect((await setRoles(second.token, member.id, ['admin'])).status).toBe(200);
    expect((await putLimits(member.token)).status).toBe(200);
    expect((await setRoles(second.token, member.id, [])).status).toBe(200);
  });

  it('refuses a role change by anyone but an admin, even of their own roles', async () => {
    for (const target of [member.id, second.id]) {
      const response = await setRoles(member.token, target, ['admin']);
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ error: { code: 'forbidden' } });
    }
    expect(await (await send(origin, 'GET', `/v1/${tenant}/users/${member.id}`, { token: member.token })).json()).toMatchObject({ roles: [] });
  });

  it.each([[['Admin!']], [['admin', 'admin']], ['admin'], [Array.from({ length: 20 }, (_, i) => `r${i}`)]])('refuses the roles %j with 400', async (roles) => {
    const response = await setRoles(second.token, member.id, roles);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_request' } });
  });
});

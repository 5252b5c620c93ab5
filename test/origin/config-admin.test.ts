/**
 * Tenant configuration is tenant-wide: only an admin may replace it, and every change is
 * recorded in the append-only audit log in the same transaction (who, when, type, before/after).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from './api-client.ts';
import { DATABASE_KINDS } from './databases.ts';
import { tenantWithMembers, type Member } from './members.ts';
import { CACHE_KINDS, cacheConfig, startTestOrigin, type TestOrigin } from './origin-app.ts';

const combos = DATABASE_KINDS.flatMap((db) => CACHE_KINDS.map((cache) => [db, cache] as const));

interface AuditRow {
  actor_id: string;
  type: string;
  subject: string | null;
  before: unknown;
  after: unknown;
  changed_at: Date | string;
}

describe.each(combos)('tenant configuration writes on %s with %s', (dbKind, cacheKind) => {
  let origin: TestOrigin;
  let tenant: string;
  let admin: Member;
  let member: Member;
  const audit = () =>
    origin.services.db.query<AuditRow>('SELECT actor_id, type, subject, before, after, changed_at FROM audit_log WHERE tenant_id = $1 ORDER BY id', [tenant]);
  const parsed = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);

  beforeAll(async () => {
    origin = await startTestOrigin(dbKind, cacheConfig(cacheKind));
    const made = await tenantWithMembers(origin, [['admin'], []]);
    [tenant, admin, member] = [made.tenant, made.members[0]!, made.members[1]!];
    await send(origin, 'PUT', `/v1/${tenant}/config/limits`, { token: admin.token, body: { api_calls_per_hour: 100 } });
  });
  afterAll(async () => {
    await origin.close();
  });

  it.each(['limits', 'app_settings'])('refuses a member without the admin role 403 forbidden on %s, and changes nothing', async (type) => {
    const before = await audit();
    const limits = await (await send(origin, 'GET', `/v1/${tenant}/config/limits`)).json();
    expect(limits).toEqual({ api_calls_per_hour: expect.any(Number) });
    const body = type === 'limits' ? { api_calls_per_hour: 1 } : { theme: 'owned' };
    const response = await send(origin, 'PUT', `/v1/${tenant}/config/${type}`, { token: member.token, body });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: 'forbidden', message: expect.any(String), requestId: expect.any(String) } });
    expect(await (await send(origin, 'GET', `/v1/${tenant}/config/limits`)).json()).toEqual(limits);
    expect(await audit()).toEqual(before);
  });

  it('lets an admin replace it, and records who changed what from what to what', async () => {
    const started = Date.now() - 1000;
    const limits = await (await send(origin, 'GET', `/v1/${tenant}/config/limits`)).json();
    const response = await send(origin, 'PUT', `/v1/${tenant}/config/limits`, { token: admin.token, body: { api_calls_per_hour: 250 } });
    expect(response.status).toBe(200);
    const last = (await audit()).at(-1)!;
    expect({ ...last, before: parsed(last.before), after: parsed(last.after) }).toMatchObject({
      actor_id: admin.id,
      type: 'limits',
      subject: null,
      before: limits,
      after: { api_calls_per_hour: 250 },
    });
    expect(new Date(last.changed_at).getTime()).toBeGreaterThan(started);
    await send(origin, 'PUT', `/v1/${tenant}/config/app_settings`, { token: admin.token, body: { theme: 'dark' } });
    const first = (await audit()).at(-1)!;
    expect([first.type, parsed(first.before), parsed(first.after)]).toEqual(['app_settings', null, { theme: 'dark' }]);
  });

  it('keeps the audit log append-only', async () => {
    await expect(origin.services.db.query('UPDATE audit_log SET actor_id = $1 WHERE tenant_id = $2', [member.id, tenant])).rejects.toThrow(/append-only/);
    await expect(origin.services.db.query('DELETE FROM audit_log WHERE tenant_id = $1', [tenant])).rejects.toThrow(/append-only/);
    expect((await audit()).every((row) => row.actor_id === admin.id)).toBe(true);
  });
});

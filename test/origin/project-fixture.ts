/**
 * A tenant of its own for tests that write projects: the harness's Redis is shared by every
 * test file, so writes under the demo tenants would change what other files read.
 */
import { DEMO_PASSWORD } from '../../origin/db/seed.ts';
import { hashPassword } from '../../origin/users/password.ts';
import { send, signIn } from './api-client.ts';
import type { TestOrigin } from './origin-app.ts';

/** A fresh tenant with one member of `roles`, signed in. */
export async function freshTenant(origin: TestOrigin, roles: string[] = []) {
  const tenant = `t-${crypto.randomUUID().slice(0, 12)}`;
  const email = `member@${tenant}.test`;
  await origin.services.db.query('INSERT INTO tenants (id, name) VALUES ($1, $2)', [tenant, tenant]);
  await origin.services.db.query('INSERT INTO users (id, tenant_id, email, name, roles, password_hash) VALUES ($1, $2, $3, $4, $5, $6)', [
    crypto.randomUUID(),
    tenant,
    email,
    'Member',
    roles,
    await hashPassword(DEMO_PASSWORD),
  ]);
  const token = await signIn(origin, tenant, email);
  const call = (method: string, path: string, body?: unknown, token_ = token) =>
    send(origin, method, path.replace('{t}', tenant), { token: token_, ...(body !== undefined ? { body } : {}) });
  return { tenant, token, call };
}

/** The purge records of `tenant`'s public list, oldest first. */
export async function purgesOf(origin: TestOrigin, tenant: string) {
  const rows = await origin.services.db.query<{ message: { id: string; tags?: string[]; prefixes?: string[] } | string }>(
    'SELECT message FROM purge_outbox ORDER BY seq',
  );
  return rows
    .map((row) => (typeof row.message === 'string' ? JSON.parse(row.message) : row.message) as { id: string; tags?: string[]; prefixes?: string[] })
    .filter((message) => message.prefixes?.includes(`/v1/${tenant}/public/projects`));
}

/** Rows of `tenant` in projects and purge_outbox, to prove a refused write changed nothing. */
export async function writeState(origin: TestOrigin, tenant: string) {
  const projects = await origin.services.db.query('SELECT id, name, description, visibility, updated_at FROM projects WHERE tenant_id = $1 ORDER BY id', [
    tenant,
  ]);
  return { projects, purges: (await purgesOf(origin, tenant)).length };
}

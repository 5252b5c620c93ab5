/**
 * A tenant of its own with members of chosen roles, each signed in: authorization tests change
 * roles and configuration, which must not leak into other files through the shared Redis.
 */
import { DEMO_PASSWORD } from '../../origin/db/seed.ts';
import { hashPassword } from '../../origin/users/password.ts';
import { signIn } from './api-client.ts';
import type { TestOrigin } from './origin-app.ts';

/** A signed-in member of a test tenant. */
export interface Member {
  id: string;
  email: string;
  token: string;
}

let hash: Promise<string> | undefined;

/** A fresh tenant with one member per entry of `roles`, signed in, in that order. */
export async function tenantWithMembers(origin: TestOrigin, roles: string[][]): Promise<{ tenant: string; members: Member[] }> {
  const tenant = `t-${crypto.randomUUID().slice(0, 12)}`;
  hash ??= hashPassword(DEMO_PASSWORD);
  await origin.services.db.query('INSERT INTO tenants (id, name) VALUES ($1, $2)', [tenant, tenant]);
  const members: Member[] = [];
  for (const [index, memberRoles] of roles.entries()) {
    const id = crypto.randomUUID();
    const email = `m${index}@${tenant}.test`;
    await origin.services.db.query('INSERT INTO users (id, tenant_id, email, name, roles, password_hash) VALUES ($1, $2, $3, $4, $5, $6)', [
      id,
      tenant,
      email,
      `Member ${index}`,
      memberRoles,
      await hash,
    ]);
    members.push({ id, email, token: await signIn(origin, tenant, email) });
  }
  return { tenant, members };
}

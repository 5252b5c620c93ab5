/**
 * The workload's tenants, users and projects: ids and names derived from their indexes (the
 * same world for the same sizes), and the seed that writes them to PostgreSQL in one
 * transaction. Every tenant gets an hourly quota no workload reaches and its own settings.
 */
import type { Database } from '../../origin/db/interface.ts';
import { hashPassword } from '../../origin/users/password.ts';

/** How many of each. */
export interface WorldSize {
  tenants: number;
  usersPerTenant: number;
  projectsPerTenant: number;
}

/** One project; private ones are never asked for anonymously. */
export interface WorldProject {
  readonly id: string;
  readonly name: string;
  readonly visibility: 'public' | 'private';
}

/** One user; the first of a tenant is its admin. */
export interface WorldUser {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly admin: boolean;
}

/** One tenant. */
export interface WorldTenant {
  readonly id: string;
  readonly users: readonly WorldUser[];
  readonly projects: readonly WorldProject[];
  /** Its projects with visibility `public`, in project order (the Zipf ranks of anonymous reads). */
  readonly publicProjects: readonly WorldProject[];
}

/** The seeded password of every workload user. */
export const WORKLOAD_PASSWORD = 'workload password, long enough';
/** An hourly quota (edge rate limit) no workload run reaches. */
export const WORKLOAD_QUOTA_PER_HOUR = 100_000_000;

const hex = (value: number, width: number) => value.toString(16).padStart(width, '0');

/** Builds the world: tenant `wl-007`, user `<…>-4000-8000-…`, one project in four private. */
export function buildWorld(size: WorldSize): WorldTenant[] {
  for (const [name, value] of Object.entries(size)) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  return Array.from({ length: size.tenants }, (_, t) => {
    const id = `wl-${String(t).padStart(3, '0')}`;
    const users = Array.from({ length: size.usersPerTenant }, (_, u) => ({
      id: `c${hex(t, 7)}-0000-4000-8000-${hex(u, 12)}`,
      email: `user${u}@${id}.test`,
      name: `User ${u} of ${id}`,
      admin: u === 0,
    }));
    const projects = Array.from({ length: size.projectsPerTenant }, (_, p) => ({
      id: `d${hex(t, 7)}-0000-4000-8000-${hex(p, 12)}`,
      name: `Project ${p} of ${id}`,
      visibility: (p % 4 === 3 ? 'private' : 'public') as WorldProject['visibility'],
    }));
    return { id, users, projects, publicProjects: projects.filter((p) => p.visibility === 'public') };
  });
}

/** The settings document of a tenant at revision `rev` (what config writes change). */
export function appSettings(tenant: string, rev: number): Record<string, unknown> {
  return { theme: rev % 2 === 0 ? 'light' : 'dark', locale: 'en-GB', tenant, rev };
}

/** Writes the world to PostgreSQL in one transaction (one scrypt hash shared by every user). */
export async function seedWorld(db: Database, world: readonly WorldTenant[]): Promise<void> {
  const hash = await hashPassword(WORKLOAD_PASSWORD);
  await db.transaction(async (tx) => {
    for (const tenant of world) {
      await tx.query('INSERT INTO tenants (id, name) VALUES ($1, $2)', [tenant.id, `Workload tenant ${tenant.id}`]);
      for (const user of tenant.users) {
        await tx.query('INSERT INTO users (id, tenant_id, email, name, roles, password_hash) VALUES ($1, $2, $3, $4, $5, $6)', [
          user.id,
          tenant.id,
          user.email,
          user.name,
          user.admin ? ['admin'] : [],
          hash,
        ]);
      }
      for (const [p, project] of tenant.projects.entries()) {
        await tx.query('INSERT INTO projects (id, tenant_id, owner_id, name, description, visibility) VALUES ($1, $2, $3, $4, $5, $6)', [
          project.id,
          tenant.id,
          tenant.users[p % tenant.users.length]!.id,
          project.name,
          `Seeded by the workload (${p})`,
          project.visibility,
        ]);
      }
      await tx.query(`INSERT INTO tenant_config (tenant_id, type, document) VALUES ($1, 'limits', $2::jsonb), ($1, 'app_settings', $3::jsonb)`, [
        tenant.id,
        JSON.stringify({ api_calls_per_hour: WORKLOAD_QUOTA_PER_HOUR }),
        JSON.stringify(appSettings(tenant.id, 0)),
      ]);
    }
  });
}

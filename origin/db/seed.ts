/**
 * Demo data for local runs and tests: two tenants, each with users and public and private
 * projects. Fixed ids keep URLs stable across restarts; re-running the seed changes nothing.
 * Every demo user signs in with `DEMO_PASSWORD`; the first user of each tenant is an admin.
 */
import { hashPassword } from '../users/password.ts';
import type { Database } from './interface.ts';

/** The demo users' password (documented in the README quick start). */
export const DEMO_PASSWORD = 'correct horse battery staple';

interface SeedProject {
  id: string;
  owner: string;
  name: string;
  description: string;
  visibility: 'public' | 'private';
}

interface SeedTenant {
  id: string;
  name: string;
  users: { id: string; email: string; name: string; roles: string[] }[];
  projects: SeedProject[];
}

/** The demo tenants `acme` and `globex`. */
export const DEMO_TENANTS: readonly SeedTenant[] = [
  {
    id: 'acme',
    name: 'Acme Corporation',
    users: [
      { id: '0a000000-0000-4000-8000-000000000001', email: 'alice@acme.test', name: 'Alice Archer', roles: ['admin'] },
      { id: '0a000000-0000-4000-8000-000000000002', email: 'bob@acme.test', name: 'Bob Baker', roles: [] },
    ],
    projects: [
      {
        id: '1a000000-0000-4000-8000-000000000001',
        owner: '0a000000-0000-4000-8000-000000000001',
        name: 'Website Redesign',
        description: 'New marketing site',
        visibility: 'public',
      },
      {
        id: '1a000000-0000-4000-8000-000000000002',
        owner: '0a000000-0000-4000-8000-000000000002',
        name: 'Rocket Skates',
        description: 'Open hardware roadmap',
        visibility: 'public',
      },
      {
        id: '1a000000-0000-4000-8000-000000000003',
        owner: '0a000000-0000-4000-8000-000000000001',
        name: 'Anvil Pricing',
        description: 'Internal only',
        visibility: 'private',
      },
    ],
  },
  {
    id: 'globex',
    name: 'Globex Corporation',
    users: [
      { id: '0b000000-0000-4000-8000-000000000001', email: 'hank@globex.test', name: 'Hank Scorpio', roles: ['admin'] },
      { id: '0b000000-0000-4000-8000-000000000002', email: 'frank@globex.test', name: 'Frank Grimes', roles: [] },
    ],
    projects: [
      {
        id: '1b000000-0000-4000-8000-000000000001',
        owner: '0b000000-0000-4000-8000-000000000001',
        name: 'Hammock District',
        description: 'Campus planning',
        visibility: 'public',
      },
      {
        id: '1b000000-0000-4000-8000-000000000002',
        owner: '0b000000-0000-4000-8000-000000000002',
        name: 'Doomsday Device',
        description: 'Strictly confidential',
        visibility: 'private',
      },
    ],
  },
];

/** Inserts the demo tenants unless they exist. Returns how many rows it added. */
export async function seedDemoData(db: Database): Promise<number> {
  return db.transaction(async (tx) => {
    let added = 0;
    const count = async (sql: string, params: unknown[]) => {
      added += (await tx.query(`${sql} ON CONFLICT DO NOTHING RETURNING 1`, params)).length;
    };
    for (const [t, tenant] of DEMO_TENANTS.entries()) {
      await count('INSERT INTO tenants (id, name) VALUES ($1, $2)', [tenant.id, tenant.name]);
      for (const [u, user] of tenant.users.entries()) {
        const createdAt = new Date(Date.UTC(2025, 11, 1 + t, 0, u)).toISOString();
        await count('INSERT INTO users (id, tenant_id, email, name, roles, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)', [
          user.id,
          tenant.id,
          user.email,
          user.name,
          user.roles,
          createdAt,
        ]);
        // Rows from before passwords existed get one; a password changed since is kept.
        await tx.query('UPDATE users SET password_hash = $2 WHERE id = $1 AND password_hash IS NULL', [user.id, await hashPassword(DEMO_PASSWORD)]);
      }
      for (const [p, project] of tenant.projects.entries()) {
        // Distinct, ordered creation times so list order is stable.
        const createdAt = new Date(Date.UTC(2026, 0, 1 + t, 0, p)).toISOString();
        await count(
          `INSERT INTO projects (id, tenant_id, owner_id, name, description, visibility, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
          [project.id, tenant.id, project.owner, project.name, project.description, project.visibility, createdAt],
        );
      }
    }
    return added;
  });
}

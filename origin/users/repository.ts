/**
 * SQL for users. Statements are parameterised; tenant and ids arrive validated. The password
 * hash never leaves this module except through `findCredentials`.
 */
import { recordChange } from '../audit/log.ts';
import type { Database } from '../db/index.ts';

/** A user as the API returns it. */
export interface User {
  id: string;
  email: string;
  name: string;
  roles: string[];
  createdAt: string;
  updatedAt: string;
}

/** One page of users and where the next one starts (`null` on the last page). */
export interface UserPage {
  data: User[];
  nextCursor: string | null;
}

/** What PATCH users/{id} may change; absent fields stay. */
export interface ProfileChange {
  name?: string | undefined;
  roles?: string[] | undefined;
}

/** A page position: the last row's creation time (full precision, as Postgres prints it) and id. */
export interface UserCursor {
  createdAt: string;
  id: string;
}

interface UserRow {
  id: string;
  email: string;
  name: string;
  roles: string[];
  created_at: Date | string;
  updated_at: Date | string;
  created_text: string;
}

const COLUMNS = 'id, email, name, roles, created_at, updated_at, created_at::text AS created_text';

function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    roles: [...row.roles],
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** Reads and writes users in PostgreSQL. */
export class UserRepository {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** True when the tenant exists. */
  async tenantExists(tenant: string): Promise<boolean> {
    return (await this.#db.query('SELECT 1 FROM tenants WHERE id = $1', [tenant])).length > 0;
  }

  /** One user of the tenant, or `undefined`. */
  async findById(tenant: string, id: string): Promise<User | undefined> {
    const rows = await this.#db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE tenant_id = $1 AND id = $2`, [tenant, id]);
    return rows[0] && toUser(rows[0]);
  }

  /** Up to `limit` users of the tenant with ids after `afterId`, by id: cache warming's pages. */
  async pageById(tenant: string, afterId: string | undefined, limit: number): Promise<User[]> {
    const rows = await this.#db.query<UserRow>(
      `SELECT ${COLUMNS} FROM users WHERE tenant_id = $1 AND ($2::uuid IS NULL OR id > $2::uuid) ORDER BY id LIMIT $3`,
      [tenant, afterId ?? null, limit],
    );
    return rows.map(toUser);
  }

  /** The id, roles and password hash of the user with `email` (case-insensitive), or `undefined`. */
  async findCredentials(tenant: string, email: string): Promise<{ id: string; roles: string[]; passwordHash: string | null } | undefined> {
    const rows = await this.#db.query<{ id: string; roles: string[]; password_hash: string | null }>(
      'SELECT id, roles, password_hash FROM users WHERE tenant_id = $1 AND lower(email) = lower($2)',
      [tenant, email],
    );
    const row = rows[0];
    return row && { id: row.id, roles: [...row.roles], passwordHash: row.password_hash };
  }

  /** The password hash of a user, or `undefined` (no user, or no password set). */
  async passwordHashOf(tenant: string, id: string): Promise<string | undefined> {
    const rows = await this.#db.query<{ password_hash: string | null }>('SELECT password_hash FROM users WHERE tenant_id = $1 AND id = $2', [tenant, id]);
    return rows[0]?.password_hash ?? undefined;
  }

  /** Users of the tenant in creation order, `limit` at most, after `cursor` when given. */
  async list(tenant: string, limit: number, cursor?: UserCursor): Promise<{ users: User[]; last?: UserCursor; more: boolean }> {
    const rows = cursor
      ? await this.#db.query<UserRow>(
          `SELECT ${COLUMNS} FROM users WHERE tenant_id = $1 AND (created_at, id) > ($2::timestamptz, $3::uuid)
           ORDER BY created_at, id LIMIT $4`,
          [tenant, cursor.createdAt, cursor.id, limit + 1],
        )
      : await this.#db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE tenant_id = $1 ORDER BY created_at, id LIMIT $2`, [tenant, limit + 1]);
    const page = rows.slice(0, limit);
    const tail = page.at(-1);
    return { users: page.map(toUser), more: rows.length > limit, ...(tail ? { last: { createdAt: tail.created_text, id: tail.id } } : {}) };
  }

  /**
   * Applies a profile change; returns the updated user or `undefined` when there is none. A role
   * change is recorded in the audit log as `actorId`'s, in the same transaction.
   */
  async update(tenant: string, id: string, change: ProfileChange, actorId: string): Promise<User | undefined> {
    return this.#db.transaction(async (tx) => {
      const previous = await tx.query<{ roles: string[] }>('SELECT roles FROM users WHERE tenant_id = $1 AND id = $2 FOR UPDATE', [tenant, id]);
      if (!previous[0]) return undefined;
      const rows = await tx.query<UserRow>(
        `UPDATE users SET name = COALESCE($3, name), roles = COALESCE($4::text[], roles), updated_at = now()
         WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
        [tenant, id, change.name ?? null, change.roles ?? null],
      );
      if (change.roles) await recordChange(tx, { tenant, actorId, type: 'roles', subject: id, before: [...previous[0].roles], after: change.roles });
      return rows[0] && toUser(rows[0]);
    });
  }

  /** Replaces a user's password hash; false when there is no such user. */
  async setPasswordHash(tenant: string, id: string, hash: string): Promise<boolean> {
    const rows = await this.#db.query('UPDATE users SET password_hash = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2 RETURNING 1', [
      tenant,
      id,
      hash,
    ]);
    return rows.length > 0;
  }
}

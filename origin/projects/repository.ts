/**
 * SQL for projects and tenants. Statements are parameterised; tenant and id arrive validated.
 * Built over a connection or a transaction (`new ProjectRepository(tx)`) alike.
 */
import type { Queryable } from '../db/index.ts';

/** A project as the API returns it. */
export interface Project {
  id: string;
  name: string;
  description: string;
  visibility: 'public' | 'private';
  createdAt: string;
  updatedAt: string;
}

interface ProjectRow {
  id: string;
  name: string;
  description: string;
  visibility: 'public' | 'private';
  created_at: Date | string;
  updated_at: Date | string;
}

const COLUMNS = 'id, name, description, visibility, created_at, updated_at';

/** The fields a client may set. */
export interface ProjectInput {
  name: string;
  description: string;
  visibility: 'public' | 'private';
}

// Listing pages are bounded until cursor pagination arrives with the full API.
const LIST_LIMIT = 100;

function toProject(row: ProjectRow): Project {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    visibility: row.visibility,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** Reads projects and tenants from PostgreSQL. */
export class ProjectRepository {
  readonly #db: Queryable;

  constructor(db: Queryable) {
    this.#db = db;
  }

  /** True when the tenant exists. */
  async tenantExists(tenant: string): Promise<boolean> {
    const rows = await this.#db.query('SELECT 1 FROM tenants WHERE id = $1', [tenant]);
    return rows.length > 0;
  }

  /** One project of the tenant, public or private, or `undefined`. */
  async findById(tenant: string, id: string): Promise<Project | undefined> {
    const rows = await this.#db.query<ProjectRow>(`SELECT ${COLUMNS} FROM projects WHERE tenant_id = $1 AND id = $2`, [tenant, id]);
    return rows[0] && toProject(rows[0]);
  }

  /** Up to `limit` projects of the tenant, public and private, with ids after `afterId`, by id: cache warming's pages. */
  async pageById(tenant: string, afterId: string | undefined, limit: number): Promise<Project[]> {
    const rows = await this.#db.query<ProjectRow>(
      `SELECT ${COLUMNS} FROM projects WHERE tenant_id = $1 AND ($2::uuid IS NULL OR id > $2::uuid) ORDER BY id LIMIT $3`,
      [tenant, afterId ?? null, limit],
    );
    return rows.map(toProject);
  }

  /** The tenant's public projects, oldest first. */
  async listPublic(tenant: string): Promise<Project[]> {
    const rows = await this.#db.query<ProjectRow>(
      `SELECT ${COLUMNS} FROM projects WHERE tenant_id = $1 AND visibility = 'public' ORDER BY created_at, id LIMIT $2`,
      [tenant, LIST_LIMIT],
    );
    return rows.map(toProject);
  }

  /** All of the tenant's projects, public and private, oldest first. */
  async listAll(tenant: string): Promise<Project[]> {
    const rows = await this.#db.query<ProjectRow>(`SELECT ${COLUMNS} FROM projects WHERE tenant_id = $1 ORDER BY created_at, id LIMIT $2`, [
      tenant,
      LIST_LIMIT,
    ]);
    return rows.map(toProject);
  }

  /** Inserts a project and returns it. */
  async insert(tenant: string, id: string, input: ProjectInput, owner: string | undefined): Promise<Project> {
    const rows = await this.#db.query<ProjectRow>(
      `INSERT INTO projects (id, tenant_id, owner_id, name, description, visibility)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [id, tenant, owner ?? null, input.name, input.description, input.visibility],
    );
    return toProject(rows[0]!);
  }

  /** The project as it was, locked for the rest of the transaction, or `undefined`. */
  async lock(tenant: string, id: string): Promise<Project | undefined> {
    const rows = await this.#db.query<ProjectRow>(`SELECT ${COLUMNS} FROM projects WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, [tenant, id]);
    return rows[0] && toProject(rows[0]);
  }

  /** Changes the given fields; returns the project after the change. */
  async update(tenant: string, id: string, patch: Partial<ProjectInput>): Promise<Project | undefined> {
    const rows = await this.#db.query<ProjectRow>(
      `UPDATE projects SET name = COALESCE($3, name), description = COALESCE($4, description),
         visibility = COALESCE($5, visibility), updated_at = now()
       WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [tenant, id, patch.name ?? null, patch.description ?? null, patch.visibility ?? null],
    );
    return rows[0] && toProject(rows[0]);
  }

  /** Deletes a project; true when it existed. */
  async remove(tenant: string, id: string): Promise<boolean> {
    const rows = await this.#db.query('DELETE FROM projects WHERE tenant_id = $1 AND id = $2 RETURNING 1', [tenant, id]);
    return rows.length > 0;
  }
}

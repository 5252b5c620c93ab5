/**
 * Cache warming, one batch per request (`strata warm` drives the batches, its progress and its
 * rate): a page of a tenant's rows read from PostgreSQL in one query, written to Redis with the
 * engine's `setMany` — one pipelined round trip per node — under the same keys, policies and
 * tags the services read them with, so the next read is a hit. A batch is idempotent: running it
 * twice writes the same entries. As with any cache-aside load, a write that lands between the
 * page's query and its `setMany` can be overwritten by the older row until its next change or
 * the entry's expiry; warm outside bursts of writes.
 */
import { ERROR_CODES, HttpError } from '../../common/errors.ts';
import { configKey, userKey, type DataType } from '../../common/keys.ts';
import type { CachePolicy, CacheTarget } from '../cache/index.ts';
import type { Database } from '../db/index.ts';
import { ProjectRepository } from '../projects/repository.ts';
import { projectKey, projectListKey } from '../projects/service.ts';
import { CONFIG_TYPES } from '../tenant-config/service.ts';
import { UserRepository } from '../users/repository.ts';
import type { Services } from '../services.ts';

/** What can be warmed: the tenant's users (profiles), projects (each, and the public list) and configuration. */
export const WARM_TYPES = ['users', 'projects', 'config'] as const;
export type WarmType = (typeof WARM_TYPES)[number];

/** Largest batch one request may ask for. */
export const WARM_MAX_BATCH = 500;

/** A tenant's rows per warm type: what a full warm writes. */
export interface WarmInventory {
  readonly tenant: string;
  readonly rows: Readonly<Record<WarmType, number>>;
}

/** What one batch did. */
export interface WarmBatch {
  readonly type: WarmType;
  /** Rows read and written. */
  readonly rows: number;
  /** Redis entries written (the project list counts once, with the first page). */
  readonly keys: number;
  /** Where the next batch starts; `null` when this type is done. */
  readonly next: string | null;
}

type WarmServices = Pick<Services, 'db' | 'engine' | 'policies' | 'cache'>;

async function tenantExists(db: Database, tenant: string): Promise<boolean> {
  return (await db.query('SELECT 1 FROM tenants WHERE id = $1', [tenant])).length > 0;
}

function unknownTenant(tenant: string): HttpError {
  return new HttpError(404, ERROR_CODES.tenantNotFound, `tenant ${tenant} does not exist`);
}

/** How many rows of each type the tenant has; 404 `tenant_not_found` for an unknown tenant. */
export async function warmInventory(services: WarmServices, tenant: string): Promise<WarmInventory> {
  const { db } = services;
  if (!(await tenantExists(db, tenant))) throw unknownTenant(tenant);
  const count = async (sql: string, params: unknown[]) => Number((await db.query<{ n: number | string }>(sql, params))[0]?.n ?? 0);
  const [users, projects, config] = await Promise.all([
    count('SELECT count(*) AS n FROM users WHERE tenant_id = $1', [tenant]),
    count('SELECT count(*) AS n FROM projects WHERE tenant_id = $1', [tenant]),
    count('SELECT count(*) AS n FROM tenant_config WHERE tenant_id = $1 AND type = ANY($2::text[])', [tenant, [...CONFIG_TYPES]]),
  ]);
  return { tenant, rows: { users, projects, config } };
}

type Item = { target: CacheTarget; value: unknown };

/** One page of `type` for `tenant`, after `after` (exclusive), written to the cache. */
export async function warmBatch(services: WarmServices, tenant: string, type: WarmType, after: string | undefined, limit: number): Promise<WarmBatch> {
  const { db, engine, policies } = services;
  if (!(await tenantExists(db, tenant))) throw unknownTenant(tenant);
  const policy = (data: DataType): CachePolicy => policies[data];
  let items: Item[];
  let last: string | undefined;
  let rows: number;
  if (type === 'users') {
    const users = await new UserRepository(db as Database).pageById(tenant, after, limit);
    items = users.map((user) => ({ target: { key: userKey(tenant, user.id), tenant, policy: policy('user') }, value: user }));
    rows = users.length;
    last = users.at(-1)?.id;
  } else if (type === 'projects') {
    const repository = new ProjectRepository(db);
    const projects = await repository.pageById(tenant, after, limit);
    items = projects.map((project) => ({
      target: { key: projectKey(tenant, project.id), tenant, policy: policy('resource'), tags: [`project:${project.id}`] },
      value: project,
    }));
    if (after === undefined) {
      // The public list, as `GET /v1/{tenant}/public/projects` caches it.
      items.push({
        target: { key: await projectListKey(tenant), tenant, policy: policy('api'), tags: ['projects'] },
        value: { data: await repository.listPublic(tenant) },
      });
    }
    rows = projects.length;
    last = projects.at(-1)?.id;
  } else {
    const documents = await db.query<{ type: string; document: Record<string, unknown> | string }>(
      'SELECT type, document FROM tenant_config WHERE tenant_id = $1 AND type = ANY($2::text[]) AND ($3::text IS NULL OR type > $3::text) ORDER BY type LIMIT $4',
      [tenant, [...CONFIG_TYPES], after ?? null, limit],
    );
    items = documents.map((row) => ({
      target: { key: configKey(tenant, row.type), tenant, policy: policy('config') },
      value: typeof row.document === 'string' ? (JSON.parse(row.document) as unknown) : row.document,
    }));
    rows = documents.length;
    last = documents.at(-1)?.type;
  }
  if (items.length > 0) {
    // The engine absorbs store failures (reads fall back to the source); a warm must not say it
    // wrote what it did not, so it reads the keys back (one MGET per node) before acknowledging.
    await engine.setMany(items);
    const written = await services.cache.getMany(items.map((item) => item.target.key)).catch(() => []);
    const landed = written.filter((value) => value !== undefined).length;
    if (landed < items.length) {
      throw new HttpError(
        503,
        ERROR_CODES.cacheUnavailable,
        `Redis kept ${landed} of the ${items.length} entries of this batch; it is acknowledged only once all land (run the warm again to resume)`,
      );
    }
  }
  return { type, rows, keys: items.length, next: rows === limit && last !== undefined ? last : null };
}

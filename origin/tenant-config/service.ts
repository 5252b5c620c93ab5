/**
 * Tenant configuration documents (`tenant_config`), cached write-through for 6 h under
 * `config:{tenant}:{type}` (`../cache-policies.ts`): a PUT commits, then replaces the cached
 * document, so the next read anywhere sees it (the memory tier is dropped through the bus).
 */
import { ERROR_CODES, HttpError } from '../../common/errors.ts';
import { configKey, type DataType } from '../../common/keys.ts';
import type { CacheEngine, CachePolicy, CacheResult } from '../cache/index.ts';
import { recordChange } from '../audit/log.ts';
import type { Database } from '../db/index.ts';

/** The configuration types a tenant has. */
export const CONFIG_TYPES = ['app_settings', 'limits'] as const;
export type ConfigType = (typeof CONFIG_TYPES)[number];

/** A configuration document: a JSON object. */
export type ConfigDocument = Record<string, unknown>;

/** Reads and replaces tenant configuration through the cache. */
export class TenantConfig {
  readonly #db: Database;
  readonly #cache: CacheEngine;
  readonly #policy: CachePolicy;

  constructor(db: Database, cache: CacheEngine, policies: Record<DataType, CachePolicy>) {
    this.#db = db;
    this.#cache = cache;
    this.#policy = policies.config;
  }

  /** The tenant's document of `type`; 404 for an unknown tenant or a type it has not set. */
  async get(tenant: string, type: ConfigType): Promise<CacheResult<ConfigDocument>> {
    const { value, status } = await this.#cache.getOrLoad({
      key: configKey(tenant, type),
      tenant,
      policy: this.#policy,
      load: async () => {
        const rows = await this.#db.query<{ document: ConfigDocument | string }>('SELECT document FROM tenant_config WHERE tenant_id = $1 AND type = $2', [
          tenant,
          type,
        ]);
        const document = rows[0]?.document;
        return typeof document === 'string' ? (JSON.parse(document) as ConfigDocument) : document;
      },
    });
    if (value === undefined) {
      await this.#assertTenant(tenant);
      throw new HttpError(404, ERROR_CODES.notFound, `tenant ${tenant} has no ${type} configuration`);
    }
    return { value, status };
  }

  /**
   * Replaces the tenant's document of `type` and the cached copy; returns it. `actorId` (an
   * admin: the route checks) is recorded in the audit log with the old and new document, in
   * the same transaction.
   */
  async put(tenant: string, type: ConfigType, document: ConfigDocument, actorId: string): Promise<ConfigDocument> {
    const target = { key: configKey(tenant, type), tenant, policy: this.#policy };
    return this.#cache.writeThrough(target, () =>
      this.#db.transaction(async (tx) => {
        const known = await tx.query('SELECT 1 FROM tenants WHERE id = $1', [tenant]);
        if (known.length === 0) throw tenantNotFound(tenant);
        // Locked so that two concurrent changes each record the document the other replaced.
        const previous = await tx.query<{ document: ConfigDocument | string }>(
          'SELECT document FROM tenant_config WHERE tenant_id = $1 AND type = $2 FOR UPDATE',
          [tenant, type],
        );
        const before = previous[0]?.document;
        await recordChange(tx, { tenant, actorId, type, before: typeof before === 'string' ? JSON.parse(before) : before, after: document });
        await tx.query(
          `INSERT INTO tenant_config (tenant_id, type, document, updated_at) VALUES ($1, $2, $3::jsonb, now())
           ON CONFLICT (tenant_id, type) DO UPDATE SET document = EXCLUDED.document, updated_at = now()`,
          [tenant, type, JSON.stringify(document)],
        );
        return document;
      }),
    );
  }

  async #assertTenant(tenant: string): Promise<void> {
    const rows = await this.#db.query('SELECT 1 FROM tenants WHERE id = $1', [tenant]);
    if (rows.length === 0) throw tenantNotFound(tenant);
  }
}

function tenantNotFound(tenant: string): HttpError {
  return new HttpError(404, ERROR_CODES.tenantNotFound, `tenant ${tenant} does not exist`);
}

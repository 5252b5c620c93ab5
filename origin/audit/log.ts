/**
 * The audit log (`audit_log`, migration 0005): an append-only record of changes to tenant-wide
 * settings and privileges. Callers write it with the transaction of the change, so a change
 * without its record (or a record of a change that rolled back) cannot exist.
 */
import type { Queryable } from '../db/index.ts';

/** What was changed: a configuration document, or a user's roles. */
export type AuditType = 'limits' | 'app_settings' | 'roles';

/** One change as the audit log records it. */
export interface AuditChange {
  tenant: string;
  /** The user who made the change. */
  actorId: string;
  type: AuditType;
  /** What within the type changed (the user id for roles); absent for tenant documents. */
  subject?: string;
  /** The previous value; `undefined` when there was none. */
  before: unknown;
  after: unknown;
}

/** Appends `change` to the audit log, inside the caller's transaction `tx`. */
export async function recordChange(tx: Queryable, change: AuditChange): Promise<void> {
  await tx.query('INSERT INTO audit_log (tenant_id, actor_id, type, subject, before, after) VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb)', [
    change.tenant,
    change.actorId,
    change.type,
    change.subject ?? null,
    change.before === undefined ? null : JSON.stringify(change.before),
    JSON.stringify(change.after),
  ]);
}

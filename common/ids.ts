/**
 * Identifier formats shared by the edge and the origin. Anything user-supplied is checked
 * here before it reaches a cache key, a SQL parameter or a log line.
 */

/** Tenant slugs: lowercase letters, digits and dashes, 1–63 characters, not starting with a dash. */
export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Resource ids are UUIDs (any version), written in lowercase. */
export const RESOURCE_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True when `value` is a well-formed tenant slug. */
export function isTenantId(value: string): boolean {
  return TENANT_ID_PATTERN.test(value);
}

/** True when `value` is a well-formed resource id. */
export function isResourceId(value: string): boolean {
  return RESOURCE_ID_PATTERN.test(value);
}

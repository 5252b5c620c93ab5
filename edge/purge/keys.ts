/**
 * Upstash key grammar of purge versions, shared by the purge (writer) and the reader so they
 * cannot drift. A stored response's scope reads, in this order: the global version, its
 * tenant's, one per path segment boundary below `/v1/{tenant}`, then one per tag — tags last,
 * so the versions of a scope without tags are a prefix of those with them (versions.ts contract).
 */
import { isTenantId } from '../../common/ids.ts';
import { PURGE_PREFIX_MAX_SEGMENTS, PURGE_TAG_PATTERN, type PurgeMessage } from '../../common/purge.ts';
import type { VersionScope } from '../cache/versions.ts';

/** Bumped by `everything`. */
export const GLOBAL_VERSION_KEY = 'edge:v:all';

/** The version of every response of `tenant`. */
export function tenantVersionKey(tenant: string): string {
  return `edge:v:tenant:${tenant}`;
}

/** The version of every response tagged `tag`. */
export function tagVersionKey(tag: string): string {
  return `edge:v:tag:${tag}`;
}

/** The version of every path at or below `path` (a normalised `/v1/{tenant}/...` boundary). */
export function pathVersionKey(path: string): string {
  return `edge:v:path:${path}`;
}

/** The de-duplication marker of purge `id`. */
export function purgeIdKey(id: string): string {
  return `edge:purge:${id}`;
}

/**
 * The segments of `path` below `/v1/{tenant}` (empty segments dropped, so a trailing slash does
 * not matter), or undefined when `path` is not under that tenant.
 */
export function segmentsBelowTenant(path: string, tenant: string): string[] | undefined {
  const parts = path.split('/').filter(Boolean);
  if (parts[0] !== 'v1' || parts[1] !== tenant) return undefined;
  return parts.slice(2);
}

/** Boundary paths `/v1/{tenant}/a`, `/v1/{tenant}/a/b`, ... down to the deepest purgeable one. */
function boundaries(tenant: string, segments: readonly string[]): string[] {
  const out: string[] = [];
  let path = `/v1/${tenant}`;
  for (const segment of segments.slice(0, PURGE_PREFIX_MAX_SEGMENTS)) {
    path += `/${segment}`;
    out.push(path);
  }
  return out;
}

/** Every version key `scope` reads, in the contract's order. */
export function scopeVersionKeys(scope: VersionScope): string[] {
  const keys = [GLOBAL_VERSION_KEY];
  if (isTenantId(scope.tenant)) {
    keys.push(tenantVersionKey(scope.tenant));
    const segments = segmentsBelowTenant(scope.path, scope.tenant) ?? [];
    for (const path of boundaries(scope.tenant, segments)) keys.push(pathVersionKey(path));
  }
  const tags = [...new Set(scope.tags)].filter((tag) => PURGE_TAG_PATTERN.test(tag)).sort();
  for (const tag of tags) keys.push(tagVersionKey(tag));
  return keys;
}

/**
 * The version key a purge of `path` (a prefix, or a URL's path) bumps, if it has one. Only a
 * prefix may name the tenant's root (`/v1/{tenant}/`): that is the tenant's own version.
 */
function pathKeyOf(path: string, rootIsTenant: boolean): string | undefined {
  const tenant = path.split('/').filter(Boolean)[1];
  if (tenant === undefined || !isTenantId(tenant)) return undefined;
  const segments = segmentsBelowTenant(path, tenant);
  if (segments === undefined || segments.length > PURGE_PREFIX_MAX_SEGMENTS) return undefined;
  if (segments.length === 0) return rootIsTenant ? tenantVersionKey(tenant) : undefined;
  return pathVersionKey(boundaries(tenant, segments).at(-1)!);
}

/**
 * The version keys a purge bumps. URLs bump their path's version too, so a URL purge reaches
 * every data centre (and every query and `Vary` variant of the path), not only this one's
 * Cache API.
 */
export function purgeVersionKeys(message: PurgeMessage): string[] {
  const keys = new Set<string>();
  if (message.everything) keys.add(GLOBAL_VERSION_KEY);
  for (const tenant of message.tenants ?? []) keys.add(tenantVersionKey(tenant));
  for (const tag of message.tags ?? []) keys.add(tagVersionKey(tag));
  for (const prefix of message.prefixes ?? []) {
    const key = pathKeyOf(prefix, true);
    if (key) keys.add(key);
  }
  for (const url of message.urls ?? []) {
    const key = pathKeyOf(new URL(url).pathname, false);
    if (key) keys.add(key);
  }
  return [...keys];
}

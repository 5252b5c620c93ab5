/**
 * What a purge message (common/purge.ts) invalidates on CloudFront. CloudFront purges by path
 * only: no tags, no versions. Every selector becomes invalidation paths, a `*` allowed only at
 * the end (CloudFront Developer Guide, "What you need to know when invalidating files"):
 *
 * - `everything` → `/*`;
 * - a URL → its path and query, exactly (a file path; CloudFront keys on the query too), or,
 *   when it holds a `*` (valid in a URL, a wildcard only at a path's end), everything from there;
 * - a prefix → `<prefix>*`, query variants included (it also covers `<prefix>-other`: more is
 *   invalidated, never less); a tenant's root `/v1/<t>` → `/v1/<t>/*`, not another tenant's;
 * - a tenant, or a `tenant:<t>` tag → `/v1/<t>/*`;
 * - any other tag → `/v1/<t>/public/*` for every tenant the message names (its tenants, and the
 *   tenants of its prefixes and URLs), since a tag has no path. CloudFront caches nothing outside
 *   `/v1/<tenant>/public/` (infra/constructs/cloudfront-edge caches the public routes only), so
 *   this covers every response the tag can be on. A tag in a message that names no tenant
 *   becomes `/*`: conservative, never lost.
 */
import { isTenantId } from '../../common/ids.ts';
import type { PurgeMessage } from '../../common/purge.ts';

/** Everything on the distribution. */
export const EVERYTHING = '/*';

/** True for a wildcard path (`/v1/acme/*`); they have a quota of their own. */
export function isWildcard(path: string): boolean {
  return path.endsWith('*');
}

/** The tenant of a `/v1/<tenant>/…` path, if it has one. */
function tenantOfPath(path: string): string | undefined {
  const tenant = /^\/v1\/([^/?]+)/.exec(path)?.[1];
  return tenant !== undefined && isTenantId(tenant) ? tenant : undefined;
}

const TENANT_TAG = /^tenant:(.+)$/;

/** The invalidation paths of one purge message, deduplicated and minimal (see the module doc). */
export function invalidationPaths(message: PurgeMessage): string[] {
  if (message.everything) return [EVERYTHING];
  const paths: string[] = [];
  const urlPaths = (message.urls ?? []).map((url) => {
    const { pathname, search } = new URL(url);
    const path = `${pathname}${search}`;
    const star = path.indexOf('*');
    return star < 0 ? path : path.slice(0, star + 1);
  });
  paths.push(...urlPaths);
  const prefixes = (message.prefixes ?? []).map((prefix) => {
    const trimmed = prefix.replace(/\/$/, '');
    return /^\/v1\/[^/]+$/.test(trimmed) ? `${trimmed}/*` : `${trimmed}*`;
  });
  paths.push(...prefixes);
  for (const tenant of message.tenants ?? []) paths.push(`/v1/${tenant}/*`);

  const named = new Set([...(message.tenants ?? []), ...[...urlPaths, ...prefixes].map(tenantOfPath).filter((t) => t !== undefined)]);
  for (const tag of message.tags ?? []) {
    const tenant = TENANT_TAG.exec(tag)?.[1];
    if (tenant !== undefined && isTenantId(tenant)) {
      paths.push(`/v1/${tenant}/*`);
      continue;
    }
    if (named.size === 0) return [EVERYTHING];
    for (const owner of named) paths.push(`/v1/${owner}/public/*`);
  }
  return minimalPaths(paths);
}

/** True when the invalidation of `wildcard` also invalidates `path`. */
export function covers(wildcard: string, path: string): boolean {
  return isWildcard(wildcard) && path.startsWith(wildcard.slice(0, -1));
}

/** `paths` without duplicates and without paths another one covers, sorted. */
export function minimalPaths(paths: Iterable<string>): string[] {
  const unique = [...new Set(paths)].sort();
  const wildcards = unique.filter(isWildcard);
  return unique.filter((path) => !wildcards.some((wildcard) => wildcard !== path && covers(wildcard, path)));
}

/**
 * Purge versions: every stored response records the purge versions of its scope (tenant, tags,
 * path) when it is stored, and is served only while they are unchanged. A purge changes a
 * version in Upstash Redis, which every data centre reads, so it is global and immediate; reads
 * go through a short in-isolate memo, whose lifetime is the documented staleness bound
 * (docs/edge.md, "Purge versions").
 */
import { sha256Hex } from '../../common/hex.ts';
import { EDGE_HEADERS } from '../upstream/forward.ts';

/** What a stored response can be purged by. */
export interface VersionScope {
  /** The tenant from the path (`/v1/{tenant}/...`). */
  tenant: string;
  /** The response's tags, from the origin's tag header. */
  tags: readonly string[];
  /** The request path (for purges by prefix). */
  path: string;
}

/** Reads current versions; implemented over Upstash by `edge/purge/`. */
export interface VersionReader {
  /**
   * The current versions of everything `scope` can be purged by, as opaque strings in a stable
   * order: two equal lists mean nothing was purged in between. The versions of a scope without
   * tags must be a prefix of those of the same scope with tags (tags come last): the cache reads
   * the tag-less scope before asking the origin and the full one after, and compares the two.
   * Resolves `undefined` when the versions are unavailable (Upstash down): the caller then serves
   * stored responses as they are and logs it.
   */
  read(scope: VersionScope): Promise<string[] | undefined>;
}

/** Whether two version lists were both read and are equal. */
export function sameVersions(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return a !== undefined && b !== undefined && a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * `X-Strata-Cache-Version` for an origin request: a digest of the purge versions the edge read,
 * which API Gateway's stage cache keys on, so a purge also retires what that layer holds.
 */
export async function versionHeader(versions: readonly string[] | undefined): Promise<Record<string, string>> {
  if (!versions) return {};
  return { [EDGE_HEADERS.cacheVersion]: await sha256Hex(versions.join('\n'), 8) };
}

/**
 * Versions: what makes invalidation one write. Every entry records the versions of its scopes —
 * its tenant, and each of its tags within the tenant — when written, and is valid only while
 * they are unchanged; invalidating a scope is setting its version anew. The version keys are
 * named here (the engine's own key space, `ver:`), hash-tagged by tenant like the app's keys,
 * so an entry and its versions share a cluster slot.
 */
import { randomBytes } from 'node:crypto';
import type { CacheTarget } from '../target.ts';

/** What every version key starts with, and nothing else does (Redis client tracking watches it). */
export const VERSION_KEY_PREFIX = 'ver:';

// Version keys outlive any entry (the longest window is about a day); a missing version makes
// its entries invalid, so eviction of a version key is safe.
/** How long a version key lives without being set again. */
export const VERSION_TTL_MS = 30 * 24 * 60 * 60_000;

// A tenant goes inside a hash tag, so it must not hold braces, and it names keys, so nothing
// that could change another key's meaning; tags follow the same rule, colons and dots allowed.
const TENANT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const TAG = /^[a-z0-9][a-z0-9_.:-]{0,127}$/;

/**
 * `ver:{tenant}` and `ver:{tenant}:tag:{tag}` — the version of a tenant, or of one of its tags.
 * Throws a `TypeError` for a tenant or tag outside the grammar above.
 */
export function versionKey(tenant: string, tag?: string): string {
  if (!TENANT.test(tenant)) throw new TypeError(`invalid tenant for a version key: ${JSON.stringify(tenant)}`);
  if (tag === undefined) return `${VERSION_KEY_PREFIX}{${tenant}}`;
  if (!TAG.test(tag)) throw new TypeError(`invalid tag for a version key: ${JSON.stringify(tag)}`);
  return `${VERSION_KEY_PREFIX}{${tenant}}:tag:${tag}`;
}

// Version key names, memoised: building one validates the tenant and tag, which would otherwise
// run on every read. Bounded by clearing, since tenants and tags are few but not fixed.
const names = new Map<string, string>();
function memoVersionKey(tenant: string, tag?: string): string {
  const id = tag === undefined ? tenant : `${tenant}\u0000${tag}`;
  let name = names.get(id);
  if (name === undefined) {
    name = versionKey(tenant, tag);
    if (names.size >= 10_000) names.clear();
    names.set(id, name);
  }
  return name;
}

/** The version keys of a target's scopes: its tenant's, then one per tag. */
export function scopeKeys(target: Pick<CacheTarget, 'tenant' | 'tags'>): string[] {
  const keys = [memoVersionKey(target.tenant)];
  if (target.tags) for (const tag of target.tags) keys.push(memoVersionKey(target.tenant, tag));
  return keys;
}

/** A new version: unique across processes, never empty, never holding a comma. */
export function newVersion(): string {
  return `${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
}

/** Whether an entry's versions are exactly the current ones (a missing current version never matches). */
export function sameVersions(written: readonly string[], current: readonly (string | undefined)[]): boolean {
  if (written.length !== current.length) return false;
  for (let i = 0; i < written.length; i++) if (current[i] === undefined || current[i] !== written[i]) return false;
  return true;
}

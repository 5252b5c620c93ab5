/**
 * What the engine reads and writes: targets, read requests and their results, and the
 * invalidation versions an entry lives under (its tenant's, and one per tag).
 */
import { randomBytes } from 'node:crypto';
import { tenantOfKey, versionKey } from '../../common/keys.ts';
import type { ReadOutcome } from './metrics/interface.ts';
import type { CachePolicy } from './policy.ts';

/** How a value was obtained. */
export type CacheOutcome = ReadOutcome;

/** A value and how it was obtained. */
export interface CacheResult<T> {
  value: T;
  status: CacheOutcome;
}

/** What identifies a cached value: its key (with the tenant hash tag), policy and tags. */
export interface CacheTarget {
  key: string;
  policy: CachePolicy;
  /** Invalidation tags, e.g. `projects` or `project:<id>`; scoped to the key's tenant. */
  tags?: readonly string[];
}

/** A read: the target and how to load it from the source. `undefined` is "not found", never cached. */
export interface ReadRequest<T> extends CacheTarget {
  load: () => Promise<T | undefined>;
}

/** Receives failures the engine absorbed (store errors, background refresh errors). */
export type ErrorListener = (error: unknown, context: { operation: string; key?: string }) => void;

// Version keys outlive any entry (the longest window is about a day); a missing version makes
// its entries invalid, so eviction of a version key is safe.
export const VERSION_TTL_MS = 30 * 24 * 60 * 60_000;

/** A new version: unique across processes, never empty, never holding a comma. */
export function newVersion(): string {
  return `${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
}

/** The tenant of a cache key; throws for a key without the tenant hash tag. */
export function tenantOf(key: string): string {
  const tenant = tenantOfKey(key);
  if (!tenant) throw new TypeError(`cache key has no tenant hash tag: ${key}`);
  return tenant;
}

// Version key names, memoised: building one validates the tenant and tag, which would otherwise
// run on every read. Bounded by clearing, since tenants and tags are few but not fixed.
const versionKeyMemo = new Map<string, string>();
function memoVersionKey(tenant: string, tag?: string): string {
  const id = tag === undefined ? tenant : `${tenant}\u0000${tag}`;
  let name = versionKeyMemo.get(id);
  if (name === undefined) {
    name = versionKey(tenant, tag);
    if (versionKeyMemo.size >= 10_000) versionKeyMemo.clear();
    versionKeyMemo.set(id, name);
  }
  return name;
}

/** The version keys of a target: its tenant's, then one per tag. */
export function versionKeys(target: CacheTarget): string[] {
  const tenant = tenantOf(target.key);
  const keys = [memoVersionKey(tenant)];
  if (target.tags) for (const tag of target.tags) keys.push(memoVersionKey(tenant, tag));
  return keys;
}

/** Whether an entry's versions are exactly the current ones (a missing current version never matches). */
export function sameVersions(written: readonly string[], current: readonly (string | undefined)[]): boolean {
  if (written.length !== current.length) return false;
  for (let i = 0; i < written.length; i++) if (current[i] === undefined || current[i] !== written[i]) return false;
  return true;
}

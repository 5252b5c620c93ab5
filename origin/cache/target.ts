/**
 * What the engine reads and writes: targets (a key, the tenant it belongs to, a policy, tags),
 * read requests and their results. The tenant travels with the target: the engine never reads
 * it back out of the key.
 */
import type { ReadOutcome } from './metrics/interface.ts';
import type { CachePolicy } from './policy.ts';

/** How a value was obtained. */
export type CacheOutcome = ReadOutcome;

/** A value and how it was obtained. */
export interface CacheResult<T> {
  value: T;
  status: CacheOutcome;
}

/** One stored entry: its key and the tenant it belongs to (what deletes act on). */
export interface CacheEntryRef {
  /**
   * The store key. Put the tenant in it as a hash tag (`…{acme}…`): the entry and its tenant's
   * versions then share a cluster slot, and a read that checks them is one round trip.
   */
  key: string;
  /** The tenant: its version and its tags' versions decide whether the entry is still valid. */
  tenant: string;
}

/** What identifies a cached value: key, tenant, policy and tags. */
export interface CacheTarget extends CacheEntryRef {
  policy: CachePolicy;
  /** Invalidation tags, e.g. `projects` or `project:<id>`; scoped to the tenant. */
  tags?: readonly string[];
}

/**
 * A read: the target and how to load it from the source. A loader that resolves `undefined`
 * means "not found": served, never cached.
 */
export interface ReadRequest<T> extends CacheTarget {
  load: () => Promise<T>;
}

/** Receives failures the engine absorbed (store errors, background refresh errors). */
export type ErrorListener = (error: unknown, context: { operation: string; key?: string }) => void;

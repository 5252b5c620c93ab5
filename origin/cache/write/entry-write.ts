/**
 * What a write stores: the current versions of the target's scopes (created when missing), and
 * the entry for a value under them, encoded by the policy's codec. Loads store through here too.
 */
import { writeEntry } from '../entry.ts';
import { newVersion, VERSION_TTL_MS } from '../invalidation/versions.ts';
import { windowsFor } from '../policy.ts';
import type { CacheStore, StoreWrite } from '../store/interface.ts';
import type { CacheTarget, ErrorListener } from '../target.ts';

/** An entry ready to store, and when it stops being fresh. */
export type EntryWrite = StoreWrite & { freshUntil: number };

/**
 * Current values of each list of version keys (a target's `scopeKeys`), creating missing ones;
 * each key this call created goes into `created` with its value, when given. The names are built
 * by the caller, outside the breaker: an invalid tenant or tag is the caller's mistake, not the
 * store's failure.
 */
export async function currentVersions(store: CacheStore, layout: readonly (readonly string[])[], created?: Map<string, string>): Promise<string[][]> {
  const flat = [...new Set(layout.flat())];
  const found = await store.getMany(flat);
  const byKey = new Map<string, string>();
  await Promise.all(
    flat.map(async (key, i) => {
      let value = found[i];
      if (value === undefined) {
        const fresh = newVersion();
        const mine = await store.setIfAbsent(key, fresh, VERSION_TTL_MS);
        value = mine ? fresh : await store.get(key);
        if (mine) created?.set(key, fresh);
      }
      if (value === undefined) throw new Error(`version key ${key} vanished while being created`);
      byKey.set(key, value);
    }),
  );
  return layout.map((keys) => keys.map((key) => byKey.get(key)!));
}

/**
 * The entry to store for `value` under `versions`; `undefined` (reported as `encode`) when JSON
 * or the codec cannot serialise it. That is the value's failure, not the store's: callers keep
 * it outside the breaker.
 */
export async function entryWrite(
  target: CacheTarget,
  value: unknown,
  versions: string[],
  now: number,
  onError: ErrorListener,
): Promise<EntryWrite | undefined> {
  try {
    const windows = windowsFor(target.policy, now);
    const json = JSON.stringify(value);
    const payload = target.policy.codec ? await target.policy.codec.encode(json, { key: target.key }) : json;
    return { key: target.key, value: writeEntry({ ...windows, versions, payload }), ttlMs: windows.errorUntil - now, freshUntil: windows.freshUntil };
  } catch (error) {
    onError(error, { operation: 'encode', key: target.key });
    return undefined;
  }
}

/**
 * A per-isolate memory tier in front of the Cache API: what was just stored or read stays in
 * memory for at most `ttlMs` (1 s, the same bound as the purge-version memo), so a hot key is
 * answered without a Cache API round trip. Freshness, purge versions and Vary are still decided
 * per request from the metadata, exactly as for entries read from the Cache API; deletes
 * (purges, unsafe requests) remove the memory copy at once.
 */
import { LRUCache } from 'lru-cache';
import type { EdgeStorage, Lookup, StoredMeta } from './storage.ts';

/** Bounds of the memory tier. */
export interface HotTierOptions {
  maxEntries: number;
  /** Bodies larger than this are not kept in memory. */
  maxBodyBytes: number;
  ttlMs: number;
}

/** Defaults: small enough for a Worker's 128 MB, long enough to absorb a burst. */
export const HOT_TIER_DEFAULTS: HotTierOptions = { maxEntries: 500, maxBodyBytes: 256 * 1024, ttlMs: 1000 };

type Held = { meta: StoredMeta; body: ArrayBuffer | null } | { vary: string[] };

/** Wraps `inner` with the memory tier. */
export function withHotTier(inner: EdgeStorage, options: HotTierOptions = HOT_TIER_DEFAULTS): EdgeStorage {
  const memory = new LRUCache<string, Held>({ max: options.maxEntries, ttl: options.ttlMs, perf: { now: () => Date.now() } });
  // Held bytes are handed out as they are: nothing writes to a body, and `new Response(bytes)`
  // does not detach them (checked in workerd), so every reader gets the full body.
  const fromHeld = (held: Held): Lookup => ('vary' in held ? { vary: held.vary } : { meta: held.meta, body: held.body });

  async function lookup(key: string): Promise<Lookup | undefined> {
    const held = memory.get(key);
    if (held) return fromHeld(held);
    const found = await inner.lookup(key);
    if (!found) return undefined;
    if ('vary' in found) {
      memory.set(key, { vary: found.vary });
      return found;
    }
    const body = found.body instanceof ReadableStream ? await new Response(found.body).arrayBuffer() : found.body;
    if (!body || body.byteLength <= options.maxBodyBytes) memory.set(key, { meta: found.meta, body });
    return { meta: found.meta, body: body && body.slice(0) };
  }

  return {
    lookup,
    async match(key) {
      const found = await lookup(key);
      return found && 'meta' in found ? found : undefined;
    },
    async put(key, body, meta, retentionSeconds, cacheTags) {
      await inner.put(key, body, meta, retentionSeconds, cacheTags);
      if (!body || body.byteLength <= options.maxBodyBytes) memory.set(key, { meta, body: body && body.slice(0) });
    },
    async putVary(key, names, retentionSeconds) {
      await inner.putVary(key, names, retentionSeconds);
      memory.set(key, { vary: [...names] });
    },
    async delete(key) {
      const held = memory.delete(key);
      return (await inner.delete(key)) || held;
    },
  };
}

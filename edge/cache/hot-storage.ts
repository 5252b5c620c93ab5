/**
 * A per-isolate memory tier in front of the Cache API: what was just stored or read stays in
 * memory for at most `ttlMs` (1 s, the same bound as the purge-version memo), so a hot key is
 * answered without a Cache API round trip. Freshness, purge versions and Vary are still decided
 * per request from the metadata, exactly as for entries read from the Cache API; deletes
 * (purges, unsafe requests) remove the memory copy at once.
 *
 * Anyone can mint new keys (a distinct query string each), so the tier is bounded by the bytes
 * it holds, not by its number of entries, and expired entries are swept rather than left to
 * fill it: an isolate has 128 MB for everything it does.
 */
import { LRUCache } from 'lru-cache';
import type { EdgeStorage, Lookup, StoredMeta } from './storage.ts';

/** Bounds of the memory tier. */
export interface HotTierOptions {
  /** Everything held: bodies, metadata and keys, as estimated by `heldSize`. */
  maxBytes: number;
  /** Bodies larger than this are not kept in memory. */
  maxBodyBytes: number;
  ttlMs: number;
}

/** Defaults: 16 MiB, an eighth of a Worker's 128 MB; long enough to absorb a burst. */
export const HOT_TIER_DEFAULTS: HotTierOptions = { maxBytes: 16 * 1024 * 1024, maxBodyBytes: 256 * 1024, ttlMs: 1000 };

/** The memory tier: storage, plus what it holds now (for operators and tests). */
export interface HotStorage extends EdgeStorage {
  /** Estimated bytes held, expired entries not yet swept included. */
  readonly heldBytes: number;
}

type Held = { meta: StoredMeta; body: ArrayBuffer | null } | { vary: string[] };

// What an entry costs besides its body and strings: objects, the policy's own fields.
const ENTRY_OVERHEAD_BYTES = 512;

function charsOf(record: Record<string, string>): number {
  let chars = 0;
  for (const name in record) chars += name.length + record[name]!.length;
  return chars;
}

/**
 * An estimate of what `held` under `key` occupies: the body, plus two bytes a character for the
 * key and the metadata's strings, counting the headers twice (the serialised policy keeps its
 * own copy of them).
 */
function heldSize(held: Held, key: string): number {
  if ('vary' in held) return ENTRY_OVERHEAD_BYTES + 2 * (key.length + held.vary.join().length);
  const { meta, body } = held;
  const strings = key.length + 2 * charsOf(meta.headers) + meta.tags.join().length + (meta.versions?.join().length ?? 0);
  return ENTRY_OVERHEAD_BYTES + (body?.byteLength ?? 0) + 2 * strings;
}

/** Wraps `inner` with the memory tier. */
export function withHotTier(inner: EdgeStorage, options: HotTierOptions = HOT_TIER_DEFAULTS): HotStorage {
  const memory = new LRUCache<string, Held>({
    maxSize: options.maxBytes,
    sizeCalculation: heldSize,
    ttl: options.ttlMs,
    perf: { now: () => Date.now() },
    // Read the clock on every check: the default caches it for 1 ms with a timer per read.
    ttlResolution: 0,
  });
  // lru-cache only notices an expired entry when it is read; sweeping once per lifetime keeps
  // dead entries from holding the budget (no per-entry timers: workerd ties timers to requests).
  let sweepAt = Date.now() + options.ttlMs;
  const hold = (key: string, held: Held) => {
    const now = Date.now();
    if (now >= sweepAt) {
      memory.purgeStale();
      sweepAt = now + options.ttlMs;
    }
    memory.set(key, held);
  };
  // Held bytes are handed out as they are: nothing writes to a body, and `new Response(bytes)`
  // does not detach them (checked in workerd), so every reader gets the full body.
  const fromHeld = (held: Held): Lookup => ('vary' in held ? { vary: held.vary } : { meta: held.meta, body: held.body });

  async function lookup(key: string): Promise<Lookup | undefined> {
    const held = memory.get(key);
    if (held) return fromHeld(held);
    const found = await inner.lookup(key);
    if (!found) return undefined;
    if ('vary' in found) {
      hold(key, { vary: found.vary });
      return found;
    }
    const body = found.body instanceof ReadableStream ? await new Response(found.body).arrayBuffer() : found.body;
    if (!body || body.byteLength <= options.maxBodyBytes) hold(key, { meta: found.meta, body });
    return { meta: found.meta, body: body && body.slice(0) };
  }

  return {
    get heldBytes() {
      return memory.calculatedSize;
    },
    lookup,
    async match(key) {
      const found = await lookup(key);
      return found && 'meta' in found ? found : undefined;
    },
    async put(key, body, meta, retentionSeconds, cacheTags) {
      await inner.put(key, body, meta, retentionSeconds, cacheTags);
      if (!body || body.byteLength <= options.maxBodyBytes) hold(key, { meta, body: body && body.slice(0) });
    },
    async putVary(key, names, retentionSeconds) {
      await inner.putVary(key, names, retentionSeconds);
      hold(key, { vary: [...names] });
    },
    async delete(key) {
      const held = memory.delete(key);
      return (await inner.delete(key)) || held;
    },
  };
}

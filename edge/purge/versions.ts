/**
 * The `VersionReader` (edge/cache/versions.ts) over Upstash Redis: one MGET per read for the
 * keys not already memoised in this isolate. The memo is the documented staleness bound: a
 * purge made through another isolate is seen here at most VERSION_MEMO_TTL_MS late, plus the
 * one refresh in flight (at most VERSION_READ_TIMEOUT_MS) during which other reads use the
 * versions last known. When Upstash fails the reader answers `undefined` (fail open: the cache
 * revalidates what it has with the origin, docs/edge.md "Purge versions") and does not ask again for one memo lifetime; then one
 * read probes while the others keep failing open, so an outage costs one attempt per isolate
 * per memo lifetime, not one per request.
 */
import type { Redis } from '@upstash/redis/cloudflare';
import { LRUCache } from 'lru-cache';
import type { VersionReader, VersionScope } from '../cache/versions.ts';
import type { Env } from '../env.ts';
import { log } from '../log.ts';
import { upstashClient } from '../upstash.ts';
import { scopeVersionKeys } from './keys.ts';

/** How long a version read from Upstash is reused in an isolate: the staleness bound of a purge. */
export const VERSION_MEMO_TTL_MS = 1000;

/** How long a read waits for Upstash before failing open. */
export const VERSION_READ_TIMEOUT_MS = 500;

/** What a version that was never bumped reads as; a first purge sets a different value. */
export const UNSET_VERSION = '0';

const MEMO_MAX_ENTRIES = 10_000;

/**
 * How long past its memo lifetime a version may stand in while another read refreshes it: as
 * long as that read can take. An older one (a scope idle for a while) is read again instead.
 */
const LAST_KNOWN_GRACE_MS = VERSION_READ_TIMEOUT_MS;

interface Memo {
  /** Version key → its value and when it stops being current (epoch ms); least recently used go first. */
  values: LRUCache<string, { value: string; expires: number }>;
  downUntil: number;
  /** Reads of Upstash in flight in this isolate. */
  refreshing: number;
  /** The last read failed: until one succeeds, only one read at a time asks Upstash. */
  failing: boolean;
}

// One memo per Upstash database (per REST URL), shared by every reader of it in the isolate.
const memos = new Map<string, Memo>();
const readers = new WeakMap<Redis, VersionReader>();

function memoFor(database: string): Memo {
  let memo = memos.get(database);
  if (!memo) memos.set(database, (memo = { values: new LRUCache({ max: MEMO_MAX_ENTRIES }), downUntil: 0, refreshing: 0, failing: false }));
  return memo;
}

// The keys of recent scopes: a pure function of tenant, path and tags, rebuilt on every read
// otherwise. Bounded by count and by characters (paths can be long).
const scopeKeys = new LRUCache<string, string[], VersionScope>({
  max: 1000,
  maxSize: 512 * 1024,
  sizeCalculation: (keys, id) => id.length + keys.reduce((n, key) => n + key.length, 0),
  memoMethod: (_id, _stale, { context }) => scopeVersionKeys(context),
});

function keysOf(scope: VersionScope): string[] {
  return scopeKeys.memo(`${scope.tenant}\n${scope.path}\n${scope.tags.join('\n')}`, { context: scope });
}

/**
 * What to answer without asking Upstash while another read of this isolate is asking it: the
 * last known versions when every one is recent enough, `undefined` (fail open) while Upstash is
 * failing, or `'ask'` when this read must ask itself. Nobody waits for the read in flight:
 * workerd does not let a request await I/O that another request started.
 */
function whileRefreshing(memo: Memo, keys: readonly string[], now: number): string[] | undefined | 'ask' {
  if (memo.failing) return undefined;
  const known: string[] = [];
  for (const key of keys) {
    const hit = memo.values.get(key);
    if (!hit || hit.expires + LAST_KNOWN_GRACE_MS <= now) return 'ask';
    known.push(hit.value);
  }
  return known;
}

/**
 * A reader over `redis`, memoised under `database` (its REST URL). `redis` bounds each command
 * (`upstashVersions` builds it with VERSION_READ_TIMEOUT_MS): a read past it fails open.
 */
function upstashVersionReader(redis: Redis, database: string): VersionReader {
  const memo = memoFor(database);
  return {
    async read(scope: VersionScope) {
      const keys = keysOf(scope);
      const now = Date.now();
      if (memo.downUntil > now) return undefined;
      // The common case, every version memoised and current: no intermediate collections.
      const held: string[] = [];
      for (const key of keys) {
        const hit = memo.values.get(key);
        if (!hit || hit.expires <= now) break;
        held.push(hit.value);
      }
      if (held.length === keys.length) return held;
      if (memo.refreshing > 0) {
        const answer = whileRefreshing(memo, keys, now);
        if (answer !== 'ask') return answer;
      }
      const known = new Map<string, string>();
      for (const key of keys) {
        const hit = memo.values.get(key);
        if (hit && hit.expires > now) known.set(key, hit.value);
      }
      const missing = keys.filter((key) => !known.has(key));
      memo.refreshing++;
      try {
        // The client aborts the read past VERSION_READ_TIMEOUT_MS (`upstashVersions`).
        const values = await redis.mget<unknown[]>(missing);
        const at = Date.now();
        missing.forEach((key, i) => {
          const value = values[i] === null || values[i] === undefined ? UNSET_VERSION : String(values[i]);
          known.set(key, value);
          memo.values.set(key, { value, expires: at + VERSION_MEMO_TTL_MS });
        });
        memo.failing = false;
        memo.downUntil = 0;
      } catch (error) {
        memo.downUntil = Date.now() + VERSION_MEMO_TTL_MS;
        memo.failing = true;
        log('warn', 'purge versions unavailable; revalidating stored responses with the origin', { keys: missing.length, error: String(error) });
        return undefined;
      } finally {
        memo.refreshing--;
      }
      return keys.map((key) => known.get(key)!);
    },
  };
}

/** The Upstash-backed reader for `env`, built once per isolate; undefined when Upstash is unconfigured. */
export function upstashVersions(env: Env): VersionReader | undefined {
  let redis: Redis | undefined;
  try {
    redis = upstashClient(env, { timeoutMs: VERSION_READ_TIMEOUT_MS });
  } catch (error) {
    // A malformed UPSTASH_REDIS_REST_URL must not fail cached requests: no versions, as when unset.
    log('error', 'purge versions disabled: Upstash misconfigured', { error: String(error) });
    return undefined;
  }
  if (!redis || !env.UPSTASH_REDIS_REST_URL) return undefined;
  let reader = readers.get(redis);
  if (!reader) readers.set(redis, (reader = upstashVersionReader(redis, env.UPSTASH_REDIS_REST_URL)));
  return reader;
}

/** Drops `keys` from this isolate's memo of `database`, so a purge made here is seen here at once. */
export function forgetVersions(database: string, keys: readonly string[]): void {
  const memo = memos.get(database);
  if (!memo) return;
  for (const key of keys) memo.values.delete(key);
}

/**
 * Edge storage behind a narrow interface, so the Workers Cache API used here could be swapped
 * for Cloudflare's built-in Workers Cache later. The Cache API applies HTTP rules of its own
 * (it rewrites `Date`, freezes `Age`, ignores `Vary`, refuses many statuses: docs/edge.md, "Storage format"),
 * so it is told only "keep this body for N seconds"; the response's real status and headers,
 * its RFC 9111 state and its purge versions travel in a metadata header, and every freshness
 * decision is made by the edge.
 */
import type CachePolicy from 'http-cache-semantics';
import type { HeaderRecord } from './policy.ts';

/** What is stored next to a body. */
export interface StoredMeta {
  /** The policy's serialised state (decisions: age, freshness, validators, Vary). */
  policy: CachePolicy.CachePolicyObject;
  /** Status and headers as the origin sent them, minus hop-by-hop and internal headers. */
  status: number;
  headers: HeaderRecord;
  /** The response's tags and the purge versions of its scope when it was stored. */
  tags: string[];
  versions?: string[];
}

/** A stored response: its body (a stream from the Cache API, bytes from memory) and metadata. */
export interface StoredEntry {
  body: ReadableStream | ArrayBuffer | null;
  meta: StoredMeta;
}

/** Releases a body that will not be sent. */
export async function discard(body: StoredEntry['body']): Promise<void> {
  if (body instanceof ReadableStream) await body.cancel();
}

/** Two independent copies of a body, e.g. one for the client and one for a revalidation. */
export function split(body: StoredEntry['body']): [StoredEntry['body'], StoredEntry['body']] {
  if (body instanceof ReadableStream) return body.tee();
  return [body, body && body.slice(0)];
}

/** Under a base key: a response, or the record that responses there vary on some headers. */
export type Lookup = StoredEntry | { vary: string[] };

/** Where the edge keeps responses. Keys are URLs made by `key.ts`. */
export interface EdgeStorage {
  /** What is stored under `key`: one lookup answers both "a response" and "go to a variant". */
  lookup(key: string): Promise<Lookup | undefined>;
  match(key: string): Promise<StoredEntry | undefined>;
  /** Stores a response for `retentionSeconds`; `cacheTags` go on the stored copy for zone purges. */
  put(key: string, body: ArrayBuffer | null, meta: StoredMeta, retentionSeconds: number, cacheTags?: readonly string[]): Promise<void>;
  /** Records that responses under `key` vary on `names` (variants live under their own keys). */
  putVary(key: string, names: readonly string[], retentionSeconds: number): Promise<void>;
  /** Deletes the entry (and the variant record) under `key`; true when there was one. */
  delete(key: string): Promise<boolean>;
}

const META_HEADER = 'x-strata-meta';
const VARY_HEADER = 'x-strata-vary';

function keep(seconds: number): string {
  return `public, max-age=${Math.max(1, Math.ceil(seconds))}`;
}

/** Storage in a named Workers Cache API cache (one per data centre). */
export function workersCacheStorage(cacheName = 'strata-edge'): EdgeStorage {
  const open = () => caches.open(cacheName);
  const read = async (key: string): Promise<Lookup | undefined> => {
    const response = await (await open()).match(key);
    if (!response) return undefined;
    const vary = response.headers.get(VARY_HEADER);
    const meta = response.headers.get(META_HEADER);
    if (vary !== null || !meta) {
      await response.body?.cancel();
      return vary ? { vary: vary.split(',') } : undefined;
    }
    return { body: response.body, meta: JSON.parse(decodeURIComponent(meta)) as StoredMeta };
  };
  return {
    lookup: read,
    async match(key) {
      const found = await read(key);
      return found && 'meta' in found ? found : undefined;
    },
    async put(key, body, meta, retentionSeconds, cacheTags = []) {
      const headers = new Headers({ 'cache-control': keep(retentionSeconds), [META_HEADER]: encodeURIComponent(JSON.stringify(meta)) });
      // Cloudflare purges its cache by the Cache-Tag of stored responses; clients never see it.
      if (cacheTags.length > 0) headers.set('cache-tag', cacheTags.join(','));
      await (await open()).put(key, new Response(body, { status: 200, headers }));
    },
    async putVary(key, names, retentionSeconds) {
      const headers = new Headers({ 'cache-control': keep(retentionSeconds), [VARY_HEADER]: names.join(',') });
      await (await open()).put(key, new Response(null, { status: 200, headers }));
    },
    async delete(key) {
      return (await open()).delete(key);
    },
  };
}

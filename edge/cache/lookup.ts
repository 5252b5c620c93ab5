/**
 * Finding and judging what is stored for a request: one Cache API lookup in the common case (a
 * second only for responses that `Vary`), then whether the entry was purged since it was stored,
 * and whether RFC 9111 lets it answer this request as it is (§4), after revalidating in the
 * background (RFC 5861 `stale-while-revalidate`), or only after revalidating now. An entry whose
 * purge versions cannot be read (Upstash failing) is revalidated now: it may have been purged.
 */
import { log } from '../log.ts';
import type { Exchange } from './exchange.ts';
import { variantKeyFor } from './key.ts';
import { deserializePolicy, evaluationRequest, type CachePolicy, type HeaderRecord } from './policy.ts';
import type { EdgeStorage, StoredEntry } from './storage.ts';
import { sameVersions } from './versions.ts';

/** What storage holds for a request: the key it is under (a variant's when it varies), and the entry. */
export interface Found {
  key: string;
  stored: StoredEntry | undefined;
}

/** Looks the request up; a storage failure is a miss (logged), never an error for the client. */
export async function lookup(x: Exchange, storage: EdgeStorage): Promise<Found> {
  const unreadable = (error: unknown) => {
    log('warn', 'edge storage read failed; forwarding', { key: x.base, error: String(error) });
    return undefined;
  };
  const found = await storage.lookup(x.base).catch(unreadable);
  if (!found || !('vary' in found)) return { key: x.base, stored: found };
  const key = await variantKeyFor(x.base, found.vary, x.request);
  return { key, stored: await storage.match(key).catch(unreadable) };
}

/**
 * What to do with a stored entry: nothing (`purged`), serve it (`fresh`), serve it and refresh it
 * in the background (`stale-while-revalidate`), or ask the origin first (`revalidate`); the last
 * two carry the conditional headers the policy built from the stored validators.
 */
export type Verdict =
  | { kind: 'purged' }
  | { kind: 'fresh'; policy: CachePolicy }
  | { kind: 'stale-while-revalidate' | 'revalidate'; policy: CachePolicy; conditional: HeaderRecord; unverified?: true };

/** Judges `stored` for the exchange's request. */
export async function judge(x: Exchange, stored: StoredEntry, key: string): Promise<Verdict> {
  const policy = deserializePolicy(stored.meta.policy);
  if (x.versions) {
    const current = await x.versions.read(x.scope(stored.meta.tags));
    if (current === undefined) {
      // Upstash unreachable: whether a purge landed since the entry was stored cannot be known,
      // and the entry may be hours old (`s-maxage`). Ask the origin with its validators: a 304
      // serves it, a new answer replaces it for this client, a failing origin still gets the
      // stored copy within `stale-if-error`. Serving it as it is broke the freshness bound
      // whenever Upstash was slow (the workload saw a project's old name 168 s after its rename).
      const conditional = policy.revalidationHeaders(evaluationRequest(x.request, key, stored.meta.headers.vary)) as HeaderRecord;
      return { kind: 'revalidate', policy, conditional, unverified: true };
    }
    if (!sameVersions(current, stored.meta.versions)) return { kind: 'purged' };
  }
  const { revalidation } = policy.evaluateRequest(evaluationRequest(x.request, key, stored.meta.headers.vary));
  if (!revalidation) return { kind: 'fresh', policy };
  const conditional = revalidation.headers as HeaderRecord;
  return { kind: revalidation.synchronous ? 'revalidate' : 'stale-while-revalidate', policy, conditional };
}

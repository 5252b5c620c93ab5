/**
 * The policy class the edge decides with: `http-cache-semantics` where it follows RFC 9111, and
 * the RFC where it does not (each override says which section). It reads the library's own
 * state, so a major version of the library is a reason to re-read this file.
 */
import CachePolicy from 'http-cache-semantics';
import { REVALIDATE_MARKERS } from './decision.ts';

// RFC 9111 §4.2.2: statuses a cache may give heuristic freshness to without `public`.
const HEURISTIC_STATUSES = new Set([200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501]);

type Revalidation = { synchronous: boolean; headers: unknown } | undefined;

/** The library's own state, which the corrections below read. */
interface LibraryState {
  _rescc: Record<string, string | boolean>;
  _reqcc: Record<string, string | boolean>;
  _resHeaders: Record<string, string>;
  _status: number;
  _method: string;
  _isShared: boolean;
  _noAuthorization: boolean;
  _evaluateRequestMissResult(request: CachePolicy.Request): { revalidation: Revalidation };
}

/**
 * http-cache-semantics with the RFC where it departs from it, and one cost taken out:
 * - §3: any final response may be stored when its headers give explicit freshness, or when its
 *   status allows heuristics (§4.2.2); the library stores only statuses it lists.
 * - §5.2.2.2 / §5.2.2.8: `must-revalidate` (and `proxy-revalidate`, for a shared cache) matter
 *   once the response is stale: then nothing stale is served, not within `stale-while-revalidate`
 *   nor a request's `max-stale`. The library revalidated even fresh responses.
 * - §5.2.2.10: `s-maxage` carries `proxy-revalidate`'s meaning; the edge keeps honouring an
 *   explicit `stale-while-revalidate` / `stale-if-error` (the origin's own permission, RFC 5861)
 *   but never serves it stale for a client's `max-stale`.
 * - on every hit the library builds response headers the edge never reads (it sends the stored
 *   headers itself): about 5 % of a hit's Worker CPU when profiled, skipped here.
 */
export class EdgeCachePolicy extends CachePolicy {
  _evaluateRequestHitResult(revalidation: unknown) {
    return { response: { headers: {} }, revalidation };
  }

  /** Whether the response may be stored at all (RFC 9111 §3). */
  override storable(): boolean {
    const self = this as unknown as LibraryState;
    const cc = self._rescc;
    const status = self._status;
    return (
      !self._reqcc['no-store'] &&
      (self._method === 'GET' || self._method === 'HEAD') &&
      status >= 200 &&
      status !== 206 && // a partial response: never stored, ranges are answered from complete ones
      status !== 304 &&
      !cc['no-store'] &&
      !(self._isShared && cc.private) &&
      (!self._isShared || self._noAuthorization || this._allowsStoringAuthenticated()) &&
      Boolean(self._resHeaders.expires || cc['max-age'] || (self._isShared && cc['s-maxage']) || cc.public || HEURISTIC_STATUSES.has(status))
    );
  }

  /** RFC 9111 §3.5: what lets a shared cache store a response to a request with `Authorization`. */
  _allowsStoringAuthenticated(): boolean {
    const cc = (this as unknown as LibraryState)._rescc;
    return Boolean(cc[REVALIDATE_MARKERS['must-revalidate']] || cc.public || cc['s-maxage']);
  }

  override evaluateRequest(request: CachePolicy.Request): CachePolicy.EvaluateRequestResult {
    const result = super.evaluateRequest(request);
    const revalidation = result.revalidation as Revalidation;
    if (revalidation?.synchronous) return result;
    const cc = (this as unknown as LibraryState)._rescc;
    const mustRevalidate = Boolean(cc[REVALIDATE_MARKERS['must-revalidate']] || cc[REVALIDATE_MARKERS['proxy-revalidate']]);
    // Served stale: within stale-while-revalidate (a revalidation follows) or for max-stale (none).
    const forbidden = mustRevalidate || (revalidation === undefined && Boolean(cc['s-maxage']));
    if (!forbidden || !this.stale()) return result;
    return (this as unknown as LibraryState)._evaluateRequestMissResult(request) as CachePolicy.EvaluateRequestResult;
  }

  /** Whether the response must never be served stale, even within `stale-if-error`. */
  revalidatesWhenStale(): boolean {
    const cc = (this as unknown as LibraryState)._rescc;
    return Boolean(cc[REVALIDATE_MARKERS['must-revalidate']] || cc[REVALIDATE_MARKERS['proxy-revalidate']]);
  }
}

/**
 * Range requests (RFC 9110 §14) answered from complete responses: a single `bytes` range of a
 * 200 becomes a 206 with `Content-Range` (§14.4, §15.3.7), unless `If-Range` names another
 * representation (§13.1.5), in which case the whole 200 is sent. Whatever the edge cannot
 * satisfy — several ranges, another unit, a range past the end, an encoded body — goes to the
 * origin as the client asked it.
 */
import { parseHttpDate } from './semantics/http-date.ts';

/** What a request asks for: everything, one range the edge can cut, or something for the origin. */
export type RangeAsked = { kind: 'all' } | { kind: 'origin' } | { kind: 'bytes'; first: number; last?: number } | { kind: 'suffix'; length: number };

const ALL: RangeAsked = { kind: 'all' };
const ORIGIN: RangeAsked = { kind: 'origin' };
// ranges-specifier with one int-range or suffix-range (§14.1.1); the unit is case-insensitive.
const SINGLE_RANGE = /^bytes=(?:([0-9]+)-([0-9]*)|-([0-9]+))$/i;

/** The range `request` asks for. Only GET has range semantics (§14.2); HEAD and others get everything. */
export function rangeAsked(request: Request): RangeAsked {
  const value = request.method === 'GET' ? request.headers.get('range') : null;
  if (value === null) return ALL;
  const m = SINGLE_RANGE.exec(value.trim());
  if (!m) return ORIGIN;
  if (m[3] !== undefined) return { kind: 'suffix', length: Number(m[3]) };
  const first = Number(m[1]);
  const last = m[2] === '' ? undefined : Number(m[2]);
  return last !== undefined && last < first ? ORIGIN : { kind: 'bytes', first, ...(last !== undefined ? { last } : {}) };
}

/** §13.1.5: whether `If-Range` (if any) matches the response: a strong ETag, or its exact Last-Modified. */
function ifRangeHolds(request: Request, headers: Headers): boolean {
  const ifRange = request.headers.get('if-range')?.trim();
  if (ifRange === undefined) return true;
  if (ifRange.startsWith('"')) return headers.get('etag') === ifRange;
  if (ifRange.startsWith('W/')) return false;
  const date = parseHttpDate(ifRange);
  return date !== undefined && date === parseHttpDate(headers.get('last-modified') ?? undefined);
}

/**
 * The client's answer for `range` from the complete `response`: a 206 of the range; `response`
 * itself when it is not a 200 (a 304, an error) or `If-Range` does not hold; `undefined` when the
 * edge cannot satisfy the range and the origin should be asked.
 */
export async function cutRange(request: Request, response: Response, range: Exclude<RangeAsked, { kind: 'all' | 'origin' }>): Promise<Response | undefined> {
  if (response.status !== 200 || !ifRangeHolds(request, response.headers)) return response;
  const encoding = response.headers.get('content-encoding');
  if (encoding !== null && encoding.toLowerCase() !== 'identity') {
    await response.body?.cancel();
    return undefined;
  }
  const body = new Uint8Array(await response.arrayBuffer());
  const size = body.byteLength;
  const first = range.kind === 'suffix' ? Math.max(0, size - range.length) : range.first;
  const last = range.kind === 'suffix' ? size - 1 : Math.min(range.last ?? size - 1, size - 1);
  if (first >= size || (range.kind === 'suffix' && range.length === 0)) return undefined;
  const headers = new Headers(response.headers);
  headers.set('content-range', `bytes ${first}-${last}/${size}`);
  headers.set('content-length', String(last - first + 1));
  return new Response(body.slice(first, last + 1), { status: 206, headers });
}

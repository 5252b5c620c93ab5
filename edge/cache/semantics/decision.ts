/**
 * The small layer in front of `http-cache-semantics` (4.3), which is lenient where RFC 9111 is
 * strict. The library is handed a view of the response that says what the RFCs say: directive
 * names in any case (§5.2), arguments quoted or not, conflicting or invalid freshness treated as
 * stale (§4.2.1), delta-seconds capped (§1.2.2), `Expires` read as an HTTP-date or as already
 * expired (§5.3), an invalid `Age` ignored (§5.1), a targeted field in place of `Cache-Control`
 * (RFC 9213), `must-understand` applied (§5.2.2.3), response `Pragma` without meaning (§5.4).
 * `must-revalidate` and `proxy-revalidate` travel as markers the library does not act on, since
 * it would revalidate even fresh responses; `policy.ts` applies them once a response is stale.
 */
import { deltaSeconds, parseCacheControl, type Directives } from './directives.ts';
import { formatHttpDate, parseHttpDate } from './http-date.ts';
import { TARGETED_FIELDS, targetedDirectives } from './targeted.ts';

/** A response as the edge decides with it. */
export interface DecisionView {
  /** Headers for the policy library: canonical Cache-Control, strict dates, a valid Age or none. */
  headers: Record<string, string>;
  /** The directives in force, from the targeted field or Cache-Control. */
  directives: Directives;
}

/** Markers of `must-revalidate` / `proxy-revalidate` in the canonical Cache-Control. */
export const REVALIDATE_MARKERS = { 'must-revalidate': 'strata-must-revalidate', 'proxy-revalidate': 'strata-proxy-revalidate' } as const;

/** Statuses whose caching the edge implements, for `must-understand` (RFC 9111 §5.2.2.3). */
export const UNDERSTOOD_STATUSES = new Set([200, 203, 204, 300, 301, 302, 303, 307, 308, 404, 405, 410, 414, 501]);

const EXPIRED = formatHttpDate(0);
const FRESHNESS = ['max-age', 's-maxage'];
const STALENESS = ['stale-while-revalidate', 'stale-if-error'];
const RENDERED_FLAGS = ['public', 'no-store', 'no-cache', 'private', 'must-understand', 'no-transform'];

/** Response directives as the RFC reads them: see the file comment. */
function responseDirectives(parsed: Directives, conflicting: ReadonlySet<string>, status: number): Directives {
  const out: Directives = new Map(parsed);
  for (const name of FRESHNESS) {
    if (!parsed.has(name)) continue;
    const seconds = conflicting.has(name) ? undefined : deltaSeconds(parsed.get(name));
    out.set(name, String(seconds ?? 0)); // invalid freshness information: stale (§4.2.1)
  }
  for (const name of STALENESS) {
    const seconds = conflicting.has(name) ? undefined : deltaSeconds(parsed.get(name));
    if (seconds === undefined) out.delete(name);
    else out.set(name, String(seconds));
  }
  // The qualified forms (`no-cache="Set-Cookie"`) are honoured as the unqualified ones, which
  // §5.2.2.4 and §5.2.2.7 allow: stricter, and no field-by-field storage.
  for (const name of ['no-cache', 'private']) if (out.has(name)) out.set(name, true);
  if (out.has('must-understand')) {
    if (UNDERSTOOD_STATUSES.has(status)) out.delete('no-store');
    else out.set('no-store', true);
  }
  return out;
}

/** The canonical Cache-Control the policy library reads; `undefined` when nothing applies. */
function render(directives: Directives): string | undefined {
  const parts: string[] = [];
  for (const name of [...FRESHNESS, ...STALENESS]) if (directives.has(name)) parts.push(`${name}=${directives.get(name)}`);
  for (const name of RENDERED_FLAGS) if (directives.has(name)) parts.push(name);
  for (const [name, marker] of Object.entries(REVALIDATE_MARKERS)) if (directives.has(name)) parts.push(marker);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

function setOrDelete(headers: Record<string, string>, name: string, value: string | undefined): void {
  if (value === undefined) delete headers[name];
  else headers[name] = value;
}

/** The decision view of a response with `status` and (lower-case) `headers`, as received. */
export function responseView(headers: Record<string, string>, status: number): DecisionView {
  const out: Record<string, string> = { ...headers };
  for (const field of TARGETED_FIELDS) delete out[field];
  delete out.pragma;
  const targeted = targetedDirectives(headers);
  let directives: Directives;
  if (targeted) {
    directives = responseDirectives(targeted.directives, new Set(), status);
    delete out.expires;
  } else {
    const parsed = parseCacheControl(headers['cache-control']);
    directives = responseDirectives(parsed.directives, parsed.conflicting, status);
    if (out.expires !== undefined) {
      const expires = parseHttpDate(out.expires);
      out.expires = expires === undefined ? EXPIRED : formatHttpDate(expires);
    }
  }
  setOrDelete(out, 'cache-control', render(directives));
  for (const name of ['date', 'last-modified']) {
    const at = parseHttpDate(out[name]);
    setOrDelete(out, name, at === undefined ? undefined : formatHttpDate(at));
  }
  const age = deltaSeconds(out.age);
  setOrDelete(out, 'age', age === undefined ? undefined : String(age));
  return { headers: out, directives };
}

/** A request's Cache-Control as the RFC reads it (§5.2.1): any case, invalid arguments dropped. */
export function requestCacheControl(value: string | undefined): string | undefined {
  const { directives } = parseCacheControl(value);
  const parts: string[] = [];
  for (const [name, argument] of directives) {
    if (name === 'max-age' || name === 'min-fresh') {
      const seconds = deltaSeconds(argument);
      if (seconds !== undefined) parts.push(`${name}=${seconds}`);
    } else if (name === 'max-stale') {
      const seconds = deltaSeconds(argument);
      if (argument === true || seconds !== undefined) parts.push(argument === true ? name : `${name}=${seconds}`);
    } else if (['no-cache', 'no-store', 'only-if-cached', 'no-transform'].includes(name)) {
      parts.push(name);
    }
  }
  return parts.length > 0 ? parts.join(', ') : undefined;
}

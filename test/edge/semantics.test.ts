/**
 * The parsing layer in front of http-cache-semantics, rule by rule: HTTP-date (RFC 9110 §5.6.7),
 * Cache-Control syntax (RFC 9111 §5.2) and delta-seconds (§1.2.2), the decision view the policy
 * library is handed (§4.2.1, §5.1, §5.3, §5.4, §5.2.2.3), and targeted fields (RFC 9213).
 */
import { describe, expect, it } from 'vitest';
import { requestCacheControl, responseView } from '../../edge/cache/semantics/decision.ts';
import { DELTA_SECONDS_MAX, deltaSeconds, parseCacheControl } from '../../edge/cache/semantics/directives.ts';
import { parseHttpDate } from '../../edge/cache/semantics/http-date.ts';
import { targetedDirectives } from '../../edge/cache/semantics/targeted.ts';

const NOV_6_1994 = Date.UTC(1994, 10, 6, 8, 49, 37);

describe('HTTP-date (RFC 9110 §5.6.7)', () => {
  it('reads IMF-fixdate, RFC 850 and asctime, names in any case (RFC 9111 §4.2)', () => {
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT')).toBe(NOV_6_1994);
    expect(parseHttpDate('SUN, 06 NOV 1994 08:49:37 gmt')).toBe(NOV_6_1994);
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT')).toBe(NOV_6_1994);
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994')).toBe(NOV_6_1994);
  });

  it('reads a two-digit year more than 50 years ahead as the past century', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(new Date(parseHttpDate('Monday, 01-Jan-76 00:00:00 GMT', now)!).getUTCFullYear()).toBe(2076);
    expect(new Date(parseHttpDate('Tuesday, 01-Jan-77 00:00:00 GMT', now)!).getUTCFullYear()).toBe(1977);
  });

  it.each([
    'Sun, 06 Nov 1994 08:49:37 UTC',
    'Sun 06 Nov 1994 08:49:37 GMT',
    'Sun,  06 Nov 1994 08:49:37 GMT',
    'Sun, 06-Nov-1994 08:49:37 GMT',
    'Sun, 06 Nov 1994 8:49:37 GMT',
    'Sun, 31 Nov 1994 08:49:37 GMT',
    'Sun, 06 Nov 1994 24:00:00 GMT',
    '1994-11-06T08:49:37Z',
    '0',
    '',
  ])('refuses %j', (text) => {
    expect(parseHttpDate(text)).toBeUndefined();
  });
});

describe('Cache-Control syntax (RFC 9111 §5.2) and delta-seconds (§1.2.2)', () => {
  it('lower-cases names, unquotes arguments, keeps quoted commas, and ignores members that do not parse', () => {
    const { directives } = parseCacheControl('Public, MAX-AGE="60", x-list="a, b", max age=5, =3, no-cache="set-cookie", private=');
    expect([...directives]).toEqual([
      ['public', true],
      ['max-age', '60'],
      ['x-list', 'a, b'],
      ['no-cache', 'set-cookie'],
    ]);
  });

  it('reports a directive repeated with another argument, not one repeated as it was', () => {
    expect([...parseCacheControl('max-age=1, public, max-age=2').conflicting]).toEqual(['max-age']);
    expect(parseCacheControl('max-age=1, max-age=1').conflicting.size).toBe(0);
  });

  it('takes digits only as delta-seconds and caps them at 2^31', () => {
    expect(deltaSeconds('60')).toBe(60);
    expect(deltaSeconds('99999999999999999999')).toBe(DELTA_SECONDS_MAX);
    for (const invalid of ['7200.0', '-1', '1e3', '', ' 1', true]) expect(deltaSeconds(invalid as string)).toBeUndefined();
  });
});

describe('the decision view handed to http-cache-semantics', () => {
  it('§4.2.1: invalid or conflicting freshness is stale; invalid staleness windows are dropped', () => {
    expect(responseView({ 'cache-control': 'max-age=1.5, stale-if-error=x, public' }, 200).headers['cache-control']).toBe('max-age=0, public');
    expect(responseView({ 'cache-control': 's-maxage=9, s-maxage=10' }, 200).headers['cache-control']).toBe('s-maxage=0');
  });

  it('§5.3, §5.1, §5.4: an invalid Expires is in the past, an invalid Age is gone, so is Pragma', () => {
    const view = responseView({ expires: 'tomorrow', age: '10.5', pragma: 'no-cache', date: 'Sunday, 06-Nov-94 08:49:37 GMT' }, 200);
    expect(view.headers).toEqual({ expires: 'Thu, 01 Jan 1970 00:00:00 GMT', date: 'Sun, 06 Nov 1994 08:49:37 GMT' });
  });

  it('§5.2.2.2, §5.2.2.8: revalidation directives become markers the library does not act on while fresh', () => {
    expect(responseView({ 'cache-control': 'max-age=60, must-revalidate, proxy-revalidate' }, 200).headers['cache-control']).toBe(
      'max-age=60, strata-must-revalidate, strata-proxy-revalidate',
    );
  });

  it('§5.2.2.3: must-understand drops no-store for a status the edge understands, and only then', () => {
    expect(responseView({ 'cache-control': 'no-store, must-understand' }, 200).directives.has('no-store')).toBe(false);
    expect(responseView({ 'cache-control': 'must-understand, max-age=60' }, 299).directives.has('no-store')).toBe(true);
  });

  it('§5.2.1: request directives in any case; invalid arguments dropped', () => {
    expect(requestCacheControl('No-Cache, MAX-AGE=abc, Max-Stale, min-fresh=5')).toBe('no-cache, max-stale, min-fresh=5');
  });
});

describe('targeted fields (RFC 9213)', () => {
  it('§2.1: takes the most specific valid field; §2.2: skips empty and invalid ones and wrongly typed values', () => {
    const picked = targetedDirectives({
      'strata-cdn-cache-control': 'Max-Age=5',
      'cdn-cache-control': 'max-age=60, no-store=?0, private="x", s-maxage=1.5;p=1',
    });
    expect(picked?.field).toBe('cdn-cache-control');
    expect([...picked!.directives]).toEqual([
      ['max-age', '60'],
      ['private', 'x'],
    ]);
    expect(targetedDirectives({ 'cdn-cache-control': '' })).toBeUndefined();
  });
});

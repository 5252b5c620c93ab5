/**
 * Isolation, property-tested against an origin that reflects everything it receives
 * (`test/harness/fake-origin-reflect.ts`): a response stored for one request is never served to a
 * request the origin would have answered differently. Request B is request A with generated
 * variants applied — another tenant, path case, `//`, a trailing slash, keyed and unkeyed query
 * parameters, content negotiation, host and forwarding headers — and each is written in a
 * generated form (percent-encodings in either case, dot segments, query encodings). What the
 * origin would answer B is what B gets through an edge that stores nothing. The property is also
 * run over a deliberately broken key (path lower-cased, tenant dropped) and must fail there, so
 * it is one that can fail.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEdgeApp } from '../../edge/app.ts';
import { withHotTier } from '../../edge/cache/hot-storage.ts';
import { workersCacheStorage, type EdgeStorage, type Lookup } from '../../edge/cache/storage.ts';
import { edgeFetch, fetchThrough, freshTenant, type EdgeHandler, type EdgeResult } from './edge-fetch.ts';

const POLICY = JSON.stringify([{ pattern: '/v1/:tenant/reflect/*', mode: 'honor', query: ['page', 'sort'] }]);
const BINDINGS = { ROUTE_POLICY: POLICY };

/** A request before it is written out. */
interface Model {
  host: string;
  tenant: string;
  segments: string[];
  trailingSlash: boolean;
  query: [string, string][];
  headers: Record<string, string>;
}

// Variants of a request. `different`: the origin receives another request (and reflects it).
// `same`: the origin receives the very same request (the edge drops or normalises what changed),
// so B must be answered from A's entry. `keyed`: the edge keys on it (`Host`: the stored policy does,
// RFC 9111 §4) but the origin never sees it.
type Variant = { kind: 'different' | 'same' | 'keyed'; apply: (m: Model, otherTenant: string) => Model };
const VARIANTS: Record<string, Variant> = {
  tenant: { kind: 'different', apply: (m, other) => ({ ...m, tenant: other }) },
  'path case': { kind: 'different', apply: (m) => ({ ...m, segments: [m.segments[0]!.replace(/^./, (c) => c.toUpperCase()), ...m.segments.slice(1)] }) },
  'double slash': { kind: 'different', apply: (m) => ({ ...m, segments: ['', ...m.segments] }) },
  'trailing slash': { kind: 'different', apply: (m) => ({ ...m, trailingSlash: !m.trailingSlash }) },
  'longer path': { kind: 'different', apply: (m) => ({ ...m, segments: [...m.segments, 'more'] }) },
  'keyed query value': { kind: 'different', apply: (m) => ({ ...m, query: [...m.query.filter(([n]) => n !== 'page'), ['page', 'other']] }) },
  'keyed query name case': {
    kind: 'different',
    apply: (m) => ({ ...m, query: m.query.length ? m.query.map(([n, v]) => [n === 'page' ? 'Page' : n, v]) : [['Page', '1']] }),
  },
  'accept-language': {
    kind: 'different',
    apply: (m) => ({ ...m, headers: { ...m.headers, 'accept-language': m.headers['accept-language'] === 'de' ? 'fr' : 'de' } }),
  },
  accept: { kind: 'different', apply: (m) => ({ ...m, headers: { ...m.headers, accept: m.headers.accept === 'text/csv' ? '*/*' : 'text/csv' } }) },
  host: { kind: 'keyed', apply: (m) => ({ ...m, host: 'other.test' }) },
  'host case': { kind: 'same', apply: (m) => ({ ...m, host: m.host.toUpperCase() }) },
  'host header': { kind: 'keyed', apply: (m) => ({ ...m, headers: { ...m.headers, host: 'evil.test' } }) },
  'x-forwarded-host': { kind: 'same', apply: (m) => ({ ...m, headers: { ...m.headers, 'x-forwarded-host': 'evil.test' } }) },
  'forwarding headers': {
    kind: 'same',
    apply: (m) => ({
      ...m,
      headers: {
        ...m.headers,
        forwarded: 'host=evil.test;proto=http',
        'x-forwarded-proto': 'http',
        'x-original-url': '/admin',
        'x-http-method-override': 'DELETE',
      },
    }),
  },
  'unkeyed query': { kind: 'same', apply: (m) => ({ ...m, query: [...m.query, ['utm_source', 'mail']] }) },
  'query order': { kind: 'same', apply: (m) => ({ ...m, query: [...m.query].reverse() }) },
};

/** How a request is written: equivalent spellings of one request (RFC 3986 §6.2.2, URL query forms). */
interface Spelling {
  escapes: ('plain' | 'lower' | 'upper')[];
  dots: 'none' | 'dot' | 'dotdot' | 'encoded-dot' | 'encoded-dotdot';
  space: '+' | '%20';
}

const model: fc.Arbitrary<Omit<Model, 'tenant'>> = fc.record({
  host: fc.constant('edge.test'),
  segments: fc.array(fc.constantFrom('item', 'list', 'a1'), { minLength: 1, maxLength: 2 }),
  trailingSlash: fc.boolean(),
  query: fc.array(fc.tuple(fc.constantFrom('page', 'sort', 'utm_source'), fc.constantFrom('1', '2', 'a b')), { maxLength: 3 }),
  headers: fc.record({ accept: fc.constantFrom('application/json', '*/*'), 'accept-language': fc.constantFrom('en', 'fr') }, { requiredKeys: [] }),
});
const spelling: fc.Arbitrary<Spelling> = fc.record({
  escapes: fc.array(fc.constantFrom('plain', 'plain', 'lower', 'upper'), { minLength: 1, maxLength: 6 }),
  dots: fc.constantFrom('none', 'dot', 'dotdot', 'encoded-dot', 'encoded-dotdot'),
  space: fc.constantFrom('+', '%20'),
});
/** A's model, the variants that make B (`always` among them), and how each is spelt. */
function pairs(always: string[] = []) {
  return fc.record({
    a: model,
    variants: fc.uniqueArray(fc.constantFrom(...Object.keys(VARIANTS)), { maxLength: 2 }).map((more) => [...new Set([...always, ...more])]),
    spellA: spelling,
    spellB: spelling,
  });
}

function escapeChars(text: string, escapes: Spelling['escapes'], offset: number): string {
  return [...text]
    .map((char, i) => {
      const how = escapes[(i + offset) % escapes.length];
      const hex = char.charCodeAt(0).toString(16);
      return how === 'plain' ? char : `%${how === 'lower' ? hex.toLowerCase() : hex.toUpperCase()}`;
    })
    .join('');
}

function write(m: Model, s: Spelling): { url: string; init: RequestInit } {
  const dots = { none: '', dot: '/.', dotdot: '/x/..', 'encoded-dot': '/%2e', 'encoded-dotdot': '/x/%2E%2E' }[s.dots];
  const tail = m.segments.map((segment, i) => escapeChars(segment, s.escapes, i)).join('/');
  const path = `/v1/${escapeChars(m.tenant, s.escapes, 3)}${dots}/reflect/${tail}${m.trailingSlash ? '/' : ''}`;
  const query = m.query.map(([n, v]) => `${escapeChars(n, s.escapes, 1)}=${encodeURIComponent(v).replaceAll('%20', s.space)}`).join('&');
  return { url: `https://${m.host}${path}${query ? `?${query}` : ''}`, init: { headers: m.headers } };
}

/** What a client can tell two answers apart by: the status, and the body (the error code for errors). */
function seen(result: EdgeResult): { status: number; body: unknown } {
  const { status } = result.response;
  return { status, body: status === 200 ? result.json() : result.json().error?.code };
}

const servedFromStorage = (result: EdgeResult) => /strata-edge; hit/.test(result.response.headers.get('cache-status') ?? '');

/** Storage that keeps nothing: an edge over it shows what the origin answers each request. */
const NOTHING_STORED: EdgeStorage = {
  lookup: async () => undefined,
  match: async () => undefined,
  put: async () => {},
  putVary: async () => {},
  delete: async () => false,
};
const originView = createEdgeApp({ storage: NOTHING_STORED });

/**
 * `storage` with every key passed through `rekey` first: a cache key function gone wrong. A key
 * function that maps two requests to one key also gives the stored policy that one key, so the
 * policy's own URL check agrees with it; read back here, an entry carries the key it was asked
 * under, as it would then. (With the policy's URL check left to disagree, the edge revalidates
 * instead of serving: a second line of defence, not the one under test.)
 */
function rekeyed(storage: EdgeStorage, rekey: (key: string) => string): EdgeStorage {
  const asKey = <T extends Lookup | undefined>(found: T, key: string): T =>
    found && 'meta' in found ? { ...found, meta: { ...found.meta, policy: { ...found.meta.policy, u: key } } } : found;
  return {
    lookup: async (key) => asKey(await storage.lookup(rekey(key)), key),
    match: async (key) => asKey(await storage.match(rekey(key)), key),
    put: (key, ...rest) => storage.put(rekey(key), ...rest),
    putVary: (key, ...rest) => storage.putVary(rekey(key), ...rest),
    delete: (key) => storage.delete(rekey(key)),
  };
}

const ISOLATION = 'served an answer the origin gives another request';

/** Counts of what the runs exercised. */
interface Exercised {
  runs: number;
  shared: number;
  separate: number;
}

/** The property over an edge `cached` (A is stored through it, then B asked). */
function isolation(cached: EdgeHandler, exercised: Exercised, always?: string[]) {
  return fc.asyncProperty(pairs(always), async ({ a, variants, spellA, spellB }) => {
    const tenant = freshTenant();
    const other = freshTenant();
    const modelA: Model = { ...a, tenant };
    const modelB = variants.reduce((m, name) => VARIANTS[name]!.apply(m, other), modelA);
    const requestA = write(modelA, spellA);
    const requestB = write(modelB, spellB);
    await fetchThrough(cached, requestA.url, requestA.init, BINDINGS);
    const served = await fetchThrough(cached, requestB.url, requestB.init, BINDINGS);
    const origin = await fetchThrough(originView, requestB.url, requestB.init, BINDINGS);
    expect(seen(served), `${ISOLATION}: A ${requestA.url} ${JSON.stringify(modelA.headers)}, B ${requestB.url} ${JSON.stringify(modelB.headers)}`).toEqual(
      seen(origin),
    );
    exercised.runs++;
    // The same request, however spelt, is one entry: the cache is in use, not bypassed.
    if (variants.every((name) => VARIANTS[name]!.kind === 'same')) {
      expect(servedFromStorage(served), `not served from storage: A ${requestA.url}, B ${requestB.url}`).toBe(true);
      exercised.shared++;
    } else if (!servedFromStorage(served)) exercised.separate++;
  });
}

describe('isolation', () => {
  it('never serves a stored response to a request the origin would answer differently', async () => {
    const exercised: Exercised = { runs: 0, shared: 0, separate: 0 };
    const numRuns = 60;
    await fc.assert(isolation(createEdgeApp({ storage: withHotTier(workersCacheStorage(`isolation-${freshTenant()}`)) }), exercised), { numRuns });
    expect(exercised.runs).toBe(numRuns);
    expect(exercised.shared).toBeGreaterThan(0);
    expect(exercised.separate).toBeGreaterThan(0);
  }, 120_000);

  // The same property, over pairs that differ where each broken key is blind (among other variants).
  it.each([
    ['lower-cases the path', 'path case', (key: string) => key.toLowerCase()],
    ['drops the tenant', 'tenant', (key: string) => key.replace(/^(https?:\/\/[^/]+\/v1\/)[^/]+/, '$1-')],
  ])(
    'fails on a cache key that %s',
    async (_, variant, rekey) => {
      const broken = createEdgeApp({ storage: rekeyed(workersCacheStorage(`isolation-${freshTenant()}`), rekey) });
      const result = await fc.check(isolation(broken, { runs: 0, shared: 0, separate: 0 }, [variant]), { numRuns: 100, endOnFailure: true });
      expect(result.failed).toBe(true);
      expect(String(result.errorInstance)).toContain(ISOLATION);
    },
    120_000,
  );
});

describe('cache poisoning', () => {
  it('keeps unkeyed headers from the origin, so a stored answer holds none of them', async () => {
    const cached = createEdgeApp({ storage: workersCacheStorage(`isolation-${freshTenant()}`) });
    const url = `https://edge.test/v1/${freshTenant()}/reflect/home`;
    const attack = {
      'x-forwarded-host': 'evil.test',
      forwarded: 'host=evil.test',
      'x-original-url': '/admin',
      'x-http-method-override': 'DELETE',
      'x-forwarded-proto': 'http',
    };
    const poisoned = await fetchThrough(cached, url, { headers: attack }, BINDINGS);
    expect(Object.values(poisoned.json().headers).filter((value) => value !== null)).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+$/)]);
    const victim = await fetchThrough(cached, url, {}, BINDINGS);
    expect(servedFromStorage(victim)).toBe(true);
    expect(victim.body).toBe((await fetchThrough(originView, url, {}, BINDINGS)).body);
  });

  it('does not store an error a crafted request provokes', async () => {
    const path = `/v1/${freshTenant('err')}/public/projects`;
    await edgeFetch(path, { headers: { 'x-forwarded-host': 'evil.test' } });
    const next = await edgeFetch(path);
    expect(next.json().hits).toBe(2);
  });
});

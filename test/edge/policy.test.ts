/**
 * The edge's policy class decides exactly as http-cache-semantics does where the library
 * follows RFC 9111: for fresh, stale, stale-while-revalidate, Vary and request-directive cases,
 * `evaluateRequest` gives the same revalidation verdict, and restored and revalidated policies
 * keep the class. Where it departs (must-revalidate, statuses): rfc9111-parsing.test.ts.
 */
import CachePolicy from 'http-cache-semantics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { deserializePolicy, policyFor, serializePolicy } from '../../edge/cache/policy.ts';
import type { RouteRule } from '../../edge/cache/route-policy.ts';

const honor: RouteRule = { pattern: '/v1/:tenant/*', mode: 'honor', cacheErrors: false };
const url = 'https://edge.test/v1/acme/public/projects';

type Case = { name: string; response: Record<string, string>; request?: Record<string, string> };
const cases: Case[] = [
  { name: 'fresh', response: { 'cache-control': 'public, max-age=60' } },
  { name: 'stale', response: { 'cache-control': 'public, max-age=60', age: '120' } },
  { name: 'stale within stale-while-revalidate', response: { 'cache-control': 'public, max-age=60, stale-while-revalidate=600', age: '120', etag: '"a"' } },
  { name: 'no-cache response', response: { 'cache-control': 'public, no-cache', 'last-modified': 'Mon, 02 Nov 2026 10:00:00 GMT' } },
  { name: 'request no-cache', response: { 'cache-control': 'public, max-age=60' }, request: { 'cache-control': 'no-cache' } },
  { name: 'request pragma', response: { 'cache-control': 'public, max-age=60' }, request: { pragma: 'no-cache' } },
  { name: 'request max-stale', response: { 'cache-control': 'public, max-age=60', age: '90' }, request: { 'cache-control': 'max-stale=60' } },
  { name: 'request min-fresh', response: { 'cache-control': 'public, max-age=60' }, request: { 'cache-control': 'min-fresh=120' } },
  { name: 'vary matches', response: { 'cache-control': 'public, max-age=60', vary: 'accept-language' } },
  { name: 'vary differs', response: { 'cache-control': 'public, max-age=60', vary: 'accept-language' }, request: { 'accept-language': 'de' } },
];

describe('edge cache policy', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each(cases)('decides like http-cache-semantics: $name', ({ response, request }) => {
    // One instant for both: each measures its age from its own construction.
    vi.spyOn(Date, 'now').mockReturnValue(Date.now());
    const stored = new Request(url, { headers: { host: 'edge.test', 'accept-language': 'en' } });
    const status = 200;
    const ours = policyFor(stored, url, status, response, honor);
    const library = new CachePolicy(
      { url, method: 'GET', headers: { host: 'edge.test', 'accept-language': 'en' } },
      { status, headers: response },
      { shared: true },
    );
    const incoming = { url, method: 'GET', headers: { host: 'edge.test', 'accept-language': 'en', ...request } };
    const restored = deserializePolicy(serializePolicy(ours));
    for (const policy of [ours, restored]) {
      expect(policy.evaluateRequest(incoming).revalidation).toEqual(library.evaluateRequest(incoming).revalidation);
      expect(policy.storable()).toBe(library.storable());
      expect(policy.maxAge()).toBe(library.maxAge());
      expect(policy.timeToLive()).toBe(library.timeToLive());
    }
  });

  it('keeps its class through revalidation', () => {
    const request = new Request(url, { headers: { host: 'edge.test' } });
    const ours = policyFor(request, url, 200, { 'cache-control': 'public, max-age=60', etag: '"a"' }, honor);
    const { policy } = ours.revalidatedPolicy(
      { url, method: 'GET', headers: { host: 'edge.test' } },
      { status: 304, headers: { etag: '"a"', 'cache-control': 'public, max-age=120' } },
    );
    expect(policy.constructor).toBe(ours.constructor);
    expect(policy.constructor).not.toBe(CachePolicy);
  });
});

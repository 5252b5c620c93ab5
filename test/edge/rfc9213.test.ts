/**
 * Targeted cache control (RFC 9213): `Strata-CDN-Cache-Control` (this edge's own target) wins
 * over `CDN-Cache-Control`, which wins over `Cache-Control` and `Expires` for the edge's own
 * decisions; a targeted field that is empty or not a valid Structured Fields Dictionary is
 * ignored; neither reaches clients. Through the Worker against the scripted origin.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { answerOf, edgeStatus, script, scriptedPath, via } from './scripted-support.ts';

/** Scripts `headers`, asks twice; the second response, and whether it came from the edge. */
async function twice(headers: Record<string, string>) {
  const path = scriptedPath();
  await script(path, { headers });
  const first = await via(path);
  const second = await via(path);
  return { first, second, hit: edgeStatus(second).startsWith('strata-edge; hit') && answerOf(second) === 1 };
}

beforeEach(() => void vi.spyOn(console, 'log').mockImplementation(() => {})); // decision logs
afterEach(() => vi.restoreAllMocks());

describe('targeted cache control (RFC 9213)', () => {
  it('§2.1: CDN-Cache-Control decides for the edge while browsers follow Cache-Control', async () => {
    const { second } = await twice({ 'cache-control': 'private, max-age=60', 'cdn-cache-control': 'max-age=600' });
    expect(edgeStatus(second)).toMatch(/^strata-edge; hit; ttl=(59\d|600)$/);
    expect(second.response.headers.get('cache-control')).toBe('private, max-age=60');
    expect((await twice({ 'cache-control': 'no-store', 'cdn-cache-control': 'max-age=600' })).hit).toBe(true); // §3.1's example
    expect((await twice({ 'cache-control': 'public, max-age=600', 'cdn-cache-control': 'no-store' })).hit).toBe(false);
  });

  it('§2.1: the most specific target wins: Strata-CDN-Cache-Control over CDN-Cache-Control', async () => {
    expect((await twice({ 'strata-cdn-cache-control': 'no-store', 'cdn-cache-control': 'max-age=600', 'cache-control': 'public, max-age=600' })).hit).toBe(
      false,
    );
    expect((await twice({ 'strata-cdn-cache-control': 'max-age=600', 'cdn-cache-control': 'no-store' })).hit).toBe(true);
  });

  it('§2.1: a targeted field makes the edge ignore Expires', async () => {
    expect((await twice({ 'cdn-cache-control': 'max-age=600', expires: 'Thu, 01 Jan 1998 00:00:00 GMT' })).hit).toBe(true);
  });

  it('§2.2: an invalid or empty targeted field is ignored, as if absent', async () => {
    // Structured Fields keys are lower case: `Max-Age` fails to parse, so Cache-Control decides.
    expect((await twice({ 'cdn-cache-control': 'Max-Age=600', 'cache-control': 'public, max-age=0' })).hit).toBe(false);
    expect((await twice({ 'strata-cdn-cache-control': 'max-age=60,,', 'cdn-cache-control': 'max-age=600' })).hit).toBe(true);
    expect((await twice({ 'strata-cdn-cache-control': ' ', 'cdn-cache-control': 'max-age=600' })).hit).toBe(true);
    // A value of the wrong type is not consumed: no max-age, so no freshness.
    expect((await twice({ 'cdn-cache-control': 'max-age=1.5', 'cache-control': 'public, max-age=600' })).hit).toBe(false);
  });

  it('§3: targeted fields are for this cache: clients never see them, stored or not', async () => {
    const { first, second } = await twice({
      'cache-control': 'public, max-age=60',
      'cdn-cache-control': 'max-age=600',
      'strata-cdn-cache-control': 'max-age=300',
    });
    for (const response of [first.response, second.response]) {
      expect(response.headers.get('cdn-cache-control')).toBeNull();
      expect(response.headers.get('strata-cdn-cache-control')).toBeNull();
    }
    expect(edgeStatus(second)).toMatch(/^strata-edge; hit; ttl=(29\d|300)$/);
  });
});

/**
 * An origin that drops the connection in the middle of its response body (a crashed process, a
 * reset after refusing a request it would not read) is an origin failure: 502
 * `origin_unavailable`, as for one that never answers, never the edge's own 500, and nothing
 * stored. Found by the adversarial suite (docs/security-testing.md): a 64 KiB request header made
 * the local origin reset the connection, and the edge answered 500 `internal_error`.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { edgeStatus, originSaw, script, scriptedPath, via } from './scripted-support.ts';

beforeEach(() => {
  vi.spyOn(console, 'log').mockImplementation(() => {}); // decision logs
  vi.spyOn(console, 'error').mockImplementation(() => {}); // the failures provoked below
});
afterEach(() => vi.restoreAllMocks());

describe('a response body cut off by the origin', () => {
  it('is a 502 origin_unavailable on a cache fill, and nothing is stored', async () => {
    const path = scriptedPath();
    await script(path, { headers: { 'cache-control': 'public, max-age=60' }, body: 'x'.repeat(4096), cut: true });
    for (let attempt = 1; attempt <= 2; attempt++) {
      const cut = await via(path);
      expect(cut.response.status).toBe(502);
      expect(cut.json().error.code).toBe('origin_unavailable');
      expect(edgeStatus(cut)).not.toMatch(/hit|stored/);
      expect((await originSaw(path)).hits).toBe(attempt);
    }
  });
});

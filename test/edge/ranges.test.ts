/**
 * Range requests (RFC 9110 §14): a single byte range is answered with 206 from a stored complete
 * response (or the complete response just fetched); what the edge cannot satisfy goes to the
 * origin as the client asked it. Under `[{"pattern":"/*","mode":"honor"}]`.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { answerOf, edgeStatus, originSaw, script, scriptedPath, via } from './scripted-support.ts';

const BODY = '0123456789';
const range = (value: string, extra: Record<string, string> = {}) => ({ headers: { range: value, ...extra } });

async function stored(): Promise<string> {
  const path = scriptedPath();
  await script(path, { headers: { 'cache-control': 'public, max-age=60', etag: '"v1"' }, body: BODY });
  await via(path);
  return path;
}

beforeEach(() => void vi.spyOn(console, 'log').mockImplementation(() => {})); // decision logs
afterEach(() => vi.restoreAllMocks());

describe('range requests', () => {
  it('§14.2: one byte range of a stored response is a 206 with Content-Range, without the origin', async () => {
    const path = await stored();
    for (const [asked, body, contentRange] of [
      ['bytes=2-5', '2345', 'bytes 2-5/10'],
      ['bytes=7-', '789', 'bytes 7-9/10'],
      ['bytes=-3', '789', 'bytes 7-9/10'],
      ['BYTES=8-100', '89', 'bytes 8-9/10'],
    ] as const) {
      const partial = await via(path, range(asked));
      expect(partial.response.status, asked).toBe(206);
      expect(partial.body).toBe(body);
      expect(partial.response.headers.get('content-range')).toBe(contentRange);
      expect(partial.response.headers.get('content-length')).toBe(String(body.length));
      expect(edgeStatus(partial)).toMatch(/^strata-edge; hit/);
    }
    expect((await originSaw(path)).hits).toBe(1);
  });

  it('§14.2: a miss stores the complete response and answers the range from it', async () => {
    const path = scriptedPath();
    await script(path, { headers: { 'cache-control': 'public, max-age=60' }, body: BODY });
    const partial = await via(path, range('bytes=0-1'));
    expect(partial.response.status).toBe(206);
    expect(partial.body).toBe('01');
    const full = await via(path);
    expect(full.response.status).toBe(200);
    expect(full.body).toBe(BODY);
    expect(answerOf(full)).toBe(1);
  });

  it('§13.1.5: If-Range that does not match the stored validator gets the whole response', async () => {
    const path = await stored();
    expect((await via(path, range('bytes=0-1', { 'if-range': '"v1"' }))).response.status).toBe(206);
    const other = await via(path, range('bytes=0-1', { 'if-range': '"v0"' }));
    expect(other.response.status).toBe(200);
    expect(other.body).toBe(BODY);
  });

  it('sends what it cannot satisfy to the origin, with the Range the client sent', async () => {
    const path = await stored();
    for (const asked of ['bytes=0-1,4-5', 'bytes=20-', 'items=0-1', 'bytes=5-2']) {
      const forwarded = await via(path, range(asked));
      expect(edgeStatus(forwarded), asked).toBe('strata-edge; fwd=bypass; detail=range');
      expect((await originSaw(path)).headers?.range).toBe(asked);
    }
    expect((await originSaw(path)).hits).toBe(5);
  });
});

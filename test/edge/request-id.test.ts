/**
 * Request ids are per request: a stored response never carries the id of the request that
 * stored or revalidated it; every answer carries its own request's `X-Request-Id`.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClock } from './clock.ts';
import { edgeFetch, freshTenant } from './edge-fetch.ts';

const asked = (id: string, headers: Record<string, string> = {}) => ({ headers: { 'x-request-id': id, ...headers } });
const idOf = (r: { response: Response }) => r.response.headers.get('x-request-id');
const status = (r: { response: Response }) => r.response.headers.get('cache-status') ?? '';

describe('X-Request-Id on cached routes', () => {
  beforeEach(() => void vi.spyOn(console, 'log').mockImplementation(() => {})); // decision logs
  afterEach(() => vi.restoreAllMocks());

  it('answers hits and 304s with their own request id', async () => {
    const path = `/v1/${freshTenant()}/public/projects`;
    const first = await edgeFetch(path, asked('first-requester'));
    expect(idOf(first)).toBe('first-requester');
    const hit = await edgeFetch(path, asked('second-requester'));
    expect(status(hit)).toContain('strata-edge; hit');
    expect(idOf(hit)).toBe('second-requester');
    const generated = await edgeFetch(path);
    expect(idOf(generated)).toMatch(/^[0-9a-f-]{36}$/);
    const conditional = await edgeFetch(path, asked('conditional', { 'if-none-match': first.response.headers.get('etag')! }));
    expect(conditional.response.status).toBe(304);
    expect(idOf(conditional)).toBe('conditional');
  });

  it('does not keep the id a revalidation brought back', async () => {
    const clock = mockClock();
    const path = `/v1/${freshTenant('etag')}/public/projects`;
    await edgeFetch(path, asked('stored-by'));
    clock.advance(2000);
    const revalidated = await edgeFetch(path, asked('revalidated-by'));
    expect(status(revalidated)).toContain('fwd=stale; fwd-status=304; stored');
    expect(idOf(revalidated)).toBe('revalidated-by');
    const hit = await edgeFetch(path, asked('later'));
    expect(status(hit)).toContain('strata-edge; hit');
    expect(idOf(hit)).toBe('later');
  });
});

/**
 * The API's body limit at the edge (common/api-limits.ts): larger bodies are refused with 413
 * before the origin sees them, whether declared by Content-Length or streamed without one; a body
 * at the limit is forwarded whole.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { API_MAX_BODY_BYTES } from '../../common/api-limits.ts';
import { edgeFetch, freshTenant } from './edge-fetch.ts';
import { originSaw } from './scripted-support.ts';

beforeEach(() => {
  vi.spyOn(console, 'log').mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

const stream = (bytes: number) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (let sent = 0; sent < bytes; sent += 4096) controller.enqueue(new Uint8Array(Math.min(4096, bytes - sent)).fill(97));
      controller.close();
    },
  });

describe('request bodies over the API limit', () => {
  it('are refused with 413 before the origin, declared or streamed', async () => {
    const path = `/v1/${freshTenant()}/projects`;
    const declared = await edgeFetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'a'.repeat(API_MAX_BODY_BYTES + 1) });
    expect(declared.response.status).toBe(413);
    expect(declared.json().error.code).toBe('payload_too_large');
    const streamed = await edgeFetch(path, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: stream(1024 * 1024),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.response.status).toBe(413);
    expect(streamed.json().error.code).toBe('payload_too_large');
    expect((await originSaw(path)).hits).toBe(0);
  });

  it('are forwarded whole up to the limit', async () => {
    const path = `/v1/${freshTenant()}/echo/projects`;
    const atLimit = await edgeFetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream(API_MAX_BODY_BYTES),
      duplex: 'half',
    } as RequestInit);
    expect(atLimit.response.status).toBe(200);
    expect(atLimit.json().body).toBe('a'.repeat(API_MAX_BODY_BYTES));
  });
});

/**
 * Calls the Worker's fetch handler inside workerd, pointed at the harness's fake origin with the
 * edge credential it requires, and waits for its background work (cache writes) before the test
 * looks at the result.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { inject } from 'vitest';
import worker from '../../edge/index.ts';
import type { Env } from '../../edge/env.ts';

/** A response with its body already read. */
export interface EdgeResult {
  response: Response;
  body: string;
  json: () => any;
}

/** Sends `path` through the edge. */
export async function edgeFetch(path: string, init?: RequestInit, bindings: Partial<Env> = {}): Promise<EdgeResult> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(
    new Request(`https://edge.test${path}`, init),
    { ...env, ORIGIN_URL: inject('fakeOriginUrl'), EDGE_ORIGIN_TOKEN: inject('fakeEdgeToken'), ...bindings },
    ctx,
  );
  const body = await response.text();
  await waitOnExecutionContext(ctx);
  return { response, body, json: () => JSON.parse(body) };
}

/** A tenant slug no other test uses, with the fake origin's behaviour prefix. */
export function freshTenant(prefix = 't'): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}

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
export function edgeFetch(path: string, init?: RequestInit, bindings: Partial<Env> = {}): Promise<EdgeResult> {
  return fetchThrough(worker, `https://edge.test${path}`, init, bindings);
}

/** What `fetchThrough` calls: the Worker's handler, or an edge app a test builds (`createEdgeApp`). */
export interface EdgeHandler {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response>;
}

/** Sends a request for `url` (absolute) through `app`. */
export async function fetchThrough(app: EdgeHandler, url: string, init?: RequestInit, bindings: Partial<Env> = {}): Promise<EdgeResult> {
  const ctx = createExecutionContext();
  const response = await app.fetch(
    new Request(url, init),
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

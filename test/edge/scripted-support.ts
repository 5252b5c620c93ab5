/**
 * Helpers for tests against the scripted origin (`test/harness/fake-origin-scripted.ts`): a
 * fresh scripted path, its script, and requests through the edge under the policy the RFC tests
 * are about, `[{"pattern":"/*","mode":"honor"}]` (a standards-following shared cache in front of
 * any origin).
 */
import { inject } from 'vitest';
import type { Env } from '../../edge/env.ts';
import type { ScriptedResponse } from '../harness/scripted-response.ts';
import { edgeFetch, freshTenant, type EdgeResult } from './edge-fetch.ts';

/** The whole API behind the shared cache, honouring the origin. */
export const HONOR_ALL = JSON.stringify([{ pattern: '/*', mode: 'honor' }]);

/** A path no other test uses, answered by the script registered for it. */
export function scriptedPath(): string {
  return `/v1/${freshTenant()}/scripted/resource`;
}

/** Registers what the origin answers at `path`, request after request (the last repeats). */
export async function script(path: string, ...responses: ScriptedResponse[]): Promise<void> {
  const answer = await fetch(`${inject('fakeOriginUrl')}/_fake/script`, { method: 'POST', body: JSON.stringify({ path, responses }) });
  if (answer.status !== 204) throw new Error(`could not script ${path}: ${answer.status}`);
}

/** Sends `path` through the edge under HONOR_ALL (or `bindings`). */
export function via(path: string, init?: RequestInit, bindings: Partial<Env> = {}): Promise<EdgeResult> {
  return edgeFetch(path, init, { ROUTE_POLICY: HONOR_ALL, ...bindings });
}

/** Requests the origin received for `path` (with its query), and the last one's headers. */
export async function originSaw(path: string): Promise<{ hits: number; headers: Record<string, string> | null }> {
  return (await (await fetch(`${inject('fakeOriginUrl')}/_fake/hits?path=${encodeURIComponent(path)}`)).json()) as {
    hits: number;
    headers: Record<string, string> | null;
  };
}

/** The edge's `Cache-Status` member of a response. */
export function edgeStatus(result: EdgeResult): string {
  return /strata-edge;[^,]*/.exec(result.response.headers.get('cache-status') ?? '')?.[0] ?? '';
}

/** Which scripted answer a response carries (1 = the origin's first). */
export function answerOf(result: EdgeResult): number {
  return Number(result.response.headers.get('x-origin-answer'));
}

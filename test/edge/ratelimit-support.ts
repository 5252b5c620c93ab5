/**
 * Helpers for the edge rate-limit tests: bindings for this file's Upstash namespace (directly,
 * or through the fake origin's switchable way to it), client addresses and members no other
 * test uses, and the checks every 429 must pass.
 */
import { expect, inject, vi } from 'vitest';
import type { Env } from '../../edge/env.ts';
import { edgeFetch, type EdgeResult } from './edge-fetch.ts';
import { fileUpstash, switchableId } from './upstash-namespace.ts';

/** Bindings of an edge whose limits live in this file's Upstash namespace. */
export const upstash = (): Partial<Env> => fileUpstash();

/**
 * Bindings of an edge that reaches Upstash through the fake origin under `id`, its own limiter
 * client, so that `switchUpstash(id, …)` fails it without pausing any other test's limits.
 */
export const switchableUpstash = (id: string): Partial<Env> => ({
  UPSTASH_REDIS_REST_URL: `${inject('fakeOriginUrl')}/_fake/upstash/${switchableId(id)}`,
  UPSTASH_REDIS_REST_TOKEN: inject('upstashToken'),
});

/** Makes the way to Upstash under `id` forward (`up`), drop connections (`down`) or hold requests. */
export async function switchUpstash(id: string, to: 'up' | 'down' | 'hold'): Promise<void> {
  const response = await fetch(`${inject('fakeOriginUrl')}/_fake/upstash-switch?id=${switchableId(id)}&to=${to}`, { method: 'POST' });
  if (!response.ok) throw new Error(`switching Upstash ${id} to ${to}: ${response.status} ${await response.text()}`);
  await response.arrayBuffer();
}

/** How many requests reached Upstash through `id`. */
export async function upstashSeen(id: string): Promise<number> {
  return ((await (await fetch(`${inject('fakeOriginUrl')}/_fake/upstash-seen?id=${switchableId(id)}`)).json()) as { seen: number }).seen;
}

const byte = () => Math.floor(Math.random() * 256);

/** An IPv4 address no other test uses (as far as randomness goes). */
export const freshIp = () => `10.${byte()}.${byte()}.${byte()}`;

/** The fake origin's bearer token for a member of `tenant` (`fake-origin-members.ts`). */
export const memberToken = (tenant: string) => `member-${tenant}`;

/** The password the fake origin's sign-in accepts. */
export const PASSWORD = 'correct horse battery staple';

/** Sliding windows count part of the previous window: start a test well inside one window. */
export async function awayFromWindowEnd(windowMs: number): Promise<void> {
  const left = windowMs - (Date.now() % windowMs);
  if (left < 5000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

/** Options of one request through the edge. */
export interface SendOptions {
  ip?: string;
  token?: string;
  method?: string;
  body?: unknown;
}

/** Sends `path` through the edge with the given client address, bearer token and bindings. */
export function send(path: string, options: SendOptions, bindings: Partial<Env>): Promise<EdgeResult> {
  const headers: Record<string, string> = {};
  if (options.ip) headers['cf-connecting-ip'] = options.ip;
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const init: RequestInit = { method: options.method ?? 'GET', headers };
  if (options.body !== undefined) init.body = JSON.stringify(options.body);
  return edgeFetch(path, init, bindings);
}

/** `RateLimit-Limit` and `RateLimit-Remaining` of a response. */
export function limitHeaders({ response }: EdgeResult) {
  return ['ratelimit-limit', 'ratelimit-remaining'].map((name) => response.headers.get(name));
}

/** Asserts a complete 429: JSON error, no-store, Retry-After and RateLimit-* within bounds. */
export function expectRateLimited(result: EdgeResult, limit: string, maxRetryAfter: number): void {
  const { response, json } = result;
  expect(response.status).toBe(429);
  expect(response.headers.get('content-type')).toContain('application/json');
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.headers.get('cache-status')).toBe('strata-edge; fwd=bypass');
  expect(limitHeaders(result)).toEqual([limit, '0']);
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(maxRetryAfter);
  const reset = response.headers.get('ratelimit-reset');
  expect(reset).toMatch(/^\d+$/);
  expect(Number(reset)).toBeLessThanOrEqual(maxRetryAfter);
  expect(json().error).toMatchObject({ code: 'rate_limited', message: expect.stringContaining(limit), requestId: expect.stringMatching(/.+/) });
}

/** Silences the Worker's logs for the current test; returns the JSON lines it wrote to stderr. */
export function captureLogs(): { lines: () => Record<string, unknown>[] } {
  const logged: unknown[] = [];
  vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(console, 'error').mockImplementation((line: unknown) => void logged.push(line));
  return { lines: () => logged.flatMap((line) => (typeof line === 'string' && line.startsWith('{') ? [JSON.parse(line) as Record<string, unknown>] : [])) };
}

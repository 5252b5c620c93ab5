/**
 * The isolate's Upstash Redis clients (purge versions, purge de-duplication, rate limits), built
 * from the bindings once and reused by every request the isolate serves.
 */
import { Redis } from '@upstash/redis/cloudflare';
import type { Env } from './env.ts';

export interface UpstashOptions {
  /** The most one command may take; past it the command is aborted and rejects. Unset: no deadline of our own. */
  readonly timeoutMs?: number;
}

// Keyed by deadline, URL and token: bindings are fixed in a deployed Worker, but tests vary them.
const clients = new Map<string, Redis>();
// Every request of an isolate sees the same bindings object: per bindings and deadline, the
// client found before, without building the lookup key again.
const byBindings = new WeakMap<Env, Map<number | undefined, Redis | undefined>>();

/**
 * The shared Upstash client for `env` (no deadline of its own), or `undefined` when
 * `UPSTASH_REDIS_REST_URL` or `_TOKEN` is unset. Throws when the URL is malformed (the library's
 * `UrlError`).
 */
export function upstashFor(env: Env): Redis | undefined {
  return upstashClient(env, {});
}

/** The Upstash client for `env` with `options`, or `undefined` as for {@link upstashFor}. */
export function upstashClient(env: Env, options: UpstashOptions): Redis | undefined {
  let known = byBindings.get(env);
  if (known?.has(options.timeoutMs)) return known.get(options.timeoutMs);
  const client = buildClient(env, options);
  if (!known) byBindings.set(env, (known = new Map()));
  known.set(options.timeoutMs, client);
  return client;
}

function buildClient(env: Env, options: UpstashOptions): Redis | undefined {
  const url = env.UPSTASH_REDIS_REST_URL;
  const token = env.UPSTASH_REDIS_REST_TOKEN;
  if (!url || !token) return undefined;
  const { timeoutMs } = options;
  const key = `${timeoutMs ?? ''}\n${url}\n${token}`;
  let client = clients.get(key);
  if (!client) {
    client = new Redis({
      url,
      token,
      // Auto-pipelining would batch commands of concurrent requests into one fetch issued by
      // whichever request came first; workerd does not let a request wait on another's I/O.
      enableAutoPipelining: false,
      enableTelemetry: false,
      // No retries on the request path: by default the client retries a network error five
      // times with backoff, so a refused connection cost whole timeouts instead of failing at
      // once. (`retry: false` still makes two attempts in 1.39.0, hence `retries: 0`.) Every
      // caller fails open or is retried by its sender (the purge outbox).
      retry: { retries: 0 },
      // A function: a fresh deadline per command, and an abort that rejects instead of resolving.
      ...(timeoutMs === undefined ? {} : { signal: () => AbortSignal.timeout(timeoutMs) }),
    });
    clients.set(key, client);
  }
  return client;
}

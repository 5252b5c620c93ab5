/**
 * Helpers for the purge webhook tests: signed deliveries through the Worker, and the versions a
 * scope has in Upstash read straight from the database (not through the isolate's memo, which
 * would hide a change or its absence for a second).
 */
import { Redis } from '@upstash/redis/cloudflare';
import { inject } from 'vitest';
import { signedPurgeHeaders } from '../../common/purge.ts';
import type { VersionScope } from '../../edge/cache/versions.ts';
import type { Env } from '../../edge/env.ts';
import { scopeVersionKeys } from '../../edge/purge/index.ts';
import { edgeFetch, type EdgeResult } from './edge-fetch.ts';
import { fileUpstash, fileUpstashUrl } from './upstash-namespace.ts';

/** The secret the tests' edge is configured with. */
export const SECRET = 'purge-test-secret-7f3a9c';

/** Bindings of an edge with purges and Upstash (this file's namespace) configured, and no zone. */
export function purgeBindings(extra: Partial<Env> = {}): Partial<Env> {
  return {
    PURGE_SECRET: SECRET,
    ...fileUpstash(),
    CF_ZONE_ID: undefined,
    CF_API_TOKEN: undefined,
    CF_API_BASE: undefined,
    ...extra,
  };
}

/** A purge id no other test uses. */
export function freshId(): string {
  return `p_${crypto.randomUUID()}`;
}

/** Options of one delivery. */
export interface DeliveryOptions {
  secret?: string;
  timestamp?: number;
  /** Header overrides applied after signing; `null` removes a header. */
  headers?: Record<string, string | null>;
  bindings?: Partial<Env>;
}

/** Signs `body` (a message, or raw text) as purge `id` and POSTs it to the edge. */
export async function deliver(id: string, body: object | string, options: DeliveryOptions = {}): Promise<EdgeResult> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const headers = new Headers(await signedPurgeHeaders(options.secret ?? SECRET, id, raw, options.timestamp));
  headers.set('content-type', 'application/json');
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (value === null) headers.delete(name);
    else headers.set(name, value);
  }
  return edgeFetch('/_strata/purge', { method: 'POST', headers, body: raw }, purgeBindings(options.bindings));
}

const direct = () => new Redis({ url: fileUpstashUrl(), token: inject('upstashToken'), enableAutoPipelining: false, enableTelemetry: false });

/** The values of version `keys` in Upstash now, `null` where never bumped. */
export async function storedValues(keys: string[]): Promise<(string | null)[]> {
  const values = await direct().mget<unknown[]>(keys);
  return values.map((value) => (value === null ? null : String(value)));
}

/** The versions `scope` has in Upstash now, in the reader's order. */
export async function storedVersions(scope: VersionScope): Promise<(string | null)[]> {
  return storedValues(scopeVersionKeys(scope));
}

/** Sets one version key directly, as a purge through another isolate would. */
export async function setVersion(key: string, value: string): Promise<void> {
  await direct().set(key, value);
}

/** What the fake Cloudflare API recorded for `zone`. */
export async function capturedZonePurges(zone: string): Promise<{ status: number; authorization: string; body: Record<string, unknown> }[]> {
  const response = await fetch(`${inject('fakeOriginUrl')}/cf/_captured?zone=${zone}`);
  return ((await response.json()) as { requests: { status: number; authorization: string; body: Record<string, unknown> }[] }).requests;
}

/** Zone bindings pointing Cloudflare's API at the fake origin's capture endpoint. */
export function zoneBindings(zone: string): Partial<Env> {
  return { CF_ZONE_ID: zone, CF_API_TOKEN: 'cf-test-token', CF_API_BASE: `${inject('fakeOriginUrl')}/cf/client/v4` };
}

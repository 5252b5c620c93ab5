/**
 * The one owner of Redis key grammar (ARCHITECTURE.md §2). The tenant is wrapped in a hash tag
 * (`{acme}`) so that all of a tenant's keys share a cluster slot and multi-key commands work in
 * cluster mode. Callers pass validated ids only; the builders check again because a key that
 * contains `*`, `:` or braces from user input could address another tenant's data.
 */
import { isResourceId, isTenantId } from './ids.ts';

/** Data types with their own key space and caching strategy. */
export type DataType = 'session' | 'user' | 'resource' | 'api' | 'config';

const SEGMENT = /^[a-z0-9][a-z0-9_-]{0,62}$/;

function tenantTag(tenant: string): string {
  if (!isTenantId(tenant)) throw new TypeError(`invalid tenant id in cache key: ${JSON.stringify(tenant)}`);
  return `{${tenant}}`;
}

function segment(name: string, value: string): string {
  if (!SEGMENT.test(value) && !isResourceId(value)) {
    throw new TypeError(`invalid ${name} in cache key: ${JSON.stringify(value)}`);
  }
  return value;
}

/** `resource:{tenant}:{type}:{id}` — one stored resource (a project, ...). */
export function resourceKey(tenant: string, type: string, id: string): string {
  return `resource:${tenantTag(tenant)}:${segment('resource type', type)}:${segment('resource id', id)}`;
}

/** `api:{version}:{tenant}:{endpoint_hash}:{query_hash}` — one cached API response. */
export async function apiResponseKey(version: string, tenant: string, endpoint: string, query: string): Promise<string> {
  const [endpointHash, queryHash] = await Promise.all([shortHash(endpoint), shortHash(query)]);
  return `api:${segment('api version', version)}:${tenantTag(tenant)}:${endpointHash}:${queryHash}`;
}

/** First 64 bits of SHA-256, hex: short, collision-safe enough for key suffixes. */
async function shortHash(value: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value));
  return Array.from(new Uint8Array(digest).subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join('');
}

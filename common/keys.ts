/**
 * The one owner of the app's Redis key grammar. The tenant is wrapped in a hash tag (`{acme}`)
 * so that all of a tenant's keys share a cluster slot and multi-key commands work in cluster
 * mode; the cache engine names its own keys (versions, locks) in the same slot. Callers pass
 * validated ids only; the builders check again because a key that contains `*`, `:` or braces
 * from user input could address another tenant's data.
 */
import { sha256Hex } from './hex.ts';
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

/** `user:{tenant}:{user}` — one user profile. */
export function userKey(tenant: string, user: string): string {
  return `user:${tenantTag(tenant)}:${segment('user id', user)}`;
}

/** `config:{tenant}:{type}` — one tenant configuration document. */
export function configKey(tenant: string, type: string): string {
  return `config:${tenantTag(tenant)}:${segment('config type', type)}`;
}

/** `session:{tenant}:{user}:{sid}` — one session; `sid` is a hash of the token, never the token. */
export function sessionKey(tenant: string, user: string, sid: string): string {
  return `session:${tenantTag(tenant)}:${segment('user id', user)}:${hashSegment(sid)}`;
}

/** `sessions:{tenant}:{user}` — the set of a user's session ids, to end them all at once. */
export function sessionIndexKey(tenant: string, user: string): string {
  return `sessions:${tenantTag(tenant)}:${segment('user id', user)}`;
}

function hashSegment(value: string): string {
  if (!/^[0-9a-f]{16,128}$/.test(value)) throw new TypeError(`invalid hash in cache key: ${JSON.stringify(value)}`);
  return value;
}

// Hashes of the endpoints and queries seen, memoised: a route builds its key on every request,
// and a WebCrypto digest is a trip through the thread pool. Bounded by clearing.
const hashMemo = new Map<string, string>();

/** First 64 bits of SHA-256, hex: short, collision-safe enough for key suffixes. */
async function shortHash(value: string): Promise<string> {
  const known = hashMemo.get(value);
  if (known !== undefined) return known;
  const hash = await sha256Hex(value, 8);
  if (hashMemo.size >= 10_000) hashMemo.clear();
  hashMemo.set(value, hash);
  return hash;
}

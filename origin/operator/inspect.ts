/**
 * `GET /ops/inspect`: what Redis holds for one key — present or not, time to live, the entry's
 * freshness windows, the scopes (tenant, tags) of the versions it was written under and whether
 * each is still current — and the value itself for data that is not sensitive, with secret
 * fields redacted. Sessions and profiles (encrypted, `reuseDecoded: false`) are never decoded.
 */
import type { DataType } from '../../common/keys.ts';
import { ERROR_CODES, HttpError } from '../../common/errors.ts';
import { readEntry, versionKey, type CachePolicy, type CacheStore } from '../cache/index.ts';
import { REDACTED, redact } from './redact.ts';

/** Key prefixes of the app's grammar (`common/keys.ts`) and the data type each belongs to. */
const KEY_TYPES: readonly [string, DataType | 'session-index'][] = [
  ['session:', 'session'],
  ['sessions:', 'session-index'],
  ['user:', 'user'],
  ['resource:', 'resource'],
  ['api:', 'api'],
  ['config:', 'config'],
];

// Every app key carries its tenant as a hash tag, once.
const TENANT_TAG = /\{([a-z0-9][a-z0-9-]{0,62})\}/;

/** Most tag versions read to name an entry's tags. */
const TAG_SCAN_BUDGET = 100_000;

/** One version an entry was written under. */
export interface ScopeState {
  /** `tenant`, `tag:<name>`, or `tag:?` for a tag whose version has changed since (so it cannot be named). */
  readonly scope: string;
  /** True while the scope's version is the one the entry recorded. */
  readonly current: boolean;
}

/** What `inspectKey` reports. */
export interface KeyReport {
  readonly key: string;
  readonly type: DataType | 'session-index';
  readonly tenant: string;
  readonly present: boolean;
  /** Milliseconds left before Redis drops it; `null` when it never expires. */
  readonly ttlMs?: number | null;
  readonly format?: 'entry' | 'session' | 'set' | 'unknown';
  readonly freshness?: {
    readonly freshUntil: string;
    readonly staleUntil: string;
    readonly errorUntil: string;
    /** Where `now` falls: `fresh`, `stale-while-revalidate`, `stale-if-error` or `expired`. */
    readonly state: 'fresh' | 'stale-while-revalidate' | 'stale-if-error' | 'expired';
    /** Milliseconds until the end of the current window (negative past `errorUntil`). */
    readonly remainingMs: number;
  };
  readonly scopes?: readonly ScopeState[];
  /** True when every version is current: a read would use this entry. */
  readonly valid?: boolean;
  readonly bytes?: number;
  readonly value?: unknown;
  readonly members?: number;
}

/** Parses a key the app could have written; 400 `invalid_request` for anything else. */
export function parseKey(key: string): { type: DataType | 'session-index'; tenant: string } {
  const type = KEY_TYPES.find(([prefix]) => key.startsWith(prefix))?.[1];
  const tenant = TENANT_TAG.exec(key)?.[1];
  if (!type || !tenant || key.length > 512) {
    throw new HttpError(
      400,
      ERROR_CODES.invalidRequest,
      `not a Strata cache key: ${JSON.stringify(key.slice(0, 80))} (expected session:, user:, resource:, api: or config: with a {tenant} tag)`,
    );
  }
  return { type, tenant };
}

function windowState(now: number, windows: { freshUntil: number; staleUntil: number; errorUntil: number }): NonNullable<KeyReport['freshness']> {
  const iso = (ms: number) => new Date(ms).toISOString();
  const base = { freshUntil: iso(windows.freshUntil), staleUntil: iso(windows.staleUntil), errorUntil: iso(windows.errorUntil) };
  if (now < windows.freshUntil) return { ...base, state: 'fresh', remainingMs: windows.freshUntil - now };
  if (now < windows.staleUntil) return { ...base, state: 'stale-while-revalidate', remainingMs: windows.staleUntil - now };
  if (now < windows.errorUntil) return { ...base, state: 'stale-if-error', remainingMs: windows.errorUntil - now };
  return { ...base, state: 'expired', remainingMs: windows.errorUntil - now };
}

/** Names the scopes of `versions` (tenant first, then tags) from the tenant's current versions. */
async function scopesOf(store: CacheStore, tenant: string, versions: readonly string[]): Promise<ScopeState[]> {
  const inspection = store.inspection!;
  const tenantKey = versionKey(tenant);
  const tagPrefix = `${tenantKey}:tag:`;
  // Braces in the pattern are literal for MATCH only when escaped.
  const { keys } = await inspection.scan(`${tagPrefix.replace(/[{}[\]*?\\]/g, (c) => `\\${c}`)}*`, TAG_SCAN_BUDGET);
  const current = await store.getMany([tenantKey, ...keys]);
  const tagByVersion = new Map<string, string>();
  keys.forEach((key, i) => {
    const value = current[i + 1];
    if (value !== undefined) tagByVersion.set(value, key.slice(tagPrefix.length));
  });
  return versions.map((version, i) => {
    if (i === 0) return { scope: 'tenant', current: version === current[0] };
    const tag = tagByVersion.get(version);
    return tag === undefined ? { scope: 'tag:?', current: false } : { scope: `tag:${tag}`, current: true };
  });
}

/** Reports on `key`; `policies` decode the values of types that are not sensitive. */
export async function inspectKey(store: CacheStore, policies: Record<DataType, CachePolicy>, key: string, now = Date.now()): Promise<KeyReport> {
  const { type, tenant } = parseKey(key);
  const inspection = store.inspection;
  if (!inspection) throw new HttpError(503, ERROR_CODES.internal, `the ${store.name} store cannot be inspected`);
  const ttl = await inspection.ttl(key).catch((error: unknown) => {
    throw new HttpError(503, ERROR_CODES.cacheUnavailable, `Redis did not answer: ${error instanceof Error ? error.message : String(error)}`);
  });
  if (ttl === undefined) return { key, type, tenant, present: false };
  const ttlMs = ttl === Infinity ? null : ttl;
  if (type === 'session-index') {
    return { key, type, tenant, present: true, ttlMs, format: 'set', members: (await store.setMembers(key)).length };
  }
  const raw = await store.get(key);
  if (raw === undefined) return { key, type, tenant, present: false };
  const entry = readEntry(raw);
  const bytes = Buffer.byteLength(raw);
  // Sessions are the session store's own records: encrypted, never shown.
  if (!entry) return { key, type, tenant, present: true, ttlMs, format: type === 'session' ? 'session' : 'unknown', bytes, value: REDACTED };
  const scopes = await scopesOf(store, tenant, entry.versions);
  const policy = policies[type];
  let value: unknown = REDACTED;
  if (policy.reuseDecoded !== false) {
    try {
      const text = policy.codec ? await policy.codec.decode(entry.payload, { key }) : entry.payload;
      value = redact(JSON.parse(text));
    } catch {
      value = '[undecodable]';
    }
  }
  return {
    key,
    type,
    tenant,
    present: true,
    ttlMs,
    format: 'entry',
    freshness: windowState(now, entry),
    scopes,
    valid: scopes.every((s) => s.current),
    bytes,
    value,
  };
}

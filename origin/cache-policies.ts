/**
 * The app's caching policies, one per data type of the key grammar (`common/keys.ts`), labelled
 * with the type's name: the TTLs and strategies of the design (docs/architecture.md, "Design targets"), kept or improved.
 */
import type { DataType } from '../common/keys.ts';
import { definePolicy, type CachePolicy, type PayloadCodec } from './cache/index.ts';

const MINUTE = 60_000;

/** The design's policies: sessions 24 h, profiles 1 h, resources 30 min, API responses 5 min, config 6 h. */
export const DEFAULT_POLICIES: Readonly<Record<DataType, CachePolicy>> = {
  session: definePolicy({
    label: 'session',
    ttlMs: 24 * 60 * MINUTE,
    jitter: 0,
    staleWhileRevalidateMs: 0,
    staleIfErrorMs: 0,
    refreshAheadMs: 0,
    memory: false,
  }),
  user: definePolicy({
    label: 'user',
    ttlMs: 60 * MINUTE,
    jitter: 0.1,
    staleWhileRevalidateMs: MINUTE,
    staleIfErrorMs: 15 * MINUTE,
    refreshAheadMs: 0,
    memory: false,
  }),
  resource: definePolicy({
    label: 'resource',
    ttlMs: 30 * MINUTE,
    jitter: 0.1,
    staleWhileRevalidateMs: MINUTE,
    staleIfErrorMs: 30 * MINUTE,
    refreshAheadMs: 5 * MINUTE,
    memory: false,
  }),
  api: definePolicy({
    label: 'api',
    ttlMs: 5 * MINUTE,
    jitter: 0.2,
    staleWhileRevalidateMs: 30_000,
    staleIfErrorMs: 15 * MINUTE,
    refreshAheadMs: 0,
    memory: false,
  }),
  config: definePolicy({
    label: 'config',
    ttlMs: 6 * 60 * MINUTE,
    jitter: 0.1,
    staleWhileRevalidateMs: 5 * MINUTE,
    staleIfErrorMs: 24 * 60 * MINUTE,
    refreshAheadMs: 30 * MINUTE,
    memory: true,
  }),
};

/**
 * The policies a deployment runs with: large payloads compressed everywhere; sessions and user
 * profiles also encrypted (AES-256-GCM) before they leave the process, and never kept decoded
 * between reads.
 */
export function deploymentPolicies(codecs: { compress: PayloadCodec; protect: PayloadCodec }): Record<DataType, CachePolicy> {
  const sensitive = new Set<DataType>(['session', 'user']);
  const entries = (Object.entries(DEFAULT_POLICIES) as [DataType, CachePolicy][]).map(([type, policy]) => [
    type,
    sensitive.has(type) ? definePolicy({ ...policy, codec: codecs.protect, reuseDecoded: false }) : definePolicy({ ...policy, codec: codecs.compress }),
  ]);
  return Object.fromEntries(entries) as Record<DataType, CachePolicy>;
}

/**
 * Purges at the edge: the signed webhook handler and the Upstash-backed purge versions the
 * shared cache reads.
 */
export { purgeBodyLimit, purgeHandler } from './handler.ts';
export { upstashVersions, VERSION_MEMO_TTL_MS, VERSION_READ_TIMEOUT_MS, UNSET_VERSION } from './versions.ts';
export { scopeVersionKeys, purgeVersionKeys } from './keys.ts';
export { PURGE_ID_TTL_SECONDS, VERSION_TTL_SECONDS } from './store.ts';
export { ZONE_PURGE_BATCH, ZONE_PURGE_MAX_ATTEMPTS } from './zone.ts';

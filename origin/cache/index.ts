/**
 * The cache engine's public face: what the app builds on. The engine imports nothing of the app;
 * the app hands it a store configuration, policies under labels of its own, and its outlets
 * (metrics sink, journal, bus, health probe). The design is in `docs/engine.md`.
 */
export { CacheEngine, type CacheEngineOptions } from './engine.ts';
export type { CacheEntryRef, CacheOutcome, CacheResult, CacheTarget, ErrorListener, ReadRequest } from './target.ts';
export { definePolicy, windowsFor, type CachePolicy, type EntryWindows } from './policy.ts';
export { readEntry, type Entry } from './entry.ts';
export { CACHE_ERROR_CODES, CacheError, type CacheErrorCode } from './errors.ts';
export * from './store/index.ts';
export * from './resilience/index.ts';
export * from './invalidation/index.ts';
export * from './metrics/index.ts';
export * from './codec/index.ts';
export type { MemoryTierOptions } from './read/memory-tier.ts';
export type { DecodedValuesOptions } from './read/decoded-values.ts';
export type { LockOptions } from './read/stampede.ts';

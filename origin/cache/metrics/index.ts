/** The engine's measurement contract, its closed label sets, and the sink that records nothing. */
export type { CacheMetrics, CacheOperation, ReadOutcome } from './interface.ts';
export { CACHE_OPERATIONS, READ_OUTCOMES, SERVED_FROM_CACHE, isCacheOperation, isDuration, isReadOutcome } from './labels.ts';
export { noMetrics } from './null.ts';

/**
 * What the cache engine reports. Labels are closed sets (data types and outcomes below), never
 * keys or tenants, so metric cardinality stays bounded.
 */
import type { DataType } from '../../../common/keys.ts';

/** How a read was answered. */
export type ReadOutcome =
  | 'hit' // fresh entry from the cache
  | 'miss' // nothing usable cached; loaded from the source
  | 'stale' // served a stale entry within stale-while-revalidate (a refresh runs in the background)
  | 'stale_error' // the source failed; served a stale entry within stale-if-error
  | 'bypass'; // the cache was unavailable (error or open breaker); loaded from the source

/** Store operations whose latency is recorded. */
export type CacheOperation = 'get' | 'set' | 'delete' | 'invalidate' | 'lock';

/** Receives the engine's measurements. */
export interface CacheMetrics {
  /** One read of `type` ended with `outcome`. */
  read(type: DataType, outcome: ReadOutcome): void;
  /** One call of a loader (source read) for `type`: whether it succeeded and how long it took. */
  load(type: DataType, ok: boolean, durationMs: number): void;
  /** One store operation for `type` and its latency; `ok` false when it failed. */
  operation(type: DataType, operation: CacheOperation, ok: boolean, durationMs: number): void;
}

/** Hit-ratio targets per data type, from the brief. */
export const HIT_RATIO_TARGETS: Readonly<Record<DataType, number | undefined>> = {
  session: 0.95,
  config: 0.9,
  user: 0.85,
  api: 0.7,
  resource: undefined,
};

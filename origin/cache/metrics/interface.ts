/**
 * What the cache engine reports. Every measurement carries its policy's label (a name the app
 * chose for a kind of data), never a key or a tenant, so a sink's label sets stay bounded.
 */

/** How a read was answered. */
export type ReadOutcome =
  | 'hit' // fresh entry from the cache
  | 'miss' // nothing usable cached; loaded from the source
  | 'stale' // served a stale entry within stale-while-revalidate (a refresh runs in the background)
  | 'stale_error' // the source failed; served a stale entry within stale-if-error
  | 'bypass'; // the cache was unavailable (error or open breaker); loaded from the source

/** Store operations whose latency is recorded. */
export type CacheOperation = 'get' | 'set' | 'delete' | 'invalidate' | 'lock';

/** Receives the engine's measurements; `label` is the policy's (`CachePolicy.label`). */
export interface CacheMetrics {
  /** One read under `label` ended with `outcome`. */
  read(label: string, outcome: ReadOutcome): void;
  /** One call of a loader (source read): whether it succeeded and how long it took. */
  load(label: string, ok: boolean, durationMs: number): void;
  /** One store operation and its latency; `ok` false when it failed. */
  operation(label: string, operation: CacheOperation, ok: boolean, durationMs: number): void;
}

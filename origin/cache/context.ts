/**
 * The engine's context: the collaborators every part of the engine works with, built once per
 * engine from its options and handed as one object to the read path, the write path and the
 * invalidations alike.
 */
import type { InvalidationBus } from './invalidation/bus.ts';
import type { InvalidationJournal } from './invalidation/journal.ts';
import { VERSION_KEY_PREFIX } from './invalidation/versions.ts';
import { absorbFailures } from './metrics/absorbed.ts';
import type { CacheMetrics } from './metrics/interface.ts';
import { noMetrics } from './metrics/null.ts';
import { DecodedValues, DEFAULT_DECODED, type DecodedValuesOptions } from './read/decoded-values.ts';
import { MemoryTier, type MemoryTierOptions } from './read/memory-tier.ts';
import { DEFAULT_LOCK, SingleFlight, type LockOptions } from './read/stampede.ts';
import { createBreaker, type StoreBreaker } from './resilience/breaker.ts';
import { StoreGuard } from './resilience/guard.ts';
import type { CacheStore } from './store/interface.ts';
import type { TrackedValues } from './store/tracked-values.ts';
import type { ErrorListener } from './target.ts';

/** Engine configuration. */
export interface CacheEngineOptions {
  store: CacheStore;
  metrics?: CacheMetrics;
  breaker?: StoreBreaker;
  lock?: LockOptions;
  /** Per-process memory tier for policies with `memory: true`; off when absent. */
  memory?: MemoryTierOptions;
  /**
   * Decoded copies of recent reads, reused while Redis returns the same bytes
   * (`read/decoded-values.ts`); `false` decodes every read. Policies with `reuseDecoded: false`
   * or a memory tier never use them.
   */
  decoded?: DecodedValuesOptions | false;
  /** Tells other processes to drop memory-tier values; needed only with `memory`. */
  bus?: InvalidationBus;
  /** Shares invalidations that could not reach the store with every process (`invalidation/`). */
  journal?: InvalidationJournal;
  /** How often the journal is read; 2 s by default. */
  journalPollMs?: number;
  onError?: ErrorListener;
}

/** What the parts of one engine share. */
export interface EngineContext {
  readonly store: CacheStore;
  readonly breaker: StoreBreaker;
  /** Every store call goes through it. */
  readonly guard: StoreGuard;
  /** Versions held in process, kept exact by the store (client tracking); absent when it cannot. */
  readonly versions: TrackedValues | undefined;
  readonly memory: MemoryTier | undefined;
  readonly decoded: DecodedValues | undefined;
  /** Reads in flight, to join; a local write stops later reads from joining earlier ones. */
  readonly joined: SingleFlight;
  /** Loads running, one per key. */
  readonly flights: SingleFlight;
  readonly lock: LockOptions;
  /** The sink, its failures absorbed; `noMetrics` when there is none. */
  readonly metrics: CacheMetrics;
  readonly bus: InvalidationBus | undefined;
  readonly onError: ErrorListener;
}

/** Builds the context `options` describe. */
export function createContext(options: CacheEngineOptions): EngineContext {
  const onError = options.onError ?? (() => {});
  const breaker = options.breaker ?? createBreaker();
  // Store calls are timed only for a metrics sink, whose failures are reported, never thrown.
  const sink = options.metrics;
  const timed = sink !== undefined && sink !== noMetrics;
  const metrics = timed ? absorbFailures(sink, onError) : noMetrics;
  return {
    store: options.store,
    breaker,
    guard: new StoreGuard(breaker, metrics, timed, onError),
    versions: options.store.track?.(VERSION_KEY_PREFIX, (error) => onError(error, { operation: 'track' })),
    memory: options.memory && new MemoryTier(options.memory),
    decoded: options.decoded === false ? undefined : new DecodedValues(options.decoded ?? DEFAULT_DECODED),
    joined: new SingleFlight(),
    flights: new SingleFlight(),
    lock: options.lock ?? DEFAULT_LOCK,
    metrics,
    bus: options.bus,
    onError,
  };
}

/**
 * A steady, open-loop read load through the engine: reads arrive at a fixed rate whatever the
 * earlier ones are doing, as requests reach an API, so a hung Redis shows as reads piling up
 * behind the command timeout rather than as fewer reads.
 */
import type { CacheEngine, CacheEntryRef, CacheOutcome } from '../../origin/cache/index.ts';
import { DEFAULT_POLICIES } from '../../origin/cache-policies.ts';

/** One finished read: when it started (ms on the load's clock), how long it took, how it ended. */
export interface ReadRecord {
  startedMs: number;
  tookMs: number;
  status: CacheOutcome | 'error';
}

/** A running load; `stop` ends it and waits for the reads still out. */
export interface ReadLoad {
  readonly records: ReadRecord[];
  /** Reads that went to the loader (the source). */
  loads(): number;
  /** Milliseconds since the load started. */
  now(): number;
  /** Calls `watch` after every read and every batch of arrivals (breaker state probes). */
  onTick(watch: () => void): void;
  stop(): Promise<void>;
}

/** How loud the load is, and how long the source (PostgreSQL) takes per read. */
export interface ReadLoadOptions {
  readsPerSecond: number;
  sourceMs: number;
}

const policy = DEFAULT_POLICIES.resource;
const BATCH_EVERY_MS = 10;

/** Starts reading `entries` round-robin through `engine`. */
export function startReadLoad(engine: CacheEngine, entries: readonly CacheEntryRef[], options: ReadLoadOptions): ReadLoad {
  const records: ReadRecord[] = [];
  const outstanding = new Set<Promise<unknown>>();
  const watchers: (() => void)[] = [];
  const origin = performance.now();
  const now = () => performance.now() - origin;
  let loads = 0;
  let next = 0;
  const load = (key: string) => () =>
    new Promise<string>((resolve) => {
      loads++;
      setTimeout(() => resolve(`value of ${key}`), options.sourceMs);
    });
  const read = () => {
    const { key, tenant } = entries[next++ % entries.length]!;
    const startedMs = now();
    const done = engine.getOrLoad({ key, tenant, policy, load: load(key) }).then(
      (result) => records.push({ startedMs, tookMs: now() - startedMs, status: result.status }),
      () => records.push({ startedMs, tookMs: now() - startedMs, status: 'error' }),
    );
    outstanding.add(done);
    void done.finally(() => {
      outstanding.delete(done);
      for (const watch of watchers) watch();
    });
  };
  // Arrivals are counted against the clock, so a late timer catches up instead of lowering the rate.
  let sent = 0;
  const timer = setInterval(() => {
    const due = Math.floor((now() / 1000) * options.readsPerSecond);
    for (; sent < due; sent++) read();
    for (const watch of watchers) watch();
  }, BATCH_EVERY_MS);
  return {
    records,
    loads: () => loads,
    now,
    onTick: (watch) => void watchers.push(watch),
    async stop() {
      clearInterval(timer);
      await Promise.allSettled([...outstanding]);
    },
  };
}

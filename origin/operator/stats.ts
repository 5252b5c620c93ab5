/**
 * `GET /ops/stats`: this process's reads per data type against their targets (docs/architecture.md, "Design targets"), loads,
 * stale serves, the breaker, invalidations still to land, purges waiting in the outbox, and
 * what Redis holds (memory, keys per data type). Redis is pinged on every call; the key census
 * scans Redis, so it is kept for `CENSUS_MAX_AGE_MS` and shared by every caller meanwhile (a `strata stats --watch` per
 * operator must not become a SCAN per second each).
 */
import type { DataType } from '../../common/keys.ts';
import type { StoreCensus } from '../cache/index.ts';
import { DATA_TYPES } from '../metrics/data-types.ts';
import type { TallySnapshot } from '../metrics/tally.ts';
import { countPending } from '../outbox/index.ts';
import type { Services } from '../services.ts';

/** How long one census of Redis is reused. */
export const CENSUS_MAX_AGE_MS = 5000;
/** Most keys one census looks at per primary. */
export const CENSUS_BUDGET = 200_000;

/** The key prefixes counted, by data type; the engine's own keys (`ver:`, `lock:`) apart. */
export const TYPE_PREFIXES: Readonly<Record<DataType, readonly string[]>> = {
  session: ['session:', 'sessions:'],
  user: ['user:'],
  resource: ['resource:'],
  api: ['api:'],
  config: ['config:'],
};
const ENGINE_PREFIXES = ['ver:', 'lock:'];

/** What Redis holds, as `strata stats` shows it. */
export interface RedisStats {
  readonly store: string;
  readonly status: 'ok' | 'down';
  readonly error?: string;
  readonly usedMemoryBytes?: number | null;
  readonly maxMemoryBytes?: number | null;
  readonly evictionPolicy?: string | null;
  readonly totalKeys?: number;
  /** Keys per data type; a sample scaled to `totalKeys` when `exact` is false. */
  readonly keys?: Readonly<Record<DataType | 'engine' | 'other', number>>;
  readonly exact?: boolean;
  /** When the census was taken (it is reused for a few seconds). */
  readonly takenAt?: string;
}

/** The whole answer of `/ops/stats`. */
export interface OperatorStats extends TallySnapshot {
  readonly now: number;
  readonly breaker: string;
  readonly pendingInvalidations: number;
  readonly outboxPending: number;
  readonly redis: RedisStats;
}

function keysPerType(census: StoreCensus): Record<DataType | 'engine' | 'other', number> {
  const scale = census.complete || census.scannedKeys === 0 ? 1 : census.totalKeys / census.scannedKeys;
  const sum = (prefixes: readonly string[]) => Math.round(prefixes.reduce((n, prefix) => n + (census.counts[prefix] ?? 0), 0) * scale);
  return {
    ...(Object.fromEntries(DATA_TYPES.map((type) => [type, sum(TYPE_PREFIXES[type])])) as Record<DataType, number>),
    engine: sum(ENGINE_PREFIXES),
    other: sum(['other']),
  };
}

/** Stats over the services; `forgetCensus` makes the next call count Redis's keys again. */
export type StatsReader = (() => Promise<OperatorStats>) & { forgetCensus(): void };

/** Builds the stats over `services`, with a census cache of its own. */
export function statsReader(services: Pick<Services, 'cache' | 'engine' | 'metrics' | 'db'>, now: () => number = Date.now): StatsReader {
  let last: { at: number; redis: RedisStats } | undefined;
  let running: Promise<RedisStats> | undefined;
  const prefixes = [...Object.values(TYPE_PREFIXES).flat(), ...ENGINE_PREFIXES];
  const takeCensus = async (): Promise<RedisStats> => {
    const store = services.cache.name;
    const inspection = services.cache.inspection;
    if (!inspection) return { store, status: 'ok', error: 'this store cannot be inspected' };
    try {
      const census = await inspection.census(prefixes, CENSUS_BUDGET);
      return {
        store,
        status: 'ok',
        usedMemoryBytes: census.usedMemoryBytes ?? null,
        maxMemoryBytes: census.maxMemoryBytes ?? null,
        evictionPolicy: census.evictionPolicy ?? null,
        totalKeys: census.totalKeys,
        keys: keysPerType(census),
        exact: census.complete,
        takenAt: new Date(now()).toISOString(),
      };
    } catch (error) {
      return { store, status: 'down', error: error instanceof Error ? error.message : String(error) };
    }
  };
  const redis = async (): Promise<RedisStats> => {
    // Whether Redis answers is asked every time (one PING): a kept census must not hide an outage.
    try {
      await services.cache.ping();
    } catch (error) {
      last = undefined;
      return { store: services.cache.name, status: 'down', error: error instanceof Error ? error.message : String(error) };
    }
    if (last && now() - last.at < CENSUS_MAX_AGE_MS) return last.redis;
    running ??= takeCensus().finally(() => (running = undefined));
    const result = await running;
    // A failed census is not kept: the next call asks again.
    last = result.status === 'ok' ? { at: now(), redis: result } : undefined;
    return result;
  };
  const read = async (): Promise<OperatorStats> => {
    const [redisStats, outboxPending] = await Promise.all([redis(), countPending(services.db)]);
    return {
      ...services.metrics.tally.snapshot(),
      now: now(),
      breaker: services.engine.breakerState(),
      pendingInvalidations: services.engine.pendingInvalidations(),
      outboxPending,
      redis: redisStats,
    };
  };
  // A warm just wrote keys: the operator who warmed and asks for stats must see them.
  return Object.assign(read, { forgetCensus: () => void (last = undefined) });
}

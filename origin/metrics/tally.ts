/**
 * Counts kept in this process since it started, per data type: reads by outcome and loads by
 * result. The operator API (`origin/operator/`) reports them; they sit next to the Prometheus or
 * EMF sink (`teeMetrics`), so what `strata stats` shows and what `/metrics` exposes are the same
 * reads. On Lambda they describe one instance since its start.
 */
import type { DataType } from '../../common/keys.ts';
import { READ_OUTCOMES, SERVED_FROM_CACHE, isReadOutcome, type CacheMetrics, type ReadOutcome } from '../cache/index.ts';
import { DATA_TYPES, HIT_RATIO_TARGETS, isDataType } from './data-types.ts';

/** One data type's counts, and its hit ratio against its target (`HIT_RATIO_TARGETS`). */
export interface TypeTally {
  readonly reads: Readonly<Record<ReadOutcome, number>>;
  /** (hit + stale + stale_error) / reads; `null` before the first read. */
  readonly hitRatio: number | null;
  readonly target: number | null;
  readonly loads: { readonly ok: number; readonly error: number };
}

/** What `snapshot()` returns. */
export interface TallySnapshot {
  /** When counting started (epoch ms). */
  readonly since: number;
  readonly types: Readonly<Record<DataType, TypeTally>>;
}

/** A sink that counts, and can be read. */
export interface MetricsTally extends CacheMetrics {
  snapshot(): TallySnapshot;
}

/** Counts reads and loads per data type; labels outside the data types are ignored. */
export function tallyMetrics(now: () => number = Date.now): MetricsTally {
  const since = now();
  const reads = new Map<DataType, Record<ReadOutcome, number>>(
    DATA_TYPES.map((type) => [type, Object.fromEntries(READ_OUTCOMES.map((o) => [o, 0])) as Record<ReadOutcome, number>]),
  );
  const loads = new Map<DataType, { ok: number; error: number }>(DATA_TYPES.map((type) => [type, { ok: 0, error: 0 }]));
  return {
    read(label, outcome) {
      if (isDataType(label) && isReadOutcome(outcome)) reads.get(label)![outcome] += 1;
    },
    load(label, ok) {
      if (isDataType(label)) loads.get(label)![ok ? 'ok' : 'error'] += 1;
    },
    operation() {},
    snapshot() {
      const types = Object.fromEntries(
        DATA_TYPES.map((type) => {
          const counts = { ...reads.get(type)! };
          const total = READ_OUTCOMES.reduce((sum, outcome) => sum + counts[outcome], 0);
          const served = READ_OUTCOMES.filter((outcome) => SERVED_FROM_CACHE.has(outcome)).reduce((sum, outcome) => sum + counts[outcome], 0);
          const tally: TypeTally = {
            reads: counts,
            hitRatio: total === 0 ? null : served / total,
            target: HIT_RATIO_TARGETS[type] ?? null,
            loads: { ...loads.get(type)! },
          };
          return [type, tally];
        }),
      ) as Record<DataType, TypeTally>;
      return { since, types };
    },
  };
}

/** One sink that hands every measurement to each of `sinks`. */
export function teeMetrics(...sinks: CacheMetrics[]): CacheMetrics {
  return {
    read: (label, outcome) => sinks.forEach((sink) => sink.read(label, outcome)),
    load: (label, ok, durationMs) => sinks.forEach((sink) => sink.load(label, ok, durationMs)),
    operation: (label, operation, ok, durationMs) => sinks.forEach((sink) => sink.operation(label, operation, ok, durationMs)),
  };
}

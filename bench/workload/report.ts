/**
 * The workload's figures as result rows (`bench/rows.ts`) and as the tables printed at the end:
 * per data type (hit ratio against the design's target at Redis and at the edge, latency, Redis
 * memory), per kind of request, per layer of the freshness contract.
 */
import type { DataType } from '../../common/keys.ts';
import { HIT_RATIO_TARGETS } from '../../origin/metrics/index.ts';
import type { Row } from '../rows.ts';
import { quantile, type Collector } from './collector.ts';
import type { FreshnessChecker } from './freshness.ts';
import { KINDS, type KindName } from './mix.ts';
import { hitRatio, type OriginCounts } from './origin-metrics.ts';
import type { PurgeDeliveries } from './purges.ts';
import type { RedisMemory } from './redis-memory.ts';

/** Everything one run measured. */
export interface WorkloadFigures {
  readonly options: Readonly<Record<string, number>>;
  readonly collector: Collector;
  readonly origin: OriginCounts;
  readonly checker: FreshnessChecker;
  readonly memory: RedisMemory;
  readonly purges: PurgeDeliveries;
}

const DATA_TYPES: DataType[] = ['session', 'config', 'user', 'api', 'resource'];
const round = (value: number, decimals = 1) => (Number.isFinite(value) ? Math.round(value * 10 ** decimals) / 10 ** decimals : Number.NaN);
const sum = (values: Iterable<number>) => [...values].reduce((total, value) => total + value, 0);

function kindsOf(type: DataType): string[] {
  return (Object.entries(KINDS) as [KindName, (typeof KINDS)[KindName]][]).filter(([, kind]) => kind.dataType === type && !kind.write).map(([name]) => name);
}

/** The rows of `bench/results/workload.json`. */
export function workloadRows(figures: WorkloadFigures): Row[] {
  const { collector, origin, checker, memory, purges } = figures;
  const rows: Row[] = [];
  const add = (subject: string, metric: string, value: number, unit: string) => rows.push({ subject, metric, value, unit });
  const requests = collector.requests;
  for (const [name, value] of Object.entries(figures.options)) add('workload', name, value, name === 'seed' ? 'seed' : 'count');
  add('workload', 'requests_measured', requests, 'count');
  add('workload', 'throughput', round(requests / collector.seconds), 'req/s');
  const all = [...collector.kinds.values()].flatMap((tally) => tally.latenciesMs).sort((a, b) => a - b);
  add('workload', 'p50_ms', round(quantile(all, 0.5), 2), 'ms');
  add('workload', 'p99_ms', round(quantile(all, 0.99), 2), 'ms');
  add('workload', 'responses_5xx', collector.statusesBetween(500, 600), 'count');
  add('workload', 'no_response', collector.statusesBetween(0, 1), 'count');
  add('workload', 'unexpected_status', sum([...collector.kinds.values()].map((tally) => tally.unexpected)), 'count');
  add('workload', 'freshness_violations', checker.violationCount, 'count');

  for (const [kind, tally] of [...collector.kinds].sort(([a], [b]) => a.localeCompare(b))) {
    const sorted = [...tally.latenciesMs].sort((a, b) => a - b);
    add(`kind:${kind}`, 'requests', sorted.length, 'count');
    add(`kind:${kind}`, 'throughput', round(sorted.length / collector.seconds), 'req/s');
    add(`kind:${kind}`, 'p50_ms', round(quantile(sorted, 0.5), 2), 'ms');
    add(`kind:${kind}`, 'p99_ms', round(quantile(sorted, 0.99), 2), 'ms');
    add(`kind:${kind}`, 'unexpected_status', tally.unexpected, 'count');
    // Every status seen, by code (0: no answer), so an unexpected one says what it was.
    for (const [status, count] of [...tally.statuses].sort(([a], [b]) => a - b)) add(`kind:${kind}`, `status_${status}`, count, 'count');
  }

  const edgeHits = sum([...collector.kinds.values()].map((tally) => tally.edgeHits));
  const edgeReads = edgeHits + sum([...collector.kinds.values()].map((tally) => tally.edgeMisses));
  add('layer:edge', 'hit_ratio', round(edgeHits / edgeReads, 3), 'ratio');
  add('layer:edge', 'cacheable_reads', edgeReads, 'count');
  const totalReads = sum([...origin.reads.values()].map((outcomes) => sum(outcomes.values())));
  const merged = new Map<string, number>();
  for (const outcomes of origin.reads.values()) for (const [outcome, value] of outcomes) merged.set(outcome, (merged.get(outcome) ?? 0) + value);
  add('layer:redis', 'hit_ratio', round(hitRatio(merged), 3), 'ratio');
  add('layer:redis', 'reads', totalReads, 'count');
  add('layer:redis', 'used_memory', memory.usedMemoryBytes, 'bytes');
  const loads = sum(origin.loads.values()) + sum(['miss', 'bypass'].map((outcome) => origin.reads.get('session')?.get(outcome) ?? 0));
  add('layer:postgres', 'loads', loads, 'count');
  add('layer:postgres', 'loads_per_request', round(loads / requests, 3), 'per request');

  for (const type of DATA_TYPES) {
    const subject = `type:${type}`;
    const outcomes = origin.reads.get(type);
    add(subject, 'redis_hit_ratio', round(hitRatio(outcomes), 3), 'ratio');
    const target = HIT_RATIO_TARGETS[type];
    if (target !== undefined) add(subject, 'target', target, 'ratio');
    add(subject, 'redis_reads', outcomes ? sum(outcomes.values()) : 0, 'count');
    const typeLoads = type === 'session' ? sum(['miss', 'bypass'].map((outcome) => outcomes?.get(outcome) ?? 0)) : (origin.loads.get(type) ?? 0);
    add(subject, 'postgres_loads', typeLoads, 'count');
    const tallies = kindsOf(type)
      .map((kind) => collector.kinds.get(kind))
      .filter((tally) => tally !== undefined);
    const latencies = tallies.flatMap((tally) => tally.latenciesMs).sort((a, b) => a - b);
    add(subject, 'requests', latencies.length, 'count');
    add(subject, 'throughput', round(latencies.length / collector.seconds), 'req/s');
    add(subject, 'p50_ms', round(quantile(latencies, 0.5), 2), 'ms');
    add(subject, 'p99_ms', round(quantile(latencies, 0.99), 2), 'ms');
    const hits = sum(tallies.map((tally) => tally.edgeHits));
    const edge = hits + sum(tallies.map((tally) => tally.edgeMisses));
    if (edge > 0) add(subject, 'edge_hit_ratio', round(hits / edge, 3), 'ratio');
    // Each request of these kinds makes at most one engine read (none when the edge answers):
    // the share answered by a cache layer, edge or Redis, is the share that loaded nothing.
    if ((type === 'api' || type === 'resource') && latencies.length > 0) add(subject, 'served_by_a_cache', round(1 - typeLoads / latencies.length, 3), 'ratio');
    const group = memory.groups.get(type);
    if (group) {
      add(subject, 'redis_entries', group.keys, 'count');
      add(subject, 'redis_bytes_per_entry', group.bytesPerEntry, 'bytes');
      add(subject, 'redis_bytes', group.totalBytes, 'bytes');
    }
  }
  for (const [name, group] of memory.groups) {
    if ((DATA_TYPES as string[]).includes(name)) continue;
    add(`redis-keys:${name}`, 'entries', group.keys, 'count');
    add(`redis-keys:${name}`, 'bytes_per_entry', group.bytesPerEntry, 'bytes');
  }
  add('purges', 'queued', purges.queued, 'count');
  add('purges', 'delivered', purges.delivered, 'count');
  add('purges', 'pending_at_end', purges.pending, 'count');
  add('purges', 'retried', purges.retried, 'count');
  add('purges', 'max_attempts', purges.maxAttempts, 'count');
  add('purges', 'commit_to_delivered_p50_ms', purges.deliveryP50Ms, 'ms');
  add('purges', 'commit_to_delivered_p99_ms', purges.deliveryP99Ms, 'ms');
  add('purges', 'commit_to_delivered_max_ms', purges.deliveryMaxMs, 'ms');
  for (const [layer, tally] of checker.tallies) {
    add(`freshness:${layer}`, 'bound_ms', checker.bounds[layer], 'ms');
    add(`freshness:${layer}`, 'reads_checked', tally.checked, 'count');
    add(`freshness:${layer}`, 'stale_within_bound', tally.staleWithinBound, 'count');
    add(`freshness:${layer}`, 'violations', tally.violations, 'count');
    add(`freshness:${layer}`, 'max_staleness_ms', round(tally.maxStalenessMs), 'ms');
  }
  return rows;
}

/** The value of `metric` for `subject` in `rows`. */
export function valueOf(rows: readonly Row[], subject: string, metric: string): number | undefined {
  return rows.find((row) => row.subject === subject && row.metric === metric)?.value;
}

const show = (value: number | undefined, suffix = '') => (value === undefined || Number.isNaN(value) ? '—' : `${value}${suffix}`);

/** The tables printed at the end of a run. */
export function printSummary(rows: readonly Row[], checker: FreshnessChecker): void {
  const v = (subject: string, metric: string) => valueOf(rows, subject, metric);
  console.log(
    `\nworkload: ${v('workload', 'requests_measured')} requests measured, ${v('workload', 'throughput')} req/s, p50 ${v('workload', 'p50_ms')} ms, p99 ${v('workload', 'p99_ms')} ms`,
  );
  console.table(
    Object.fromEntries(
      DATA_TYPES.map((type) => {
        const s = `type:${type}`;
        const ratio = v(s, 'redis_hit_ratio');
        const target = v(s, 'target');
        return [
          type,
          {
            'redis hit': show(ratio),
            target: show(target),
            met: target === undefined || ratio === undefined || Number.isNaN(ratio) ? '' : ratio >= target ? 'yes' : 'NO',
            'edge hit': show(v(s, 'edge_hit_ratio')),
            'edge or redis': show(v(s, 'served_by_a_cache')),
            'redis reads': show(v(s, 'redis_reads')),
            'pg loads': show(v(s, 'postgres_loads')),
            'req/s': show(v(s, 'throughput')),
            'p50 ms': show(v(s, 'p50_ms')),
            'p99 ms': show(v(s, 'p99_ms')),
            entries: show(v(s, 'redis_entries')),
            'B/entry': show(v(s, 'redis_bytes_per_entry')),
          },
        ];
      }),
    ),
  );
  console.log(
    `edge hit ratio ${show(v('layer:edge', 'hit_ratio'))} over ${v('layer:edge', 'cacheable_reads')} cacheable reads; PostgreSQL loads per request ${show(v('layer:postgres', 'loads_per_request'))}; Redis used_memory ${show(v('layer:redis', 'used_memory'))} B over the masters`,
  );
  const kinds = rows.filter((row) => row.subject.startsWith('kind:') && row.metric === 'requests').map((row) => row.subject);
  const statuses = (s: string) =>
    rows
      .filter((row) => row.subject === s && row.metric.startsWith('status_'))
      .map((row) => `${row.metric.slice(7)}×${row.value}`)
      .join(' ');
  console.table(
    Object.fromEntries(
      kinds.map((s) => [
        s.slice(5),
        {
          requests: v(s, 'requests'),
          'req/s': v(s, 'throughput'),
          'p50 ms': v(s, 'p50_ms'),
          'p99 ms': v(s, 'p99_ms'),
          unexpected: v(s, 'unexpected_status'),
          statuses: statuses(s),
        },
      ]),
    ),
  );
  console.log(
    `purges: ${v('purges', 'queued')} queued, ${v('purges', 'delivered')} delivered (${v('purges', 'retried')} after a retry, at most ${v('purges', 'max_attempts')} attempts), ${v('purges', 'pending_at_end')} waiting at the end; commit → delivered p50 ${v('purges', 'commit_to_delivered_p50_ms')} ms, p99 ${v('purges', 'commit_to_delivered_p99_ms')} ms, max ${v('purges', 'commit_to_delivered_max_ms')} ms`,
  );
  console.table(
    Object.fromEntries(
      [...checker.tallies].map(([layer, tally]) => [
        layer,
        {
          'bound ms': checker.bounds[layer],
          checked: tally.checked,
          'stale within bound': tally.staleWithinBound,
          violations: tally.violations,
          'max staleness ms': Math.round(tally.maxStalenessMs),
        },
      ]),
    ),
  );
  for (const violation of checker.violations.slice(0, 10)) console.log(`  freshness violation (${violation.layer}) ${violation.object}: ${violation.what}`);
}

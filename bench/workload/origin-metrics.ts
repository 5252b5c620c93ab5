/**
 * The origin's own counters, read from its `/metrics` endpoint (Prometheus text): reads by data
 * type and outcome (`strata_cache_reads_total`) and loads from PostgreSQL by data type
 * (`strata_cache_loads_total`). The workload takes one snapshot when the measured phase starts
 * and one when it ends, and reports the difference.
 */
import { SERVED_FROM_CACHE, type ReadOutcome } from '../../origin/metrics/index.ts';

/** Counter values by data type: reads per outcome, and loads. */
export interface OriginCounts {
  reads: Map<string, Map<string, number>>;
  loads: Map<string, number>;
}

const SAMPLE = /^(strata_cache_reads_total|strata_cache_loads_total)\{([^}]*)\}\s+(\S+)$/;

function labels(text: string): Map<string, string> {
  return new Map([...text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((match) => [match[1]!, match[2]!]));
}

/** Parses the two counters out of a Prometheus text exposition. */
export function parseOriginCounts(exposition: string): OriginCounts {
  const counts: OriginCounts = { reads: new Map(), loads: new Map() };
  for (const line of exposition.split('\n')) {
    const match = SAMPLE.exec(line.trim());
    if (!match) continue;
    const found = labels(match[2]!);
    const type = found.get('type');
    const value = Number(match[3]);
    if (!type || !Number.isFinite(value)) continue;
    if (match[1] === 'strata_cache_loads_total') {
      counts.loads.set(type, (counts.loads.get(type) ?? 0) + value);
      continue;
    }
    const outcome = found.get('outcome');
    if (!outcome) continue;
    const byOutcome = counts.reads.get(type) ?? new Map<string, number>();
    counts.reads.set(type, byOutcome);
    byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + value);
  }
  return counts;
}

/** `after - before`, counter by counter. */
export function difference(after: OriginCounts, before: OriginCounts): OriginCounts {
  const reads = new Map<string, Map<string, number>>();
  for (const [type, outcomes] of after.reads) {
    reads.set(type, new Map([...outcomes].map(([outcome, value]) => [outcome, value - (before.reads.get(type)?.get(outcome) ?? 0)])));
  }
  const loads = new Map([...after.loads].map(([type, value]) => [type, value - (before.loads.get(type) ?? 0)]));
  return { reads, loads };
}

/** Reads served from Redis (or the memory tier) over all reads: hit, stale and stale_error count as served, as on `/metrics`. */
export function hitRatio(outcomes: ReadonlyMap<string, number> | undefined): number {
  if (!outcomes) return Number.NaN;
  let served = 0;
  let total = 0;
  for (const [outcome, value] of outcomes) {
    total += value;
    if (SERVED_FROM_CACHE.has(outcome as ReadOutcome)) served += value;
  }
  return total > 0 ? served / total : Number.NaN;
}

/** Takes a snapshot from the origin at `originUrl`. */
export async function readOriginCounts(originUrl: string): Promise<OriginCounts> {
  const response = await fetch(`${originUrl}/metrics`);
  if (response.status !== 200) throw new Error(`GET ${originUrl}/metrics answered ${response.status}`);
  return parseOriginCounts(await response.text());
}

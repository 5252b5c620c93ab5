/**
 * What `bench/results/summary.md` shows: each goal (the design's hit-ratio targets and freshness
 * contract, the purge-latency and bundle limits) or, where there is no number to meet, each
 * figure that says how strata compares — with the figure measured and its peers side by side.
 * Every figure names the results file, subject and metric it is read from.
 */
import { HIT_RATIO_TARGETS } from '../../origin/metrics/index.ts';
import { EDGE_BUNDLE_LIMIT_KIB } from '../bundles/edge.ts';
import { ORIGIN_BUNDLE_MAX_BYTES } from '../../infra/constructs/origin-function/bundling.ts';

/** Module init of the origin Lambda, median milliseconds (issue #16, "A lighter Lambda"). */
const LAMBDA_INIT_GOAL_MS = 150;

/** Where a figure lives in `bench/results/<file>.json`. */
export interface Ref {
  readonly file: string;
  readonly subject: string;
  readonly metric: string;
}

/** A goal to meet. */
export interface Goal {
  readonly op: '≥' | '≤' | '=';
  readonly value: number;
}

/** One line of the summary. */
export interface Line {
  readonly area: string;
  readonly what: string;
  readonly figure: Ref;
  readonly unit: string;
  readonly goal?: Goal;
  /** Beside the figure; each in the line's unit unless it names its own. */
  readonly peers?: readonly { readonly label: string; readonly ref: Ref; readonly unit?: string }[];
}

const ref = (file: string, subject: string, metric: string): Ref => ({ file, subject, metric });
const peers = (file: string, metric: string, subjects: readonly string[]) => subjects.map((subject) => ({ label: subject, ref: ref(file, subject, metric) }));

const ENGINE_PEERS = ['bentocache', 'cache-manager', 'cachified'];
const TARGETS = Object.entries(HIT_RATIO_TARGETS).filter((entry): entry is [string, number] => entry[1] !== undefined);

/** Every line, in the order of the summary. */
export const LINES: readonly Line[] = [
  ...TARGETS.map(
    ([type, target]): Line => ({
      area: 'workload',
      what: `${type} hit ratio at Redis (origin /metrics)`,
      figure: ref('workload', `type:${type}`, 'redis_hit_ratio'),
      unit: 'ratio',
      goal: { op: '≥', value: target },
      ...(type === 'api'
        ? {
            peers: [
              { label: 'edge hit ratio, public lists', ref: ref('workload', 'type:api', 'edge_hit_ratio') },
              { label: 'answered by the edge or Redis', ref: ref('workload', 'type:api', 'served_by_a_cache') },
            ],
          }
        : {}),
    }),
  ),
  {
    area: 'workload',
    what: 'resource hit ratio at Redis (no target)',
    figure: ref('workload', 'type:resource', 'redis_hit_ratio'),
    unit: 'ratio',
    peers: [
      { label: 'edge hit ratio, public projects', ref: ref('workload', 'type:resource', 'edge_hit_ratio') },
      { label: 'answered by the edge or Redis', ref: ref('workload', 'type:resource', 'served_by_a_cache') },
    ],
  },
  {
    area: 'workload',
    what: 'freshness violations (reads of replaced data beyond the bound, ended sessions served)',
    figure: ref('workload', 'workload', 'freshness_violations'),
    unit: 'count',
    goal: { op: '=', value: 0 },
  },
  {
    area: 'workload',
    what: 'purge outbox under the workload: commit → delivered to the edge, p99 (the edge bound assumes ≤ 1 s)',
    figure: ref('workload', 'purges', 'commit_to_delivered_p99_ms'),
    unit: 'ms',
    goal: { op: '≤', value: 1000 },
    peers: [
      { label: 'max', ref: ref('workload', 'purges', 'commit_to_delivered_max_ms') },
      { label: 'delivered after a retry', ref: ref('workload', 'purges', 'retried'), unit: 'count' },
      { label: 'waiting at the end', ref: ref('workload', 'purges', 'pending_at_end'), unit: 'count' },
    ],
  },
  { area: 'workload', what: '5xx answers', figure: ref('workload', 'workload', 'responses_5xx'), unit: 'count', goal: { op: '=', value: 0 } },
  {
    area: 'workload',
    what: 'throughput through the edge',
    figure: ref('workload', 'workload', 'throughput'),
    unit: 'req/s',
    peers: [
      { label: 'p50', ref: ref('workload', 'workload', 'p50_ms'), unit: 'ms' },
      { label: 'p99', ref: ref('workload', 'workload', 'p99_ms'), unit: 'ms' },
    ],
  },
  {
    area: 'workload',
    what: 'PostgreSQL loads per request',
    figure: ref('workload', 'layer:postgres', 'loads_per_request'),
    unit: 'per request',
    peers: [{ label: 'edge hit ratio, all public reads', ref: ref('workload', 'layer:edge', 'hit_ratio'), unit: 'ratio' }],
  },
  {
    area: 'workload',
    what: 'Redis bytes per session entry',
    figure: ref('workload', 'type:session', 'redis_bytes_per_entry'),
    unit: 'bytes',
    peers: peers('workload', 'redis_bytes_per_entry', ['type:user', 'type:resource', 'type:api', 'type:config']),
  },
  {
    area: 'edge',
    what: 'purge: acknowledged write → fresh read at the edge, p99',
    figure: ref('purge-latency', 'strata', 'write_to_fresh_p99_ms'),
    unit: 'ms',
    goal: { op: '≤', value: 1000 },
    peers: [{ label: 'p50', ref: ref('purge-latency', 'strata', 'write_to_fresh_p50_ms') }],
  },
  {
    area: 'edge',
    what: 'HIT, one URL: req/s × bare Hono floor',
    figure: ref('edge', 'strata', 'hit_one_url_rps_x_floor'),
    unit: 'ratio',
    peers: [
      ...peers('edge', 'hit_one_url_rps_x_floor', ['strata+purge', 'hono/cache']),
      { label: 'floor req/s', ref: ref('edge', 'floor', 'hit_one_url_rps') },
    ],
  },
  {
    area: 'edge',
    what: 'HIT, 4096 URLs: req/s × bare Hono floor',
    figure: ref('edge', 'strata', 'hit_many_urls_rps_x_floor'),
    unit: 'ratio',
    peers: [
      ...peers('edge', 'hit_many_urls_rps_x_floor', ['strata+purge', 'strata-no-memory-tier', 'hono/cache']),
      { label: 'floor req/s', ref: ref('edge', 'floor', 'hit_many_urls_rps') },
    ],
  },
  {
    area: 'edge',
    what: 'MISS: req/s × hono/cache',
    figure: ref('edge', 'strata', 'miss_rps_x_hono_cache'),
    unit: 'ratio',
    peers: peers('edge', 'miss_rps_x_hono_cache', ['strata+purge']),
  },
  {
    area: 'engine',
    what: 'hit, sequential, 2 000 keys: × plain floor',
    figure: ref('cache-engine', 'strata', 'get_hit_seq_x_floor'),
    unit: 'ratio',
    peers: peers('cache-engine', 'get_hit_seq_x_floor', ['floor-pipelined', ...ENGINE_PEERS]),
  },
  {
    area: 'engine',
    what: 'hit, 200 concurrent, 2 000 keys: × pipelined floor',
    figure: ref('cache-engine', 'strata', 'get_hit_c200_x_floor_pipelined'),
    unit: 'ratio',
    peers: peers('cache-engine', 'get_hit_c200_x_floor_pipelined', ['floor', ...ENGINE_PEERS]),
  },
  {
    area: 'engine',
    what: 'stampede: loads for 1000 concurrent misses',
    figure: ref('cache-engine', 'strata', 'stampede_loads'),
    unit: 'count',
    goal: { op: '=', value: 1 },
    peers: peers('cache-engine', 'stampede_loads', ['floor', ...ENGINE_PEERS]),
  },
  {
    area: 'engine',
    what: 'tag invalidation, 10 000 of 1 000 000 keys',
    figure: ref('cache-engine', 'strata', 'tag_invalidate_ms'),
    unit: 'ms',
    peers: [{ label: 'the naive KEYS+DEL', ref: ref('cache-engine', 'brief-keys-del', 'tag_invalidate_ms') }],
  },
  {
    area: 'origin',
    what: 'public list read at the origin: × raw GET floor',
    figure: ref('origin-read', 'strata', 'read_x_floor'),
    unit: 'ratio',
    peers: peers('origin-read', 'read_x_floor', ['peer', 'strata-route', 'source']),
  },
  {
    area: 'origin',
    what: 'the whole route on a Redis hit, p50 latency × raw GET floor (paired per round)',
    goal: { op: '≤', value: 2 },
    figure: ref('origin-read', 'strata-route', 'read_p50_us_x_floor'),
    unit: 'ratio',
    peers: peers('origin-read', 'read_p50_us_x_floor', ['hono-get', 'strata', 'peer']),
  },
  {
    area: 'origin',
    what: 'breaker opens after every cluster node hangs',
    figure: ref('breaker-open', 'cluster, all nodes hung · default rule', 'time_to_open_ms'),
    unit: 'ms',
    peers: [{ label: 'sampling rule alone', ref: ref('breaker-open', 'cluster, all nodes hung · sampling only (before)', 'time_to_open_ms') }],
  },
  {
    area: 'bundles',
    what: 'edge Worker, gzip (wrangler dry run)',
    figure: ref('bundles', 'edge', 'bundle_gzip_kib'),
    unit: 'KiB',
    goal: { op: '≤', value: EDGE_BUNDLE_LIMIT_KIB },
    peers: [{ label: 'raw', ref: ref('bundles', 'edge', 'bundle_kib') }],
  },
  {
    area: 'bundles',
    what: 'origin Lambda, loaded at init: entry and static chunks (esbuild, as the construct)',
    figure: ref('lambda', 'origin-lambda', 'bundle_bytes'),
    unit: 'bytes',
    goal: { op: '≤', value: ORIGIN_BUNDLE_MAX_BYTES },
    peers: [
      { label: 'gzip', ref: ref('lambda', 'origin-lambda', 'bundle_gzip_bytes') },
      { label: 'all chunks, lazy ones included', ref: ref('lambda', 'origin-lambda', 'bundle_all_bytes') },
    ],
  },
  {
    area: 'bundles',
    what: 'Lambda module init, import to ready (median), as deployed against local PostgreSQL and Redis',
    figure: ref('lambda', 'origin-lambda', 'init_ms'),
    unit: 'ms',
    goal: { op: '≤', value: LAMBDA_INIT_GOAL_MS },
    peers: [
      { label: 'max', ref: ref('lambda', 'origin-lambda', 'init_ms_max') },
      { label: 'CPU', ref: ref('lambda', 'origin-lambda', 'init_cpu_ms') },
      { label: 'then the first request', ref: ref('lambda', 'origin-lambda', 'first_request_ms') },
    ],
  },
];

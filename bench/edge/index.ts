/**
 * `npm run bench -- edge`: requests per second and p50/p99 latency through workerd, each Worker
 * served by Miniflare directly (wrangler dev's proxy would dominate) in front of an origin of
 * its own (`origin.ts`, in this process), loaded by `wrk` in a
 * process of its own (16 connections, one thread), every subject in the same interleaved rounds:
 *   floor          a bare Hono Worker answering the same body, no cache, no origin
 *   hono/cache     Hono's cache middleware as its docs configure it (the peer)
 *   strata         this edge (`edge/index.ts`), without Upstash (no purge versions, no rate limits)
 *   strata-no-memory-tier  the same without the per-isolate memory tier: every hit reads the
 *                  Cache API, as every `hono/cache` hit does
 *   strata+purge   this edge with purge versions in Upstash (the local REST endpoint over a
 *                  redis-server), as deployed; the per-address rate limit is off
 * Phases of a round: `hit_one_url` (one stored URL: strata's memory tier answers nearly all),
 * `hit_many_urls` (4096 stored URLs in turn: each comes back after more than the tier's 1 s
 * unless a subject serves over 4096 req/s; as the edge runs today its entries outlive that
 * second, see docs/benchmarks.md), `miss` (a new URL every request: the origin each time).
 * Every HIT path is stored before the rounds. Besides the figures, each slice records the CPU
 * wrk used, the CPU of the subject's workerd process and of this process (the origin), and the
 * machine's idle cores, in cores (CPU s / s), how many requests reached the origin, and the
 * workerd CPU per request: the cost of a request whatever share of a busy machine it was given
 * (Miniflare's Cache API runs in that same process, so it is counted).
 * Writes `bench/results/edge.json`.
 */
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import { bundleWorker as bundle } from '../../local/bundle-worker.ts';
import { startRedis } from '../../local/redis-processes.ts';
import { startUpstashServer } from '../../local/upstash/server.ts';
import { interleave, summarise } from '../rounds.ts';
import { writeRows, type Row } from '../rows.ts';
import { childPids, machineCpuSeconds, processCpuSeconds } from './cpu.ts';
import { startBenchOrigin, type BenchOrigin } from './origin.ts';
import { runWrk, type PathMode } from './wrk.ts';

const ROUNDS = 7;
const SLICE_SECONDS = 2;
const CONNECTIONS = 16;
const PAGES = 4096;
const PATH = '/v1/bench/public/projects';
const PHASES = ['hit_one_url', 'hit_many_urls', 'miss'] as const;
const UNITS = [
  ['_rps', 'req/s'],
  ['_per_request', 'ms CPU/request'],
  ['_ms', 'ms'],
  ['_requests', 'requests'],
] as const;

/** One Worker under test. */
interface EdgeSubject {
  name: string;
  base: URL;
  /** Its workerd process. */
  pid: number;
  mf: Miniflare;
  /** Its own origin, so requests still in flight from one subject's slice count for no other. */
  origin: BenchOrigin;
}

function pathsFor(phase: string, round: number): PathMode {
  if (phase === 'hit_one_url') return { mode: 'one' };
  if (phase === 'hit_many_urls') return { mode: 'cycle', count: PAGES };
  return { mode: 'fresh', prefix: `r${round}-${crypto.randomUUID().slice(0, 8)}` };
}

/** Asks `subject` for the one URL and every page, 16 requests at a time. */
async function requestAll(subject: EdgeSubject): Promise<void> {
  const paths = [PATH, ...Array.from({ length: PAGES }, (_, page) => `${PATH}?page=${page}`)];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < paths.length) {
        const response = await fetch(new URL(paths[next++]!, subject.base));
        await response.arrayBuffer();
        if (!response.ok) throw new Error(`${subject.name}: warm-up request failed: ${response.status}`);
      }
    }),
  );
}

/**
 * Stores every HIT path in `subject`: passes until one reaches the origin no more (a store can
 * be skipped, e.g. when the purge-version read timed out on this busy machine).
 */
async function warm(subject: EdgeSubject): Promise<void> {
  const { origin } = subject;
  for (let pass = 0; pass < 5; pass++) {
    const before = origin.requests();
    await requestAll(subject);
    if (origin.requests() === before) return;
  }
  throw new Error(`${subject.name}: still reaching the origin after five passes over the HIT paths`);
}

/** The table: per subject and phase, the figures beside their paired ratios. */
function print(rows: readonly Row[]): void {
  const value = (subject: string, metric: string) => rows.find((r) => r.subject === subject && r.metric === metric)?.value;
  const subjects = [...new Set(rows.map((r) => r.subject))];
  console.table(
    subjects.flatMap((subject) =>
      PHASES.map((phase) => ({
        subject,
        phase,
        'req/s': value(subject, `${phase}_rps`),
        '× floor': value(subject, `${phase}_rps_x_floor`),
        '× hono/cache': value(subject, `${phase}_rps_x_hono_cache`),
        'p50 / p99 ms': `${value(subject, `${phase}_p50_ms`)} / ${value(subject, `${phase}_p99_ms`)}`,
        'workerd CPU ms/req (× floor)': `${value(subject, `${phase}_worker_cpu_ms_per_request`)} (${value(subject, `${phase}_worker_cpu_ms_per_request_x_floor`)})`,
        'cores: wrk / workerd / origin / idle': ['loadgen_cpu', 'worker_cpu', 'bench_process_cpu', 'machine_idle']
          .map((m) => value(subject, `${phase}_${m}`))
          .join(' / '),
      })),
    ),
  );
}

export async function edge(): Promise<void> {
  const redis = await startRedis();
  const upstash = await startUpstashServer({ redisUrl: redis.url, token: 'bench-token' });
  const strata = await bundle('edge/index.ts');
  // Strata keys only the query parameters a route declares (#15): the bench's `page` and `fresh`
  // must be declared, or every page would be one entry and every MISS a hit.
  const routes = { ROUTE_POLICY: JSON.stringify([{ pattern: '/v1/:tenant/public/projects', mode: 'honor', cacheErrors: false, query: ['page', 'fresh'] }]) };
  const workers: [string, string, Record<string, string>][] = [
    ['floor', await bundle('bench/edge/workers/floor.ts'), {}],
    ['hono/cache', await bundle('bench/edge/workers/hono-cache.ts'), {}],
    ['strata', strata, routes],
    ['strata-no-memory-tier', await bundle('bench/edge/workers/strata-no-memory-tier.ts'), routes],
    // All the load comes from one address: the per-address rate limit (600 a minute unless set) is off.
    ['strata+purge', strata, { ...routes, UPSTASH_REDIS_REST_URL: upstash.url, UPSTASH_REDIS_REST_TOKEN: upstash.token, RATE_LIMIT_IP_PER_MINUTE: '0' }],
  ];
  const subjects: EdgeSubject[] = [];
  const origins: BenchOrigin[] = [];
  try {
    // One at a time, so each workerd process is known by the one that appeared with it.
    for (const [name, script, extra] of workers) {
      const before = new Set(childPids('workerd'));
      const origin = await startBenchOrigin();
      origins.push(origin);
      const bindings = { ORIGIN_URL: origin.url, ...extra };
      // The edge logs its decisions as the deployed one does; the lines themselves are dropped here.
      const mf = new Miniflare(
        convertV4MiniflareOptions({ script, modules: true, compatibilityDate: '2026-11-01', bindings, cf: false, handleStructuredLogs: () => {} }),
      );
      const base = await mf.ready;
      const pid = childPids('workerd').find((p) => !before.has(p));
      if (pid === undefined) throw new Error(`no workerd process found for ${name}`);
      subjects.push({ name, base, pid, mf, origin });
    }
    for (const subject of subjects) if (subject.name !== 'floor') await warm(subject);
    const samples = await interleave(subjects, {
      rounds: ROUNDS,
      phases: PHASES,
      measure: async (subject, phase, round) => {
        const { origin } = subject;
        const originBefore = origin.requests();
        const workerBefore = processCpuSeconds(subject.pid);
        const machineBefore = machineCpuSeconds();
        const ownBefore = process.cpuUsage();
        const started = performance.now();
        const result = await runWrk(new URL(PATH, subject.base).href, pathsFor(phase, round), CONNECTIONS, SLICE_SECONDS);
        const wallSeconds = (performance.now() - started) / 1000;
        const workerSeconds = processCpuSeconds(subject.pid) - workerBefore;
        const own = process.cpuUsage(ownBefore);
        const originRequests = origin.requests() - originBefore;
        // A HIT slice should not reach the origin; when it does, it is counted and reported.
        if (phase !== 'miss' && subject.name !== 'floor' && originRequests > 0)
          console.warn(`${subject.name}: ${originRequests} origin requests during ${phase} (round ${round})`);
        return {
          [`${phase}_rps`]: result.rps,
          [`${phase}_p50_ms`]: result.p50Ms,
          [`${phase}_p99_ms`]: result.p99Ms,
          [`${phase}_loadgen_cpu`]: result.cpuSeconds / result.durationSeconds,
          [`${phase}_worker_cpu`]: workerSeconds / wallSeconds,
          [`${phase}_worker_cpu_ms_per_request`]: (workerSeconds * 1000) / result.requests,
          [`${phase}_bench_process_cpu`]: (own.user + own.system) / 1e6 / wallSeconds,
          [`${phase}_machine_idle`]: (machineCpuSeconds().idle - machineBefore.idle) / wallSeconds,
          [`${phase}_origin_requests`]: originRequests,
        };
      },
    });
    const rows = summarise(samples, {
      unitOf: (metric) => UNITS.find(([suffix]) => metric.endsWith(suffix))?.[1] ?? 'cores',
      floors: ['floor', 'hono/cache'],
      ratioMetrics: PHASES.flatMap((phase) => [`${phase}_rps`, `${phase}_worker_cpu_ms_per_request`]),
      decimals: 2,
    });
    print(rows);
    await writeRows('edge', rows);
  } finally {
    await Promise.all(subjects.map(({ mf }) => mf.dispose()));
    await Promise.all(origins.map((origin) => origin.stop()));
    await upstash.stop();
    await redis.stop();
  }
}

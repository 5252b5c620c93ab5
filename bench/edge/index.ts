/**
 * `npm run bench -- edge`: requests per second and p50/p99 latency through workerd, served by
 * Miniflare directly (wrangler dev's proxy would dominate), interleaved in one run:
 *   floor      a bare Hono Worker returning a constant response
 *   hono/cache Hono's cache middleware in front of the origin (the peer)
 *   strata     this edge, without Upstash (no purge versions, no rate limits)
 *   strata+purge  this edge with purge versions in Upstash (the local REST endpoint over a
 *              redis-server), as deployed; the tenant's limit is unset, so no rate-limit calls
 * HIT: one URL, stored after a warm-up request. MISS: a new URL every request (origin each time).
 * Besides the medians, `hit_rps_x_floor` is the median over rounds of HIT req/s divided by the
 * floor's HIT req/s in the same round.
 * Writes `bench/results/edge.json` in the cache-engine row format.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import { bundleWorker as bundle } from '../../test/harness/bundle-worker.ts';
import { startFakeOrigin } from '../../test/harness/fake-origin.ts';
import { startRedis } from '../../test/harness/redis.ts';
import { startUpstashServer } from '../../local/upstash/server.ts';
import { median, pairedRatio, type Row } from '../rows.ts';

const ROUNDS = 9;
const SLICE_MS = 1500;
const CONCURRENCY = 16;

/** Runs `CONCURRENCY` request loops for a slice; requests/s and latency percentiles. */
async function load(base: URL, pathFor: (n: number) => string): Promise<{ rps: number; p50: number; p99: number }> {
  const latencies: number[] = [];
  let n = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() - started < SLICE_MS) {
        const t = performance.now();
        const response = await fetch(new URL(pathFor(n++), base));
        await response.arrayBuffer();
        if (!response.ok) throw new Error(`bench request failed: ${response.status}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { rps: (latencies.length * 1000) / (performance.now() - started), p50: at(0.5), p99: at(0.99) };
}

export async function edge(): Promise<void> {
  const origin = await startFakeOrigin();
  const redis = await startRedis();
  const upstash = await startUpstashServer({ redisUrl: redis.url, token: 'bench-token' });
  const compatibilityDate = '2026-11-01';
  const strata = await bundle('edge/index.ts');
  const workers: [string, string, Record<string, string>][] = [
    ['floor', await bundle('bench/edge/workers/floor.ts'), {}],
    ['hono/cache', await bundle('bench/edge/workers/hono-cache.ts'), {}],
    ['strata', strata, {}],
    // All the load comes from one address: the per-address rate limit (600 a minute unless set) is off.
    ['strata+purge', strata, { UPSTASH_REDIS_REST_URL: upstash.url, UPSTASH_REDIS_REST_TOKEN: upstash.token, RATE_LIMIT_IP_PER_MINUTE: '0' }],
  ];
  const instances = await Promise.all(
    workers.map(async ([name, script, extra]) => {
      const bindings = { ORIGIN_URL: origin.url, ...extra };
      const mf = new Miniflare(convertV4MiniflareOptions({ script, modules: true, compatibilityDate, bindings, cf: false }));
      return { name, mf, base: await mf.ready };
    }),
  );
  const samples = new Map<string, Record<string, number[]>>();
  const record = (name: string, metric: string, value: number) => {
    const byMetric = samples.get(name) ?? {};
    (byMetric[metric] ??= []).push(value);
    samples.set(name, byMetric);
  };
  try {
    for (const { base } of instances) await fetch(new URL('/v1/bench/public/projects', base)).then((r) => r.arrayBuffer());
    for (let round = 0; round < ROUNDS; round++) {
      // Each round runs every subject's HIT slice back to back, then the MISS slices, so the
      // HIT figures a ratio pairs are seconds apart, not minutes: this machine drifts by ±20 %.
      const order = instances.map((_, i) => instances[(i + round) % instances.length]!);
      for (const { name, base } of order) {
        const hit = await load(base, () => '/v1/bench/public/projects');
        record(name, 'hit_rps', hit.rps);
        record(name, 'hit_p50_ms', hit.p50);
        record(name, 'hit_p99_ms', hit.p99);
      }
      for (const { name, base } of order) {
        if (name === 'floor') continue;
        const miss = await load(base, (n) => `/v1/bench/public/projects?r=${round}-${n}`);
        record(name, 'miss_rps', miss.rps);
        record(name, 'miss_p50_ms', miss.p50);
        record(name, 'miss_p99_ms', miss.p99);
      }
    }
  } finally {
    await Promise.all(instances.map(({ mf }) => mf.dispose()));
    await origin.stop();
    await upstash.stop();
    await redis.stop();
  }
  const rows: Row[] = [...samples].flatMap(([subject, metrics]) =>
    Object.entries(metrics).map(([metric, values]) => ({
      subject,
      metric,
      value: Math.round(median(values) * 100) / 100,
      unit: metric.endsWith('_ms') ? 'ms' : 'req/s',
    })),
  );
  // The goal is a ratio: take it per round (the floor's HIT slice of the same round) and report
  // the median of those, which drift between rounds cannot move the way it moves raw medians.
  const floorByRound = samples.get('floor')!.hit_rps!;
  for (const [subject, metrics] of samples) {
    rows.push({ subject, metric: 'hit_rps_x_floor', value: pairedRatio(metrics.hit_rps!, floorByRound), unit: 'ratio' });
  }
  const floorHit = rows.find((r) => r.subject === 'floor' && r.metric === 'hit_rps')!.value;
  console.table(rows.map((r) => ({ ...r, '× floor': r.unit === 'req/s' ? (r.value / floorHit).toFixed(2) : '' })));
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/edge.json', `${JSON.stringify({ rows }, null, 2)}\n`);
  console.log('wrote bench/results/edge.json');
}

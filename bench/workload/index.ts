/**
 * `npm run bench -- workload [--seed N] [--requests N] [--warmup N] [--concurrency N]
 * [--tenants N] [--users N] [--projects N]`: a multi-tenant workload against the whole local
 * stack — the edge in `wrangler dev` (workerd), the origin's Node server, a 6-node Redis Cluster
 * (3 masters, 3 replicas), PGlite — seeded with a world of tenants, users and projects that Zipf
 * draws make uneven. A warm-up runs first and is not reported; then the measured requests.
 * Writes `bench/results/workload.json` (the shared row format) and prints the summary tables.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../../local/ports.ts';
import { startLocalStack } from '../../local/stack.ts';
import { logger } from '../../origin/log.ts';
import { writeRows } from '../rows.ts';
import { WorkloadClient } from './client.ts';
import { Collector } from './collector.ts';
import { FreshnessChecker, type FreshnessBounds } from './freshness.ts';
import { planRequests, type Planned } from './mix.ts';
import { difference, readOriginCounts } from './origin-metrics.ts';
import { progress } from './progress.ts';
import { readPurgeDeliveries } from './purges.ts';
import { measureRedisMemory } from './redis-memory.ts';
import { printSummary, workloadRows } from './report.ts';
import { buildWorld, seedWorld } from './world.ts';

/**
 * The documented bounds (ms after the acknowledgement of a write):
 * - edge: a purge reaches every isolate within 1.5 s once it landed (docs/edge.md, "Purge
 *   versions"), and the outbox delivers it right after the commit, within 1 s (the
 *   purge-latency goal, p99 ≤ 1 s): 2.5 s;
 * - origin: Redis serves the new value as soon as the write returns (docs/engine.md,
 *   "Freshness contract"): 0;
 * - config: its memory tier may hold a value 1 s (docs/engine.md): 1 s;
 * - session: a logout holds from the first request on (origin/sessions/store.ts): 0.
 */
export const FRESHNESS_BOUNDS: FreshnessBounds = { edge: 2500, origin: 0, config: 1000, session: 0 };

const DEFAULTS = { seed: 1, requests: 20_000, warmup: 5_000, concurrency: 16, tenants: 20, users: 25, projects: 20 };
type Options = typeof DEFAULTS;

/** Parses the command line; a bad value is an error that names it. */
export function parseWorkloadArgs(args: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...args],
    options: Object.fromEntries(Object.keys(DEFAULTS).map((name) => [name, { type: 'string' as const }])),
    strict: true,
    allowPositionals: false,
  });
  const options = { ...DEFAULTS };
  for (const name of Object.keys(DEFAULTS) as (keyof Options)[]) {
    const text = values[name];
    if (text === undefined) continue;
    const value = Number(text);
    const least = name === 'warmup' || name === 'seed' ? 0 : 1;
    if (!Number.isInteger(value) || value < least) throw new Error(`--${name} must be an integer ≥ ${least}, got ${JSON.stringify(text)}`);
    options[name] = value;
  }
  return options;
}

async function runPlan(plan: readonly Planned[], concurrency: number, client: WorkloadClient, label: string): Promise<void> {
  const bar = progress(label, plan.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < plan.length) {
      await client.run(plan[next++]!);
      bar.tick(++done);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, plan.length) }, worker));
  } finally {
    bar.stop();
  }
}

export async function workload(...args: string[]): Promise<void> {
  const options = parseWorkloadArgs(args);
  // Ctrl-C: exit, so the exit handlers of local/ kill the Redis servers and wrangler's group.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  logger.setLogLevel('ERROR');
  const world = buildWorld({ tenants: options.tenants, usersPerTenant: options.users, projectsPerTenant: options.projects });
  const plan = planRequests(options.seed, options.warmup + options.requests, world);
  const dataDir = await mkdtemp(join(tmpdir(), 'strata-workload-'));
  try {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, EDGE_PORT: String(await freePort()), ORIGIN_PORT: '0', PGLITE_DIR: 'memory://' };
    const stack = await startLocalStack({
      env,
      dataDir,
      output: process.env.WORKLOAD_EDGE_OUTPUT === 'inherit' ? 'inherit' : 'ignore',
      edgePersistTo: join(dataDir, 'edge'),
      redisCluster: true,
    });
    try {
      const cluster = stack.processes.cluster;
      if (!cluster) throw new Error('the stack did not start its Redis Cluster');
      await seedWorld(stack.services.db, world);
      const began = new Date();
      console.log(
        `workload: seed ${options.seed}, ${world.length} tenants × ${options.users} users × ${options.projects} projects; ${options.warmup} warm-up then ${options.requests} measured requests, ${options.concurrency} at a time`,
      );
      const collector = new Collector();
      const checker = new FreshnessChecker(FRESHNESS_BOUNDS);
      const client = new WorkloadClient({ edgeUrl: stack.edgeUrl, world, collector, checker });
      if (options.warmup > 0) await runPlan(plan.slice(0, options.warmup), options.concurrency, client, 'warm-up');
      const before = await readOriginCounts(stack.originUrl);
      collector.start(performance.now());
      await runPlan(plan.slice(options.warmup), options.concurrency, client, 'workload');
      collector.stop(performance.now());
      const origin = difference(await readOriginCounts(stack.originUrl), before);
      const memory = await measureRedisMemory(cluster.nodes.map((node) => node.url));
      // Purges still in flight get their chance to land before the outbox is read.
      await stack.services.outbox.idle(5000);
      const purges = await readPurgeDeliveries(stack.services.db, began);
      const rows = workloadRows({ options, collector, origin, checker, memory, purges });
      printSummary(rows, checker);
      for (const error of purges.errors) console.log(`  purge still waiting: ${error}`);
      await writeRows('workload', rows);
    } finally {
      await stack.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

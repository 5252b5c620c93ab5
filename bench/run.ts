/**
 * `npm run bench -- <name>`: runs one benchmark; without a name, lists them.
 */
import { breakerOpen } from './breaker-open/index.ts';
import { cacheEngine } from './cache-engine/index.ts';
import { edge } from './edge/index.ts';
import { originRead } from './origin-read.ts';
import { purgeLatency } from './purge-latency.ts';
import { workload } from './workload/index.ts';

const BENCHMARKS: Record<string, { about: string; run: (...args: string[]) => Promise<void> }> = {
  'breaker-open': { about: 'time for the breaker to open when Redis hangs (SIGSTOP) under a steady read load, and reads that waited a full timeout', run: breakerOpen },
  'cache-engine': { about: 'get-hit, stampede and tag invalidation against a raw GET floor, bentocache, cache-manager, cachified and KEYS+DEL', run: cacheEngine },
  edge: { about: 'edge HIT and MISS req/s and latency through workerd against a bare Hono floor and hono/cache', run: edge },
  'purge-latency': { about: 'acknowledged write to fresh read at the edge in the dev stack, p50/p99 over 200 writes ([writes])', run: purgeLatency },
  workload: { about: 'a Zipf-skewed multi-tenant mix through edge → origin → 6-node Redis Cluster → PGlite: hit ratios against the targets, latency, memory, freshness ([--seed N] [--requests N] [--concurrency N])', run: workload },
  'origin-read': { about: 'a public list read at the origin: Redis hit vs raw GET floor, a naive peer and PostgreSQL', run: originRead },
};

const name = process.argv[2];
const benchmark = name ? BENCHMARKS[name] : undefined;
if (!benchmark) {
  console.log('usage: npm run bench -- <name>\n');
  for (const [key, { about }] of Object.entries(BENCHMARKS)) console.log(`  ${key.padEnd(14)} ${about}`);
  process.exit(name ? 1 : 0);
}
await benchmark.run(...process.argv.slice(3));

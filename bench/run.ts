/**
 * `npm run bench`: every benchmark, each in a process of its own, one after another, then
 * `bench/results/summary.md` from their results; the machine and each run's load go to
 * `bench/results/machine.json`. `npm run bench -- <name> [args]` runs one; `-- all <name>…`
 * runs those the same way, then the summary; `-- list` lists them; `-- summary` writes the
 * summary from the results already there.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { breakerOpen } from './breaker-open/index.ts';
import { bundles } from './bundles/index.ts';
import { cacheEngine } from './cache-engine/index.ts';
import { chaos } from './chaos/index.ts';
import { edge } from './edge/index.ts';
import { lambda } from './lambda.ts';
import { originRead } from './origin-read.ts';
import { purgeLatency } from './purge-latency.ts';
import { describeMachine, loadNow, withRun, type MachineFile, type RunRecord } from './summary/machine.ts';
import { MACHINE_FILE, RESULTS_DIR, summary } from './summary/index.ts';
import { workload } from './workload/index.ts';

const BENCHMARKS: Record<string, { about: string; run: (...args: string[]) => Promise<void> }> = {
  'breaker-open': {
    about: 'time for the breaker to open when Redis hangs (SIGSTOP) under a steady read load, and reads that waited a full timeout',
    run: breakerOpen,
  },
  'cache-engine': {
    about: 'get-hit, stampede and tag invalidation against a raw GET floor, bentocache, cache-manager, cachified and KEYS+DEL',
    run: cacheEngine,
  },
  chaos: {
    about: 'faults injected into the dev stack (6-node cluster) under a mixed load: errors, time to recover, stale reads, data lost ([fault,fault…])',
    run: chaos,
  },
  edge: { about: 'edge HIT and MISS req/s and latency through workerd against a bare Hono floor and hono/cache', run: edge },
  lambda: { about: 'the origin Lambda bundle: size (raw, gzip, by package) and module init against the local PostgreSQL ([runs])', run: lambda },
  'purge-latency': { about: 'acknowledged write to fresh read at the edge in the dev stack, p50/p99 over 200 writes ([writes])', run: purgeLatency },
  'origin-read': { about: 'a public list read at the origin: Redis hit vs raw GET floor, a naive peer and PostgreSQL', run: originRead },
  workload: {
    about:
      'a Zipf-skewed multi-tenant mix through edge → origin → 6-node Redis Cluster → PGlite: hit ratios against the targets, latency, memory, freshness ([--seed N] [--requests N] [--concurrency N])',
    run: workload,
  },
  bundles: { about: 'the edge Worker as deployed, raw and gzip (wrangler dry run), against its 64 KiB limit', run: bundles },
};

function readMachineFile(): Promise<MachineFile | undefined> {
  return readFile(`${RESULTS_DIR}/${MACHINE_FILE}`, 'utf8').then(
    (text) => JSON.parse(text) as MachineFile,
    () => undefined,
  );
}

// Set for the benchmarks `runAll` starts: it records their runs itself.
const IN_FULL_RUN = 'STRATA_BENCH_IN_FULL_RUN';

/**
 * Runs one benchmark and, unless `runAll` started it, records the run in `machine.json` in place
 * of the one that wrote its results before, so the summary gives the load beside every file.
 */
async function runOne(name: string, args: string[]): Promise<void> {
  if (process.env[IN_FULL_RUN] === '1') return BENCHMARKS[name]!.run(...args);
  const startedAt = new Date();
  const loadBefore = loadNow();
  let ok = false;
  try {
    await BENCHMARKS[name]!.run(...args);
    ok = true;
  } finally {
    const earlier = await readMachineFile();
    const run: RunRecord = {
      name,
      startedAt: startedAt.toISOString().slice(0, 19),
      seconds: (Date.now() - startedAt.getTime()) / 1000,
      ok,
      loadBefore,
      loadAfter: loadNow(),
      ...(args.length > 0 ? { args } : {}),
    };
    await mkdir(RESULTS_DIR, { recursive: true });
    await writeFile(`${RESULTS_DIR}/${MACHINE_FILE}`, `${JSON.stringify({ machine: describeMachine(), runs: withRun(earlier?.runs ?? [], run) }, null, 2)}\n`);
  }
}

async function runAll(names: readonly string[]): Promise<void> {
  const unknown = names.filter((name) => !BENCHMARKS[name]);
  if (unknown.length > 0) throw new Error(`no benchmark named ${unknown.join(', ')} (npm run bench -- list)`);
  const runs: RunRecord[] = [];
  const machine = describeMachine();
  await mkdir(RESULTS_DIR, { recursive: true });
  // The records of benchmarks this run leaves alone stay beside their results files.
  let recorded = (await readMachineFile())?.runs ?? [];
  for (const name of names) {
    const startedAt = new Date();
    const loadBefore = loadNow();
    console.log(`\n=== ${name} (load average ${loadBefore})`);
    const child = spawn(process.execPath, [process.argv[1]!, name], { stdio: 'inherit', env: { ...process.env, [IN_FULL_RUN]: '1' } });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const run: RunRecord = {
      name,
      startedAt: startedAt.toISOString().slice(0, 19),
      seconds: (Date.now() - startedAt.getTime()) / 1000,
      ok: code === 0,
      loadBefore,
      loadAfter: loadNow(),
    };
    runs.push(run);
    recorded = withRun(recorded, run);
    await writeFile(`${RESULTS_DIR}/${MACHINE_FILE}`, `${JSON.stringify({ machine, runs: recorded }, null, 2)}\n`);
  }
  await summary();
  const failed = runs.filter((run) => !run.ok).map((run) => run.name);
  if (failed.length > 0) {
    console.error(`failed: ${failed.join(', ')} (their rows in the summary are from an earlier run, or "not run")`);
    process.exitCode = 1;
  }
}

const [name, ...args] = process.argv.slice(2);
if (name === undefined) {
  await runAll(Object.keys(BENCHMARKS));
} else if (name === 'all') {
  await runAll(args.length > 0 ? args : Object.keys(BENCHMARKS));
} else if (name === 'summary') {
  await summary();
} else if (BENCHMARKS[name]) {
  await runOne(name, args);
} else {
  console.log('usage: npm run bench [-- <name> [args] | -- all [<name>…] | -- summary | -- list]\n');
  for (const [key, { about }] of Object.entries(BENCHMARKS)) console.log(`  ${key.padEnd(14)} ${about}`);
  console.log(`  ${'summary'.padEnd(14)} bench/results/summary.md from the results already there`);
  process.exit(name === 'list' ? 0 : 1);
}

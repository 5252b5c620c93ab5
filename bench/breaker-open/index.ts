/**
 * `npm run bench -- breaker-open`: how long reads wait when Redis hangs. A steady read load runs
 * through the engine (hits), then every server is stopped with SIGSTOP (connections stay open,
 * nothing answers) — or one cluster master only. Reported per scenario: how long after the
 * hang the breaker opened, how many reads waited a full command timeout before going to the
 * source, how reads fared in that first second, and how long after SIGCONT it closed again.
 * Each rule runs on servers of its own. Writes `bench/results/breaker-open.json`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { resourceKey } from '../../common/keys.ts';
import { CacheEngine, createBreaker, createRedisClusterStore, createRedisStore, DEFAULT_BREAKER, type BreakerOptions } from '../../origin/cache/index.ts';
import { startRedis, startRedisCluster, type RedisProcess } from '../../local/redis-processes.ts';
import { median, type Row } from '../rows.ts';
import { startReadLoad, type ReadRecord } from './load.ts';

// The origin's defaults (`REDIS_COMMAND_TIMEOUT_MS`, `REDIS_CONNECT_TIMEOUT_MS`).
const COMMAND_TIMEOUT_MS = 500;
const CONNECT_TIMEOUT_MS = 1000;
const LOAD = { readsPerSecond: 1000, sourceMs: 2 };
const KEYS = 512;
// Long enough to fill the sampling window: a process that has served hits for a while.
const WARM_MS = DEFAULT_BREAKER.rollingCountTimeoutMs;
// Longer than the sampling rule alone took to open (5–6 s here), so both rules open within it.
const HANG_MS = 7_000;
const RECOVERY_MAX_MS = 15_000;

/** One run: where Redis runs, what hangs, and the breaker's rule. */
interface Scenario {
  name: string;
  cluster: boolean;
  hang: 'every server' | 'one master';
  breaker: BreakerOptions;
}

// The rule before the failure streak was added.
const SAMPLING_ONLY: BreakerOptions = { ...DEFAULT_BREAKER, consecutiveFailures: Infinity };

const SCENARIOS: Scenario[] = [
  { name: 'standalone hung · sampling only (before)', cluster: false, hang: 'every server', breaker: SAMPLING_ONLY },
  { name: 'standalone hung · default rule', cluster: false, hang: 'every server', breaker: DEFAULT_BREAKER },
  { name: 'cluster, all nodes hung · sampling only (before)', cluster: true, hang: 'every server', breaker: SAMPLING_ONLY },
  { name: 'cluster, all nodes hung · default rule', cluster: true, hang: 'every server', breaker: DEFAULT_BREAKER },
  { name: 'cluster, one master hung · sampling only (before)', cluster: true, hang: 'one master', breaker: SAMPLING_ONLY },
  { name: 'cluster, one master hung · default rule', cluster: true, hang: 'one master', breaker: DEFAULT_BREAKER },
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (value: number) => Math.round(value);
const p99 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.99)] ?? Number.NaN;

async function standaloneServer(): Promise<{ nodes: RedisProcess[]; seeds: string; stop(): Promise<void> }> {
  const server = await startRedis();
  return { nodes: [server], seeds: '', stop: () => server.stop() };
}

async function masters(nodes: readonly RedisProcess[]): Promise<RedisProcess[]> {
  const roles = await Promise.all(
    nodes.map(async (node) => {
      const client = new Redis(node.url, { protocol: 2 });
      const [role] = (await client.role()) as [string];
      client.disconnect();
      return role;
    }),
  );
  return nodes.filter((_, i) => roles[i] === 'master');
}

/** Runs one scenario and returns its figures. */
async function runScenario(scenario: Scenario): Promise<Record<string, number>> {
  const timeouts = { commandTimeoutMs: COMMAND_TIMEOUT_MS, connectTimeoutMs: CONNECT_TIMEOUT_MS };
  const servers = scenario.cluster ? await startRedisCluster() : await standaloneServer();
  const store = scenario.cluster
    ? createRedisClusterStore({ nodes: servers.seeds.split(',').map((seed) => ({ host: '127.0.0.1', port: Number(seed.split(':')[1]) })), ...timeouts })
    : createRedisStore({ url: servers.nodes[0]!.url, ...timeouts });
  const hung = scenario.hang === 'one master' ? (await masters(servers.nodes)).slice(0, 1) : servers.nodes;
  await store.connect();
  const engine = new CacheEngine({ store, breaker: createBreaker(scenario.breaker) });
  await engine.start();
  // Keys of many tenants, so a cluster spreads them over every master.
  const entries = Array.from({ length: KEYS }, (_, i) => ({ key: resourceKey(`bench-${i}`, 'project', 'p1'), tenant: `bench-${i}` }));
  const load = startReadLoad(engine, entries, LOAD);
  let pausedAt = Number.NaN;
  let openedAt = Number.NaN;
  let resumedAt = Number.NaN;
  let closedAt = Number.NaN;
  let opens = 0;
  let last = engine.breakerState();
  load.onTick(() => {
    const state = engine.breakerState();
    if (state !== 'closed' && last === 'closed' && !Number.isNaN(pausedAt) && Number.isNaN(resumedAt)) {
      opens++;
      if (Number.isNaN(openedAt)) openedAt = load.now();
    }
    if (state === 'closed' && !Number.isNaN(resumedAt) && Number.isNaN(closedAt)) closedAt = load.now();
    last = state;
  });
  try {
    await sleep(WARM_MS);
    pausedAt = load.now();
    for (const node of hung) node.pause();
    await sleep(HANG_MS);
    for (const node of hung) node.resume();
    resumedAt = load.now();
    while (Number.isNaN(closedAt) && load.now() - resumedAt < RECOVERY_MAX_MS) await sleep(50);
  } finally {
    for (const node of hung) node.resume();
    await load.stop();
    await engine.close();
    await store.close();
    await servers.stop();
  }
  return figures(load.records, pausedAt, openedAt, resumedAt, closedAt, opens);
}

function figures(records: ReadRecord[], pausedAt: number, openedAt: number, resumedAt: number, closedAt: number, opens: number): Record<string, number> {
  const before = records.filter((r) => r.startedMs >= pausedAt - 1000 && r.startedMs < pausedAt);
  const hang = records.filter((r) => r.startedMs >= pausedAt && r.startedMs < resumedAt);
  const firstSecond = hang.filter((r) => r.startedMs < pausedAt + 1000);
  const took = (list: ReadRecord[]) => list.map((r) => r.tookMs);
  return {
    time_to_open_ms: round(openedAt - pausedAt),
    opens,
    hang_ms: round(resumedAt - pausedAt),
    reads_during_hang: hang.length,
    reads_waited_full_timeout: hang.filter((r) => r.tookMs >= COMMAND_TIMEOUT_MS).length,
    reads_from_redis_during_hang: hang.filter((r) => r.status === 'hit' || r.status === 'stale').length,
    read_errors: records.filter((r) => r.status === 'error').length,
    before_p50_ms: Number(median(took(before)).toFixed(2)),
    first_second_p50_ms: Number(median(took(firstSecond)).toFixed(2)),
    first_second_p99_ms: Number(p99(took(firstSecond)).toFixed(2)),
    time_to_close_after_resume_ms: round(closedAt - resumedAt),
  };
}

export async function breakerOpen(): Promise<void> {
  const rows: Row[] = [];
  const table: Record<string, Record<string, number>> = {};
  for (const scenario of SCENARIOS) {
    const result = await runScenario(scenario);
    table[scenario.name] = result;
    for (const [metric, value] of Object.entries(result))
      rows.push({ subject: scenario.name, metric, value, unit: metric.endsWith('_ms') ? 'ms' : metric === 'opens' ? 'count' : 'reads' });
    console.log(scenario.name, result);
  }
  console.table(table);
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/breaker-open.json', `${JSON.stringify({ load: LOAD, commandTimeoutMs: COMMAND_TIMEOUT_MS, rows }, null, 2)}\n`);
  console.log('wrote bench/results/breaker-open.json');
}

/**
 * `npm run bench -- chaos [fault,fault…]`: the local stack (wrangler dev, the origin's Node
 * server and outbox, a 6-node Redis cluster, the local Upstash endpoint, and a PostgreSQL server
 * of its own when the binaries are here — else, with `DATABASE_URL`, a database of its own on
 * that server, else PGlite) under a bounded mixed load, with each
 * fault injected while the load runs. Reports per fault the errors clients saw, the time to
 * recover, stale reads, and what was lost. Writes `bench/results/chaos.json`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack } from '../../local/stack.ts';
import { logger } from '../../origin/log.ts';
import { writeRows, type Row } from '../rows.ts';
import { allFaults, POSTGRES_FAULTS } from './faults.ts';
import { chaosStackEnv, startChaosPostgres, type ChaosPostgres } from './postgres.ts';
import { CHAOS_EDGE_VARS, runChaos, type FaultResult } from './run.ts';

function rowsOf(result: FaultResult): Row[] {
  const subject = result.name;
  const rows: Row[] = [
    { subject, metric: 'requests', value: result.requests, unit: 'requests' },
    ...(result.verdict
      ? [
          { subject, metric: 'lift_ms', value: result.liftMs, unit: 'ms' },
          { subject, metric: 'recovered', value: result.recoverMs === undefined ? 0 : 1, unit: 'boolean' },
        ]
      : []),
    ...(result.recoverMs === undefined || result.injectToRecoverMs === undefined
      ? []
      : [
          { subject, metric: 'time_to_recover_ms', value: result.recoverMs, unit: 'ms' },
          { subject, metric: 'inject_to_recover_ms', value: result.injectToRecoverMs, unit: 'ms' },
        ]),
    { subject, metric: 'latency_p50_ms', value: result.latency.p50, unit: 'ms' },
    { subject, metric: 'latency_p99_ms', value: result.latency.p99, unit: 'ms' },
    { subject, metric: 'latency_max_ms', value: result.latency.max, unit: 'ms' },
    { subject, metric: 'errors', value: Object.values(result.errors).reduce((a, b) => a + b, 0), unit: 'requests' },
    { subject, metric: 'edge_5xx', value: result.edge5xx, unit: 'requests' },
    { subject, metric: 'edge_served_stale_if_error', value: result.edgeStaleIfError, unit: 'requests' },
    { subject, metric: 'stale_edge_reads_beyond_bound', value: result.staleEdgeReadsBeyondBound, unit: 'requests' },
    { subject, metric: 'stale_origin_reads', value: result.staleOriginReads, unit: 'requests' },
    { subject, metric: 'purge_deliveries_failed', value: result.purgeDeliveriesFailed, unit: 'deliveries' },
  ];
  for (const [key, value] of Object.entries(result.errors)) rows.push({ subject, metric: `errors_${key.replace(':', '_')}`, value, unit: 'requests' });
  for (const [metric, value] of Object.entries(result.verdict ?? {}))
    rows.push({ subject, metric, value, unit: metric === 'sessions_checked' ? 'sessions' : 'count' });
  return rows;
}

function tableOf(results: readonly FaultResult[]): Record<string, Record<string, string | number>> {
  const table: Record<string, Record<string, string | number>> = {};
  for (const r of results) {
    table[r.name] = {
      lift_ms: r.liftMs,
      recover_ms: r.recoverMs ?? (r.verdict ? 'none' : '-'),
      requests: r.requests,
      'p50/p99/max_ms': `${r.latency.p50}/${r.latency.p99}/${r.latency.max}`,
      errors:
        Object.entries(r.errors)
          .map(([key, value]) => `${key}×${value}`)
          .join(' ') || '0',
      edge_5xx: r.edge5xx,
      sie_served: r.edgeStaleIfError,
      stale_edge: r.staleEdgeReadsBeyondBound,
      stale_origin: r.staleOriginReads,
      writes_lost: r.verdict?.acknowledged_writes_lost ?? '-',
      sessions_lost: r.verdict ? `${r.verdict.sessions_lost}/${r.verdict.sessions_checked}` : '-',
      purges_failed: r.purgeDeliveriesFailed,
      purges_pending: r.verdict?.purges_pending ?? '-',
      edge_stale_after: r.verdict?.edge_stale_after_recovery ?? '-',
    };
  }
  return table;
}

export async function chaos(faultsArg?: string): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  const wanted = faultsArg?.split(',');
  logger.setLogLevel('CRITICAL');
  const loadBefore = loadavg()[0]!;
  const dataDir = await mkdtemp(join(tmpdir(), 'strata-chaos-'));
  let postgres: ChaosPostgres | undefined;
  let stack: LocalStack | undefined;
  // Ctrl-C mid-run: stop what was started (a stopped Redis resumed first), then PostgreSQL.
  const interrupted = async () => {
    console.log('chaos: interrupted; stopping the stack');
    await stack?.stop();
    await postgres?.close().catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  try {
    // Only a fault by name that the stack cannot have is refused before anything starts.
    const known = allFaults('private').map((f) => f.name);
    const unknown = (wanted ?? []).filter((name) => !known.includes(name));
    if (unknown.length > 0) throw new Error(`unknown fault(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
    postgres = await startChaosPostgres(serverUrl);
    if (postgres?.kind === 'private' && serverUrl) console.log('chaos: DATABASE_URL is not used: the benchmark runs a PostgreSQL server of its own to restart');
    const available = allFaults(postgres?.kind);
    const missing = (wanted ?? []).filter((name) => !available.some((f) => f.name === name));
    if (missing.length > 0)
      throw new Error(
        `${missing.join(', ')} cannot run here: ${missing.map((name) => `${name} needs ${POSTGRES_FAULTS[name]?.map((kind) => (kind === 'private' ? 'the PostgreSQL binaries (initdb, postgres)' : 'DATABASE_URL')).join(' or ')}`).join('; ')}`,
      );
    const faults = wanted ? available.filter((f) => wanted.includes(f.name)) : available;
    const env = await chaosStackEnv(postgres);
    console.log(`chaos: starting the stack (6-node Redis cluster, ${postgres?.description ?? 'PGlite'}); load average ${loadBefore.toFixed(1)}`);
    const started = await startLocalStack({
      env,
      dataDir,
      output: process.env.CHAOS_EDGE_OUTPUT === 'inherit' ? 'inherit' : 'ignore',
      edgePersistTo: join(dataDir, 'edge'),
      redisCluster: true,
      edgeVars: CHAOS_EDGE_VARS,
    });
    stack = started;
    let results: FaultResult[];
    try {
      results = await runChaos(started, { faults, ...(postgres ? { postgres } : {}), log: (line) => console.log(line) });
    } finally {
      stack = undefined;
      await started.stop();
    }
    const loadAfter = loadavg()[0]!;
    console.log(
      `\nchaos: ${faults.length} faults under a mixed load of 4 clients; load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after`,
    );
    console.table(tableOf(results));
    for (const r of results.filter((result) => result.edge5xx > 0)) console.log(`${r.name}: the edge's Cache-Status on its 5xx:`, r.edge5xxCacheStatus);
    const rows = results.flatMap(rowsOf);
    rows.push(
      { subject: 'machine', metric: 'load_average_1m_start', value: loadBefore, unit: 'load' },
      { subject: 'machine', metric: 'load_average_1m_end', value: loadAfter, unit: 'load' },
    );
    const lost = results.filter(
      (r) =>
        r.verdict &&
        (r.verdict.acknowledged_writes_lost > 0 || r.verdict.sessions_lost > 0 || r.verdict.purges_pending > 0 || r.verdict.edge_stale_after_recovery > 0),
    );
    console.log(lost.length === 0 ? 'nothing acknowledged was lost: writes, sessions and purges' : `LOST under: ${lost.map((r) => r.name).join(', ')}`);
    await writeRows('chaos', rows);
  } finally {
    process.off('SIGINT', interrupted);
    await postgres?.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

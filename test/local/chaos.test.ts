/**
 * Faults of `npm run bench -- chaos` as assertions, on the dev stack with its own 6-node Redis
 * cluster and the bench's mixed load running throughout: the origin stopped (the edge serves
 * its stored public responses within stale-if-error: no 5xx), a cluster master killed with
 * SIGKILL, and — where the PostgreSQL binaries are installed — the stack's own PostgreSQL
 * server crashed and started again (nothing acknowledged is lost: writes, sessions, purges).
 * Without the binaries the stack runs on PGlite and the crash is skipped; the machine's own
 * PostgreSQL server is never used. The edge being down while purges queue is covered by
 * `dev-stack.test.ts`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allFaults } from '../../bench/chaos/faults.ts';
import { chaosStackEnv, startChaosPostgres, type ChaosPostgres } from '../../bench/chaos/postgres.ts';
import { CHAOS_EDGE_VARS, runChaos, type FaultResult } from '../../bench/chaos/run.ts';
import { findPostgresBinaries } from '../../local/postgres-server.ts';
import { startLocalStack, type LocalStack } from '../../local/stack.ts';
import { logger } from '../../origin/log.ts';

const withPostgres = findPostgresBinaries() !== undefined;
const NOTHING_LOST = { acknowledged_writes_lost: 0, origin_stale_after_recovery: 0, purges_pending: 0, edge_stale_after_recovery: 0, sessions_lost: 0 };

describe('chaos under load on the dev stack', () => {
  let stack: LocalStack;
  let postgres: ChaosPostgres | undefined;
  let dataDir: string;
  let results: FaultResult[];
  const result = (name: string) => results.find((r) => r.name === name)!;

  beforeAll(async () => {
    // Failed deliveries and degraded caches are what this test causes: their warnings are not output.
    logger.setLogLevel('CRITICAL');
    dataDir = await mkdtemp(join(tmpdir(), 'strata-chaos-test-'));
    // Its own server, never DATABASE_URL's: without the binaries it is PGlite.
    postgres = withPostgres ? await startChaosPostgres(undefined) : undefined;
    const env = await chaosStackEnv(postgres);
    stack = await startLocalStack({ env, dataDir, output: 'ignore', edgePersistTo: join(dataDir, 'edge'), redisCluster: true, edgeVars: CHAOS_EDGE_VARS });
    const wanted = ['origin-down', 'redis-master-kill', 'postgres-crash'];
    const faults = allFaults(postgres?.kind).filter((fault) => wanted.includes(fault.name));
    results = await runChaos(stack, { faults, ...(postgres ? { postgres } : {}), maxMs: 5 * 60_000 });
  }, 400_000);
  afterAll(async () => {
    await stack?.stop();
    await postgres?.close();
    await rm(dataDir, { recursive: true, force: true });
    logger.setLogLevel('INFO');
  });

  it('ran a clean baseline under the load before any fault', () => {
    expect(result('baseline')).toMatchObject({ errors: {}, staleEdgeReadsBeyondBound: 0, staleOriginReads: 0 });
    expect(result('baseline').requests).toBeGreaterThan(20);
  });

  it('origin stopped: the edge answers every public read, stale within stale-if-error, and no 5xx', () => {
    const down = result('origin-down');
    expect(down.edge5xx).toBe(0);
    expect(Object.keys(down.errors).filter((key) => key.startsWith('edge-read:'))).toEqual([]);
    expect(down.edgeStaleIfError).toBeGreaterThan(0);
    // The origin itself was down for its own clients: they saw it.
    expect(Object.keys(down.errors).some((key) => key.endsWith(':0'))).toBe(true);
    expect(down.recoverMs).toBeDefined();
    expect(down.verdict).toMatchObject(NOTHING_LOST);
  });

  it('a master killed with SIGKILL: failover, and no acknowledged write, session or purge lost', () => {
    const killed = result('redis-master-kill');
    expect(killed.recoverMs).toBeDefined();
    expect(killed.staleOriginReads).toBe(0);
    expect(killed.verdict).toMatchObject(NOTHING_LOST);
    expect(killed.verdict!.sessions_checked).toBeGreaterThan(0);
  });

  it.skipIf(!withPostgres)('PostgreSQL crashed (kill -9) and restarted: clients get 503 meanwhile, then service; nothing acknowledged lost', () => {
    const crash = result('postgres-crash');
    expect(crash.recoverMs).toBeDefined();
    // The database was down for the clients that needed it, and the origin said so with 503,
    // never a 500 nor a dropped connection.
    expect(crash.errors['write:503']).toBeGreaterThan(0);
    expect(Object.keys(crash.errors).filter((key) => !key.endsWith(':503'))).toEqual([]);
    expect(crash.staleOriginReads).toBe(0);
    expect(crash.verdict).toMatchObject(NOTHING_LOST);
    expect(crash.verdict!.sessions_checked).toBeGreaterThan(0);
  });
});

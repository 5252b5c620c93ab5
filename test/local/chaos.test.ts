/**
 * Two faults of `npm run bench -- chaos` as assertions, on the dev stack with its own 6-node
 * Redis cluster and the bench's mixed load running throughout: the origin stopped (the edge
 * serves its stored public responses within stale-if-error: no 5xx) and a cluster master
 * killed with SIGKILL (nothing acknowledged is lost: writes, sessions, purges). The edge
 * being down while purges queue is covered by `dev-stack.test.ts`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allFaults } from '../../bench/chaos/faults.ts';
import { CHAOS_EDGE_VARS, runChaos, type FaultResult } from '../../bench/chaos/run.ts';
import { freePort } from '../../local/ports.ts';
import { startLocalStack, type LocalStack } from '../../local/stack.ts';
import { logger } from '../../origin/log.ts';

const NOTHING_LOST = { acknowledged_writes_lost: 0, origin_stale_after_recovery: 0, purges_pending: 0, edge_stale_after_recovery: 0, sessions_lost: 0 };

describe('chaos under load on the dev stack', () => {
  let stack: LocalStack;
  let dataDir: string;
  let results: FaultResult[];
  const result = (name: string) => results.find((r) => r.name === name)!;

  beforeAll(async () => {
    // Failed deliveries and degraded caches are what this test causes: their warnings are not output.
    logger.setLogLevel('CRITICAL');
    dataDir = await mkdtemp(join(tmpdir(), 'strata-chaos-test-'));
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, EDGE_PORT: String(await freePort()), ORIGIN_PORT: '0', PGLITE_DIR: 'memory://' };
    stack = await startLocalStack({ env, dataDir, output: 'ignore', edgePersistTo: join(dataDir, 'edge'), redisCluster: true, edgeVars: CHAOS_EDGE_VARS });
    const faults = allFaults(undefined).filter((fault) => fault.name === 'origin-down' || fault.name === 'redis-master-kill');
    results = await runChaos(stack, { faults, maxMs: 5 * 60_000 });
  }, 400_000);
  afterAll(async () => {
    await stack?.stop();
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
});

/**
 * A local Redis Cluster for the stack (`DEV_REDIS_CLUSTER=1` or the `redisCluster` option): six
 * `redis-server` children (3 masters, 3 replicas, `redis-cli --cluster create`) on free loopback
 * ports, each with a throw-away folder for its `nodes.conf`, so a node restarted after `kill -9`
 * rejoins the cluster it belonged to (as a replica once its replica was promoted). No data is
 * persisted: what a restarted master held is gone, as a cache may lose it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freeClusterPorts } from './ports.ts';
import { startRedisChild, type RedisChild } from './redis-server.ts';

const run = promisify(execFile);

/** A running cluster. */
export interface LocalRedisCluster {
  readonly nodes: readonly RedisChild[];
  /** `host:port,...` of every node, as `REDIS_CLUSTER_NODES` takes it. */
  readonly seeds: string;
  /** The nodes that are masters now (a failover changes them). */
  masters(): Promise<RedisChild[]>;
  /** Resolves once every slot is served and every master has an online replica. */
  healthy(timeoutMs?: number): Promise<void>;
  /** Resolves once the running nodes serve every slot from three masters (after a failover). */
  serving(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** How long a master may be unreachable before its replica takes over. */
export const CLUSTER_NODE_TIMEOUT_MS = 2000;

async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 5000 });
  return stdout;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts six cluster-enabled servers and joins them. */
export async function startRedisCluster(): Promise<LocalRedisCluster> {
  const ports = await freeClusterPorts(6);
  const dirs: string[] = [];
  const nodes: RedisChild[] = [];
  const stop = async () => {
    await Promise.allSettled(nodes.map((node) => node.stop()));
    await Promise.allSettled(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  };
  const masters = async () => {
    const roles = await Promise.all(nodes.map((node) => (node.pid === undefined ? '' : redisCli(node.port, 'role').catch(() => ''))));
    return nodes.filter((_, i) => roles[i]!.startsWith('master'));
  };
  const healthy = async (timeoutMs = 30_000) => {
    await waitFor(
      'cluster_state:ok on every node',
      async () => {
        const infos = await Promise.all(ports.map((port) => redisCli(port, 'cluster', 'info')));
        return infos.every((info) => info.includes('cluster_state:ok'));
      },
      timeoutMs,
    );
    await waitFor(
      'every master to have an online replica',
      async () => {
        const infos = await Promise.all(ports.map((port) => redisCli(port, 'info', 'replication')));
        const leading = infos.filter((info) => info.includes('role:master'));
        return leading.length === 3 && leading.every((info) => /slave0:.*state=online/.test(info));
      },
      timeoutMs,
    );
  };
  const serving = async (timeoutMs = 30_000) => {
    await waitFor(
      'three masters serving every slot',
      async () => {
        const up = nodes.filter((node) => node.pid !== undefined);
        const infos = await Promise.all(up.map((node) => redisCli(node.port, 'cluster', 'info')));
        return infos.every((info) => info.includes('cluster_state:ok')) && (await masters()).length === 3;
      },
      timeoutMs,
    );
  };
  try {
    for (const port of ports) {
      const dir = await mkdtemp(join(tmpdir(), `strata-cluster-${port}-`));
      dirs.push(dir);
      const args = ['--dir', dir, '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(CLUSTER_NODE_TIMEOUT_MS)];
      nodes.push(await startRedisChild({ port, args }));
    }
    await run('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '1', '--cluster-yes'], {
      timeout: 60_000,
    });
    await healthy(60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, seeds: ports.map((port) => `127.0.0.1:${port}`).join(','), masters, healthy, serving, stop };
}

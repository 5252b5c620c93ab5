/**
 * Real `redis-server` processes for tests and benchmarks: a standalone server and a 6-node
 * cluster (3 masters, 3 replicas), on free loopback ports, in throw-away folders, killed when
 * this process exits even if nobody stopped them. Nothing here touches a Redis on the standard
 * port. `test/harness/redis.ts` re-exports them for the tests.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, freePorts } from './ports.ts';

const run = promisify(execFile);

/** One running `redis-server`. */
export interface RedisProcess {
  readonly port: number;
  readonly url: string;
  /** SIGKILL: the hard failure tests want (no shutdown, no goodbye to clients). */
  kill(): Promise<void>;
  /** Starts the server again on the same port and folder after `kill`. */
  restart(): Promise<void>;
  /** SIGSTOP: the server keeps its connections open and answers nothing (a hung host). */
  pause(): void;
  /** SIGCONT after `pause`. */
  resume(): void;
  /** Stops it for good and removes its folder. */
  stop(): Promise<void>;
}

/** A running 3-master, 3-replica cluster. */
export interface RedisCluster {
  readonly nodes: RedisProcess[];
  /** `host:port,...` of every node, as `REDIS_CLUSTER_NODES` takes it. */
  readonly seeds: string;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 30_000 });
  return stdout;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts `redis-server` with `extraArgs` on a free port (or `port`). */
export async function startRedis(extraArgs: string[] = [], port?: number): Promise<RedisProcess> {
  const chosen = port ?? (await freePort());
  const dir = await mkdtemp(join(tmpdir(), `strata-redis-${chosen}-`));
  let child: ChildProcess | undefined;
  const launch = async () => {
    const args = ['--port', String(chosen), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', ...extraArgs];
    const spawned = spawn('redis-server', args, { stdio: 'ignore' });
    child = spawned;
    live.add(spawned);
    spawned.once('exit', () => live.delete(spawned));
    const failed = new Promise<never>((_, reject) => spawned.once('error', reject));
    await Promise.race([failed, waitFor(`redis-server on ${chosen}`, async () => (await redisCli(chosen, 'ping')).trim() === 'PONG')]);
  };
  const kill = async () => {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    const exited = new Promise((resolve) => current.once('exit', resolve));
    current.kill('SIGKILL');
    await exited;
  };
  await launch();
  return {
    port: chosen,
    url: `redis://127.0.0.1:${chosen}`,
    kill,
    restart: launch,
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    async stop() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Starts six cluster-enabled servers and joins them with `redis-cli --cluster create`. */
export async function startRedisCluster(): Promise<RedisCluster> {
  const ports = await freePorts(6);
  const nodes = await Promise.all(
    ports.map((port) =>
      startRedis(['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '2000'], port),
    ),
  );
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
  };
  try {
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes'], {
      timeout: 60_000,
    });
    await waitFor('cluster_state:ok on every node', async () => {
      const infos = await Promise.all(ports.map((port) => redisCli(port, 'cluster', 'info')));
      return infos.every((info) => info.includes('cluster_state:ok'));
    });
    // Replicas finish their first sync a moment later; WAIT-based tests need them online.
    await waitFor('every master to have an online replica', async () => {
      const infos = await Promise.all(ports.map((port) => redisCli(port, 'info', 'replication')));
      const masters = infos.filter((info) => info.includes('role:master'));
      return masters.length === 3 && masters.every((info) => /slave0:.*state=online/.test(info));
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, seeds: ports.map((p) => `127.0.0.1:${p}`).join(','), stop };
}

/**
 * Real `redis-server` processes for tests and benchmarks: a standalone server and a 6-node
 * cluster (3 masters, 3 replicas), on free loopback ports, in throw-away folders, killed when
 * this process exits even if nobody stopped them. Nothing here touches a Redis on the standard
 * port. `test/harness/redis.ts` re-exports them for the tests.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freeClusterPort, freePort } from './ports.ts';

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

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000, gaveUp = () => false): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (gaveUp()) throw new Error(`gave up waiting for ${what}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Why a launch failed: the server's own log, whose last lines name the cause (EADDRINUSE, …). */
class LaunchFailed extends Error {
  readonly portInUse: boolean;
  constructor(port: number, log: string) {
    const tail = log.trim().split('\n').slice(-3).join(' | ');
    super(`redis-server on ${port} did not start: ${tail || 'no log'}`);
    this.portInUse = /address already in use/i.test(log);
  }
}

const ATTEMPTS = 5;

/**
 * Starts `redis-server` with `extraArgs` on a free port (or `port`). A free port is only free
 * when it was checked, so a launch that finds it taken (by the server's log, or because another
 * process answers there) is retried on another port, unless the caller fixed the port. A
 * cluster-enabled server gets a port whose bus port (+10000) was free too.
 */
export async function startRedis(extraArgs: string[] = [], port?: number): Promise<RedisProcess> {
  const cluster = extraArgs.includes('--cluster-enabled');
  for (let attempt = 1; ; attempt++) {
    const chosen = port ?? (cluster ? await freeClusterPort() : await freePort());
    try {
      return await startOn(chosen, extraArgs);
    } catch (error) {
      if (port !== undefined || attempt >= ATTEMPTS || !(error instanceof LaunchFailed && error.portInUse)) throw error;
    }
  }
}

async function startOn(chosen: number, extraArgs: string[]): Promise<RedisProcess> {
  const dir = await mkdtemp(join(tmpdir(), `strata-redis-${chosen}-`));
  const logfile = join(dir, 'redis.log');
  let child: ChildProcess | undefined;
  const launch = async () => {
    const args = ['--port', String(chosen), '--bind', '127.0.0.1', '--dir', dir, '--logfile', logfile, '--save', '', '--appendonly', 'no', ...extraArgs];
    const spawned = spawn('redis-server', args, { stdio: 'ignore' });
    child = spawned;
    live.add(spawned);
    const exited = new Promise<never>((_, reject) => {
      spawned.once('error', reject);
      spawned.once('exit', async () => reject(new LaunchFailed(chosen, await readFile(logfile, 'utf8').catch(() => ''))));
    });
    exited.catch(() => {});
    spawned.once('exit', () => live.delete(spawned));
    // Our server answers with its own pid: a PONG from a process that took the port first is not ours.
    const ours = async () => new RegExp(`process_id:${spawned.pid}\\b`).test(await redisCli(chosen, 'info', 'server'));
    const ready = waitFor(`redis-server on ${chosen}`, ours, 20_000, () => spawned.exitCode !== null || spawned.signalCode !== null);
    await Promise.race([exited, ready]).catch(async (error: unknown) => {
      spawned.kill('SIGKILL');
      throw error instanceof LaunchFailed || !(await portAnsweredByOther(chosen, spawned.pid))
        ? error
        : new LaunchFailed(chosen, 'address already in use (another process answers there)');
    });
  };
  const kill = async () => {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    const exited = new Promise((resolve) => current.once('exit', resolve));
    current.kill('SIGKILL');
    await exited;
  };
  try {
    await launch();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
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

async function portAnsweredByOther(port: number, pid: number | undefined): Promise<boolean> {
  const info = await redisCli(port, 'info', 'server').catch(() => '');
  return /process_id:\d+/.test(info) && !new RegExp(`process_id:${pid}\\b`).test(info);
}

/** Starts six cluster-enabled servers and joins them with `redis-cli --cluster create`. */
export async function startRedisCluster(): Promise<RedisCluster> {
  // Each node picks (and if need be re-picks) a port whose bus port is free too.
  const started = await Promise.allSettled(
    Array.from({ length: 6 }, () => startRedis(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000'])),
  );
  const nodes = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    await Promise.all(nodes.map((node) => node.stop()));
    throw failed.reason;
  }
  const ports = nodes.map((node) => node.port);
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

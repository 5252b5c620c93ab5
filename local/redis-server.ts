/**
 * A `redis-server` child for the local stack: no persistence, loopback only, on a port of its
 * own. The stack starts one for the origin's cache when no Redis is configured, one for the
 * local Upstash endpoint when the origin's Redis is a cluster (Upstash is one standalone Redis),
 * and six for a local cluster (`redis-cluster.ts`). Each child says which process it is and can
 * be signalled, so operators and the chaos benchmark can fail it the way hosts fail: `kill -9`,
 * `SIGSTOP` (a hung host that keeps its connections open), then a restart on the same port.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './ports.ts';

/** A running child server. */
export interface RedisChild {
  readonly url: string;
  readonly port: number;
  /** The server's process id; undefined while it is not running. */
  readonly pid: number | undefined;
  /** Sends `signal` to the server (`SIGKILL` waits for it to exit; `SIGSTOP`/`SIGCONT` hang and resume it). */
  signal(signal: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and folder after it exited; resolves once it answers. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** How to start a child. */
export interface RedisChildOptions {
  /** A free one when absent. */
  port?: number;
  /** Extra `redis-server` arguments (cluster mode, a folder for its files). */
  args?: readonly string[];
  /** How long it may take to answer PING. */
  timeoutMs?: number;
}

// Children still running, killed if this process exits without stopping them.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** True when `redis-server` is on PATH. */
export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

const running = (child: ChildProcess | undefined): child is ChildProcess => child !== undefined && child.exitCode === null && child.signalCode === null;

/** Starts `redis-server` and resolves once it answers PING. */
export async function startRedisChild(options: RedisChildOptions = {}): Promise<RedisChild> {
  const port = options.port ?? (await freePort());
  const timeoutMs = options.timeoutMs ?? 10_000;
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let exited: Promise<unknown> = Promise.resolve();

  const launch = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...(options.args ?? [])];
    const spawned = spawn('redis-server', args, { stdio: 'ignore' });
    child = spawned;
    live.add(spawned);
    exited = new Promise((resolve) => spawned.once('exit', resolve)).finally(() => live.delete(spawned));
    spawned.once('error', () => {});
    const deadline = Date.now() + timeoutMs;
    while (!(await answers(url))) {
      if (!running(spawned) || Date.now() > deadline) {
        spawned.kill('SIGKILL');
        throw new Error(`redis-server on port ${port} did not start (exit code ${spawned.exitCode ?? 'none'})`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  await launch();

  return {
    url,
    port,
    get pid() {
      return running(child) ? child.pid : undefined;
    },
    async signal(signal) {
      if (!running(child)) return;
      child.kill(signal);
      if (signal === 'SIGKILL' || signal === 'SIGTERM') await exited;
    },
    async restart() {
      if (running(child)) throw new Error(`redis-server on port ${port} is still running`);
      await launch();
    },
    async stop() {
      if (!running(child)) return;
      // A stopped (SIGSTOP) server cannot act on SIGTERM until it runs again.
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

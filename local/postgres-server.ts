/**
 * A PostgreSQL server of one's own, for benchmarks and tests that must stop, crash and restart
 * it: `initdb` into a throw-away folder, `postgres` on a free loopback port with trust
 * authentication, `fsync=off` and its Unix socket in that folder. Nothing here touches a server
 * on the standard port. PostgreSQL refuses to run as root: as root, `initdb` and `postgres` run
 * as the `postgres` user. Servers still running when this process exits are shut down
 * (immediate mode) and their folders removed.
 *
 * `fsync=off` loses nothing to a process crash (the kernel keeps what was written); only the
 * machine crashing would. `synchronous_commit` stays on: with it off, a crash of the server's
 * processes could lose acknowledged commits still in its WAL buffers.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { chown, mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './ports.ts';

const run = promisify(execFile);

/**
 * How `stop` shuts the server down, as `pg_ctl stop -m` names the modes: `smart` waits for
 * clients to leave, `fast` ends their sessions and checkpoints, `immediate` exits without a
 * checkpoint (the next start replays the WAL, as after a crash).
 */
export type PostgresStopMode = 'smart' | 'fast' | 'immediate';

const STOP_SIGNALS: Record<PostgresStopMode, NodeJS.Signals> = { smart: 'SIGTERM', fast: 'SIGINT', immediate: 'SIGQUIT' };

/** A running server of one's own. */
export interface PostgresServer {
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:<port>/<database>`. */
  readonly url: string;
  /** The database `url` names (made at the first start unless it is `postgres`). */
  readonly database: string;
  /** The postmaster's process id; undefined while the server is down. */
  readonly pid: number | undefined;
  /** Shuts it down the way `pg_ctl stop -m <mode>` does; resolves once the postmaster exited. */
  stop(mode?: PostgresStopMode): Promise<void>;
  /**
   * A crash: SIGKILL of the postmaster and of every process it started, all at once (no
   * shutdown, no goodbye to clients); resolves once all of them are gone.
   */
  kill(): Promise<void>;
  /** Starts it again on the same port and data folder after `stop` or `kill`; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it for good and removes its folder. */
  close(): Promise<void>;
}

/** How to start one. */
export interface PostgresServerOptions {
  /** The database to create and name in `url`. @default 'postgres' */
  database?: string;
  /** A free one when absent. */
  port?: number;
  /** How long a start may take to accept connections (crash recovery included). @default 60 000 */
  timeoutMs?: number;
}

const executable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * The folder holding `initdb` and `postgres`: the one `initdb` on PATH really lives in, else the
 * newest `/usr/lib/postgresql/<version>/bin` (Debian's layout). Undefined when there is none.
 */
export function findPostgresBinaries(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const initdb = join(dir, 'initdb');
    if (!executable(initdb)) continue;
    const real = dirname(realpathSync(initdb));
    if (executable(join(real, 'postgres'))) return real;
  }
  let versions: string[] = [];
  try {
    versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  } catch {
    return undefined;
  }
  return versions.map((v) => `/usr/lib/postgresql/${v}/bin`).find((dir) => executable(join(dir, 'initdb')) && executable(join(dir, 'postgres')));
}

/** As root, the `postgres` user's ids (PostgreSQL will not run as root); else undefined (run as oneself). */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error('PostgreSQL refuses to run as root, and there is no postgres user to run it as (useradd --system postgres)');
  }
}

// Postmasters still running, killed with every process they started (and their folders removed)
// if this process exits without closing them.
const live = new Map<ChildProcess, string>();
process.once('exit', () => {
  for (const [child, folder] of live) {
    if (child.pid !== undefined) killTree(child.pid);
    rmSync(folder, { recursive: true, force: true, maxRetries: 3 });
  }
});

/** SIGKILL of `pid` and its children, stopped first so it forks nothing meanwhile; the children's pids. */
function killTree(pid: number): number[] {
  const signal = (target: number, name: NodeJS.Signals) => {
    try {
      process.kill(target, name);
    } catch {}
  };
  signal(pid, 'SIGSTOP');
  const children = childrenOf(pid);
  signal(pid, 'SIGKILL');
  for (const child of children) signal(child, 'SIGKILL');
  return children;
}

/** SIGKILL of a postmaster and every process it started; resolves once all are gone. */
async function crash(target: ChildProcess): Promise<void> {
  if (!running(target) || target.pid === undefined) return;
  const exited = new Promise((resolve) => target.once('exit', resolve));
  const children = killTree(target.pid);
  await exited;
  // A new postmaster refuses to start while an old backend still holds the shared memory.
  await waitFor('the killed server processes to be gone', async () => children.every(gone), 30_000);
}

/** Why a launch failed: the server's log, whose last lines name the cause. */
class LaunchFailed extends Error {
  readonly portInUse: boolean;
  constructor(port: number, log: string) {
    const tail = log.trim().split('\n').slice(-3).join(' | ');
    super(`postgres on ${port} did not start: ${tail || 'no log'}`);
    this.portInUse = /address already in use/i.test(log);
  }
}

const running = (child: ChildProcess | undefined): child is ChildProcess => child !== undefined && child.exitCode === null && child.signalCode === null;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The processes whose parent is `pid` (Linux's /proc; none elsewhere). */
function childrenOf(pid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // pid (comm) state ppid …; comm may hold spaces and parentheses, so read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) found.push(Number(entry));
    } catch {}
  }
  return found;
}

/** Gone, or a zombie nobody has reaped yet (it holds nothing). */
function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, gaveUp = () => false): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (gaveUp()) throw new Error(`gave up waiting for ${what}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const ATTEMPTS = 5;

/**
 * Creates a cluster with `initdb` and starts it. A free port is only free when it was checked:
 * a first start that finds it taken is retried on another, unless the caller fixed the port.
 */
export async function startPostgresServer(options: PostgresServerOptions = {}): Promise<PostgresServer> {
  const bin = findPostgresBinaries();
  if (!bin) throw new Error('no PostgreSQL binaries (initdb, postgres) on PATH or in /usr/lib/postgresql/*/bin');
  const user = serverUser();
  const folder = await mkdtemp(join(tmpdir(), 'strata-postgres-'));
  try {
    if (user) await chown(folder, user.uid, user.gid);
    const dataDir = join(folder, 'data');
    await run(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync'], {
      cwd: folder,
      env: { PATH: process.env.PATH, LC_ALL: 'C' },
      ...(user ?? {}),
      timeout: 120_000,
    });
    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await freePort());
      try {
        return await launched({ bin, folder, dataDir, port, user, database: options.database ?? 'postgres', timeoutMs: options.timeoutMs ?? 60_000 });
      } catch (error) {
        if (options.port !== undefined || attempt >= ATTEMPTS || !(error instanceof LaunchFailed && error.portInUse)) throw error;
      }
    }
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
}

interface Setup {
  bin: string;
  folder: string;
  dataDir: string;
  port: number;
  user: { uid: number; gid: number } | undefined;
  database: string;
  timeoutMs: number;
}

async function launched(setup: Setup): Promise<PostgresServer> {
  const { bin, folder, dataDir, port, user, database, timeoutMs } = setup;
  const logPath = join(folder, 'postgres.log');
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | undefined;

  // Ours answers with our data folder: a server that took the port first is not ours.
  const answers = async () => {
    const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 1000 });
    client.on('error', () => {});
    try {
      await client.connect();
      const { rows } = await client.query<{ data_directory: string }>('SHOW data_directory');
      return rows[0]?.data_directory === dataDir;
    } finally {
      await client.end().catch(() => {});
    }
  };

  const launch = async () => {
    if (running(child)) return;
    const log = await open(logPath, 'a');
    let spawned: ChildProcess;
    try {
      const args = ['-D', dataDir, '-p', String(port), '-k', folder, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'];
      // Its own process group: a Ctrl-C meant for this process is not a shutdown request to it.
      spawned = spawn(join(bin, 'postgres'), args, {
        cwd: folder,
        env: { PATH: process.env.PATH, LC_ALL: 'C' },
        stdio: ['ignore', log.fd, log.fd],
        detached: true,
        ...(user ?? {}),
      });
    } finally {
      await log.close();
    }
    child = spawned;
    live.set(spawned, folder);
    spawned.once('exit', () => live.delete(spawned));
    const exited = new Promise<never>((_, reject) => {
      spawned.once('error', reject);
      spawned.once('exit', async () => reject(new LaunchFailed(port, await readFile(logPath, 'utf8').catch(() => ''))));
    });
    exited.catch(() => {});
    const ready = waitFor(`postgres on ${port}`, answers, timeoutMs, () => !running(spawned));
    await Promise.race([exited, ready]).catch(async (error: unknown) => {
      await crash(spawned);
      // A wait that gave up because the server exited: its log says why (a port in use, …).
      throw error instanceof LaunchFailed ? error : await exited.catch((failed: unknown) => (failed instanceof LaunchFailed ? failed : error));
    });
  };

  const terminate = async (target: ChildProcess, signal: NodeJS.Signals) => {
    if (!running(target)) return;
    const exited = new Promise((resolve) => target.once('exit', resolve));
    target.kill(signal);
    await exited;
  };

  const stop = async (mode: PostgresStopMode = 'fast') => {
    if (child) await terminate(child, STOP_SIGNALS[mode]);
  };

  const kill = async () => {
    if (child) await crash(child);
  };

  await launch();
  try {
    if (database !== 'postgres') {
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
      } finally {
        await admin.end();
      }
    }
  } catch (error) {
    await stop('immediate');
    throw error;
  }

  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    database,
    get pid() {
      return running(child) ? child.pid : undefined;
    },
    stop,
    kill,
    start: launch,
    async close() {
      await stop('immediate');
      await rm(folder, { recursive: true, force: true });
    },
  };
}

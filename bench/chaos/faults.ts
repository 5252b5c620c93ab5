/**
 * The faults the chaos benchmark injects into the running local stack, one at a time, while the
 * load runs. Each is injected, held, then lifted; `repair` puts the stack back as it was (a
 * killed master rejoins as a replica) before the next fault, outside what is measured.
 */
import type { LocalStack } from '../../local/stack.ts';
import { countPending } from '../../origin/outbox/index.ts';
import type { MixedLoad } from './load.ts';
import { PROJECTS } from './ledger.ts';
import type { ChaosPostgres } from './postgres.ts';

export interface FaultContext {
  stack: LocalStack;
  load: MixedLoad;
  /** The benchmark's own PostgreSQL server or database (`postgres.ts`); undefined on PGlite. */
  postgres: ChaosPostgres | undefined;
}

export interface Fault {
  name: string;
  /** What is done, for the report. */
  what: string;
  /** How long the fault stays before it is lifted (0: the system must heal by itself). */
  holdMs: number;
  /** Runs before the injection, outside the measured window. */
  prepare?(context: FaultContext): Promise<void>;
  inject(context: FaultContext): Promise<void>;
  lift(context: FaultContext): Promise<void>;
  repair?(context: FaultContext): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const HOLD_MS = 5000;

const cluster = (context: FaultContext) => {
  const found = context.stack.processes.cluster;
  if (!found) throw new Error('the chaos benchmark needs the stack to run its own Redis cluster');
  return found;
};

async function drainOutbox(stack: LocalStack, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = await countPending(stack.services.db);
    if (pending === 0 || Date.now() > deadline) return pending;
    await sleep(100);
  }
}

/** `kill -9` of one master: its replica takes over after the cluster's node timeout. */
function masterKill(): Fault {
  let victim: Awaited<ReturnType<ReturnType<typeof cluster>['masters']>>[number] | undefined;
  return {
    name: 'redis-master-kill',
    what: 'kill -9 of one Redis cluster master; lifted once its replica serves its slots (the lift is the failover), restarted afterwards as a replica',
    holdMs: 0,
    async inject(context) {
      victim = (await cluster(context).masters())[0];
      if (!victim) throw new Error('no master to kill');
      await victim.signal('SIGKILL');
    },
    lift: (context) => cluster(context).serving(),
    async repair(context) {
      await victim?.restart();
      await cluster(context).healthy();
    },
  };
}

/**
 * Every fault the stack allows: the PostgreSQL ones need PostgreSQL (not PGlite), and the
 * restart and the crash a server of the benchmark's own.
 */
export function allFaults(postgres: ChaosPostgres['kind'] | undefined): Fault[] {
  const faults: Fault[] = [
    masterKill(),
    {
      name: 'redis-all-down',
      what: 'every Redis cluster node killed (SIGKILL), restarted empty after 5 s',
      holdMs: HOLD_MS,
      inject: async (context) => void (await Promise.all(cluster(context).nodes.map((node) => node.signal('SIGKILL')))),
      lift: async (context) => void (await Promise.all(cluster(context).nodes.map((node) => node.restart()))),
      repair: (context) => cluster(context).healthy(),
    },
    {
      name: 'redis-hung',
      what: 'every Redis cluster node stopped with SIGSTOP (connections open, no answers) for 5 s, then SIGCONT',
      holdMs: HOLD_MS,
      inject: async (context) => void (await Promise.all(cluster(context).nodes.map((node) => node.signal('SIGSTOP')))),
      lift: async (context) => void (await Promise.all(cluster(context).nodes.map((node) => node.signal('SIGCONT')))),
      repair: (context) => cluster(context).healthy(),
    },
    {
      name: 'origin-down',
      what: "the origin's HTTP server closed for 5 s; public routes stored with a 2 s lifetime, so the edge serves them past it within stale-if-error",
      holdMs: HOLD_MS,
      // The edge holds every public response, none purged since: what stale-if-error covers.
      async prepare({ stack, load }) {
        await load.pauseWrites();
        await drainOutbox(stack);
        const tenants = [...new Set(PROJECTS.map((p) => p.tenant))];
        const paths = [
          ...tenants.map((t) => `/v1/${t}/public/projects`),
          ...PROJECTS.filter((p) => p.public).map((p) => `/v1/${p.tenant}/public/projects/${p.id}`),
        ];
        for (const path of paths) await (await fetch(`${stack.edgeUrl}${path}`)).arrayBuffer();
      },
      inject: ({ stack }) => stack.stopOrigin(),
      lift: ({ stack }) => stack.startOrigin(),
      repair: async ({ load }) => load.resumeWrites(),
    },
    {
      name: 'upstash-down',
      what: 'the local Upstash endpoint closed for 5 s (purge versions and rate limits fail open at the edge)',
      holdMs: HOLD_MS,
      inject: ({ stack }) => stack.stopUpstash(),
      lift: ({ stack }) => stack.startUpstash(),
    },
    {
      name: 'upstash-hung',
      what: "the Upstash endpoint's Redis stopped with SIGSTOP for 5 s (the endpoint accepts and never answers)",
      holdMs: HOLD_MS,
      inject: async ({ stack }) => stack.processes.upstashRedis?.signal('SIGSTOP'),
      lift: async ({ stack }) => stack.processes.upstashRedis?.signal('SIGCONT'),
    },
    {
      name: 'edge-down',
      what: 'the edge (wrangler dev) stopped for 5 s while writes go on at the origin; purges wait in the outbox',
      holdMs: HOLD_MS,
      inject: ({ stack }) => stack.stopEdge(),
      lift: ({ stack }) => stack.startEdge(),
    },
  ];
  if (postgres) faults.push(postgresTerminate());
  if (postgres === 'private') faults.push(postgresRestart(), postgresCrash());
  return faults;
}

/** The faults that need PostgreSQL, and which kind (`postgres.ts`). */
export const POSTGRES_FAULTS: Record<string, ChaosPostgres['kind'][]> = {
  'postgres-restart': ['private'],
  'postgres-crash': ['private'],
  'postgres-terminate': ['private', 'shared'],
};

const server = (context: FaultContext) => {
  const found = context.postgres?.server;
  if (!found) throw new Error('this fault needs the benchmark to run a PostgreSQL server of its own (initdb and postgres on this machine)');
  return found;
};

/** A clean restart: the server ends every session, checkpoints and exits; started again on the same port and data 5 s later. */
function postgresRestart(): Fault {
  return {
    name: 'postgres-restart',
    what: "the benchmark's PostgreSQL server shut down (pg_ctl stop -m fast: sessions ended, a checkpoint), started again on the same port and data after 5 s",
    holdMs: HOLD_MS,
    inject: (context) => server(context).stop('fast'),
    lift: (context) => server(context).start(),
  };
}

/** A crash: the postmaster and every backend killed at once; the start 5 s later replays the WAL. */
function postgresCrash(): Fault {
  return {
    name: 'postgres-crash',
    what: "the benchmark's PostgreSQL server crashed (SIGKILL of the postmaster and every backend at once), started again after 5 s with crash recovery (WAL replay)",
    holdMs: HOLD_MS,
    inject: (context) => server(context).kill(),
    lift: (context) => server(context).start(),
  };
}

/** Every backend of the benchmark's database terminated, again and again for 3 s: the server stays up, its clients' connections end. */
function postgresTerminate(): Fault {
  let stop = false;
  let running: Promise<void> = Promise.resolve();
  return {
    name: 'postgres-terminate',
    what: "every connection to the benchmark's PostgreSQL database terminated (pg_terminate_backend) every 100 ms for 3 s; the server stays up",
    holdMs: 3000,
    async inject({ postgres }) {
      if (!postgres) throw new Error('postgres-terminate needs PostgreSQL');
      stop = false;
      await postgres.terminateBackends();
      running = (async () => {
        while (!stop) {
          await sleep(100);
          await postgres.terminateBackends();
        }
      })();
    },
    async lift() {
      stop = true;
      await running;
    },
  };
}

export { drainOutbox };

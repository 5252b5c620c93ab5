/**
 * The whole product on one machine, as `npm run dev` runs it: PostgreSQL (PGlite, or
 * `DATABASE_URL`), Redis for the origin, a local Upstash endpoint for the edge (over a Redis of
 * its own when the origin's is a cluster), the origin's Node server with its purge outbox
 * delivering signed purges to the edge right after each commit and on a schedule, and the edge
 * Worker in `wrangler dev`. Secrets are generated here and handed to both sides.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../origin/config.ts';
import { seedDemoData } from '../origin/db/seed.ts';
import { log } from '../origin/log.ts';
import { startOriginServer } from '../origin/server.ts';
import { buildServices, type Services } from '../origin/services.ts';
import { LocalEdge } from './edge.ts';
import { startRedisCluster, type LocalRedisCluster } from './redis-cluster.ts';
import { hasRedisServer, startRedisChild, type RedisChild } from './redis-server.ts';
import { localSecrets, type LocalSecrets } from './secrets.ts';
import { startUpstashServer, type UpstashServer } from './upstash/server.ts';

/** How to start the local stack. */
export interface LocalStackOptions {
  /** The environment the origin and the stack read (`process.env` by default). */
  env?: Record<string, string | undefined>;
  /** The local data folder: PGlite (unless `PGLITE_DIR`), the kept keyring, the stack file. */
  dataDir?: string;
  /** `inherit` shows wrangler's and the Worker's output (the dev command); tests use `ignore`. */
  output?: 'inherit' | 'ignore';
  /** The edge's Cache API folder; `wrangler dev`'s default when absent. */
  edgePersistTo?: string;
  /** Runs the origin's Redis as a local 6-node cluster (also `DEV_REDIS_CLUSTER=1`); ignored when one is configured. */
  redisCluster?: boolean;
  /** Extra Worker vars for the edge (`ROUTE_POLICY`, `RATE_LIMIT_IP_PER_MINUTE`, …). */
  edgeVars?: Record<string, string>;
}

/** The processes and servers the stack started itself, for operators and fault injection. */
export interface LocalStackProcesses {
  /** The origin's Redis when the stack started it: one server, or the six nodes of `cluster`. */
  readonly redis: readonly RedisChild[];
  readonly cluster: LocalRedisCluster | undefined;
  /** The Redis behind the local Upstash endpoint (the origin's own when that is one server). */
  readonly upstashRedis: RedisChild | undefined;
  /** `wrangler dev`'s process group leader, while the edge runs. */
  readonly edgePid: number | undefined;
}

/** A running local stack. */
export interface LocalStack {
  readonly edgeUrl: string;
  readonly originUrl: string;
  readonly services: Services;
  readonly secrets: LocalSecrets;
  /** The local Upstash endpoint (a new one after `startUpstash`). */
  readonly upstash: UpstashServer | undefined;
  readonly processes: LocalStackProcesses;
  /** What the origin caches in, for people: a URL, `REDIS_CLUSTER_NODES` or process memory. */
  readonly cache: string;
  /** Demo rows the seed added this start. */
  readonly seeded: number;
  /** Takes the edge down (the origin keeps writing; purges wait in the outbox). */
  stopEdge(): Promise<void>;
  /** Brings it back; the purges that waited are delivered at once. */
  startEdge(): Promise<void>;
  /** Closes the origin's HTTP server (open connections too); its outbox keeps delivering. */
  stopOrigin(): Promise<void>;
  /** Serves the origin again on the same address. */
  startOrigin(): Promise<void>;
  /** Closes the local Upstash endpoint: the edge's requests to it are refused. */
  stopUpstash(): Promise<void>;
  /** Serves it again on the same address, with the same token. */
  startUpstash(): Promise<void>;
  stop(): Promise<void>;
}

/** The file, under `<dataDir>/dev/`, where a running stack says where it is (for tools). */
export const STACK_FILE = 'stack.json';

// Locally the schedule runs often and backoff stays short, so a restarted edge catches up fast.
const DEV_OUTBOX = { OUTBOX_INTERVAL_MS: '5000', OUTBOX_MAX_RETRY_DELAY_MS: '30000' };

/** Starts every part; on failure stops what it started and rethrows. */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const env = options.env ?? process.env;
  const dataDir = options.dataDir ?? '.data';
  const devDir = join(dataDir, 'dev');
  await mkdir(devDir, { recursive: true });
  const cleanups: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    await Promise.allSettled(
      cleanups
        .splice(0)
        .reverse()
        .map((cleanup) => cleanup()),
    );
  };
  try {
    const secrets = await localSecrets(devDir, env.CACHE_ENCRYPTION_KEYS);

    // The origin's Redis: the configured one, else a child redis-server, else process memory.
    const configured = Boolean(env.REDIS_URL || env.REDIS_CLUSTER_NODES);
    const redisBinary = hasRedisServer();
    const wantCluster = !configured && redisBinary && (options.redisCluster ?? env.DEV_REDIS_CLUSTER === '1');
    const cluster = wantCluster ? await startRedisCluster() : undefined;
    if (cluster) cleanups.push(() => cluster.stop());
    const child =
      !configured && !cluster && redisBinary ? await startRedisChild({ ...(env.DEV_REDIS_PORT ? { port: Number(env.DEV_REDIS_PORT) } : {}) }) : undefined;
    if (child) cleanups.push(() => child.stop());
    const clusterNodes = cluster?.seeds ?? env.REDIS_CLUSTER_NODES;
    const redisUrl = clusterNodes ? undefined : (env.REDIS_URL ?? child?.url);

    // Upstash is one standalone Redis: the origin's when it is one, else a child of its own.
    const upstashChild = !redisUrl && clusterNodes && redisBinary ? await startRedisChild() : undefined;
    if (upstashChild) cleanups.push(() => upstashChild.stop());
    const upstashRedis = redisUrl ?? upstashChild?.url;
    let upstash = upstashRedis ? await startUpstashServer({ redisUrl: upstashRedis, token: secrets.upstashToken }) : undefined;
    const upstashPort = upstash ? Number(new URL(upstash.url).port) : undefined;
    let upstashUp = Boolean(upstash);
    cleanups.push(async () => {
      if (upstashUp) await upstash?.stop();
    });
    if (!upstash) log.warn('no redis-server found: the edge runs without purge versions and rate limits (install redis-server)');

    const edgeHost = env.EDGE_HOST ?? '127.0.0.1';
    const edgePort = Number(env.EDGE_PORT ?? 8787);
    const edgeBase = `http://${edgeHost.includes(':') ? `[${edgeHost}]` : edgeHost}:${edgePort}`;
    const config = loadConfig({
      ...DEV_OUTBOX,
      ...env,
      ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
      ...(cluster ? { REDIS_CLUSTER_NODES: cluster.seeds } : {}),
      CACHE_ENCRYPTION_KEYS: secrets.encryptionKeys,
      PURGE_URL: `${edgeBase}/_strata/purge`,
      PURGE_SECRET: secrets.purgeSecret,
      OPERATOR_TOKEN: secrets.operatorToken,
    });
    const services = await buildServices(config);
    cleanups.push(() => services.close());
    const seeded = await seedDemoData(services.db);
    let origin = await startOriginServer(services, config.host, config.port);
    const originUrl = origin.url;
    let originUp = true;
    cleanups.push(async () => {
      if (originUp) await origin.close();
    });
    // Purge redelivery, as `origin/main.ts` runs it (the server itself prunes sessions).
    const stopSchedule = services.outbox.schedule(config.outbox.intervalMs);
    cleanups.push(async () => stopSchedule());

    const edge = new LocalEdge({
      host: edgeHost,
      port: edgePort,
      bindings: {
        ...options.edgeVars,
        ORIGIN_URL: origin.url,
        PURGE_SECRET: secrets.purgeSecret,
        DEBUG_TOKEN: secrets.debugToken,
        ...(upstash ? { UPSTASH_REDIS_REST_URL: upstash.url, UPSTASH_REDIS_REST_TOKEN: upstash.token } : {}),
      },
      envFile: join(devDir, 'edge.env'),
      ...(options.edgePersistTo ? { persistTo: options.edgePersistTo } : {}),
      output: options.output ?? 'inherit',
      // Purges that waited while the edge was down (or from an earlier run) go out at once.
      onReady: () => void services.outbox.retryNow().catch((error: unknown) => log.warn('purge redelivery failed', { error: String(error) })),
      onCrash: (code, output) => log.error('the edge (wrangler dev) exited; starting it again', { code, ...(output ? { output } : {}) }),
    });
    cleanups.push(() => edge.stop());
    await edge.start();

    const stackFile = join(devDir, STACK_FILE);
    const redisPids = [...(cluster?.nodes ?? (child ? [child] : [])), ...(upstashChild ? [upstashChild] : [])].map((node) => node.pid);
    const description = {
      pid: process.pid,
      edgePid: edge.pid,
      redisPids,
      edgeUrl: edge.url,
      originUrl: origin.url,
      purgeUrl: `${edge.url}/_strata/purge`,
      purgeSecret: secrets.purgeSecret,
      operatorToken: secrets.operatorToken,
      debugToken: secrets.debugToken,
      ...(upstash ? { upstashUrl: upstash.url, upstashToken: upstash.token } : {}),
    };
    await writeFile(stackFile, `${JSON.stringify(description, null, 2)}\n`, { mode: 0o600 });
    cleanups.push(() => rm(stackFile, { force: true }));

    const upstashRedisChild = upstashChild ?? (redisUrl === child?.url ? child : undefined);
    return {
      edgeUrl: edge.url,
      originUrl,
      services,
      secrets,
      get upstash() {
        return upstash;
      },
      processes: {
        redis: cluster?.nodes ?? (child ? [child] : []),
        cluster,
        upstashRedis: upstashRedisChild,
        get edgePid() {
          return edge.pid;
        },
      },
      cache: config.cache.kind === 'memory' ? 'process memory (no Redis found)' : (redisUrl ?? 'REDIS_CLUSTER_NODES'),
      seeded,
      stopEdge: () => edge.stop(),
      startEdge: () => edge.start(),
      async stopOrigin() {
        if (!originUp) return;
        originUp = false;
        await origin.close();
      },
      async startOrigin() {
        if (originUp) return;
        origin = await startOriginServer(services, config.host, Number(new URL(originUrl).port));
        originUp = true;
      },
      async stopUpstash() {
        if (!upstash || !upstashUp) return;
        upstashUp = false;
        await upstash.stop();
      },
      async startUpstash() {
        if (!upstashRedis || upstashUp) return;
        upstash = await startUpstashServer({ redisUrl: upstashRedis, token: secrets.upstashToken, ...(upstashPort ? { port: upstashPort } : {}) });
        upstashUp = true;
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * `npm run dev`: the whole stack on this machine, in one command.
 *   PostgreSQL  PGlite in .data/pglite (or DATABASE_URL), migrated and seeded with acme and globex
 *   Redis       REDIS_URL / REDIS_CLUSTER_NODES; else a redis-server child; else process memory
 *   Upstash     a local Upstash REST endpoint over that Redis (purge versions, rate limits)
 *   origin      the Node server on ORIGIN_HOST:ORIGIN_PORT (127.0.0.1:8788)
 *   edge        `wrangler dev` on EDGE_HOST:EDGE_PORT (127.0.0.1:8787), pointed at the origin
 * Ctrl-C stops everything it started.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../origin/config.ts';
import { seedDemoData } from '../origin/db/seed.ts';
import { log } from '../origin/log.ts';
import { startOriginServer } from '../origin/server.ts';
import { buildServices } from '../origin/services.ts';
import { freePort } from '../test/harness/ports.ts';
import { startUpstashServer, type UpstashServer } from '../test/harness/upstash-server.ts';

const children: ChildProcess[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
let stopping = false;

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.allSettled(cleanups.reverse().map((cleanup) => cleanup()));
  process.exit(code);
}
process.once('SIGINT', () => void shutdown(0));
process.once('SIGTERM', () => void shutdown(0));

function hasBinary(name: string): boolean {
  return spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0;
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** REDIS_URL as the origin should see it: the configured one, a child redis-server, or none. */
async function chooseRedis(): Promise<string | undefined> {
  if (process.env.REDIS_URL || process.env.REDIS_CLUSTER_NODES) return process.env.REDIS_URL;
  if (!hasBinary('redis-server')) return undefined;
  const port = Number(process.env.DEV_REDIS_PORT) || (await freePort());
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  children.push(redis);
  redis.once('exit', (code) => {
    if (code !== null && code !== 0) log.error('redis-server exited', { code });
  });
  return `redis://127.0.0.1:${port}`;
}

/** The edge's Upstash, served locally over the dev Redis; none without a standalone Redis. */
async function startLocalUpstash(redisUrl: string | undefined): Promise<UpstashServer | undefined> {
  if (!redisUrl) {
    const why = process.env.REDIS_CLUSTER_NODES ? 'REDIS_CLUSTER_NODES is a cluster' : 'no Redis found';
    log.warn(`no local Upstash endpoint (${why}; it needs one standalone Redis): the edge runs without purge versions and rate limits`);
    return undefined;
  }
  const upstash = await startUpstashServer({ redisUrl, token: randomBytes(24).toString('base64url') });
  cleanups.push(() => upstash.stop());
  return upstash;
}

async function main(): Promise<void> {
  const redisUrl = await chooseRedis();
  const upstash = await startLocalUpstash(redisUrl);
  const config = loadConfig({ ...process.env, ...(redisUrl ? { REDIS_URL: redisUrl } : {}) });
  const services = await buildServices(config);
  cleanups.push(() => services.close());
  const added = await seedDemoData(services.db);
  const origin = await startOriginServer(services, config.host, config.port);
  cleanups.push(() => origin.close());

  const edgeHost = process.env.EDGE_HOST ?? '127.0.0.1';
  const edgePort = Number(process.env.EDGE_PORT ?? 8787);
  const wrangler = spawn(
    'wrangler',
    [
      'dev', '--ip', edgeHost, '--port', String(edgePort), '--var', `ORIGIN_URL:${origin.url}`,
      ...(upstash ? ['--var', `UPSTASH_REDIS_REST_URL:${upstash.url}`, '--var', `UPSTASH_REDIS_REST_TOKEN:${upstash.token}`] : []),
      '--show-interactive-dev-session=false', '--log-level', 'warn',
    ],
    { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' } },
  );
  children.push(wrangler);
  wrangler.once('exit', (code) => {
    if (stopping) return;
    log.error('wrangler dev exited', { code });
    void shutdown(1);
  });
  const edgeUrl = `http://${edgeHost}:${edgePort}`;
  // The edge forwards only the API, so its own health route tells when it is up.
  await waitForHttp(`${edgeUrl}/_strata/health`, 60_000);

  const database = services.db.kind === 'pglite' ? `PGlite in ${config.database.kind === 'pglite' ? config.database.dataDir : ''}` : 'DATABASE_URL';
  const cache = config.cache.kind === 'memory' ? 'process memory (no Redis found)' : (redisUrl ?? 'REDIS_CLUSTER_NODES');
  console.log(`
Strata is running
  edge      ${edgeUrl}        (wrangler dev, workerd)
  origin    ${origin.url}        (Node, same app as the Lambda handler)
  redis     ${cache}
  upstash   ${upstash ? `${upstash.url}  (local Upstash REST endpoint over ${redisUrl}; token ${upstash.token})` : 'off (no standalone Redis)'}
  postgres  ${database}${added > 0 ? ` (seeded ${added} demo rows)` : ''}

Try (run each twice: the second answer is a hit at the edge):
  curl -i ${edgeUrl}/v1/acme/public/projects
  curl -i ${edgeUrl}/v1/globex/public/projects/1b000000-0000-4000-8000-000000000001

Ctrl-C stops everything.`);
}

main().catch(async (error: unknown) => {
  log.error('dev stack failed to start', { error: String(error instanceof Error ? error.stack : error) });
  await shutdown(1);
});

/**
 * The whole local stack for end-to-end tests: the edge Worker bundled as wrangler would and run
 * in workerd (Miniflare), the origin as a real Node HTTP server, a real Redis, PGlite seeded with
 * the demo tenants.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { Miniflare, convertV4MiniflareOptions, type V4SharedOptions } from 'miniflare';
import { bundleWorker } from '../../local/bundle-worker.ts';
import type { StoreConfig } from '../../origin/cache/index.ts';
import { seedDemoData } from '../../origin/db/seed.ts';
import { startOriginServer, type OriginServer } from '../../origin/server.ts';
import { buildServices, type Services } from '../../origin/services.ts';

/** A running stack. */
export interface Stack {
  readonly origin: OriginServer;
  readonly services: Services;
  /** The edge Worker's base URL (`http://127.0.0.1:<port>`), for clients that need raw HTTP. */
  readonly edgeUrl: string;
  /** Sends a request through the edge Worker. */
  edge(path: string, init?: RequestInit): Promise<Response>;
  /** Stops the edge Worker (the origin keeps running); `startEdge` brings it back on its port. */
  stopEdge(): Promise<void>;
  startEdge(): Promise<void>;
  close(): Promise<void>;
}

/** Optional extras; without them the stack is the plain edge → origin pair. */
export interface StackOptions {
  /** Extra Worker bindings (`PURGE_SECRET`, `UPSTASH_REDIS_REST_URL`, ...). */
  edgeBindings?: Record<string, string>;
  /** Points the origin's purge outbox at the edge, signing with this key (also the edge's PURGE_SECRET). */
  purgeSecret?: string;
  /** Keeps the edge's Cache API in this folder, so it survives `stopEdge`/`startEdge`. */
  edgePersistDir?: string;
  /** Receives the Worker's log lines instead of the test's output. */
  edgeLogs?: (log: { level: string; message: string }) => void;
  /** The origin URL the edge is given, from the origin's own (to put something in between). */
  originUrlFor?: (originUrl: string) => Promise<string>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The `compatibility_date` of wrangler.toml, which Miniflare is given as wrangler would. */
export async function compatibilityDate(): Promise<string> {
  const toml = await readFile('wrangler.toml', 'utf8');
  const match = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml);
  if (!match) throw new Error('wrangler.toml has no compatibility_date');
  return match[1]!;
}

/** Starts origin and edge over `cache`, with a fresh seeded PGlite. */
export async function startStack(cache: StoreConfig, options: StackOptions = {}): Promise<Stack> {
  const edgePort = await freePort();
  const purge = options.purgeSecret
    ? { url: `http://127.0.0.1:${edgePort}/_strata/purge`, secret: options.purgeSecret }
    : { url: undefined, secret: undefined };
  const services = await buildServices({ database: { kind: 'pglite', dataDir: 'memory://' }, cache, purge });
  await seedDemoData(services.db);
  const origin = await startOriginServer(services, '127.0.0.1', 0);
  const [script, date] = await Promise.all([bundleWorker('edge/index.ts'), compatibilityDate()]);
  const secret: Record<string, string> = options.purgeSecret ? { PURGE_SECRET: options.purgeSecret } : {};
  const originUrl = options.originUrlFor ? await options.originUrlFor(origin.url) : origin.url;
  const bindings: Record<string, string> = { ORIGIN_URL: originUrl, ORIGIN_TIMEOUT_MS: '5000', ...secret, ...options.edgeBindings };
  const shared: V4SharedOptions = { cf: false, host: '127.0.0.1', port: edgePort };
  if (options.edgePersistDir) shared.resourcePersistencePath = options.edgePersistDir;
  if (options.edgeLogs) shared.handleStructuredLogs = options.edgeLogs;
  const startMiniflare = async () => {
    const instance = new Miniflare(
      convertV4MiniflareOptions({
        script,
        modules: true,
        compatibilityDate: date,
        bindings,
        ...shared,
      }),
    );
    return { instance, base: await instance.ready };
  };
  let mf: Awaited<ReturnType<typeof startMiniflare>> | undefined = await startMiniflare();
  return {
    origin,
    services,
    edgeUrl: `http://127.0.0.1:${edgePort}`,
    edge: (path, init) => {
      if (!mf) throw new Error('the edge is stopped');
      return fetch(new URL(path, mf.base), init);
    },
    async stopEdge() {
      await mf?.instance.dispose();
      mf = undefined;
    },
    async startEdge() {
      mf ??= await startMiniflare();
    },
    async close() {
      await mf?.instance.dispose();
      await origin.close();
      await services.close();
    },
  };
}

/**
 * The whole local stack for end-to-end tests: the edge Worker bundled as wrangler would and run
 * in workerd (Miniflare), the origin as a real Node HTTP server, a real Redis, PGlite seeded with
 * the demo tenants.
 */
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import type { CacheConfig } from '../../origin/config.ts';
import { seedDemoData } from '../../origin/db/seed.ts';
import { startOriginServer, type OriginServer } from '../../origin/server.ts';
import { buildServices, type Services } from '../../origin/services.ts';

/** A running stack. */
export interface Stack {
  readonly origin: OriginServer;
  readonly services: Services;
  /** Sends a request through the edge Worker. */
  edge(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

async function bundleEdge(): Promise<string> {
  const result = await build({
    entryPoints: ['edge/index.ts'],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2023',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

async function compatibilityDate(): Promise<string> {
  const toml = await readFile('wrangler.toml', 'utf8');
  const match = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml);
  if (!match) throw new Error('wrangler.toml has no compatibility_date');
  return match[1]!;
}

/** Starts origin and edge over `cache`, with a fresh seeded PGlite. */
export async function startStack(cache: CacheConfig): Promise<Stack> {
  const services = await buildServices({ database: { kind: 'pglite', dataDir: 'memory://' }, cache });
  await seedDemoData(services.db);
  const origin = await startOriginServer(services, '127.0.0.1', 0);
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      script: await bundleEdge(),
      modules: true,
      compatibilityDate: await compatibilityDate(),
      bindings: { ORIGIN_URL: origin.url, ORIGIN_TIMEOUT_MS: '5000' },
      cf: false,
    }),
  );
  const base = await mf.ready;
  return {
    origin,
    services,
    edge: (path, init) => fetch(new URL(path, base), init),
    async close() {
      await mf.dispose();
      await origin.close();
      await services.close();
    },
  };
}

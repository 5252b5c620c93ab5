/**
 * Bundles a Worker entry the way wrangler does (ESM, workerd conditions), for Miniflare in the
 * e2e tests and the edge benchmark (here, beside the other pieces that run the stack locally).
 */
import { build } from 'esbuild';

/** The bundled module text of `entry`. */
export async function bundleWorker(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
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

/**
 * The origin functions' bundler: esbuild's API with code splitting, so a function loads at init
 * only its entry file and the chunks that file imports statically, and what the code reaches
 * with `import()` (the CloudFront and SSM clients, the AWS SDK's credential providers, of which
 * a function loads the one its credentials come from) stays in chunks until first use. `NodejsFunction` cannot do this:
 * it runs esbuild's command line with `--outfile`, one file, and takes no plugins.
 *
 * Used by the construct (through `build-cli.ts`, in a child process: CDK's local bundling is
 * synchronous and esbuild's synchronous API takes no plugins), by `npm run bench -- lambda` and
 * by the infra tests.
 */
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { BUNDLE_BANNER, BUNDLE_ENTRY_FILE, BUNDLE_EXTERNALS, BUNDLE_TARGET } from './bundling.ts';

/**
 * zod's `locales` namespace (`z.locales`, `z.core.locales`) re-exports its 40-odd languages
 * (258 KiB minified), and esbuild keeps them all because `@hono/zod-openapi` passes the whole `z`
 * namespace to `extendZodWithOpenApi`. The origin speaks English only: zod configures `en` itself
 * (`classic/schemas.js` imports `../locales/en.js` directly and applies it on the first schema),
 * so loading the namespace's file as one that re-exports `en` alone changes no message.
 * `z.locales.en` still exists; importing any other language would fail the build (a missing
 * export), not the function.
 */
export const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(esbuild) {
    esbuild.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({ contents: "export { default as en } from './en.js';\n", loader: 'js' }));
  },
};

/** esbuild's options for bundling `entry` into `outdir` (`index.mjs` and `chunks/`). */
export function bundleOptions(entry: string, outdir: string, extra: { nodePaths?: string[] } = {}): BuildOptions {
  return {
    // Where packages are found for an entry outside the repository (the bench's tests).
    ...(extra.nodePaths ? { nodePaths: extra.nodePaths } : {}),
    entryPoints: { [BUNDLE_ENTRY_FILE.replace(/\.mjs$/, '')]: entry },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_TARGET,
    // ESM builds first: the AWS SDK's `dist-es` tree-shakes, and its own `import()` of the
    // credential providers becomes chunks loaded only by the provider that is used (AWS's advice
    // for ESM bundles). Only `@aws-sdk/*` and `@smithy/*` packages resolve differently.
    mainFields: ['module', 'main'],
    splitting: true,
    outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    minify: true,
    sourcemap: true,
    // Stack traces are mapped without the sources' text (1.5 MB of maps instead of 4.4). The
    // functions read a file's map when one of its frames is first printed
    // (`origin/stack-traces.ts`), not at load as `--enable-source-maps` would (docs/origin-speed.md).
    sourcesContent: false,
    banner: { js: BUNDLE_BANNER },
    external: [...BUNDLE_EXTERNALS],
    plugins: [zodEnglishOnly],
    metafile: true,
    // Failures are thrown with their messages; nothing is printed.
    logLevel: 'silent',
  };
}

/** Bundles `entry` into `outdir`; esbuild's metafile (paths relative to the working directory). */
export async function bundleFunction(entry: string, outdir: string, extra: { nodePaths?: string[] } = {}): Promise<Metafile> {
  const result = await build(bundleOptions(entry, outdir, extra));
  return result.metafile!;
}

/** One output file of a bundle, with its size. */
export interface BundleFile {
  /** Relative to the bundle's folder: `index.mjs`, `chunks/…`. */
  readonly path: string;
  readonly bytes: number;
}

/**
 * What Node loads when Lambda imports `dir/index.mjs`: the entry and, transitively, every file
 * it imports with a static `import` (esbuild reads the bundle's own import statements; packages
 * are left out, `import()` is followed no further). The other files load on first use.
 */
export async function loadedAtInit(dir: string): Promise<{ files: BundleFile[]; bytes: number }> {
  const result = await build({
    entryPoints: [join(dir, BUNDLE_ENTRY_FILE)],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  });
  const { inputs } = result.metafile;
  const start = relative(process.cwd(), join(dir, BUNDLE_ENTRY_FILE));
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length > 0) {
    const path = queue.pop()!;
    if (seen.has(path)) continue;
    seen.add(path);
    for (const imported of inputs[path]?.imports ?? []) if (imported.kind === 'import-statement' && !imported.external) queue.push(imported.path);
  }
  const files = await Promise.all([...seen].map(async (path) => ({ path: relative(dir, path), bytes: (await readFile(path)).length })));
  return { files, bytes: files.reduce((sum, file) => sum + file.bytes, 0) };
}

/**
 * The pieces of `npm run bench -- lambda` that decide its figures: the bundle is built with the
 * construct's bundler (ESM with the `require` banner, externals left out, code split), what loads
 * at init is told from what loads on first use, and contributions are attributed to the right
 * package. Never runs the benchmark.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleOrigin, packageOf } from '../../bench/lambda.ts';
import { BUNDLE_BANNER } from '../../infra/constructs/origin-function/bundling.ts';

describe('packageOf', () => {
  it('names npm packages, scoped or not, and app files by their folder', () => {
    expect(packageOf('node_modules/zod/v4/core/core.js')).toBe('zod');
    expect(packageOf('node_modules/@smithy/core/dist-es/index.js')).toBe('@smithy/core');
    expect(packageOf('node_modules/pg-pool/node_modules/pg-types/index.js')).toBe('pg-pool');
    expect(packageOf('origin/cache/engine.ts')).toBe('origin/cache');
  });
});

describe('bundleOrigin', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-bundle-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('bundles as the construct does and reports what each input contributed', async () => {
    const entry = join(dir, 'entry.ts');
    await writeFile(entry, "import { LRUCache } from 'lru-cache';\nimport pg from 'pg-native';\nexport const made = new LRUCache({ max: 1 }) && pg;\n");
    // The entry lives outside the repository: resolve packages from here.
    const out = join(dir, 'plain');
    const { init, initInputs } = await bundleOrigin(entry, out, { nodePaths: [join(process.cwd(), 'node_modules')] });
    const code = await readFile(join(out, 'index.mjs'), 'utf8');
    expect(code.startsWith(BUNDLE_BANNER)).toBe(true);
    expect(code).toMatch(/from\s*"pg-native"/);
    expect(init.files.map((file) => file.path)).toEqual(['index.mjs']);
    const packages = Object.keys(initInputs).map(packageOf);
    expect(packages).toContain('lru-cache');
    expect(packages).not.toContain('pg-native');
    expect(Object.values(initInputs).every((bytes) => bytes >= 0)).toBe(true);
  });

  it('counts at init the chunks imported statically, not those reached with import()', async () => {
    // Two entries sharing a module make esbuild put it in a chunk both import statically.
    await writeFile(join(dir, 'shared.ts'), "export const shared = 'shared-'.repeat(3);\n");
    await writeFile(join(dir, 'lazy.ts'), "import { shared } from './shared.ts';\nexport const lazy = 'lazy-' + shared;\n");
    const entry = join(dir, 'split.ts');
    await writeFile(entry, "import { shared } from './shared.ts';\nexport const now = shared;\nexport const later = () => import('./lazy.ts');\n");
    const out = join(dir, 'split');
    const { init, allBytes, lazyChunks } = await bundleOrigin(entry, out);
    const lazyKey = relative(process.cwd(), join(dir, 'lazy.ts'));
    const lazyChunk = lazyChunks[lazyKey];
    expect(lazyChunk).toMatch(/^chunks\/lazy-.*\.mjs$/);
    const initPaths = init.files.map((file) => file.path);
    expect(initPaths[0]).toBe('index.mjs');
    expect(initPaths).toHaveLength(2); // the entry and the shared chunk
    expect(initPaths).not.toContain(lazyChunk);
    expect(init.bytes).toBe(init.files.reduce((sum, file) => sum + file.bytes, 0));
    expect(allBytes).toBeGreaterThan(init.bytes);
    const bundled = (await import(pathToFileURL(join(out, 'index.mjs')).href)) as { now: string; later: () => Promise<{ lazy: string }> };
    expect((await bundled.later()).lazy).toBe(`lazy-${bundled.now}`);
  });

  it("keeps only zod's English locale, and zod's messages unchanged", async () => {
    const entry = join(dir, 'zod.ts');
    await writeFile(
      entry,
      "import * as z from 'zod';\nexport const locales = Object.keys(z.locales);\nexport const message = z.string().safeParse(1).error?.issues[0]?.message;\n",
    );
    const out = join(dir, 'zod');
    await bundleOrigin(entry, out, { nodePaths: [join(process.cwd(), 'node_modules')] });
    const bundled = (await import(pathToFileURL(join(out, 'index.mjs')).href)) as { locales: string[]; message: string };
    const z = await import('zod');
    expect(bundled.locales).toEqual(['en']);
    expect(Object.keys(z.locales).length).toBeGreaterThan(1);
    expect(bundled.message).toBe(z.string().safeParse(1).error?.issues[0]?.message);
    expect(bundled.message).toMatch(/expected string/);
  });

  it('fails on an entry that does not build', async () => {
    const entry = join(dir, 'broken.ts');
    await writeFile(entry, "import './missing.ts';\n");
    await expect(bundleOrigin(entry, join(dir, 'broken'))).rejects.toThrow(/missing\.ts/);
  });
});

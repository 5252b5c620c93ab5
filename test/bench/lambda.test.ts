/**
 * The pieces of `npm run bench -- lambda` that decide its figures: the bundle is built with the
 * construct's options (ESM with the `require` banner, externals left out), and contributions are
 * attributed to the right package. Never runs the benchmark.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    const { file, inputs } = await bundleOrigin(entry, dir, { nodePaths: [join(process.cwd(), 'node_modules')] });
    const code = await readFile(file, 'utf8');
    expect(code.startsWith(BUNDLE_BANNER)).toBe(true);
    expect(code).toMatch(/from\s*"pg-native"/);
    const packages = Object.keys(inputs).map(packageOf);
    expect(packages).toContain('lru-cache');
    expect(packages).not.toContain('pg-native');
    expect(Object.values(inputs).every((bytes) => bytes >= 0)).toBe(true);
  });

  it('fails on an entry that does not build', async () => {
    const entry = join(dir, 'broken.ts');
    await writeFile(entry, "import './missing.ts';\n");
    await expect(bundleOrigin(entry, dir)).rejects.toThrow(/missing\.ts/);
  });
});

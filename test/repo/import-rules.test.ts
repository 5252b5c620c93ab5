/**
 * The import rules (`.dependency-cruiser.mjs`, docs/architecture.md "Import rules"): the
 * repository keeps them, and each rule refuses what it names. The second part runs the same
 * configuration over a scratch tree in which every rule is broken once, next to imports each
 * rule allows, and expects exactly the broken ones back.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');
const CONFIG = join(ROOT, '.dependency-cruiser.mjs');
const SOURCES = ['.'];

interface Violation {
  rule: { name: string; severity: string };
  from: string;
  to: string;
}

/** Runs dependency-cruiser in `cwd` and returns its violations as `rule: from → to`, sorted (known ones left out). */
async function violations(cwd: string, extra: string[] = []): Promise<string[]> {
  const args = ['--config', CONFIG, '--output-type', 'json', ...extra, ...SOURCES];
  // It exits non-zero when it finds violations; the report is on stdout either way.
  const { stdout } = await run(process.execPath, [DEPCRUISE, ...args], { cwd, maxBuffer: 64 * 1024 * 1024 }).catch(
    (error: { stdout?: string; stderr?: string }) => {
      if (!error.stdout) throw new Error(`dependency-cruiser failed: ${error.stderr ?? String(error)}`);
      return { stdout: error.stdout };
    },
  );
  const report = JSON.parse(stdout) as { summary: { violations: Violation[] } };
  return report.summary.violations
    .filter((v) => v.rule.severity !== 'ignore')
    .map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)
    .sort();
}

describe('import rules', () => {
  it('hold in the repository (known violations aside)', async () => {
    expect(await violations(ROOT, ['--ignore-known', '.dependency-cruiser-known-violations.json'])).toEqual([]);
  });

  describe('refuse what they name', () => {
    let scratch: string | undefined;
    afterAll(async () => {
      if (scratch) await rm(scratch, { recursive: true, force: true });
    });

    it('each rule, on a tree that breaks every one of them once', async () => {
      scratch = await mkdtemp(join(tmpdir(), 'strata-import-rules-'));
      const files: Record<string, string> = {
        'tsconfig.json': JSON.stringify({
          compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', allowImportingTsExtensions: true, noEmit: true },
        }),
        'package.json': JSON.stringify({ name: 'scratch', type: 'module', dependencies: { ioredis: '*', 'prom-client': '*' } }),
        // Allowed: edge and origin share common/.
        'common/ids.ts': "import 'node:fs/promises';\nimport '../origin/app.ts';\nexport const id = 1;\n",
        'edge/index.ts': "import '../common/ids.ts';\nimport '../origin/app.ts';\n",
        'origin/app.ts': "import '../common/ids.ts';\nimport '../edge/index.ts';\nimport './cache/index.ts';\n",
        'origin/config.ts': 'export const config = {};\n',
        'origin/lambda.ts': "import './app.ts';\n",
        // The engine: an allowed package, a refused one, the app, a layer reaching up, a cycle.
        'origin/cache/index.ts': "import 'node:timers/promises';\nimport 'ioredis';\nimport './read/reads.ts';\nimport '../config.ts';\n",
        'origin/cache/metrics.ts': "import 'prom-client';\n",
        'origin/cache/read/reads.ts': "import '../store/memory.ts';\n",
        'origin/cache/store/memory.ts': "import '../read/reads.ts';\n",
        // infra: entry files yes, anything else of origin/ or edge/ no.
        'infra/app.ts': "import '../origin/lambda.ts';\nimport '../edge/index.ts';\nimport '../common/ids.ts';\nimport '../origin/config.ts';\n",
        'local/dev.ts': "import '../test/harness/redis.ts';\n",
        // A folder no rule names is still not allowed into test/; tests may import what workerd provides.
        'cli/main.ts': "import '../test/harness/redis.ts';\n",
        'test/edge/a.test.ts': "import 'cloudflare:test';\nimport '../harness/redis.ts';\n",
        'test/harness/redis.ts': 'export const redis = 1;\n',
        'bench/run.ts': "import './missing.ts';\n",
        // Two packages, as npm lays them out.
        'node_modules/ioredis/package.json': JSON.stringify({ name: 'ioredis', types: 'index.d.ts' }),
        'node_modules/ioredis/index.d.ts': 'export declare const Redis: unknown;\n',
        'node_modules/prom-client/package.json': JSON.stringify({ name: 'prom-client', types: 'index.d.ts' }),
        'node_modules/prom-client/index.d.ts': 'export declare const register: unknown;\n',
        'scripts/check.ts': "import '../common/ids.ts';\n",
      };
      for (const [path, text] of Object.entries(files)) {
        await mkdir(dirname(join(scratch, path)), { recursive: true });
        await writeFile(join(scratch, path), text);
      }

      const found = await violations(scratch);
      expect(found).toEqual(
        [
          'common-imports-no-app: common/ids.ts → origin/app.ts',
          'edge-not-to-origin: edge/index.ts → origin/app.ts',
          'origin-not-to-edge: origin/app.ts → edge/index.ts',
          'engine-not-to-app: origin/cache/index.ts → origin/config.ts',
          'engine-packages: origin/cache/metrics.ts → node_modules/prom-client/index.d.ts',
          'engine-layers-point-down: origin/cache/store/memory.ts → origin/cache/read/reads.ts',
          'engine-no-cycles: origin/cache/read/reads.ts → origin/cache/store/memory.ts',
          'infra-points-at-entry-files: infra/app.ts → origin/config.ts',
          'not-to-test: local/dev.ts → test/harness/redis.ts',
          'not-to-test: cli/main.ts → test/harness/redis.ts',
          'not-to-unresolvable: bench/run.ts → ./missing.ts',
        ].sort(),
      );
    });
  });
});

/**
 * Test projects: `edge` runs inside workerd (Cloudflare's vitest plugin); `origin`, `infra`,
 * `e2e`, `local` (the `npm run dev` stack), `bench` (the benchmarks' own pieces) and `repo` (the repository's own rules:
 * import rules, documents) run in Node. The root global setup starts the harness's shared servers once for all (the
 * cluster; Upstash with a namespace per edge file); Node files that use Redis get a server of their own.
 */
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

// A redis-server of each test file's own (test/harness/file-redis.ts): files share no Redis state.
const fileRedis = './test/harness/file-setup.ts';

export default defineConfig({
  test: {
    globalSetup: ['./test/harness/quiet-logs.ts', './test/harness/global-setup.ts'],
    silent: 'passed-only',
    projects: [
      {
        plugins: [
          cloudflareTest({
            // workerd's own report of every exception, caught ones included (fetches to closed ports
            // in outage tests): off unless WORKERD_VERBOSE=1. Test failures are vitest's to report.
            verbose: process.env.WORKERD_VERBOSE === '1',
            wrangler: { configPath: './wrangler.toml' },
            miniflare: { compatibilityFlags: ['enable_nodejs_inspector_module'] },
          }),
        ],
        test: { name: 'edge', include: ['test/edge/**/*.test.ts'] },
      },
      { test: { name: 'origin', include: ['test/origin/**/*.test.ts'], setupFiles: [fileRedis], testTimeout: 20_000, hookTimeout: 60_000 } },
      {
        // Vite loads the synthesized Lambda bundles (`cdk.out/asset.<hash>/`) and would warn that
        // their source maps name files it cannot read: the maps carry no sources' text
        // (`infra/constructs/origin-function/build.ts`). Its errors still show.
        logLevel: 'error',
        test: { name: 'infra', include: ['test/infra/**/*.test.ts'], testTimeout: 120_000 },
      },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], setupFiles: [fileRedis], testTimeout: 30_000, hookTimeout: 60_000 } },
      { test: { name: 'local', include: ['test/local/**/*.test.ts'], setupFiles: [fileRedis], testTimeout: 30_000, hookTimeout: 120_000 } },
      { test: { name: 'bench', include: ['test/bench/**/*.test.ts'], testTimeout: 20_000, hookTimeout: 60_000 } },
      { test: { name: 'repo', include: ['test/repo/**/*.test.ts'], testTimeout: 60_000 } },
    ],
  },
});

/**
 * How the origin's Lambda functions are bundled, in one place: the construct runs
 * `build-cli.ts` (esbuild's API, `build.ts`) with these settings, and `npm run bench -- lambda`
 * builds with the same `build.ts` to measure the bundle's size and start-up.
 */

/** Node 24 as Lambda's `nodejs24.x` runs it. */
export const BUNDLE_TARGET = 'node24';

/** CommonJS dependencies (ioredis, pg) call require(); ESM output needs it defined. */
export const BUNDLE_BANNER = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/** PGlite is the local database only; pg-native is an optional binding pg never needs here. */
export const BUNDLE_EXTERNALS: readonly string[] = ['@electric-sql/pglite', 'pg-native'];

/** The entry file Lambda loads (`index.handler`); the other files are chunks under `chunks/`. */
export const BUNDLE_ENTRY_FILE = 'index.mjs';

/**
 * The largest acceptable size in bytes of what the origin function loads at init: the entry file
 * and the chunks it imports statically (`loadedAtInit` in `build.ts`), checked by
 * `test/infra/origin-stack.test.ts`. Chunks imported with `import()` on first use do not count.
 */
export const ORIGIN_BUNDLE_MAX_BYTES = 1_000_000;

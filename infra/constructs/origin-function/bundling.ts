/**
 * How the origin's Lambda functions are bundled (esbuild, through `NodejsFunction`), in one
 * place: the construct passes these to CDK, and `npm run bench -- lambda` builds with the same
 * options to measure the bundle's size and start-up.
 */

/** Node 24 as Lambda's `nodejs24.x` runs it. */
export const BUNDLE_TARGET = 'node24';

/** CommonJS dependencies (ioredis, pg) call require(); ESM output needs it defined. */
export const BUNDLE_BANNER = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/** PGlite is the local database only; pg-native is an optional binding pg never needs here. */
export const BUNDLE_EXTERNALS: readonly string[] = ['@electric-sql/pglite', 'pg-native'];

/** The bundle's largest acceptable size in bytes, checked by `test/infra/origin-stack.test.ts`. */
export const ORIGIN_BUNDLE_MAX_BYTES = 2_000_000;

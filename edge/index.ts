/**
 * The Worker entry point (`main` in wrangler.toml).
 */
import { createEdgeApp } from './app.ts';
import { workersCacheStorage } from './cache/storage.ts';
import { upstashVersions } from './purge/index.ts';

export default createEdgeApp({ storage: workersCacheStorage(), versions: upstashVersions });

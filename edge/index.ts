/**
 * The Worker entry point (`main` in wrangler.toml).
 */
import { createEdgeApp } from './app.ts';
import { withHotTier } from './cache/hot-storage.ts';
import { workersCacheStorage } from './cache/storage.ts';
import { upstashVersions } from './purge/index.ts';

export default createEdgeApp({ storage: withHotTier(workersCacheStorage()), versions: upstashVersions });

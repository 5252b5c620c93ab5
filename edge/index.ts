/**
 * The Worker entry point (`main` in wrangler.toml).
 */
import { createEdgeApp } from './app.ts';
import { workersCacheStorage } from './cache/storage.ts';

export default createEdgeApp({ storage: workersCacheStorage() });

/**
 * The edge as `edge/index.ts` builds it, minus the per-isolate memory tier: every lookup goes to
 * the Workers Cache API, as every `hono/cache` hit does. Built here from the edge's exported
 * pieces, so the benchmark can show what a hit costs without the tier.
 */
import { createEdgeApp } from '../../../edge/app.ts';
import { workersCacheStorage } from '../../../edge/cache/storage.ts';
import { upstashVersions } from '../../../edge/purge/index.ts';

export default createEdgeApp({ storage: workersCacheStorage(), versions: upstashVersions });

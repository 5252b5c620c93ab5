/**
 * The edge as deployed: `wrangler deploy --dry-run` of the production environment, minified as
 * wrangler.toml says, stays within 64 KiB gzip — the Worker's start-up parses all of it.
 *
 * The repository's production environment holds placeholders, which its build step refuses
 * (scripts/check-edge-env.ts). The test does what an operator does first: it fills them in, in a
 * copy of wrangler.toml inside a scratch directory that links the sources, and deploys that
 * (`bench/bundles/edge.ts`, which the benchmark summary reports from too).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildEdgeBundle, EDGE_BUNDLE_LIMIT_KIB as LIMIT_KIB, type EdgeBundle } from '../../bench/bundles/edge.ts';

let bundle: EdgeBundle;

beforeAll(async () => {
  bundle = await buildEdgeBundle();
}, 120_000);

describe('the deployed edge bundle', () => {
  it(`is at most ${LIMIT_KIB} KiB gzip, as wrangler reports it and as its output file compresses`, async () => {
    expect(bundle.reportedGzipKiB, bundle.output).not.toBeNaN();
    expect(bundle.reportedGzipKiB).toBeLessThanOrEqual(LIMIT_KIB);
    expect(bundle.scriptGzipBytes).toBeLessThanOrEqual(LIMIT_KIB * 1024);
  });
});

/**
 * `npm run bench -- bundles`: the edge Worker as deployed, through `wrangler deploy --dry-run`
 * (raw and gzip as wrangler reports them, against the 64 KiB limit). The origin Lambda's bundle
 * and module init are `npm run bench -- lambda`. Writes `bench/results/bundles.json`.
 */
import { writeRows, type Row } from '../rows.ts';
import { buildEdgeBundle, EDGE_BUNDLE_LIMIT_KIB } from './edge.ts';

export async function bundles(): Promise<void> {
  const edge = await buildEdgeBundle();
  if (Number.isNaN(edge.reportedGzipKiB)) throw new Error(`wrangler's dry run did not report a size:\n${edge.output}`);
  const rows: Row[] = [
    { subject: 'edge', metric: 'bundle_kib', value: edge.reportedKiB, unit: 'KiB' },
    { subject: 'edge', metric: 'bundle_gzip_kib', value: edge.reportedGzipKiB, unit: 'KiB' },
    { subject: 'edge', metric: 'bundle_gzip_limit_kib', value: EDGE_BUNDLE_LIMIT_KIB, unit: 'KiB' },
  ];
  console.table(rows);
  await writeRows('bundles', rows);
}

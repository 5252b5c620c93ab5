/**
 * `node build-cli.ts <entry> <outdir>`: bundles one origin function (`build.ts`). The construct's
 * local bundling runs this in a child process; a failure exits non-zero with esbuild's messages.
 */
import { bundleFunction } from './build.ts';

const [entry, outdir] = process.argv.slice(2);
if (!entry || !outdir) {
  process.stderr.write('usage: node build-cli.ts <entry> <outdir>\n');
  process.exit(2);
}
try {
  await bundleFunction(entry, outdir);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

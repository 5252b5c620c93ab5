/**
 * A bundled function's stack traces point into the sources without `--enable-source-maps`:
 * `origin/stack-traces.ts` reads a file's map when one of its frames is first formatted. The
 * bundle is built with the construct's bundler and run in a fresh node, as Lambda runs it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleOrigin } from '../../bench/lambda.ts';

const MAPPER = resolve('origin/stack-traces.ts');

/** The stack of the error the bundle's `fail()` throws, in a fresh node with `flags`. */
function stackOf(bundle: string, flags: string[] = []): string {
  const script = `const m = await import(${JSON.stringify(pathToFileURL(bundle).href)}); try { m.fail(); } catch (error) { process.stdout.write(error.stack); }`;
  const run = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', script], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`the bundle failed: ${run.stderr}`);
  return run.stdout;
}

describe('source-mapped stack traces of a bundle', () => {
  let dir: string;
  let fixture: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-stack-traces-'));
    fixture = join(dir, 'entry.ts');
    // Line 4, column 9: where the error is made.
    await writeFile(
      fixture,
      [
        `import ${JSON.stringify(MAPPER)};`,
        'export function fail(): never {',
        '  const reason: string = "from the fixture";',
        '  throw new Error(reason);',
        '}',
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('point at the TypeScript line, reading the map only when a trace is formatted', async () => {
    const out = join(dir, 'mapped');
    await bundleOrigin(fixture, out);
    const stack = stackOf(join(out, 'index.mjs'));
    expect(stack).toMatch(/^Error: from the fixture\n/);
    expect(stack).toContain(`${fixture}:4:9`);
    expect(stack).not.toContain('index.mjs');
  });

  it('leave frames without a map as V8 writes them', async () => {
    const out = join(dir, 'unmapped');
    await bundleOrigin(fixture, out);
    for (const file of await readdir(out)) if (file.endsWith('.map')) await rm(join(out, file));
    // No map beside the bundle: the module installs nothing, and V8's own format stays.
    expect(stackOf(join(out, 'index.mjs'))).toMatch(/index\.mjs:\d+:\d+/);
  });

  it('step aside when Node maps traces itself', async () => {
    const out = join(dir, 'node-maps');
    await bundleOrigin(fixture, out);
    expect(stackOf(join(out, 'index.mjs'), ['--enable-source-maps'])).toContain(`${fixture}:4:9`);
  });
});

describe('the Lambda entries', () => {
  it('each import the mapper before anything else', async () => {
    const entries = (await readdir('origin')).filter((file) => file === 'lambda.ts' || file.endsWith('-lambda.ts'));
    expect(entries.length).toBeGreaterThanOrEqual(5);
    for (const entry of entries) {
      const source = await readFile(join('origin', entry), 'utf8');
      const firstImport = /^import .*$/m.exec(source)?.[0];
      expect(firstImport, entry).toBe("import './stack-traces.ts';");
    }
  });
});

/**
 * The cache engine (`origin/cache/`) is a library: it imports nothing of the app (the rest of
 * `origin/`, `common/`), only itself, Node and its own dependencies; metrics sinks and the
 * session store live in the app. Inside it, the store and resilience layers know nothing of
 * the read, write and invalidation paths built on them (no callbacks up). And it points at
 * documents in the repository only.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const ENGINE = join(ROOT, 'origin/cache');
// The engine's own dependencies; anything else (prom-client, Powertools, …) belongs to an outlet.
const PACKAGES = new Set(['cluster-key-slot', 'cockatiel', 'dataloader', 'ioredis', 'lru-cache']);
// Layers built on the store and the breaker; nothing below them may reach up into them.
const UPPER = ['read/', 'write/', 'invalidation/', 'engine.ts', 'context.ts', 'index.ts'];
const LOWER = ['store/', 'resilience/'];

/** Every TypeScript file of the engine, as paths relative to it, with its source text. */
async function engineFiles(): Promise<{ path: string; text: string }[]> {
  const names = (await readdir(ENGINE, { recursive: true })).filter((name) => name.endsWith('.ts'));
  return Promise.all(names.map(async (name) => ({ path: name.split('\\').join('/'), text: await readFile(join(ENGINE, name), 'utf8') })));
}

/** The module specifiers a file imports or re-exports, dynamic imports included. */
function specifiers(text: string): string[] {
  const found = [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*'([^']+)'/gms), ...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)];
  return found.map((match) => match[1]!);
}

describe('the cache engine as a library', () => {
  it('imports only itself, Node and its own dependencies', async () => {
    const outside: string[] = [];
    for (const { path, text } of await engineFiles()) {
      for (const spec of specifiers(text)) {
        if (spec.startsWith('node:') || PACKAGES.has(spec)) continue;
        const target = spec.startsWith('.') ? relative(ENGINE, resolve(dirname(join(ENGINE, path)), spec)) : spec;
        if (!spec.startsWith('.') || target.startsWith('..')) outside.push(`${path} → ${spec}`);
      }
    }
    expect(outside).toEqual([]);
  });

  it('keeps the store and the breaker free of the paths built on them', async () => {
    const upward: string[] = [];
    for (const { path, text } of await engineFiles()) {
      if (!LOWER.some((layer) => path.startsWith(layer))) continue;
      for (const spec of specifiers(text).filter((s) => s.startsWith('.'))) {
        const target = relative(ENGINE, resolve(dirname(join(ENGINE, path)), spec)).split('\\').join('/');
        if (UPPER.some((layer) => target === layer || target.startsWith(layer))) upward.push(`${path} → ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('cites no design document outside the repository', async () => {
    const citing = (await engineFiles()).filter(({ text }) => /ARCHITECTURE\.md|ARCHITECTURE §|\.\.\/shared\//.test(text)).map(({ path }) => path);
    expect(citing).toEqual([]);
  });
});

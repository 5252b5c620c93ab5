/**
 * The repository documents itself: no tracked file cites a design document that is not in it,
 * and every relative link in its Markdown reaches a file (and a heading, for `#anchor` links)
 * that exists. Each check is also shown to catch a made-up offender.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');

// Built from parts so that this file does not cite them itself. Names in capitals: the
// repository's own docs/architecture.md is not one of them.
const OUTSIDE_FILES = new RegExp(`\\b(?:${['ARCHITECTURE', 'BRIEF', 'STYLE'].join('|')})(?:\\.md\\b| §)|\\.\\./${'shared'}/`);
const OUTSIDE_WORDS = new RegExp(`\\b(?:the|design) ${'brief'}\\b|\\b${'brief'}['’]s\\b`, 'i');

/** `path:line: text` of every line of `text` that cites a document outside the repository. */
function outsideCitations(path: string, text: string): string[] {
  return text.split('\n').flatMap((line, i) => (OUTSIDE_FILES.test(line) || OUTSIDE_WORDS.test(line) ? [`${path}:${i + 1}: ${line.trim()}`] : []));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of a Markdown text's headings (outside code blocks). */
function anchors(text: string): Set<string> {
  const found = new Set<string>();
  let fenced = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = !fenced && /^#{1,6} (.+)$/.exec(line);
    if (heading) found.add(slug(heading[1]!));
  }
  return found;
}

/** Relative links of `text` (a Markdown file at `path`) whose file or heading does not exist. */
async function brokenLinks(path: string, text: string, read: (path: string) => Promise<string | undefined>): Promise<string[]> {
  const broken: string[] = [];
  const prose = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  for (const [, target] of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/i.test(target!)) continue; // https:, mailto:
    const [file, anchor] = target!.split('#') as [string, string | undefined];
    const targetPath = file === '' ? path : join(dirname(path), file);
    const content = await read(targetPath);
    if (content === undefined) broken.push(`${path} → ${target} (no such file)`);
    else if (anchor && targetPath.endsWith('.md') && !anchors(content).has(anchor)) broken.push(`${path} → ${target} (no such heading)`);
  }
  return broken;
}

async function trackedFiles(): Promise<string[]> {
  const { stdout } = await run('git', ['ls-files', '-z'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  return stdout.split('\0').filter((path) => path !== '' && existsSync(join(ROOT, path)));
}

async function readRepo(path: string): Promise<string | undefined> {
  const full = join(ROOT, path);
  if (!existsSync(full)) return undefined;
  return readFile(full, 'utf8').catch(() => '');
}

describe('documents', () => {
  it('no tracked file cites a document outside the repository', async () => {
    const citing: string[] = [];
    for (const path of await trackedFiles()) {
      if (/\.(png|jpg|gif|ico|woff2?)$/.test(path)) continue;
      citing.push(...outsideCitations(path, (await readRepo(path)) ?? ''));
    }
    expect(citing).toEqual([]);
  });

  it('every relative link in the Markdown reaches a file and heading that exist', async () => {
    const broken: string[] = [];
    for (const path of (await trackedFiles()).filter((p) => p.endsWith('.md'))) {
      broken.push(...(await brokenLinks(path, (await readRepo(path)) ?? '', readRepo)));
    }
    expect(broken).toEqual([]);
  });

  it('the checks catch what they look for', async () => {
    const cite = ['See ARCHITECTURE', '.md §3.'].join('');
    expect(outsideCitations('x.ts', `// fine, see docs/architecture.md\n// ${cite}`)).toEqual([`x.ts:2: // ${cite}`]);
    expect(outsideCitations('w.ts', `// ${'STYLE'} §5, ../${'shared'}/notes`)).toHaveLength(1);
    expect(outsideCitations('y.ts', `// as the ${'brief'}'s wrapper did`)).toHaveLength(1);
    expect(outsideCitations('z.ts', '// stalls briefly; subject brief-keys-del')).toEqual([]);

    const files: Record<string, string> = { 'docs/a.md': '# Title\n\n## The `x`: y\n', 'README.md': '' };
    const read = async (path: string) => files[path];
    const text = '[ok](docs/a.md#the-x-y) [gone](docs/b.md) [bad](docs/a.md#nope) [web](https://example.com) `[code](nowhere.md)`';
    expect(await brokenLinks('README.md', text, read)).toEqual(['README.md → docs/b.md (no such file)', 'README.md → docs/a.md#nope (no such heading)']);
  });
});

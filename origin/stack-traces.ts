/**
 * Stack traces of a bundled function point into the TypeScript sources, with the source maps
 * read when a trace is first formatted instead of when the code loads.
 *
 * Node's `--enable-source-maps` reads and parses the map of every file as it loads it: on the
 * origin function that was about 20 ms of a cold start's module init (`npm run bench -- lambda`,
 * docs/origin-speed.md), paid by every instance for traces that most never print. Imported first
 * by each Lambda entry, this module formats traces itself (V8's `Error.prepareStackTrace`), and a
 * file's map is read and parsed the first time one of its frames is formatted, then kept.
 *
 * It does nothing when the code does not run from a bundle with maps beside it (`node origin/…`
 * runs the sources themselves, and tests run them through vitest's own mapping), or when Node
 * maps traces already (`--enable-source-maps`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Parsed maps by generated file path; `null`: the file has none (or an unreadable one). */
const maps = new Map<string, SourceMap | null>();

function mapOf(file: string): SourceMap | null {
  let map = maps.get(file);
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    } catch {
      map = null;
    }
    maps.set(file, map);
  }
  return map;
}

/** A frame's location in the sources (`path:line:column`), or undefined when its file has no map. */
function originalLocation(file: string, line: number, column: number): string | undefined {
  const map = mapOf(file);
  if (!map) return undefined;
  // V8 counts lines and columns from 1; source maps from 0.
  const entry = map.findEntry(line - 1, column - 1);
  if (!('originalSource' in entry) || !entry.originalSource) return undefined;
  const source = fileURLToPath(new URL(entry.originalSource, pathToFileURL(file)));
  return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
}

/**
 * One frame as V8 writes it, its location replaced by the original one when its file has a map.
 * Function names stay as the bundle has them (minified names where the bundle renamed them).
 */
function formatFrame(frame: NodeJS.CallSite): string {
  const text = frame.toString();
  const name = frame.getFileName();
  const line = frame.getLineNumber();
  const column = frame.getColumnNumber();
  // node:internal/…, evalmachine.<anonymous>, native frames: nothing to map.
  if (!name || !(name.startsWith('file:') || name.startsWith('/')) || line === null || column === null) return `    at ${text}`;
  const original = originalLocation(name.startsWith('file:') ? fileURLToPath(name) : name, line, column);
  const generated = `${name}:${line}:${column}`;
  const at = text.lastIndexOf(generated);
  if (!original || at < 0) return `    at ${text}`;
  return `    at ${text.slice(0, at)}${original}${text.slice(at + generated.length)}`;
}

/** `error`'s header line(s), as V8 writes them (`Name: message`). */
function header(error: Error): string {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return '<error>';
  }
}

/** Whether this module runs from a bundle with source maps beside it. */
function bundledWithMaps(): boolean {
  const self = import.meta.url;
  return self.startsWith('file:') && !self.endsWith('.ts') && existsSync(`${fileURLToPath(self)}.map`);
}

// The mapping formatter, when the code runs from a bundle with maps and Node maps nothing itself.
if (!process.sourceMapsEnabled && bundledWithMaps()) {
  Error.prepareStackTrace = (error, frames) => `${header(error)}${frames.map((frame) => `\n${formatFrame(frame)}`).join('')}`;
}

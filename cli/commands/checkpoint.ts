/**
 * The warm command's checkpoint: after every acknowledged batch, where each type stands, written
 * atomically (a temporary file renamed over the old one), so an interrupted warm — Ctrl-C, a
 * lost connection, a killed terminal — resumes after the last batch that landed instead of
 * starting over. Removed when the warm completes.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CliError } from '../errors.ts';

/** Where one type stands. */
export interface TypeProgress {
  /** The last id (or config type) written; the next batch starts after it. */
  after: string | null;
  done: boolean;
  rows: number;
  keys: number;
  batches: number;
}

/** The file's content. */
export interface Checkpoint {
  version: 1;
  tenant: string;
  /** The origin it was written against (no credentials), so a checkpoint never crosses stacks. */
  origin: string;
  types: string[];
  progress: Record<string, TypeProgress>;
  startedAt: string;
  updatedAt: string;
}

/** The default checkpoint file of a tenant: beside the local stack's files, or in the working folder. */
export function checkpointPath(tenant: string, localDir: string | undefined, cwd: string): string {
  return localDir ? join(localDir, `warm-${tenant}.json`) : join(cwd, `.strata-warm-${tenant}.json`);
}

/** The checkpoint at `path`, or undefined when there is none. */
export async function readCheckpoint(path: string): Promise<Checkpoint | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read the checkpoint ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    const parsed = JSON.parse(text) as Checkpoint;
    if (parsed.version !== 1 || typeof parsed.tenant !== 'string' || typeof parsed.progress !== 'object') throw new Error('shape');
    return parsed;
  } catch {
    throw new CliError(`the checkpoint ${path} is not one strata wrote; remove it or pass --restart`, 2);
  }
}

/** Writes `checkpoint` to `path` atomically. */
export async function writeCheckpoint(path: string, checkpoint: Checkpoint): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(checkpoint, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, path);
}

/** Removes the checkpoint (the warm completed, or `--restart`). */
export async function removeCheckpoint(path: string): Promise<void> {
  await rm(path, { force: true });
}

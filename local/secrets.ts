/**
 * The secrets of a local run. The purge key, the Upstash token and the operator and debug tokens
 * are new every run and handed to both sides by the stack (and to `strata` through the stack file); the cache-encryption keyring is generated once and kept in the
 * data folder, so a restart can still read the sessions and profiles it encrypted in Redis.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What one run hands out. */
export interface LocalSecrets {
  /** HMAC key of the purge webhook: the origin's `PURGE_SECRET` and the edge's. */
  readonly purgeSecret: string;
  /** Token of the local Upstash endpoint (`UPSTASH_REDIS_REST_TOKEN`). */
  readonly upstashToken: string;
  /** `CACHE_ENCRYPTION_KEYS` for the origin: the given one, else the kept one. */
  readonly encryptionKeys: string;
  /** The origin's `OPERATOR_TOKEN` (its operator API, for `strata`). */
  readonly operatorToken: string;
  /** The edge's `DEBUG_TOKEN` (`x-strata-debug`, for `strata inspect`). */
  readonly debugToken: string;
}

/** File, under the data folder, that keeps the generated keyring (mode 0600). */
export const KEYRING_FILE = 'cache-encryption-keys';

const token = () => randomBytes(32).toString('base64url');

/** The keyring kept in `dataDir`, created on first use. */
export async function keptKeyring(dataDir: string): Promise<string> {
  const file = join(dataDir, KEYRING_FILE);
  const existing = await readFile(file, 'utf8').then(
    (text) => text.trim(),
    () => '',
  );
  if (existing) return existing;
  await mkdir(dataDir, { recursive: true });
  const keyring = `local1:${randomBytes(32).toString('base64')}`;
  // `wx`: two stacks starting at once keep whichever key was written first.
  await writeFile(file, `${keyring}\n`, { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  await chmod(file, 0o600);
  return (await readFile(file, 'utf8')).trim();
}

/** Secrets for a run over `dataDir`; `configuredKeys` (the user's CACHE_ENCRYPTION_KEYS) wins. */
export async function localSecrets(dataDir: string, configuredKeys?: string): Promise<LocalSecrets> {
  return {
    purgeSecret: token(),
    upstashToken: token(),
    encryptionKeys: configuredKeys?.trim() || (await keptKeyring(dataDir)),
    operatorToken: token(),
    debugToken: token(),
  };
}

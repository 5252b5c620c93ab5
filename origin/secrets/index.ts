/**
 * The origin's secrets as the deployed environment names them: Secrets Manager ids (ARN or name)
 * in `*_SECRET_ARN` variables, read at start-up (a missing or unreadable secret stops the cold
 * start with the variable's name) and again after the max age. Locally the plain variables
 * (`REDIS_PASSWORD`, `PURGE_SECRET`, `CACHE_ENCRYPTION_KEYS`, `OPERATOR_TOKEN`) are used instead.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { RotatingPassword } from '../cache/index.ts';
import { parseKeyring } from '../cache/index.ts';
import type { StoreConfig } from '../cache/index.ts';
import type { DatabaseConfig } from '../db/index.ts';
import { log } from '../log.ts';
import { SecretReader } from './reader.ts';
import { rotatingPassword } from './rotating-password.ts';

export { SecretReader, type SecretReaderOptions } from './reader.ts';

/** Which secrets to read from Secrets Manager, and how long a value is used. */
export interface SecretsConfig {
  maxAgeSeconds: number;
  /** `REDIS_PASSWORD_SECRET_ARN`: JSON with a `password` field (the stack's `strata/<stage>/redis-app`). */
  redisPassword?: string | undefined;
  /** `PURGE_SECRET_ARN`: the purge webhook's HMAC key. */
  purge?: string | undefined;
  /** `CACHE_ENCRYPTION_KEYS_SECRET_ARN`: the keyring, `kid:<base64 key>[,…]`. */
  encryptionKeys?: string | undefined;
  /** `DATABASE_PASSWORD_SECRET_ARN`: JSON with a `password` field (RDS's admin secret). */
  databasePassword?: string | undefined;
  /** `OPERATOR_TOKEN_SECRET_ARN`: the operator API's bearer token (at least 32 characters). */
  operatorToken?: string | undefined;
}

/** The secrets, each following rotation. */
export interface RuntimeSecrets {
  redisPassword?: RotatingPassword;
  purge?: () => Promise<string>;
  encryptionKeys?: () => Promise<string>;
  databasePassword?: () => Promise<string>;
  operatorToken?: () => Promise<string>;
}

/** Reads every configured secret once (so a cold start fails fast and clearly) and returns them. */
export async function openRuntimeSecrets(config: SecretsConfig, client?: SecretsManagerClient): Promise<RuntimeSecrets> {
  const configured = [config.redisPassword, config.purge, config.encryptionKeys, config.databasePassword, config.operatorToken].some(Boolean);
  if (!configured) return {};
  const reader = new SecretReader({
    maxAgeSeconds: config.maxAgeSeconds,
    ...(client ? { client } : {}),
    onStale: (secretId, error) => log.warn('secret re-read failed; using the value read before', { secretId, error: String(error) }),
  });
  const first = async <T>(variable: string, read: () => Promise<T>): Promise<T> => {
    try {
      return await read();
    } catch (error) {
      throw new Error(`${variable}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  };
  const secrets: RuntimeSecrets = {};
  const { redisPassword, purge, encryptionKeys, databasePassword, operatorToken } = config;
  await Promise.all([
    redisPassword &&
      first('REDIS_PASSWORD_SECRET_ARN', async () => {
        secrets.redisPassword = await rotatingPassword(reader, redisPassword, 'password', {
          onError: (error) => log.warn('Redis password re-read failed', { error: String(error) }),
        });
      }),
    purge &&
      first('PURGE_SECRET_ARN', async () => {
        await reader.read(purge);
        secrets.purge = () => reader.read(purge);
      }),
    encryptionKeys &&
      first('CACHE_ENCRYPTION_KEYS_SECRET_ARN', async () => {
        parseKeyring(await reader.read(encryptionKeys));
        secrets.encryptionKeys = () => reader.read(encryptionKeys);
      }),
    databasePassword &&
      first('DATABASE_PASSWORD_SECRET_ARN', async () => {
        await reader.read(databasePassword, 'password');
        secrets.databasePassword = () => reader.read(databasePassword, 'password');
      }),
    operatorToken &&
      first('OPERATOR_TOKEN_SECRET_ARN', async () => {
        operatorTokenOf(await reader.read(operatorToken));
        secrets.operatorToken = async () => operatorTokenOf(await reader.read(operatorToken));
      }),
  ]);
  return secrets;
}

/** The operator token as the API compares it; a short one (a mistake) is refused, not used. */
function operatorTokenOf(value: string): string {
  const token = value.trim();
  if (token.length < 32) throw new Error(`the operator token must be at least 32 characters, the secret holds ${token.length}`);
  return token;
}

/** `cache` presenting `password` (from Secrets Manager) instead of a configured one. */
export function withRotatingPassword(cache: StoreConfig, password: RotatingPassword | undefined): StoreConfig {
  return password && cache.kind !== 'memory' ? { ...cache, password } : cache;
}

/** `database` signing in with `password` (from Secrets Manager) when it is a server. */
export function withDatabasePassword(database: DatabaseConfig, password: (() => Promise<string>) | undefined): DatabaseConfig {
  return password && database.kind === 'postgres' ? { ...database, password } : database;
}

/**
 * Origin configuration, parsed once from the environment at start-up. A bad value stops the
 * process with a message naming the variable, instead of failing on the first request.
 */
import { z } from 'zod';
import type { RedisConnectionConfig, StoreConfig } from './cache/index.ts';
import { ROLE_PATTERN } from './db/app-role.ts';
import type { DistributionIdSource } from './cloudfront/distribution-id.ts';
import type { DatabaseConfig } from './db/index.ts';
import type { SecretsConfig } from './secrets/index.ts';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const optionalString = z.string().trim().min(1).optional().catch(undefined);

const EnvSchema = z.object({
  ORIGIN_HOST: z.string().default('127.0.0.1'),
  ORIGIN_PORT: z.coerce.number().int().min(0).max(65_535).default(8788),
  DATABASE_URL: optionalString,
  DATABASE_MAX_CONNECTIONS: positiveInt(5),
  DATABASE_IAM_AUTH: z.enum(['true', 'false']).default('false'),
  // The app role may not change the schema: it only checks the owner's migrations ran.
  DATABASE_MIGRATE: z.enum(['true', 'false']).default('true'),
  DATABASE_PASSWORD_SECRET_ARN: optionalString,
  DATABASE_APP_ROLE: z.string().regex(ROLE_PATTERN, 'a lowercase PostgreSQL identifier').optional(),
  AWS_REGION: optionalString,
  PGLITE_DIR: z.string().default('.data/pglite'),
  REDIS_URL: optionalString,
  REDIS_CLUSTER_NODES: optionalString,
  REDIS_SESSIONS_CLUSTER_NODES: optionalString,
  REDIS_TLS: z.enum(['true', 'false']).default('false'),
  REDIS_USERNAME: optionalString,
  REDIS_PASSWORD: optionalString,
  REDIS_COMMAND_TIMEOUT_MS: positiveInt(500),
  REDIS_CONNECT_TIMEOUT_MS: positiveInt(1000),
  MEMORY_CACHE_MAX_ENTRIES: positiveInt(10_000),
  CACHE_ENCRYPTION_KEYS: optionalString,
  METRICS_SERVICE_NAME: z.string().default('strata-origin'),
  PURGE_URL: z.string().trim().url().optional(),
  PURGE_SECRET: optionalString,
  // `-c edge=cloudfront`: purges become invalidations of this distribution instead of webhooks.
  CLOUDFRONT_DISTRIBUTION_ID: z
    .string()
    .trim()
    .regex(/^[A-Z0-9]{1,64}$/, 'a CloudFront distribution id such as E2QWRUHAPOMQZL')
    .optional(),
  CLOUDFRONT_DISTRIBUTION_ID_PARAMETER: z
    .string()
    .trim()
    .regex(/^\/[A-Za-z0-9_./-]{1,1010}$/, 'an SSM parameter name such as /strata/dev/cloudfront-distribution-id')
    .optional(),
  OUTBOX_INTERVAL_MS: z.coerce.number().int().min(0).default(60_000),
  OUTBOX_MAX_RETRY_DELAY_MS: positiveInt(600_000),
  // Deployed, secrets are read at run time from Secrets Manager by these ids (origin/secrets/).
  REDIS_PASSWORD_SECRET_ARN: optionalString,
  PURGE_SECRET_ARN: optionalString,
  CACHE_ENCRYPTION_KEYS_SECRET_ARN: optionalString,
  SECRETS_MAX_AGE_SECONDS: positiveInt(300),
  // The operator API (`/ops/*`, `strata stats|inspect|warm`); unset: it is off.
  OPERATOR_TOKEN: z.string().trim().min(32, 'at least 32 characters').optional(),
  // Deployed: the operator token's Secrets Manager id (`strata/<stage>/operator-token`).
  OPERATOR_TOKEN_SECRET_ARN: optionalString,
});

/** A secret given both as a value and as a Secrets Manager id is a mistake: say so. */
const SECRET_PAIRS = [
  ['REDIS_PASSWORD', 'REDIS_PASSWORD_SECRET_ARN'],
  ['PURGE_SECRET', 'PURGE_SECRET_ARN'],
  ['CACHE_ENCRYPTION_KEYS', 'CACHE_ENCRYPTION_KEYS_SECRET_ARN'],
  ['OPERATOR_TOKEN', 'OPERATOR_TOKEN_SECRET_ARN'],
] as const;

/** Everything the origin needs to start. */
export interface OriginConfig {
  host: string;
  port: number;
  database: DatabaseConfig;
  /** The cache engine's store, as the environment describes it. */
  cache: StoreConfig;
  /** A dedicated cluster for sessions (no eviction), when the deployment has one; else `cache`. */
  sessionsCache?: StoreConfig;
  /** `kid:base64key,...`, current key first; unset locally means an ephemeral key. */
  encryptionKeys: string | undefined;
  /** Where metrics go: Prometheus text at `/metrics` locally, CloudWatch EMF on Lambda. */
  metrics: { kind: 'prometheus' } | { kind: 'emf'; serviceName: string };
  /**
   * The edge's purge endpoint and HMAC key; without both, purges wait in the outbox. With
   * `cloudfront`, purges are CloudFront invalidations of that distribution instead.
   */
  purge: { url: string | undefined; secret: string | undefined; cloudfront?: DistributionIdSource };
  /** The Node server's delivery schedule (0: none; Lambda uses an EventBridge rule) and the longest retry backoff. */
  outbox: { intervalMs: number; maxRetryDelayMs: number };
  /** Secrets read from Secrets Manager at run time instead (`*_SECRET_ARN`), and their cache age. */
  secrets: SecretsConfig;
  /** The role the migrator grants the app's rights to (`DATABASE_APP_ROLE`). */
  databaseAppRole?: string;
  /**
   * Bearer token of the operator API (`origin/operator/`); unset (and no
   * `OPERATOR_TOKEN_SECRET_ARN` in `secrets.operatorToken`): the API answers 404.
   */
  operatorToken?: string;
}

/** Parses `host:port,host:port`. */
function parseNodes(value: string): { host: string; port: number }[] {
  return value.split(',').map((item) => {
    const match = /^\s*([^\s:]+|\[[^\]]+\]):(\d{1,5})\s*$/.exec(item);
    if (!match) throw new Error(`REDIS_CLUSTER_NODES: expected host:port[,host:port...], got ${JSON.stringify(item)}`);
    return { host: match[1]!, port: Number(match[2]) };
  });
}

/** What the process is for: the API (and the outbox deliverer), or the migrator, which caches nothing. */
export interface LoadConfigOptions {
  /** @default 'api' */
  purpose?: 'api' | 'migrator';
}

/** Reads the origin's configuration from `env`; throws a readable error on bad values. */
export function loadConfig(env: Record<string, string | undefined> = process.env, options: LoadConfigOptions = {}): OriginConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`invalid origin configuration: ${problems}`);
  }
  const e = parsed.data;
  for (const [plain, secret] of SECRET_PAIRS) {
    if (e[plain] && e[secret]) throw new Error(`invalid origin configuration: set ${plain} or ${secret}, not both`);
  }
  const onLambda = Boolean(env.AWS_LAMBDA_FUNCTION_NAME);
  if (onLambda && !e.DATABASE_URL) {
    throw new Error('invalid origin configuration: DATABASE_URL is required on Lambda (PGlite is for local runs)');
  }
  if (onLambda && options.purpose !== 'migrator' && !e.CACHE_ENCRYPTION_KEYS && !e.CACHE_ENCRYPTION_KEYS_SECRET_ARN) {
    throw new Error(
      'invalid origin configuration: CACHE_ENCRYPTION_KEYS_SECRET_ARN (or CACHE_ENCRYPTION_KEYS) is required on Lambda (sessions and profiles are encrypted)',
    );
  }
  const timeouts: RedisConnectionConfig = {
    commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    connectTimeoutMs: e.REDIS_CONNECT_TIMEOUT_MS,
    // Certificates are checked against the system CAs (ElastiCache's are publicly trusted).
    ...(e.REDIS_TLS === 'true' ? { tls: {} } : {}),
    ...(e.REDIS_USERNAME ? { username: e.REDIS_USERNAME } : {}),
    ...(e.REDIS_PASSWORD ? { password: e.REDIS_PASSWORD } : {}),
  };
  const cache: StoreConfig = e.REDIS_CLUSTER_NODES
    ? { kind: 'redis-cluster', nodes: parseNodes(e.REDIS_CLUSTER_NODES), ...timeouts }
    : e.REDIS_URL
      ? { kind: 'redis', url: e.REDIS_URL, ...timeouts }
      : { kind: 'memory', maxEntries: e.MEMORY_CACHE_MAX_ENTRIES };
  const database: DatabaseConfig = e.DATABASE_URL
    ? {
        kind: 'postgres',
        url: e.DATABASE_URL,
        maxConnections: e.DATABASE_MAX_CONNECTIONS,
        ...(e.DATABASE_IAM_AUTH === 'true' ? { iamAuth: { region: e.AWS_REGION } } : {}),
        ...(e.DATABASE_MIGRATE === 'false' ? { migrate: false } : {}),
      }
    : { kind: 'pglite', dataDir: e.PGLITE_DIR };
  if (e.DATABASE_IAM_AUTH === 'true' && e.DATABASE_PASSWORD_SECRET_ARN) {
    throw new Error('invalid origin configuration: set DATABASE_IAM_AUTH=true or DATABASE_PASSWORD_SECRET_ARN, not both');
  }
  if (e.DATABASE_MIGRATE === 'false' && database.kind === 'pglite') {
    throw new Error('invalid origin configuration: DATABASE_MIGRATE=false needs DATABASE_URL (PGlite is always migrated in process)');
  }
  const metrics = onLambda ? { kind: 'emf' as const, serviceName: e.METRICS_SERVICE_NAME } : { kind: 'prometheus' as const };
  if (e.CLOUDFRONT_DISTRIBUTION_ID && e.CLOUDFRONT_DISTRIBUTION_ID_PARAMETER) {
    throw new Error('invalid origin configuration: set CLOUDFRONT_DISTRIBUTION_ID or CLOUDFRONT_DISTRIBUTION_ID_PARAMETER, not both');
  }
  const cloudfront: DistributionIdSource | undefined = e.CLOUDFRONT_DISTRIBUTION_ID
    ? { distributionId: e.CLOUDFRONT_DISTRIBUTION_ID }
    : e.CLOUDFRONT_DISTRIBUTION_ID_PARAMETER
      ? { parameterName: e.CLOUDFRONT_DISTRIBUTION_ID_PARAMETER }
      : undefined;
  const purge = { url: e.PURGE_URL, secret: e.PURGE_SECRET, ...(cloudfront ? { cloudfront } : {}) };
  const outbox = { intervalMs: e.OUTBOX_INTERVAL_MS, maxRetryDelayMs: e.OUTBOX_MAX_RETRY_DELAY_MS };
  const sessionsCache: StoreConfig | undefined = e.REDIS_SESSIONS_CLUSTER_NODES
    ? { kind: 'redis-cluster', nodes: parseNodes(e.REDIS_SESSIONS_CLUSTER_NODES), ...timeouts }
    : undefined;
  const secrets: SecretsConfig = {
    maxAgeSeconds: e.SECRETS_MAX_AGE_SECONDS,
    redisPassword: e.REDIS_PASSWORD_SECRET_ARN,
    purge: e.PURGE_SECRET_ARN,
    encryptionKeys: e.CACHE_ENCRYPTION_KEYS_SECRET_ARN,
    databasePassword: e.DATABASE_PASSWORD_SECRET_ARN,
    operatorToken: e.OPERATOR_TOKEN_SECRET_ARN,
  };
  return {
    host: e.ORIGIN_HOST,
    port: e.ORIGIN_PORT,
    database,
    cache,
    ...(sessionsCache ? { sessionsCache } : {}),
    encryptionKeys: e.CACHE_ENCRYPTION_KEYS,
    metrics,
    purge,
    outbox,
    secrets,
    ...(e.DATABASE_APP_ROLE ? { databaseAppRole: e.DATABASE_APP_ROLE } : {}),
    ...(e.OPERATOR_TOKEN ? { operatorToken: e.OPERATOR_TOKEN } : {}),
  };
}

/**
 * The origin's composition root: builds every service once per process (or Lambda instance)
 * from the parsed configuration and hands them to the app. Where metrics go is passed in by the
 * entry: the Lambda entry reports through EMF and never loads prom-client, which only the Node
 * server's `/metrics` needs (`services.ts`).
 */
import {
  CacheEngine,
  composeCodecs,
  compressCodec,
  createBreaker,
  createStore,
  encryptCodec,
  generateKey,
  identityCodec,
  parseKeyring,
  rotatingEncryptCodec,
  type CacheMetrics,
  type CachePolicy,
  type CacheStore,
  type StoreConfig,
} from './cache/index.ts';
import { deploymentPolicies } from './cache-policies.ts';
import type { OriginConfig } from './config.ts';
import { openDatabase, type Database } from './db/index.ts';
import type { DataType } from '../common/keys.ts';
import { log } from './log.ts';
import { ProjectRepository } from './projects/repository.ts';
import { PublicProjects } from './projects/service.ts';
import { ProjectCommands } from './projects/commands.ts';
import { clusterHealth } from './metrics/cluster-health.ts';
import { emfMetrics } from './metrics/emf.ts';
import { tallyMetrics, teeMetrics, type MetricsTally } from './metrics/tally.ts';
import { postgresInvalidationJournal } from './db/invalidation-journal.ts';
import { purgeTargetOptions } from './cloudfront/index.ts';
import { OutboxDeliverer } from './outbox/index.ts';
import { TenantConfig } from './tenant-config/service.ts';
import { openRuntimeSecrets, withDatabasePassword, withRotatingPassword } from './secrets/index.ts';
import { PostgresSessionSource } from './sessions/source.ts';
import { DEFAULT_SESSION_OPTIONS, SessionStore } from './sessions/store.ts';
import { UserRepository } from './users/repository.ts';
import { UserDirectory } from './users/service.ts';
import { LoginLimiter } from './sessions/login-limits.ts';
import { loginLimitClient } from './sessions/login-limits-client.ts';

/** What `/health` reports. The cache is optional: its failure degrades, it does not fail health. */
export interface Health {
  ok: boolean;
  database: { kind: Database['kind']; status: 'ok' | 'down' };
  cache: { store: string; status: 'ok' | 'down'; breaker: 'closed' | 'open' | 'half-open'; topology?: unknown };
}

/** Where the cache's measurements can be read or sent. */
export interface MetricsOutlet {
  readonly sink: CacheMetrics;
  /** Prometheus exposition for `/metrics` (local); absent on Lambda. */
  readonly text?: () => Promise<string>;
  readonly contentType?: string;
  /** Publishes buffered measurements (EMF on Lambda, after each invocation). */
  flush(): void;
  /** The same measurements counted in this process, for the operator API (`strata stats`). */
  readonly tally: MetricsTally;
}

/** The services the HTTP app is built from. */
export interface Services {
  readonly db: Database;
  readonly cache: CacheStore;
  readonly engine: CacheEngine;
  readonly policies: Record<DataType, CachePolicy>;
  readonly metrics: MetricsOutlet;
  readonly projects: PublicProjects;
  readonly sessions: SessionStore;
  readonly users: UserDirectory;
  /** Brakes on password guessing (sign-in and password change). */
  readonly loginLimits: LoginLimiter;
  /** Authenticated project reads and writes (with their purges). */
  readonly projectCommands: ProjectCommands;
  readonly tenantConfig: TenantConfig;
  /** Sends queued purges to the edge; kicked after each commit that queued one. */
  readonly outbox: OutboxDeliverer;
  /** Bearer token of the operator API, or a reader of its secret; absent: the API is off. */
  readonly operatorToken: string | (() => Promise<string>) | undefined;
  health(): Promise<Health>;
  close(): Promise<void>;
}

/** CloudWatch EMF, written to stdout at each `flush` (the end of a Lambda invocation). */
export function emfOutlet(serviceName: string): MetricsOutlet {
  const emf = emfMetrics({ serviceName });
  const tally = tallyMetrics();
  return { sink: teeMetrics(emf, tally), tally, flush: () => emf.flush() };
}

/** Counts in this process only (the operator API's), published nowhere. */
export function tallyOutlet(): MetricsOutlet {
  const tally = tallyMetrics();
  return { sink: tally, tally, flush: () => {} };
}

/** The keyring as text, or as a reader of a Secrets Manager secret that may rotate. */
function policiesFor(encryptionKeys: string | (() => Promise<string>) | undefined): Record<DataType, CachePolicy> {
  if (!encryptionKeys) log.warn('no CACHE_ENCRYPTION_KEYS: encrypting cached sessions and profiles with a key that lives only in this process');
  const encrypt =
    typeof encryptionKeys === 'function'
      ? rotatingEncryptCodec({
          readKeyring: encryptionKeys,
          onInvalid: (error) => log.error('rotated keyring refused; keeping the previous one', { error: String(error) }),
        })
      : encryptCodec(parseKeyring(encryptionKeys ?? `ephemeral:${generateKey()}`));
  const compress = compressCodec({ thresholdBytes: 1024 });
  return deploymentPolicies({ compress, protect: composeCodecs(compress, encrypt) });
}

/** The configured store; `/health` describes a Redis store's servers with `clusterHealth`. */
function openStore(config: StoreConfig): CacheStore {
  return createStore(config, { describe: clusterHealth });
}

/** What `composeServices` builds from. */
export type ServicesConfig = Pick<OriginConfig, 'database' | 'cache'> & Partial<OriginConfig>;

/** Opens the database and the cache store and wires the services over them, measuring into `metrics`. */
export async function composeServices(config: ServicesConfig, metrics: MetricsOutlet): Promise<Services> {
  // Deployed, secrets come from Secrets Manager; locally from plain variables (never both: loadConfig).
  const secrets = config.secrets ? await openRuntimeSecrets(config.secrets) : {};
  const policies = policiesFor(secrets.encryptionKeys ?? config.encryptionKeys);
  const cache = openStore(withRotatingPassword(config.cache, secrets.redisPassword));
  if (config.cache.kind === 'memory') {
    log.warn('no REDIS_URL or REDIS_CLUSTER_NODES: caching in process memory, not shared between instances');
  }
  // Sessions get their own store when the deployment has a no-eviction group for them, so cache
  // churn cannot log anyone out; otherwise they share the cache (and its breaker).
  const sessionsStore = config.sessionsCache ? openStore(withRotatingPassword(config.sessionsCache, secrets.redisPassword)) : cache;
  // The database and the stores connect at the same time: start-up (a Lambda instance's init)
  // waits for the slowest of them, not for their sum. A cache that is down at start-up is not
  // fatal (the store reconnects on its own); a database that cannot be opened is, and the stores
  // are closed once their attempt is over.
  const connected = Promise.all([
    cache.connect().catch((error: unknown) => log.warn('cache store unreachable at start-up', { store: cache.name, error: String(error) })),
    sessionsStore !== cache
      ? sessionsStore.connect().catch((error: unknown) => log.warn('sessions store unreachable at start-up', { error: String(error) }))
      : undefined,
  ]);
  let db: Database;
  try {
    [db] = await Promise.all([openDatabase(withDatabasePassword(config.database, secrets.databasePassword)), connected]);
  } catch (error) {
    await connected;
    await Promise.allSettled([cache.close(), ...(sessionsStore !== cache ? [sessionsStore.close()] : [])]);
    throw error;
  }
  const breaker = createBreaker();
  const sessionsBreaker = sessionsStore === cache ? breaker : createBreaker();
  const engine = new CacheEngine({
    store: cache,
    breaker,
    metrics: metrics.sink,
    onError: (error, context) => log.warn('cache degraded', { ...context, error: String(error) }),
    // Invalidations that cannot reach Redis are kept in PostgreSQL, for every process to retry.
    journal: postgresInvalidationJournal(db),
  });
  await engine.start();
  const projects = new PublicProjects(new ProjectRepository(db), engine, policies);
  const outbox = new OutboxDeliverer({
    db,
    url: config.purge?.url,
    secret: secrets.purge ?? config.purge?.secret,
    ...(config.outbox ? { maxDelayMs: config.outbox.maxRetryDelayMs } : {}),
    ...purgeTargetOptions(config.purge?.cloudfront),
  });
  const projectCommands = new ProjectCommands(db, engine, policies, outbox);
  const tenantConfig = new TenantConfig(db, engine, policies);
  const sessions = new SessionStore({
    store: sessionsStore,
    breaker: sessionsBreaker,
    source: new PostgresSessionSource(db),
    codec: policies.session.codec ?? identityCodec,
    // A cluster's masters have replicas to acknowledge a login; a standalone server has none.
    options: { ...DEFAULT_SESSION_OPTIONS, replicas: (config.sessionsCache ?? config.cache).kind === 'redis-cluster' ? 1 : 0 },
    onError: (error, operation) => log.warn('session cache degraded', { operation, error: String(error) }),
    // Not a Redis failure (another process's key, say): the session was reloaded and rewritten.
    onUndecodable: (error) => log.warn('undecodable cached session reloaded from PostgreSQL (reported once per reason)', { error: String(error) }),
    metrics: metrics.sink,
  });
  // Logouts whose Redis delete did not land are refused from the first request on.
  await sessions.start();
  const users = new UserDirectory(new UserRepository(db), engine, policies.user);
  const loginLimitRedis = loginLimitClient(config.sessionsCache ?? config.cache);
  const loginLimits = new LoginLimiter({
    ...(loginLimitRedis ? { client: loginLimitRedis } : {}),
    onError: (error) => log.warn('login limits degraded', { error: String(error) }),
  });

  return {
    db,
    cache,
    engine,
    policies,
    metrics,
    projects,
    sessions,
    users,
    loginLimits,
    projectCommands,
    tenantConfig,
    outbox,
    operatorToken: secrets.operatorToken ?? config.operatorToken,
    async health() {
      const [database, store, topology] = await Promise.all([
        db.query('SELECT 1').then(
          () => 'ok' as const,
          () => 'down' as const,
        ),
        cache.ping().then(
          () => 'ok' as const,
          () => 'down' as const,
        ),
        cache.describe?.().catch(() => undefined),
      ]);
      const cacheHealth = {
        store: cache.name,
        status: store,
        breaker: engine.breakerState(),
        // Tenants bypassing the cache until an invalidation of theirs lands (`cache/invalidation/`).
        pendingInvalidations: engine.pendingInvalidations(),
        ...(topology ? { topology } : {}),
      };
      return { ok: database === 'ok', database: { kind: db.kind, status: database }, cache: cacheHealth };
    },
    async close() {
      await outbox.idle(5000);
      await sessions.close();
      await engine.close();
      if (sessionsBreaker !== breaker) sessionsBreaker.shutdown();
      await Promise.allSettled([cache.close(), loginLimitRedis?.quit(), ...(sessionsStore !== cache ? [sessionsStore.close()] : []), db.close()]);
    },
  };
}

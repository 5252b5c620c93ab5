/**
 * The origin's composition root: builds every service once per process (or Lambda instance)
 * from the parsed configuration and hands them to the app.
 */
import { createBreaker } from './cache/breaker.ts';
import { composeCodecs, compressCodec, encryptCodec, generateKey, identityCodec, parseKeyring } from './cache/codec/index.ts';
import { CacheEngine } from './cache/engine.ts';
import { createCacheStore } from './cache/index.ts';
import type { CacheStore } from './cache/interface.ts';
import { emfMetrics, prometheusMetrics } from './cache/metrics/index.ts';
import type { CacheMetrics } from './cache/metrics/interface.ts';
import { deploymentPolicies, type CachePolicy } from './cache/policy.ts';
import { DEFAULT_SESSION_OPTIONS, SessionStore } from './cache/sessions/store.ts';
import type { OriginConfig } from './config.ts';
import { openDatabase, type Database } from './db/index.ts';
import type { DataType } from '../common/keys.ts';
import { log } from './log.ts';
import { ProjectRepository } from './projects/repository.ts';
import { PublicProjects } from './projects/service.ts';
import { ProjectCommands } from './projects/commands.ts';
import { postgresInvalidationJournal } from './db/invalidation-journal.ts';
import { purgeTargetOptions } from './cloudfront/index.ts';
import { OutboxDeliverer } from './outbox/index.ts';
import { TenantConfig } from './tenant-config/service.ts';
import { PostgresSessionSource } from './sessions/source.ts';
import { UserRepository } from './users/repository.ts';
import { UserDirectory } from './users/service.ts';

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
  /** Authenticated project reads and writes (with their purges). */
  readonly projectCommands: ProjectCommands;
  readonly tenantConfig: TenantConfig;
  /** Sends queued purges to the edge; kicked after each commit that queued one. */
  readonly outbox: OutboxDeliverer;
  health(): Promise<Health>;
  close(): Promise<void>;
}

function metricsOutlet(config: OriginConfig['metrics']): MetricsOutlet {
  if (config.kind === 'emf') {
    const sink = emfMetrics({ serviceName: config.serviceName });
    return { sink, flush: () => sink.flush() };
  }
  const sink = prometheusMetrics();
  return { sink, text: () => sink.text(), contentType: sink.contentType, flush: () => {} };
}

function policiesFor(encryptionKeys: string | undefined): Record<DataType, CachePolicy> {
  if (!encryptionKeys) log.warn('no CACHE_ENCRYPTION_KEYS: encrypting cached sessions and profiles with a key that lives only in this process');
  const keyring = parseKeyring(encryptionKeys ?? `ephemeral:${generateKey()}`);
  const compress = compressCodec({ thresholdBytes: 1024 });
  return deploymentPolicies({ compress, protect: composeCodecs(compress, encryptCodec(keyring)) });
}

/** Opens the database and the cache store and wires the services over them. */
export async function buildServices(config: Pick<OriginConfig, 'database' | 'cache'> & Partial<OriginConfig>): Promise<Services> {
  const policies = policiesFor(config.encryptionKeys);
  const metrics = metricsOutlet(config.metrics ?? { kind: 'prometheus' });
  const db = await openDatabase(config.database);
  const cache = createCacheStore(config.cache);
  if (config.cache.kind === 'memory') {
    log.warn('no REDIS_URL or REDIS_CLUSTER_NODES: caching in process memory, not shared between instances');
  }
  // A cache that is down at start-up is not fatal: the store reconnects on its own.
  await cache.connect().catch((error: unknown) => log.warn('cache store unreachable at start-up', { store: cache.name, error: String(error) }));
  // Sessions get their own store when the deployment has a no-eviction group for them, so cache
  // churn cannot log anyone out; otherwise they share the cache (and its breaker).
  const sessionsStore = config.sessionsCache ? createCacheStore(config.sessionsCache) : cache;
  if (sessionsStore !== cache) {
    await sessionsStore.connect().catch((error: unknown) => log.warn('sessions store unreachable at start-up', { error: String(error) }));
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
    secret: config.purge?.secret,
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
  });
  // Logouts whose Redis delete did not land are refused from the first request on.
  await sessions.start();
  const users = new UserDirectory(new UserRepository(db), engine, policies.user);

  return {
    db,
    cache,
    engine,
    policies,
    metrics,
    projects,
    sessions,
    users,
    projectCommands,
    tenantConfig,
    outbox,
    async health() {
      const [database, store, topology] = await Promise.all([
        db.query('SELECT 1').then(() => 'ok' as const, () => 'down' as const),
        cache.ping().then(() => 'ok' as const, () => 'down' as const),
        cache.describe?.().catch(() => undefined),
      ]);
      const cacheHealth = {
        store: cache.name,
        status: store,
        breaker: engine.breakerState(),
        // Tenants bypassing the cache until an invalidation of theirs lands (`invalidation.ts`).
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
      await Promise.allSettled([cache.close(), ...(sessionsStore !== cache ? [sessionsStore.close()] : []), db.close()]);
    },
  };
}

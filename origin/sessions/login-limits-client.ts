/**
 * The Redis connection the login limits count in: the sessions store's server (the no-eviction
 * group when there is one, so counts are not evicted under memory pressure). A connection of its
 * own, because `rate-limiter-flexible` speaks to ioredis directly; it fails fast (no offline
 * queue, a timeout per command: sign-ins are rare next to cache reads, so the timer per command
 * `deadlines.ts` avoids costs nothing here) and the limiter's in-memory insurance takes over.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { followPassword, type StoreConfig } from '../cache/index.ts';

/** A connection for `config`'s Redis, or `undefined` when the cache lives in process memory. */
export function loginLimitClient(config: StoreConfig): Redis | Cluster | undefined {
  if (config.kind === 'memory') return undefined;
  const options: RedisOptions = {
    protocol: 2,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: config.connectTimeoutMs,
    commandTimeout: config.commandTimeoutMs,
    ...(config.tls ? { tls: config.tls } : {}),
    ...(config.username ? { username: config.username } : {}),
    ...(config.password ? { password: typeof config.password === 'string' ? config.password : config.password.current() } : {}),
  };
  const client =
    config.kind === 'redis'
      ? new Redis(config.url, { ...options, retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 1000) })
      : new Cluster(config.nodes, {
          enableOfflineQueue: false,
          clusterRetryStrategy: (attempt) => Math.min(100 * attempt, 1000),
          // ElastiCache's certificates name the configuration endpoint: keep hostnames as given.
          ...(config.tls ? { dnsLookup: (address: string, callback: (error: null, address: string) => void) => callback(null, address) } : {}),
          redisOptions: options,
        });
  // A rotated password is presented at the next reconnection, as the cache store does.
  if (typeof config.password === 'object') followPassword(client, config.password);
  // Failures surface per command (and the insurance answers); an unhandled 'error' would crash.
  client.on('error', () => {});
  return client;
}

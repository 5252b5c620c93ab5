/**
 * Redis stores over ioredis: one standalone server, or a Redis Cluster (ElastiCache in cluster
 * mode). Both fail fast instead of queueing — no offline queue, a command timeout, at most one
 * retry — so a Redis outage costs a request milliseconds, not seconds, and reads fall back to
 * the source. Reconnection goes on in the background; recovery needs no restart.
 */
import { Cluster, Redis, type ClusterNode, type RedisOptions } from 'ioredis';
import type { CacheStore } from './interface.ts';

/** Limits shared by both Redis stores. */
export interface RedisTimeouts {
  /** Milliseconds a command may take before it fails. */
  commandTimeoutMs: number;
  /** Milliseconds a connection attempt may take. */
  connectTimeoutMs: number;
}

/** A standalone Redis server, e.g. `redis://127.0.0.1:6379/0` or `rediss://user:pass@host:6380`. */
export interface RedisStoreConfig extends RedisTimeouts {
  url: string;
}

/** The seed nodes of a Redis Cluster. */
export interface RedisClusterStoreConfig extends RedisTimeouts {
  nodes: ClusterNode[];
}

/** Options both clients share; ioredis 6 defaults would queue a command for about 70 s. */
function connectionOptions(config: RedisTimeouts) {
  return {
    // RESP2 keeps reply shapes stable across ioredis versions and every Redis/Valkey server.
    protocol: 2,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    commandTimeout: config.commandTimeoutMs,
    connectTimeout: config.connectTimeoutMs,
    // `connectTimeout` covers TCP only; this bounds a server that accepts and then hangs.
    socketTimeout: Math.max(1000, config.commandTimeoutMs * 2),
  } satisfies RedisOptions;
}

type Client = Redis | Cluster;

function storeOver(name: string, client: Client, afterConnect: () => Promise<unknown> = async () => {}): CacheStore {
  let connecting: Promise<void> | undefined;
  return {
    name,
    connect() {
      connecting ??= client.connect().then(afterConnect).then(() => undefined);
      return connecting;
    },
    async get(key) {
      return (await client.get(key)) ?? undefined;
    },
    async set(key, value, ttlMs) {
      await client.set(key, value, 'PX', Math.max(1, Math.round(ttlMs)));
    },
    async delete(...keys) {
      // One DEL per key: keys of different tenants live in different cluster slots.
      if (keys.length > 0) await Promise.all(keys.map((key) => client.del(key)));
    },
    async ping() {
      await client.ping();
    },
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}

/** A store on one Redis server. */
export function createRedisStore(config: RedisStoreConfig): CacheStore {
  const client = new Redis(config.url, {
    ...connectionOptions(config),
    enableOfflineQueue: false,
    // Reconnect forever, backing off to 1 s: the cache must come back without a restart.
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 1000),
  });
  // Failures surface per command; an unhandled 'error' event would crash the process.
  client.on('error', () => {});
  return storeOver('redis', client);
}

/** A store on a Redis Cluster; keys carry the tenant hash tag, so a tenant stays in one slot. */
export function createRedisClusterStore(config: RedisClusterStoreConfig): CacheStore {
  const client = new Cluster(config.nodes, {
    lazyConnect: true,
    enableOfflineQueue: false,
    // A dead master fails its commands at once instead of after a fixed delay; the slot map
    // is refreshed in the background and the promoted replica takes over.
    retryDelayOnFailover: 0,
    clusterRetryStrategy: (attempt) => Math.min(100 * attempt, 1000),
    slotsRefreshTimeout: config.connectTimeoutMs,
    redisOptions: connectionOptions(config),
  });
  client.on('error', () => {});
  client.on('node error', () => {});
  // Node connections open lazily, and without an offline queue a command sent to a node that is
  // still connecting fails; open them all before the first real command.
  const warm = () => Promise.all(client.nodes('master').map((node) => node.ping()));
  return storeOver('redis-cluster', client, warm);
}

/**
 * How the Redis stores connect: the configuration the app gives them, and the ioredis options
 * both clients share. ioredis's own defaults would queue a command for about 70 s while Redis
 * is down; these fail it within the command timeout instead.
 */
import type { ConnectionOptions } from 'node:tls';
import type { Cluster, ClusterNode, Redis, RedisOptions } from 'ioredis';
import type { RotatingPassword } from './password.ts';

/** Limits and credentials shared by both Redis stores. */
export interface RedisConnectionConfig {
  /** Milliseconds a command may take before it fails. */
  commandTimeoutMs: number;
  /** Milliseconds a connection attempt may take. */
  connectTimeoutMs: number;
  /** TLS options (ElastiCache in-transit encryption); absent means plain TCP. */
  tls?: ConnectionOptions;
  /** ACL / RBAC user and password (ElastiCache RBAC, Redis 6+ ACLs); a rotating one is re-read on reconnection. */
  username?: string;
  password?: string | RotatingPassword;
}

/** A standalone Redis server, e.g. `redis://127.0.0.1:6379/0` or `rediss://user:pass@host:6380`. */
export interface RedisStoreConfig extends RedisConnectionConfig {
  url: string;
}

/** The seed nodes of a Redis Cluster (for ElastiCache: its configuration endpoint). */
export interface RedisClusterStoreConfig extends RedisConnectionConfig {
  nodes: ClusterNode[];
}

/** What the app may add to a Redis store beyond its connection. */
export interface RedisStoreOptions {
  /**
   * Reports the health of the servers behind the client (the app's probe, e.g. CLUSTER INFO
   * and NODES); becomes the store's `describe`, bounded by the command timeout.
   */
  describe?: (client: Redis | Cluster) => Promise<unknown>;
}

/** Options both clients share. */
export function connectionOptions(config: RedisConnectionConfig) {
  return {
    // RESP2 keeps reply shapes stable across ioredis versions and every Redis/Valkey server.
    protocol: 2,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: config.connectTimeoutMs,
    // No ioredis command or socket timeout: they cost a timer per command, and neither fails a
    // command cut off by a dropped connection. `Deadlines` bounds every call and drops silent
    // connections, the handshake's included.
    // After a failover a connection may still point at the demoted primary, which refuses
    // writes with READONLY: reconnect (DNS now names the new primary) and resend the command.
    reconnectOnError: (error: Error) => (error.message.startsWith('READONLY') ? 2 : false),
    ...(config.tls ? { tls: config.tls } : {}),
    ...(config.username ? { username: config.username } : {}),
    ...(config.password ? { password: typeof config.password === 'string' ? config.password : config.password.current() } : {}),
  } satisfies RedisOptions;
}

/**
 * The harness's stores, as the contract and engine suites build them.
 */
import { inject } from 'vitest';
import { createStore, type CacheStore } from '../../origin/cache/index.ts';
import { loadConfig } from '../../origin/config.ts';
import { fileRedisUrl } from '../harness/file-redis.ts';

const timeouts = { commandTimeoutMs: 1000, connectTimeoutMs: 2000 };

/** Cluster seed nodes from a `host:port,...` string. */
export function clusterNodes(seeds: string) {
  const config = loadConfig({ REDIS_CLUSTER_NODES: seeds }).cache;
  if (config.kind !== 'redis-cluster') throw new Error('expected a cluster config');
  return config.nodes;
}

/** `[name, factory]` for every store kind. */
export const STORES: [string, () => CacheStore][] = [
  ['memory', () => createStore({ kind: 'memory', maxEntries: 10_000 })],
  ['redis', () => createStore({ kind: 'redis', url: fileRedisUrl(), ...timeouts })],
  ['redis-cluster', () => createStore({ kind: 'redis-cluster', nodes: clusterNodes(inject('redisClusterNodes')), ...timeouts })],
];

/** A tenant no other test uses. */
export function freshTenant(): string {
  return `t-${crypto.randomUUID().slice(0, 12)}`;
}

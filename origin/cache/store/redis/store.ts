/**
 * Redis stores over ioredis: one standalone server, or a Redis Cluster (ElastiCache in cluster
 * mode). Both fail fast instead of queueing — no offline queue, a command timeout, at most one
 * retry — so a Redis outage costs a request milliseconds, not seconds, and reads fall back to
 * the source. Reconnection goes on in the background; recovery needs no restart. In cluster
 * mode ioredis follows MOVED/ASK redirections and refreshes its slot map after a failover.
 */
import { Cluster, Redis } from 'ioredis';
import type { CacheStore } from '../interface.ts';
import { TrackedValues } from '../tracked-values.ts';
import { batchedReads } from './batched-reads.ts';
import { followPassword, type FollowedPassword } from './password.ts';
import { Deadlines } from './deadlines.ts';
import { redisInspection } from './inspection.ts';
import { connectionOptions, type RedisClusterStoreConfig, type RedisStoreConfig, type RedisStoreOptions } from './options.ts';
import { groupByNode, groupBySlot, isRedirection } from './slots.ts';
import { trackCluster, trackStandalone } from './tracking.ts';

// Deletes a key only while it holds the caller's token: releasing a lock must never release a
// lock that expired and was taken by someone else meanwhile.
const DELETE_IF_EQUALS = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

type Client = Redis | Cluster;
type WithDeleteIfEquals = { deleteIfEquals(key: string, value: string): Promise<number> };

function storeOver(
  name: string,
  client: Client,
  commandTimeoutMs: number,
  options: RedisStoreOptions,
  afterConnect: () => Promise<unknown> = async () => {},
  password?: FollowedPassword,
): CacheStore {
  client.defineCommand('deleteIfEquals', { numberOfKeys: 1, lua: DELETE_IF_EQUALS });
  let connecting: Promise<void> | undefined;
  const standalone = client instanceof Cluster ? undefined : [client];
  const deadlines = new Deadlines(commandTimeoutMs, () => standalone ?? (client as Cluster).nodes('all'));
  const bound = <T>(sent: Promise<T>) => deadlines.bound(sent);
  const read = batchedReads(client, deadlines);
  const tracked = new Map<string, { values: TrackedValues; close(): void }>();
  let closed = false;
  const px = (ttlMs: number) => Math.max(1, Math.round(ttlMs));
  return {
    name,
    connect() {
      connecting ??= client
        .connect()
        .then(() => bound(afterConnect()))
        .then(() => undefined);
      return connecting;
    },
    get(key) {
      return read.one(key);
    },
    getMany(keys) {
      return read.many(keys);
    },
    async set(key, value, ttlMs) {
      await bound(client.set(key, value, 'PX', px(ttlMs)));
    },
    async setMany(writes) {
      if (writes.length === 0) return;
      const keys = writes.map((w) => w.key);
      const groups = client instanceof Cluster ? groupByNode(client, groupBySlot(keys)) : [groupBySlot(keys)];
      const setOne = (i: number) => bound(client.set(writes[i]!.key, writes[i]!.value, 'PX', px(writes[i]!.ttlMs)));
      await Promise.all(
        groups.map(async (slotGroups) => {
          const pipeline = client.pipeline();
          const order = slotGroups.flatMap((group) => group.indexes);
          for (const i of order) pipeline.set(writes[i]!.key, writes[i]!.value, 'PX', px(writes[i]!.ttlMs));
          const results = await bound(pipeline.exec()).catch((error: unknown) => {
            if (isRedirection(error)) return order.map(() => [error, null] as [unknown, unknown]);
            throw error;
          });
          // Keys of a slot that moved or is migrating go again one SET each, which ioredis redirects.
          const resend: number[] = [];
          (results ?? []).forEach(([error], j) => {
            if (!error) return;
            if (!isRedirection(error)) throw error;
            resend.push(order[j]!);
          });
          await Promise.all(resend.map(setOne));
        }),
      );
    },
    async replace(key, value, ttlMs) {
      return (await bound(client.set(key, value, 'PX', px(ttlMs), 'XX'))) === 'OK';
    },
    async setIfAbsent(key, value, ttlMs) {
      const reply = await bound(ttlMs === undefined ? client.set(key, value, 'NX') : client.set(key, value, 'PX', px(ttlMs), 'NX'));
      return reply === 'OK';
    },
    async deleteIfEquals(key, value) {
      return (await bound((client as unknown as WithDeleteIfEquals).deleteIfEquals(key, value))) === 1;
    },
    async addToSet(key, member, ttlMs) {
      // Same slot (the tenant hash tag), so a MULTI works in cluster mode too.
      const results = await bound(client.multi().sadd(key, member).pexpire(key, px(ttlMs)).exec());
      for (const [error] of results ?? []) if (error) throw error;
    },
    async removeFromSet(key, member) {
      await bound(client.srem(key, member));
    },
    async setMembers(key) {
      return bound(client.smembers(key));
    },
    async expire(key, ttlMs) {
      return (await bound(client.pexpire(key, px(ttlMs)))) === 1;
    },
    async waitForReplicas(key, replicas, timeoutMs) {
      // WAIT applies to the connection that wrote: route it to the node that owns `key`.
      const connection = client instanceof Cluster ? nodeFor(client, key) : client;
      // WAIT blocks up to its timeout: keep it inside the command timeout so it answers first.
      const waitMs = Math.max(1, Math.min(timeoutMs, commandTimeoutMs - 50));
      return (await bound(connection.wait(replicas, waitMs))) as number;
    },
    async delete(...keys) {
      // One DEL per key: keys of different tenants live in different cluster slots.
      if (keys.length > 0) await Promise.all(keys.map((key) => bound(client.del(key))));
    },
    track(prefix, onError = () => {}) {
      let tracking = tracked.get(prefix);
      if (!tracking) {
        // After close: values that are never live, and no connection left behind.
        if (closed) return new TrackedValues();
        const options = { prefix, onError, silenceMs: commandTimeoutMs, ...(password ? { onConnection: password.watch } : {}) };
        tracking = client instanceof Cluster ? trackCluster(client, options) : trackStandalone(client, options);
        tracked.set(prefix, tracking);
      }
      return tracking.values;
    },
    inspection: redisInspection(client, bound),
    ...(options.describe ? { describe: () => bound(options.describe!(client)) } : {}),
    async ping() {
      await bound(client.ping());
    },
    async close() {
      closed = true;
      deadlines.close();
      for (const tracking of tracked.values()) tracking.close();
      tracked.clear();
      password?.stop();
      await client.quit().catch(() => client.disconnect());
    },
  };
}

function nodeFor(cluster: Cluster, key: string): Redis {
  const [group] = groupBySlot([key]);
  const address = cluster.slots[group!.slot]?.[0];
  const node = cluster.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === address);
  if (!node) throw new Error(`no master known for slot ${group!.slot}`);
  return node;
}

/** A store on one Redis server. */
export function createRedisStore(config: RedisStoreConfig, options: RedisStoreOptions = {}): CacheStore {
  const client = new Redis(config.url, {
    ...connectionOptions(config),
    enableOfflineQueue: false,
    // Reconnect forever, backing off to 1 s: the cache must come back without a restart.
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 1000),
  });
  // Failures surface per command; an unhandled 'error' event would crash the process.
  client.on('error', () => {});
  const password = typeof config.password === 'object' ? followPassword(client, config.password) : undefined;
  return storeOver('redis', client, config.commandTimeoutMs, options, undefined, password);
}

/** A store on a Redis Cluster; keys carry the tenant hash tag, so a tenant stays in one slot. */
export function createRedisClusterStore(config: RedisClusterStoreConfig, options: RedisStoreOptions = {}): CacheStore {
  const client = new Cluster(config.nodes, {
    lazyConnect: true,
    enableOfflineQueue: false,
    // A dead master fails its commands at once instead of after a fixed delay; the slot map
    // is refreshed in the background and the promoted replica takes over.
    retryDelayOnFailover: 0,
    clusterRetryStrategy: (attempt) => Math.min(100 * attempt, 1000),
    slotsRefreshTimeout: config.connectTimeoutMs,
    slotsRefreshInterval: 2000,
    // ElastiCache's TLS certificates name the configuration endpoint, not node IPs: keep the
    // hostnames ioredis is given instead of resolving them first.
    ...(config.tls ? { dnsLookup: (address: string, callback: (error: null, address: string) => void) => callback(null, address) } : {}),
    redisOptions: connectionOptions(config),
  });
  client.on('error', () => {});
  client.on('node error', () => {});
  const password = typeof config.password === 'object' ? followPassword(client, config.password) : undefined;
  // Node connections open lazily, and without an offline queue a command sent to a node that is
  // still connecting fails; open them all before the first real command.
  const warm = () => Promise.all(client.nodes('master').map((node) => node.ping()));
  return storeOver('redis-cluster', client, config.commandTimeoutMs, options, warm, password);
}

/**
 * The contenders, each driven through its own public API against the same Redis:
 *   floor          raw ioredis GET + JSON.parse, one command per read (the design's naive wrapper)
 *   floor-pipelined  the same with ioredis auto-pipelining: concurrent reads leave in one write,
 *                  Redis used as well as a client can without changing commands
 *   strata         this engine (no memory tier: every read goes to Redis)
 *   strata-decode-each-read  the same with no decoded copies kept: every hit parses, as after a rewrite
 *   strata-deployed  the same under the deployment's policies (payloads through the codec)
 *   bentocache     Redis L2 only (no L1), so it too reads Redis every time
 *   cache-manager  v7 over Keyv + @keyv/redis (node-redis, which pipelines a tick's commands itself)
 *   cachified      @epic-web/cachified over a small ioredis adapter
 * Every ioredis connection a peer reads through has auto-pipelining on, as the floor-pipelined
 * one: the settings a concurrent server would run them with. No subject holds values in
 * process: every read asks Redis, and sees a rewrite at once.
 */
import KeyvRedis from '@keyv/redis';
import { cachified, type Cache as CachifiedCache, type CacheEntry } from '@epic-web/cachified';
import { BentoCache, bentostore } from 'bentocache';
import { redisDriver } from 'bentocache/drivers/redis';
import { createCache } from 'cache-manager';
import { Redis } from 'ioredis';
import { Keyv } from 'keyv';
import { resourceKey } from '../../common/keys.ts';
import { CacheEngine, compressCodec, createRedisStore, type CacheEngineOptions, type CachePolicy } from '../../origin/cache/index.ts';
import { DEFAULT_POLICIES, deploymentPolicies } from '../../origin/cache-policies.ts';

const TTL_MS = 60 * 60_000;

/** One contender. Keys are per subject; `load` runs only on a miss. */
export interface Subject {
  readonly name: string;
  /** Makes `key(id)` hold `value`, through the subject's own API (also how keys are rewritten). */
  seed(id: string, value: unknown): Promise<void>;
  /** Reads `id`, loading with `load` on a miss. */
  getOrLoad(id: string, load: () => Promise<unknown>): Promise<unknown>;
  close(): Promise<void>;
}

/** This engine over its own store, reading `tenant`'s keys under `policy`. */
async function strataSubject(
  name: string,
  url: string,
  tenant: string,
  policy: CachePolicy,
  options: Pick<CacheEngineOptions, 'decoded'> = {},
): Promise<Subject> {
  const store = createRedisStore({ url, commandTimeoutMs: 5000, connectTimeoutMs: 2000 });
  await store.connect();
  const engine = new CacheEngine({ store, ...options });
  // Every subject builds its key with a template per read. `resourceKey` makes the same string
  // but also validates the tenant and segments, which the API does once per request, not the
  // cache: counted here it cost strata about 5 % of a sequential hit that no peer paid.
  const key = (id: string) => `resource:{${tenant}}:item:${id}`;
  if (key('hit-0') !== resourceKey(tenant, 'item', 'hit-0')) throw new Error('bench keys drifted from resourceKey');
  return {
    name,
    seed: (id, value) => engine.set({ key: key(id), tenant, policy }, value),
    getOrLoad: async (id, load) => (await engine.getOrLoad({ key: key(id), tenant, policy, load })).value,
    close: async () => {
      await engine.close();
      await store.close();
    },
  };
}

/** The design's naive cache wrapper (docs/architecture.md, "Design targets") over one ioredis connection: GET + JSON.parse, no stampede protection. */
function floorSubject(name: string, url: string, autoPipelining: boolean): Subject {
  const raw = new Redis(url, { protocol: 2, enableAutoPipelining: autoPipelining });
  const key = (id: string) => `${name}:${id}`;
  return {
    name,
    async seed(id, value) {
      await raw.set(key(id), JSON.stringify(value), 'PX', TTL_MS);
    },
    async getOrLoad(id, load) {
      const hit = await raw.get(key(id));
      if (hit !== null) return JSON.parse(hit);
      const value = await load();
      await raw.set(key(id), JSON.stringify(value), 'PX', TTL_MS);
      return value;
    },
    close: async () => raw.disconnect(),
  };
}

/** Builds every subject over the Redis at `url`. */
export async function createSubjects(url: string): Promise<Subject[]> {
  const floor = floorSubject('floor', url, false);
  const floorPipelined = floorSubject('floor-pipelined', url, true);

  // strata as the origin runs it too: the deployment's policies, whose codec compresses payloads
  // of 1 KB and more (this one is just under: stored as is, but through the codec).
  const strata = await strataSubject('strata', url, 'bench', DEFAULT_POLICIES.resource);
  const strataDecoding = await strataSubject('strata-decode-each-read', url, 'decoding', DEFAULT_POLICIES.resource, { decoded: false });
  const compress = compressCodec({ thresholdBytes: 1024 });
  const deployed = deploymentPolicies({ compress, protect: compress }).resource;
  const strataDeployed = await strataSubject('strata-deployed', url, 'deployed', deployed);

  const bentoConnection = new Redis(url, { protocol: 2, enableAutoPipelining: true });
  const bento = new BentoCache({ default: 'redis', stores: { redis: bentostore().useL2Layer(redisDriver({ connection: bentoConnection })) } });
  const bentocache: Subject = {
    name: 'bentocache',
    seed: async (id, value) => void (await bento.set({ key: `bento:${id}`, value, ttl: TTL_MS })),
    getOrLoad: (id, load) => bento.getOrSet({ key: `bento:${id}`, factory: load, ttl: TTL_MS }),
    close: async () => {
      await bento.disconnectAll();
      bentoConnection.disconnect();
    },
  };

  const keyv = new Keyv({ store: new KeyvRedis(url), namespace: 'cm' });
  const manager = createCache({ stores: [keyv] });
  const cacheManager: Subject = {
    name: 'cache-manager',
    seed: async (id, value) => void (await manager.set(id, value, TTL_MS)),
    getOrLoad: (id, load) => manager.wrap(id, load, TTL_MS),
    close: async () => {
      await manager.disconnect();
    },
  };

  const adapterConnection = new Redis(url, { protocol: 2, enableAutoPipelining: true });
  const adapter: CachifiedCache = {
    name: 'ioredis',
    get: async (key) => {
      const hit = await adapterConnection.get(`cf:${key}`);
      return hit === null ? null : (JSON.parse(hit) as CacheEntry);
    },
    set: (key, entry) => adapterConnection.set(`cf:${key}`, JSON.stringify(entry), 'PX', TTL_MS),
    delete: (key) => adapterConnection.del(`cf:${key}`),
  };
  const cachifiedSubject: Subject = {
    name: 'cachified',
    seed: async (id, value) => void (await cachified({ key: id, cache: adapter, ttl: TTL_MS, getFreshValue: () => value, forceFresh: true })),
    getOrLoad: (id, load) => cachified({ key: id, cache: adapter, ttl: TTL_MS, getFreshValue: load }),
    close: async () => adapterConnection.disconnect(),
  };

  return [floor, floorPipelined, strata, strataDecoding, strataDeployed, bentocache, cacheManager, cachifiedSubject];
}

/**
 * A breaker counts only its store's own failures (connection, timeout, Redis error replies).
 * A value that cannot be encoded, serialised or decoded, a loader that fails, a metrics sink
 * that throws: none of them is Redis failing, so none may open the breaker, and a value the
 * codec cannot decode is a miss. Each engine here opens its breaker on one counted failure.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { resourceKey } from '../../common/keys.ts';
import {
  CACHE_ERROR_CODES,
  CacheEngine,
  CacheError,
  createBreaker,
  createRedisStore,
  DEFAULT_BREAKER,
  definePolicy,
  type CacheMetrics,
  type PayloadCodec,
} from '../../origin/cache/index.ts';
import { DEFAULT_POLICIES } from '../../origin/cache-policies.ts';
import { freshTenant } from './stores.ts';
import { fileRedisUrl } from '../harness/file-redis.ts';

/** A codec whose encode and decode fail on demand; `decodeThrows` throws before returning a promise. */
function faultyCodec() {
  const faults = { encode: false, decode: false, decodeThrows: false };
  const broken = () => new CacheError(CACHE_ERROR_CODES.codecFailed, 'codec broken');
  const codec: PayloadCodec = {
    name: 'faulty',
    encode: async (plain) => {
      if (faults.encode) throw broken();
      return `f:${plain}`;
    },
    decode: (stored) => {
      if (faults.decodeThrows) throw broken();
      return faults.decode ? Promise.reject(broken()) : Promise.resolve(stored.slice(2));
    },
  };
  return { codec, faults };
}

const store = createRedisStore({ url: fileRedisUrl(), commandTimeoutMs: 1000, connectTimeoutMs: 2000 });
afterAll(() => store.close());

describe('the breaker counts only the store’s own failures', () => {
  let errors: string[];
  let engine: CacheEngine;
  const { codec, faults } = faultyCodec();
  // No decoded copies kept between reads: every read goes through the codec.
  const policy = definePolicy({ ...DEFAULT_POLICIES.resource, codec, reuseDecoded: false });
  const build = (metrics?: CacheMetrics) =>
    new CacheEngine({
      store,
      metrics,
      // One counted failure opens it: any failure that reaches it shows.
      breaker: createBreaker({ ...DEFAULT_BREAKER, consecutiveFailures: 1, consecutiveSpanMs: 0 }),
      onError: (_, { operation }) => errors.push(operation),
    });
  beforeEach(async () => {
    await store.connect();
    Object.assign(faults, { encode: false, decode: false, decodeThrows: false });
    errors = [];
    engine = build();
  });

  it('a write of a value the codec cannot encode: reported once, the old entry dropped, the breaker closed', async () => {
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    let source = 'v1';
    const read = () => engine.getOrLoad({ key, tenant, policy, load: async () => source });
    expect(await read()).toEqual({ value: 'v1', status: 'miss' });
    expect(await read()).toEqual({ value: 'v1', status: 'hit' });
    faults.encode = true;
    await expect(engine.writeThrough({ key, tenant, policy }, async () => (source = 'v2'))).resolves.toBe('v2');
    expect(engine.breakerState()).toBe('closed');
    expect(errors).toEqual(['encode']);
    faults.encode = false;
    // Not the old entry: the key is read from the source again.
    expect(await read()).toEqual({ value: 'v2', status: 'miss' });
    expect(await read()).toEqual({ value: 'v2', status: 'hit' });
  });

  it('a write of a value JSON cannot serialise leaves the breaker closed, and the other writes stored', async () => {
    const tenant = freshTenant();
    const [bad, good] = [resourceKey(tenant, 'project', 'bad'), resourceKey(tenant, 'project', 'good')];
    await engine.setMany([
      { target: { key: bad, tenant, policy }, value: { count: 1n } },
      { target: { key: good, tenant, policy }, value: 'good' },
    ]);
    expect(engine.breakerState()).toBe('closed');
    expect(errors).toEqual(['encode']);
    expect(await engine.getOrLoad({ key: good, tenant, policy, load: async () => 'from source' })).toEqual({ value: 'good', status: 'hit' });
  });

  it('a load whose value the codec cannot encode: the value is served, reported once, the breaker closed', async () => {
    faults.encode = true;
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    expect(await engine.getOrLoad({ key, tenant, policy, load: async () => 'v1' })).toEqual({ value: 'v1', status: 'miss' });
    expect(engine.breakerState()).toBe('closed');
    expect(errors).toEqual(['encode']);
  });

  it.each([
    ['rejects', 'decode'],
    ['throws before returning a promise', 'decodeThrows'],
  ] as const)('a stored value the codec cannot decode (it %s) is a miss, and the breaker stays closed', async (_, fault) => {
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    let loads = 0;
    const read = () => engine.getOrLoad({ key, tenant, policy, load: async () => `v${++loads}` });
    await read();
    faults[fault] = true;
    expect(await read()).toEqual({ value: 'v2', status: 'miss' });
    expect(engine.breakerState()).toBe('closed');
    expect(errors).toContain('decode');
  });

  it('a loader that fails reaches its caller, not the breaker', async () => {
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    await expect(engine.getOrLoad({ key, tenant, policy, load: () => Promise.reject(new Error('database down')) })).rejects.toThrow('database down');
    expect(engine.breakerState()).toBe('closed');
  });

  it('a metrics sink that throws: reads are still served, it is reported once, the breaker closed', async () => {
    const broken = () => {
      throw new Error('metrics sink down');
    };
    engine = build({ read: broken, load: broken, operation: broken });
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    const read = () => engine.getOrLoad({ key, tenant, policy, load: async () => 'v1' });
    expect(await read()).toEqual({ value: 'v1', status: 'miss' });
    expect(await read()).toEqual({ value: 'v1', status: 'hit' });
    expect(engine.breakerState()).toBe('closed');
    expect(errors).toEqual(['metrics']);
  });

  it('a Redis error reply is the store’s own failure: the read goes to the source and the breaker counts it', async () => {
    // A user that may not read: every read is answered with a NOPERM error.
    const user = `no-reads-${crypto.randomUUID()}`;
    const admin = new Redis(fileRedisUrl(), { protocol: 2 });
    await admin.acl('SETUSER', user, 'on', '>secret', '~*', '&*', '+@all', '-get', '-mget');
    const refused = createRedisStore({ url: fileRedisUrl(), username: user, password: 'secret', commandTimeoutMs: 1000, connectTimeoutMs: 2000 });
    try {
      await refused.connect();
      const engine = new CacheEngine({ store: refused, breaker: createBreaker({ ...DEFAULT_BREAKER, consecutiveFailures: 1, consecutiveSpanMs: 0 }) });
      const tenant = freshTenant();
      const key = resourceKey(tenant, 'project', 'p1');
      expect(await engine.getOrLoad({ key, tenant, policy, load: async () => 'v1' })).toEqual({ value: 'v1', status: 'bypass' });
      expect(engine.breakerState()).toBe('open');
      await engine.close();
    } finally {
      await refused.close();
      await admin.acl('DELUSER', user);
      admin.disconnect();
    }
  });
});

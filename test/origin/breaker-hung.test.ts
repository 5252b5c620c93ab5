/**
 * The breaker half-open against a hung server through the engine. A redis-server stopped with
 * SIGSTOP answers nothing and keeps its connections open: the breaker must open after the
 * configured streak of failures however many hits filled its window before, send every later
 * read to the loader without touching Redis, let one trial through per reset while the server
 * still hangs, and close once a trial is answered. Work is counted — calls that passed the
 * breaker to the store, reads that went to the loader — never timed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { resourceKey } from '../../common/keys.ts';
import { CacheEngine, createBreaker, createRedisStore, DEFAULT_BREAKER, type CacheStore } from '../../origin/cache/index.ts';
import { DEFAULT_POLICIES } from '../../origin/cache-policies.ts';
import { eventually } from '../harness/eventually.ts';
import { startRedis, type RedisProcess } from '../harness/redis.ts';
import { freshTenant } from './stores.ts';

const policy = DEFAULT_POLICIES.resource;

/**
 * `store` counting the calls that reach it, without client tracking: every read is then one
 * MGET of the entry and its version, so each read that passes the breaker is one call.
 */
function counted(store: CacheStore): { store: CacheStore; calls: () => number } {
  let calls = 0;
  const wrapped = new Proxy(store, {
    get(target, name, receiver) {
      if (name === 'track') return undefined;
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function' || name === 'connect' || name === 'close') return value;
      return (...args: unknown[]) => {
        calls++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: wrapped, calls: () => calls };
}

describe('the breaker against a hung server, through the engine', () => {
  let redis: RedisProcess | undefined;
  afterAll(async () => {
    redis?.resume();
    await redis?.stop();
  });

  it('opens after the configured consecutive failures, half-opens with one trial, and closes once the server answers', async () => {
    redis = await startRedis();
    const inner = createRedisStore({ url: redis.url, commandTimeoutMs: 300, connectTimeoutMs: 300 });
    await inner.connect();
    const { store, calls } = counted(inner);
    // Three failures in a row open it; the span is the rule's own (tested with a clock in
    // breaker.test.ts), zero here so that only counts decide.
    const breaker = createBreaker({ ...DEFAULT_BREAKER, consecutiveFailures: 3, consecutiveSpanMs: 0, resetTimeoutMs: 200 });
    const engine = new CacheEngine({ store, breaker });
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    let loads = 0;
    const read = (k = key) => engine.getOrLoad({ key: k, tenant, policy, load: async () => (loads++, `value of ${k}`) });
    expect((await read()).status).toBe('miss');
    // A window full of hits: the sampling rule alone would need twenty failures more.
    for (let i = 0; i < 20; i++) expect((await read()).status).toBe('hit');
    expect(engine.breakerState()).toBe('closed');

    redis.pause();
    const sentBefore = calls();
    const loadsBefore = loads;
    for (let i = 1; i <= 3; i++) {
      expect(engine.breakerState()).toBe('closed');
      expect(await read()).toEqual({ value: `value of ${key}`, status: 'bypass' });
    }
    expect(calls() - sentBefore).toBe(3);
    expect(engine.breakerState()).toBe('open');
    // Open: reads go to the loader without touching Redis.
    for (let i = 0; i < 5; i++) expect((await read()).status).toBe('bypass');
    expect(calls() - sentBefore).toBe(3);
    expect(loads - loadsBefore).toBe(8);

    // Half-open while the server still hangs: one trial reaches it and fails; a read meanwhile
    // goes to the loader at once instead of waiting for the trial.
    await eventually(
      'the breaker to half-open',
      async () => engine.breakerState(),
      (state) => state === 'half-open',
    );
    const trialSent = calls();
    const trial = read();
    const meanwhile = await read(resourceKey(tenant, 'project', 'p2'));
    expect(meanwhile).toEqual({ value: `value of ${resourceKey(tenant, 'project', 'p2')}`, status: 'bypass' });
    expect(await trial).toEqual({ value: `value of ${key}`, status: 'bypass' });
    expect(calls() - trialSent).toBe(1);
    expect(engine.breakerState()).toBe('open');

    redis.resume();
    // Wait for the connection to come back outside the engine, so the next trial is answered.
    await eventually(
      'Redis to answer again',
      () => inner.get(key).then(Boolean, () => false),
      (answered) => answered,
    );
    await eventually(
      'the breaker to half-open',
      async () => engine.breakerState(),
      (state) => state === 'half-open',
    );
    const recoveredSent = calls();
    const loadsBeforeRecovery = loads;
    expect(await read()).toEqual({ value: `value of ${key}`, status: 'hit' });
    expect(calls() - recoveredSent).toBe(1);
    expect(loads).toBe(loadsBeforeRecovery);
    expect(engine.breakerState()).toBe('closed');
    await engine.close();
    await inner.close();
  });
});

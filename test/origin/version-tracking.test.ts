/**
 * Invalidation versions held in process and kept exact by Redis client tracking: a hit is one
 * GET; another process's invalidation reaches this one through the server's change report;
 * a lost report connection, a server that refuses tracking and a FLUSHALL all fall back to
 * reading versions from Redis. Standalone cases run on a `redis-server` of their own (the
 * command counts and the killed connections must be this file's alone); cluster cases on the
 * harness's cluster.
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { resourceKey } from '../../common/keys.ts';
import {
  CacheEngine,
  createRedisClusterStore,
  createRedisStore,
  TrackedValues,
  VERSION_KEY_PREFIX,
  versionKey,
  type CacheStore,
} from '../../origin/cache/index.ts';
import { DEFAULT_POLICIES } from '../../origin/cache-policies.ts';
import { commandsDuring } from '../harness/command-stats.ts';
import { startRedis, type RedisProcess } from '../harness/redis.ts';
import { clusterNodes, freshTenant } from './stores.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const policy = DEFAULT_POLICIES.resource;
const timeouts = { commandTimeoutMs: 1000, connectTimeoutMs: 2000 };

async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(5);
  }
}

/** Resolves when the server's report that `key` changed has reached `tracked`. */
function reportOf(tracked: TrackedValues, key: string): Promise<void> {
  const changed = tracked.changed.bind(tracked);
  return new Promise((resolve) => {
    tracked.changed = (keys) => {
      changed(keys);
      if (keys === undefined || keys.includes(key)) resolve(), (tracked.changed = changed);
    };
  });
}

describe('held values', () => {
  it('are given out only while live, all or nothing', () => {
    const values = new TrackedValues();
    values.remember(values.ticket(), ['a'], ['1']);
    expect(values.getAll(['a'])).toBeUndefined();
    values.setLive(true);
    values.heard(Date.now() + 60_000);
    values.remember(values.ticket(), ['a', 'b'], ['1', undefined]);
    expect(values.getAll(['a'])).toEqual(['1']);
    expect(values.getAll(['a', 'b'])).toBeUndefined();
    values.setLive(false);
    expect(values.getAll(['a'])).toBeUndefined();
  });

  it('are not given out while the listening connections have been silent too long', () => {
    const values = new TrackedValues();
    values.setLive(true);
    values.heard(Date.now() + 60_000);
    values.remember(values.ticket(), ['a'], ['1']);
    values.heard(Date.now() - 1);
    expect(values.getAll(['a'])).toBeUndefined();
    // A heartbeat answered again: every report sent before it was applied, the values hold.
    values.heard(Date.now() + 60_000);
    expect(values.getAll(['a'])).toEqual(['1']);
  });

  it('never keep a value read while a report on it or a reset came in', () => {
    const values = new TrackedValues();
    values.setLive(true);
    values.heard(Date.now() + 60_000);
    const before = values.ticket();
    values.changed(['a']);
    values.remember(before, ['a'], ['old']);
    expect(values.getAll(['a'])).toBeUndefined();
    // A report on another key says nothing about this one: a read that overlapped it is kept.
    const overlapping = values.ticket();
    values.changed(['other']);
    expect(values.changedSince(overlapping, ['a'])).toBe(false);
    expect(values.changedSince(overlapping, ['a', 'other'])).toBe(true);
    values.remember(overlapping, ['a', 'other'], ['new', 'x']);
    expect(values.getAll(['a'])).toBeUndefined();
    values.remember(overlapping, ['a'], ['new']);
    expect(values.getAll(['a'])).toEqual(['new']);

    values.remember(values.ticket(), ['a'], ['1']);
    const during = values.ticket();
    values.setLive(true); // a reconnect: everything held so far is forgotten
    values.remember(during, ['b'], ['2']);
    expect(values.getAll(['a'])).toBeUndefined();
    expect(values.getAll(['b'])).toBeUndefined();

    values.remember(values.ticket(), ['a', 'b'], ['1', '2']);
    values.changed(['a']);
    expect(values.getAll(['b'])).toEqual(['2']);
    expect(values.getAll(['a'])).toBeUndefined();
    const beforeFlush = values.ticket();
    values.changed(undefined); // FLUSHALL
    expect(values.getAll(['b'])).toBeUndefined();
    // A reset concerns every key, including ones never reported.
    expect(values.changedSince(beforeFlush, ['never-reported'])).toBe(true);
    values.remember(beforeFlush, ['c'], ['3']);
    expect(values.getAll(['c'])).toBeUndefined();
  });
});

describe('version tracking on one redis-server', () => {
  let redis: RedisProcess;
  let observer: Redis;
  const opened: { engine: CacheEngine; store: CacheStore }[] = [];
  const proxies: Server[] = [];

  /** An engine on its own connections, as another process would have. */
  async function openProcess(options: { username?: string; password?: string; waitForTracking?: boolean } = {}) {
    const { waitForTracking = true, ...credentials } = options;
    const store = createRedisStore({ url: redis.url, ...timeouts, ...credentials });
    await store.connect();
    const errors: { error: unknown; operation: string }[] = [];
    const engine = new CacheEngine({ store, onError: (error, context) => errors.push({ error, operation: context.operation }) });
    opened.push({ engine, store });
    const tracked = store.track!(VERSION_KEY_PREFIX);
    if (waitForTracking) await eventually('tracking up', () => tracked.live);
    return { engine, store, errors, tracked };
  }

  beforeAll(async () => {
    redis = await startRedis();
    observer = new Redis(redis.url, { protocol: 2 });
  });
  afterEach(async () => {
    vi.useRealTimers();
    for (const { engine, store } of opened.splice(0)) {
      await engine.close();
      await store.close();
    }
    for (const proxy of proxies.splice(0)) proxy.close();
  });
  afterAll(async () => {
    observer?.disconnect();
    await redis?.stop();
  });

  it('answers a hit with one GET once the versions are held', async () => {
    const { engine } = await openProcess();
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    const read = () => engine.getOrLoad({ key, tenant, policy, tags: ['projects'], load: async () => 'v' });
    expect((await read()).status).toBe('miss');
    expect((await read()).status).toBe('hit'); // reads and keeps the versions
    const { calls } = await commandsDuring(observer, async () => {
      for (let i = 0; i < 10; i++) expect(await read()).toEqual({ value: 'v', status: 'hit' });
    });
    expect(calls('get')).toBe(10);
    expect(calls('mget')).toBe(0);
  });

  it('sees another process invalidate a tag or a tenant as soon as the server reports it', async () => {
    const reader = await openProcess();
    const writer = await openProcess();
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    let version = 0;
    const read = () => reader.engine.getOrLoad({ key, tenant, policy, tags: ['projects'], load: async () => `v${version}` });
    await read();
    expect(await read()).toEqual({ value: 'v0', status: 'hit' });
    // The reader holds the versions, so only the server's report can tell it of the change.
    expect(reader.tracked.getAll([versionKey(tenant), versionKey(tenant, 'projects')])).toHaveLength(2);

    version = 1;
    expect(await writer.engine.invalidateTags(tenant, ['projects'])).toBe(true);
    await eventually('the tag invalidation to reach the reader', async () => (await read()).value === 'v1', 1_000);
    version = 2;
    expect(await writer.engine.invalidateTenant(tenant)).toBe(true);
    await eventually('the tenant invalidation to reach the reader', async () => (await read()).value === 'v2', 1_000);
    expect(await read()).toEqual({ value: 'v2', status: 'hit' });
  });

  it('reads versions from Redis while its report connection is down, and holds them again once it is back', async () => {
    const reader = await openProcess();
    const writer = await openProcess();
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    let version = 0;
    const read = () => reader.engine.getOrLoad({ key, tenant, policy, load: async () => `v${version}` });
    await read();
    expect(await read()).toEqual({ value: 'v0', status: 'hit' });

    // Kill every subscribed connection: no change reports reach anyone from here on.
    await observer.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    version = 1;
    await writer.engine.invalidateTenant(tenant);
    // No polling: the very next read must already see the invalidation.
    expect(await read()).toEqual({ value: 'v1', status: 'miss' });

    await eventually('tracking back', () => reader.tracked.live);
    expect(await read()).toEqual({ value: 'v1', status: 'hit' });
    version = 2;
    await writer.engine.invalidateTenant(tenant);
    await eventually('the invalidation after reconnecting', async () => (await read()).value === 'v2', 1_000);
  });

  /**
   * A connected store whose connections go through a loopback proxy to the server; `relay`
   * wires each client socket to its upstream (what passes, what is dropped).
   */
  async function storeThroughProxy(relay: (client: Socket, upstream: Socket) => void): Promise<CacheStore> {
    const proxy = createServer({ noDelay: true }, (client) => {
      const upstream = connect({ port: redis.port, host: '127.0.0.1', noDelay: true });
      for (const socket of [client, upstream]) socket.on('error', () => {});
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      relay(client, upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxies.push(proxy);
    const store = createRedisStore({ url: `redis://127.0.0.1:${(proxy.address() as AddressInfo).port}`, ...timeouts });
    await store.connect();
    return store;
  }

  /**
   * A process whose connections go through a proxy that can black-hole its subscribed
   * connection only: the socket stays open and nothing more arrives (a half-open connection, a
   * dropped route, or simply a report still on its way).
   */
  async function silenceableProcess() {
    const control = { silenced: false };
    const store = await storeThroughProxy((client, upstream) => {
      let subscriber = false;
      client.on('data', (chunk) => {
        subscriber ||= chunk.toString().toUpperCase().includes('SUBSCRIBE');
        if (!(control.silenced && subscriber)) upstream.write(chunk);
      });
      upstream.on('data', (chunk) => {
        if (!(control.silenced && subscriber)) client.write(chunk);
      });
    });
    const engine = new CacheEngine({ store });
    opened.push({ engine, store });
    const tracked = store.track!(VERSION_KEY_PREFIX);
    await eventually('tracking up', () => tracked.live);
    return { engine, tracked, control };
  }

  /** Reads `tenant`'s entry (value `v0`) until its version is held in process. */
  async function holdVersions(read: () => Promise<unknown>, tracked: TrackedValues, tenant: string) {
    // The report of the version's creation would drop a version held before it arrives.
    const created = reportOf(tracked, versionKey(tenant));
    await read();
    await created;
    await read();
    expect(await read()).toEqual({ value: 'v0', status: 'hit' });
    expect(tracked.getAll([versionKey(tenant)])).toHaveLength(1);
  }

  it('stops trusting held versions when its report connection goes silent without closing', async () => {
    const { engine: reader, tracked, control } = await silenceableProcess();
    const writer = await openProcess();
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    let version = 0;
    const read = () => reader.getOrLoad({ key, tenant, policy, load: async () => `v${version}` });
    await holdVersions(read, tracked, tenant);

    // The process's clock (`Date.now()`) is moved by the test from here; timers stay real.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    control.silenced = true;
    version = 1;
    await writer.engine.invalidateTenant(tenant);
    // The report never arrives: a hit is still served from the held version for a while...
    expect(await read()).toEqual({ value: 'v0', status: 'hit' });
    // ...until the missed heartbeats end the trust on their own: 1.5 s of silence by its clock.
    vi.setSystemTime(Date.now() + 1_600);
    expect(await read()).toEqual({ value: 'v1', status: 'miss' });
  });

  it('asks Redis, rather than reloading, when an entry is newer than the versions it holds', async () => {
    const { engine: reader, tracked, control } = await silenceableProcess();
    const writer = await openProcess();
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    let readerLoads = 0;
    const read = () => reader.getOrLoad({ key, tenant, policy, load: async () => (readerLoads++, 'from the reader') });
    const created = reportOf(tracked, versionKey(tenant));
    await read();
    await created;
    await read();
    expect(tracked.getAll([versionKey(tenant)])).toHaveLength(1);
    const loadsBefore = readerLoads;

    // The report of this invalidation is still on its way to the reader when the writer stores
    // a new entry under the new version.
    control.silenced = true;
    await writer.engine.invalidateTenant(tenant);
    expect(await writer.engine.getOrLoad({ key, tenant, policy, load: async () => 'from the writer' })).toEqual({ value: 'from the writer', status: 'miss' });

    expect(await read()).toEqual({ value: 'from the writer', status: 'hit' });
    expect(readerLoads).toBe(loadsBefore);
  });

  it('recovers when its report connection is cut in the middle of setting up', async () => {
    // Connections through this proxy are cut, once each, on the first CLIENT TRACKING and then
    // on the first SUBSCRIBE that pass: the set-up breaks after its first and its second step.
    const cuts = ['TRACKING', 'SUBSCRIBE'];
    let cut = 0;
    const store = await storeThroughProxy((client, upstream) => {
      client.on('data', (chunk) => {
        const pattern = cuts[0];
        if (pattern && chunk.toString().toUpperCase().includes(pattern)) {
          cuts.shift();
          cut++;
          // The command reaches the server, its reply never reaches the client.
          upstream.write(chunk);
          client.destroy();
          return;
        }
        upstream.write(chunk);
      });
      upstream.on('data', (chunk) => client.write(chunk));
    });
    const errors: unknown[] = [];
    const reader = new CacheEngine({ store, onError: (error) => errors.push(error) });
    opened.push({ engine: reader, store });
    const tracked = store.track!(VERSION_KEY_PREFIX);
    await eventually('tracking up after two broken set-ups', () => tracked.live, 10_000);
    expect(cut).toBe(2);

    const writer = await openProcess();
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    let version = 0;
    const read = () => reader.getOrLoad({ key, tenant, policy, load: async () => `v${version}` });
    await holdVersions(read, tracked, tenant);
    version = 1;
    await writer.engine.invalidateTenant(tenant);
    await eventually('the invalidation reported on the connection set up last', async () => (await read()).value === 'v1', 1_000);
    // A cut set-up is a transient failure: nothing to report.
    expect(errors).toEqual([]);
  });

  it('forgets every held version on FLUSHALL', async () => {
    const reader = await openProcess();
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    const read = () => reader.engine.getOrLoad({ key, tenant, policy, load: async () => 'v' });
    await read();
    await read();
    expect(reader.tracked.getAll([versionKey(tenant)])).toHaveLength(1);
    await observer.flushall();
    await eventually('the flush to reach the reader', () => reader.tracked.getAll([versionKey(tenant)]) === undefined, 1_000);
    expect(reader.tracked.live).toBe(true);
  });

  it('works without tracking, reading versions every time, when the server refuses it', async () => {
    await observer.acl('SETUSER', 'no-tracking', 'on', '>secret', '~*', '&*', '+@all', '-client');
    const reader = await openProcess({ username: 'no-tracking', password: 'secret', waitForTracking: false });
    const writer = await openProcess();
    await eventually('the refusal to be reported', () => reader.errors.some((e) => e.operation === 'track'));
    expect(reader.tracked.live).toBe(false);
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    let version = 0;
    const read = () => reader.engine.getOrLoad({ key, tenant, policy, load: async () => `v${version}` });
    await read();
    expect(await read()).toEqual({ value: 'v0', status: 'hit' });
    version = 1;
    await writer.engine.invalidateTenant(tenant);
    expect(await read()).toEqual({ value: 'v1', status: 'miss' });
  });
});

describe('version tracking on the cluster', () => {
  const opened: { engine: CacheEngine; store: CacheStore }[] = [];
  afterAll(async () => {
    for (const { engine, store } of opened) {
      await engine.close();
      await store.close();
    }
  });

  it('carries invalidations between processes whichever master owns the tenant', async () => {
    const open = async () => {
      const store = createRedisClusterStore({ nodes: clusterNodes(inject('redisClusterNodes')), ...timeouts });
      await store.connect();
      const engine = new CacheEngine({ store });
      opened.push({ engine, store });
      return { engine, tracked: store.track!(VERSION_KEY_PREFIX) };
    };
    const reader = await open();
    const writer = await open();
    await eventually('tracking up on every master', () => reader.tracked.live && writer.tracked.live);
    // Tenants spread over the three masters' slots.
    const tenants = Array.from({ length: 12 }, () => freshTenant());
    let version = 0;
    const read = (tenant: string) => reader.engine.getOrLoad({ key: resourceKey(tenant, 'project', 'p1'), tenant, policy, load: async () => `v${version}` });
    for (const tenant of tenants) await read(tenant);
    for (const tenant of tenants) expect(await read(tenant)).toEqual({ value: 'v0', status: 'hit' });
    expect(reader.tracked.getAll(tenants.map((tenant) => versionKey(tenant)))).toHaveLength(tenants.length);
    version = 1;
    for (const tenant of tenants) await writer.engine.invalidateTenant(tenant);
    for (const tenant of tenants) await eventually(`the invalidation of ${tenant}`, async () => (await read(tenant)).value === 'v1', 1_000);
  });
});

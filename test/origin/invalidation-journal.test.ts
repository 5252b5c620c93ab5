/**
 * The invalidation journal: a version bump that cannot reach Redis is recorded in PostgreSQL,
 * so that every process, not only the one that made it, reads that tenant from the source and
 * retries the bump until it lands. Checked on each database the run covers, and end to end
 * with a real redis-server whose entries outlive an outage (AOF), the recording process gone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceKey } from '../../common/keys.ts';
import { CacheEngine, createBreaker, createRedisStore, versionKey, type CacheStore } from '../../origin/cache/index.ts';
import { DEFAULT_POLICIES } from '../../origin/cache-policies.ts';
import { openDatabase, type Database } from '../../origin/db/index.ts';
import { postgresInvalidationJournal } from '../../origin/db/invalidation-journal.ts';
import { eventually } from '../harness/eventually.ts';
import { startRedis, type RedisProcess } from '../harness/redis.ts';
import { DATABASE_KINDS, openTestDatabase } from './databases.ts';
import { freshTenant } from './stores.ts';

const policy = DEFAULT_POLICIES.resource;
const timeouts = { commandTimeoutMs: 300, connectTimeoutMs: 300 };

describe.each(DATABASE_KINDS)('invalidation journal on %s', (kind) => {
  let db: Database;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await openTestDatabase(kind)));
  afterAll(() => close());

  it('records, lists oldest first, and settles only the token that landed', async () => {
    const journal = postgresInvalidationJournal(db);
    const tenant = freshTenant();
    const [first, second] = await journal.record(tenant, [versionKey(tenant), versionKey(tenant, 'projects')]);
    expect(first).toMatchObject({ tenant, key: versionKey(tenant) });
    expect((await journal.list(100)).filter((e) => e.tenant === tenant)).toEqual([first, second]);

    // Recorded again (another failure): a bump that read the older record must not settle it.
    const [again] = await journal.record(tenant, [versionKey(tenant)]);
    expect(again!.token).not.toBe(first!.token);
    await journal.settle([first!, second!]);
    expect((await journal.list(100)).filter((e) => e.tenant === tenant)).toEqual([again]);
    await journal.settle([again!]);
    expect((await journal.list(100)).filter((e) => e.tenant === tenant)).toEqual([]);
    // The same key twice in one record (a tag named twice) is one row.
    expect(await journal.record(tenant, [versionKey(tenant), versionKey(tenant)])).toHaveLength(1);
  });
});

describe('an invalidation whose process is gone before Redis is back', () => {
  let redis: RedisProcess | undefined;
  let db: Database | undefined;
  beforeAll(async () => {
    // An append-only file, so the entries outlive the outage (as they would on a replica
    // promoted by a failover, or behind a network partition).
    redis = await startRedis(['--appendonly', 'yes', '--appendfsync', 'always']);
    db = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
  });
  afterAll(async () => {
    await redis?.stop();
    await db?.close();
  });

  it('is taken on by another process, which never serves the voided entries', async () => {
    const journal = postgresInvalidationJournal(db!);
    const engine = async () => {
      const store = createRedisStore({ url: redis!.url, ...timeouts });
      await store.connect().catch(() => {});
      const breaker = createBreaker({ errorThresholdPercentage: 50, volumeThreshold: 3, resetTimeoutMs: 300, rollingCountTimeoutMs: 10_000 });
      const cache = new CacheEngine({ store, breaker, journal, journalPollMs: 100 });
      await cache.start();
      return { cache, close: async () => (await cache.close(), await store.close()) };
    };
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    let source = 'v0';
    const read = (cache: CacheEngine) => cache.getOrLoad({ key, tenant, policy, tags: ['projects'], load: async () => source });

    const writer = await engine();
    await read(writer.cache);
    expect(await read(writer.cache)).toEqual({ value: 'v0', status: 'hit' });
    await redis!.kill();
    // The write reached the source; its invalidation cannot reach Redis, and the process that
    // made it goes away before Redis is back (a Lambda instance reaped).
    source = 'v1';
    expect(await writer.cache.invalidateTags(tenant, ['projects'])).toBe(false);
    await writer.close();
    expect(await journal.list(100)).toMatchObject([{ tenant, key: versionKey(tenant, 'projects') }]);
    await redis!.restart();

    // A process started afterwards: Redis holds the v0 entry under unchanged versions, yet every
    // read sees v1, from the source until the bump lands, then through the cache.
    const reader = await engine();
    const seen: string[] = [];
    const settled = await eventually(
      'reads of the tenant to go through Redis again',
      async () => {
        const result = await read(reader.cache);
        seen.push(`${result.status}:${String(result.value)}`);
        return result;
      },
      (result) => result.status === 'hit',
    );
    expect(settled.value).toBe('v1');
    expect(seen.every((entry) => entry.endsWith(':v1'))).toBe(true);
    expect(await journal.list(100)).toEqual([]);
    await reader.close();
  });
  it('records the tenant of a write-through whose cache write failed, once, however often it is retried', async () => {
    const journal = postgresInvalidationJournal(db!);
    const store = createRedisStore({ url: redis!.url, ...timeouts });
    await store.connect();
    // Counts the engine's multi-key writes (its version bumps and their retries).
    let writes = 0;
    const counted: CacheStore = { ...store, setMany: (entries) => (writes++, store.setMany(entries)) };
    const cache = new CacheEngine({ store: counted, journal, journalPollMs: 60_000 });
    await cache.start();
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    await redis!.kill();
    await cache.writeThrough({ key, tenant, policy }, async () => 'written');
    const [recorded] = (await journal.list(100)).filter((entry) => entry.tenant === tenant);
    expect(recorded).toMatchObject({ key: versionKey(tenant) });
    // Retries (100 ms, then doubling) keep failing meanwhile; the record is not rewritten.
    const before = writes;
    await eventually(
      'three retries to fail',
      async () => writes,
      (n) => n >= before + 3,
    );
    expect((await journal.list(100)).filter((entry) => entry.tenant === tenant)).toEqual([recorded]);
    await redis!.restart();
    await eventually(
      'the bump to land and settle the record',
      () => journal.list(100),
      (entries) => !entries.some((entry) => entry.tenant === tenant),
    );
    await cache.close();
    await store.close();
  });
});

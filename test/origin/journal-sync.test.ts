/**
 * How processes keep up with the invalidation journal, with faults injected around the real
 * journal (PGlite) and a store whose version bumps can be made to fail: a record that could not
 * be written is written by a later retry; a process that was frozen catches up before it reads;
 * a retry that lands before its own record is known still settles it; and a record settled by
 * another process is let go without bumping again.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { resourceKey } from '../../common/keys.ts';
import { CacheEngine, createMemoryStore, versionKey, type CacheStore, type InvalidationJournal } from '../../origin/cache/index.ts';
import { DEFAULT_POLICIES } from '../../origin/cache-policies.ts';
import type { Database } from '../../origin/db/index.ts';
import { postgresInvalidationJournal } from '../../origin/db/invalidation-journal.ts';
import { eventually } from '../harness/eventually.ts';
import { openTestDatabase } from './databases.ts';
import { freshTenant } from './stores.ts';

const policy = DEFAULT_POLICIES.resource;

/** A store over `inner` whose version bumps fail while `failing.bumps` is set. */
function bumpFailing(inner: CacheStore) {
  const failing = { bumps: false, attempts: 0 };
  const store: CacheStore = {
    ...inner,
    setMany: async (writes) => {
      if (writes.some((w) => w.key.startsWith('ver:'))) {
        failing.attempts++;
        if (failing.bumps) throw new Error('redis down');
      }
      return inner.setMany(writes);
    },
  };
  return { store, failing };
}

describe('journal sync', () => {
  let db: Database;
  let close: () => Promise<void>;
  let journal: InvalidationJournal;
  beforeAll(async () => {
    ({ db, close } = await openTestDatabase('pglite'));
    journal = postgresInvalidationJournal(db);
  });
  afterAll(() => close());

  const ofTenant = async (tenant: string) => (await journal.list(1000)).filter((entry) => entry.tenant === tenant);

  it('writes a record that failed with a later retry of its bump', async () => {
    const { store, failing } = bumpFailing(createMemoryStore({ maxEntries: 100 }));
    let refuse = true;
    const flaky: InvalidationJournal = {
      ...journal,
      record: (tenant, keys) => (refuse ? Promise.reject(new Error('database busy')) : journal.record(tenant, keys)),
    };
    const engine = new CacheEngine({ store, journal: flaky, journalPollMs: 60_000 });
    await engine.start();
    const tenant = freshTenant();
    failing.bumps = true;
    expect(await engine.invalidateTags(tenant, ['projects'])).toBe(false);
    expect(await ofTenant(tenant)).toEqual([]);
    refuse = false;
    await eventually(
      'a retry to write the record',
      () => ofTenant(tenant),
      (entries) => entries.length === 1,
    );
    failing.bumps = false;
    await eventually(
      'the bump to land and settle it',
      () => ofTenant(tenant),
      (entries) => entries.length === 0,
    );
    await engine.close();
  });

  it('catches up with the journal before reading, after a freeze', async () => {
    const inner = createMemoryStore({ maxEntries: 100 });
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    let source = 'v0';
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    try {
      const reader = new CacheEngine({ store: inner, journal, journalPollMs: 1000 });
      await reader.start();
      await reader.getOrLoad({ key, tenant, policy, load: async () => source });
      // Another process's write: the source changed, its bump never reached the store, and it
      // recorded it. The reader is frozen meanwhile: no timer of its fires.
      source = 'v1';
      await journal.record(tenant, [versionKey(tenant)]);
      vi.setSystemTime(Date.now() + 10_000);
      expect(await reader.getOrLoad({ key, tenant, policy, load: async () => source })).toEqual({ value: 'v1', status: 'bypass' });
      await reader.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('settles its own record when a retry lands before the record is written', async () => {
    const { store, failing } = bumpFailing(createMemoryStore({ maxEntries: 100 }));
    // Records pass until `gate` is set; then they wait at it, and `recording` resolves once one does.
    let gate: Promise<void> | undefined;
    let open!: () => void;
    let started!: () => void;
    const recording = new Promise<void>((resolve) => (started = resolve));
    const slow: InvalidationJournal = {
      ...journal,
      record: async (tenant, keys) => {
        if (gate) {
          started();
          await gate;
        }
        return journal.record(tenant, keys);
      },
    };
    const engine = new CacheEngine({ store, journal: slow, journalPollMs: 100 });
    await engine.start();
    const tenant = freshTenant();
    failing.bumps = true;
    // A first change that did not land: recorded, pended, retried in the background.
    expect(await engine.invalidateTags(tenant, ['projects'])).toBe(false);
    expect(await ofTenant(tenant)).toHaveLength(1);
    // A second change of the same keys fails too, and its record is held while being written.
    gate = new Promise<void>((resolve) => (open = resolve));
    const invalidated = engine.invalidateTags(tenant, ['projects']);
    await recording;
    failing.bumps = false; // Redis is back while the second record is still being written
    const before = failing.attempts;
    await eventually(
      "the first change's retry to land",
      async () => failing.attempts,
      (attempts) => attempts > before,
    );
    open(); // only now is the second record written, after a retry of its keys landed
    expect(await invalidated).toBe(false);
    await eventually(
      'every record to be settled',
      () => ofTenant(tenant),
      (entries) => entries.length === 0,
    );
    await engine.close();
  });

  it('lets go of a record another process settled, without bumping again', async () => {
    const shared = createMemoryStore({ maxEntries: 100 });
    const a = bumpFailing(shared);
    const b = bumpFailing(shared);
    const writer = new CacheEngine({ store: a.store, journal, journalPollMs: 60_000 });
    const other = new CacheEngine({ store: b.store, journal, journalPollMs: 100 });
    await writer.start();
    await other.start();
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    const read = () => other.getOrLoad({ key, tenant, policy, load: async () => 'loaded' });
    await read();
    a.failing.bumps = true;
    b.failing.bumps = true; // the other process cannot land it either
    expect(await writer.invalidateTags(tenant, ['projects'])).toBe(false);
    await eventually(
      'the other process to take it on',
      () => read(),
      (result) => result.status === 'bypass',
    );
    a.failing.bumps = false;
    await eventually(
      'the writer to land and settle it',
      () => ofTenant(tenant),
      (entries) => entries.length === 0,
    );
    // The other process still cannot bump, yet reads through the cache again.
    await eventually(
      'the other process to let go',
      () => read(),
      (result) => result.status !== 'bypass',
    );
    await writer.close();
    await other.close();
  });
});

/**
 * A logout or password change that cannot reach Redis still ends the session: the revocation is
 * recorded in PostgreSQL with the session's deletion, this process refuses the token at once,
 * every other process once it has read the record (each poll, and before any read after a
 * freeze), and the cached copy is deleted once Redis answers. A hit stays one Redis read with no
 * PostgreSQL query. Redis is a real server with an fsync'd append-only file, killed (SIGKILL) and
 * restarted: it comes back with the entries it had, as after a crash. (A SIGSTOPped server is no
 * use here: the delete waits in its socket and runs when it resumes.)
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sessionKey } from '../../common/keys.ts';
import { createBreaker, createRedisStore, encryptCodec, generateKey, parseKeyring, type CacheStore } from '../../origin/cache/index.ts';
import { DEFAULT_SESSION_OPTIONS, SessionStore } from '../../origin/sessions/store.ts';
import { readToken } from '../../origin/sessions/token.ts';
import type { Database } from '../../origin/db/index.ts';
import { seedDemoData } from '../../origin/db/seed.ts';
import { PostgresSessionSource } from '../../origin/sessions/source.ts';
import { commandsDuring } from '../harness/command-stats.ts';
import { eventually } from '../harness/eventually.ts';
import { startRedis, type RedisProcess } from '../harness/redis.ts';
import { alice, bob } from './api-client.ts';
import { openTestDatabase } from './databases.ts';

const codec = encryptCodec(parseKeyring(`k1:${generateKey()}`));

describe('session revocation while Redis is down', () => {
  let redis: RedisProcess;
  let db: Database;
  let closeDb: () => Promise<void>;
  let observer: Redis;
  let queries = 0;
  const opened: { store: CacheStore; sessions: SessionStore }[] = [];

  beforeAll(async () => {
    redis = await startRedis(['--appendonly', 'yes', '--appendfsync', 'always']);
    ({ db, close: closeDb } = await openTestDatabase('pglite'));
    await seedDemoData(db);
    observer = new Redis(redis.url);
  });
  afterAll(async () => {
    for (const { store, sessions } of opened) {
      await sessions.close();
      await store.close();
    }
    observer.disconnect();
    await closeDb();
    await redis.stop();
  });

  /** Runs `during` while Redis is down, then brings it back and waits until every store answers. */
  async function outage(during: () => Promise<void>) {
    await redis.kill();
    try {
      await during();
    } finally {
      await redis.restart();
    }
    for (const { store } of opened)
      await eventually(
        'the store to reconnect',
        () =>
          store.ping().then(
            () => true,
            () => false,
          ),
        Boolean,
      );
  }

  /** A session store as one origin process builds it; `pollMs` is how often it reads the revocations. */
  async function process(pollMs = 60_000, touchIntervalMs = DEFAULT_SESSION_OPTIONS.touchIntervalMs) {
    const store = createRedisStore({ url: redis.url, commandTimeoutMs: 200, connectTimeoutMs: 500 });
    await store.connect();
    const counted: Database = { ...db, query: (sql, params) => (queries++, db.query(sql, params)) };
    const sessions = new SessionStore({
      store,
      breaker: createBreaker(),
      source: new PostgresSessionSource(counted),
      codec,
      options: { ...DEFAULT_SESSION_OPTIONS, replicas: 0, revocationPollMs: pollMs, touchIntervalMs },
    });
    await sessions.start();
    opened.push({ store, sessions });
    return { store, sessions };
  }
  const cachedKey = (userId: string, token: string) => sessionKey('acme', userId, readToken(token)!.sid);

  it('keeps a logout made while Redis hung, in this process and in another, once Redis is back', async () => {
    const a = await process();
    const b = await process();
    const { token } = await a.sessions.create('acme', alice.id);
    expect((await b.sessions.get('acme', token))?.status).toBe('hit');

    await outage(() => a.sessions.delete('acme', token));
    // The cached copy outlived the failed delete.
    expect(await a.store.get(cachedKey(alice.id, token))).toEqual(expect.stringMatching(/\S/));

    expect(await a.sessions.get('acme', token)).toBeUndefined();
    await b.sessions.syncRevocations();
    expect(await b.sessions.get('acme', token)).toBeUndefined();
    await eventually(
      'the cached copy to be deleted',
      () => a.sessions.syncRevocations().then(() => a.store.get(cachedKey(alice.id, token))),
      (value) => value === undefined,
    );
    const [left] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM session_revocations');
    expect(left!.n).toBe(0);
  });

  it('keeps a password change’s logout of every session, and a frozen process catches up before it reads', async () => {
    const a = await process();
    const b = await process();
    const first = (await a.sessions.create('acme', bob.id)).token;
    const second = (await a.sessions.create('acme', bob.id)).token;
    for (const token of [first, second]) expect((await b.sessions.get('acme', token))?.status).toBe('hit');

    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    try {
      await outage(async () => expect(await a.sessions.deleteAllForUser('acme', bob.id)).toBe(2));
      for (const token of [first, second]) expect(await a.store.get(cachedKey(bob.id, token))).toEqual(expect.stringMatching(/\S/));
      // b slept through the change (a frozen Lambda): its next read catches up first.
      vi.setSystemTime(Date.now() + 3 * 60_000);
      for (const token of [first, second]) expect(await b.sessions.get('acme', token)).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it('deletes, at its next touch, a cached copy whose session the source no longer has', async () => {
    // What a read that loaded the session just before its logout, and refilled Redis just after
    // the logout's delete, leaves behind: a copy without a row and without a revocation record.
    const a = await process(60_000, 0);
    const { token } = await a.sessions.create('acme', alice.id);
    await db.query('DELETE FROM sessions WHERE id = $1', [readToken(token)!.sid]);
    expect(await a.sessions.get('acme', token)).toBeUndefined();
    expect(await a.store.get(cachedKey(alice.id, token))).toBeUndefined();
  });

  it('answers a hit with one Redis read and no PostgreSQL query', async () => {
    const a = await process();
    const { token } = await a.sessions.create('acme', alice.id);
    await a.sessions.syncRevocations();
    const before = queries;
    const { result, calls } = await commandsDuring(observer, () => a.sessions.get('acme', token));
    expect(result?.status).toBe('hit');
    expect(calls('get')).toBe(1);
    expect(queries).toBe(before);
  });
});

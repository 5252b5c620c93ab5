import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { sessionKey } from '../../common/keys.ts';
import { createBreaker, encryptCodec, generateKey, parseKeyring, type CacheStore } from '../../origin/cache/index.ts';
import { DEFAULT_SESSION_OPTIONS, SessionStore, type Session, type SessionOptions } from '../../origin/sessions/store.ts';
import { readToken } from '../../origin/sessions/token.ts';
import { memorySessionSource } from './session-source.ts';
import { STORES, freshTenant } from './stores.ts';

/** Sessions age by `Date.now()`: a test moves it instead of sleeping (timers stay real). */
function fakeClock() {
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
  return { advance: (ms: number) => vi.setSystemTime(Date.now() + ms) };
}
const alice = '0a000000-0000-4000-8000-00000000000a';
const bob = '0b000000-0000-4000-8000-00000000000b';
const codec = encryptCodec(parseKeyring(`k1:${generateKey()}`));

describe.each(STORES)('session store on %s', (name, create) => {
  let store: CacheStore;
  const breaker = createBreaker();
  const build = (options: Partial<SessionOptions> = {}) => {
    const { source, calls, rows } = memorySessionSource();
    // The harness's cluster has a replica per master; standalone and memory have none.
    const replicas = name === 'redis-cluster' ? 1 : 0;
    const sessions = new SessionStore({ store, breaker, source, codec, options: { ...DEFAULT_SESSION_OPTIONS, replicas, ...options } });
    return { sessions, calls, rows };
  };

  beforeAll(async () => {
    store = create();
    await store.connect();
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  afterAll(async () => {
    breaker.shutdown();
    await store.close();
  });

  it('creates a session that later reads find in the cache, stored encrypted under a hash of the token', async () => {
    const tenant = freshTenant();
    const { sessions, calls } = build();
    const { token, replicated } = await sessions.create(tenant, alice);
    expect(replicated).toBe(name === 'redis-cluster' ? 1 : 0);
    const read = await sessions.get(tenant, token);
    expect(read).toMatchObject({ status: 'hit', session: { tenant, userId: alice } });
    expect(calls.load).toBe(0);

    const raw = await store.get(sessionKey(tenant, alice, readToken(token)!.sid));
    expect(raw).toEqual(expect.stringMatching(/\S/));
    expect(raw).not.toContain(token);
    expect(raw).not.toContain(alice);
  });

  it('refuses other tenants, forged and malformed tokens', async () => {
    const tenant = freshTenant();
    const { sessions } = build();
    const { token } = await sessions.create(tenant, alice);
    expect(await sessions.get(freshTenant(), token)).toBeUndefined();
    const forged = `${token.slice(0, 40)}${token[40] === 'A' ? 'B' : 'A'}${token.slice(41)}`;
    expect(await sessions.get(tenant, forged)).toBeUndefined();
    expect(await sessions.get(tenant, 'not-a-token')).toBeUndefined();
    expect(await sessions.get(tenant, '')).toBeUndefined();
  });

  it('falls back to the source when the cached copy is gone, and refills it', async () => {
    const tenant = freshTenant();
    const { sessions, calls } = build();
    const { token } = await sessions.create(tenant, alice);
    await store.delete(sessionKey(tenant, alice, readToken(token)!.sid));
    expect((await sessions.get(tenant, token))?.status).toBe('miss');
    expect((await sessions.get(tenant, token))?.status).toBe('hit');
    expect(calls.load).toBe(1);
  });

  it('slides the idle TTL on access, but rewrites it at most once per touch interval', async () => {
    const tenant = freshTenant();
    const { sessions, calls } = build({ idleTtlMs: 60_000, touchIntervalMs: 20_000 });
    const clock = fakeClock();
    const { token } = await sessions.create(tenant, alice);
    expect(calls.save).toBe(1);
    await sessions.get(tenant, token);
    clock.advance(19_000);
    await sessions.get(tenant, token);
    expect(calls.save).toBe(1); // inside the touch interval: no rewrite
    // 3 × 25 s: past the idle TTL of the first access, alive because each access slid it.
    for (let i = 0; i < 3; i++) {
      clock.advance(25_000);
      expect(await sessions.get(tenant, token)).toMatchObject({ session: { tenant, userId: alice } });
    }
    expect(calls.save).toBe(4);
    clock.advance(60_000);
    expect(await sessions.get(tenant, token)).toBeUndefined();
  });

  it('does not bring back a session that a logout ended while it was being refreshed', async () => {
    const tenant = freshTenant();
    const { source } = memorySessionSource();
    // Saves wait at a gate while it is closed; `saving` resolves when one is waiting there.
    let gate: Promise<void> | undefined;
    let open!: () => void;
    let saving!: () => void;
    const saveWaiting = new Promise<void>((resolve) => (saving = resolve));
    const slowSource = {
      ...source,
      save: async (sid: string, session: Session) => {
        if (gate) saving(), await gate;
        return source.save(sid, session);
      },
    };
    const replicas = name === 'redis-cluster' ? 1 : 0;
    const sessions = new SessionStore({ store, breaker, source: slowSource, codec, options: { ...DEFAULT_SESSION_OPTIONS, replicas, touchIntervalMs: 0 } });
    const { token } = await sessions.create(tenant, alice);
    gate = new Promise<void>((resolve) => (open = resolve));
    const refreshing = sessions.get(tenant, token); // reads the session, then refreshes it
    await saveWaiting; // the refresh is saving
    await sessions.delete(tenant, token);
    open();
    await refreshing;
    expect(await store.get(sessionKey(tenant, alice, readToken(token)!.sid))).toBeUndefined();
  });

  it('caps a session at its absolute lifetime however often it is used', async () => {
    const tenant = freshTenant();
    const { sessions } = build({ idleTtlMs: 600_000, absoluteTtlMs: 60_000, touchIntervalMs: 10_000 });
    const clock = fakeClock();
    const { token } = await sessions.create(tenant, alice);
    clock.advance(30_000);
    expect(await sessions.get(tenant, token)).toMatchObject({ session: { tenant, userId: alice } });
    clock.advance(30_000);
    expect(await sessions.get(tenant, token)).toBeUndefined();
  });

  it('ends one session, or every session of a user and only theirs', async () => {
    const tenant = freshTenant();
    const { sessions } = build();
    const a1 = await sessions.create(tenant, alice);
    const a2 = await sessions.create(tenant, alice);
    const a3 = await sessions.create(tenant, alice);
    const b1 = await sessions.create(tenant, bob);
    await sessions.delete(tenant, a1.token);
    expect(await sessions.get(tenant, a1.token)).toBeUndefined();
    expect(await sessions.get(tenant, a2.token)).toMatchObject({ session: { tenant, userId: alice } });
    expect(await sessions.deleteAllForUser(tenant, alice)).toBe(2);
    expect(await sessions.get(tenant, a2.token)).toBeUndefined();
    expect(await sessions.get(tenant, a3.token)).toBeUndefined();
    expect(await sessions.get(tenant, b1.token)).toMatchObject({ session: { tenant, userId: bob } });
  });
});

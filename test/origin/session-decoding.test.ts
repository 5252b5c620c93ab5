/**
 * A session entry this process cannot decode (written under another key, corrupted) is a miss:
 * reloaded from the source and overwritten, reported once, and never a store failure, so the
 * breaker stays closed and Redis keeps serving. Two session stores stand for two processes with
 * different `CACHE_ENCRYPTION_KEYS` over one real redis-server.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionKey } from '../../common/keys.ts';
import {
  composeCodecs,
  compressCodec,
  createBreaker,
  createRedisStore,
  encryptCodec,
  generateKey,
  parseKeyring,
  type CacheStore,
} from '../../origin/cache/index.ts';
import { DEFAULT_SESSION_OPTIONS, SessionStore, type SessionSource } from '../../origin/sessions/store.ts';
import { readToken } from '../../origin/sessions/token.ts';
import { commandsDuring } from '../harness/command-stats.ts';
import { startRedis, type RedisProcess } from '../harness/redis.ts';
import { memorySessionSource } from './session-source.ts';
import { freshTenant } from './stores.ts';

const user = '0a000000-0000-4000-8000-00000000000a';
const codecWith = (keyring: string) => composeCodecs(compressCodec(), encryptCodec(parseKeyring(keyring)));

describe('undecodable session entries', () => {
  let redis: RedisProcess;
  let store: CacheStore;
  let observer: Redis;

  beforeAll(async () => {
    redis = await startRedis();
    store = createRedisStore({ url: redis.url, commandTimeoutMs: 1000, connectTimeoutMs: 1000 });
    await store.connect();
    observer = new Redis(redis.url);
  });
  afterAll(async () => {
    observer.disconnect();
    await store.close();
    await redis.stop();
  });

  /** A session store as one process would build it, with its own keyring and breaker. */
  function processWith(keyring: string, source: SessionSource) {
    const reports: unknown[] = [];
    const breaker = createBreaker();
    const sessions = new SessionStore({
      store,
      breaker,
      source,
      codec: codecWith(keyring),
      options: { ...DEFAULT_SESSION_OPTIONS, replicas: 0 },
      onUndecodable: (error) => reports.push(error),
    });
    return { sessions, breaker, reports };
  }

  it('reloads sessions written under another key, keeps the breaker closed and Redis in use, and reports once', async () => {
    const tenant = freshTenant();
    const { source, calls } = memorySessionSource();
    const before = processWith(`a:${generateKey()}`, source);
    const after = processWith(`b:${generateKey()}`, source);
    const tokens: string[] = [];
    for (let i = 0; i < 12; i++) tokens.push((await before.sessions.create(tenant, user)).token);

    const { result, calls: commands } = await commandsDuring(observer, async () => {
      const outcomes: string[] = [];
      for (let round = 0; round < 3; round++) {
        for (const token of tokens) outcomes.push((await after.sessions.get(tenant, token))?.status ?? 'refused');
      }
      return outcomes;
    });
    // Each session is reloaded once and overwritten under the new key; every later read is a hit.
    expect(result.slice(0, 12)).toEqual(Array(12).fill('miss'));
    expect(result.slice(12)).toEqual(Array(24).fill('hit'));
    expect(calls.load).toBe(12);
    expect(commands('get')).toBe(36);
    expect(after.breaker.state()).toBe('closed');
    expect(after.reports).toHaveLength(1);
    expect(String(after.reports[0])).toContain('unknown key id');
  });

  it('treats corrupt bytes and a payload that is not a session as misses', async () => {
    const tenant = freshTenant();
    const { source } = memorySessionSource();
    const keyring = `k1:${generateKey()}`;
    const reader = processWith(keyring, source);
    const { token } = await reader.sessions.create(tenant, user);
    const key = sessionKey(tenant, user, readToken(token)!.sid);
    const notASession = await codecWith(keyring).encode('"just a string"', { key });
    for (const stored of ['v1.k1.garbage', 'p:{"tenant":', notASession]) {
      await store.set(key, stored, 60_000);
      expect((await reader.sessions.get(tenant, token))?.status).toBe('miss');
      expect((await reader.sessions.get(tenant, token))?.status).toBe('hit');
    }
    expect(reader.breaker.state()).toBe('closed');
    // Three different failures, each reported once.
    expect(reader.reports).toHaveLength(3);
  });
});

/**
 * The harness's local Upstash endpoint, driven by the unmodified `@upstash/redis` and
 * `@upstash/ratelimit`, and checked against the real Redis underneath and on the wire.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Ratelimit } from '@upstash/ratelimit';
import { Redis as Upstash } from '@upstash/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileRedisUrl, startFileUpstash } from '../harness/file-redis.ts';

// An endpoint over this file's own Redis, so `direct` sees exactly what the endpoint wrote.
const endpoint = await startFileUpstash();
afterAll(() => endpoint.stop());
const { url, token } = endpoint;
const unique = (name: string) => `upstash-local:${name}:${randomUUID()}`;
const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

describe('local Upstash endpoint with @upstash/redis', () => {
  const client = new Upstash({ url, token, enableTelemetry: false });
  let direct: Redis;
  beforeAll(() => {
    direct = new Redis(fileRedisUrl(), { protocol: 2 });
  });
  afterAll(() => direct.disconnect());

  it('sets and gets strings with spaces and unicode byte for byte', async () => {
    const key = unique('text');
    for (const value of ['hello world', 'grüße, 日本語 🌍', 'a:b', ' padded ', 'T0s=']) {
      expect(await client.set(key, value)).toBe('OK');
      expect(await client.get(key)).toBe(value);
      expect(await direct.get(key)).toBe(value);
    }
    expect(await client.get(unique('absent'))).toBeNull();
  });

  it('increments, reads many keys and hashes', async () => {
    const [a, b, h] = [unique('a'), unique('b'), unique('h')];
    expect(await client.incr(a)).toBe(1);
    expect(await client.incr(a)).toBe(2);
    await client.set(b, 'two words');
    expect(await client.mget(a, b, unique('none'))).toEqual([2, 'two words', null]);
    await client.hset(h, { name: 'Zoë Ähm', count: 3 });
    expect(await client.hgetall(h)).toEqual({ name: 'Zoë Ähm', count: 3 });
  });

  it('runs pipelines in order and transactions atomically', async () => {
    const [p, q] = [unique('p'), unique('q')];
    const pipeline = client.pipeline();
    pipeline.set(p, 'x y');
    pipeline.get(p);
    pipeline.incr(q);
    expect(await pipeline.exec()).toEqual(['OK', 'x y', 1]);

    const transaction = client.multi();
    transaction.incr(q);
    transaction.append(p, ' z');
    transaction.get(p);
    expect(await transaction.exec()).toEqual([2, 5, 'x y z']);
  });

  it('runs scripts by text and by hash, with Upstash-only shebang flags', async () => {
    const plain = `return {KEYS[1], ARGV[1], ${Date.now()}}`;
    const sha = await client.scriptLoad(plain);
    expect(sha).toBe(sha1(plain));
    expect(await client.evalsha(sha, ['k'], ['a b'])).toEqual(['k', 'a b', expect.any(Number)]);

    const flagged = `#!lua flags=allow-key-locking,no-writes\nreturn ARGV[1] .. ' ${randomUUID()}'`;
    expect(await client.eval(flagged, [], ['héllo'])).toMatch(/^héllo /);
    // Redis holds the stripped text under another hash; the endpoint answers for the client's.
    expect(await direct.script('EXISTS', sha1(flagged))).toEqual([0]);
    expect(await client.scriptExists(sha1(flagged))).toEqual([1]);
    expect(await client.evalsha(sha1(flagged), [], ['again'])).toMatch(/^again /);
    await expect(client.evalsha('0'.repeat(40), [], [])).rejects.toThrow(/NOSCRIPT/);
  });

  it('reports Redis errors from single commands, pipelines and transactions', async () => {
    const key = unique('err');
    await client.set(key, 'not a number');
    await expect(client.incr(key)).rejects.toThrow(/ERR value is not an integer/);
    const pipeline = client.pipeline();
    pipeline.get(key);
    pipeline.incr(key);
    await expect(pipeline.exec()).rejects.toThrow(/ERR value is not an integer/);
    const transaction = client.multi();
    transaction.incr(key);
    await expect(transaction.exec()).rejects.toThrow(/ERR value is not an integer/);
  });
});

describe('local Upstash endpoint with @upstash/ratelimit', () => {
  const redis = new Upstash({ url, token, enableTelemetry: false });

  it.each([
    ['slidingWindow', Ratelimit.slidingWindow(3, '30 s')],
    ['fixedWindow', Ratelimit.fixedWindow(3, '30 s')],
  ])('%s allows the limit, then denies', async (_name, limiter) => {
    const ratelimit = new Ratelimit({ redis, limiter, prefix: unique('rl'), ephemeralCache: false, analytics: false });
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await ratelimit.limit('client'));
    expect(results.map((r) => [r.success, r.remaining, r.limit])).toEqual([
      [true, 2, 3],
      [true, 1, 3],
      [true, 0, 3],
      [false, 0, 3],
      [false, 0, 3],
    ]);
    // Decided by Redis, not by the library's fail-open timeout or its in-process cache.
    expect(results.every((r) => r.reason === undefined)).toBe(true);
    expect(results[3]!.reset).toBeGreaterThan(Date.now());
  });
});

describe('local Upstash endpoint on the wire', () => {
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
  const bearer = { authorization: `Bearer ${token}` };

  it('answers 401 without a token or with a wrong one', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: token }] as Record<string, string>[]) {
      const response = await post('/', ['ping'], headers);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: expect.any(String) });
    }
    expect((await post('/?_token=wrong', ['ping'])).status).toBe(401);
    const client = new Upstash({ url, token: 'wrong', enableTelemetry: false, retry: false });
    await expect(client.get('x')).rejects.toThrow(/Unauthorized/);
  });

  it('accepts ?_token=, encodes only when asked, and returns a sync token', async () => {
    const key = unique('wire');
    const set = await post(`/?_token=${encodeURIComponent(token)}`, ['SET', key, 'hello world']);
    expect(set.status).toBe(200);
    expect(set.headers.get('upstash-sync-token')).toMatch(/.+/);
    expect(await (await post('/', ['get', key], bearer)).json()).toEqual({ result: 'hello world' });
    const encoded = await post(
      '/pipeline',
      [
        ['get', key],
        ['incr', key],
        ['exists', key],
      ],
      { ...bearer, 'upstash-encoding': 'base64' },
    );
    expect(await encoded.json()).toEqual([
      { result: Buffer.from('hello world').toString('base64') },
      { error: 'ERR value is not an integer or out of range' },
      { result: 1 },
    ]);
  });

  it('answers 400 with the Redis error text for a failing command and malformed bodies', async () => {
    const response = await post('/', ['get'], bearer);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "ERR wrong number of arguments for 'get' command" });
    expect((await post('/', { not: 'a command' }, bearer)).status).toBe(400);
    expect((await post('/pipeline', [], bearer)).status).toBe(400);
    expect((await post('/', ['blpop', 'k', '0'], bearer)).status).toBe(400);
  });
});

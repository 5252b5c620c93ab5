/**
 * Edge rate limits while Upstash fails, inside workerd: the requests that reached Upstash are
 * counted (by the fake origin's switchable way to it, or at the fetch the client makes), never
 * timed. Each test reaches Upstash under its own URL, so its limiter client and outage are its own.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FAIL_OPEN_MS } from '../../edge/ratelimit/index.ts';
import { eventually } from '../harness/eventually.ts';
import { freshTenant } from './edge-fetch.ts';
import {
  awayFromWindowEnd,
  captureLogs,
  expectRateLimited,
  freshIp,
  limitHeaders,
  memberToken,
  send,
  switchableUpstash,
  switchUpstash,
  upstashSeen,
} from './ratelimit-support.ts';

const FAIL_OPEN_MSG = 'rate limit unavailable; failing open';

describe('rate limits fail open', () => {
  let logs: ReturnType<typeof captureLogs>;
  beforeEach(async () => {
    logs = captureLogs();
    await awayFromWindowEnd(60_000);
    return () => vi.restoreAllMocks();
  });
  const failOpenLines = () => logs.lines().filter((line) => line.msg === FAIL_OPEN_MSG);

  it('gives up after one connection attempt when the Upstash port refuses connections (#19.4)', async () => {
    const closed = 'http://127.0.0.1:1';
    const fetches = vi.spyOn(globalThis, 'fetch');
    const tenant = freshTenant();
    const bindings = {
      UPSTASH_REDIS_REST_URL: closed,
      UPSTASH_REDIS_REST_TOKEN: 'token',
      RATE_LIMIT_IP_PER_MINUTE: '1',
      RATE_LIMIT_TENANT_DEFAULT_PER_HOUR: '1',
    };
    for (let i = 0; i < 4; i++) {
      const { response } = await send(`/v1/${tenant}/me`, { ip: freshIp(), token: memberToken(tenant) }, bindings);
      expect(response.status).toBe(200);
      expect(response.headers.has('ratelimit-limit')).toBe(false);
    }
    const attempts = fetches.mock.calls.filter(([input]) => (input instanceof Request ? input.url : String(input)).startsWith(closed));
    expect(attempts).toHaveLength(1);
    expect(failOpenLines()).toEqual([
      expect.objectContaining({ level: 'warn', scope: expect.any(String), error: expect.not.stringContaining('did not answer') }),
    ]);
  });

  it('keeps refusing clients and tenants already over their limit while Upstash is down (#18.7)', async () => {
    const id = crypto.randomUUID();
    const tenant = freshTenant();
    const token = memberToken(tenant);
    const bindings = { ...switchableUpstash(id), RATE_LIMIT_IP_PER_MINUTE: '1', RATE_LIMIT_TENANT_DEFAULT_PER_HOUR: '1' };
    // Paths the edge does not cache: the cache's purge-version reads would use this Upstash too.
    const anyPath = () => `/v1/${freshTenant()}/anything`;
    const blocked = freshIp();
    expect((await send(anyPath(), { ip: blocked }, bindings)).response.status).toBe(404);
    expectRateLimited(await send(anyPath(), { ip: blocked }, bindings), '1', 60);
    expect((await send(`/v1/${tenant}/me`, { ip: freshIp(), token }, bindings)).response.status).toBe(200);
    expectRateLimited(await send(`/v1/${tenant}/me`, { ip: freshIp(), token }, bindings), '1', 3600);

    await switchUpstash(id, 'down');
    const before = await upstashSeen(id);
    // An unknown client: Upstash fails, the request passes, and calls pause.
    expect((await send(anyPath(), { ip: freshIp() }, bindings)).response.status).toBe(404);
    // Known blocks hold without asking Upstash; unknown clients pass, anonymous ones to the spent tenant too.
    expectRateLimited(await send(anyPath(), { ip: blocked }, bindings), '1', 60);
    expectRateLimited(await send(`/v1/${tenant}/me`, { ip: freshIp(), token }, bindings), '1', 3600);
    expect((await send(anyPath(), { ip: freshIp() }, bindings)).response.status).toBe(404);
    expect((await send(`/v1/${tenant}/anything`, { ip: freshIp() }, bindings)).response.status).toBe(404);
    expect(await upstashSeen(id)).toBe(before + 1);
    expect(failOpenLines()).toHaveLength(1);
  });

  it('after the pause lets one request at a time probe Upstash; the others fail open meanwhile', async () => {
    const id = crypto.randomUUID();
    const bindings = { ...switchableUpstash(id), RATE_LIMIT_IP_PER_MINUTE: '100' };
    const path = () => `/v1/${freshTenant()}/anything`;
    // One answered request first: it loads the limiter's script into Redis, so no later call
    // needs a second request (EVALSHA refused with NOSCRIPT, then EVAL), whatever ran before.
    expect(limitHeaders(await send(path(), { ip: freshIp() }, bindings))).toEqual(['100', '99']);
    const base = await upstashSeen(id);
    await switchUpstash(id, 'down');
    expect((await send(path(), { ip: freshIp() }, bindings)).response.status).toBe(404);
    expect(await upstashSeen(id)).toBe(base + 1);

    const now = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => now() + FAIL_OPEN_MS);
    await switchUpstash(id, 'hold');
    const probe = send(path(), { ip: freshIp() }, bindings);
    await eventually(
      'the probe reaching Upstash',
      () => upstashSeen(id),
      (seen) => seen === base + 2,
    );
    const meanwhile = await send(path(), { ip: freshIp() }, bindings);
    expect(meanwhile.response.status).toBe(404);
    expect(meanwhile.response.headers.has('ratelimit-limit')).toBe(false);
    expect(await upstashSeen(id)).toBe(base + 2);

    await switchUpstash(id, 'up');
    expect(limitHeaders(await probe)).toEqual(['100', '99']);
    const after = await send(path(), { ip: freshIp() }, bindings);
    expect(limitHeaders(after)).toEqual(['100', '99']);
    expect(await upstashSeen(id)).toBe(base + 3);
  });

  it('gives up on an Upstash that does not answer within the timeout, and says so', async () => {
    const id = crypto.randomUUID();
    await switchUpstash(id, 'hold');
    const { response } = await send(`/v1/${freshTenant()}/anything`, { ip: freshIp() }, { ...switchableUpstash(id), RATE_LIMIT_IP_PER_MINUTE: '5' });
    await switchUpstash(id, 'up');
    expect(response.status).toBe(404);
    expect(response.headers.has('ratelimit-limit')).toBe(false);
    expect(failOpenLines()).toEqual([expect.objectContaining({ scope: 'ip', error: expect.stringContaining('did not answer within 1000 ms') })]);
  });
});

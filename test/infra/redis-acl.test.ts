/**
 * The RBAC access strings, proven on a real redis-server (ElastiCache RBAC is Redis ACL): the
 * app user can run what the origin needs and none of KEYS, FLUSHALL, CONFIG or admin commands;
 * the `default` user can do nothing at all. A private server, so FLUSHALL could harm nothing.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ACCESS_STRING, DEFAULT_USER_ACCESS_STRING } from '../../infra/constructs/cache-access/defaults.ts';
import { startRedis, type RedisProcess } from '../harness/redis.ts';

const PASSWORD = 'a-long-test-password-for-the-acl';

describe('ElastiCache RBAC access strings on redis-server', () => {
  let server: RedisProcess;
  let admin: Redis;
  let app: Redis;

  beforeAll(async () => {
    server = await startRedis();
    admin = new Redis(server.port, '127.0.0.1', { lazyConnect: true });
    await admin.connect();
    await admin.call('ACL', 'SETUSER', 'strata-app', 'reset', ...APP_ACCESS_STRING.split(' '), `>${PASSWORD}`);
    await admin.call('ACL', 'SETUSER', 'elasticache-default', 'reset', ...DEFAULT_USER_ACCESS_STRING.split(' '), 'nopass');
    app = new Redis(server.port, '127.0.0.1', { username: 'strata-app', password: PASSWORD, lazyConnect: true, enableReadyCheck: false });
    await app.connect();
  });
  afterAll(async () => {
    app?.disconnect();
    admin?.disconnect();
    await server?.stop();
  });

  const dryRun = (...command: string[]) => admin.call('ACL', 'DRYRUN', 'strata-app', ...command).then(String, (error: Error) => error.message);

  it.each([
    ['KEYS', '*'],
    ['FLUSHALL'],
    ['FLUSHDB'],
    ['CONFIG', 'GET', 'maxmemory'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'],
    ['DEBUG', 'SLEEP', '0'],
    ['MONITOR'],
    ['SHUTDOWN'],
    ['ACL', 'SETUSER', 'x'],
    ['CLIENT', 'KILL', 'ID', '1'],
    ['CLUSTER', 'FAILOVER'],
    ['CLUSTER', 'RESET'],
    ['REPLICAOF', 'NO', 'ONE'],
    ['MIGRATE', 'h', '1', 'k', '0', '1'],
    ['SORT', 'k'],
  ])('refuses %s', async (...command) => {
    expect(await dryRun(...command)).toMatch(/no permissions/);
  });

  it.each([
    ['GET', '{acme}:k'],
    ['SET', '{acme}:k', 'v', 'PX', '1000'],
    ['MGET', '{acme}:a', '{acme}:b'],
    ['DEL', '{acme}:k'],
    ['UNLINK', '{acme}:k'],
    ['EXPIRE', '{acme}:k', '10'],
    ['HSET', '{acme}:h', 'f', 'v'],
    ['SADD', '{acme}:s', 'm'],
    ['INCR', '{acme}:v'],
    ['EVAL', 'return 1', '0'],
    ['EVALSHA', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db', '0'],
    ['SCRIPT', 'LOAD', 'return 1'],
    ['WAIT', '1', '100'],
    ['SCAN', '0'],
    ['PUBLISH', 'strata:invalidate', 'x'],
    ['SPUBLISH', 'strata:{acme}', 'x'],
    ['SSUBSCRIBE', 'strata:{acme}'],
    ['CLUSTER', 'SLOTS'],
    ['CLUSTER', 'SHARDS'],
    ['CLUSTER', 'NODES'],
    ['CLUSTER', 'INFO'],
    ['READONLY'],
    ['PING'],
    // Version tracking (origin/cache/store/redis/tracking.ts): broadcast client tracking on its own connection.
    ['CLIENT', 'ID'],
    ['CLIENT', 'TRACKING', 'on', 'REDIRECT', '1', 'BCAST', 'PREFIX', 'ver:'],
    ['SUBSCRIBE', '__redis__:invalidate'],
  ])('allows %s', async (...command) => {
    expect(await dryRun(...command)).toBe('OK');
  });

  it('lets the app user read and write over a real connection, and refuses KEYS and FLUSHALL there too', async () => {
    await app.set('{acme}:greeting', 'hello');
    expect(await app.get('{acme}:greeting')).toBe('hello');
    await expect(app.keys('*')).rejects.toThrow(/NOPERM/);
    await expect(app.flushall()).rejects.toThrow(/NOPERM/);
    await expect(app.call('CONFIG', 'GET', 'maxmemory')).rejects.toThrow(/NOPERM/);
    expect(await admin.get('{acme}:greeting')).toBe('hello');
  });

  it('keeps the default user switched off', async () => {
    const anonymous = new Redis(server.port, '127.0.0.1', { lazyConnect: true, enableReadyCheck: false });
    await anonymous.connect();
    try {
      await expect(anonymous.call('AUTH', 'elasticache-default', 'anything')).rejects.toThrow(/WRONGPASS|disabled/);
      expect(await admin.call('ACL', 'DRYRUN', 'elasticache-default', 'GET', 'k').then(String, (error: Error) => error.message)).toMatch(/no permissions/);
    } finally {
      anonymous.disconnect();
    }
  });
});

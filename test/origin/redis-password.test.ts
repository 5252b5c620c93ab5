/**
 * A Redis password rotated in Secrets Manager (mocked at the client) and on the server (an ACL
 * user, as ElastiCache RBAC has): connections that stay up keep working, and every connection
 * that reconnects afterwards signs in with the new password, standalone and in cluster mode.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createStore, type CacheStore } from '../../origin/cache/index.ts';
import { logger } from '../../origin/log.ts';
import { loadConfig } from '../../origin/config.ts';
import { openRuntimeSecrets, withRotatingPassword } from '../../origin/secrets/index.ts';
import { eventually } from '../harness/eventually.ts';
import { startRedis, type RedisProcess } from '../harness/redis.ts';

const sm = mockClient(SecretsManagerClient);
let stored = '';
const user = `rotation-${crypto.randomUUID().slice(0, 8)}`;
const secretValue = (password: string) => JSON.stringify({ username: user, password });

beforeAll(() => {
  logger.setLogLevel('SILENT');
  sm.on(GetSecretValueCommand).callsFake(() => ({ SecretString: stored }));
});
afterAll(() => {
  logger.setLogLevel('INFO');
  sm.restore();
});

/** Admin connections to every server of the store (the ACL lives on each). */
async function onEveryServer(admins: Redis[], ...command: string[]): Promise<void> {
  await Promise.all(admins.map((admin) => admin.call(command[0]!, ...command.slice(1))));
}

const servers: [string, () => Promise<RedisProcess | undefined>][] = [
  ['redis', () => startRedis()],
  // The harness's shared cluster: the user is created on every node and deleted afterwards.
  ['redis-cluster', async () => undefined],
];

describe.each(servers)('a rotated Redis password (%s)', (kind, start) => {
  let server: RedisProcess | undefined;
  let admins: Redis[] = [];
  let store: CacheStore;

  beforeAll(async () => {
    server = await start();
    const addresses = server
      ? [server.url]
      : inject('redisClusterNodes')
          .split(',')
          .map((node) => `redis://${node}`);
    admins = addresses.map((url) => new Redis(url, { lazyConnect: true }));
    stored = secretValue('first-password');
    await onEveryServer(admins, 'ACL', 'SETUSER', user, 'on', 'resetpass', '>first-password', '~*', '&*', '+@all');
    const env = server ? { REDIS_URL: server.url } : { REDIS_CLUSTER_NODES: inject('redisClusterNodes') };
    const config = loadConfig({ ...env, REDIS_USERNAME: user, REDIS_PASSWORD_SECRET_ARN: 'arn:redis-app' });
    const secrets = await openRuntimeSecrets(config.secrets);
    store = createStore(withRotatingPassword(config.cache, secrets.redisPassword));
    await store.connect();
  });
  afterAll(async () => {
    await store?.close();
    await onEveryServer(admins, 'ACL', 'DELUSER', user).catch(() => {});
    for (const admin of admins) admin.disconnect();
    await server?.stop();
  });

  it('signs in with the new password when its connections come back', async () => {
    const key = `{t-${kind}}:rotation`;
    await store.set(key, 'before', 60_000);
    const before = sm.commandCalls(GetSecretValueCommand).length;

    // Rotate: the server accepts only the new password, and Secrets Manager holds it.
    stored = secretValue('second-password');
    await onEveryServer(admins, 'ACL', 'SETUSER', user, 'resetpass', '>second-password');
    expect(await store.get(key)).toBe('before');

    // Every connection drops; each must sign in again, which the old password cannot do.
    await onEveryServer(admins, 'CLIENT', 'KILL', 'USER', user);
    const after = await eventually(
      'a write after the reconnection',
      () =>
        store.set(key, 'after', 60_000).then(
          () => 'ok',
          (error: Error) => error.message,
        ),
      (outcome) => outcome === 'ok',
    );
    expect(after).toBe('ok');
    expect(await store.get(key)).toBe('after');
    // Refused once, the password was read again at once rather than after the max age.
    expect(sm.commandCalls(GetSecretValueCommand).length).toBeGreaterThan(before);
  });
});

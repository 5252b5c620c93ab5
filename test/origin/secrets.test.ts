/**
 * Secrets read at run time from Secrets Manager (the AWS SDK mocked at the client): cached for
 * the max age, then read again, so a rotated purge key or keyring is used without a redeploy;
 * a failed re-read keeps the last value; start-up fails naming the variable.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyPurge } from '../../common/purge.ts';
import { createApp } from '../../origin/app.ts';
import { generateKey } from '../../origin/cache/codec/index.ts';
import { logger } from '../../origin/log.ts';
import { enqueuePurge, OutboxDeliverer } from '../../origin/outbox/index.ts';
import { openRuntimeSecrets, SecretReader } from '../../origin/secrets/index.ts';
import { buildServices } from '../../origin/services.ts';
import { openTestDatabase } from './databases.ts';

const sm = mockClient(SecretsManagerClient);
const MAX_AGE_S = 300;
const values = new Map<string, string>();
let failing = false;

/** The time the mocked Date reads; moved forward past the max age by tests. */
let now = Date.parse('2026-12-01T00:00:00Z');
const pastMaxAge = () => vi.setSystemTime((now += (MAX_AGE_S + 1) * 1000));

beforeAll(() => logger.setLogLevel('SILENT'));
afterAll(() => {
  logger.setLogLevel('INFO');
  sm.restore();
});
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(now);
  values.clear();
  failing = false;
  sm.reset();
  sm.on(GetSecretValueCommand).callsFake(({ SecretId }: { SecretId: string }) => {
    if (failing) throw new Error('Secrets Manager is unreachable');
    const value = values.get(SecretId);
    if (value === undefined) throw Object.assign(new Error(`Secrets Manager can't find the specified secret.`), { name: 'ResourceNotFoundException' });
    return { SecretString: value };
  });
});
afterEach(() => vi.useRealTimers());

const calls = () => sm.commandCalls(GetSecretValueCommand).length;
const reader = (onStale?: () => void) =>
  new SecretReader({ maxAgeSeconds: MAX_AGE_S, client: new SecretsManagerClient({ region: 'eu-west-1' }), ...(onStale ? { onStale } : {}) });

describe('SecretReader', () => {
  it('reads a secret once per max age, and the new value after it', async () => {
    values.set('purge', 'key-1');
    const secrets = reader();
    expect(await secrets.read('purge')).toBe('key-1');
    values.set('purge', 'key-2');
    expect(await secrets.read('purge')).toBe('key-1');
    expect(calls()).toBe(1);
    pastMaxAge();
    expect(await secrets.read('purge')).toBe('key-2');
    expect(calls()).toBe(2);
  });

  it('reads a JSON field, and names the secret, never its value, when it cannot', async () => {
    values.set('redis', JSON.stringify({ username: 'strata-app', password: 'hunter2' }));
    values.set('plain', 'hunter3');
    const secrets = reader();
    expect(await secrets.read('redis', 'password')).toBe('hunter2');
    await expect(secrets.read('redis', 'token')).rejects.toThrow('secret redis has no string field "token"');
    const error = await secrets.read('plain', 'password').catch((e: Error) => e);
    expect(String(error)).toContain('secret plain is not JSON');
    expect(String(error)).not.toContain('hunter3');
  });

  it('shares one request among concurrent reads of an expired secret', async () => {
    values.set('keys', 'k1');
    const secrets = reader();
    await Promise.all([secrets.read('keys'), secrets.read('keys'), secrets.read('keys')]);
    expect(calls()).toBe(1);
  });

  it('keeps the last value for another max age when a re-read fails, and throws when the first does', async () => {
    values.set('purge', 'key-1');
    const stale = vi.fn();
    const secrets = reader(stale);
    await secrets.read('purge');
    pastMaxAge();
    failing = true;
    expect(await secrets.read('purge')).toBe('key-1');
    expect(await secrets.read('purge')).toBe('key-1');
    expect(stale).toHaveBeenCalledTimes(1);
    expect(calls()).toBe(2);
    await expect(secrets.read('other')).rejects.toThrow('Secrets Manager is unreachable');
  });

  it('reads again at once when asked to reload', async () => {
    values.set('redis', JSON.stringify({ password: 'p1' }));
    const secrets = reader();
    await secrets.read('redis', 'password');
    values.set('redis', JSON.stringify({ password: 'p2' }));
    expect(await secrets.reload('redis', 'password')).toBe('p2');
  });
});

describe('the origin’s secrets at start-up', () => {
  it('fail a cold start naming the variable of a missing or malformed secret', async () => {
    await expect(openRuntimeSecrets({ maxAgeSeconds: MAX_AGE_S, purge: 'arn:missing' })).rejects.toThrow(
      /^PURGE_SECRET_ARN: .*can't find the specified secret/,
    );
    values.set('arn:keys', 'not a keyring');
    await expect(openRuntimeSecrets({ maxAgeSeconds: MAX_AGE_S, encryptionKeys: 'arn:keys' })).rejects.toThrow(
      /^CACHE_ENCRYPTION_KEYS_SECRET_ARN: keyring: entry 1 has no ":"/,
    );
    values.set('arn:redis', 'plain');
    await expect(openRuntimeSecrets({ maxAgeSeconds: MAX_AGE_S, redisPassword: 'arn:redis' })).rejects.toThrow(
      /^REDIS_PASSWORD_SECRET_ARN: secret arn:redis is not JSON/,
    );
    values.set('arn:operator', 'too-short');
    const short = await openRuntimeSecrets({ maxAgeSeconds: MAX_AGE_S, operatorToken: 'arn:operator' }).catch((e: Error) => e);
    expect(String(short)).toMatch(/OPERATOR_TOKEN_SECRET_ARN: the operator token must be at least 32 characters, the secret holds 9/);
    expect(String(short)).not.toContain('too-short');
  });

  it('encrypt sessions with a rotated keyring after the max age, still reading entries of the old key', async () => {
    values.set('arn:keys', `k1:${generateKey()}`);
    const services = await buildServices({
      database: { kind: 'pglite', dataDir: 'memory://' },
      cache: { kind: 'memory', maxEntries: 100 },
      secrets: { maxAgeSeconds: MAX_AGE_S, encryptionKeys: 'arn:keys' },
    });
    try {
      const codec = services.policies.session.codec!;
      const context = { key: 'session:acme:x' };
      const before = await codec.encode('{"user":"alice"}', context);
      expect(before).toMatch(/^v1\.k1\./);
      values.set('arn:keys', `k2:${generateKey()},${values.get('arn:keys')}`);
      expect(await codec.encode('{}', context)).toMatch(/^v1\.k1\./);
      pastMaxAge();
      expect(await codec.encode('{}', context)).toMatch(/^v1\.k2\./);
      expect(await codec.decode(before, context)).toBe('{"user":"alice"}');
    } finally {
      await services.close();
    }
    // Building the services migrates a PGlite: seconds, more on a loaded machine.
  }, 60_000);
});

describe('the operator token from Secrets Manager', () => {
  const TOKEN_1 = 'operator-token-one-0123456789abcdef0123';
  const TOKEN_2 = 'operator-token-two-0123456789abcdef0123';

  it('guards the operator API with the secret’s current value, the rotated one after the max age', async () => {
    values.set('arn:operator', TOKEN_1);
    const services = await buildServices({
      database: { kind: 'pglite', dataDir: 'memory://' },
      cache: { kind: 'memory', maxEntries: 100 },
      secrets: { maxAgeSeconds: MAX_AGE_S, operatorToken: 'arn:operator' },
    });
    try {
      const app = createApp(services);
      const stats = async (token: string) => (await app.request('/ops/stats', { headers: { authorization: `Bearer ${token}` } })).status;
      expect(await stats(TOKEN_1)).toBe(200);
      expect(await stats(TOKEN_2)).toBe(401);

      values.set('arn:operator', TOKEN_2);
      expect(await stats(TOKEN_1)).toBe(200);
      pastMaxAge();
      expect(await stats(TOKEN_2)).toBe(200);
      expect(await stats(TOKEN_1)).toBe(401);
      // One read at start-up, one after the max age: not one per request.
      expect(sm.commandCalls(GetSecretValueCommand).filter((call) => call.args[0].input.SecretId === 'arn:operator')).toHaveLength(2);
    } finally {
      await services.close();
    }
  }, 60_000);
});

describe('the purge key from Secrets Manager', () => {
  const received: { key: string; ok: boolean }[] = [];
  let receiverKey = 'key-1';
  // The edge's check, in process: fetch goes to it instead of the network.
  const edge = async (_url: string | URL | Request, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    const verdict = await verifyPurge(receiverKey, { get: (name) => headers.get(name) }, String(init?.body));
    received.push({ key: receiverKey, ok: verdict.ok });
    return new Response(null, { status: verdict.ok ? 200 : 401 });
  };

  it('signs with the rotated key from the first run after the max age, without a restart', async () => {
    const { db, close } = await openTestDatabase('pglite');
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockImplementation(edge);
    try {
      values.set('arn:purge', 'key-1');
      const secrets = await openRuntimeSecrets({ maxAgeSeconds: MAX_AGE_S, purge: 'arn:purge' });
      const deliverer = new OutboxDeliverer({ db, url: 'https://edge.example/_strata/purge', secret: secrets.purge });
      await db.transaction((tx) => enqueuePurge(tx, { tags: ['project:p1'] }));
      expect(await deliverer.deliverPending()).toEqual({ delivered: 1, failed: 0 });

      // The key is rotated in Secrets Manager and on the edge at once.
      values.set('arn:purge', 'key-2');
      receiverKey = 'key-2';
      pastMaxAge();
      await db.transaction((tx) => enqueuePurge(tx, { tags: ['project:p2'] }));
      expect(await deliverer.deliverPending()).toEqual({ delivered: 1, failed: 0 });
      expect(received).toEqual([
        { key: 'key-1', ok: true },
        { key: 'key-2', ok: true },
      ]);
    } finally {
      fetchSpy.mockRestore();
      await close();
    }
  }, 60_000);
});

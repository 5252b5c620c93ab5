import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../origin/config.ts';

describe('origin configuration', () => {
  it('defaults to PGlite, process memory and Prometheus locally', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 8788, database: { kind: 'pglite' }, cache: { kind: 'memory' }, metrics: { kind: 'prometheus' } });
  });

  it('reads a cluster with TLS and an RBAC user, as ElastiCache needs', () => {
    const config = loadConfig({
      REDIS_CLUSTER_NODES: 'clustercfg.strata.cache.amazonaws.com:6379',
      REDIS_TLS: 'true',
      REDIS_USERNAME: 'strata-app',
      REDIS_PASSWORD: 'secret',
    });
    expect(config.cache).toMatchObject({
      kind: 'redis-cluster',
      nodes: [{ host: 'clustercfg.strata.cache.amazonaws.com', port: 6379 }],
      tls: {},
      username: 'strata-app',
      password: 'secret',
    });
  });

  it('prefers the cluster over REDIS_URL and ignores empty values', () => {
    expect(loadConfig({ REDIS_URL: 'redis://a:1', REDIS_CLUSTER_NODES: 'b:2' }).cache.kind).toBe('redis-cluster');
    expect(loadConfig({ REDIS_URL: '', DATABASE_URL: '' })).toMatchObject({ cache: { kind: 'memory' }, database: { kind: 'pglite' } });
  });

  it.each([
    [{ ORIGIN_PORT: 'eighty' }, /ORIGIN_PORT/],
    [{ REDIS_CLUSTER_NODES: 'no-port' }, /REDIS_CLUSTER_NODES/],
    [{ REDIS_TLS: 'yes' }, /REDIS_TLS/],
    [{ REDIS_COMMAND_TIMEOUT_MS: '-1' }, /REDIS_COMMAND_TIMEOUT_MS/],
    [{ AWS_LAMBDA_FUNCTION_NAME: 'fn' }, /DATABASE_URL is required on Lambda/],
    [{ AWS_LAMBDA_FUNCTION_NAME: 'fn', DATABASE_URL: 'postgres://x' }, /CACHE_ENCRYPTION_KEYS_SECRET_ARN \(or CACHE_ENCRYPTION_KEYS\) is required on Lambda/],
    [{ PURGE_SECRET: 'k', PURGE_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:p' }, /set PURGE_SECRET or PURGE_SECRET_ARN, not both/],
    [{ REDIS_PASSWORD: 'p', REDIS_PASSWORD_SECRET_ARN: 'arn' }, /set REDIS_PASSWORD or REDIS_PASSWORD_SECRET_ARN, not both/],
    [{ OPERATOR_TOKEN: 'o'.repeat(32), OPERATOR_TOKEN_SECRET_ARN: 'arn:operator' }, /set OPERATOR_TOKEN or OPERATOR_TOKEN_SECRET_ARN, not both/],
    [{ SECRETS_MAX_AGE_SECONDS: '0' }, /SECRETS_MAX_AGE_SECONDS/],
  ])('refuses %j with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('takes Secrets Manager ids for the secrets instead of their values, read every 5 minutes by default', () => {
    const config = loadConfig({
      AWS_LAMBDA_FUNCTION_NAME: 'fn',
      DATABASE_URL: 'postgres://x',
      REDIS_PASSWORD_SECRET_ARN: 'arn:redis',
      PURGE_SECRET_ARN: 'arn:purge',
      CACHE_ENCRYPTION_KEYS_SECRET_ARN: 'arn:keys',
      OPERATOR_TOKEN_SECRET_ARN: 'arn:operator',
    });
    expect(config.secrets).toEqual({
      maxAgeSeconds: 300,
      redisPassword: 'arn:redis',
      purge: 'arn:purge',
      encryptionKeys: 'arn:keys',
      operatorToken: 'arn:operator',
    });
    expect(config).toMatchObject({ encryptionKeys: undefined, purge: { secret: undefined } });
    expect(config.operatorToken).toBeUndefined();
    expect(loadConfig({ SECRETS_MAX_AGE_SECONDS: '60' }).secrets.maxAgeSeconds).toBe(60);
  });

  it('sends metrics as EMF on Lambda', () => {
    const config = loadConfig({ AWS_LAMBDA_FUNCTION_NAME: 'fn', DATABASE_URL: 'postgres://x', CACHE_ENCRYPTION_KEYS: 'k1:x' });
    expect(config.metrics).toEqual({ kind: 'emf', serviceName: 'strata-origin' });
  });
});

describe('IAM sign-in to RDS Proxy', () => {
  it('is configured from DATABASE_IAM_AUTH and signs a token for the URL’s user and host', async () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://strata_app@proxy.example.internal:5432/strata', DATABASE_IAM_AUTH: 'true', AWS_REGION: 'eu-west-1' });
    expect(config.database).toMatchObject({ kind: 'postgres', iamAuth: { region: 'eu-west-1' } });
    const { iamPassword } = await import('../../origin/db/iam-auth.ts');
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' });
    try {
      const token = await iamPassword('postgres://strata_app@proxy.example.internal:5432/strata', 'eu-west-1')();
      expect(token).toMatch(/^proxy\.example\.internal:5432\/\?Action=connect&DBUser=strata_app&X-Amz-Algorithm=AWS4-HMAC-SHA256/);
      expect(token).toContain('X-Amz-Signature=');
      expect(token).toContain('eu-west-1%2Frds-db%2Faws4_request');
    } finally {
      process.env = saved;
    }
  });

  it('refuses a URL without a user', async () => {
    const { iamPassword } = await import('../../origin/db/iam-auth.ts');
    expect(() => iamPassword('postgres://proxy.example.internal/strata', 'eu-west-1')).toThrow(/must name the database user/);
  });
});

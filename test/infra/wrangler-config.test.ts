/** wrangler.toml: local settings at the top level, one deployable environment per CDK stage. */
import { describe, expect, it } from 'vitest';
import { unstable_readConfig } from 'wrangler';

const SECRETS = ['PURGE_SECRET', 'UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN'];

function read(env?: string) {
  return unstable_readConfig({ config: 'wrangler.toml', ...(env ? { env } : {}) }, { hideWarnings: true });
}

describe('wrangler.toml', () => {
  it('keeps the top level for local runs against the local origin', () => {
    const config = read();
    expect(config.name).toBe('strata-edge');
    expect(config.vars).toEqual({ ORIGIN_URL: 'http://127.0.0.1:8788', ORIGIN_TIMEOUT_MS: '10000' });
    expect(config.routes ?? []).toEqual([]);
  });

  it.each([
    ['dev', 'strata-edge-dev', 'edge.dev.strata.example.com', SECRETS],
    ['staging', 'strata-edge-staging', 'api.staging.strata.example.com', [...SECRETS, 'CF_API_TOKEN']],
    ['production', 'strata-edge', 'api.strata.example.com', [...SECRETS, 'CF_API_TOKEN']],
  ])('deploys %s as %s on %s, pointing at its API Gateway stage and requiring its secrets', (env, name, host, secrets) => {
    const config = read(env);
    expect(config.name).toBe(name);
    expect(config.main).toMatch(/edge\/index\.ts$/);
    expect(config.routes).toEqual([{ pattern: host, custom_domain: true }]);
    expect(config.vars.ORIGIN_URL).toMatch(new RegExp(`^https://[A-Z_]+\\.execute-api\\.[a-z0-9-]+\\.amazonaws\\.com/${env}$`));
    expect(Number(config.vars.ORIGIN_TIMEOUT_MS)).toBeLessThan(29_000);
    expect(config.secrets?.required).toEqual(secrets);
    // Secrets are set with `wrangler secret put`, never as plain vars.
    for (const secret of [...SECRETS, 'CF_API_TOKEN']) expect(config.vars).not.toHaveProperty(secret);
    expect(config.observability?.enabled).toBe(true);
    expect(Number(config.vars.RATE_LIMIT_IP_PER_MINUTE)).toBeGreaterThan(0);
    expect(Number(config.vars.RATE_LIMIT_TENANT_DEFAULT_PER_HOUR)).toBeGreaterThan(0);
  });

  it('purges through the zone API only where there is a zone', () => {
    expect(read('dev').vars).not.toHaveProperty('CF_ZONE_ID');
    expect(read('staging').vars).toHaveProperty('CF_ZONE_ID');
    expect(read('production').vars).toHaveProperty('CF_ZONE_ID');
    expect(read('production').workers_dev).toBe(false);
  });
});

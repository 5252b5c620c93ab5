/**
 * wrangler.toml: local settings at the top level, one deployable environment per CDK stage; and
 * `wrangler deploy --dry-run` run offline per environment, which refuses a deploy without --env
 * and an environment that still has placeholders.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unstable_readConfig } from 'wrangler';

const SECRETS = ['EDGE_ORIGIN_TOKEN', 'PURGE_SECRET', 'UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN'];
const STAGES = ['dev', 'staging', 'production'];

function read(env?: string) {
  return unstable_readConfig({ config: 'wrangler.toml', ...(env ? { env } : {}) }, { hideWarnings: true });
}

describe('wrangler.toml', () => {
  it('keeps the top level for local runs against the local origin, under a name no stage uses', () => {
    const config = read();
    expect(config.name).toBe('strata-edge-local');
    expect(STAGES.map((stage) => read(stage).name)).not.toContain(config.name);
    expect(config.vars).toEqual({ ORIGIN_URL: 'http://127.0.0.1:8788', ORIGIN_TIMEOUT_MS: '10000' });
    expect(config.routes ?? []).toEqual([]);
    expect(config.workers_dev).toBe(false);
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

/** What one `wrangler` run printed and how it ended. */
interface Run {
  code: number;
  output: string;
}

const ROOT = resolve('.');

/** Runs wrangler offline in `cwd`; custom build steps get this Node (24) first on PATH. */
function wrangler(args: string[], cwd = ROOT): Promise<Run> {
  const env = {
    ...process.env,
    PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
    WRANGLER_SEND_METRICS: 'false',
    WRANGLER_HIDE_BANNER: 'true',
    CLOUDFLARE_API_TOKEN: '',
  };
  return new Promise((done) => {
    execFile(process.execPath, [join(ROOT, 'node_modules/wrangler/bin/wrangler.js'), ...args], { cwd, env, timeout: 90_000 }, (error, stdout, stderr) => {
      done({ code: error ? Number(error.code ?? 1) || 1 : 0, output: `${stdout}${stderr}` });
    });
  });
}

/** A copy of wrangler.toml in its own folder with every placeholder filled in, as an operator would. */
function filledConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'strata-wrangler-'));
  const text = readFileSync('wrangler.toml', 'utf8')
    .replace(/REPLACE_WITH_ZONE_ID/g, '0123456789abcdef0123456789abcdef')
    .replace(/REPLACE_WITH_[A-Z]+_API_ID/g, 'a1b2c3d4e5')
    .replace(/example\.com/g, 'strata.test')
    .replace('main = "edge/index.ts"', `main = ${JSON.stringify(join(ROOT, 'edge/index.ts'))}`)
    .replaceAll('node scripts/check-edge-env.ts', `node ${join(ROOT, 'scripts/check-edge-env.ts')}`);
  writeFileSync(join(dir, 'wrangler.toml'), text);
  return dir;
}

describe('wrangler deploy --dry-run, offline', () => {
  const dirs: string[] = [];
  const scratch = () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-wrangler-out-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a deploy without --env, before it bundles anything', async () => {
    const out = join(scratch(), 'out');
    const run = await wrangler(['deploy', '--dry-run', '--outdir', out]);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('without --env: the top level of wrangler.toml is for local runs');
    expect(existsSync(out)).toBe(false);
  });

  it.each(STAGES)('refuses %s while it has placeholders, naming them; deploys it once they are filled in', async (stage) => {
    const out = join(scratch(), 'out');
    const filled = filledConfig();
    dirs.push(filled);
    const [refused, deployed] = await Promise.all([
      wrangler(['deploy', '--dry-run', '--outdir', out, '--env', stage]),
      wrangler(['deploy', '--dry-run', '--outdir', join(filled, 'out'), '--env', stage, '--config', 'wrangler.toml'], filled),
    ]);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain(`wrangler.toml [env.${stage}] still has placeholders`);
    expect(refused.output).toMatch(/vars\.ORIGIN_URL = "https:\/\/REPLACE_WITH_[A-Z]+_API_ID/);
    expect(refused.output).toContain('routes[0].pattern');
    expect(existsSync(out)).toBe(false);

    expect(deployed.output).toContain('--dry-run: exiting now.');
    expect(deployed.code).toBe(0);
    expect(existsSync(join(filled, 'out', 'index.js'))).toBe(true);
  });
});

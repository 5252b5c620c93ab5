/**
 * docs/deploy.md stays true to the code it tells an operator to drive: the context it documents
 * is read, the outputs it names exist, every secret the Worker requires and every secret and
 * parameter the stacks use is in its steps.
 */
import { readFileSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { unstable_readConfig } from 'wrangler';
import { edgePurgeUrlParameter, secretNames } from '../../infra/naming.ts';
import { strataStage } from './support.ts';

const runbook = readFileSync('docs/deploy.md', 'utf8');

/** The backticked names in the first column of the first table under `heading`. */
function tableNames(heading: string): string[] {
  const lines = runbook.slice(runbook.indexOf(heading)).split('\n');
  const start = lines.findIndex((line) => line.startsWith('|'));
  const end = lines.findIndex((line, i) => i > start && !line.startsWith('|'));
  // Skip the header and the separator row.
  return lines.slice(start + 2, end).flatMap((row) => [...row.split('|')[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
}

describe('docs/deploy.md', () => {
  it('documents only context the CDK app reads', () => {
    const app = readFileSync('infra/app.ts', 'utf8');
    const read = new Set([...app.matchAll(/context\('([a-zA-Z]+)'\)/g)].map((m) => m[1]));
    const documented = tableNames('## CDK context');
    expect(documented).toEqual(expect.arrayContaining(['stage', 'region', 'account', 'azs', 'tenants', 'alarmEmail']));
    for (const name of documented) expect(read.has(name), name).toBe(true);
  });

  it('names outputs the origin stack has', () => {
    const outputs = Object.keys(Template.fromStack(strataStage().origin).toJSON().Outputs);
    for (const name of ['OriginUrl', 'PurgeSecretName', 'ApiKeyIds', 'Dashboard', 'AlarmTopic', 'MigratorFunction']) {
      expect(runbook).toContain(`\`${name}\``);
      expect(outputs).toContain(name);
    }
  });

  it.each(['dev', 'staging', 'production'])('sets every secret the %s Worker requires before its first deploy', (env) => {
    const required = unstable_readConfig({ config: 'wrangler.toml', env }, { hideWarnings: true }).secrets?.required ?? [];
    const steps = runbook.slice(runbook.indexOf('## 4. Deploy the edge'), runbook.indexOf('## 5.'));
    const firstDeploy = steps.indexOf('npx wrangler deploy --env');
    for (const secret of required) {
      const put = steps.indexOf(`wrangler secret put ${secret} --env <stage>`);
      expect(put, secret).toBeGreaterThan(-1);
      expect(put, `${secret} before the deploy`).toBeLessThan(firstDeploy);
    }
    expect(steps.indexOf('wrangler secret put EDGE_ORIGIN_TOKEN --env <stage>')).toBeGreaterThan(-1);
  });

  it('names every secret and parameter the stacks read, the way the stacks spell them', () => {
    for (const name of Object.values(secretNames)) expect(runbook).toContain(name('<stage>'));
    expect(runbook).toContain(`--name ${edgePurgeUrlParameter('<stage>')} --type String`);
    expect(runbook).toContain(`--secret-id ${secretNames.cacheEncryptionKeys('dev')} --force-delete-without-recovery`);
  });
});

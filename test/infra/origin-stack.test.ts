/**
 * The first stack: template properties pinned with aws-cdk-lib/assertions, and the Lambda bundle
 * it synthesizes loaded and invoked like Lambda would, to prove the artifact itself works.
 */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OriginStack } from '../../infra/stacks/origin-stack.ts';

function synth(outdir: string, stage = 'dev') {
  const app = new App({ outdir });
  const stack = new OriginStack(app, 'Strata-Test-Origin', { stage, entry: 'origin/lambda.ts', env: { region: 'eu-west-1' } });
  return Template.fromStack(stack);
}

describe('OriginStack', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'strata-cdk-'));
  let template: Template;

  beforeAll(() => {
    template = synth(outdir);
  });

  it('runs the origin on Node 24, arm64, as an ESM bundle', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      LoggingConfig: { LogFormat: 'JSON' },
    });
  });

  it('passes the database URL as a Secrets Manager dynamic reference, never as a literal', () => {
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0] as { Properties: { Environment: { Variables: Record<string, unknown> } } };
    const databaseUrl = JSON.stringify(fn.Properties.Environment.Variables.DATABASE_URL);
    expect(databaseUrl).toContain('{{resolve:secretsmanager:');
    expect(databaseUrl).toContain('strata/dev/database');
    expect(databaseUrl).toContain(':SecretString:url::}}');
  });

  it('throttles the API stage', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'dev',
      MethodSettings: Match.arrayWith([Match.objectLike({ ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 })]),
    });
  });

  it('refuses a malformed stage name', () => {
    expect(() => synth(mkdtempSync(join(tmpdir(), 'strata-cdk-')), 'Prod!')).toThrow(/stage must match/);
  });

  describe('the synthesized Lambda bundle', () => {
    const saved = { ...process.env };
    let handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;

    beforeAll(async () => {
      const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0] as { Properties: { Code: { S3Key: string } } };
      const bundle = join(outdir, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`, 'index.mjs');
      console.log(`origin Lambda bundle: ${(statSync(bundle).size / 1024).toFixed(0)} KiB`);
      // Outside Lambda the handler falls back to an in-memory PGlite and cache.
      process.env.PGLITE_DIR = 'memory://';
      delete process.env.AWS_LAMBDA_FUNCTION_NAME;
      delete process.env.REDIS_URL;
      delete process.env.DATABASE_URL;
      ({ handler } = await import(pathToFileURL(bundle).href));
    });
    afterAll(() => {
      process.env = saved;
    });

    const event = (path: string) => ({
      httpMethod: 'GET',
      path,
      resource: '/{proxy+}',
      headers: { Host: 'api.example.com' },
      multiValueHeaders: { Host: ['api.example.com'] },
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: { proxy: path.slice(1) },
      requestContext: { path, stage: 'dev', httpMethod: 'GET', requestId: 'test', identity: { sourceIp: '127.0.0.1' } },
      body: null,
      isBase64Encoded: false,
    });

    it('answers health checks', async () => {
      const response = await handler(event('/health'), {});
      expect(response.statusCode).toBe(200);
      expect(JSON.parse(response.body)).toMatchObject({ ok: true, database: { status: 'ok' } });
    });

    it('answers API errors in the JSON error shape', async () => {
      const response = await handler(event('/v1/acme/public/projects'), {});
      expect(response.statusCode).toBe(404);
      expect(JSON.parse(response.body).error.code).toBe('tenant_not_found');
    });
  });
});

/**
 * The origin stack's Lambda: template properties pinned with aws-cdk-lib/assertions, and the
 * bundle it synthesizes loaded and invoked like Lambda would, to prove the artifact itself works.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN_BUNDLE_MAX_BYTES } from '../../infra/constructs/origin-function/bundling.ts';
import { freshApp, resources, strataStage } from './support.ts';

function originFunction(template: Template) {
  const found = resources(template, 'AWS::Lambda::Function').find(([, p]) => p.Description === 'Strata origin API');
  if (!found) throw new Error('no origin function in the template');
  return found[1];
}

describe('OriginStack: the origin function', () => {
  it('runs the origin on Node 24, arm64, as an ESM bundle, in the VPC', () => {
    const fn = originFunction(Template.fromStack(strataStage().origin));
    expect(fn).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      LoggingConfig: { LogFormat: 'JSON' },
      Timeout: 10,
      MemorySize: 1024,
    });
    expect(fn.VpcConfig.SubnetIds).toHaveLength(2);
    expect(fn.VpcConfig.SecurityGroupIds).toHaveLength(1);
  });

  it('refuses a malformed stage name', () => {
    expect(() => strataStage({ stage: 'Prod!' })).toThrow(/stage must match/);
    expect(() => strataStage({ stage: 'a--b' })).toThrow(/stage must match/);
  });

  describe('the synthesized Lambda bundle', () => {
    const saved = { ...process.env };
    let app: App;
    let template: Template;
    let handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;
    let bundleBytes: number;
    const bundleOf = (fn: Record<string, any>) => join(app.outdir, `asset.${(fn.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '')}`, 'index.mjs');

    beforeAll(async () => {
      // Bundle only the origin stack, as `cdk synth` would.
      app = freshApp(true);
      app.node.setContext('aws:cdk:bundling-stacks', ['Strata-dev-Origin']);
      const { origin } = strataStage({}, {}, app);
      template = Template.fromStack(origin);
      const bundle = bundleOf(originFunction(template));
      bundleBytes = statSync(bundle).size;
      // Outside Lambda the handler falls back to an in-memory PGlite and cache.
      process.env.PGLITE_DIR = 'memory://';
      for (const name of ['AWS_LAMBDA_FUNCTION_NAME', 'REDIS_URL', 'REDIS_CLUSTER_NODES', 'DATABASE_URL']) delete process.env[name];
      ({ handler } = await import(pathToFileURL(bundle).href));
      // Bundling, then booting the bundle (PGlite and its migrations): 10-13 s on this machine,
      // past vitest's default hook timeout.
    }, 120_000);
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

    it('keeps the origin bundle within its size budget (`npm run bench -- lambda` says what fills it)', () => {
      expect(bundleBytes).toBeGreaterThan(0);
      expect(bundleBytes).toBeLessThanOrEqual(ORIGIN_BUNDLE_MAX_BYTES);
    });

    it('builds an authorizer bundle that loads and refuses a request without the edge token', async () => {
      const fn = resources(template, 'AWS::Lambda::Function').find(([, p]) => p.Description === 'Strata edge-token authorizer')![1];
      process.env.EDGE_TOKEN_SECRET_ID = 'strata/dev/edge-origin-token';
      const authorizer = (await import(pathToFileURL(bundleOf(fn)).href)) as {
        handler: (event: unknown) => Promise<{ policyDocument: { Statement: { Effect: string }[] } }>;
      };
      const result = await authorizer.handler({ type: 'REQUEST', methodArn: 'arn:aws:execute-api:us-east-1:1:api/dev/GET/health', headers: {} });
      expect(result.policyDocument.Statement[0]!.Effect).toBe('Deny');
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

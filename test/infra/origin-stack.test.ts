/**
 * The origin stack's Lambda: template properties pinned with aws-cdk-lib/assertions, and the
 * bundle it synthesizes loaded and invoked like Lambda would, to prove the artifact itself works:
 * what loads at init within its budget, and the CloudFront clients in a chunk of their own that
 * loads and talks to an endpoint.
 */
import { readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadedAtInit } from '../../infra/constructs/origin-function/build.ts';
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
    let bundle: string;
    const bundleOf = (fn: Record<string, any>) => join(app.outdir, `asset.${(fn.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '')}`, 'index.mjs');

    beforeAll(async () => {
      // Bundle only the origin stack, as `cdk synth` would.
      app = freshApp(true);
      app.node.setContext('aws:cdk:bundling-stacks', ['Strata-dev-Origin']);
      const { origin } = strataStage({}, {}, app);
      template = Template.fromStack(origin);
      bundle = bundleOf(originFunction(template));
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

    /** The asset's lazy chunk holding the CloudFront and SSM clients (`origin/cloudfront/cloudfront-sdk.ts`). */
    const cloudFrontChunk = () => {
      const names = readdirSync(join(dirname(bundle), 'chunks')).filter((name) => /^cloudfront-sdk-.*\.mjs$/.test(name));
      expect(names).toHaveLength(1);
      return join('chunks', names[0]!);
    };

    it('keeps what the origin function loads at init within its size budget (`npm run bench -- lambda` says what fills it)', async () => {
      const init = await loadedAtInit(dirname(bundle));
      expect(init.files[0]!.path).toBe('index.mjs');
      expect(init.bytes).toBeGreaterThan(0);
      expect(init.bytes).toBeLessThanOrEqual(ORIGIN_BUNDLE_MAX_BYTES);
      // The CloudFront path's clients are in the asset, and load on first use only.
      expect(init.files.map((file) => file.path)).not.toContain(cloudFrontChunk());
    });

    it("ships the CloudFront and SSM clients in a chunk that loads and sends the purge path's requests", async () => {
      const requests: { method: string; url: string; target: string | undefined; body: string }[] = [];
      const read = async (request: IncomingMessage) => {
        let body = '';
        for await (const chunk of request) body += chunk;
        return body;
      };
      const server: Server = createServer(async (request, response) => {
        const body = await read(request);
        requests.push({ method: request.method!, url: request.url!, target: request.headers['x-amz-target'] as string | undefined, body });
        if (request.headers['x-amz-target'] === 'AmazonSSM.GetParameter') {
          response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
          response.end(JSON.stringify({ Parameter: { Name: '/strata/dev/cloudfront-distribution-id', Type: 'String', Value: 'E2CHUNK' } }));
          return;
        }
        response.writeHead(201, { 'content-type': 'text/xml', location: 'https://cloudfront.amazonaws.com/2020-05-31/distribution/E2CHUNK/invalidation/I1' });
        response.end(
          '<?xml version="1.0" encoding="UTF-8"?><Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Id>I1</Id><Status>InProgress</Status>' +
            '<CreateTime>2026-01-01T00:00:00Z</CreateTime><InvalidationBatch><Paths><Quantity>1</Quantity><Items><Path>/v1/acme/*</Path></Items></Paths>' +
            '<CallerReference>strata-test</CallerReference></InvalidationBatch></Invalidation>',
        );
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' };
        const sdk = await import(pathToFileURL(join(dirname(bundle), cloudFrontChunk())).href);
        // As on Lambda, SSM's credentials come from the environment through the SDK's default
        // chain, whose providers are chunks of their own (`import()` inside the SDK).
        process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
        process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
        const ssm = new sdk.SSMClient({ region: 'us-east-1', endpoint });
        const { Parameter } = await ssm.send(new sdk.GetParameterCommand({ Name: '/strata/dev/cloudfront-distribution-id' }));
        expect(Parameter.Value).toBe('E2CHUNK');
        const cloudfront = new sdk.CloudFrontClient({ region: 'us-east-1', endpoint, credentials });
        const answer = await cloudfront.send(
          new sdk.CreateInvalidationCommand({
            DistributionId: 'E2CHUNK',
            InvalidationBatch: { CallerReference: 'strata-test', Paths: { Quantity: 1, Items: ['/v1/acme/*'] } },
          }),
        );
        expect(answer.Invalidation.Id).toBe('I1');
        expect(requests.map(({ method, url, target }) => [method, url, target])).toEqual([
          ['POST', '/', 'AmazonSSM.GetParameter'],
          ['POST', '/2020-05-31/distribution/E2CHUNK/invalidation', undefined],
        ]);
        expect(requests[1]!.body).toContain('<Path>/v1/acme/*</Path>');
        expect(new sdk.NoSuchDistribution({ message: 'gone', $metadata: {} }).name).toBe('NoSuchDistribution');
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
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

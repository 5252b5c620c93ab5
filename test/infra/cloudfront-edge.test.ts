/**
 * `-c edge=cloudfront`: CloudFront in front of the API Gateway stage, built like the rest of
 * infra/. The distribution's behaviours, policies, origin and function, asserted on the
 * synthesized `Strata-<stage>-Edge` template.
 */
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { stageConfig } from '../../infra/stages.ts';
import { resources, strataStage } from './support.ts';

// AWS's managed policy ids (CloudFront Developer Guide, "Use managed cache policies").
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

const synthesized = new Map<string, ReturnType<typeof synthesize>>();
/** The edge stack's template in `region`, synthesized once per region for the whole file. */
function edgeTemplate(region = 'us-east-1') {
  if (!synthesized.has(region)) synthesized.set(region, synthesize(region));
  return synthesized.get(region)!;
}

function synthesize(region: string) {
  const { edge } = strataStage({ edge: 'cloudfront', region });
  const template = Template.fromStack(edge!);
  const [[, distribution]] = resources(template, 'AWS::CloudFront::Distribution') as [[string, Record<string, any>]];
  const config = distribution.DistributionConfig;
  const byId = (type: string) => new Map(resources(template, type));
  return {
    template,
    config,
    policies: byId('AWS::CloudFront::CachePolicy'),
    requests: byId('AWS::CloudFront::OriginRequestPolicy'),
    responses: byId('AWS::CloudFront::ResponseHeadersPolicy'),
  };
}

describe('the CloudFront edge (edge=cloudfront)', () => {
  it('is chosen at deploy time; the Worker stays the default', () => {
    expect(strataStage().edge).toBeUndefined();
    expect(strataStage({ edge: 'cloudflare' }).edge).toBeUndefined();
    expect(strataStage({ edge: 'cloudfront' }).edge!.stackName).toBe('Strata-dev-Edge');
    expect(() => stageConfig({ edge: 'fastly' })).toThrow(/edge must be cloudflare .* or cloudfront/);
  });

  it('caches the public routes with the origin’s lifetimes, the tenant in the path, only declared query parameters, no cookie or Authorization', () => {
    const { config, policies } = edgeTemplate();
    const cached = config.CacheBehaviors as Record<string, any>[];
    expect(cached.map((b) => b.PathPattern)).toEqual(['/v1/*/public/projects', '/v1/*/public/projects/*']);
    const keys = cached.map((b) => policies.get(b.CachePolicyId.Ref)!.CachePolicyConfig);
    for (const key of keys) {
      // No lifetime of CloudFront's own: s-maxage (then max-age), stale-while-revalidate and
      // stale-if-error come from the origin.
      expect(key).toMatchObject({ MinTTL: 0, DefaultTTL: 0, MaxTTL: 31_536_000 });
      expect(key.ParametersInCacheKeyAndForwardedToOrigin).toMatchObject({
        CookiesConfig: { CookieBehavior: 'none' },
        HeadersConfig: { HeaderBehavior: 'none' },
        EnableAcceptEncodingGzip: true,
        EnableAcceptEncodingBrotli: true,
      });
    }
    expect(keys.map((key) => key.ParametersInCacheKeyAndForwardedToOrigin.QueryStringsConfig)).toEqual([
      { QueryStringBehavior: 'whitelist', QueryStrings: ['cursor', 'limit'] },
      { QueryStringBehavior: 'none' },
    ]);
    for (const behaviour of cached)
      expect(behaviour).toMatchObject({
        AllowedMethods: ['GET', 'HEAD', 'OPTIONS'],
        CachedMethods: ['GET', 'HEAD'],
        Compress: true,
        ViewerProtocolPolicy: 'https-only',
      });
  });

  it('never caches private routes, and passes them everything but Host (Authorization included)', () => {
    const { config } = edgeTemplate();
    expect(config.DefaultCacheBehavior).toMatchObject({
      CachePolicyId: CACHING_DISABLED,
      OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      Compress: true,
      ViewerProtocolPolicy: 'https-only',
    });
  });

  it('sends the origin of a cached route only the tenant key and the client address', () => {
    const { config, requests } = edgeTemplate();
    const ids = new Set((config.CacheBehaviors as Record<string, any>[]).map((b) => b.OriginRequestPolicyId.Ref));
    expect(ids.size).toBe(1);
    expect(requests.get([...ids][0])!.OriginRequestPolicyConfig).toMatchObject({
      HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['x-api-key', 'x-strata-client-ip'] },
      QueryStringsConfig: { QueryStringBehavior: 'none' },
      CookiesConfig: { CookieBehavior: 'none' },
    });
  });

  it('reaches the API stage through Origin Shield in the stack’s region, sending the edge token from Secrets Manager', () => {
    for (const region of ['us-east-1', 'eu-west-1']) {
      const { config } = edgeTemplate(region);
      const origin = (config.Origins as Record<string, any>[])[0]!;
      expect(config.Origins).toHaveLength(1);
      expect(origin).toMatchObject({
        OriginShield: { Enabled: true, OriginShieldRegion: region },
        CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] },
        // A dynamic reference: CloudFormation resolves it, no template holds the value.
        OriginCustomHeaders: [{ HeaderName: 'x-strata-edge-token', HeaderValue: '{{resolve:secretsmanager:strata/dev/edge-origin-token:SecretString:::}}' }],
      });
      // The API's URL, `https://<id>.execute-api.<region>.<suffix>/dev/`: its host, and its stage as the path.
      expect(JSON.stringify(origin.DomainName)).toContain('Strata-dev-Origin:ExportsOutputRefApi');
      expect(JSON.stringify(origin.OriginPath)).toMatch(/^\{"Fn::Join":\["",\["\/",\{"Fn::Select":\[3,.*ApiDeploymentStagedev/);
    }
  });

  it('serves HTTP/3, logs to S3, and adds Server-Timing cache diagnostics while removing the edge-only headers', () => {
    const { config, responses, template } = edgeTemplate();
    expect(config).toMatchObject({ HttpVersion: 'http2and3', IPV6Enabled: true, Logging: { Prefix: 'cloudfront/' } });
    const behaviours = [config.DefaultCacheBehavior, ...config.CacheBehaviors] as Record<string, any>[];
    const policy = responses.get(behaviours[0]!.ResponseHeadersPolicyId.Ref)!.ResponseHeadersPolicyConfig;
    expect(policy).toMatchObject({
      ServerTimingHeadersConfig: { Enabled: true, SamplingRate: 100 },
      RemoveHeadersConfig: { Items: [{ Header: 'x-strata-cache-tags' }, { Header: 'x-strata-session-tenant' }] },
    });
    for (const behaviour of behaviours) expect(behaviour.ResponseHeadersPolicyId).toEqual(behaviours[0]!.ResponseHeadersPolicyId);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
  });

  it('runs its viewer-request function on every behaviour: /v1 only, client x-strata-* dropped, the client address passed', () => {
    const { config, template } = edgeTemplate();
    const [[functionId, fn]] = resources(template, 'AWS::CloudFront::Function') as [[string, Record<string, any>]];
    const source = readFileSync('infra/constructs/cloudfront-edge/viewer-request.js', 'utf8');
    expect(fn).toMatchObject({ FunctionCode: source, FunctionConfig: { Runtime: 'cloudfront-js-2.0' }, AutoPublish: true });
    for (const behaviour of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      expect(behaviour.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId, 'FunctionARN'] } }]);
    }
    const handler = runInNewContext(`${source}; handler`) as (event: unknown) => Record<string, any>;
    const event = (uri: string, headers: Record<string, string>) => ({
      context: { requestId: 'cf-req-1' },
      viewer: { ip: '198.51.100.7' },
      request: { method: 'GET', uri, querystring: {}, headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, { value: v }])) },
    });
    const refused = handler(event('/health', {}));
    expect(refused).toMatchObject({ statusCode: 404, headers: { 'content-type': { value: 'application/json' }, 'cache-control': { value: 'no-store' } } });
    expect(JSON.parse(refused.body.data)).toEqual({
      error: { code: 'not_found', message: 'no route for /health: the edge serves /v1/…', requestId: 'cf-req-1' },
    });
    const forwarded = handler(
      event('/v1/acme/public/projects', {
        'x-api-key': 'k',
        'x-strata-edge-token': 'forged',
        'x-strata-client-ip': '10.0.0.1',
        'x-forwarded-host': 'evil.example',
        authorization: 'Bearer t',
      }),
    );
    expect(forwarded.headers).toEqual({ 'x-api-key': { value: 'k' }, authorization: { value: 'Bearer t' }, 'x-strata-client-ip': { value: '198.51.100.7' } });
  });

  it('caches nothing outside /v1/<tenant>/public/ (what tag purges rely on)', () => {
    const { config } = edgeTemplate();
    for (const behaviour of config.CacheBehaviors as Record<string, any>[]) expect(behaviour.PathPattern).toMatch(/^\/v1\/\*\/public\//);
  });
});

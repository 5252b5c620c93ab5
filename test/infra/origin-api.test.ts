/**
 * OriginApi: proxying, the stage cache (public GETs only, keyed per tenant), throttling, access
 * logs, request validation, API keys and the error shape of API Gateway's own answers.
 */
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { OriginApi, type OriginApiProps } from '../../infra/constructs/origin-api/index.ts';
import { constructStack, inlineFunction, resources } from './support.ts';

function build(props: Partial<OriginApiProps> = {}) {
  const { stack } = constructStack();
  const api = new OriginApi(stack, 'Api', { handler: inlineFunction(stack), stageName: 'test', ...props });
  return { api, stack, template: Template.fromStack(stack) };
}

/** Methods by `<resource path> <HTTP method>`. */
function methods(template: Template): Map<string, Record<string, any>> {
  const paths = new Map<string, string>();
  const resourceList = resources(template, 'AWS::ApiGateway::Resource');
  const pathOf = (id: string): string => {
    if (paths.has(id)) return paths.get(id)!;
    const resource = resourceList.find(([logicalId]) => logicalId === id)?.[1];
    if (!resource) return '';
    const parent = resource.ParentId.Ref ? pathOf(resource.ParentId.Ref) : '';
    const path = `${parent}/${resource.PathPart}`;
    paths.set(id, path);
    return path;
  };
  return new Map(resources(template, 'AWS::ApiGateway::Method').map(([, m]) => [`${m.ResourceId.Ref ? pathOf(m.ResourceId.Ref) : '/'} ${m.HttpMethod}`, m]));
}

function stageSettings(template: Template): Record<string, any>[] {
  return resources(template, 'AWS::ApiGateway::Stage')[0]![1].MethodSettings;
}

describe('OriginApi', () => {
  it('proxies every path to the Lambda, with one invoke permission for the whole API', () => {
    const { template } = build();
    const all = methods(template);
    expect([...all.keys()].sort()).toEqual([
      '/ ANY',
      '/v1/{tenant}/config/limits ANY',
      '/v1/{tenant}/config/limits GET',
      '/v1/{tenant}/config/{proxy+} ANY',
      '/v1/{tenant}/public/projects ANY',
      '/v1/{tenant}/public/projects GET',
      '/v1/{tenant}/public/projects/{id} ANY',
      '/v1/{tenant}/public/projects/{id} GET',
      '/v1/{tenant}/public/{proxy+} ANY',
      '/v1/{tenant}/{proxy+} ANY',
      '/{proxy+} ANY',
    ]);
    for (const method of all.values()) expect(method.Integration).toMatchObject({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' });
    expect(resources(template, 'AWS::Lambda::Permission')).toHaveLength(1);
  });

  it('runs an encrypted stage cache, off for every method unless listed, with the configured size', () => {
    const { template } = build({ cacheClusterSize: '1.6' });
    template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'test', CacheClusterEnabled: true, CacheClusterSize: '1.6' });
    const defaults = stageSettings(template).find((s) => s.ResourcePath === '/*');
    expect(defaults).toMatchObject({ HttpMethod: '*', CachingEnabled: false, CacheDataEncrypted: true });
  });

  it('caches the public GETs for their TTL, encrypted, and nothing else', () => {
    const cached = stageSettings(build().template).filter((s) => s.CachingEnabled);
    expect(cached).toEqual([
      expect.objectContaining({ ResourcePath: '/~1v1~1{tenant}~1public~1projects', HttpMethod: 'GET', CacheTtlInSeconds: 600, CacheDataEncrypted: true }),
      expect.objectContaining({
        ResourcePath: '/~1v1~1{tenant}~1public~1projects~1{id}',
        HttpMethod: 'GET',
        CacheTtlInSeconds: 1800,
        CacheDataEncrypted: true,
      }),
    ]);
  });

  it('keys each cached GET on the tenant, its path and query parameters and the edge cache version', () => {
    const all = methods(build().template);
    expect(all.get('/v1/{tenant}/public/projects GET')!.Integration.CacheKeyParameters).toEqual([
      'method.request.path.tenant',
      'method.request.header.X-Strata-Cache-Version',
      'method.request.querystring.cursor',
      'method.request.querystring.limit',
    ]);
    expect(all.get('/v1/{tenant}/public/projects/{id} GET')!.Integration.CacheKeyParameters).toEqual([
      'method.request.path.tenant',
      'method.request.path.id',
      'method.request.header.X-Strata-Cache-Version',
    ]);
    expect(all.get('/v1/{tenant}/public/projects GET')!.RequestParameters).toMatchObject({ 'method.request.path.tenant': true });
  });

  it('never caches authenticated or unlisted routes: no cache key, no method setting', () => {
    const { template } = build();
    const settings = stageSettings(template).map((s) => s.ResourcePath);
    for (const [key, method] of methods(template)) {
      if (key.endsWith(' GET')) continue;
      expect(method.Integration.CacheKeyParameters ?? []).toEqual([]);
      expect(settings).not.toContain(`/${key.split(' ')[0]!.slice(1).replace(/\//g, '~1')}`);
    }
  });

  it('throttles per stage and per method', () => {
    const { template } = build({
      throttling: { rateLimit: 300, burstLimit: 600 },
      publicRoutes: [{ path: 'projects', cacheTtl: Duration.minutes(5), throttling: { rateLimit: 100, burstLimit: 200 } }],
    });
    const settings = stageSettings(template);
    expect(settings.find((s) => s.ResourcePath === '/*')).toMatchObject({ ThrottlingRateLimit: 300, ThrottlingBurstLimit: 600 });
    expect(settings.find((s) => s.ResourcePath === '/~1v1~1{tenant}~1public~1projects')).toMatchObject({
      ThrottlingRateLimit: 100,
      ThrottlingBurstLimit: 200,
      LoggingLevel: 'ERROR',
      MetricsEnabled: true,
    });
  });

  it('writes JSON access logs and error execution logs', () => {
    const { template } = build();
    const stage = resources(template, 'AWS::ApiGateway::Stage')[0]![1];
    const format = JSON.parse(stage.AccessLogSetting.Format);
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
      apiKeyId: '$context.identity.apiKeyId',
      latencyMs: '$context.responseLatency',
    });
    expect(stage.AccessLogSetting.DestinationArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ApiAccessLogs/), 'Arn'] });
    expect(stageSettings(template).find((s) => s.ResourcePath === '/*')).toMatchObject({
      LoggingLevel: 'ERROR',
      MetricsEnabled: true,
      DataTraceEnabled: false,
    });
  });

  it("validates required parameters and requires a tenant's API key on every tenant method but the edge's limit lookup", () => {
    const { template } = build();
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { Name: 'required-parameters', ValidateRequestParameters: true });
    const validated = [...methods(template)].filter(([key]) => key.startsWith('/v1/'));
    for (const [key, method] of validated) expect([key, method.RequestValidatorId]).toEqual([key, { Ref: expect.stringMatching(/^ApiParameterValidator/) }]);
    const keyless = [...methods(template)].filter(([, method]) => !method.ApiKeyRequired).map(([key]) => key);
    expect(keyless.sort()).toEqual(['/ ANY', '/v1/{tenant}/config/limits GET', '/{proxy+} ANY']);
    for (const method of methods(build({ requireApiKey: false }).template).values()) expect(method.ApiKeyRequired).toBe(false);
  });

  it("answers API Gateway's own 4XX and 5XX in Strata's error shape", () => {
    const { template } = build();
    for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX']) {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        ResponseTemplates: {
          'application/json': Match.stringLikeRegexp(
            '"error":\\{"code":"\\$context.error.responseType","message":\\$context.error.messageString,"requestId":"\\$context.requestId"\\}',
          ),
        },
      });
    }
  });

  it('is regional: Cloudflare is the CDN', () => {
    build().template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] }, ApiKeySourceType: 'HEADER' });
  });

  it('changes its stage fingerprint with the stage settings only', () => {
    const a = build().api.stageSettingsFingerprint;
    expect(build().api.stageSettingsFingerprint).toBe(a);
    expect(build({ publicRoutes: [{ path: 'projects', cacheTtl: Duration.minutes(6) }] }).api.stageSettingsFingerprint).not.toBe(a);
  });

  it.each([
    [{ publicRoutes: [{ path: 'projects', cacheTtl: Duration.minutes(4) }] }, /public route projects cacheTtl must be 5–60 minutes, got 240 s/],
    [{ publicRoutes: [{ path: 'projects', cacheTtl: Duration.minutes(61) }] }, /cacheTtl must be 5–60 minutes, got 3660 s/],
    [
      { publicRoutes: [{ path: '{proxy+}', cacheTtl: Duration.minutes(10) }] },
      /invalid segment "\{proxy\+\}" \(greedy \{x\+\} paths cannot be cached per route\)/,
    ],
    [{ publicRoutes: [{ path: 'projects/{tenant}', cacheTtl: Duration.minutes(10) }] }, /repeats the path parameter \{tenant\}/],
    [
      {
        publicRoutes: [
          { path: 'a', cacheTtl: Duration.minutes(10) },
          { path: '/a/', cacheTtl: Duration.minutes(20) },
        ],
      },
      /public route \/a\/ is listed twice/,
    ],
    [{ publicRoutes: [{ path: 'a', cacheTtl: Duration.minutes(10), cacheKeyQueryParameters: ['a b'] }] }, /invalid query parameter name "a b"/],
    [{ cacheClusterSize: '2' as never }, /cacheClusterSize must be one of 0\.5, 1\.6, 6\.1/],
    [{ throttling: { rateLimit: 0, burstLimit: 10 } }, /throttling needs rateLimit > 0/],
    [
      { publicRoutes: [{ path: 'a', cacheTtl: Duration.minutes(10), throttling: { rateLimit: 9000, burstLimit: 10 } }] },
      /public route a throttling .* exceeds the stage's .* and could never apply/,
    ],
  ])('refuses %o', (props, message) => {
    expect(() => build(props as Partial<OriginApiProps>)).toThrow(message);
  });
});

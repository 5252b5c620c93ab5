import { createHash } from 'node:crypto';
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  ApiKeySourceType,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RequestValidator,
  ResponseType,
  RestApi,
  type IAuthorizer,
  type MethodDeploymentOptions,
  type MethodOptions,
  type Stage,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { accessLogFormat } from './access-log.ts';
import * as d from './defaults.ts';
import { parseRoute, validateThrottling, type PublicRoute, type Throttling } from './routes.ts';

export type { PublicRoute, Throttling } from './routes.ts';

/** Props of {@link OriginApi}. */
export interface OriginApiProps {
  /** The origin Lambda (or its alias). */
  readonly handler: IFunction;
  /** Stage name, e.g. `dev`. */
  readonly stageName: string;
  /** @default projects (10 min, keyed on cursor and limit) and projects/{id} (30 min) */
  readonly publicRoutes?: readonly PublicRoute[];
  /** Stage cache size in GB. @default 0.5 */
  readonly cacheClusterSize?: (typeof d.CACHE_SIZES)[number];
  /** Stage-wide limits. @default 500 rps, burst 1000 */
  readonly throttling?: Throttling;
  /**
   * Every tenant method (`/v1/{tenant}/…`) requires an `x-api-key` of a usage plan, except the
   * edge's own tenant-limit lookup (`GET /v1/{tenant}/config/limits`). @default true
   */
  readonly requireApiKey?: boolean;
  /**
   * Runs on every method before the stage cache (the edge's token check); its refusals answer
   * 403 in Strata's error shape. @default none: anyone who can reach the endpoint is served
   */
  readonly authorizer?: IAuthorizer;
  /** @default three months */
  readonly accessLogRetention?: RetentionDays;
}

/** A cached method, as its stage settings and the cache-control patch name it. */
export interface CachedMethod {
  readonly resourcePath: string;
  readonly httpMethod: 'GET';
}

/**
 * The REST API in front of the origin: every path proxied to the Lambda; the public GET routes
 * cached in the encrypted stage cache, keyed on the tenant, their path and query parameters and
 * the edge's cache version; everything else (authenticated routes included) never cached.
 * Throttled per stage and per method, access-logged as JSON, request parameters validated, every
 * method behind the authorizer when one is given.
 */
export class OriginApi extends Construct {
  readonly api: RestApi;
  readonly stage: Stage;
  readonly cachedMethods: readonly CachedMethod[];
  readonly accessLogs: LogGroup;
  /** Changes whenever a stage method setting changes (for resources that patch the stage). */
  readonly stageSettingsFingerprint: string;

  constructor(scope: Construct, id: string, props: OriginApiProps) {
    super(scope, id);
    const routes = props.publicRoutes ?? d.DEFAULT_PUBLIC_ROUTES;
    const throttling = props.throttling ?? d.DEFAULT_THROTTLING;
    const cacheClusterSize = props.cacheClusterSize ?? d.DEFAULT_CACHE_SIZE;
    const apiKeyRequired = props.requireApiKey ?? true;
    validateThrottling(throttling, 'throttling');
    if (!(d.CACHE_SIZES as readonly string[]).includes(cacheClusterSize)) {
      throw new Error(`OriginApi: cacheClusterSize must be one of ${d.CACHE_SIZES.join(', ')} (GB), got ${JSON.stringify(cacheClusterSize)}`);
    }
    const parsed = routes.map((route) => parseRoute(route, throttling));
    const duplicate = parsed.find((route, i) => parsed.findIndex((other) => other.resourcePath === route.resourcePath) !== i);
    if (duplicate) throw new Error(`OriginApi: public route ${duplicate.route.path} is listed twice`);

    const methodOptions: Record<string, MethodDeploymentOptions> = {};
    for (const { resourcePath, route } of parsed) {
      methodOptions[`${resourcePath}/GET`] = {
        cachingEnabled: true,
        cacheTtl: route.cacheTtl,
        cacheDataEncrypted: true,
        // A method's own settings replace the stage's: repeat logging and metrics.
        loggingLevel: MethodLoggingLevel.ERROR,
        metricsEnabled: true,
        ...(route.throttling ? { throttlingRateLimit: route.throttling.rateLimit, throttlingBurstLimit: route.throttling.burstLimit } : {}),
      };
    }

    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.accessLogRetention ?? d.DEFAULT_ACCESS_LOG_RETENTION });
    this.api = new RestApi(this, 'Api', {
      description: 'Strata origin API',
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      apiKeySourceType: ApiKeySourceType.HEADER,
      // API Gateway authorizes in the method request, before the stage cache lookup of the
      // integration request: a cached response is never served to a caller the authorizer refused.
      ...(props.authorizer ? { defaultMethodOptions: { authorizer: props.authorizer } } : {}),
      // Execution logs (errors) need the account's API Gateway CloudWatch role; kept on removal
      // because it is account-wide and other stages may rely on it.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: props.stageName,
        // No cached route (CloudFront, whose Origin Shield is layer 2): no cache cluster to pay for.
        cacheClusterEnabled: parsed.length > 0,
        ...(parsed.length > 0 ? { cacheClusterSize } : {}),
        // Off for every method unless switched on above: authenticated routes are never cached.
        cachingEnabled: false,
        cacheDataEncrypted: true,
        throttlingRateLimit: throttling.rateLimit,
        throttlingBurstLimit: throttling.burstLimit,
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        // X-Ray: the request's trace starts here and continues into the Lambda.
        tracingEnabled: true,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat: accessLogFormat(),
        methodOptions,
      },
    });
    this.stage = this.api.deploymentStage;

    // Required path parameters are checked here; bodies by the origin's schemas, which answer
    // in Strata's error shape (a body check here would need a model per route).
    const validator = new RequestValidator(this, 'ParameterValidator', {
      restApi: this.api,
      requestValidatorName: 'required-parameters',
      validateRequestParameters: true,
      validateRequestBody: false,
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason: 'Request parameters are validated (required-parameters validator); bodies are validated per route by the origin, which owns their schemas',
    });
    // API Gateway's own refusals (throttled, bad key, bad parameters, integration failures)
    // answer in Strata's error shape; the code is API Gateway's response type.
    for (const type of [ResponseType.DEFAULT_4XX, ResponseType.DEFAULT_5XX]) {
      this.api.addGatewayResponse(`Response-${type.responseType}`, {
        type,
        templates: {
          'application/json': '{"error":{"code":"$context.error.responseType","message":$context.error.messageString,"requestId":"$context.requestId"}}',
        },
        responseHeaders: { 'Cache-Control': "'no-store'" },
      });
    }
    if (props.authorizer) {
      // No token, or a wrong one: 403 in Strata's shape, the same for both (API Gateway would
      // say 401 for a missing header, which no credential of the caller's could fix).
      for (const type of [ResponseType.UNAUTHORIZED, ResponseType.ACCESS_DENIED]) {
        this.api.addGatewayResponse(`Response-${type.responseType}`, {
          type,
          statusCode: '403',
          templates: { 'application/json': d.EDGE_ONLY_BODY },
          responseHeaders: { 'Cache-Control': "'no-store'" },
        });
      }
    }
    const proxied: MethodOptions = { apiKeyRequired };
    const forward = new LambdaIntegration(props.handler, { proxy: true, scopePermissionToMethod: false });

    // Anything not matched below: the origin's own paths (health, OpenAPI, `/`), which belong to
    // no tenant, so no tenant key meters them; the authorizer still guards them. The root's own
    // method first: the proxy would otherwise give it an integration-less MOCK.
    this.api.root.addMethod('ANY', forward, { apiKeyRequired: false });
    this.api.root.addProxy({ anyMethod: true, defaultIntegration: forward, defaultMethodOptions: { apiKeyRequired: false } });
    const tenant = this.api.root.addResource('v1').addResource('{tenant}');
    const tenantParam = { 'method.request.path.tenant': true };
    const tenantScoped: MethodOptions = { ...proxied, requestParameters: tenantParam, requestValidator: validator };
    tenant.addProxy({ anyMethod: false }).addMethod('ANY', forward, tenantScoped);
    // The edge looks up a tenant's limit on its own behalf, with no tenant key to send.
    const config = tenant.addResource('config');
    config.addProxy({ anyMethod: false }).addMethod('ANY', forward, tenantScoped);
    const limits = config.addResource('limits');
    limits.addMethod('GET', forward, { ...tenantScoped, apiKeyRequired: false });
    limits.addMethod('ANY', forward, tenantScoped);
    const publicRoot = tenant.addResource('public');
    publicRoot.addProxy({ anyMethod: false }).addMethod('ANY', forward, tenantScoped);

    for (const { route, relative, pathParams } of parsed) {
      const resource = publicRoot.resourceForPath(relative);
      const pathParameters = Object.fromEntries(['tenant', ...pathParams].map((name) => [`method.request.path.${name}`, true]));
      const requestParameters: Record<string, boolean> = { ...pathParameters, [`method.request.header.${d.CACHE_VERSION_HEADER}`]: false };
      for (const name of route.cacheKeyQueryParameters ?? []) requestParameters[`method.request.querystring.${name}`] = false;
      const cached = new LambdaIntegration(props.handler, {
        proxy: true,
        scopePermissionToMethod: false,
        cacheKeyParameters: Object.keys(requestParameters),
      });
      resource.addMethod('GET', cached, { apiKeyRequired, requestParameters, requestValidator: validator });
      // Other methods on the same path reach the origin uncached (it answers 404/405 itself).
      resource.addMethod('ANY', forward, { ...proxied, requestParameters: pathParameters, requestValidator: validator });
    }

    this.cachedMethods = parsed.map(({ resourcePath }) => ({ resourcePath, httpMethod: 'GET' as const }));
    this.stageSettingsFingerprint = createHash('sha256')
      .update(
        JSON.stringify({
          methodOptions: Object.entries(methodOptions).map(([k, v]) => [k, v.cacheTtl?.toSeconds(), v.throttlingRateLimit, v.throttlingBurstLimit]),
          throttling,
          cacheClusterSize,
        }),
      )
      .digest('hex')
      .slice(0, 16);
  }
}

/**
 * The cache, origin-request and response-headers policies of {@link CloudFrontEdge}: what a cached
 * route keys on, what reaches the origin, and what CloudFront adds to and removes from responses.
 */
import {
  CacheCookieBehavior,
  CacheHeaderBehavior,
  CachePolicy,
  CacheQueryStringBehavior,
  HeadersFrameOption,
  OriginRequestCookieBehavior,
  OriginRequestHeaderBehavior,
  OriginRequestPolicy,
  OriginRequestQueryStringBehavior,
  ResponseHeadersPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { PublicRoute } from '../origin-api/routes.ts';
import * as d from './defaults.ts';

/** The CloudFront path pattern of a public route: `projects/{id}` → `/v1/*\/public/projects/*`. */
export function pathPattern(route: PublicRoute): string {
  const relative = route.path.replace(/^\/+|\/+$/g, '');
  return `/v1/*/public/${relative
    .split('/')
    .map((segment) => (/^\{.+\}$/.test(segment) ? '*' : segment))
    .join('/')}`;
}

/**
 * A cached route's key: the path (the tenant is in it), the route's declared query parameters,
 * and the compression the client accepts; never a cookie or `Authorization`. Lifetimes are the
 * origin's (`s-maxage`, then `max-age`); CloudFront also honours its `stale-while-revalidate`
 * and `stale-if-error`.
 */
export function routeCachePolicy(scope: Construct, id: string, route: PublicRoute, namePrefix: string): CachePolicy {
  const query = route.cacheKeyQueryParameters ?? [];
  return new CachePolicy(scope, id, {
    cachePolicyName: `${namePrefix}-${route.path.replace(/[^A-Za-z0-9]+/g, '-').replace(/-+$/, '')}`,
    comment: `Strata public route ${route.path}: origin lifetimes, declared query only`,
    minTtl: d.MIN_TTL,
    defaultTtl: d.DEFAULT_TTL,
    maxTtl: d.MAX_TTL,
    cookieBehavior: CacheCookieBehavior.none(),
    headerBehavior: CacheHeaderBehavior.none(),
    queryStringBehavior: query.length > 0 ? CacheQueryStringBehavior.allowList(...query) : CacheQueryStringBehavior.none(),
    enableAcceptEncodingGzip: true,
    enableAcceptEncodingBrotli: true,
  });
}

/** What a cached route sends the origin on a miss besides its key: the API key and client address. */
export function cachedRouteOriginRequests(scope: Construct, id: string, namePrefix: string): OriginRequestPolicy {
  return new OriginRequestPolicy(scope, id, {
    originRequestPolicyName: `${namePrefix}-public`,
    comment: 'Strata public routes: the tenant key and client address, nothing else of the viewer',
    headerBehavior: OriginRequestHeaderBehavior.allowList(...d.CACHED_ROUTE_HEADERS),
    queryStringBehavior: OriginRequestQueryStringBehavior.none(),
    cookieBehavior: OriginRequestCookieBehavior.none(),
  });
}

/**
 * On every response: `Server-Timing` with CloudFront's cache diagnostics (`cdn-cache-hit`,
 * `cdn-cache-miss`, `cdn-upstream-layer`, `cdn-pop`, …) on every request, the closest it offers
 * to the Worker's RFC 9211 `Cache-Status` (a response headers policy cannot add per-request
 * values of its own); the origin's `Cache-Status` member passes through. The edge-only headers
 * are removed; HSTS and `nosniff` are added unless the origin sent its own.
 */
export function responseHeaders(scope: Construct, id: string, namePrefix: string): ResponseHeadersPolicy {
  return new ResponseHeadersPolicy(scope, id, {
    responseHeadersPolicyName: `${namePrefix}-responses`,
    comment: 'Strata: Server-Timing cache diagnostics, edge-only headers removed',
    serverTimingSamplingRate: 100,
    removeHeaders: d.INTERNAL_RESPONSE_HEADERS,
    securityHeadersBehavior: {
      strictTransportSecurity: { accessControlMaxAge: Duration.days(365 * 2), includeSubdomains: true, override: false },
      contentTypeOptions: { override: false },
      frameOptions: { frameOption: HeadersFrameOption.DENY, override: false },
    },
  });
}
